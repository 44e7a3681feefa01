#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Timed waits after a stop and continue (SIGSTOP/SIGCONT, as a debugger's or eu-stack's attach
# leaves them): the kernel shows restart_syscall until each wait ends, hours later for an idle
# connection. leakmon says what each wait is: its syscall, kind, object and timeout, from the
# restart block the kernel keeps and the registers that still hold the wait's arguments.
. "$(dirname "$0")/lib.sh"

# stop_and_continue PID: every thread of PID stopped, then continued.
stop_and_continue() {
	kill -STOP "$1"
	sleep 0.3
	kill -CONT "$1"
	sleep 0.3
}

fixture_start stopped_waits && {
	pid=$FIXTURE_PID
	stop_and_continue "$pid"
	stuck=0
	while read -r tid kind at; do
		[ "$(cut -d' ' -f1 "/proc/$pid/task/$tid/syscall")" == 219 ] && stuck=$((stuck + 1))
	done < <(fixture_blocked "$FIXTURE_OUT" | grep -v pause)
	check_eq "the kernel shows the three timed waits in restart_syscall" 3 "$stuck"
	"$LEAKMON" snapshot --json -p "$pid" >"$TMP/stopped.json"
	while read -r tid kind at; do
		[ "$kind" == pause ] && continue
		check_eq "tid $tid: the wait it was, $kind, timed" "$kind true" \
			"$(json_thread "$TMP/stopped.json" "$tid" wait) $(json_thread \
				"$TMP/stopped.json" "$tid" timed)"
	done < <(fixture_blocked "$FIXTURE_OUT")
	condvar=$(awk '$1 == "condvar" { print $2 }' "$FIXTURE_OUT")
	tid=$(fixture_blocked "$FIXTURE_OUT" | awk '$2 == "futex" { print $1 }')
	check_eq "the timed condvar wait: futex (202), a condvar" "202 condvar" \
		"$(json_thread "$TMP/stopped.json" "$tid" syscall) $(json_thread "$TMP/stopped.json" \
			"$tid" wait_reason)"
	object=$(json_thread "$TMP/stopped.json" "$tid" wait_object)
	check "... on a word of its condvar ($object in the 48 bytes at $condvar)" \
		test $((object)) -ge $((condvar)) -a $((object)) -lt $((condvar + 48))
	check "no thread is left in restart_syscall" json_matches "$TMP/stopped.json" \
		'[.processes[].threads[] | select(.wait == "restart_syscall")] | length == 0'
}

# The issue's own case: `sleep 1000` after a stop and continue.
sleep 1000 &
sleeper=$!
disown "$sleeper"
STARTED_PIDS+=("$sleeper")
sleep 0.3
stop_and_continue "$sleeper"
"$LEAKMON" snapshot --json -p "$sleeper" >"$TMP/sleep.json"
check_eq "sleep 1000, stopped and continued: clock_nanosleep (230), timed" \
	"clock_nanosleep 230 true" \
	"$(json_thread "$TMP/sleep.json" "$sleeper" wait) $(json_thread "$TMP/sleep.json" \
		"$sleeper" syscall) $(json_thread "$TMP/sleep.json" "$sleeper" timed)"
finish
