#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The system-wide monitor driven by a configuration file: which processes it watches (by name,
# executable, cgroup), options on the command line over the file, and SIGHUP reading it again
# (a good file takes effect, a bad one keeps the running settings, restart-only keys warn).
. "$(dirname "$0")/lib.sh"

fixture_start lock_convoy 2 || finish
convoy=$FIXTURE_PID
fixture_start mutex_held_forever || finish
held=$FIXTURE_PID
conf=$TMP/leakmon.conf
cgroup=$(sed -n 's/^0:://p' "/proc/$convoy/cgroup")

# blocked pids PIDS...: the pids with blocked events in the monitor's output, sorted.
blocked_pids() {
	jq -r 'select(.event == "blocked") | .pid' "$TMP/events.jsonl" | sort -un | tr '\n' ' ' |
		sed 's/ $//'
}

# watch_with TEXT [PID...]: the system-wide monitor under a file holding TEXT, for 3 s and until
# each PID given was reported (a first look at the whole machine can take seconds when it is busy).
watch_with() {
	local text=$1 monitor i p missing
	shift
	printf '%b' "interval = 200ms\nblocked-threshold = 1s\njson = true\n$text" >"$conf"
	"$LEAKMON" --config "$conf" >"$TMP/events.jsonl" 2>"$TMP/err" &
	monitor=$!
	for i in $(seq 60); do
		sleep 0.5
		missing=0
		for p in "$@"; do
			grep -qw "$p" <<<"$(blocked_pids)" || missing=1
		done
		[ "$missing" = 0 ] && [ "$i" -ge 6 ] && break
	done
	kill -INT "$monitor"
	wait "$monitor"
}

watch_with "" "$convoy" "$held"
check_eq "no selection: both stuck processes (and maybe others)" \
	"$(printf '%s\n' "$convoy" "$held" | sort -n | tr '\n' ' ' | sed 's/ $//')" \
	"$(blocked_pids | tr ' ' '\n' | grep -xE "$convoy|$held" | tr '\n' ' ' | sed 's/ $//')"
watch_with "watch-names = lock_con*\n" "$convoy"
check_eq "watch-names: only the matching process" "$convoy" "$(blocked_pids)"
executables=$(readlink -f "$FIXTURES")/mutex_held_fore*
watch_with "watch-executables = $executables\n" "$held"
check_eq "watch-executables: only the matching file" "$held" "$(blocked_pids)"
watch_with "watch-cgroups = $cgroup\nignore-names = mutex_held_fore\n" "$convoy"
check_eq "watch-cgroups with ignore-names: the cgroup minus the ignored name" "$convoy" \
	"$(blocked_pids | tr ' ' '\n' | grep -xE "$convoy|$held" | tr '\n' ' ' | sed 's/ $//')"
watch_with "watch-cgroups = /no/such.slice\n"
check_eq "watch-cgroups elsewhere: nothing" "" "$(blocked_pids)"
check_eq "no diagnostics" "" "$(diagnostics "$TMP/err")"

# The command line over the file: --blocked-threshold 1h silences the stuck threads.
printf 'interval = 200ms\nblocked-threshold = 1s\njson = true\n' >"$conf"
"$LEAKMON" --config "$conf" --blocked-threshold 1h -p "$convoy" >"$TMP/cli.jsonl" 2>&1 &
monitor=$!
sleep 2
kill -INT "$monitor"
wait "$monitor"
check_eq "the command line wins over the file" "start stop" \
	"$(jq -r .event "$TMP/cli.jsonl" | tr '\n' ' ' | sed 's/ $//')"

# Reload: blocked-kinds widened by SIGHUP; a bad file then keeps the running settings.
printf 'interval = 200ms\nblocked-threshold = 1s\njson = true\nblocked-kinds = pipe_write\n' >"$conf"
"$LEAKMON" --config "$conf" -p "$convoy" >"$TMP/reload.jsonl" 2>"$TMP/reload.err" &
monitor=$!
sleep 2
check_eq "before the reload: mutex waits are not alerted" 0 \
	"$(jq -s '[.[] | select(.event == "blocked")] | length' "$TMP/reload.jsonl")"
printf 'interval = 200ms\nblocked-threshold = 1s\njson = false\nblocked-kinds = mutex\n' >"$conf"
kill -HUP "$monitor"
check "after SIGHUP: a reload event, then the mutex waiters reported" \
	wait_for "$TMP/reload.jsonl" '.event == "blocked" and .wait_reason == "mutex"'
check "json changes only on restart: said, and the output stays JSON" \
	grep -q "reload: 'json' changes only when leakmon starts again" "$TMP/reload.err"
printf 'interval = 200ms\nbogus = 1\n' >"$conf"
kill -HUP "$monitor"
sleep 1
check "a bad file on reload: its error and the settings kept" \
	grep -q "$conf:2: unknown key 'bogus'" "$TMP/reload.err"
check "... and the monitor runs on" kill -0 "$monitor"
kill -TERM "$monitor"
check "exits 0" wait "$monitor"
check_eq "events: start, reload, the stuck mutex waiters by group (2 queued alike, main), stop" \
	"start reload blocked:1 blocked:2 stop" \
	"$(jq -r '.event + (if .event == "blocked" then ":\(.count)" else "" end)' \
		"$TMP/reload.jsonl" | tr '\n' ' ' | sed 's/ $//')"
check_eq "... each stuck waiter said once" \
	"$(jq -r 'select(.event == "blocked") | .tids[]' "$TMP/reload.jsonl" | sort -u | wc -l)" \
	"$(jq -r 'select(.event == "blocked") | .tids[]' "$TMP/reload.jsonl" | wc -l)"
check "every line is JSON" json_matches "$TMP/reload.jsonl" 'length > 0' -s
finish
