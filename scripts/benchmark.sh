#!/usr/bin/env bash
# The seed graph (examples/seed.yaml) against its bounds, each figure printed next to its target:
# - seed_lifecycle: its startup (database 1 s, cache 0.5 s, api 1 s to become ready) against the 2.0 s
#   optimum, from the first start order to api's readiness as the coordinator saw it; then its
#   shutdown (api 3 s, database 2 s, cache 1 s to stop), SIGTERM to the coordinator's exit, against the
#   5.00 s bound (api, then database);
# - instant_startup: "startup complete" of the seed graph's services when they are ready at once,
#   after the last agent's registration and after the last agent's launch;
# - scheduling_benchmark: the seed graph and an uneven graph of two chains, in waves and in eager
#   scheduling, eager's total against the uneven graph's critical path;
# - agent_size_benchmark and thousand_agents_benchmark (scripts/benchmark-agent.sh): the agent's
#   stripped size and idle memory beside tini's and a bare Swift+libzmq program's, and the stop of
#   1,000 real agents.
# - swarm_benchmark (scripts/swarm.sh): the coordinator against 100 and 1,000 simulated agents, and
#   10,000 with --swarm-10000, beside the bare-router floor measured in the same run;
# - compose_benchmark (scripts/compose-demo.sh benchmark), with --compose only, since it needs a Docker
#   engine: the tiers demo's shutdown by Quiesce against `compose stop` of the same demo without it.
# Each runs RUNS times (default 5); a summary gives min/median/max, next to its target.
# Usage: scripts/benchmark.sh [RUNS] [--only SECTION]... [--swarm-10000] [--compose]
#   SECTION: seed, instant, scheduling, agent-size, thousand-agents, swarm, compose (default: all but
#   compose; --compose adds it). Each section alone is one figure's command, for example
#   `scripts/benchmark.sh 3 --only swarm --swarm-10000`.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=5
sections=()
swarm_sizes=(100 1000)
with_compose=0
while (($#)); do
    case $1 in
    --only) sections+=("${2:?--only needs a section}") && shift ;;
    --swarm-10000) swarm_sizes+=(10000) ;;
    --compose) with_compose=1 ;;
    [0-9]*) runs=$1 ;;
    *) echo "usage: scripts/benchmark.sh [RUNS] [--only SECTION]... [--swarm-10000] [--compose]" >&2 && exit 2 ;;
    esac
    shift
done
if ((${#sections[@]} == 0)); then
    sections=(seed instant scheduling agent-size thousand-agents swarm)
    ((with_compose == 0)) || sections+=(compose)
fi
# wanted SECTION: whether SECTION runs.
wanted() { [[ " ${sections[*]} " == *" $1 "* ]]; }
scripts/setup.sh -c release >/dev/null
quiesce=.build/release/quiesce
work=$(mktemp -d)
trap 'pkill -KILL -f "$work" 2>/dev/null || true; rm -rf "$work"' EXIT
$quiesce keygen --fleet examples/seed.yaml --out "$work/keys" >/dev/null

# until_logged FILE TEXT: waits until FILE holds TEXT (at most 120 s).
until_logged() {
    local waited=0
    until grep -q "$2" "$1" 2>/dev/null; do
        sleep 0.01
        waited=$((waited + 1))
        if [ "$waited" -ge 12000 ]; then
            echo "benchmark: \"$2\" never appeared in $1" >&2
            exit 1
        fi
    done
}

# seed_config DIR PORT: the seed graph listening on PORT, in DIR/seed.yaml.
seed_config() {
    sed "s|tcp://127.0.0.1:7700|tcp://127.0.0.1:$2|" examples/seed.yaml >"$1/seed.yaml"
}

# summary LABEL TARGET VALUES...: min, median and max of VALUES, next to TARGET.
summary() {
    local label=$1 target=$2
    shift 2
    printf '%s\n' "$@" | sort -g | awk -v label="$label" -v target="$target" '
        { value[NR] = $1 }
        END { printf "%-44s min %8.3f  median %8.3f  max %8.3f   target: %s\n", label, value[1],
              (NR % 2 ? value[(NR + 1) / 2] : (value[NR / 2] + value[NR / 2 + 1]) / 2), value[NR], target }'
}

startup_overs=()
shutdown_ratios=()
# seed_lifecycle RUN: one startup and shutdown of the seed graph with services that take time to
# become ready (examples/warming-service.sh) and to stop.
seed_lifecycle() {
    local run=$1 dir=$work/seed-$1 port=$((17000 + $1))
    mkdir "$dir"
    seed_config "$dir" "$port"
    # With --json the report alone goes to stdout; progress and logs go to stderr.
    $quiesce coordinator --config "$dir/seed.yaml" --keys "$work/keys" --json >"$dir/report.json" \
        2>"$dir/progress.log" &
    local coordinator=$!
    for service in "database 1 2" "cache 0.5 1" "api 1 3"; do
        set -- $service
        $quiesce agent --name "$1" --coordinator "tcp://127.0.0.1:$port" --keys "$work/keys" \
            --ready-exec "test -f $dir/$1.ready" \
            -- examples/warming-service.sh "$1" "$2" "$3" "$dir/$1.ready" "$dir/timeline" 2>"$dir/agent-$1.log" &
    done
    until_logged "$dir/progress.log" "startup complete"
    sleep 0.5
    local start end
    start=$(date +%s.%N)
    kill -TERM "$coordinator"
    wait "$coordinator" || true
    end=$(date +%s.%N)
    wait
    local figures
    figures=$(python3 -c '
import json, sys
report = json.load(open(sys.argv[1]))
waves = [w for w in report["timeline"]["waves"] if w["run"] == "startup"]
startup = max(w["ended_seconds"] for w in waves) - min(w["began_seconds"] for w in waves)
print("%.3f %.3f" % (startup, report["total_seconds"]))
' "$dir/report.json")
    set -- $figures
    local startup=$1 total=$2
    startup_overs+=("$(awk -v s="$startup" 'BEGIN { printf "%.1f", (s - 2) * 1000 }')")
    shutdown_ratios+=("$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.4f", (e - s) / 5 }')")
    awk -v run="$run" -v startup="$startup" -v total="$total" -v start="$start" -v end="$end" 'BEGIN {
        printf "%-4s %-12.3f %-10.0f %-18.3f %-18.3f %.4f\n", run, startup, (startup - 2) * 1000, total,
            end - start, (end - start) / 5 }'
}

after_registration=()
after_launch=()
# instant_startup RUN: the seed graph of services ready at once (no readiness check), its agents
# launched together once the coordinator listens; "startup complete" is timed from the coordinator's
# event stream (wall-clock times of the last registration and of the end of the startup run).
instant_startup() {
    local run=$1 dir=$work/instant-$1 port=$((17100 + $1))
    mkdir "$dir"
    seed_config "$dir" "$port"
    $quiesce coordinator --config "$dir/seed.yaml" --keys "$work/keys" --json >"$dir/report.json" \
        2>"$dir/progress.log" &
    local coordinator=$!
    until_logged "$dir/progress.log" "Coordinator listening"
    $quiesce events --coordinator "tcp://127.0.0.1:$port" --keys "$work/keys" --json-lines >"$dir/events.jsonl" &
    until_logged "$dir/progress.log" "Events subscriber added"
    local launched
    launched=$(date +%s.%N)
    for service in database cache api; do
        $quiesce agent --name "$service" --coordinator "tcp://127.0.0.1:$port" --keys "$work/keys" \
            -- examples/slow-service.sh "$service" 0 "$dir/timeline" >/dev/null 2>"$dir/agent-$service.log" &
    done
    until_logged "$dir/progress.log" "startup complete"
    kill -TERM "$coordinator"
    wait
    local figures
    figures=$(python3 -c '
import json, sys
events = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
registered = max(e["time"] for e in events if e["type"] == "agent_registered")
ended = min(e["time"] for e in events if e["type"] == "run_ended" and e.get("run") == "startup")
print("%.1f %.1f" % ((ended - registered) * 1000, (ended - float(sys.argv[2])) * 1000))
' "$dir/events.jsonl" "$launched")
    set -- $figures
    after_registration+=("$1")
    after_launch+=("$2")
    printf '%-4s %-40s %s\n' "$run" "$1" "$2"
}

printf 'load average: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
if wanted seed; then
    printf '\nseed graph: startup against its 2.0 s optimum, shutdown against its 5.00 s bound\n'
    printf '%-4s %-12s %-10s %-18s %-18s %s\n' run "startup (s)" "over (ms)" "report total (s)" \
        "SIGTERM->exit (s)" "exit / bound"
    for run in $(seq 1 "$runs"); do seed_lifecycle "$run"; done
    printf 'load average: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
    summary "seed startup over the 2.0 s optimum (ms)" "at most 50 ms" "${startup_overs[@]}"
    summary "seed shutdown, SIGTERM->exit / 5.00 s bound" "at most 1.010" "${shutdown_ratios[@]}"
fi

if wanted instant; then
    printf '\ninstant services: "startup complete" after the last agent (ms)\n'
    printf '%-4s %-40s %s\n' run "after the last registration" "after the agents' launch"
    for run in $(seq 1 "$runs"); do instant_startup "$run"; done
    printf 'load average: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
    summary "instant startup after the last registration (ms)" "under 100 ms" "${after_registration[@]}"
    summary "instant startup after the agents' launch (ms)" "under 100 ms" "${after_launch[@]}"
fi

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

# swarm_benchmark: scripts/swarm.sh at each size of swarm_sizes, once each, its figures from the JSON
# of its last line next to the targets: at 1,000 agents the p99 wave at most twice the floor's; at
# 10,000 every wave under 1 s, every agent registered within 10 s and the coordinator's RSS under
# 200 MB (and, at every size, the waves in order).
swarm_benchmark() {
    local size
    printf '\nswarm: the coordinator against simulated agents, beside the bare-router floor (scripts/swarm.sh)\n'
    for size in "${swarm_sizes[@]}"; do
        scripts/swarm.sh "$size" >"$work/swarm-$size.txt" 2>&1 || true
        if ! tail -n 1 "$work/swarm-$size.txt" | grep -q '^{'; then
            echo "swarm of $size agents: no figures; its output:" && tail -n 20 "$work/swarm-$size.txt"
            continue
        fi
        tail -n 1 "$work/swarm-$size.txt" | python3 -c '
import json, sys
f = json.load(sys.stdin)
n = f["agents"]
def show(label, value, unit, target, met):
    text = "n/a" if value is None else "%.3f %s" % (value, unit)
    verdict = "" if met is None else ("  met" if met else "  NOT MET")
    print("  %-34s %-14s target: %s%s" % (label, text, target, verdict))
print("%d agents (load %s):" % (n, sys.argv[1]))
ok = lambda v, test: None if v is None else test(v)
show("all registered", f["register_all_s"], "s", "under 10 s" if n >= 10000 else "-",
     ok(f["register_all_s"], lambda v: v < 10) if n >= 10000 else None)
show("wave p50", f["wave_p50_ms"], "ms", "-", None)
floor = f["floor_p99_ms"]
show("wave p99", f["wave_p99_ms"], "ms",
     "at most 2 x floor p99 (%s ms)" % floor if n == 1000 else "-",
     ok(f["wave_p99_ms"], lambda v: floor is not None and v <= 2 * floor) if n == 1000 else None)
show("slowest wave", f["wave_max_ms"], "ms", "under 1000 ms" if n >= 10000 else "-",
     ok(f["wave_max_ms"], lambda v: v < 1000) if n >= 10000 else None)
show("floor p50 / p99", floor, "ms", "(p50 %s ms)" % f["floor_p50_ms"], None)
show("coordinator CPU", f["coordinator_cpu_s"], "s", "-", None)
show("coordinator peak RSS", f["coordinator_rss_mb"], "MB", "under 200 MB" if n >= 10000 else "-",
     ok(f["coordinator_rss_mb"], lambda v: v < 200) if n >= 10000 else None)
show("floor peak RSS", f["floor_rss_mb"], "MB", "-", None)
show("waves in order", 1.0 if f["waves_in_order"] else 0.0, "", "1 (every wave after the one before)",
     f["waves_in_order"])
' "$(cut -d' ' -f1 /proc/loadavg)"
        echo "  $(tail -n 1 "$work/swarm-$size.txt")"
    done
}

# compose_benchmark: the tiers demo's shutdown in the real engine, by Quiesce and by `compose stop`
# without it (scripts/compose-demo.sh benchmark: it starts the engine if none runs, and undoes what
# the engine changed on the host).
compose_benchmark() {
    printf '\ncompose: the tiers demo stopped by Quiesce and by compose stop alone (scripts/compose-demo.sh benchmark)\n'
    scripts/compose-demo.sh benchmark "$runs" || echo "compose benchmark: FAILED (its output is above)"
}

! wanted scheduling || scheduling_benchmark

# The agent's own figures: its size and idle memory beside tini's and a bare Swift+libzmq program's,
# and 1,000 real agents' stop (scripts/benchmark-agent.sh).
source scripts/benchmark-agent.sh
! wanted agent-size || agent_size_benchmark "$runs" "$work"
! wanted thousand-agents || thousand_agents_benchmark 3 "$work"
! wanted swarm || swarm_benchmark
! wanted compose || compose_benchmark
printf '\nload average at the end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
