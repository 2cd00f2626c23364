#!/bin/bash
# Instructions per order line of `aidr screen`, which the machine's load does not change:
#   bench/screen-instructions.sh <dist dir> <worker|main> <csv|jsonl> <N>   (WARM=<warm-up lines>, default 100000)
# worker: a screening worker's part (decode, map, evaluate, write, count; no ledger);
# main: the reading thread's part (CSV read, routing, encoding for the workers).
# Runs node --single-threaded under callgrind (slow: minutes), zeroes the counters after the
# warm-up and dumps them after N lines. For an A/B, run the other build's dist with the same WARM and N
# (a directory of this repository: a link to it does, e.g. ln -s ../other-checkout/dist dist-base). Runs
# of one build differ by a few per cent (the collector's timing): compare builds run side by side.
set -e
cd "$(dirname "$0")/.."
DIST=$1; PART=$2; OUT=$3; N=$4
S=$(mktemp -d)
WARM=${WARM:-100000} valgrind --tool=callgrind --callgrind-out-file="$S/cg.out" --dump-instr=no --collect-jumps=no \
  node --single-threaded bench/screen-instructions.mjs "$DIST" "$PART" "$OUT" "$N" "$S" > "$S/log" 2>&1 &
PID=$!
while [ ! -e "$S/warm" ]; do sleep 1; if ! kill -0 $PID 2>/dev/null; then cat "$S/log"; exit 1; fi; done
callgrind_control -z $PID > /dev/null 2>&1; touch "$S/go"
while [ ! -e "$S/done" ]; do sleep 1; done
callgrind_control -d $PID > /dev/null 2>&1; touch "$S/exit"; wait $PID
IR=$(grep -m1 '^summary:\|^totals:' "$(ls "$S"/cg.out.* | head -1)" | awk '{print $2}')
echo "$DIST $PART $OUT: $IR instructions for $N lines (warm-up ${WARM:-100000}): $((IR / N)) per line"
rm -rf "$S"
