#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The system-wide monitor at rest on a machine with THREADS idle threads (default 10000): its
# CPU time over MEASURE_SECONDS (default 30) of wall time, after a warm-up in which it reads every
# thread's stack once. Goal: at most 2% of one core. With BASELINE (another build's leakmon, e.g.
# the commit before's), ROUNDS (default 2) turns of each, alternating, on the same threads.
. "$(dirname "$0")/lib.sh"
THREADS=${THREADS:-10000}
MEASURE_SECONDS=${MEASURE_SECONDS:-30}
ROUNDS=${ROUNDS:-$([ -n "${BASELINE:-}" ] && echo 2 || echo 1)}

# at_rest LEAKMON: its share of one core at rest, as a fraction.
at_rest() {
	local monitor before after start end
	"$1" --json --blocked-threshold 5s >/dev/null 2>&1 &
	monitor=$!
	sleep 10
	before=$(cpu_ticks "$monitor")
	start=$(date +%s.%N)
	sleep "$MEASURE_SECONDS"
	after=$(cpu_ticks "$monitor")
	end=$(date +%s.%N)
	kill -INT "$monitor"
	wait "$monitor"
	awk -v b="$before" -v a="$after" -v s="$start" -v e="$end" -v hz="$(getconf CLK_TCK)" \
		'BEGIN { printf "%.4f\n", (a - b) / hz / (e - s) }'
}

start_many_threads "$THREADS"
: >"$BENCH_TMP/leakmon"
: >"$BENCH_TMP/baseline"
for round in $(seq "$ROUNDS"); do
	at_rest "$BUILD/leakmon" >>"$BENCH_TMP/leakmon"
	[ -z "${BASELINE:-}" ] || at_rest "$BASELINE" >>"$BENCH_TMP/baseline"
done
echo "system-wide monitor at rest, $(machine_threads) threads on the machine, $ROUNDS round(s) of" \
	"$MEASURE_SECONDS s:"
awk '{ printf "| leakmon CPU time / wall time | %.2f%% of one core |\n", $1 * 100 }' "$BENCH_TMP/leakmon"
[ -z "${BASELINE:-}" ] ||
	awk '{ printf "| baseline CPU time / wall time | %.2f%% of one core |\n", $1 * 100 }' \
		"$BENCH_TMP/baseline"
sort -n "$BENCH_TMP/leakmon" | awk '{ v[NR] = $1 } END {
	share = v[int((NR + 1) / 2)]
	ok = share <= 0.02
	print ok ? "goal met: at most 2% of one core" : "goal MISSED: more than 2% of one core"
	exit !ok }'
