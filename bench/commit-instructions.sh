#!/bin/bash
# Instructions per commit in process, which the machine's load does not change (timings on a shared
# machine do): bench/commit-instructions.sh <checkout> <connections> <warm-up commits> <N>. Runs
# node --single-threaded under valgrind's callgrind (slow: minutes), zeroes the counters after the
# warm-up and dumps them after N commits (user-space instructions of the process, its checkpoint
# thread included; the kernel's work for writes and flushes is not counted). For an A/B, point it
# at another checkout (or a copy with its own dist/ and bin/) with the same arguments.
set -e
ROOT=$(cd "$1" && pwd); C=$2; W=$3; N=$4
S=$(mktemp -d)
valgrind --tool=callgrind --callgrind-out-file="$S/cg.out" --dump-instr=no --collect-jumps=no \
  node --single-threaded "$(dirname "$0")/commit-instructions.mjs" "$ROOT" "$C" "$W" "$N" "$S" > "$S/log" 2>&1 &
PID=$!
while [ ! -e "$S/warm" ]; do sleep 1; if ! kill -0 $PID 2>/dev/null; then cat "$S/log"; exit 1; fi; done
callgrind_control -z $PID > /dev/null 2>&1; touch "$S/go"
while [ ! -e "$S/done" ]; do sleep 1; done
callgrind_control -d $PID > /dev/null 2>&1; touch "$S/exit"; wait $PID
IR=$(grep -m1 '^summary:' "$S"/cg.out.1 | awk '{print $2}')
echo "$ROOT ${DATABASE_URL:+postgres}${DATABASE_URL:-sqlite} $C connections: $IR instructions for $N commits (warm-up $W): $((IR / N)) per commit"
rm -rf "$S"
