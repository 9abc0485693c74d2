#!/bin/sh
# A stand-in service for demos and benchmarks: runs until SIGTERM, then takes STOP_SECONDS to stop.
# Usage: slow-service.sh NAME STOP_SECONDS [TIMELINE_FILE]
name=$1
delay=$2
timeline=${3:-/dev/null}
record() { echo "$(date +%s.%N) $name $1" >> "$timeline"; }
trap 'record stop-begin; echo "$name: draining for ${delay}s"; sleep "$delay"; record stop-end; echo "$name: stopped"; exit 0' TERM
record started
echo "$name: serving (pid $$)"
while true; do sleep 0.05; done
