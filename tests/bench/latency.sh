#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# How fast the monitor answers, at its default interval (1 s), over ROUNDS runs: a leak of two
# threads a second beside a churning healthy pool (fixtures/thread_leak), flagged how long after
# watching starts at --growth-window 10s (the rule needs two windows of history: 20 s is the
# least possible); a thread stuck on a held mutex (fixtures/quiet_neighbours), reported how long
# past --blocked-threshold 3s (one interval is the most it should take).
. "$(dirname "$0")/lib.sh"
ROUNDS=${ROUNDS:-5}
WORK=$BENCH_TMP
monitor=
on_exit 'kill -9 $monitor 2>/dev/null'

ms_to_s() {
	awk -v ms="$1" 'BEGIN { print ms / 1000 }'
}

# epoch TIME: seconds since the epoch of an event's ISO 8601 time.
epoch() {
	date -d "$1" +%s.%N
}

for round in $(seq "$ROUNDS"); do
	start_fixture thread_leak
	leak=$FIXTURE_PID
	start_fixture quiet_neighbours
	quiet=$FIXTURE_PID
	quiet_out=$FIXTURE_OUT
	events=$WORK/events.$round
	begin=$(date +%s.%N)
	"$BUILD/leakmon" --json -p "$leak,$quiet" --growth-window 10s --blocked-threshold 3s \
		>"$events" 2>"$WORK/err" &
	monitor=$!
	for _ in $(seq 600); do
		[ "$(jq -s '[.[] | select(.event == "growth" or .event == "blocked")] | length' \
			"$events")" -ge 2 ] && break
		sleep 0.1
	done
	kill -TERM "$monitor"
	wait "$monitor"
	growth=$(jq -r "select(.event == \"growth\" and .pid == $leak) | .time" "$events")
	blocked=$(jq -r "select(.event == \"blocked\" and .pid == $quiet) | .time" "$events")
	stuck=$(awk '$1 == "blocked" && $3 == "mutex" { print $4 }' "$quiet_out")
	if [ -z "$growth" ] || [ -z "$blocked" ] || [ -z "$stuck" ]; then
		echo "latency: round $round saw no growth or no blocked event:" >&2
		cat "$events" "$WORK/err" >&2
		exit 1
	fi
	awk -v g="$(epoch "$growth")" -v b="$begin" 'BEGIN { print int((g - b) * 1e6) }' \
		>>"$WORK/growth"
	awk -v r="$(epoch "$blocked")" -v s="$stuck" 'BEGIN { print int((r - s - 3) * 1e6) }' \
		>>"$WORK/stuck"
	stop_fixture "$leak"
	stop_fixture "$quiet"
done

echo "detection latency, default interval (1 s), $ROUNDS rounds (s: min median max)"
printf '| %-58s | %6s | %6s | %6s |\n' what min median max
printf '| %-58s | %6s | %6s | %6s |\n' --- ---: ---: ---:
read -r min med max < <(stats <"$WORK/growth")
printf '| %-58s | %6.1f | %6.1f | %6.1f |\n' \
	"leak flagged, after watching starts (--growth-window 10s)" \
	"$(ms_to_s "$min")" "$(ms_to_s "$med")" "$(ms_to_s "$max")"
read -r min med max < <(stats <"$WORK/stuck")
printf '| %-58s | %6.2f | %6.2f | %6.2f |\n' "stuck mutex reported, past --blocked-threshold 3s" \
	"$(ms_to_s "$min")" "$(ms_to_s "$med")" "$(ms_to_s "$max")"
