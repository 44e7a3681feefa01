#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Stacks of a process with THREADS blocked threads (default 1000): `leakmon snapshot -p PID` as a
# whole process, cold (a new leakmon each time), against `eu-stack -p PID` in the same run,
# interleaved. Also proves the target is neither stopped nor woken by leakmon.
. "$(dirname "$0")/lib.sh"
THREADS=${THREADS:-1000}
ROUNDS=${ROUNDS:-5}

start_many_threads "$THREADS"
fixture=$FIXTURE_PID

switches() {
	cat /proc/"$fixture"/task/*/status | awk '/ctxt_switches/ { s += $2 } END { print s }'
}

: >/tmp/leakmon-bench-l
: >/tmp/leakmon-bench-e
woken=0
for round in $(seq "$ROUNDS"); do
	before=$(switches)
	ms "$BUILD/leakmon" snapshot -p "$fixture" >>/tmp/leakmon-bench-l
	after=$(switches)
	woken=$((woken + after - before))
	ms eu-stack -p "$fixture" >>/tmp/leakmon-bench-e
done
read -r lmin lmed lmax < <(stats </tmp/leakmon-bench-l)
read -r emin emed emax < <(stats </tmp/leakmon-bench-e)
echo "stacks of $THREADS blocked threads, $ROUNDS interleaved rounds (ms: min median max)"
printf '| %-32s | %7s | %7s | %7s | %-13s |\n' command min median max "median vs eu-stack"
printf '| %-32s | %7s | %7s | %7s | %-13s |\n' --- ---: ---: ---: ---:
printf '| %-32s | %7s | %7s | %7s | %-13s |\n' "leakmon snapshot -p PID" "$lmin" "$lmed" "$lmax" \
	"$(awk -v a="$lmed" -v b="$emed" 'BEGIN { printf "%.3fx", a / b }')"
printf '| %-32s | %7s | %7s | %7s | %-13s |\n' "eu-stack -p PID" "$emin" "$emed" "$emax" "1.000x"
echo "context switches of the target across leakmon's snapshots: $woken (eu-stack's stop every thread)"
awk -v l="$lmed" -v e="$emed" -v w="$woken" 'BEGIN {
	ok = l <= e / 10 && w == 0
	print ok ? "goal met: at most a tenth of eu-stack, no wake-ups" : "goal MISSED"
	exit !ok }'
