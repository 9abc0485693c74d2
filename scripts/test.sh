#!/usr/bin/env bash
# The test suite: unit tests of the pure core and the wire codec, and integration tests that run the
# real binary as coordinator and agents with real children and real servers.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --build-tests
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
# The slow-subscriber scenario runs on its own, after the rest: beside every other suite the
# coordinator's libzmq 4.3.4 may abort under its flood (docs/architecture.md, "A libzmq assertion"),
# which its run alone has not met yet.
# The etcd suites run on their own too: beside every other suite, their real etcd members' answers
# took longer than the journal's 7 s bound on two cores.
swift test --skip SlowSubscriberTests --skip QuiesceEtcdTests 2>&1 | grep --line-buffered -v "prohibited flag" | tee "$log"
status=${PIPESTATUS[0]}
for alone in SlowSubscriberTests QuiesceEtcdTests; do
    if [[ $status -eq 0 ]]; then
        echo "== $alone, alone"
        swift test --skip-build --filter "$alone" 2>&1 | grep --line-buffered -v "prohibited flag" | tee -a "$log"
        status=${PIPESTATUS[0]}
    fi
done
if [[ $status -eq 0 ]]; then
    # The integration suites once more, the several-host scenarios included, every fleet with CURVE
    # keys (docs/security.md). The compose demos have keys of their own and are played once, and the
    # slow-subscriber scenario is plain in either pass (its flood could not pass a CURVE handshake).
    echo "== integration tests again, with security on"
    QUIESCE_TEST_SECURITY=1 swift test --skip-build --filter QuiesceIntegrationTests --skip ComposeDemoTests \
        --skip SlowSubscriberTests 2>&1 \
        | grep --line-buffered -v "prohibited flag" | tee -a "$log"
    status=${PIPESTATUS[0]}
fi
set -e
# The compose demos, checked without a Docker engine: compose files, Dockerfile, demo scripts.
compose_status=0
scripts/check-compose.sh || compose_status=$?
if [[ $status -eq 0 ]]; then status=$compose_status; fi
# The code's format (.swift-format; `swift format -i --recursive Sources Tests Fuzz Package.swift` fixes it).
format_status=0
swift format lint --strict --recursive Sources Tests Fuzz Plugins Package.swift || format_status=$?
if [[ $format_status -ne 0 ]]; then echo "format: run swift format -i --recursive Sources Tests Fuzz Package.swift"; fi
if [[ $status -eq 0 ]]; then status=$format_status; fi
# One plain closing line with the counts Swift Testing reported.
passed=$(grep -c '^✔ Test "' "$log" || true)
failed=$(grep -cE '^✘ Test "[^"]*" (with [0-9]+ test cases )?failed' "$log" || true)
if [[ $status -eq 0 ]]; then
    # A short fuzzing run of the wire decoder; longer ones by hand (scripts/fuzz.sh 3600).
    scripts/fuzz.sh "${QUIESCE_FUZZ_SECONDS:-30}" || status=$?
fi
echo "summary: $passed passed, $failed failed"
exit "$status"
