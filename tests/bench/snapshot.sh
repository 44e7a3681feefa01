#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Whole-machine snapshot with THREADS idle threads (default 10000), as a whole process (load,
# attach, seed, read, print, detach), against `ps -eLf` in the same run, interleaved.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
THREADS=${THREADS:-10000}
ROUNDS=${ROUNDS:-7}

"$BUILD/fixtures/many_threads" "$THREADS" >/tmp/leakmon-bench-ready &
fixture=$!
trap 'kill -9 $fixture 2>/dev/null' EXIT
while ! grep -q ready /tmp/leakmon-bench-ready; do
	kill -0 "$fixture" || exit 1
	sleep 0.1
done

ms() {
	local start end
	start=$(date +%s%N)
	"$@" >/dev/null || return 1
	end=$(date +%s%N)
	echo $(((end - start) / 1000))
}

stats() {
	sort -n | awk '{ v[NR] = $1 } END {
		printf "%.1f %.1f %.1f", v[1] / 1000, v[int((NR + 1) / 2)] / 1000, v[NR] / 1000 }'
}

total=$(ls -d /proc/[0-9]*/task/* | wc -l)
: >/tmp/leakmon-bench-text
: >/tmp/leakmon-bench-json
: >/tmp/leakmon-bench-ps
for round in $(seq "$ROUNDS"); do
	ms "$BUILD/leakmon" snapshot >>/tmp/leakmon-bench-text
	ms "$BUILD/leakmon" snapshot --json >>/tmp/leakmon-bench-json
	ms ps -eLf >>/tmp/leakmon-bench-ps
done
read -r tmin tmed tmax < <(stats </tmp/leakmon-bench-text)
read -r jmin jmed jmax < <(stats </tmp/leakmon-bench-json)
read -r pmin pmed pmax < <(stats </tmp/leakmon-bench-ps)
echo "snapshot of the whole machine: $total threads, $ROUNDS interleaved rounds (ms: min median max)"
printf '| %-28s | %7s | %7s | %7s | %-16s |\n' command min median max "median vs ps"
printf '| %-28s | %7s | %7s | %7s | %-16s |\n' --- ---: ---: ---: ---:
printf '| %-28s | %7s | %7s | %7s | %-16s |\n' "leakmon snapshot" "$tmin" "$tmed" "$tmax" \
	"$(awk -v a="$tmed" -v b="$pmed" 'BEGIN { printf "%.2fx", a / b }')"
printf '| %-28s | %7s | %7s | %7s | %-16s |\n' "leakmon snapshot --json" "$jmin" "$jmed" \
	"$jmax" "$(awk -v a="$jmed" -v b="$pmed" 'BEGIN { printf "%.2fx", a / b }')"
printf '| %-28s | %7s | %7s | %7s | %-16s |\n' "ps -eLf" "$pmin" "$pmed" "$pmax" "1.00x"
awk -v t="$tmed" -v j="$jmed" -v p="$pmed" 'BEGIN {
	ok = t <= 100 && j <= 100 && t < p && j < p
	print ok ? "goal met: at most 100 ms and faster than ps -eLf" : "goal MISSED"
	exit !ok }'
