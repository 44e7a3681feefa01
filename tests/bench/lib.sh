#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Shared by the benchmarks: the many_threads fixture, wall-clock timing, min/median/max.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
unset DEBUGINFOD_URLS

# on_exit COMMAND: run COMMAND (evaluated then) when the benchmark exits, in order of registration.
BENCH_ON_EXIT=()
on_exit() {
	BENCH_ON_EXIT+=("$1")
}
trap 'for c in "${BENCH_ON_EXIT[@]}"; do eval "$c"; done' EXIT

# start_many_threads N: sets FIXTURE_PID once its N threads wait; killed on exit.
start_many_threads() {
	local ready
	ready=$(mktemp /tmp/leakmon-bench.XXXXXX)
	"$BUILD/fixtures/many_threads" "$1" >"$ready" &
	FIXTURE_PID=$!
	disown "$FIXTURE_PID"
	on_exit 'kill -9 $FIXTURE_PID 2>/dev/null'
	while ! grep -q ready "$ready"; do
		kill -0 "$FIXTURE_PID" || { rm -f "$ready"; exit 1; }
		sleep 0.1
	done
	rm -f "$ready"
}

# machine_threads: every thread on the machine (a glob of /proc/*/task/* is too long at 100,000).
machine_threads() {
	cat /proc/[0-9]*/status 2>/dev/null | awk '/^Threads:/ { n += $2 } END { print n }'
}

# ms COMMAND...: its wall time in microseconds (named for the unit stats prints).
ms() {
	local start end
	start=$(date +%s%N)
	"$@" >/dev/null 2>&1 || return 1
	end=$(date +%s%N)
	echo $(((end - start) / 1000))
}

# stats < microseconds, one a line: "min median max" in milliseconds.
stats() {
	sort -n | awk '{ v[NR] = $1 } END {
		printf "%.1f %.1f %.1f", v[1] / 1000, v[int((NR + 1) / 2)] / 1000, v[NR] / 1000 }'
}
