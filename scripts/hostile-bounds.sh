#!/usr/bin/env bash
# Measures the coordinator's bounds against a hostile peer, the figures of docs/security.md:
#   1. connections held at a descriptor limit: a plain coordinator run under `prlimit --nofile=N:N`
#      faces CONNECTIONS peers that complete the handshake and stay idle (for less than the 10 s after
#      which idle ones are dropped); it prints how many it held and its most descriptors open;
#   2. the rate of a flood of malformed messages (FLOODERS connections, rates doubling from 10,000 a
#      second) at which a `quiesce status` query on the same socket first takes more than 1 s, or the
#      highest rate the senders reached when none did (then a lower bound).
# Everything runs on loopback and stops by itself (about two minutes at most). It prints figures and
# asserts nothing.
#
#   scripts/hostile-bounds.sh                       # after swift build
#   LIMIT=1024 CONNECTIONS=1500 scripts/hostile-bounds.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
quiesce=${QUIESCE:-$root/.build/debug/quiesce}
peer=$root/Tests/QuiesceIntegrationTests/hostile_peer.py
limit=${LIMIT:-256}
connections=${CONNECTIONS:-600}
flooders=${FLOODERS:-4}
[ -x "$quiesce" ] || { echo "no $quiesce: run swift build first (or set QUIESCE)" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
endpoint=tcp://127.0.0.1:$port
mkdir -m 700 "$work/run"
cat >"$work/fleet.yaml" <<EOF
coordinator: { admin_bind: "ipc://$work/run/admin.sock", heartbeat_interval: 500ms, agent_suspect_after: 5s, agent_lost_after: 10s }
defaults: { stop_timeout: 5s }
services:
  database: {}
  api: { depends_on: [database] }
EOF

prlimit --nofile="$limit:$limit" -- "$quiesce" coordinator --config "$work/fleet.yaml" --bind "$endpoint" \
    --insecure >"$work/coordinator.out" 2>"$work/coordinator.err" &
coordinator=$!
pids+=("$coordinator")
for service in database api; do
    "$quiesce" agent --name "$service" --coordinator "$endpoint" --insecure -- sleep 600 \
        >"$work/$service.out" 2>"$work/$service.err" &
    pids+=("$!")
done
seconds() { python3 -c 'import time; print(time.monotonic())'; }
status() { "$quiesce" status --coordinator "$1" --insecure --timeout 10s "${@:2}"; }
for _ in $(seq 100); do
    [ "$(status "$endpoint" 2>/dev/null | grep -c ' ready ')" = 2 ] && break
    sleep 0.2
done
cap=$(grep -o 'connection_limit=[0-9]*' "$work/coordinator.err" | head -1 | cut -d= -f2)

# 1. Connections held.
descriptors() { find "/proc/$coordinator/fd" -mindepth 1 2>/dev/null | wc -l; }
before=$(descriptors)
python3 "$peer" hold 127.0.0.1 "$port" "$connections" 8 greet >"$work/hold.json" &
holder=$!
pids+=("$holder")
most=0
while kill -0 "$holder" 2>/dev/null; do
    open=$(descriptors)
    [ "$open" -gt "$most" ] && most=$open
    sleep 0.2
done
field() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$@"; }
# The peers count as connected those the kernel completed but the listener never accepted: the
# coordinator's own descriptors are the figure.
echo "connections: descriptor limit $limit, cap $cap; $connections idle peers: the coordinator held" \
    "$((most - before)) at most ($before descriptors open before, $most at most);" \
    "$(field "$work/hold.json" closed_by_peer) closed by it; the peers saw $(field "$work/hold.json" held) connected;" \
    "coordinator running: $(kill -0 "$coordinator" 2>/dev/null && echo yes || echo no)"

# 2. Flood rate at which status passes 1 s.
malformed() {
    status "$endpoint" --json 2>/dev/null |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["rejections"]["malformed_messages"])'
}
idle=0
for _ in 1 2 3; do
    start=$(seconds)
    status "$endpoint" >/dev/null 2>&1 || true
    idle=$(python3 -c "print(max($idle, $(seconds) - $start))")
done
printf 'status without a flood: slowest of 3 queries %.2f s (the command starting, connecting, and the answer)\n' "$idle"
for rate in 10000 20000 40000 80000 160000 320000 640000; do
    before=$(malformed)
    floods=()
    for _ in $(seq "$flooders"); do
        python3 "$peer" flood 127.0.0.1 "$port" 6 $((rate / flooders)) '{not json' >>"$work/flood-$rate.json" &
        floods+=("$!")
        pids+=("$!")
    done
    sleep 1.5
    slowest=0
    for _ in 1 2 3; do
        start=$(seconds)
        status "$endpoint" >/dev/null 2>&1 || true
        slowest=$(python3 -c "print(max($slowest, $(seconds) - $start))")
    done
    wait "${floods[@]}" 2>/dev/null || true
    reached=$(python3 -c 'import json, sys; print(int(sum(json.loads(l)["sent"] for l in open(sys.argv[1])) / 6))' \
        "$work/flood-$rate.json")
    handled=$((($(malformed) - before) / 6))
    printf 'flood: %d a second asked, %d sent, %d handled; slowest of 3 status queries %.2f s\n' \
        "$rate" "$reached" "$handled" "$slowest"
    if python3 -c "import sys; sys.exit(0 if $slowest > 1.0 else 1)"; then
        echo "status passed 1 s at $handled malformed messages handled a second"
        break
    fi
    if [ "$reached" -lt $((rate * 3 / 4)) ]; then
        echo "the senders reached no more than $reached a second: status stayed under 1 s up to there (a lower bound)"
        break
    fi
done
kill -TERM "$coordinator"
wait "$coordinator" || true
echo "malformed messages counted: $(grep -c 'malformed' "$work/coordinator.err") log lines about them"
