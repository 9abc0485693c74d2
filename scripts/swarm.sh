#!/usr/bin/env bash
# The coordinator against a swarm of simulated agents, then the same swarm against a bare router (the
# floor), in one run. The fleet is generated: AGENTS agents in WAVES layers (default 10), each layer
# three services of many instances, each service depending on the three of the layer before. Prints
# the time for every agent to register, each wave's time from its first order to the handling of its
# last answer (p50 and p99 over the waves), the coordinator's CPU seconds and peak RSS, the floor's
# figures, and last one JSON object. HEARTBEAT is the fleet's heartbeat interval in seconds (default 1).
# Usage: scripts/swarm.sh AGENTS [WAVES [HEARTBEAT]]
set -euo pipefail
cd "$(dirname "$0")/.."
agents=${1:?usage: scripts/swarm.sh AGENTS [WAVES [HEARTBEAT]]}
waves=${2:-10}
heartbeat=${3:-1}
scripts/setup.sh -c release >/dev/null
quiesce=.build/release/quiesce
swarm=.build/release/quiesce-swarm
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

# Each simulated agent holds two descriptors (its connection and its socket's mailbox): one swarm
# process holds (hard limit - 64) / 2 agents, and the fleet is split in shards beyond that.
hard=$(ulimit -Hn)
[[ $hard == unlimited ]] && hard=1048576
per_process=$(((hard - 64) / 2))
shards=$(((agents + per_process - 1) / per_process))
ticks=$(getconf CLK_TCK)
printf 'machine: %s cores, %s, load %s; %s agents in %s waves, heartbeat %s s, %s swarm process(es), plain TCP on loopback\n' \
    "$(nproc)" "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" "$(cut -d' ' -f1 /proc/loadavg)" \
    "$agents" "$waves" "$heartbeat" "$shards"

# Starts every shard of the swarm against $1, each writing its record to $work/$2-SHARD.json.
start_swarm() {
    local shard
    for ((shard = 0; shard < shards; shard++)); do
        $swarm agents --agents "$agents" --waves "$waves" --coordinator "$1" --insecure \
            --shard "$shard/$shards" --record "$work/$2-$shard.json" >"$work/$2-$shard.out" 2>&1 &
        pids+=($!)
        swarm_pids+=($!)
    done
}

# Reads a server's CPU ticks (user + system) and peak RSS (kB) while it lives.
cpu_ticks=0
peak_kb=0
sample() {
    local stat fields hwm
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
    read -r -a fields <<<"${stat##*) }"
    cpu_ticks=$((fields[11] + fields[12]))
    hwm=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status" 2>/dev/null)
    peak_kb=${hwm:-$peak_kb}
}

# Waits (bounded) until $1 prints $2 in $3, sampling process $1 meanwhile.
wait_for() {
    local deadline=$((SECONDS + 600))
    until grep -q "$2" "$3" 2>/dev/null; do
        kill -0 "$1" 2>/dev/null || { echo "process $1 ended before \"$2\"" >&2; tail -c 2000 "$3" >&2; exit 1; }
        ((SECONDS < deadline)) || { echo "timed out waiting for \"$2\"" >&2; exit 1; }
        sample "$1"
        sleep 0.05
    done
}

port=$((20000 + RANDOM % 20000))
$swarm config --agents "$agents" --waves "$waves" --heartbeat-interval "$heartbeat" --bind "tcp://127.0.0.1:$port" \
    >"$work/fleet.yaml"
$quiesce coordinator --config "$work/fleet.yaml" --insecure >"$work/coordinator.out" 2>"$work/coordinator.err" &
coordinator=$!
pids+=("$coordinator")
wait_for "$coordinator" "Coordinator listening" "$work/coordinator.err"
swarm_pids=()
start_swarm "tcp://127.0.0.1:$port" coordinator
wait_for "$coordinator" "startup complete" "$work/coordinator.out"
# A second of the fleet running: heartbeats both ways.
for _ in $(seq 20); do
    sample "$coordinator"
    sleep 0.05
done
kill -TERM "$coordinator"
while kill -0 "$coordinator" 2>/dev/null; do
    sample "$coordinator"
    sleep 0.02
done
status=0
wait "$coordinator" || status=$?
for pid in "${swarm_pids[@]}"; do wait "$pid" || true; done
echo "coordinator: exit code $status; $(grep -c . "$work/coordinator.err") log lines"
coordinator_seconds=$(awk -v t="$cpu_ticks" -v hz="$ticks" 'BEGIN { print t / hz }')
coordinator_kb=$peak_kb
# The coordinator's figures at once, whatever becomes of the floor's run.
$swarm summarize "$work"/coordinator-*.json --coordinator-cpu-seconds "$coordinator_seconds" \
    --coordinator-peak-rss-kb "$coordinator_kb" | sed 's/^/  /' || true

floor_port=$((port + 1))
$swarm floor --agents "$agents" --waves "$waves" --heartbeat-interval "$heartbeat" --bind "tcp://127.0.0.1:$floor_port" >"$work/floor.out" 2>&1 &
floor=$!
pids+=("$floor")
sleep 0.2
swarm_pids=()
start_swarm "tcp://127.0.0.1:$floor_port" floor
peak_kb=0
while kill -0 "$floor" 2>/dev/null; do
    sample "$floor"
    sleep 0.05
done
wait "$floor" || echo "floor: $(cat "$work/floor.out")"
for pid in "${swarm_pids[@]}"; do wait "$pid" || true; done
echo "floor: peak RSS $((peak_kb / 1024)) MB"

floor_records=()
for record in "$work"/floor-*.json; do floor_records+=(--floor "$record"); done
$swarm summarize "$work"/coordinator-*.json "${floor_records[@]}" \
    --coordinator-cpu-seconds "$coordinator_seconds" --coordinator-peak-rss-kb "$coordinator_kb" \
    --floor-peak-rss-kb "$peak_kb"
