#!/usr/bin/env bash
# The README's pictures, drawn by quiesce itself from the demo: the seed graph (quiesce graph) and the
# timeline of one startup and shutdown of it (quiesce coordinator --timeline), with the stop delays
# of scripts/demo.sh. Writes docs/images/seed-graph.svg and docs/images/seed-timeline.svg.
set -euo pipefail
# shellcheck source=scripts/seed-fleet.sh
source "$(dirname "$0")/seed-fleet.sh"
mkdir -p docs/images
$quiesce graph --config examples/seed.yaml --format svg --renderer builtin -o docs/images/seed-graph.svg
$quiesce keygen --fleet examples/seed.yaml --out "$work/keys" >/dev/null
$quiesce coordinator --config examples/seed.yaml --bind "$endpoint" --keys "$work/keys" \
    --timeline docs/images/seed-timeline.svg >/dev/null 2>"$work/coordinator.log" &
coordinator=$!
pids+=("$coordinator")
# One after the other, so that the timeline shows the wait for each agent.
for service in database:1 cache:0.5 api:1.5; do
    start_agent "${service%%:*}" "${service#*:}" >/dev/null
    sleep 0.5
done
# Until the three services have started, then a moment of running.
for _ in $(seq 100); do
    [[ $(grep -c started "$work/timeline" 2>/dev/null) -ge 3 ]] && break
    sleep 0.1
done
sleep 2
kill -TERM "$coordinator"
wait "$coordinator"
echo "wrote docs/images/seed-graph.svg and docs/images/seed-timeline.svg"
