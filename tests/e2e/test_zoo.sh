#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The causes table as native threads: each fixture's snapshot against /proc and its own record
# of when each thread blocked (before leakmon started), with both thread-hook variants; who
# holds the other end of the pipes they wait on.
. "$(dirname "$0")/lib.sh"

ZOO="forgotten_sender forgotten_receiver unsignalled_condvar uncancelled_worker early_return
unclosed_pipe_reader unstopped_timer orphaned_library_worker mutex_held_forever"

for name in $ZOO; do
	fixture_start "$name" || continue
	sleep 1
	for hooks in tp_btf raw_tp; do
		json=$TMP/$name.$hooks.json
		if ! "$LEAKMON" snapshot --json --hooks "$hooks" -p "$FIXTURE_PID" >"$json" 2>"$TMP/err"; then
			fail "$name ($hooks): snapshot failed: $(cat "$TMP/err")"
			continue
		fi
		check_eq "$name ($hooks): only the asked process is listed" "$FIXTURE_PID" \
			"$(jq -r '[.processes[].pid] | join(",")' "$json")"
		check_against_truth "$json" "$FIXTURE_PID" "$FIXTURE_OUT" false
	done
done

# Pipe waits name the processes holding the pipe's other end: in the zoo, always the waiter's own
# process, which will never write (or read) nor close it. Processes whose descriptors root
# cannot read either (a sandbox's init, say) are counted, as found here.
unreadable=$(for fds in /proc/[0-9]*/fd; do
	stat -L "$fds"/* 2>&1 >/dev/null | grep -q 'Permission denied' && echo "$fds"
done | wc -l)
for name in forgotten_sender forgotten_receiver unclosed_pipe_reader; do
	fixture_start "$name" || continue
	json=$TMP/$name.pipes.json
	"$LEAKMON" snapshot --json -p "$FIXTURE_PID" >"$json"
	waiters=$(fixture_blocked "$FIXTURE_OUT" | awk '$2 ~ /^pipe_/' | wc -l)
	check_eq "$name: each of its $waiters pipe waiters names its own process at the other end" \
		"$(yes "[$FIXTURE_PID] $unreadable" | head -n "$waiters")" \
		"$(jq -r '.processes[0].threads[] | select(.wait | test("^pipe_"; "")?) |
			"\([.pipe_other_end[].pid]) \(.pipe_other_end_unread)"' "$json" | tr -d ' ' |
			sed 's/]/] /')"
	check "$name: other waits name no other end" json_matches "$json" \
		'all(.processes[0].threads[] | select(.wait == null or (.wait | test("^pipe_") | not));
		 .pipe_other_end == null and .pipe_other_end_unread == null)'
	"$LEAKMON" snapshot -p "$FIXTURE_PID" >"$TMP/text"
	check_eq "$name: text says it under the group" 1 \
		"$(grep -cE "^      other ends? of the pipes? held by pid $FIXTURE_PID [^ ]+ \(this process\)" \
			"$TMP/text")"
	"$LEAKMON" snapshot --no-stacks --json -p "$FIXTURE_PID" >"$json"
	check "$name: --no-stacks looks for no holders" json_matches "$json" \
		'all(.processes[0].threads[]; .pipe_other_end == null)'
done

# Cause 6, a loop with no exit: its threads never block, yet a dump lists them, by state.
fixture_start endless_loop 3 && {
	for i in $(seq 50); do
		[ "$(grep -c '^running' "$FIXTURE_OUT")" -eq 3 ] && break
		sleep 0.1
	done
	loopers=$(awk '$1 == "running" { print $2 }' "$FIXTURE_OUT" | sort -n | tr '\n' ' ')
	"$LEAKMON" snapshot --json -p "$FIXTURE_PID" >"$TMP/loop.json"
	check_eq "endless_loop: its looping threads are running, none blocked" "${loopers% }" \
		"$(jq -r '[.processes[0].threads[] | select(.comm == "looper") |
			select(.state == "running" and .wait == null) | .tid] | sort | join(" ")' \
			"$TMP/loop.json")"
	"$LEAKMON" snapshot -p "$FIXTURE_PID" >"$TMP/loop.txt"
	check_eq "endless_loop: text lists them after the blocked, as a group of their state" \
		"  3 @ [running];     $(for t in $loopers; do printf ' %s looper,' "$t"; done | sed 's/,$//')" \
		"$(grep -A1 '^  [0-9]* @ \[running\]$' "$TMP/loop.txt" | tr '\n' ';' | sed 's/;$//')"
	"$LEAKMON" snapshot --min-blocked 1ms -p "$FIXTURE_PID" >"$TMP/loop.txt"
	check "endless_loop: --min-blocked lists blocked threads only" \
		bash -c "! grep -q running '$TMP/loop.txt'"
	kill -9 "$FIXTURE_PID"
}

# The timed flag follows the syscall arguments.
fixture_start orphaned_library_worker && {
	"$LEAKMON" snapshot --json -p "$FIXTURE_PID" >"$TMP/timed.json"
	tid=$(fixture_blocked "$FIXTURE_OUT" | awk '$2 == "futex" { print $1 }')
	check_eq "pthread_cond_timedwait is a timed wait" true "$(json_thread "$TMP/timed.json" "$tid" timed)"
}
fixture_start unsignalled_condvar && {
	"$LEAKMON" snapshot --json -p "$FIXTURE_PID" >"$TMP/untimed.json"
	tid=$(fixture_blocked "$FIXTURE_OUT" | awk '$2 == "futex" { print $1; exit }')
	check_eq "pthread_cond_wait is an untimed wait" false "$(json_thread "$TMP/untimed.json" "$tid" timed)"
}
finish
