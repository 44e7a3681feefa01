#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The soak (make soak; SOAK_MINUTES, 12 by default): the system-wide monitor with metrics, as
# the service runs it, for minutes beside what wears a long-running agent down: short-lived
# multithreaded processes started four times a second, a leak of a thread every 500 ms
# (stopped half-way: from then on leakmon's memory must stay flat), threads whose stacks lie
# (hostile_stack: one crashed the monitor within seconds before it was fixed), a scrape every
# 10 s checked by promtool, and a client holding 30 connections that sends a byte every 5 s.
# Prints, a line
# a minute, leakmon's RSS, CPU, fds, events by kind and scrapes answered; at the end the counts
# against /proc. Ends with "soak: N passed, N failed".
. "$(dirname "$0")/../bench/lib.sh"

MINUTES=${SOAK_MINUTES:-12}
PORT=${SOAK_PORT:-39464}
LEAKMON=$BUILD/leakmon
passed=0
failed=0
verdict() { # OK TEXT
	if [ "$1" = 0 ]; then
		passed=$((passed + 1))
		echo "PASS soak: $2"
	else
		failed=$((failed + 1))
		echo "FAIL soak: $2"
	fi
}

"$LEAKMON" --json --metrics "127.0.0.1:$PORT" --interval 1s --growth-window 30s \
	>"$BENCH_TMP/events.jsonl" 2>"$BENCH_TMP/err" &
monitor=$!
on_exit "kill -INT $monitor 2>/dev/null; wait $monitor 2>/dev/null"
until curl -sf -o /dev/null "http://127.0.0.1:$PORT/metrics"; do
	kill -0 "$monitor" 2>/dev/null || { echo "leakmon did not start: $(cat "$BENCH_TMP/err")"; exit 1; }
	sleep 0.2
done

start_fixture thread_leak 500
leak=$FIXTURE_PID
start_fixture hostile_stack

# Short-lived multithreaded processes: 9 threads each, a quarter of a second of life.
(
	while :; do
		"$BUILD/fixtures/many_threads" 8 >/dev/null 2>&1 &
		sleep 0.25
		kill -9 $! 2>/dev/null
		wait $! 2>/dev/null
	done
) &
churn=$!
on_exit "kill $churn 2>/dev/null; pkill -9 -f '^$BUILD/fixtures/many_threads 8\$'"

# Slowloris: 30 connections, a byte every 5 s each, one more for each the server closes.
python3 - "$PORT" >"$BENCH_TMP/slowloris" 2>&1 <<'EOF' &
import socket, sys, time
port, request = int(sys.argv[1]), b"GET /metrics HTTP/1.1\r\nHost: x\r\n"
conns, cut = [], 0
def connect():
    s = socket.create_connection(("127.0.0.1", port))
    return [s, 0]
conns = [connect() for _ in range(30)]
while True:
    for c in conns:
        try:
            c[0].send(request[c[1] % len(request):c[1] % len(request) + 1])
            c[1] += 1
        except OSError:
            cut += 1
            c[0].close()
            c[:] = connect()
    print(cut, flush=True)
    time.sleep(5)
EOF
slowloris=$!
on_exit "kill $slowloris 2>/dev/null"

scrapes=0
answered=0
promtool_ok=0
# scrape: one scrape, as Prometheus does, within 5 s; checked by promtool when there is one.
scrape() {
	scrapes=$((scrapes + 1))
	curl -sf -m 5 -o "$BENCH_TMP/metrics.txt" "http://127.0.0.1:$PORT/metrics" || return 0
	grep -q '^leakmon_watched_processes ' "$BENCH_TMP/metrics.txt" || return 0
	answered=$((answered + 1))
	if ! command -v promtool >/dev/null ||
		promtool check metrics <"$BENCH_TMP/metrics.txt" >/dev/null 2>&1; then
		promtool_ok=$((promtool_ok + 1))
	fi
}

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$monitor/status"; }
events_by_kind() {
	jq -r .event "$BENCH_TMP/events.jsonl" 2>/dev/null | sort | uniq -c |
		awk '{ printf "%s%s %s", sep, $2, $1; sep = ", " }'
}

echo "soak: $MINUTES minutes; leak pid $leak; leakmon pid $monitor"
printf '%-6s %9s %7s %4s  %-16s %s\n' minute rss_MiB cpu_% fds scrapes events
ticks_per_s=$(getconf CLK_TCK)
rss_at_stop=""
for minute in $(seq "$MINUTES"); do
	ticks=$(cpu_ticks "$monitor")
	for i in 1 2 3 4 5 6; do
		sleep 10
		scrape
	done
	kill -0 "$monitor" 2>/dev/null || break
	cpu=$(awk -v d="$(($(cpu_ticks "$monitor") - ticks))" -v hz="$ticks_per_s" \
		'BEGIN { printf "%.2f", 100 * d / hz / 60 }')
	printf '%-6s %9.1f %7s %4s  %-16s %s\n' "$minute" "$(awk -v k="$(rss_kib)" 'BEGIN { print k / 1024 }')" \
		"$cpu" "$(ls "/proc/$monitor/fd" | wc -l)" "$answered/$scrapes" "$(events_by_kind)"
	if [ "$minute" -eq $((MINUTES / 2)) ]; then
		kill -STOP "$leak"
		echo "leak stopped at $(ls "/proc/$leak/task" | wc -l) threads"
	fi
	[ "$minute" -eq $((MINUTES / 2 + 1)) ] && rss_at_stop=$(rss_kib)
done

verdict "$(kill -0 "$monitor" 2>/dev/null; echo $?)" "leakmon ran the whole soak"
verdict "$([ "$answered" -eq "$scrapes" ]; echo $?)" \
	"scrapes answered beside the slow client: $answered of $scrapes (the slow client was cut $(tail -1 "$BENCH_TMP/slowloris") times)"
verdict "$([ "$promtool_ok" -eq "$answered" ]; echo $?)" "scrapes that promtool passed: $promtool_ok"
if [ -n "$rss_at_stop" ]; then
	growth=$(awk -v now="$(rss_kib)" -v then="$rss_at_stop" -v m="$((MINUTES - MINUTES / 2 - 1))" \
		'BEGIN { printf "%.3f", (m > 0 ? (now - then) / 1024 / m : 0) }')
	verdict "$(awk -v g="$growth" 'BEGIN { exit !(g < 1) }'; echo $?)" \
		"RSS after the leak stopped: $(printf %.2f "$growth") MiB a minute (under 1)"
fi
verdict "$(jq -e --argjson p "$leak" 'select(.event == "growth" and .pid == $p)' \
	"$BENCH_TMP/events.jsonl" >/dev/null; echo $?)" "the leak raised its growth event"

# The counts at the end, the leak stopped: leakmon's against /proc's.
sleep 2
scrape
want=$(ls "/proc/$leak/task" | wc -l)
got=$(awk -v p="pid=\"$leak\"" 'index($0, "leakmon_process_threads{" p) == 1 { print $2 }' \
	"$BENCH_TMP/metrics.txt")
verdict "$([ "$got" = "$want" ]; echo $?)" "the leak's thread count in the metrics: $got, /proc: $want"
"$LEAKMON" snapshot --json --no-stacks >"$BENCH_TMP/final.json" 2>/dev/null
jq -r '.processes[] | "\(.pid) \(.thread_count)"' "$BENCH_TMP/final.json" >"$BENCH_TMP/counts"
total=0
equal=0
while read -r pid count; do
	proc=$(awk '/^Threads:/ { print $2 }' "/proc/$pid/status" 2>/dev/null) || continue
	[ -n "$proc" ] || continue
	total=$((total + 1))
	[ "$proc" = "$count" ] && equal=$((equal + 1))
done <"$BENCH_TMP/counts"
verdict "$([ $((total - equal)) -le 2 ]; echo $?)" \
	"a final snapshot's counts equal /proc's for $equal of $total processes (churn may move 2)"
echo "soak: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
