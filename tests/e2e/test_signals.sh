#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Signals while starting: a service manager may send SIGHUP (reload) or SIGTERM (stop) before
# leakmon is done starting. From main's first line each is a request: a reload goes on running,
# a stop exits 0; never the signal's default (exit 129, 143). The moment is made exact: leakmon
# reads its configuration from a FIFO, the signal comes while it waits for the file's text.
. "$(dirname "$0")/lib.sh"

fixture_start mutex_held_forever || finish
target=$FIXTURE_PID
fifo=$TMP/leakmon.conf
mkfifo "$fifo"

# signal_while_reading SIG TEXT ARGS...: leakmon ARGS --config FIFO, sent SIG once it opened the
# FIFO, then given TEXT and, 0.5 s later, SIGINT. Prints its exit code.
signal_while_reading() {
	local sig=$1 text=$2 pid i
	shift 2
	exec 3<>"$fifo"
	"$LEAKMON" "$@" --config "$fifo" >"$TMP/out" 2>"$TMP/err" 3>&- &
	pid=$!
	# A leakmon that hangs must not hang the suite: its exit code is then 137.
	(for i in $(seq 300); do kill -0 "$pid" 2>/dev/null || exit; sleep 0.1; done
	 kill -KILL "$pid") 3>&- &
	for i in $(seq 1000); do
		ls -l "/proc/$pid/fd" 2>/dev/null | grep -q "$fifo" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.01
	done
	kill "-$sig" "$pid"
	printf '%b' "$text" >&3
	exec 3>&-
	sleep 0.5
	kill -INT "$pid" 2>/dev/null
	wait "$pid"
	echo $?
}

check_eq "the monitor sent SIGHUP while reading its settings: runs on, exits 0 on SIGINT" 0 \
	"$(signal_while_reading HUP 'interval = 100ms\njson = true\n' monitor -p "$target")"
check_eq "... its start and stop said" "start stop" \
	"$(jq -r .event "$TMP/out" | tr '\n' ' ' | sed 's/ $//')"
check_eq "the monitor sent SIGTERM while reading its settings: exits 0" 0 \
	"$(signal_while_reading TERM 'interval = 100ms\n' monitor -p "$target")"
check_eq "a snapshot sent SIGHUP while reading its settings: done, exit 0" 0 \
	"$(signal_while_reading HUP '' snapshot -p "$target" --no-stacks)"
check "... its listing printed" grep -q "mutex_held_fore" "$TMP/out"
check_eq "no diagnostics" "" "$(diagnostics "$TMP/err")"
finish
