#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# What the system-wide monitor holds in memory on a machine with 10,000 and 100,000 idle threads
# (SIZES), as the service runs it, with every thread past the blocked threshold (its stack read
# and kept as an open episode): its resident set, and the kernel memory charged to it (BPF maps,
# the per-thread task storage its programs allocate, programs), read from a memory cgroup of its
# own; then its CPU use at rest over MEASURE_SECONDS. The threads exist before leakmon starts, and
# at the largest size are also created while it watches: each then raises its process to a new
# high, and its creator's stack is kept while there is a slot (--creator-slots).
. "$(dirname "$0")/lib.sh"
SIZES=${SIZES:-10000 100000}
WATCHED_SIZE=${WATCHED_SIZE:-${SIZES##* }}
WARMUP_SECONDS=${WARMUP_SECONDS:-20}
MEASURE_SECONDS=${MEASURE_SECONDS:-10}
CGROUP=/sys/fs/cgroup/memory/leakmon-bench
PID_MAX=$(cat /proc/sys/kernel/pid_max)
MAP_COUNT=$(cat /proc/sys/vm/max_map_count)
monitor=

cleanup() {
	[ -n "$monitor" ] && kill -9 "$monitor" 2>/dev/null && wait "$monitor" 2>/dev/null
	sleep 0.5
	rmdir "$CGROUP" 2>/dev/null
	sysctl -qw kernel.pid_max="$PID_MAX" vm.max_map_count="$MAP_COUNT"
}
on_exit cleanup

[ -d /sys/fs/cgroup/memory ] || { echo "memory: needs the cgroup v1 memory controller" >&2; exit 1; }
need_bpffs
# 100,000 threads need pids above the default 32768 and two mappings each (stack, guard page).
sysctl -qw kernel.pid_max=4194304 vm.max_map_count=1048576

# kib FILE: the cgroup counter in KiB.
kib() {
	echo $(($(cat "$CGROUP/$1") / 1024))
}

# bpf_memlock PID: the memory the kernel reports for the BPF maps and programs the process holds.
bpf_memlock() {
	awk '/^memlock:/ { sum += $2 } END { print int(sum / 1024) }' /proc/"$1"/fdinfo/* 2>/dev/null
}

printf '| %-8s | %-14s | %-14s | %-14s | %-16s | %-16s | %-14s | %-12s |\n' threads created \
	"RSS (KiB)" "peak RSS (KiB)" "kernel mem (KiB)" "kernel peak (KiB)" "BPF memlock (KiB)" \
	"CPU at rest"
printf '| %-8s | %-14s | %-14s | %-14s | %-16s | %-16s | %-14s | %-12s |\n' ---: --- ---: ---: \
	---: ---: ---: ---:
for run in $(for size in $SIZES; do echo "$size:before"; done) "$WATCHED_SIZE:while"; do
	size=${run%:*}
	when=${run#*:}
	[ "$when" = before ] && start_many_threads "$size"
	mkdir -p "$CGROUP"
	sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2" --config deploy/leakmon.conf --blocked-threshold 5s' \
		sh "$CGROUP" "$BUILD/leakmon" >/dev/null 2>&1 &
	monitor=$!
	if [ "$when" = while ]; then
		sleep 2
		start_many_threads "$size"
	fi
	sleep "$WARMUP_SECONDS"
	kill -0 "$monitor" || { echo "memory: leakmon stopped at $size threads" >&2; exit 1; }
	threads=$(machine_threads)
	before=$(cpu_ticks "$monitor")
	sleep "$MEASURE_SECONDS"
	after=$(cpu_ticks "$monitor")
	rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$monitor/status")
	hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$monitor/status")
	printf '| %8s | %-14s | %14s | %14s | %16s | %16s | %14s | %11s%% |\n' "$threads" \
		"$([ "$when" = before ] && echo "before leakmon" || echo "while watched")" "$rss" "$hwm" \
		"$(kib memory.kmem.usage_in_bytes)" "$(kib memory.kmem.max_usage_in_bytes)" \
		"$(bpf_memlock "$monitor")" \
		"$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v s="$MEASURE_SECONDS" \
			'BEGIN { printf "%.2f", t / hz / s * 100 }')"
	kill -TERM "$monitor"
	wait "$monitor"
	monitor=
	stop_fixture "$FIXTURE_PID"
	sleep 1
	rmdir "$CGROUP"
done
echo "kernel mem: the leakmon cgroup's kernel memory (BPF maps and their elements, programs,"
echo "its own page tables and files); CPU at rest: share of one core over $MEASURE_SECONDS s;"
echo "created while watched: each thread a new high, its creator kept while slots last"
