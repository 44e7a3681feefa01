#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Prometheus metrics from the live monitor: the exposition passes promtool, shows a stuck
# process's threads and alerts, bounds its series (--metrics-top), escapes hostile names, and
# an address already in use is refused before anything is attached.
. "$(dirname "$0")/lib.sh"

port=$((20000 + RANDOM % 20000))
fixture_start lock_convoy 3 || finish
convoy=$FIXTURE_PID
fixture_start hostile_names || finish
hostile=$FIXTURE_PID

"$LEAKMON" --metrics "127.0.0.1:$port" --metrics-top 2 --interval 200ms --blocked-threshold 1s \
	--json -p "$convoy,$hostile" >"$TMP/events.jsonl" 2>"$TMP/err" &
monitor=$!
scrape_until "$port" 'leakmon_alerts_total{kind="blocked"} 2'
check "the exposition passes promtool check metrics" \
	bash -c "promtool check metrics <'$TMP/metrics.txt' >'$TMP/promtool.out' 2>&1 && ! [ -s '$TMP/promtool.out' ]"
check_eq "the convoy's four mutex waiters are blocked threads, in two alerts: 3 queued alike, main" \
	'leakmon_blocked_threads{wait="mutex"} 4 leakmon_alerts_total{kind="blocked"} 2' \
	"$(grep -E '^leakmon_(blocked_threads\{wait="mutex"\}|alerts_total\{kind="blocked"\})' \
		"$TMP/metrics.txt" | tr '\n' ' ' | sed 's/ $//')"
check_eq "per process: its threads, as /proc counts them" \
	"leakmon_process_threads{pid=\"$convoy\",comm=\"lock_convoy\"} $(ls /proc/$convoy/task | wc -l)" \
	"$(grep "^leakmon_process_threads{pid=\"$convoy\"" "$TMP/metrics.txt")"
check "the hostile name: escapes and control bytes made harmless, still one line" \
	grep -qE "^leakmon_process_threads\{pid=\"$hostile\",comm=\"\?\]0;pwned\?\"\} $(ls /proc/$hostile/task | wc -l)$" \
	"$TMP/metrics.txt"
check_eq "series bounded by --metrics-top" 2 \
	"$(grep -c '^leakmon_process_threads{' "$TMP/metrics.txt")"
check_eq "health: watched processes, none hidden, scan time" "2 0 yes" \
	"$(awk '/^leakmon_watched_processes / { w = $2 } /^leakmon_hidden_processes / { h = $2 }
		/^leakmon_scan_duration_seconds / { s = ($2 > 0 && $2 < 5) ? "yes" : "no" }
		END { print w, h, s }' "$TMP/metrics.txt")"
check "the alerting rules pass promtool check rules" \
	bash -c "promtool check rules deploy/prometheus/leakmon-rules.yml >'$TMP/rules.out' 2>&1"
check_eq "anything else: 404" 404 \
	"$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/")"

# The port is taken now: a second monitor says so and attaches nothing: no link newer than the
# newest before it (a count would see an earlier test's links, freed lazily, go meanwhile).
newest_link=$(bpftool link list -j 2>/dev/null | jq '[.[].id] | max // 0')
"$LEAKMON" --metrics "127.0.0.1:$port" >"$TMP/out2" 2>"$TMP/err2"
check_eq "address in use: exit 1" 1 "$?"
check_eq "... one line naming it" \
	"leakmon: error: --metrics: cannot listen on 127.0.0.1:$port: Address already in use" \
	"$(cat "$TMP/err2")"
check_eq "... nothing attached" 0 \
	"$(bpftool link list -j 2>/dev/null | jq --argjson n "$newest_link" '[.[] | select(.id > $n)] | length')"
kill -INT "$monitor"
check "the monitor exits 0" wait "$monitor"
check_eq "no diagnostics" "" "$(diagnostics "$TMP/err")"
finish
