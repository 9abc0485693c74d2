# shellcheck shell=bash
# Sourced by scripts/demo.sh and scripts/pictures.sh: builds quiesce (scripts/setup.sh) and sets up a
# run of the seed graph (examples/seed.yaml) on this machine: the binary, a scratch directory, the
# coordinator's endpoint (QUIESCE_DEMO_PORT, default 7700), and the processes started, killed on exit
# with the scratch directory.
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
scripts/setup.sh
quiesce=.build/debug/quiesce
work=$(mktemp -d)
endpoint=tcp://127.0.0.1:${QUIESCE_DEMO_PORT:-7700}
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

# start_agent NAME STOP_SECONDS: the agent of NAME, with its key, over examples/slow-service.sh, which
# records its events in $work/timeline; its log in $work/agent-NAME.log, its stdout where the caller's goes.
start_agent() {
    $quiesce agent --name "$1" --coordinator "$endpoint" --keys "$work/keys" \
        -- examples/slow-service.sh "$1" "$2" "$work/timeline" 2>"$work/agent-$1.log" &
    pids+=("$!")
}
