#!/usr/bin/env bash
# Start a throwaway PostgreSQL for the msp-agent-store tests and print the variables to use
# it, for `eval`:
#
#   eval "$(bash scripts/start_postgres.sh)"
#   cargo test -p msp-agent-store
#
# - If MSP_AGENT_TEST_POSTGRES_URL is set and reachable, does nothing.
# - Installs the `postgresql` package with apt-get when no PostgreSQL binaries are found
#   (needs root).
# - Creates a fresh cluster in a temporary directory (as the `postgres` user when run as
#   root: PostgreSQL refuses to run as root), listening on 127.0.0.1 on a free port with
#   trust authentication, and a database `msp_agent_test`.
# - Prints `export MSP_AGENT_TEST_POSTGRES_URL=...` (and MSP_AGENT_TEST_POSTGRES_DATA, the
#   cluster directory; stop it with `pg_ctl -D "$MSP_AGENT_TEST_POSTGRES_DATA/data" stop`).
#
# When PostgreSQL cannot be started, says why on stderr, prints no export and exits 0: the
# PostgreSQL tests then print `SKIPPED: ...` and pass.
set -u

DB=msp_agent_test

log() { echo "start_postgres: $*" >&2; }
give_up() {
    log "$*"
    log "PostgreSQL tests will be SKIPPED."
    exit 0
}

reachable() {
    if command -v psql >/dev/null 2>&1; then
        psql "$1" -qAtc 'SELECT 1' >/dev/null 2>&1
    elif command -v pg_isready >/dev/null 2>&1; then
        pg_isready -q -d "$1" >/dev/null 2>&1
    else
        return 1
    fi
}

if [ -n "${MSP_AGENT_TEST_POSTGRES_URL:-}" ]; then
    if reachable "$MSP_AGENT_TEST_POSTGRES_URL"; then
        log "MSP_AGENT_TEST_POSTGRES_URL is set and reachable: nothing to do."
        exit 0
    fi
    log "MSP_AGENT_TEST_POSTGRES_URL is set but not reachable: starting a local server."
fi

# The directory of initdb / pg_ctl / postgres (newest version installed).
find_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
        echo "$dir"
        return 0
    fi
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
        return 0
    fi
    return 1
}

BIN=$(find_bin)
if [ -z "$BIN" ]; then
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        give_up "no PostgreSQL binaries found, and cannot install them (need root and apt-get)."
    fi
    log "installing PostgreSQL with apt-get..."
    export DEBIAN_FRONTEND=noninteractive
    if ! { apt-get update -qq && apt-get install -y -qq postgresql; } >&2; then
        give_up "apt-get install postgresql failed."
    fi
    BIN=$(find_bin) || give_up "PostgreSQL installed but initdb/pg_ctl not found."
fi
log "using PostgreSQL binaries in $BIN"

# Run as a non-root user when root.
if [ "$(id -u)" -eq 0 ]; then
    if ! id postgres >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /bin/sh postgres >&2 ||
            give_up "cannot create the postgres user."
    fi
    if command -v runuser >/dev/null 2>&1; then
        as_pg() { runuser -u postgres -- "$@"; }
    else
        as_pg() {
            local cmd
            printf -v cmd '%q ' "$@"
            su -s /bin/sh postgres -c "$cmd"
        }
    fi
    OWNER=postgres
else
    as_pg() { "$@"; }
    OWNER=$(id -un)
fi

DATA=$(mktemp -d "${TMPDIR:-/tmp}/msp-agent-pg.XXXXXX") || give_up "cannot create a temp dir."
chmod 755 "$DATA"
chown "$OWNER" "$DATA" || give_up "cannot chown $DATA to $OWNER."

if ! as_pg "$BIN/initdb" -D "$DATA/data" -U postgres -A trust -E UTF8 --no-sync \
    >"$DATA/initdb.log" 2>&1; then
    cat "$DATA/initdb.log" >&2
    give_up "initdb failed."
fi

port_free() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

started=""
for _ in 1 2 3 4 5; do
    PORT=$((20000 + RANDOM % 20000))
    port_free "$PORT" || continue
    if as_pg "$BIN/pg_ctl" -D "$DATA/data" -l "$DATA/server.log" -w -t 30 \
        -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DATA -c fsync=off -c max_connections=200" \
        start >&2; then
        started=yes
        break
    fi
    log "pg_ctl start on port $PORT failed, retrying."
done
if [ -z "$started" ]; then
    [ -f "$DATA/server.log" ] && tail -n 20 "$DATA/server.log" >&2
    give_up "could not start PostgreSQL."
fi

URL="postgres://postgres@127.0.0.1:$PORT/$DB"
if command -v psql >/dev/null 2>&1; then
    psql "postgres://postgres@127.0.0.1:$PORT/postgres" -qAtc "CREATE DATABASE $DB" >&2 ||
        give_up "CREATE DATABASE $DB failed."
elif [ -x "$BIN/createdb" ]; then
    "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres "$DB" >&2 ||
        give_up "createdb $DB failed."
else
    give_up "neither psql nor createdb found to create the database."
fi

log "PostgreSQL running on 127.0.0.1:$PORT (data in $DATA)."
echo "export MSP_AGENT_TEST_POSTGRES_URL=$URL"
echo "export MSP_AGENT_TEST_POSTGRES_DATA=$DATA"
