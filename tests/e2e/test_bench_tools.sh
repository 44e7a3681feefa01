#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The benchmarks' own programs (make bench-tools), so that `make bench` measures what it says:
# the floor hooks exactly the tracepoints leakmon hooks, in the same variant; thread churn
# reports a rate.
. "$(dirname "$0")/lib.sh"
TOOLS=$(dirname "$FIXTURES")/bench

# tracepoints PID: the tracepoints the process's BPF links are attached to, sorted.
tracepoints() {
	awk '/^tp_name:/ { print $2 }' /proc/"$1"/fdinfo/* 2>/dev/null | sort | tr '\n' ' '
}

# wait_attached FILE: until the floor writing FILE says its programs are attached (5 s at most).
wait_attached() {
	local i
	for i in $(seq 100); do
		grep -q '^attached' "$1" && return
		sleep 0.05
	done
}

"$TOOLS/floor" >"$TMP/floor.out" 2>&1 &
floor=$!
STARTED_PIDS+=("$floor")
"$LEAKMON" -v --json --interval 10s >"$TMP/monitor.out" 2>"$TMP/monitor.err" &
monitor=$!
STARTED_PIDS+=("$monitor")
wait_for "$TMP/monitor.out" '.event == "start"' || fail "leakmon did not start"
wait_attached "$TMP/floor.out"
# Where the scheduler dates every run itself (CONFIG_SCHED_INFO), sleeps are dated from that and
# nothing runs at sched_switch, the hottest hook there is.
if [ -e /proc/self/schedstat ]; then
	hooks="sched_process_fork "
else
	hooks="sched_process_fork sched_switch "
fi
check_eq "leakmon hooks thread creation$([ -e /proc/self/schedstat ] &&
	echo ", not the scheduler's switch")" "$hooks" "$(tracepoints "$monitor")"
check_eq "the floor hooks exactly the same tracepoints" "$(tracepoints "$monitor")" \
	"$(tracepoints "$floor")"
check_eq "... in the variant leakmon chose here" \
	"attached $(jq -r '.debug // empty' "$TMP/monitor.err" | sed -n 's/^thread hooks: \([a-z_]*\);.*/\1/p')" \
	"$(cat "$TMP/floor.out")"
kill -TERM "$floor"
check "the floor stops on SIGTERM with exit code 0" wait "$floor"

# The per-event reference that reads one map value: the same hooks, and a thread creation
# program that holds a map (the empty ones hold none).
"$TOOLS/floor" --map-read >"$TMP/floor_map.out" 2>&1 &
floor_map=$!
STARTED_PIDS+=("$floor_map")
wait_attached "$TMP/floor_map.out"
check_eq "floor --map-read hooks the same tracepoints" "$(tracepoints "$monitor")" \
	"$(tracepoints "$floor_map")"
# Typed tracepoints only: with raw ones there is no thread creation hook (see above).
if [ "$(cat "$TMP/floor.out")" = "attached tp_btf" ]; then
	check_eq "... and its thread creation program reads a map" 1 \
		"$(bpftool prog show -j | jq '[.[] | select(.name == "floor_created_btf_map") |
			select((.map_ids // []) | length > 0)] | length')"
fi
kill -TERM "$floor_map"
check "floor --map-read stops on SIGTERM with exit code 0" wait "$floor_map"
check_eq "the floor refuses an unknown argument with exit code 2" 2 \
	"$("$TOOLS/floor" --bogus >/dev/null 2>&1; echo $?)"
kill -TERM "$monitor"
wait "$monitor"

# What each read of a fork hook costs: every program of the object, leakmon's own hook among
# them, measured while churn ran, against the empty program; then the slot's read beside each
# program that touches memory near it first. Typed tracepoints only, as the floor's map read.
if [ "$(cat "$TMP/floor.out")" = "attached tp_btf" ]; then
	"$TOOLS/fork_reads" "$TOOLS/churn_rate" 1 >"$TMP/fork_reads.out" 2>"$TMP/fork_reads.err"
	check_eq "fork_reads runs a round with exit code 0" 0 $?
	check_eq "... and says nothing on stderr" "" "$(cat "$TMP/fork_reads.err")"
	rows=$(awk -F'|' '$2 ~ /^ (reads_|thread_created_btf|touches_)/ { gsub(/ /, "", $2); print $2 }' \
		"$TMP/fork_reads.out" | tr '\n' ' ')
	expected="reads_nothing reads_tgids reads_thread_count reads_signal_quiet_line reads_pid_slot"
	expected+=" reads_one_slot_map reads_cpu_slot reads_count_and_slot thread_created_btf"
	expected+=" touches_nothing touches_the_slot touches_its_page touches_another_page "
	check_eq "... a row for each read and for leakmon's fork hook, then for each touch first" \
		"$expected" "$rows"
	check_eq "... each measured program ran at the creations churn made" 0 \
		"$(awk -F'|' '$2 ~ /^ (reads_|thread_|touches_)/ && $3 + 0 < 1000' "$TMP/fork_reads.out" |
			wc -l)"
	baseline_cells='\| +[0-9]+ \| [0-9.]+ \([0-9.-]+\) +\| 1\.00x \(1\.00-1\.00\)'
	check "... the empty program is its own baseline" \
		grep -qE "^\| reads_nothing +$baseline_cells" "$TMP/fork_reads.out"
	check "... and touching nothing first is the slot's" \
		grep -qE "^\| touches_nothing +$baseline_cells" "$TMP/fork_reads.out"
fi
check_eq "fork_reads refuses a missing churn tool with exit code 2" 2 \
	"$("$TOOLS/fork_reads" >/dev/null 2>&1; echo $?)"
check_eq "... and zero rounds with exit code 2" 2 \
	"$("$TOOLS/fork_reads" "$TOOLS/churn_rate" 0 >/dev/null 2>&1; echo $?)"
check "thread churn prints a rate" grep -qE '^[1-9][0-9]* threads/s$' \
	<<<"$("$TOOLS/churn_rate" 0.5)"
finish
