#!/usr/bin/env bash
# Makes a Postgres server answer and prints its URL on stdout (logs go to stderr).
#
# 1. ZEUGNIS_TEST_POSTGRES_URL, if it is set and answers;
# 2. the local server at 127.0.0.1:5432, starting its Debian cluster if it is down;
# 3. a throwaway cluster in a temporary folder, from the installed binaries
#    (installing Debian's postgresql package first if there are none).
set -euo pipefail

log() { printf '%s\n' "$*" >&2; }

answers() {
    psql "$1" -tAc 'select 1' >/dev/null 2>&1
}

need_psql() {
    if ! command -v psql >/dev/null 2>&1; then
        log "installing the Postgres client"
        apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client >&2
    fi
}

need_psql

if [[ -n "${ZEUGNIS_TEST_POSTGRES_URL:-}" ]] && answers "$ZEUGNIS_TEST_POSTGRES_URL"; then
    log "using Postgres from ZEUGNIS_TEST_POSTGRES_URL"
    echo "$ZEUGNIS_TEST_POSTGRES_URL"
    exit 0
fi

local_url="postgres://postgres@127.0.0.1:5432/postgres"
if answers "$local_url"; then
    log "using the Postgres server at 127.0.0.1:5432"
    echo "$local_url"
    exit 0
fi

if [[ -d /etc/postgresql ]] && command -v pg_ctlcluster >/dev/null 2>&1; then
    for version in $(ls /etc/postgresql); do
        log "starting the Debian cluster $version/main"
        pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 2>&1 || true
    done
    for _ in $(seq 1 20); do
        if answers "$local_url"; then
            echo "$local_url"
            exit 0
        fi
        sleep 0.5
    done
fi

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    log "installing Debian's postgresql package"
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
dir=$(mktemp -d /tmp/zeugnis-pg.XXXXXX)
port=55432
owner=postgres
id "$owner" >/dev/null 2>&1 || owner=nobody
chown "$owner" "$dir"
log "starting a throwaway cluster in $dir on port $port"
runuser -u "$owner" -- "$bin/initdb" -D "$dir/data" -U postgres --auth=trust >/dev/null
runuser -u "$owner" -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >&2
url="postgres://postgres@127.0.0.1:$port/postgres"
answers "$url" || { log "the throwaway cluster does not answer"; cat "$dir/log" >&2; exit 1; }
echo "$url"
