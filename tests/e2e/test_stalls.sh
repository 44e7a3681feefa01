#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Stalls in a snapshot: every thread of a process waiting on a futex with no timeout, each for
# a second at least (the threads are read one after another: so long asleep, none was woken
# meanwhile). Provable when every futex is process-private; a shared one could be woken by
# another process; a main thread in pause(), a timed wait or a thread still settling is none.
. "$(dirname "$0")/lib.sh"

# stall_of JSON: the process's stall as "threads:provable", or null.
stall_of() {
	jq -r '.processes[0].stall | if . then "\(.threads):\(.provable)" else "null" end' "$1"
}

fixture_start all_asleep && {
	json=$TMP/settling.json
	"$LEAKMON" snapshot --json -p "$FIXTURE_PID" >"$json"
	check "just asleep: no stall before every thread has slept a second" json_matches "$json" \
		'.processes[0] | .stall == null or ([.threads[].blocked_s] | min >= 1)'
	sleep 1.5
	"$LEAKMON" snapshot --json -p "$FIXTURE_PID" >"$TMP/asleep.json"
	check_eq "all asleep on private futexes: a provable stall of both threads" "2:true" \
		"$(stall_of "$TMP/asleep.json")"
	"$LEAKMON" snapshot --no-stacks --json -p "$FIXTURE_PID" >"$TMP/asleep.json"
	check_eq "... found without stacks too" "2:true" "$(stall_of "$TMP/asleep.json")"
	"$LEAKMON" snapshot -p "$FIXTURE_PID" >"$TMP/text"
	check "... counted in the header line" \
		grep -qE '^leakmon snapshot .*, [0-9]+ blocked, 1 stalled process$' "$TMP/text"
	check_eq "... and said first under the process in text" \
		"  stall: all 2 threads wait without a timeout, all on private futexes: nothing but a signal can wake them" \
		"$(sed -n '/^PID /{n;p}' "$TMP/text")"
}
fixture_start all_asleep shared && {
	sleep 1.2
	"$LEAKMON" snapshot --json -p "$FIXTURE_PID" >"$TMP/shared.json"
	check_eq "a process-shared semaphore: a stall, not provable" "2:false" \
		"$(stall_of "$TMP/shared.json")"
	"$LEAKMON" snapshot -p "$FIXTURE_PID" >"$TMP/text"
	check_eq "... and said so in text" "  stall: all 2 threads wait without a timeout" \
		"$(sed -n '/^PID /{n;p}' "$TMP/text")"
}
for name in unsignalled_condvar uncancelled_worker abba_deadlock; do
	fixture_start "$name" || continue
	sleep 1.2
	"$LEAKMON" snapshot --json -p "$FIXTURE_PID" >"$TMP/$name.json"
	check_eq "$name: no stall" null "$(stall_of "$TMP/$name.json")"
	"$LEAKMON" snapshot -p "$FIXTURE_PID" >"$TMP/text"
	check_eq "$name: no stall in text" 0 "$(grep -c '^  stall:\|stalled process$' "$TMP/text")"
done
finish
