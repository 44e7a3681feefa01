#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# What leakmon costs the machine's work: throughput of scheduler-heavy workloads under four
# conditions, interleaved round by round (A B C D A B C D ...), each relative to no tracing in the
# same round: no tracing; the floor (empty programs on exactly leakmon's hooks); leakmon
# system-wide as the service runs it (the shipped configuration); offcputime from libbpf-tools.
# Then the cost per event of each program and workload, from the kernel's BPF statistics, over
# EVENT_ROUNDS interleaved rounds of its own, with one more reference: the floor whose thread
# creation program reads one map value (floor --map-read), what keeping any state costs.
# This machine is a virtual one whose hypervisor takes 0-35% of the CPUs' time ("steal") from
# minute to minute: each figure is work per second of CPU time the workload's CPUs were given
# (steal, from /proc/stat, taken out), and the figures without that correction are shown too.
# Goals: throughput kept >= 97% on futex hash, >= 95% on the pinned pipe and on thread churn;
# leakmon's cost (1 - throughput kept) at most 1.2x the floor's.
. "$(dirname "$0")/lib.sh"
ROUNDS=${ROUNDS:-7}
EVENT_ROUNDS=${EVENT_ROUNDS:-5}
WORK=$BENCH_TMP
CONDITIONS=(none floor leakmon offcputime)
WORKLOADS=(pipe futex_hash futex_wake lock_pi churn messaging)
declare -A TITLE=(
	[pipe]="perf bench sched pipe, pinned to one CPU"
	[futex_hash]="perf bench futex hash"
	[futex_wake]="perf bench futex wake -t 256"
	[lock_pi]="perf bench futex lock-pi"
	[churn]="thread churn (create + join)"
	[messaging]="perf bench sched messaging -t"
)
# The /proc/stat line of the CPUs each workload runs on.
declare -A CPUS=([pipe]=cpu0 [futex_hash]=cpu [futex_wake]=cpu [lock_pi]=cpu [churn]=cpu
	[messaging]=cpu)
COND_PID=
COND=

cleanup() {
	condition__stop
	sysctl -qw kernel.bpf_stats_enabled=0
}
on_exit cleanup

# Each workload prints one throughput figure: higher is better.
workload__pipe() {
	taskset -c 0 perf bench sched pipe -l 200000 | awk '/ops\/sec/ { print $1 }'
}

workload__futex_hash() {
	perf bench futex hash -r 3 | awk '/^Averaged/ { print $2 }'
}

workload__futex_wake() {
	# "Wokeup 256 of 256 threads in 3.0384 ms": threads woken per second.
	perf bench futex wake -t 256 -s | awk '/^Wokeup/ { print $2 / $7 * 1000 }'
}

workload__lock_pi() {
	perf bench futex lock-pi -r 3 | awk '/^Averaged/ { print $2 }'
}

workload__churn() {
	"$BUILD/bench/churn_rate" 3 | awk '{ print $1 }'
}

workload__messaging() {
	perf bench sched messaging -t -l 500 | awk '/Total time/ { print 1 / $3 }'
}

# cpu_times LINE: "steal total" jiffies of one /proc/stat line (cpu: all CPUs).
cpu_times() {
	awk -v l="$1" '$1 == l { t = 0; for (i = 2; i <= 9; i++) t += $i; print $9, t }' /proc/stat
}

# links_of PID: how many BPF links the process holds.
links_of() {
	grep -l '^link_id:' /proc/"$1"/fdinfo/* 2>/dev/null | wc -l
}

# condition__start NAME: start the tracer (nothing for "none") and return once its hooks are on:
# the floor and leakmon say so (leakmon's start event comes once everything is attached).
condition__start() {
	local ready
	case $1 in
	none)
		# The same rest before the workload as every tracer gets.
		sleep 1
		return 0
		;;
	floor | floor_map)
		"$BUILD/bench/floor" $([ "$1" = floor_map ] && echo --map-read) >"$WORK/cond.log" 2>&1 &
		ready='grep -qs ^attached "$WORK/cond.log"'
		;;
	leakmon)
		"$BUILD/leakmon" --config deploy/leakmon.conf --json >"$WORK/cond.log" 2>&1 &
		ready='grep -qs "\"event\":\"start\"" "$WORK/cond.log"'
		;;
	offcputime)
		offcputime >/dev/null 2>"$WORK/cond.log" &
		ready='[ "$(links_of "$COND_PID")" -ge 1 ]'
		;;
	esac
	COND_PID=$!
	COND=$1
	until eval "$ready"; do
		if ! kill -0 "$COND_PID" 2>/dev/null; then
			echo "throughput: $1 did not start:" >&2
			cat "$WORK/cond.log" >&2
			exit 1
		fi
		sleep 0.05
	done
	# Past leakmon's first tick: the monitor at rest, as it runs for days.
	sleep 1
}

# offcputime's report at exit (minutes of symbolizing) is not what is measured: it is killed.
condition__stop() {
	[ -n "$COND_PID" ] || return 0
	kill "-$([ "$COND" = offcputime ] && echo KILL || echo TERM)" "$COND_PID" 2>/dev/null
	wait "$COND_PID" 2>/dev/null
	COND_PID=
}

need_bpffs
for tool in perf offcputime bpftool jq; do
	command -v "$tool" >/dev/null || { echo "throughput: $tool is missing (make bench-deps)" >&2; exit 1; }
done

# rotated ROUND ITEM...: the items, one a line, starting ROUND places in: the order of the
# conditions rotates from round to round, so that none of them always goes first.
rotated() {
	local round=$1 i
	shift
	for i in $(seq 0 $(($# - 1))); do
		echo "${@:$(((i + round) % $# + 1)):1}"
	done
}

# Interleaved per workload, so that the machine's drift falls alike on every condition.
for round in $(seq "$ROUNDS"); do
	mapfile -t order < <(rotated "$round" "${CONDITIONS[@]}")
	for w in "${WORKLOADS[@]}"; do
		for cond in "${order[@]}"; do
			condition__start "$cond"
			before=$(cpu_times "${CPUS[$w]}")
			value=$("workload__$w" 2>/dev/null)
			after=$(cpu_times "${CPUS[$w]}")
			condition__stop
			[ -n "$value" ] || { echo "throughput: $w printed nothing under $cond" >&2; exit 1; }
			steal=$(awk -v b="$before" -v a="$after" 'BEGIN { split(b, x); split(a, y)
				print (y[2] > x[2]) ? (y[1] - x[1]) / (y[2] - x[2]) : 0 }')
			echo "$round $cond $w $value $steal" >>"$WORK/results"
		done
	done
done

# kept COND W RAW: COND's throughput over no tracing's in each round, one line each; per second
# of CPU time given (steal taken out) unless RAW is 1.
kept() {
	awk -v w="$2" -v c="$1" -v raw="$3" '$3 == w && ($2 == "none" || $2 == c) {
			x = raw ? $4 : $4 / (1 - $5)
			if ($2 == "none") base[$1] = x; else v[$1] = x
		}
		END { for (r in v) print v[r] / base[r] }' "$WORK/results"
}

# spread: "min median max" of the numbers on standard input, one a line.
spread() {
	sort -g | awk '{ v[NR] = $1 } END { print v[1], v[int((NR + 1) / 2)], v[NR] }'
}

echo "throughput kept, relative to no tracing in the same round; $ROUNDS interleaved rounds"
echo "(per second of CPU time given, steal taken out: median, then min-max;"
echo " cost = 1 - median kept; steal: the median share of the CPUs' time the hypervisor took)"
printf '| %-40s | %-5s | %-5s | %-19s | %-19s | %-19s | %-10s | %-11s |\n' workload noise steal \
	floor leakmon offcputime "leakmon/floor cost" "leakmon, steal in"
printf '| %-40s | %-5s | %-5s | %-19s | %-19s | %-19s | %-10s | %-11s |\n' --- ---: ---: ---: ---: \
	---: ---: ---:
verdict=0
for w in "${WORKLOADS[@]}"; do
	cells=()
	declare -A cost=()
	for cond in floor leakmon offcputime; do
		read -r min med max < <(kept "$cond" "$w" 0 | spread)
		cells+=("$(awk -v a="$min" -v m="$med" -v b="$max" \
			'BEGIN { printf "%.1f%% (%.1f-%.1f)", m * 100, a * 100, b * 100 }')")
		cost[$cond]=$(awk -v m="$med" 'BEGIN { print 1 - m }')
		[ "$cond" = leakmon ] && kept=$med
	done
	ratio=$(awk -v l="${cost[leakmon]}" -v f="${cost[floor]}" 'BEGIN {
		if (f <= 0) printf "unresolved"; else if (l <= 0) printf "none"; else printf "%.2fx", l / f }')
	# How much no tracing itself varies from round to round: (max - min) / median.
	noise=$(awk -v w="$w" '$3 == w && $2 == "none" { print $4 / (1 - $5) }' "$WORK/results" |
		spread | awk '{ printf "%.0f%%", ($3 - $1) / $2 * 100 }')
	steal=$(awk -v w="$w" '$3 == w { print $5 }' "$WORK/results" | spread |
		awk '{ printf "%.0f%%", $2 * 100 }')
	raw=$(kept leakmon "$w" 1 | spread | awk '{ printf "%.1f%%", $2 * 100 }')
	printf '| %-40s | %-5s | %-5s | %-19s | %-19s | %-19s | %-10s | %-11s |\n' "${TITLE[$w]}" \
		"$noise" "$steal" "${cells[@]}" "$ratio" "$raw"
	case $w in
	futex_hash) goal=0.97 ;;
	pipe | churn) goal=0.95 ;;
	*) goal= ;;
	esac
	if [ -n "$goal" ] && ! awk -v k="$kept" -v g="$goal" 'BEGIN { exit !(k >= g) }'; then
		echo "goal MISSED: ${TITLE[$w]}: leakmon keeps $kept, goal $goal" >>"$WORK/verdicts"
		verdict=1
	fi
	# A cost ratio needs a floor that costs something measurable in this run.
	if [ "$ratio" = unresolved ]; then
		[ "${cost[leakmon]:0:1}" = - ] || echo "unresolved: ${TITLE[$w]}: the floor cost" \
			"nothing measurable here, leakmon ${cost[leakmon]}" >>"$WORK/verdicts"
	elif ! awk -v l="${cost[leakmon]}" -v f="${cost[floor]}" 'BEGIN { exit !(l <= 1.2 * f) }'
	then
		echo "goal MISSED: ${TITLE[$w]}: leakmon costs ${ratio} the floor's" >>"$WORK/verdicts"
		verdict=1
	fi
	unset cost
done
[ -s "$WORK/verdicts" ] && cat "$WORK/verdicts"

# Cost per event, from the kernel's own accounting of each program's runs, per workload: what a
# program does per run depends on what the workload makes it do. Rounds interleaved as above.
echo
echo "cost per run of each BPF program (kernel.bpf_stats_enabled), per workload; $EVENT_ROUNDS" \
	"interleaved rounds: median ns per run, then min-max; runs: the median per round"
printf '| %-11s | %-40s | %-20s | %10s | %-24s |\n' tracer workload program runs "ns per run"
printf '| %-11s | %-40s | %-20s | %10s | %-24s |\n' --- --- --- ---: ---:
sysctl -qw kernel.bpf_stats_enabled=1
TRACERS=(floor floor_map leakmon offcputime)
for round in $(seq "$EVENT_ROUNDS"); do
	for cond in $(rotated "$round" "${TRACERS[@]}"); do
		condition__start "$cond"
		for w in "${WORKLOADS[@]}"; do
			prog_stats "$COND_PID" >"$WORK/before"
			"workload__$w" >/dev/null 2>&1
			prog_stats "$COND_PID" | awk 'NR == FNR { runs[$1] = $2; ns[$1] = $3; next }
				{ print $1, $2 - runs[$1], $3 - ns[$1] }' "$WORK/before" - |
				while read -r id runs ns; do
					[ "$runs" -gt 0 ] || continue
					name=$(bpftool prog show id "$id" -j | jq -r .name)
					echo "$round $cond $w $name $runs $ns" >>"$WORK/per_run"
				done
		done
		condition__stop
	done
done
sysctl -qw kernel.bpf_stats_enabled=0
# per_run_spread CONDITION EXPRESSION: "min median max" of an awk expression over the per-run
# lines matching an awk condition.
per_run_spread() {
	awk "$1 { print $2 }" "$WORK/per_run" | spread
}
for cond in "${TRACERS[@]}"; do
	for w in "${WORKLOADS[@]}"; do
		for name in $(awk -v c="$cond" -v w="$w" '$2 == c && $3 == w { print $4 }' \
			"$WORK/per_run" | sort -u); do
			match="\$2 == \"$cond\" && \$3 == \"$w\" && \$4 == \"$name\""
			read -r _ runs _ < <(per_run_spread "$match" '$5')
			read -r min med max < <(per_run_spread "$match" '$6 / $5')
			printf '| %-11s | %-40s | %-20s | %10s | %-24s |\n' "$cond" "${TITLE[$w]}" \
				"$name" "$runs" "$(printf '%.1f (%.1f-%.1f)' "$med" "$min" "$max")"
		done
	done
done
# Same hook, same variant, same workload, same round: thread_created_btf against
# floor_created_btf, ...; the median of the rounds' ratios. And against the floor's program that
# reads one map value, where the floor has one for the hook (floor_created_btf_map).
echo
echo "leakmon per run against the floor's empty program on the same hook and workload, and"
echo "against one that reads one map value; paired by round (the statistics' own cost, two"
echo "clock reads, is in all): median, then min-max"
awk '{ hook = $4; sub(/^(thread|floor)_/, "", hook); sub(/_map$/, "", hook)
		ns[$1, $2, $3, hook] = $6 / $5 }
	$2 == "leakmon" && $4 ~ /^thread_/ { pairs[$3 " " hook] = 1; rounds[$1] = 1 }
	$2 == "floor_map" && $4 ~ /_map$/ { has_map[hook] = 1 }
	END {
		for (p in pairs) {
			split(p, k, " ")
			for (r in rounds) {
				l = ns[r, "leakmon", k[1], k[2]]
				f = ns[r, "floor", k[1], k[2]]
				m = has_map[k[2]] ? ns[r, "floor_map", k[1], k[2]] : 0
				if (l > 0 && f > 0)
					print p, l, f, l / f, m, (m > 0 ? l / m : 0)
			}
		}
	}' "$WORK/per_run" | sort >"$WORK/pairs"
# column N W HOOK: "min median max" of the pairs' column N for workload W and hook HOOK; the
# zeros (no such reference in that round) left out.
column() {
	awk -v n="$1" -v p="$2 $3" '$1 " " $2 == p && $n > 0 { print $n }' "$WORK/pairs" | spread
}
for pair in $(awk '{ print $1 ":" $2 }' "$WORK/pairs" | sort -u); do
	w=${pair%:*}
	hook=${pair#*:}
	read -r _ l _ < <(column 3 "$w" "$hook")
	read -r _ f _ < <(column 4 "$w" "$hook")
	read -r min med max < <(column 5 "$w" "$hook")
	read -r _ m _ < <(column 6 "$w" "$hook")
	read -r mmin mmed mmax < <(column 7 "$w" "$hook")
	if [ -n "$m" ]; then
		map_cells=$(printf 'one map read %7.1f ns | %.2fx (%.2f-%.2f)' "$m" "$mmed" "$mmin" \
			"$mmax")
	else
		map_cells="one map read       - | -"
	fi
	printf '| %-40s | %-12s | leakmon %7.1f ns | floor %7.1f ns | %.2fx (%.2f-%.2f) | %s |\n' \
		"${TITLE[$w]}" "$hook" "$l" "$f" "$med" "$min" "$max" "$map_cells"
	if ! awk -v r="$med" 'BEGIN { exit !(r <= 1.2) }'; then
		printf 'per event MISSED: %s, %s: %.2fx the empty program\n' "${TITLE[$w]}" "$hook" \
			"$med" >>"$WORK/event_verdicts"
		verdict=1
	fi
done
[ -s "$WORK/event_verdicts" ] && cat "$WORK/event_verdicts"
if [ "$verdict" = 0 ]; then
	echo "goals met$([ -s "$WORK/verdicts" ] && echo " where resolved"): >= 97% futex hash," \
		">= 95% pipe and churn, cost <= 1.2x the floor's, per event <= 1.2x the empty program"
fi
exit $verdict
