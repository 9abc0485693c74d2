#!/usr/bin/env bash
# A stand-in service for benchmarks that takes time to become ready: READY_SECONDS after it starts it
# creates READY_FILE (check it with --ready-exec "test -f READY_FILE"), and on SIGTERM it takes
# STOP_SECONDS to stop. It records started, ready, stop-begin and stop-end in TIMELINE_FILE. It waits
# and records without starting a process (bash's clock, and `read -t` on a FIFO of its own), so that
# a loaded machine's slow forks are not counted against the coordinator.
# Usage: warming-service.sh NAME READY_SECONDS STOP_SECONDS READY_FILE [TIMELINE_FILE]
name=$1
ready=$2
delay=$3
ready_file=$4
timeline=${5:-/dev/null}
now=$EPOCHREALTIME
started=${now/./}
echo "$now $name started" >>"$timeline"
record() { echo "$EPOCHREALTIME $name $1" >>"$timeline"; }
# microseconds SECONDS: 1.5 -> 1500000.
microseconds() {
    local whole=${1%%.*} fraction=
    [[ $1 == *.* ]] && fraction=${1#*.}
    fraction=${fraction}000000
    echo $((10#${whole:-0} * 1000000 + 10#${fraction:0:6}))
}
# wait_until MICROSECONDS: returns at that time of bash's clock (read -t on a FIFO nothing writes).
wait_until() {
    local left=$(($1 - ${EPOCHREALTIME/./})) fraction
    printf -v fraction '%06d' $((left % 1000000))
    if ((left > 0)); then read -r -t "$((left / 1000000)).$fraction" -u 3; fi
}
fifo=$(mktemp -u)
mkfifo "$fifo"
exec 3<>"$fifo"
rm -f "$fifo"
stop_us=$(microseconds "$delay")
trap 'record stop-begin; wait_until $((${EPOCHREALTIME/./} + stop_us)); record stop-end; exit 0' TERM
wait_until $((started + $(microseconds "$ready")))
: >"$ready_file"
record ready
while true; do read -r -u 3; done
