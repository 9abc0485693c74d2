#!/bin/sh
# The postgres stand-in's entrypoint: what the official image's does for `postgres [ARGS]`.
# - As root: makes $PGDATA the postgres user's (mode 0700) and runs itself again as that user.
# - When $PGDATA is empty: initdb with the superuser postgres and POSTGRES_PASSWORD (required),
#   connections from other hosts with a password (scram-sha-256), and the database POSTGRES_DB.
# - Then execs the server, so that it receives the container's (or the agent's) stop signal.
# Any other command runs as it is.
set -eu
if [ "${1#-}" != "${1:-}" ]; then
    set -- postgres "$@"
fi
if [ "${1:-}" != postgres ]; then
    exec "$@"
fi
if [ "$(id -u)" = 0 ]; then
    install -d -o postgres -g postgres -m 0700 "$PGDATA"
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    if [ -z "${POSTGRES_PASSWORD:-}" ]; then
        echo "docker-entrypoint.sh: the database is not initialized and POSTGRES_PASSWORD is not set" >&2
        exit 1
    fi
    password_file=$(mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" >"$password_file"
    initdb --username=postgres --pwfile="$password_file" --auth-local=trust --auth-host=scram-sha-256 \
        --pgdata="$PGDATA" >/dev/null
    rm -f "$password_file"
    echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
    echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
    database=${POSTGRES_DB:-postgres}
    if [ "$database" != postgres ]; then
        pg_ctl --pgdata="$PGDATA" --options="-c listen_addresses=''" --wait --silent start
        psql --quiet --username=postgres --dbname=postgres --set=ON_ERROR_STOP=1 \
            --command="CREATE DATABASE \"$database\""
        pg_ctl --pgdata="$PGDATA" --mode=fast --wait --silent stop
    fi
    echo "docker-entrypoint.sh: PostgreSQL init process complete; ready for start up"
fi
exec "$@"
