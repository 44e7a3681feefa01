#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Waits as real servers wait: a lock waited for in 200 ms slices (MariaDB's metadata locks) is
# one wait from its first sleep, and with a stuck rule on its function one event past the
# threshold, whatever its kind; a worker parked on a mutex by design (Redis's I/O threads) is
# silent under an idle rule, and an event without one.
. "$(dirname "$0")/lib.sh"

fixture_start sliced_lock_wait || finish
inserter=$(awk '$1 == "blocked" { print $2 }' "$FIXTURE_OUT" | sed -n 1p)
parked=$(awk '$1 == "blocked" { print $2 }' "$FIXTURE_OUT" | sed -n 2p)
"$LEAKMON" --json -p "$FIXTURE_PID" --interval 300ms --blocked-threshold 2s \
	--stuck-functions 'wait_for_*' --idle-functions park_until_work >"$TMP/rules.jsonl" \
	2>"$TMP/rules.err" &
with_rules=$!
"$LEAKMON" --json -p "$FIXTURE_PID" --interval 300ms --blocked-threshold 2s \
	>"$TMP/plain.jsonl" 2>"$TMP/plain.err" &
without=$!
sleep 5
kill -INT "$with_rules" "$without"
check "the monitors exit 0" wait "$with_rules" "$without"
check_eq "with the rules: one event, the sliced lock wait's" "$inserter" \
	"$(jq -r 'select(.event == "blocked") | .tid' "$TMP/rules.jsonl")"
check "... one wait from its first sleep: blocked past the threshold, asleep under a slice" \
	json_matches "$TMP/rules.jsonl" '[.[] | select(.event == "blocked") |
	  .wait_reason == "condvar" and .timed and .blocked_s >= 2 and .sleep_s < 0.3 and
	  (.stack | map(.func) | index("wait_for_table_lock")) != null] == [true]' -s
check_eq "without rules: the parked worker's mutex wait is an event, the sliced wait none" \
	"$parked mutex" \
	"$(jq -r 'select(.event == "blocked") | "\(.tid) \(.wait_reason)"' "$TMP/plain.jsonl")"
check "every key of the events is documented" keys_documented "$TMP/rules.jsonl"

# A pattern that cannot be read is an error naming it, before anything is attached.
"$LEAKMON" -p "$FIXTURE_PID" --stuck-functions 'ha_[x' >/dev/null 2>"$TMP/bad.err"
check_eq "a [ never closed: exit 2" 2 "$?"
check "... and the error names the setting" grep -q "stuck-functions" "$TMP/bad.err"
printf 'idle-functions = ok,[x\n' >"$TMP/bad.conf"
"$LEAKMON" -p "$FIXTURE_PID" --config "$TMP/bad.conf" >/dev/null 2>"$TMP/badconf.err"
check_eq "in a file: exit 1" 1 "$?"
check "... naming the file and line" grep -q "bad.conf:1" "$TMP/badconf.err"
finish
