# Project-local PostgreSQL and Redis under .var/, for `make run` and `make test`.
# Source this file, then call start_services; stop_services stops only what
# start_services started, so a second `make run` or a running test reuses them.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VAR="$ROOT/.var"
PGPORT=${PGPORT:-54329}
REDIS_PORT=${REDIS_PORT:-63790}
STARTED_PG=0
STARTED_REDIS=0

log() { printf '==> %s\n' "$*" >&2; }

install_missing_packages() {
    local wanted=()
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || wanted+=(postgresql)
    command -v redis-server >/dev/null 2>&1 || wanted+=(redis-server)
    if [ "${WITH_BROWSER:-0}" = 1 ] && [ ! -x /usr/bin/chromium ]; then
        wanted+=(chromium)
    fi
    [ ${#wanted[@]} -eq 0 ] && return 0
    if [ "$(id -u)" != 0 ]; then
        log "Missing system packages: ${wanted[*]}. Install them (apt-get install ${wanted[*]}) and run again."
        return 1
    fi
    log "Installing ${wanted[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${wanted[@]}" >/dev/null
}

pg_bin() {
    ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1
}

# PostgreSQL refuses to run as root, so root runs it as the postgres user.
as_pg() {
    if [ "$(id -u)" = 0 ]; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

# Root runs PostgreSQL as the postgres user, who may not be able to reach a
# checkout under a private directory such as /root. Then the cluster lives in
# postgres's home instead, and .var/pg links to it.
place_pg_dir() {
    [ "$(id -u)" = 0 ] || { mkdir -p "$VAR/pg"; return 0; }
    mkdir -p "$VAR"
    if [ ! -e "$VAR/pg" ]; then
        mkdir -p "$VAR/pg"
        chown postgres:postgres "$VAR/pg"
        if ! as_pg test -w "$VAR/pg"; then
            rmdir "$VAR/pg"
            local home
            home="$(getent passwd postgres | cut -d: -f6)/techjobs-$(printf '%s' "$ROOT" | md5sum | cut -c1-12)"
            mkdir -p "$home"
            ln -s "$home" "$VAR/pg"
        fi
    fi
    chown -R postgres:postgres "$(readlink -f "$VAR/pg")"
}

start_postgres() {
    local bin data
    bin=$(pg_bin)
    place_pg_dir
    data="$(readlink -f "$VAR/pg")/data"
    mkdir -p "$VAR/pg/run"
    [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$(readlink -f "$VAR/pg")"

    if [ ! -f "$data/PG_VERSION" ]; then
        log "Creating the PostgreSQL cluster in $data"
        as_pg "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
    fi
    if ! as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        log "Starting PostgreSQL on 127.0.0.1:$PGPORT"
        # fsync is off because this cluster contains demo and test data only.
        as_pg "$bin/pg_ctl" -D "$data" -l "$data/../postgres.log" -w -t 60 start \
            -o "-p $PGPORT -k $(readlink -f "$VAR/pg")/run -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null
        STARTED_PG=1
    fi
    if ! "$bin/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = 'techjobs'" | grep -q 1; then
        "$bin/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres techjobs
    fi
}

start_redis() {
    mkdir -p "$VAR/redis"
    if redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
        return 0
    fi
    log "Starting Redis on 127.0.0.1:$REDIS_PORT"
    # The append-only file keeps queued tasks across a restart of `make run`.
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$VAR/redis" \
        --daemonize yes --pidfile "$VAR/redis/redis.pid" --logfile "$VAR/redis/redis.log" \
        --save "" --appendonly yes --appendfsync everysec
    for _ in $(seq 50); do
        redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
        sleep 0.1
    done
    STARTED_REDIS=1
}

start_services() {
    install_missing_packages
    start_postgres
    start_redis
    export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:$PGPORT/techjobs}
    export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:$REDIS_PORT/0}
}

stop_services() {
    if [ "$STARTED_REDIS" = 1 ]; then
        redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || true
    fi
    if [ "$STARTED_PG" = 1 ]; then
        as_pg "$(pg_bin)/pg_ctl" -D "$(readlink -f "$VAR/pg")/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
}
