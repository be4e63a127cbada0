# Recipes for working on zeugnis; `just --list` shows them.

# Run the server with the default configuration (http://127.0.0.1:8080).
run:
    cargo run -p zeugnis-app -- serve

# Run all tests.
test:
    cargo test --workspace

# Everything CI checks: formatting, lints, docs, tests.
check:
    bash .ci/run

# Run the storage benchmarks (ZEUGNIS_BENCH_SCALE=20 for a quick run; with
# ZEUGNIS_TEST_POSTGRES_URL set, on Postgres too).
bench:
    cargo bench -p zeugnis-store --bench store

# P1: the handover read against a bare endpoint of the same server, under wrk
# (needs `wrk`: apt-get install wrk; P1_SECONDS, P1_CONNECTIONS, P1_THREADS).
bench-handover:
    cargo bench -p zeugnis-app --bench handover_read

# P6: the list page and the editor against the JSON API with 100,000
# references (PAGES_REFERENCES, PAGES_ROUNDS).
bench-pages:
    cargo bench -p zeugnis-app --bench pages
