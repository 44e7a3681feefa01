#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Stacks of a process with THREADS blocked threads (default 1000): `leakmon snapshot -p PID` as a
# whole process, cold (a new leakmon each time), against `eu-stack -p PID` in the same run,
# interleaved; a C program's, then a Python program's. Also proves the target is neither
# stopped nor woken by leakmon.
. "$(dirname "$0")/lib.sh"
THREADS=${THREADS:-1000}
ROUNDS=${ROUNDS:-5}

# stacks_of LABEL PID: the table for one process, and whether its goal is met.
stacks_of() {
	local label=$1 fixture=$2 woken=0 before after round lmin lmed lmax emin emed emax
	: >/tmp/leakmon-bench-l
	: >/tmp/leakmon-bench-e
	for round in $(seq "$ROUNDS"); do
		before=$(switches "$fixture")
		ms "$BUILD/leakmon" snapshot -p "$fixture" >>/tmp/leakmon-bench-l
		after=$(switches "$fixture")
		woken=$((woken + after - before))
		ms eu-stack -p "$fixture" >>/tmp/leakmon-bench-e
	done
	read -r lmin lmed lmax < <(stats </tmp/leakmon-bench-l)
	read -r emin emed emax < <(stats </tmp/leakmon-bench-e)
	echo "stacks of $THREADS blocked threads of $label, $ROUNDS interleaved rounds" \
		"(ms: min median max)"
	printf '| %-32s | %7s | %7s | %7s | %-13s |\n' command min median max "median vs eu-stack"
	printf '| %-32s | %7s | %7s | %7s | %-13s |\n' --- ---: ---: ---: ---:
	printf '| %-32s | %7s | %7s | %7s | %-13s |\n' "leakmon snapshot -p PID" "$lmin" "$lmed" \
		"$lmax" "$(awk -v a="$lmed" -v b="$emed" 'BEGIN { printf "%.3fx", a / b }')"
	printf '| %-32s | %7s | %7s | %7s | %-13s |\n' "eu-stack -p PID" "$emin" "$emed" "$emax" \
		"1.000x"
	echo "context switches of the target across leakmon's snapshots: $woken" \
		"(eu-stack's stop every thread)"
	awk -v l="$lmed" -v e="$emed" -v w="$woken" 'BEGIN {
		ok = l <= e / 10 && w == 0
		print ok ? "goal met: at most a tenth of eu-stack, no wake-ups" : "goal MISSED"
		exit !ok }'
}

switches() {
	cat /proc/"$1"/task/*/status | awk '/ctxt_switches/ { s += $2 } END { print s }'
}

start_many_threads "$THREADS"
stacks_of "a C program" "$FIXTURE_PID"
met=$?
# A Python program's: its Python frames too, read from the interpreter.
start_fixture python_threads "$THREADS"
stacks_of "a Python program (Python frames read too)" "$FIXTURE_PID" || met=1
exit "$met"
