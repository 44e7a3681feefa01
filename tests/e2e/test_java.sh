#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Java monitors in a HotSpot JVM, read from HotSpot's own tables as jstack reads them: a thread
# entering a synchronized block another holds waits for a mutex, the monitor, held by that
# thread, whether the holder took it on its own stack (a BasicLock) or as an inflated monitor
# (its JavaThread); rings of them are deadlocks; a thread in Object.wait() waits on a condvar,
# the monitor of the object it waits on, shared by every thread waiting on that object. Live,
# the monitor reads the JVM at every look: a thread entering a monitor parks a second at a time,
# yet its wait is one, dated from the first look that saw it, and raised once; a ring is seen
# from the JVM, before any of its waits passes a threshold.
. "$(dirname "$0")/lib.sh"

for ring in "2" "3" "2 inflated" "4 inflated"; do
	set -- $ring
	label="java ring of $1${2:+, $2}"
	fixture_start java_monitors ring $ring || continue
	json=$TMP/ring.json
	"$LEAKMON" snapshot --json -p "$FIXTURE_PID" >"$json" 2>"$TMP/err"
	check_eq "$label: the snapshot succeeds quietly" "" "$(cat "$TMP/err")"
	expected=$(ring_links "$FIXTURE_PID")
	check_eq "$label: $1 threads named by /proc" "$1" "$(echo "$expected" | grep -c .)"
	check_eq "$label: one cycle, each waiter with the monitor's owner" \
		"1;$(echo "$expected" | while read -r tid owner; do
			echo -n "$tid $owner $(json_thread "$json" "$tid" wait_object);"
		done)" \
		"$(snapshot_cycle "$json")"
	check_eq "$label: each waits for a mutex, a monitor of its own" "$1 $1" \
		"$(jq -r '[.processes[0].threads[] | select(.wait_reason == "mutex")] |
			"\(length) \(map(.wait_object) | unique | length)"' "$json")"
	"$LEAKMON" snapshot -p "$FIXTURE_PID" >"$TMP/text" 2>&1
	check_eq "$label: text names the cycle" \
		"  deadlock: $1 threads wait for each other's mutexes" \
		"$(grep '^  deadlock:' "$TMP/text")"
	watch_live 2.5 "$TMP/ring.jsonl" "$label"
	check_eq "$label, live: the deadlock, as in the snapshot" "$(snapshot_cycle "$json")" \
		"$(live_cycle "$TMP/ring.jsonl")"
	check_eq "$label, live: ... before any of its waits passed the threshold" deadlock \
		"$(jq -r 'select(.event == "deadlock" or .event == "blocked") | .event' \
			"$TMP/ring.jsonl" | head -1)"
	check_eq "$label, live: each ring thread's wait raised once, though it parks again" \
		"$(echo "$expected" | awk '{ print $1 }')" \
		"$(jq -r 'select(.event == "blocked") | .tids[]' "$TMP/ring.jsonl" | sort -n)"
	kill -9 "$FIXTURE_PID"
done

fixture_start java_monitors held && {
	json=$TMP/held.json
	holder=$(grep -l '^holder$' /proc/"$FIXTURE_PID"/task/*/comm | cut -d/ -f5)
	waiter=$(grep -l '^waiter$' /proc/"$FIXTURE_PID"/task/*/comm | cut -d/ -f5)
	"$LEAKMON" snapshot --json -p "$FIXTURE_PID" >"$json"
	check_eq "java held: the waiter waits for a mutex held by the sleeping holder" \
		"mutex $holder" \
		"$(json_thread "$json" "$waiter" wait_reason) $(json_thread "$json" "$waiter" \
			mutex_owner)"
	check_eq "java held: no deadlock" 0 "$(jq '.processes[0].deadlocks | length' "$json")"
	"$LEAKMON" snapshot -p "$FIXTURE_PID" >"$TMP/text" 2>&1
	check "java held: text: held by the holder" grep -qE \
		"^  1 @ \[mutex, [0-9.]+m?s\] on $(json_thread "$json" "$waiter" wait_object) held by $holder holder( \(timed\))?$" \
		"$TMP/text"
	watch_live 2.5 "$TMP/held.jsonl" "java held"
	check_eq "java held, live: one event, the waiter's, held by the holder" \
		"$waiter mutex $holder" \
		"$(jq -r 'select(.event == "blocked") | "\(.tid) \(.wait_reason) \(.mutex_owner)"' \
			"$TMP/held.jsonl")"
	check "java held, live: ... blocked past the threshold, though no park lasts a second" \
		json_matches "$TMP/held.jsonl" \
		'map(select(.event == "blocked") | .blocked_s >= 1) | length == 1 and all' -s
	kill -9 "$FIXTURE_PID"
}

fixture_start java_monitors wait && {
	json=$TMP/wait.json
	"$LEAKMON" snapshot --json -p "$FIXTURE_PID" >"$json"
	waits() {
		jq -r --arg c "$1" '.processes[0].threads[] | select(.comm == $c) |
			"\(.wait_reason) \(.wait_object) \(.mutex_owner)"' "$json"
	}
	check_eq "java Object.wait: a condvar, the monitor, no owner" \
		"condvar null" "$(waits waiter-1 | awk '{ print $1, $3 }')"
	check_eq "... both waiters on one object share it" "$(waits waiter-1)" "$(waits waiter-2)"
	check "... one on another object has another" \
		test "$(waits waiter-1)" != "$(waits waiter-other)"
	check_eq "... no other thread waits on it" 2 \
		"$(jq --arg o "$(waits waiter-1 | cut -d' ' -f2)" \
			'[.processes[0].threads[] | select(.wait_object == $o)] | length' "$json")"
	kill -9 "$FIXTURE_PID"
}
finish
