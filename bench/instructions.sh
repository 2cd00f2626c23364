#!/bin/bash
# Instructions per determination, which the machine's load does not change (timings on a shared
# machine do): bench/instructions.sh <dist dir> <lean|full> <N>, with WARM=<warm-up determinations>
# (default 8000). Runs node --single-threaded under valgrind's callgrind (slow: minutes), zeroes the
# counters after the warm-up and dumps them after N determinations. For an A/B, build the other
# version into another directory (e.g. dist-base) and run both with the same WARM and N.
# INPUT=orders counts the screening order book (bench/order-transactions.mjs) instead of the bench
# corpus; KEEP=<file> keeps the callgrind output (callgrind_annotate <file>: builtins and C++ by name).
set -e
cd "$(dirname "$0")/.."
DIST=$1; MODE=$2; N=$3
S=$(mktemp -d)
WARM=${WARM:-8000} INPUT=${INPUT:-corpus} valgrind --tool=callgrind --callgrind-out-file="$S/cg.out" --dump-instr=no --collect-jumps=no \
  node --single-threaded bench/instructions.mjs "$DIST" "$MODE" "$N" "$S" > "$S/log" 2>&1 &
PID=$!
while [ ! -e "$S/warm" ]; do sleep 1; done
callgrind_control -z $PID > /dev/null 2>&1; touch "$S/go"
while [ ! -e "$S/done" ]; do sleep 1; done
callgrind_control -d $PID > /dev/null 2>&1; touch "$S/exit"; wait $PID
IR=$(grep -m1 '^summary:\|^totals:' "$(ls "$S"/cg.out.* | head -1)" | awk '{print $2}')
echo "$DIST $MODE: $IR instructions for $N determinations (warm-up ${WARM:-8000}): $((IR / N)) per determination"
if [ -n "$KEEP" ]; then cp "$(ls "$S"/cg.out.* | head -1)" "$KEEP"; fi
rm -rf "$S"
