#!/bin/sh
# The classic demo's worker: every WORK_INTERVAL seconds it takes a work item from the API and records
# it in Redis. On SIGTERM it stops taking items, saves a checkpoint to Redis and exits 0, so a stop in
# the wrong order (Redis or the API gone first) shows as "error" lines in its log. The agent signals
# the worker's whole process group, so a call in flight then ends with the signal: that item is logged
# "interrupted", never as an error of the API or Redis.
#
# Logs one line per event on stdout: <timestamp> <service> <event> [details].
#
# Environment: SERVICE_NAME (worker), API_URL (http://api/work), REDIS_HOST (redis),
# REDIS_PORT (6379), WORK_INTERVAL (2, seconds), CHECKPOINT_SECONDS (1, the time the checkpoint takes).
# Needs curl and redis-cli.
name=${SERVICE_NAME:-worker}
api=${API_URL:-http://api/work}
redis_host=${REDIS_HOST:-redis}
redis_port=${REDIS_PORT:-6379}
interval=${WORK_INTERVAL:-2}
checkpoint=${CHECKPOINT_SECONDS:-1}

log() { echo "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ) $name $*"; }
redis() { redis-cli --raw -h "$redis_host" -p "$redis_port" "$@" 2>/dev/null; }

processed=0
errors=0
running=1
trap 'running=0' TERM INT

# A call that failed because SIGTERM ended it (the trap has run by now): not an error of the server.
interrupted() {
    [ "$running" = 1 ] && return 1
    log interrupted "$1"
}

# One work item: fetch it from the API, count it and keep the last 100 in Redis.
work() {
    if ! item=$(curl -fsS --max-time 2 "$api" 2>/dev/null); then
        interrupted "api call" && return
        errors=$((errors + 1))
        log error "api unreachable ($api)"
        return
    fi
    if ! total=$(redis INCR demo:processed) || ! redis LPUSH demo:items "$item" >/dev/null \
        || ! redis LTRIM demo:items 0 99 >/dev/null; then
        interrupted "redis call" && return
        errors=$((errors + 1))
        log error "redis unreachable ($redis_host:$redis_port)"
        return
    fi
    processed=$((processed + 1))
    log processed "item=$item total=$total"
}

log started "api=$api redis=$redis_host:$redis_port"
while [ "$running" = 1 ]; do
    work
    [ "$running" = 1 ] || break
    # Sleep in the background so that SIGTERM ends the wait at once.
    sleep "$interval" &
    wait $! 2>/dev/null
done
kill $! 2>/dev/null

log stop-begin "processed=$processed errors=$errors"
sleep "$checkpoint"
if redis SET demo:checkpoint "$name stopped after $processed items at $(date -u +%Y-%m-%dT%H:%M:%SZ)" >/dev/null; then
    log checkpoint-saved "processed=$processed"
else
    errors=$((errors + 1))
    log error "redis unreachable ($redis_host:$redis_port): checkpoint lost"
fi
log stopped "processed=$processed errors=$errors"
exit 0
