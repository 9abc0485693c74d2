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

# The agent's own figures: its size and idle memory beside tini's and a bare Swift+libzmq program's,
# and 1,000 real agents' stop (scripts/benchmark-agent.sh).
source scripts/benchmark-agent.sh
agent_size_benchmark "$runs" "$work"
thousand_agents_benchmark 3 "$work"
