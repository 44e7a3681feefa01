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

# watch_with TEXT: the system-wide monitor for 3 s under a file holding TEXT.
watch_with() {
	printf '%b' "interval = 200ms\nblocked-threshold = 1s\njson = true\n$1" >"$conf"
	"$LEAKMON" --config "$conf" >"$TMP/events.jsonl" 2>"$TMP/err" &
	local monitor=$!
	sleep 3
	kill -INT "$monitor"
	wait "$monitor"
}

watch_with ""
check_eq "no selection: both stuck processes (and maybe others)" "yes yes" \
	"$(for p in $convoy $held; do grep -qw "$p" <<<"$(blocked_pids)" && echo -n yes || echo -n no; echo -n ' '; done | sed 's/ $//')"
watch_with "watch-names = lock_con*\n"
check_eq "watch-names: only the matching process" "$convoy" "$(blocked_pids)"
watch_with "watch-executables = $(readlink -f "$FIXTURES")/mutex_held_fore*\n"
check_eq "watch-executables: only the matching file" "$held" "$(blocked_pids)"
watch_with "watch-cgroups = $cgroup\nignore-names = mutex_held_fore\n"
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
