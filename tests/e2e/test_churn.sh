#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Threads created and exited while leakmon attaches and reads do not break a snapshot, and the
# count is exact once the churn stops.
. "$(dirname "$0")/lib.sh"

fixture_start thread_churn || finish

# Main and the two spawners always live; children in creation or exit come and go.
ok=0
for i in $(seq 10); do
	if ! "$LEAKMON" snapshot --json >"$TMP/all.json" 2>"$TMP/err"; then
		echo "snapshot $i failed: $(cat "$TMP/err")"
		continue
	fi
	count=$(jq --argjson pid "$FIXTURE_PID" '.processes[] | select(.pid == $pid) | .thread_count' \
		"$TMP/all.json")
	if [ -n "$count" ] && [ "$count" -ge 3 ] && [ "$count" -le 7 ]; then
		ok=$((ok + 1))
	else
		echo "snapshot $i: thread_count '$count': $(jq -c --argjson pid "$FIXTURE_PID" \
			'.processes[] | select(.pid == $pid) | [.threads[] | [.tid, .state]]' "$TMP/all.json")"
	fi
done
check_eq "10 system-wide snapshots amid churn succeed with a sane count" 10 "$ok"

for hooks in tp_btf raw_tp; do
	# Stop the churn after leakmon attached: creations and exits until then go through the hooks.
	leakmon_delayed "$TMP/$hooks.json" --json --hooks "$hooks" --delay 1500ms -p "$FIXTURE_PID"
	sleep 0.5
	kill -STOP "$FIXTURE_PID"
	check "$hooks: snapshot succeeds" wait "$LEAKMON_PID"
	check_eq "$hooks: count equals /proc after churn" "$(ls /proc/$FIXTURE_PID/task | wc -l)" \
		"$(jq --argjson pid "$FIXTURE_PID" '.processes[] | select(.pid == $pid) | .thread_count' \
			"$TMP/$hooks.json")"
	check_eq "$hooks: listed threads equal /proc" "$(proc_tids "$FIXTURE_PID")" \
		"$(json_tids "$TMP/$hooks.json" "$FIXTURE_PID")"
	kill -CONT "$FIXTURE_PID"
done
finish
