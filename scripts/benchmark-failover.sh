#!/usr/bin/env bash
# The failover time of standby coordinators: two coordinators of a three-wave fleet (web -> api ->
# database) elect their leader in a real etcd on loopback; the leader is SIGKILLed during wave 2 of a
# shutdown (once api's stop has begun), and the figure is the time from its death to the standby's
# first order, seen as the next service's stop beginning (database, released once the standby has
# learnt api's outcome). Prints min/median/max over RUNS (default 5) next to the target,
# lease_ttl + 1 s, and the load average.
#
#   scripts/benchmark-failover.sh [RUNS] [LEASE_TTL_SECONDS]
#
# Needs: a built quiesce (QUIESCE=path, default .build/debug/quiesce), etcd and etcdctl.
set -euo pipefail
runs=${1:-5}
ttl=${2:-3}
quiesce=${QUIESCE:-.build/debug/quiesce}
[[ -x "$quiesce" ]] || { echo "no $quiesce: swift build first, or set QUIESCE" >&2; exit 1; }
if ! command -v etcd >/dev/null || ! command -v etcdctl >/dev/null; then
    echo "needs etcd and etcdctl: apt-get install -y etcd-server etcd-client" >&2
    exit 1
fi
work=$(mktemp -d /tmp/quiesce-failover-XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Waits (bounded: $3 seconds) until file $2 holds $1.
wait_for() {
    local deadline=$((SECONDS + $3))
    until grep -q "$1" "$2" 2>/dev/null; do
        ((SECONDS < deadline)) || { echo "timed out waiting for \"$1\" in $2" >&2; tail -5 "$2" >&2; return 1; }
        sleep 0.02
    done
}

cat >"$work/service.sh" <<'SCRIPT'
name=$1; delay=$2; log=$3
record() { echo "$(date +%s.%N) $name $1" >> "$log"; }
trap 'record stop-begin; sleep "$delay"; record stop-end; exit 0' TERM
record started
while true; do sleep 0.02; done
SCRIPT

client=$(port) peer=$(port)
etcd --data-dir "$work/etcd" --listen-client-urls "http://127.0.0.1:$client" \
    --advertise-client-urls "http://127.0.0.1:$client" --listen-peer-urls "http://127.0.0.1:$peer" \
    --initial-advertise-peer-urls "http://127.0.0.1:$peer" --initial-cluster "default=http://127.0.0.1:$peer" \
    >"$work/etcd.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 300); do
    ETCDCTL_API=3 etcdctl --endpoints "http://127.0.0.1:$client" endpoint health >/dev/null 2>&1 && break
    sleep 0.2
done

figures=()
for run in $(seq 1 "$runs"); do
    dir="$work/run-$run"
    mkdir -p "$dir"
    a="tcp://127.0.0.1:$(port)" b="tcp://127.0.0.1:$(port)"
    cat >"$dir/fleet.yaml" <<YAML
coordinator:
  heartbeat_interval: 200ms
  agent_lost_after: 10s
  ha: { etcd: [http://127.0.0.1:$client], key: /quiesce/failover-$run, lease_ttl: ${ttl}s }
defaults: { stop_timeout: 20s }
services:
  database: {}
  api: { depends_on: [database] }
  web: { depends_on: [api] }
YAML
    "$quiesce" coordinator --config "$dir/fleet.yaml" --bind "$a" --insecure --json \
        >"$dir/a.out" 2>"$dir/a.err" &
    leader=$!
    pids+=("$leader")
    wait_for "Leading the fleet" "$dir/a.err" 60
    "$quiesce" coordinator --config "$dir/fleet.yaml" --bind "$b" --insecure --json \
        >"$dir/b.out" 2>"$dir/b.err" &
    standby=$!
    pids+=("$standby")
    wait_for "standing by" "$dir/b.err" 60
    for service in database:0.2 api:1.5 web:0.2; do
        name=${service%%:*}
        "$quiesce" agent --name "$name" --coordinator "$a,$b" --insecure -- \
            /bin/sh "$work/service.sh" "$name" "${service##*:}" "$dir/timeline.log" >"$dir/$name.out" 2>&1 &
        pids+=($!)
    done
    for name in database api web; do wait_for "$name started" "$dir/timeline.log" 60; done
    kill -TERM "$leader"
    wait_for "api stop-begin" "$dir/timeline.log" 60
    kill -KILL "$leader"
    died=$(date +%s.%N)
    wait "$leader" 2>/dev/null || true
    wait_for "database stop-begin" "$dir/timeline.log" 120
    first=$(awk '$2 == "database" && $3 == "stop-begin" { print $1; exit }' "$dir/timeline.log")
    figures+=("$(awk -v a="$died" -v b="$first" 'BEGIN { printf "%.2f", b - a }')")
    wait "$standby" || true
done

printf 'failover (leader SIGKILLed in wave 2 to the standby'"'"'s first order), lease_ttl %ss, %s runs, load %s\n' \
    "$ttl" "$runs" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '  min / median / max: %s s (target: lease_ttl + 1 s = %s s)\n' \
    "$(printf '%s\n' "${figures[@]}" | sort -n | awk '{ v[NR] = $1 } END {
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%.2f / %.2f / %.2f", v[1], m, v[NR] }')" "$((ttl + 1))"
