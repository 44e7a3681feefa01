#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Processes that come and go under the monitor: a pid (and its main thread's tid) reused by
# another process between two looks, and a multithreaded process that execs from a thread.
. "$(dirname "$0")/lib.sh"

# --- pid and tid reuse: process A is watched, stuck on a mutex in its main thread (tid = pid);
# A dies and B, the same program, starts at A's pid while both monitors are stopped.
fixture_start lock_convoy 2 || finish
pid=$FIXTURE_PID
"$LEAKMON" --json -p "$pid" --interval 200ms --blocked-threshold 1s >"$TMP/one.jsonl" \
	2>"$TMP/one.err" &
one=$!
"$LEAKMON" --json --interval 200ms --blocked-threshold 1s >"$TMP/all.jsonl" 2>"$TMP/all.err" &
all=$!
check "-p: A's main thread reported stuck" \
	wait_for "$TMP/one.jsonl" ".event == \"blocked\" and .tid == $pid"
check "system-wide: A's main thread reported stuck" \
	wait_for "$TMP/all.jsonl" ".event == \"blocked\" and .tid == $pid"
kill -STOP "$one" "$all"
kill -9 "$pid"
for i in $(seq 100); do
	[ -e "/proc/$pid" ] || break
	sleep 0.05
done
FIXTURE_OUT=$TMP/reused.out
"$FIXTURES/at_pid" "$pid" "$FIXTURES/lock_convoy" 2 >"$FIXTURE_OUT" 2>&1 &
disown $!
STARTED_PIDS+=($! "$pid")
for i in $(seq 100); do
	grep -q '^ready$' "$FIXTURE_OUT" && break
	sleep 0.05
done
check_eq "B runs at A's pid" "lock_convoy" "$(cat "/proc/$pid/comm" 2>/dev/null)"
sleep 1.5 # B's main thread is now past the threshold too
kill -CONT "$one" "$all"
check "system-wide: B's main thread, same pid and tid, is a new episode, reported" \
	wait_for "$TMP/all.jsonl" ".event == \"exit\" and .pid == $pid"
sleep 1
for i in $(seq 50); do
	kill -0 "$one" 2>/dev/null || break
	sleep 0.1
done
check "-p: the monitor ends once A is gone, though its pid lives on" \
	bash -c "! kill -0 $one 2>/dev/null"
check "... with exit code 0" wait "$one"
check_eq "-p: blocked (A), exit (A), unblocked as exited, stop" \
	"start blocked:$pid exit:$pid unblocked:$pid:true stop" \
	"$(jq -r --argjson pid "$pid" 'select(.tid == $pid or .tid == null) |
		"\(.event)" + (if .pid then ":\(.pid)" else "" end) +
		(if .event == "unblocked" then ":\(.exited)" else "" end)' "$TMP/one.jsonl" |
		tr '\n' ' ' | sed 's/ $//')"
kill -INT "$all"
check "system-wide monitor exits 0" wait "$all"
check_eq "system-wide: A reported, A exited, then B reported as a new episode" \
	"blocked exit unblocked:true blocked" \
	"$(jq -r --argjson pid "$pid" 'select(.pid == $pid and (.tid == $pid or .tid == null)) |
		.event + (if .event == "unblocked" then ":\(.exited)" else "" end)' \
		"$TMP/all.jsonl" | tr '\n' ' ' | sed 's/ $//')"
check_eq "no diagnostics" "" "$(diagnostics "$TMP/one.err" "$TMP/all.err")"

# --- A multithreaded process that execs from a thread other than the main one.
fixture_start exec_from_thread "$FIXTURES/lock_convoy" 2 || finish
pid=$FIXTURE_PID
out=$FIXTURE_OUT
"$LEAKMON" snapshot --json -p "$pid" >"$TMP/before.json"
check_eq "before exec: 8 threads, as /proc says" "8 $(ls /proc/$pid/task | wc -l)" \
	"$(jq '.processes[0].thread_count' "$TMP/before.json") 8"
"$LEAKMON" --json -p "$pid" --interval 200ms --growth-window 1s --blocked-threshold 1s \
	>"$TMP/exec.jsonl" 2>"$TMP/exec.err" &
monitor=$!
sleep 1
echo go >&7
for i in $(seq 100); do
	[ "$(grep -c '^ready$' "$out")" -ge 2 ] && break
	sleep 0.05
done
check "the process execed into lock_convoy" grep -q lock_convoy "/proc/$pid/comm"
check "the monitor reports the new program's stuck main thread, same pid" \
	wait_for "$TMP/exec.jsonl" ".event == \"blocked\" and .tid == $pid and .comm == \"lock_convoy\""
"$LEAKMON" snapshot --json -p "$pid" >"$TMP/after.json"
check_eq "after exec: the count equals /proc" \
	"$(ls /proc/$pid/task | wc -l) lock_convoy" \
	"$(jq -r '.processes[0] | "\(.thread_count) \(.comm)"' "$TMP/after.json")"
check "the monitor keeps watching: the process did not exit" kill -0 "$monitor"
kill -INT "$monitor"
check "monitor exits 0" wait "$monitor"
check_eq "no exit, growth or stall events across the exec" 0 \
	"$(jq -s '[.[] | select(.event == "exit" or .event == "growth" or .event == "stall")] | length' \
		"$TMP/exec.jsonl")"
check_eq "no diagnostics" "" "$(diagnostics "$TMP/exec.err")"
finish
