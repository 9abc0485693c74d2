#!/usr/bin/env bash
# The local demo: the seed graph (database and cache, api on both) started in dependency order by a
# coordinator and three agents, then shut down wave by wave after a few seconds. Every connection
# uses the CURVE keys that one command makes.
set -euo pipefail
# shellcheck source=scripts/seed-fleet.sh
source "$(dirname "$0")/seed-fleet.sh"

echo "== plan"
$quiesce plan --config examples/seed.yaml
echo
echo "== keys (one pair for the coordinator, one per service, one for the admin)"
$quiesce keygen --fleet examples/seed.yaml --out "$work/keys" >"$work/keygen.log"
head -n 1 "$work/keygen.log"
echo
echo "== startup (coordinator on $endpoint, one agent per service; agent logs in $work)"
$quiesce coordinator --config examples/seed.yaml --bind "$endpoint" --keys "$work/keys" 2>"$work/coordinator.log" &
coordinator=$!
pids+=("$coordinator")
start_agent api 1.5
start_agent database 1
start_agent cache 0.5
sleep 3
echo
echo "== status"
$quiesce status --coordinator "$endpoint" --keys "$work/keys"
echo
echo "== shutdown (SIGTERM to the coordinator)"
kill -TERM "$coordinator"
status=0
wait "$coordinator" || status=$?
echo
echo "== what the services recorded (seconds since the first event)"
# The services append as they go, so lines of one moment may be out of order: sort by time first.
sort -n -k1,1 "$work/timeline" | awk 'NR == 1 { t0 = $1 } { printf "%6.2f  %-9s %s\n", $1 - t0, $2, $3 }'
exit "$status"
