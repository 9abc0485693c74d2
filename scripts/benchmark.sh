#!/usr/bin/env bash
# Shutdown time of the seed graph (api 3 s, database 2 s, cache 1 s to stop) against its lower bound:
# api, then database = 5 s. Prints, per run, the coordinator's own total and the time from SIGTERM to
# the coordinator's exit, and the overhead over the bound. Usage: scripts/benchmark.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
scripts/setup.sh -c release >/dev/null
quiesce=.build/release/quiesce
work=$(mktemp -d)
trap 'pkill -KILL -f "$work" 2>/dev/null || true; rm -rf "$work"' EXIT
printf 'lower bound: 5.000 s (api 3 s, then database 2 s)\n'
printf '%-4s %-18s %-18s %s\n' run "report total (s)" "SIGTERM->exit (s)" "overhead (ms)"
$quiesce keygen --fleet examples/seed.yaml --out "$work/keys" >/dev/null
for run in $(seq 1 "$runs"); do
    port=$((17000 + run))
    endpoint=tcp://127.0.0.1:$port
    sed "s|tcp://127.0.0.1:7700|$endpoint|" examples/seed.yaml > "$work/seed.yaml"
    $quiesce coordinator --config "$work/seed.yaml" --keys "$work/keys" --json >"$work/report.json" 2>"$work/progress.log" &
    coordinator=$!
    for service in "api 3" "database 2" "cache 1"; do
        set -- $service
        $quiesce agent --name "$1" --coordinator "$endpoint" --keys "$work/keys" \
            -- examples/slow-service.sh "$1" "$2" "$work/timeline" >/dev/null 2>&1 &
    done
    # With --json the report alone goes to stdout; progress and logs go to stderr.
    until grep -q "startup complete" "$work/progress.log" 2>/dev/null; do sleep 0.05; done
    sleep 0.5
    start=$(date +%s.%N)
    kill -TERM "$coordinator"
    wait "$coordinator" || true
    end=$(date +%s.%N)
    total=$(sed -n 's/.*"total_seconds" : \([0-9.]*\).*/\1/p' "$work/report.json")
    awk -v run="$run" -v total="$total" -v start="$start" -v end="$end" \
        'BEGIN { printf "%-4s %-18.3f %-18.3f %.0f\n", run, total, end - start, (end - start - 5) * 1000 }'
    wait
done

# Eager scheduling beside waves, measured in the same run: the seed graph in both modes against its
# 5 s bound, and an uneven graph of two chains (a1 4 s then a2 1 s; b1 1 s then b2 4 s to stop) in
# both modes against its critical path, 5 s: waves wait for the slowest of each wave (4 s + 4 s),
# eager only for each service's own dependents.
uneven_config() {
    cat <<YAML
coordinator: { bind: "tcp://127.0.0.1:7700", shutdown_timeout: 60s }
defaults: { stop_timeout: 10s, start_timeout: 30s }
services:
  a2: {}
  a1: { depends_on: [a2] }
  b2: {}
  b1: { depends_on: [b2] }
YAML
}

# measure_shutdown CONFIG SCHEDULING PORT NAME:SECONDS...: starts CONFIG's coordinator with
# --scheduling SCHEDULING and one agent per NAME whose stop takes SECONDS, sends SIGTERM once the
# startup is complete, and prints the report's total and the time from SIGTERM to the exit.
measure_shutdown() {
    local config=$1 scheduling=$2 port=$3
    shift 3
    local endpoint=tcp://127.0.0.1:$port dir=$work/$scheduling-$port
    mkdir -p "$dir"
    sed "s|tcp://127.0.0.1:7700|$endpoint|" "$config" > "$dir/fleet.yaml"
    $quiesce keygen --fleet "$dir/fleet.yaml" --out "$dir/keys" >/dev/null
    $quiesce coordinator --config "$dir/fleet.yaml" --keys "$dir/keys" --scheduling "$scheduling" --json \
        >"$dir/report.json" 2>"$dir/progress.log" &
    local coordinator=$! service
    for service in "$@"; do
        $quiesce agent --name "${service%%:*}" --coordinator "$endpoint" --keys "$dir/keys" \
            -- examples/slow-service.sh "${service%%:*}" "${service##*:}" "$dir/timeline" >/dev/null 2>&1 &
    done
    until grep -q "startup complete" "$dir/progress.log" 2>/dev/null; do sleep 0.05; done
    sleep 0.5
    local start end total
    start=$(date +%s.%N)
    kill -TERM "$coordinator"
    wait "$coordinator" || true
    end=$(date +%s.%N)
    total=$(sed -n 's/.*"total_seconds" : \([0-9.]*\).*/\1/p' "$dir/report.json")
    wait
    awk -v total="$total" -v start="$start" -v end="$end" 'BEGIN { printf "%.3f %.3f\n", total, end - start }'
}

scheduling_benchmark() {
    uneven_config > "$work/uneven.yaml"
    local seed=(api:3 database:2 cache:1) uneven=(a1:4 a2:1 b1:1 b2:4)
    printf '\nscheduling: waves and eager, in the same run (report total / SIGTERM->exit, in s)\n'
    printf 'seed graph: bound 5.000 s in both modes; uneven graph: critical path 5.000 s, waves 8.000 s at best\n'
    printf '%-4s %-15s %-15s %-15s %-15s %s\n' run "seed waves" "seed eager" "uneven waves" "uneven eager" \
        "uneven eager / critical path (target <= 1.01)"
    local run sw se uw ue
    for run in $(seq 1 "$runs"); do
        sw=$(measure_shutdown examples/seed.yaml waves $((17200 + 4 * run)) "${seed[@]}")
        se=$(measure_shutdown examples/seed.yaml eager $((17201 + 4 * run)) "${seed[@]}")
        uw=$(measure_shutdown "$work/uneven.yaml" waves $((17202 + 4 * run)) "${uneven[@]}")
        ue=$(measure_shutdown "$work/uneven.yaml" eager $((17203 + 4 * run)) "${uneven[@]}")
        awk -v run="$run" -v sw="$sw" -v se="$se" -v uw="$uw" -v ue="$ue" 'BEGIN {
            split(sw, a, " "); split(se, b, " "); split(uw, c, " "); split(ue, d, " ")
            printf "%-4s %-15s %-15s %-15s %-15s %.4f / %.4f\n", run, a[1] " / " a[2], b[1] " / " b[2],
                c[1] " / " c[2], d[1] " / " d[2], d[1] / 5, d[2] / 5 }'
    done
}

scheduling_benchmark
