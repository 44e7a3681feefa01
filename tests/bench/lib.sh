#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Shared by the benchmarks: fixtures, cleanup on exit, wall-clock timing, min/median/max.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
unset DEBUGINFOD_URLS
. tests/bpf_stats.sh

# on_exit COMMAND: run COMMAND (evaluated then) when the benchmark exits, in order of registration.
BENCH_ON_EXIT=()
on_exit() {
	BENCH_ON_EXIT+=("$1")
}
trap 'for c in "${BENCH_ON_EXIT[@]}"; do eval "$c"; done' EXIT

# stop_fixture PID: kill it, and return once its threads are gone: 10,000 threads take a while
# to exit, and the next measurement must not count them.
stop_fixture() {
	local threads
	kill -9 "$1" 2>/dev/null
	while threads=$(awk '/^Threads:/ { print $2 }' "/proc/$1/status" 2>/dev/null) &&
		[ "${threads:-0}" -gt 1 ]; do
		sleep 0.05
	done
}

# start_fixture NAME [ARGS...]: sets FIXTURE_PID once the fixture printed "ready"; its output
# stays in FIXTURE_OUT. Stopped on exit.
BENCH_TMP=$(mktemp -d /tmp/leakmon-bench.XXXXXX)
on_exit 'rm -rf "$BENCH_TMP"'
start_fixture() {
	local name=$1
	shift
	FIXTURE_OUT=$BENCH_TMP/$name.out
	# There before the fixture's shell opens it: the wait below may look first.
	: >"$FIXTURE_OUT"
	"$BUILD/fixtures/$name" "$@" >"$FIXTURE_OUT" 2>&1 &
	FIXTURE_PID=$!
	disown "$FIXTURE_PID"
	on_exit "stop_fixture $FIXTURE_PID"
	until grep -q '^ready$' "$FIXTURE_OUT"; do
		kill -0 "$FIXTURE_PID" || { echo "fixture $name did not start" >&2; exit 1; }
		sleep 0.05
	done
}

# start_many_threads N: the many_threads fixture, once its N threads wait.
start_many_threads() {
	start_fixture many_threads "$1"
}

# need_bpffs: the service's pins need a BPF file system; systemd mounts one at boot, a test
# host may not have it. Mounted here, unmounted on exit.
need_bpffs() {
	mountpoint -q /sys/fs/bpf && return 0
	mount -t bpf bpf /sys/fs/bpf && on_exit 'umount /sys/fs/bpf'
}

# cpu_ticks PID: the process's CPU time so far (utime + stime), in clock ticks.
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
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
