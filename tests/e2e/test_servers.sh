#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Real servers from Debian, watched for two minutes by one monitor with the shipped configuration
# (its rules for them), each on 127.0.0.1 under a bounded load: MariaDB, Redis (with I/O
# threads), memcached (8 workers) and Varnish. Their idle connections, pools and background
# threads raise nothing; MariaDB's metadata-lock wait (in one-second slices) and InnoDB row-lock
# wait are each one event, naming the waiting frame; a ramp of connections is blamed on the
# connection threads' start (unnamed in the stripped server: its module and offset), not on its
# main thread; a leak of a thread every 100 ms, each stuck on a mutex, is one growth event and a
# handful of blocked ones.
. "$(dirname "$0")/lib.sh"

THRESHOLD=5
WINDOW=20
for server in mariadbd mariadb-install-db redis-server redis-benchmark memcached varnishd; do
	command -v "$server" >/dev/null || { fail "$server is not installed"; finish; }
done

# background COMMAND...: run it in the background, killed when the test ends; its output goes
# nowhere (the test's own must close when the test ends).
background() {
	"$@" >/dev/null 2>&1 &
	STARTED_PIDS+=("$!")
	disown "$!"
}

# A free port of loopback's, from a range few use.
free_port() {
	local port
	for port in $(shuf -i 38000-38999 -n 50); do
		! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && echo "$port" && return
	done
}

# MariaDB on a data directory of its own: its pid into MARIADB.
DATA=$TMP/mariadb
SOCKET=$DATA/mysqld.sock
chmod 755 "$TMP"
mkdir -p "$DATA" && chown mysql:mysql "$DATA"
mariadb-install-db --user=mysql --datadir="$DATA/data" --auth-root-authentication-method=normal \
	>"$TMP/install.log" 2>&1 || { fail "mariadb-install-db: $(tail -3 "$TMP/install.log")"; finish; }
mariadbd --user=mysql --datadir="$DATA/data" --port="$(free_port)" --bind-address=127.0.0.1 \
	--socket="$SOCKET" --pid-file="$DATA/mariadbd.pid" --skip-log-bin --innodb-lock-wait-timeout=600 \
	>"$TMP/mariadbd.log" 2>&1 &
MARIADB=$!
disown "$MARIADB"
STARTED_PIDS+=("$MARIADB")
sql() {
	mariadb --socket="$SOCKET" -uroot -N -e "$@" 2>/dev/null
}
for i in $(seq 100); do
	sql 'SELECT 1' >/dev/null 2>&1 && break
	sleep 0.2
done
sql 'CREATE DATABASE shop; CREATE TABLE shop.orders (id INT PRIMARY KEY, qty INT) ENGINE=InnoDB;
	CREATE TABLE shop.stock (id INT PRIMARY KEY, qty INT) ENGINE=InnoDB;
	CREATE TABLE shop.visits (id INT PRIMARY KEY) ENGINE=InnoDB;
	INSERT INTO shop.orders VALUES (1, 1); INSERT INTO shop.stock VALUES (1, 10);' ||
	{ fail "MariaDB did not start: $(tail -3 "$TMP/mariadbd.log")"; finish; }

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --io-threads 4 \
	--io-threads-do-reads yes >"$TMP/redis.log" 2>&1 &
REDIS=$!
disown "$REDIS"
STARTED_PIDS+=("$REDIS")
memcached_port=$(free_port)
memcached -u nobody -l 127.0.0.1 -p "$memcached_port" -t 8 >"$TMP/memcached.log" 2>&1 &
MEMCACHED=$!
disown "$MEMCACHED"
STARTED_PIDS+=("$MEMCACHED")
varnish_port=$(free_port)
varnishd -F -a "127.0.0.1:$varnish_port" -b "127.0.0.1:$(free_port)" -n "$TMP/varnish" \
	-s malloc,32m >"$TMP/varnish.log" 2>&1 &
VARNISH=$!
disown "$VARNISH"
STARTED_PIDS+=("$VARNISH")
fixture_start thread_leak 100 mutex || finish
LEAK=$FIXTURE_PID
sleep 3
# varnishd's child process does the work: its pid, the one to watch.
VARNISH_CHILD=$(pgrep -P "$VARNISH" | head -1)
STARTED_PIDS+=("$VARNISH_CHILD")
for pid in "$REDIS" "$MEMCACHED" "$VARNISH_CHILD"; do
	kill -0 "${pid:-0}" 2>/dev/null || { fail "a server did not start: $(tail -3 "$TMP"/*.log)"; finish; }
done

# The shipped configuration, its rules included, but for what a test must not share: metrics
# and pins (a service may run); and the test's own pace.
grep -vE '^(metrics|pin) ' deploy/leakmon.conf >"$TMP/servers.conf"
printf 'interval = 500ms\nblocked-threshold = %ss\ngrowth-window = %ss\njson = true\n' \
	"$THRESHOLD" "$WINDOW" >>"$TMP/servers.conf"
events=$TMP/servers.jsonl
"$LEAKMON" --config "$TMP/servers.conf" -p "$MARIADB,$REDIS,$MEMCACHED,$VARNISH_CHILD,$LEAK" \
	>"$events" 2>"$TMP/monitor.err" &
monitor=$!
start=$(date +%s)

# Bounded load all along: a few hundred requests a second to each, idle connections kept open.
load() {
	while :; do
		redis-benchmark -p "$redis_port" -n 200 -c 4 -q -t get,set >/dev/null 2>&1
		printf 'set k 0 0 1\r\nv\r\nget k\r\nquit\r\n' >"/dev/tcp/127.0.0.1/$memcached_port"
		curl -s -o /dev/null "http://127.0.0.1:$varnish_port/"
		sql 'SELECT COUNT(*) FROM shop.visits' >/dev/null
		sleep 0.5
	done 2>/dev/null
}
# idle_clients: connections that stay open, doing nothing.
idle_clients() {
	exec 3<>"/dev/tcp/127.0.0.1/$redis_port" 4<>"/dev/tcp/127.0.0.1/$memcached_port"
	exec sleep 600
}
background load
for i in 1 2 3; do
	background idle_clients
	background sql 'SELECT SLEEP(600)'
done

# A ramp of connections: 5 more every 2 s for 50 s (past two windows), each left open.
ramp() {
	for i in $(seq 25); do
		for k in 1 2 3 4 5; do
			sql 'SELECT SLEEP(600)' >/dev/null 2>&1 &
		done
		sleep 2
	done
	wait
}
background ramp

# Once the ramp is under way: a metadata-lock wait (LOCK TABLES held, an INSERT waits) and a
# row-lock wait (a row updated in an open transaction, another UPDATE waits).
sleep 45
background sql 'LOCK TABLES shop.orders WRITE; SELECT SLEEP(600)'
background sql 'BEGIN; UPDATE shop.stock SET qty = qty - 1 WHERE id = 1; SELECT SLEEP(600)'
sleep 1
background sql 'INSERT INTO shop.orders VALUES (2, 1)'
background sql 'UPDATE shop.stock SET qty = 0 WHERE id = 1'

waits_at=$(date +%s.%N)

sleep $((120 - ($(date +%s) - start)))
"$LEAKMON" snapshot -p "$MEMCACHED" >"$TMP/memcached.txt" 2>&1
kill -INT "$monitor"
check "the monitor exits 0" wait "$monitor"
check_eq "no diagnostics" "" "$(diagnostics "$TMP/monitor.err")"
check "every key of the events is documented" keys_documented "$events"

# count_events FILTER
count_events() {
	jq -s "[.[] | select($1)] | length" "$events"
}
check_eq "Redis, memcached, Varnish: not one alert in two minutes" 0 \
	"$(count_events "(.event == \"blocked\" or .event == \"growth\" or .event == \"stall\" or
		.event == \"deadlock\") and (.pid == $REDIS or .pid == $MEMCACHED or
		.pid == $VARNISH_CHILD)")"
check_eq "MariaDB: two blocked events, its metadata-lock and row-lock waits" \
	"MDL_wait::timed_wait handler::ha_" \
	"$(jq -r --argjson pid "$MARIADB" 'select(.event == "blocked" and .pid == $pid) |
		[.stack[].func // "" | select(startswith("MDL_wait::timed_wait") or
		 startswith("handler::ha_"))][0] | sub("\\(.*"; "") | sub("ha_.*"; "ha_")' \
		"$events" | sort | tr '\n' ' ' | sed 's/ $//')"
check "... each one wait, a condvar's, dated from its first sleep, within threshold + 2 looks" \
	json_matches "$events" '[.[] | select(.event == "blocked" and .pid == $pid) |
	  .wait_reason == "condvar" and .count == 1 and .blocked_s >= $t and
	  ((.time | sub("\\.[0-9]+Z$"; "Z") | fromdate) - $at) <= $t + 2] |
	  length == 2 and all' \
	-s --argjson pid "$MARIADB" --argjson t "$THRESHOLD" --argjson at "${waits_at%.*}"
check "... the metadata-lock wait, in one-second slices, says its current sleep" \
	json_matches "$events" '[.[] | select(.event == "blocked" and .pid == $pid and
	  any(.stack[]; .func // "" | startswith("MDL_wait::timed_wait"))) |
	  .sleep_s < .blocked_s and .sleep_s <= 1.1] == [true]' -s --argjson pid "$MARIADB"
check "MariaDB: its ramp of connections blamed on the connection threads' start" \
	json_matches "$events" '[.[] | select(.event == "growth" and .pid == $pid) |
	  (.site.start_routine | test("^mariadbd\\+0x[0-9a-f]+$")) and .site.count >= 20] |
	  length >= 1 and all' -s --argjson pid "$MARIADB"
check_eq "the leak: one growth event" 1 "$(count_events ".event == \"growth\" and .pid == $LEAK")"
check "... and a handful of blocked events for its ~1,200 threads stuck on one mutex" \
	json_matches "$events" '[.[] | select(.event == "blocked" and .pid == $pid)] |
	  length >= 1 and length <= 6 and (map(.count) | max) >= 100' -s --argjson pid "$LEAK"
check "memcached's 8 workers: one group" \
	grep -qE '^  8 @ \[epoll_wait, [^]]+\] on 8 objects' "$TMP/memcached.txt"
finish
