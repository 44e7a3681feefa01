#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Minutes of watching (150 s at --growth-window 10s, --blocked-threshold 3s), two monitors at
# once: one on idle neighbours and a bursty pool, which must stay silent but for the one thread
# stuck on a held mutex, reported once; one system-wide while threads churn as fast as they
# can beside a leak: the leak alone is flagged.
. "$(dirname "$0")/lib.sh"

WATCH_S=${QUIET_WATCH_S:-150}

fixture_start quiet_neighbours || finish
quiet=$FIXTURE_PID
quiet_out=$FIXTURE_OUT
fixture_start bursty_pool || finish
bursty=$FIXTURE_PID
fixture_start thread_churn || finish
churn=$FIXTURE_PID

opts=(--json --interval 500ms --growth-window 10s --blocked-threshold 3s)
"$LEAKMON" "${opts[@]}" -p "$quiet,$bursty" >"$TMP/quiet.jsonl" 2>"$TMP/quiet.err" &
watcher=$!
"$LEAKMON" "${opts[@]}" >"$TMP/all.jsonl" 2>"$TMP/all.err" &
system=$!
sleep 2
fixture_start thread_leak || finish
leak=$FIXTURE_PID
start=$(date +%s.%N)
sleep "$WATCH_S"
kill -TERM "$watcher" "$system"
check "the watcher exits 0" wait "$watcher"
check "the system-wide monitor exits 0" wait "$system"
check_eq "no diagnostics" "" "$(diagnostics "$TMP/quiet.err" "$TMP/all.err")"

stuck=$(fixture_blocked "$quiet_out" | awk '$2 == "mutex" { print $1 }')
check_eq "${WATCH_S}s beside an idle pool, an epoll loop and a pipe consumer: one event, the stuck mutex" \
	"start blocked:$stuck:mutex stop" \
	"$(jq -r '.event + (if .tid then ":\(.tid):\(.wait_reason)" else "" end)' \
		"$TMP/quiet.jsonl" | tr '\n' ' ' | sed 's/ $//')"

events() {
	jq -r "select($1) | .event" "$TMP/all.jsonl" | sort | uniq -c | awk '{ print $2 ":" $1 }' |
		tr '\n' ' ' | sed 's/ $//'
}
check_eq "system-wide: one growth event in all, for the leak" "$leak" \
	"$(jq -r 'select(.event == "growth") | .pid' "$TMP/all.jsonl" | tr '\n' ' ' | sed 's/ $//')"
growth_at=$(date -d "$(jq -r --argjson pid "$leak" 'select(.event == "growth" and .pid == $pid) |
	.time' "$TMP/all.jsonl" | head -n 1)" +%s.%N)
check "system-wide: the leak flagged within 30 s" \
	awk -v s="$start" -v g="$growth_at" 'BEGIN { exit !(g - s <= 30) }'
check_eq "system-wide: nothing from the churning process" "" "$(events ".pid == $churn")"
check_eq "system-wide: nothing from the bursty pool" "" "$(events ".pid == $bursty")"
check_eq "system-wide: the idle neighbours as watched alone: one stuck mutex" "blocked:1" \
	"$(events ".pid == $quiet")"
finish
