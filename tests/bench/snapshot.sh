#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Whole-machine snapshot with 1,000 and 10,000 idle threads (SIZES), as a whole process (load,
# attach, seed, read, print, detach), against `ps -eLf` in the same run, interleaved: counts and
# waits alone (--no-stacks, what the 100 ms goal was set for), and with every blocked thread's
# stack (the default). With BASELINE (another build's leakmon, e.g. the commit before's), each
# command runs with it too, interleaved, and its row says how the two compare.
. "$(dirname "$0")/lib.sh"
SIZES=${SIZES:-1000 10000}
ROUNDS=${ROUNDS:-7}
commands=("snapshot --no-stacks" "snapshot --no-stacks --json" "snapshot" "snapshot --json")
verdict=0

for size in $SIZES; do
	start_many_threads "$size"
	total=$(machine_threads)
	for i in "${!commands[@]}"; do
		: >"$BENCH_TMP/leakmon.$i"
		: >"$BENCH_TMP/baseline.$i"
	done
	: >"$BENCH_TMP/ps"
	for round in $(seq "$ROUNDS"); do
		for i in "${!commands[@]}"; do
			# shellcheck disable=SC2086
			ms "$BUILD/leakmon" ${commands[$i]} >>"$BENCH_TMP/leakmon.$i"
			# shellcheck disable=SC2086
			[ -z "${BASELINE:-}" ] || ms "$BASELINE" ${commands[$i]} >>"$BENCH_TMP/baseline.$i"
		done
		ms ps -eLf >>"$BENCH_TMP/ps"
	done
	read -r pmin pmed pmax < <(stats <"$BENCH_TMP/ps")
	missed=0
	compared=""
	echo "snapshot of the whole machine: $total threads, $ROUNDS interleaved rounds (ms: min median max)"
	printf '| %-36s | %7s | %7s | %7s | %-12s |\n' command min median max "median vs ps"
	printf '| %-36s | %7s | %7s | %7s | %-12s |\n' --- ---: ---: ---: ---:
	for i in "${!commands[@]}"; do
		read -r min med max < <(stats <"$BENCH_TMP/leakmon.$i")
		printf '| %-36s | %7s | %7s | %7s | %-12s |\n' "leakmon ${commands[$i]}" "$min" "$med" \
			"$max" "$(awk -v a="$med" -v b="$pmed" 'BEGIN { printf "%.2fx", a / b }')"
		awk -v m="$med" -v p="$pmed" 'BEGIN { exit !(m <= 100 && m < p) }' ||
			missed=$((missed | (i < 2 ? 1 : 2)))
		[ -n "${BASELINE:-}" ] || continue
		read -r bmin bmed bmax < <(stats <"$BENCH_TMP/baseline.$i")
		printf '| %-36s | %7s | %7s | %7s | %-12s |\n' "baseline ${commands[$i]}" "$bmin" \
			"$bmed" "$bmax" "$(awk -v a="$bmed" -v b="$pmed" 'BEGIN { printf "%.2fx", a / b }')"
		compared+="${commands[$i]}: this build's median $(awk -v a="$med" -v b="$bmed" \
			'BEGIN { printf "%.2fx", a / b }') the baseline's"$'\n'
	done
	printf '| %-36s | %7s | %7s | %7s | %-12s |\n' "ps -eLf" "$pmin" "$pmed" "$pmax" "1.00x"
	printf '%s' "$compared"
	[ $((missed & 1)) -eq 0 ] && echo "counts and waits (--no-stacks): goal met, at most 100 ms and faster than ps -eLf" ||
		echo "counts and waits (--no-stacks): goal MISSED"
	[ $((missed & 2)) -eq 0 ] && echo "with stacks: within 100 ms too" ||
		echo "with stacks (the default): over 100 ms: unwinding every one of the blocked threads"
	verdict=$((verdict | missed))
	stop_fixture "$FIXTURE_PID"
	sleep 1
done
exit $verdict
