#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL server on 127.0.0.1.
#
#   scripts/with-postgres.sh CMD [ARG...]
#
# Starts a fresh cluster in a temporary directory (trust auth, small
# max_connections), creates the database leaklint_test, exports
#   LEAKLINT_TEST_DSN=postgresql://postgres@127.0.0.1:PORT/leaklint_test
# runs CMD, then stops that server and removes the directory. The exit
# status is CMD's. PostgreSQL is installed from Debian packages if missing.
set -euo pipefail

if [ "$#" -eq 0 ]; then
    echo "usage: $0 CMD [ARG...]" >&2
    exit 2
fi

PYTHON=${PYTHON:-python3}
say() { echo "with-postgres: $*" >&2; }

find_bindir() {
    local d
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(readlink -f "$(command -v pg_ctl)")"
        return 0
    fi
    # Debian keeps the server programs off PATH.
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
            echo "$d"
            return 0
        fi
    done
    return 1
}

install_postgres() {
    if [ "$(id -u)" -ne 0 ]; then
        say "initdb/pg_ctl not found; install PostgreSQL (apt-get install postgresql) or put them on PATH"
        exit 2
    fi
    local log
    log=$(mktemp)
    export DEBIAN_FRONTEND=noninteractive
    # postgresql-common first, so that the server package does not create
    # and start a 'main' cluster of its own on port 5432.
    if ! { apt-get update -qq &&
           apt-get install -y -qq postgresql-common &&
           sed -ri 's/^#?[[:space:]]*create_main_cluster[[:space:]]*=.*/create_main_cluster = false/' \
               /etc/postgresql-common/createcluster.conf &&
           apt-get install -y -qq postgresql; } >"$log" 2>&1; then
        cat "$log" >&2
        say "could not install postgresql"
        exit 2
    fi
    rm -f "$log"
}

free_port() {
    "$PYTHON" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

if ! bindir=$(find_bindir); then
    install_postgres
    bindir=$(find_bindir) || { say "no initdb/pg_ctl after installing postgresql"; exit 2; }
fi

# The server refuses to run as root: run it as the postgres system user.
if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 ||
        useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin postgres
    tmp=$(mktemp -d /tmp/leaklint-pg.XXXXXX)
    chown postgres: "$tmp"
    as_pg() { (cd "$tmp" && runuser -u postgres -- "$@"); }
else
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/leaklint-pg.XXXXXX")
    as_pg() { (cd "$tmp" && "$@"); }
fi
data="$tmp/data"

cleanup() {
    local status=$?
    # postmaster.pid exists while the server this script started runs.
    if [ -f "$data/postmaster.pid" ]; then
        if ! as_pg "$bindir/pg_ctl" -D "$data" -m fast -w -t 20 stop >/dev/null 2>&1; then
            kill -9 "$(head -n1 "$data/postmaster.pid")" 2>/dev/null || true
        fi
    fi
    rm -rf "$tmp"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if ! as_pg "$bindir/initdb" -D "$data" -U postgres -A trust -E UTF8 --no-locale --no-sync \
        >"$tmp/initdb.log" 2>&1; then
    cat "$tmp/initdb.log" >&2
    say "initdb failed"
    exit 2
fi

# The port is only known to be free when picked: retry if another process wins it.
for attempt in 1 2 3 4 5; do
    port=$(free_port)
    if as_pg "$bindir/pg_ctl" -D "$data" -l "$tmp/server.log" -w -t 60 -s \
            -o "-c listen_addresses=127.0.0.1 -p $port -k $tmp -c max_connections=20 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
            start >/dev/null 2>&1; then
        break
    fi
    if [ "$attempt" -eq 5 ] || ! grep -q "could not bind" "$tmp/server.log" 2>/dev/null; then
        cat "$tmp/server.log" >&2 2>/dev/null || true
        say "the server did not start"
        exit 2
    fi
done

if ! as_pg "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres leaklint_test >"$tmp/createdb.log" 2>&1; then
    cat "$tmp/createdb.log" >&2
    say "createdb failed"
    exit 2
fi

export LEAKLINT_TEST_DSN="postgresql://postgres@127.0.0.1:$port/leaklint_test"
say "PostgreSQL $("$bindir/pg_ctl" --version | awk '{print $3}') on 127.0.0.1:$port ($data)"

set +e
"$@"
status=$?
set -e
exit "$status"
