#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The system-wide monitor at rest on a machine with THREADS idle threads (default 10000): its
# CPU time over MEASURE_SECONDS (default 30) of wall time, after a warm-up in which it reads every
# thread's stack once. Goal: at most 2% of one core.
. "$(dirname "$0")/lib.sh"
THREADS=${THREADS:-10000}
MEASURE_SECONDS=${MEASURE_SECONDS:-30}

start_many_threads "$THREADS"
"$BUILD/leakmon" --json --blocked-threshold 5s >/dev/null 2>&1 &
monitor=$!
on_exit 'kill -9 $monitor 2>/dev/null'
sleep 10

ticks_per_s=$(getconf CLK_TCK)
before=$(cpu_ticks "$monitor")
start=$(date +%s.%N)
sleep "$MEASURE_SECONDS"
after=$(cpu_ticks "$monitor")
end=$(date +%s.%N)
kill -INT "$monitor"
wait "$monitor"
echo "system-wide monitor at rest, $(machine_threads) threads on the machine:"
awk -v b="$before" -v a="$after" -v s="$start" -v e="$end" -v hz="$ticks_per_s" 'BEGIN {
	share = (a - b) / hz / (e - s)
	printf "| leakmon CPU time / wall time | %.2f%% of one core over %.0f s |\n", share * 100, e - s
	ok = share <= 0.02
	print ok ? "goal met: at most 2% of one core" : "goal MISSED: more than 2% of one core"
	exit !ok }'
