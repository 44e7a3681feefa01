#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The causes table as native threads: each fixture's snapshot against /proc and its own record
# of when each thread blocked (before leakmon started), with both thread-hook variants.
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
