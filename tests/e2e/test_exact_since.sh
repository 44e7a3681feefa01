#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Every sleep is dated to within milliseconds of the truth, whether it began before leakmon
# attached or after, and with no program at sched_switch where the scheduler dates runs itself.
# A real-time thread's sleep is dated only to within its last run on a CPU, and says so.
. "$(dirname "$0")/lib.sh"

# check_precise JSON FIXTURE_OUT: each announced wait's blocked_s within 50 ms of the truth
# (the snapshot's time is printed to the millisecond) and not marked as estimated.
check_precise() {
	local json=$1 out=$2 when tid kind at
	when=$(snapshot_epoch "$json")
	while read -r tid kind at; do
		check_near "tid $tid ($kind) blocked_s within 50 ms of the truth" \
			"$(awk -v w="$when" -v a="$at" 'BEGIN { printf "%.3f", w - a }')" \
			"$(json_thread "$json" "$tid" blocked_s)" 0.05
		check_eq "tid $tid blocked_since_estimated" false \
			"$(json_thread "$json" "$tid" blocked_since_estimated)"
	done < <(fixture_blocked "$out")
}

# The raw-tracepoint variant dates sleeps by its own sched_switch hook: as precise.
for hooks in tp_btf raw_tp; do
	fixture_start late_blocker || finish
	json=$TMP/late-$hooks.json
	check "leakmon attaches ($hooks)" leakmon_delayed "$json" --json --hooks "$hooks" \
		--delay 3s -p "$FIXTURE_PID"
	sleep 1
	echo go >&7
	check "snapshot with --delay succeeds" wait "$LEAKMON_PID"
	check_eq "the late wait is announced" 1 "$(fixture_blocked "$FIXTURE_OUT" | grep -c futex)"
	check_precise "$json" "$FIXTURE_OUT"
	check_against_truth "$json" "$FIXTURE_PID" "$FIXTURE_OUT" false
	# Waits that began long before a cold snapshot.
	sleep 2
	"$LEAKMON" snapshot --json --no-stacks --hooks "$hooks" -p "$FIXTURE_PID" >"$TMP/cold.json"
	check_eq "a cold snapshot succeeds" 0 "$?"
	check_precise "$TMP/cold.json" "$FIXTURE_OUT"
	kill "$FIXTURE_PID"
done

fixture_start unsignalled_condvar || finish
check "the waiters become real-time threads" chrt -a -f -p 1 "$FIXTURE_PID"
"$LEAKMON" snapshot --json --no-stacks -p "$FIXTURE_PID" >"$TMP/rt.json"
check_eq "a snapshot of real-time threads succeeds" 0 "$?"
check_against_truth "$TMP/rt.json" "$FIXTURE_PID" "$FIXTURE_OUT" true
finish
