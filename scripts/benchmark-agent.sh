# shellcheck shell=bash
# The agent's own figures, sourced by scripts/benchmark.sh: its idle resident memory and stripped size
# in the static build the images carry, beside tini's and a bare Swift+libzmq program's
# (Benchmarks/BareDealer, built the same way), and the stop of 1,000 real agents in two waves.
# Each prints min/median/max over its runs, next to its target, and the load average.
# Needs: swift, libzmq3-dev; tini is installed when missing (as root).

# The static build of the agent and of the bare program, in .build-static.
agent_build_static() {
    swift build -c release --static-swift-stdlib --product quiesce-agent --scratch-path .build-static 2>&1 |
        grep -E "error:" || true
    swift build -c release --static-swift-stdlib --package-path Benchmarks/BareDealer \
        --scratch-path .build-static/bare-dealer 2>&1 | grep -E "error:" || true
    agent_static=.build-static/release/quiesce-agent
    bare_static=.build-static/bare-dealer/release/bare-dealer
    test -x "$agent_static" && test -x "$bare_static"
}

# min/median/max of the numbers on stdin, with $1 decimals.
agent_stats() {
    sort -n | awk -v d="$1" '{ v[NR] = $1 } END {
        if (NR == 0) { print "-"; exit }
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%.*f / %.*f / %.*f", d, v[1], d, m, d, v[NR] }'
}

# The resident memory of process $1 in MB, and its threads.
agent_rss_mb() { awk '/^VmRSS/ { printf "%.1f\n", $2 / 1024 }' "/proc/$1/status"; }
agent_threads() { find "/proc/$1/task" -mindepth 1 -maxdepth 1 | wc -l; }

# Waits (bounded: $3 seconds) until file $2 holds $1.
agent_wait_for() {
    local deadline=$((SECONDS + $3))
    until grep -q "$1" "$2" 2>/dev/null; do
        ((SECONDS < deadline)) || { echo "timed out waiting for \"$1\" in $2" >&2; tail -5 "$2" >&2; return 1; }
        sleep 0.05
    done
}

# Idle RSS, threads and stripped sizes: the agent (without and with --health-port), tini and the
# bare program, each measured $1 times after 2 s idle beside a running coordinator.
agent_size_benchmark() {
    local runs=$1 work=$2 run coordinator agent pid
    if ! command -v tini >/dev/null; then
        [[ $(id -u) -eq 0 ]] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tini >/dev/null
    fi
    agent_build_static
    strip -o "$work/quiesce-agent" "$agent_static"
    strip -o "$work/bare-dealer" "$bare_static"
    local tini_path
    tini_path=$(command -v tini-static || command -v tini)
    printf '\nthe agent, static build (%s), load %s\n' "$(readelf -d "$agent_static" | grep -c NEEDED) shared libraries" \
        "$(cut -d' ' -f1-3 /proc/loadavg)"
    printf '%-36s %s\n' "stripped size (MB)" "agent $(stat -c %s "$work/quiesce-agent" | awk '{ printf "%.1f", $1 / 1000000 }') (target 30), \
tini $(stat -c %s "$tini_path" | awk '{ printf "%.2f", $1 / 1000000 }') ($(basename "$tini_path")), \
bare Swift+libzmq $(stat -c %s "$work/bare-dealer" | awk '{ printf "%.1f", $1 / 1000000 }')"
    printf 'services: {idle: {}}\n' >"$work/idle.yaml"
    local file
    for file in rss.agent rss.health rss.tini rss.bare threads.agent threads.health; do : >"$work/$file"; done
    for run in $(seq 1 "$runs"); do
        for variant in agent health; do
            local endpoint="ipc://$work/c-$run-$variant.sock" extra=()
            [[ $variant == health ]] && extra=(--health-port $((18400 + run)))
            "${agent_coordinator:-.build/release/quiesce}" coordinator --config "$work/idle.yaml" --bind "$endpoint" \
                >"$work/idle.out" 2>"$work/idle.err" &
            coordinator=$!
            agent_wait_for "Coordinator listening" "$work/idle.err" 60
            "$work/quiesce-agent" --name idle --coordinator "$endpoint" "${extra[@]}" -- sleep 1000 \
                >/dev/null 2>&1 &
            agent=$!
            agent_wait_for "startup complete" "$work/idle.out" 60
            sleep 2
            agent_rss_mb "$agent" >>"$work/rss.$variant"
            agent_threads "$agent" >>"$work/threads.$variant"
            if [[ $variant == agent ]]; then
                "$work/bare-dealer" "$endpoint" &
                pid=$!
                sleep 2
                agent_rss_mb "$pid" >>"$work/rss.bare"
                kill -KILL "$pid"
                wait "$pid" 2>/dev/null || true
            fi
            kill -TERM "$coordinator"
            wait "$coordinator" "$agent" 2>/dev/null || true
        done
        "$tini_path" -s -- sleep 1000 &
        pid=$!
        sleep 1
        agent_rss_mb "$pid" >>"$work/rss.tini"
        kill -TERM "$pid"
        wait "$pid" 2>/dev/null || true
    done
    printf '%-36s %s\n' "idle RSS (MB), min/median/max" "agent $(agent_stats 1 <"$work/rss.agent") (target 12), \
with --health-port $(agent_stats 1 <"$work/rss.health"), tini $(agent_stats 1 <"$work/rss.tini"), \
bare Swift+libzmq $(agent_stats 1 <"$work/rss.bare")"
    printf '%-36s %s\n' "threads" "agent $(agent_stats 0 <"$work/threads.agent"), \
with --health-port $(agent_stats 0 <"$work/threads.health")"
}

# 1,000 real agents (the static agent, plain TCP on loopback) of two services of 500 instances,
# whose services (sleep) stop at once: the time from SIGTERM to the coordinator's exit, the report's
# total, the agents' CPU for the stop and the coordinator's, $1 runs.
thousand_agents_benchmark() {
    local runs=$1 work=$2 agents=${3:-1000} run
    local half=$((agents / 2))
    # The stripped static agent agent_size_benchmark leaves in $work, made here when that ran not.
    if [[ ! -x "$work/quiesce-agent" ]]; then
        agent_build_static || { echo "the static agent did not build" >&2; return 1; }
        strip -o "$work/quiesce-agent" "$agent_static"
    fi
    printf '\n%s real agents, two waves of %s (target: stopped in at most 1.5 s), load %s\n' "$agents" "$half" \
        "$(cut -d' ' -f1-3 /proc/loadavg)"
    local file
    for file in stop.wall stop.total stop.cpu stop.coordinator; do : >"$work/$file"; done
    for run in $(seq 1 "$runs"); do
        local port=$((18500 + run)) pids=() coordinator
        cat >"$work/thousand.yaml" <<EOF
coordinator:
  bind: tcp://127.0.0.1:$port
  shutdown_timeout: 120s
defaults:
  start_timeout: 300s
services:
  back: {instances: $half}
  front: {instances: $half, depends_on: [back]}
EOF
        # Started from a subshell that exits at once, the coordinator is not the shell's child: the
        # CPU of the shell's ended children (`times`) is then the agents' and their services' alone.
        (
            "${agent_coordinator:-.build/release/quiesce}" coordinator --config "$work/thousand.yaml" --insecure \
                --json >"$work/thousand.json" 2>"$work/thousand.err" &
            echo $! >"$work/coordinator.pid"
        )
        coordinator=$(<"$work/coordinator.pid")
        agent_wait_for "Coordinator listening" "$work/thousand.err" 60
        for ((i = 0; i < half; i++)); do
            for service in back front; do
                "$work/quiesce-agent" --name "$service" --instance "$service-$i" --insecure \
                    --coordinator "tcp://127.0.0.1:$port" -- sleep 100000 >/dev/null 2>&1 &
                pids+=($!)
            done
        done
        agent_wait_for "startup complete" "$work/thousand.err" 600
        sleep 2
        # What the agents and their services have used so far, to take from what they will have used
        # when they have all ended. From schedstat, in nanoseconds: /proc/PID/stat's clock ticks are
        # sampled, and miss most of the few milliseconds an agent takes to start.
        local before=0 pid child
        for pid in "${pids[@]}"; do
            before=$((before + $(agent_cpu_nanoseconds "$pid")))
            for child in $(<"/proc/$pid/task/$pid/children"); do
                before=$((before + $(agent_cpu_nanoseconds "$child")))
            done
        done
        local children_before start end coordinator_before coordinator_after
        times >"$work/times"
        children_before=$(agent_children_seconds "$work/times")
        coordinator_before=$(agent_cpu_nanoseconds "$coordinator")
        start=$(date +%s.%N)
        kill -TERM "$coordinator"
        # Sampled every 10 ms until it has exited (a zombie, or gone: whoever adopted it reaps it),
        # starting no process (read builtins, and as the pause a read with a timeout on a descriptor
        # that never has data), to take no CPU from the stop. Its threads' time leaves schedstat as
        # they end: the largest sample is its CPU, within the last 10 ms.
        coordinator_after=$coordinator_before
        local pause sample stat
        exec {pause}<> <(:)
        while read -r stat 2>/dev/null <"/proc/$coordinator/stat" && [[ ${stat##*) } != Z* ]]; do
            if agent_cpu_nanoseconds "$coordinator" sample 2>/dev/null && ((sample > coordinator_after)); then
                coordinator_after=$sample
            fi
            read -r -t 0.01 -u "$pause" || true
        done
        exec {pause}<&-
        end=$(date +%s.%N)
        for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
        local children_after
        times >"$work/times"
        children_after=$(agent_children_seconds "$work/times")
        awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f\n", e - s }' >>"$work/stop.wall"
        sed -n 's/.*"total_seconds" : \([0-9.]*\).*/\1/p' "$work/thousand.json" | head -1 >>"$work/stop.total"
        awk -v a="$children_after" -v b="$children_before" -v before="$before" -v n="$agents" \
            'BEGIN { printf "%.2f\n", (a - b - before / 1e9) * 1000 / n }' >>"$work/stop.cpu"
        awk -v a="$coordinator_after" -v b="$coordinator_before" 'BEGIN { printf "%.2f\n", (a - b) / 1e9 }' \
            >>"$work/stop.coordinator"
        printf '  run %s: SIGTERM to exit %s s, report total %s s, agents CPU per stop %s ms, coordinator CPU %s s\n' \
            "$run" "$(tail -1 "$work/stop.wall")" "$(tail -1 "$work/stop.total")" "$(tail -1 "$work/stop.cpu")" \
            "$(tail -1 "$work/stop.coordinator")"
    done
    printf '%-36s %s\n' "SIGTERM to exit (s), min/median/max" "$(agent_stats 3 <"$work/stop.wall") (target 1.5)"
    printf '%-36s %s\n' "report total (s)" "$(agent_stats 3 <"$work/stop.total")"
    printf '%-36s %s\n' "agent CPU per stop (ms)" "$(agent_stats 2 <"$work/stop.cpu")"
    printf '%-36s %s\n' "coordinator CPU for the stop (s)" "$(agent_stats 2 <"$work/stop.coordinator")"
}

# The CPU seconds (user + system) of the shell's ended children, their own children included, from
# the output of `times` in file $1 (run in the shell itself: a subshell has children of its own).
agent_children_seconds() {
    tail -1 "$1" | awk '{
        split($1, u, /[ms]/); split($2, s, /[ms]/)
        printf "%.3f\n", (u[1] * 60 + u[2]) + (s[1] * 60 + s[2]) }'
}

# The nanoseconds process $1 has run, its living threads together (schedstat), printed, or put in the
# variable named $2 without starting a process; fails once the process is gone.
agent_cpu_nanoseconds() {
    local total=0 task runtime
    for task in "/proc/$1/task/"*/schedstat; do
        read -r runtime _ <"$task" || return 1
        total=$((total + runtime))
    done
    [[ -e /proc/$1 ]] || return 1
    if [[ -n ${2:-} ]]; then printf -v "$2" '%s' "$total"; else echo "$total"; fi
}
