#!/usr/bin/env bash
# Installs what Quiesce needs on Debian (libzmq) when it is missing, then builds the quiesce binary.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! pkg-config --exists libzmq 2>/dev/null; then
    if [[ $(id -u) -ne 0 ]]; then
        echo "libzmq3-dev is missing: run 'sudo apt-get install -y libzmq3-dev pkg-config' first" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libzmq3-dev pkg-config >/dev/null
fi
swift build "$@" 2>&1 | grep -v "prohibited flag" || true
test -x .build/debug/quiesce || test -x .build/release/quiesce
