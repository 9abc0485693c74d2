#!/usr/bin/env bash
# Fuzzes the QSC/1 decoder with libFuzzer for SECONDS (default 60), starting from the JSON examples of
# docs/protocol.md. CI runs it briefly through scripts/test.sh; run it longer by hand:
#   scripts/fuzz.sh 3600
# The decoder and the core it uses (QuiesceCore, which has no package dependency) are compiled into one
# module with the fuzzer and address sanitizers.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
work=.build/fuzz
rm -rf "$work/src" && mkdir -p "$work/src" "$work/corpus" "$work/crashes"
for file in $(find Sources/QuiesceCore Sources/QuiesceWire -name '*.swift' | sort); do
    sed '/^import QuiesceCore$/d' "$file" > "$work/src/$(echo "${file#Sources/}" | tr / -)"
done
cp Fuzz/WireDecoderFuzzer.swift "$work/src/"
if ! swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name WireFuzz "$work"/src/*.swift \
    -o "$work/wire-decoder" > "$work/build.log" 2>&1; then
    cat "$work/build.log" >&2
    exit 1
fi
# Seed corpus: every JSON example of the specification, as a body after a well-formed signature.
index=0
grep -A1 '^```json$' docs/protocol.md | grep '^{' | while IFS= read -r line; do
    index=$((index + 1))
    printf '\x00%s' "$line" > "$work/corpus/example-$index"
done
SWIFT_BACKTRACE=enable=no "$work/wire-decoder" "$work/corpus" -max_total_time="$seconds" -max_len=4096 \
    -artifact_prefix="$work/crashes/" -print_final_stats=1 2>&1 | tail -n 12
echo "fuzzing: no crash in ${seconds}s"
