//! The storage conformance suite: every case runs unchanged against SQLite (a
//! fresh file per test) and Postgres (a fresh database per test, when
//! `ZEUGNIS_TEST_POSTGRES_URL` is set; under `CI=true` it must be) — the
//! port-level cases of `zeugnis-conformance`, and the cases below, which look
//! behind the ports (encryption, keys, schema, durability, raw rows).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stderr,
    reason = "test helpers fail the test loudly"
)]

mod cases;
mod harness;

conformance!(
    ciphertext_moved_to_another_row_or_tenant_is_detected,
    no_plaintext_name_or_content_in_the_database,
    a_destroyed_tenant_key_makes_data_gone,
    a_wrong_master_key_is_refused_at_open,
    rotation_rewraps_tenant_keys_under_the_new_master_key,
    purging_a_tenant_destroys_its_key,
    an_unreadable_outbox_body_is_marked_failed_and_no_failure_keeps_a_body,
    an_outbox_message_whose_key_does_not_open_waits_and_lets_others_through,
    commits_are_durable_and_foreign_keys_enforced,
    a_schema_from_a_newer_version_is_refused,
);
