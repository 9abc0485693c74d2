#!/usr/bin/env bash
# The test suite: unit tests of the pure core and the wire codec, and integration tests that run the
# real binary as coordinator and agents with real children.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --build-tests
swift test 2>&1 | grep -v "prohibited flag"
exit "${PIPESTATUS[0]}"
