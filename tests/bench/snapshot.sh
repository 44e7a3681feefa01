#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Whole-machine snapshot with THREADS idle threads (default 10000), as a whole process (load,
# attach, seed, read, print, detach), against `ps -eLf` in the same run, interleaved: counts and
# waits alone (--no-stacks, what the 100 ms goal was set for), and with every blocked thread's
# stack (the default).
. "$(dirname "$0")/lib.sh"
THREADS=${THREADS:-10000}
ROUNDS=${ROUNDS:-7}

start_many_threads "$THREADS"

total=$(ls -d /proc/[0-9]*/task/* | wc -l)
commands=("snapshot --no-stacks" "snapshot --no-stacks --json" "snapshot" "snapshot --json")
for i in "${!commands[@]}"; do
	: >"/tmp/leakmon-bench-$i"
done
: >/tmp/leakmon-bench-ps
for round in $(seq "$ROUNDS"); do
	for i in "${!commands[@]}"; do
		# shellcheck disable=SC2086
		ms "$BUILD/leakmon" ${commands[$i]} >>"/tmp/leakmon-bench-$i"
	done
	ms ps -eLf >>/tmp/leakmon-bench-ps
done
read -r pmin pmed pmax < <(stats </tmp/leakmon-bench-ps)
echo "snapshot of the whole machine: $total threads, $ROUNDS interleaved rounds (ms: min median max)"
printf '| %-36s | %7s | %7s | %7s | %-12s |\n' command min median max "median vs ps"
printf '| %-36s | %7s | %7s | %7s | %-12s |\n' --- ---: ---: ---: ---:
verdict=0
for i in "${!commands[@]}"; do
	read -r min med max < <(stats <"/tmp/leakmon-bench-$i")
	printf '| %-36s | %7s | %7s | %7s | %-12s |\n' "leakmon ${commands[$i]}" "$min" "$med" \
		"$max" "$(awk -v a="$med" -v b="$pmed" 'BEGIN { printf "%.2fx", a / b }')"
	awk -v m="$med" -v p="$pmed" 'BEGIN { exit !(m <= 100 && m < p) }' ||
		verdict=$((verdict | (i < 2 ? 1 : 2)))
done
printf '| %-36s | %7s | %7s | %7s | %-12s |\n' "ps -eLf" "$pmin" "$pmed" "$pmax" "1.00x"
[ $((verdict & 1)) -eq 0 ] && echo "counts and waits (--no-stacks): goal met, at most 100 ms and faster than ps -eLf" ||
	echo "counts and waits (--no-stacks): goal MISSED"
[ $((verdict & 2)) -eq 0 ] && echo "with stacks: within 100 ms too" ||
	echo "with stacks (the default): over 100 ms: unwinding every one of the blocked threads"
exit $verdict
