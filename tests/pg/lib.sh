# tests/pg/lib.sh - a throwaway PostgreSQL for the tests of the postgres://
# store: initdb and pg_ctl into a fresh temporary folder, run as an
# unprivileged user (PostgreSQL refuses root: as root, the folder is given
# to `nobody` and the server runs under setpriv), listening only on a Unix
# socket in that folder. Stopped, and the folder removed, when the script
# exits, whatever happened. Not a test itself; sourced by tests/pg/*.sh.
#
#   pg_start            # sets PG_DIR, PG_URI (postgresql://nereid@/nereid?host=...)
#   pg_newdb NAME       # an empty database: prints its URI
#   pg_restart          # stop and start the same cluster (a database restart)
#   pg_stop_now         # stop it (immediate), e.g. to see requests fail

pg_bin=""
for d in /usr/lib/postgresql/*/bin; do
        [ -x "$d/initdb" ] && pg_bin=$d
done

pg_skip_without() {
        if [ -z "$pg_bin" ]; then
                echo "SKIP: no PostgreSQL binaries (/usr/lib/postgresql/*/bin/initdb): install Debian's postgresql package"
                exit 77
        fi
}

# Run a PostgreSQL server-side command as the cluster's owner (from /:
# the owner may not enter the caller's folder).
pg_as_owner() {
        if [ "$(id -u)" = 0 ]; then
                (cd / && setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups -- "$@")
        else
                "$@"
        fi
}

pg_cleanup() {
        if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ]; then
                pg_as_owner "$pg_bin/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
        fi
        [ -n "${PG_DIR:-}" ] && rm -rf "$PG_DIR"
}

pg_start() {
        pg_skip_without
        PG_DIR=$(mktemp -d /tmp/nrdpg.XXXXXX)
        [ -n "${PG_NO_TRAP:-}" ] || trap pg_cleanup EXIT
        if [ "$(id -u)" = 0 ]; then
                chown nobody "$PG_DIR"
        fi
        chmod 700 "$PG_DIR"
        if ! pg_as_owner "$pg_bin/initdb" -D "$PG_DIR/data" -U nereid --auth=trust -E SQL_ASCII \
                --locale=C >"$PG_DIR/initdb.log" 2>&1; then
                cat "$PG_DIR/initdb.log" >&2
                echo "FAIL: initdb" >&2
                exit 1
        fi
        pg_launch
        PG_URI="postgresql://nereid@/nereid?host=$PG_DIR"
        pg_newdb nereid >/dev/null
        export PG_DIR PG_URI
}

# Start the cluster of PG_DIR (after pg_start made it).
pg_launch() {
        if ! pg_as_owner "$pg_bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
                -o "-k $PG_DIR -c listen_addresses= -c max_connections=200 -c fsync=off" \
                start >/dev/null; then
                cat "$PG_DIR/server.log" >&2
                echo "FAIL: pg_ctl start" >&2
                exit 1
        fi
}

pg_newdb() {
        "$pg_bin/createdb" -h "$PG_DIR" -U nereid -E SQL_ASCII -l C -T template0 "$1" && echo "postgresql://nereid@/$1?host=$PG_DIR"
}

pg_stop_now() {
        pg_as_owner "$pg_bin/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null
}

pg_restart() {
        pg_stop_now
        pg_launch
}

pg_psql() {
        "$pg_bin/psql" -X -q -A -t -h "$PG_DIR" -U nereid "$@"
}
