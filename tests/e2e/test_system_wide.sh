#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# A whole-machine snapshot lists every user process; --min-blocked hides short waits; the human
# output groups a process's threads by wait, largest group first.
. "$(dirname "$0")/lib.sh"

# User processes: those that are not kernel threads (PF_KTHREAD in /proc/PID/stat's flags).
user_pids() {
	local stat pid
	for stat in /proc/[0-9]*/stat; do
		pid=${stat#/proc/}
		pid=${pid%/stat}
		awk -v pid="$pid" '{ sub(/.*\) /, ""); if (int($7 / 2097152) % 2 == 0) print pid }' \
			"$stat" 2>/dev/null
	done | sort
}

fixture_start mutex_held_forever || finish
holder=$FIXTURE_PID
holder_out=$FIXTURE_OUT
sleep 1
user_pids >"$TMP/before"
check "system-wide snapshot succeeds" bash -c "'$LEAKMON' snapshot --json >'$TMP/all.json'"
user_pids >"$TMP/after"
check "system-wide JSON parses" json_valid "$TMP/all.json"
check "every key of the system-wide snapshot is documented" keys_documented "$TMP/all.json"
jq -r '.processes[].pid' "$TMP/all.json" | sort >"$TMP/listed"
# A kernel may hide processes from BPF task iterators (this machine's does its pid 1, the
# sandbox's agent): those are said, not left out silently.
jq -r '.hidden_processes[].pid' "$TMP/all.json" | sort >"$TMP/hidden"
missing=$(comm -12 "$TMP/before" "$TMP/after" | comm -23 - <(sort "$TMP/listed" "$TMP/hidden") |
	tr '\n' ' ')
check_eq "every user process alive throughout is listed, or said to be hidden" "" "$missing"
check_eq "... and none is both" "" "$(comm -12 "$TMP/listed" "$TMP/hidden" | tr '\n' ' ')"
check_eq "... nor said hidden unless alive throughout" "" \
	"$(comm -23 "$TMP/hidden" <(comm -12 "$TMP/before" "$TMP/after") | tr '\n' ' ')"
# Processes born during a pass, and gone, are seen by it or not in /proc: never said hidden.
(while :; do /bin/true; done) &
churn=$!
for i in $(seq 10); do
	"$LEAKMON" snapshot --no-stacks --json | jq -r '.hidden_processes[].pid'
done | sort -u | comm -23 - "$TMP/hidden" >"$TMP/new_hidden"
kill "$churn"
wait "$churn" 2>/dev/null
check_eq "... nor a process born while the snapshots were taken" "" \
	"$(tr '\n' ' ' <"$TMP/new_hidden")"
if grep -qx 1 "$TMP/hidden"; then
	"$LEAKMON" snapshot --no-stacks >"$TMP/all.txt" 2>&1
	check "hidden processes: text says so under the snapshot" \
		grep -qE "^note: [0-9]+ process(es)? hidden from BPF task iterators by this kernel, \
not listed: (.*, )?1 $(sed 's/[^a-zA-Z0-9_ -]/./g' /proc/1/comm)(,|$)" "$TMP/all.txt"
	# refused WHAT: "1;" and the lines leakmon said, given -p 1 alone: a warning, then "nothing
	# to WHAT".
	refused() {
		echo "1;leakmon: warning: process 1 is alive but hidden from BPF task iterators by this \
kernel;leakmon: error: nothing to $1: every process asked for is hidden from BPF task iterators \
by this kernel;"
	}
	# said ARGS...: "EXIT;" and leakmon's lines on stderr, run with ARGS.
	said() {
		timeout -s INT 10 "$LEAKMON" "$@" >/dev/null 2>"$TMP/err"
		echo "$?;$(tr '\n' ';' <"$TMP/err")"
	}
	check_eq "... -p of one exits 1, saying why" "$(refused watch)" \
		"$(said -p 1 --interval 300ms)"
	check_eq "... so does a snapshot of it" "$(refused show)" "$(said snapshot -p 1)"
	port=$((20000 + RANDOM % 20000))
	"$LEAKMON" --interval 300ms --metrics "127.0.0.1:$port" >/dev/null 2>"$TMP/err" &
	monitor=$!
	scrape_until "$port" '^leakmon_watched_processes [1-9]'
	kill -INT "$monitor"
	wait "$monitor"
	check "... the monitor of every process warns that they go unwatched" \
		grep -qE "^leakmon: warning: [0-9]+ process(es)? hidden from BPF task iterators by \
this kernel, not watched: (.*, )?1 " "$TMP/err"
	check_eq "... and counts them in its metrics, as the snapshot did" \
		"leakmon_hidden_processes $(wc -l <"$TMP/hidden")" \
		"$(grep '^leakmon_hidden_processes ' "$TMP/metrics.txt")"
else
	echo "note: pid 1 is not hidden from BPF task iterators here: its checks are not run"
fi
kthreads=$(comm -13 <(sort -u "$TMP/before" "$TMP/after") "$TMP/listed" |
	while read -r pid; do [ -d "/proc/$pid" ] && echo "$pid"; done | tr '\n' ' ')
check_eq "no kernel threads are listed" "" "$kthreads"
check_against_truth "$TMP/all.json" "$holder" "$FIXTURE_OUT" false

"$LEAKMON" snapshot --json --min-blocked 1h -p "$holder" >"$TMP/long.json"
check "--min-blocked 1h lists no threads but keeps the count" json_matches "$TMP/long.json" \
	'.processes[0] | (.threads | length) == 0 and .thread_count == 5'
"$LEAKMON" snapshot --json --min-blocked 500ms -p "$holder" >"$TMP/short.json"
check "--min-blocked 500ms lists the 5 threads blocked for a second" json_matches \
	"$TMP/short.json" '.processes[0].threads | length == 5 and all(.blocked_s >= 0.5)'
"$LEAKMON" snapshot --min-blocked 1h >"$TMP/long.txt"
check "human output with --min-blocked 1h omits the process" \
	bash -c "! grep -q 'PID $holder ' '$TMP/long.txt'"

"$LEAKMON" snapshot -p "$holder" >"$TMP/holder.txt"
check "human header counts threads and blocked ones" \
	grep -qE "^PID $holder mutex_held_fore: 5 threads, 5 blocked$" "$TMP/holder.txt"
# The three blocked within a millisecond of each other: to the tenth of a second shown, their
# times are one, or two adjacent tenths when they straddle one ("2.7s..2.8s"), however long
# the machine took to get here (10 s and more under load).
owner=$(fixture_blocked "$holder_out" | awk '$2 == "pipe_read" { print $1 }')
check_eq "largest group first: the three contenders on one mutex, and who holds it" \
	"3 @ [mutex, N.Ns] on 0xADDR held by $owner owner" \
	"$(grep -A1 "^PID $holder" "$TMP/holder.txt" | tail -1 | sed -E 's/0x[0-9a-f]+/0xADDR/; s/^ +//' |
		awk 'match($0, /[0-9]+\.[0-9]s\.\.[0-9]+\.[0-9]s/) {
			split(substr($0, RSTART, RLENGTH), t, /s\.\./)
			if (t[2] - t[1] < 0.15)
				sub(/[0-9]+\.[0-9]s\.\.[0-9]+\.[0-9]s/, "N.Ns")
		}
		{ sub(/\[mutex, [0-9]+\.[0-9]s\]/, "[mutex, N.Ns]"); print }')"
check "group members are named" grep -qE '^ +[0-9]+ contender, [0-9]+ contender, [0-9]+ contender$' \
	"$TMP/holder.txt"
check "the owner waits on a pipe" grep -qE '^  1 @ \[pipe_read, [0-9.]+s\] on pipe:\[[0-9]+\]$' \
	"$TMP/holder.txt"

# Many threads idle on one object are an idle pool, said as one; many stuck on one mutex are not.
fixture_start quiet_neighbours && quiet=$FIXTURE_PID
fixture_start lock_convoy 6 && convoy=$FIXTURE_PID
convoy_owner=$(fixture_blocked "$FIXTURE_OUT" | awk '$2 == "pause" { print $1 }')
"$LEAKMON" snapshot -p "$quiet,$convoy" >"$TMP/pools.txt"
"$LEAKMON" snapshot --json -p "$quiet,$convoy" >"$TMP/pools.json"
check "the 32 idle workers: one idle pool" \
	grep -qE '^  idle pool of 32 @ \[condvar, [0-9.]+m?s(\.\.[0-9.]+m?s)?\] on 0x[0-9a-f]+$' "$TMP/pools.txt"
check_eq "the epoll loop, pipe consumer and stuck thread alone are no pool" 1 \
	"$(grep -c 'idle pool' "$TMP/pools.txt")"
check "a worker started alike, waiting alike on a condvar of its own, is a group of its own" \
	grep -qE '^  1 @ \[condvar, [0-9.]+m?s\] on 0x[0-9a-f]+$' "$TMP/pools.txt"
check "six threads queued on one held mutex: a group, not an idle pool" \
	grep -qE "^  6 @ \[mutex, [0-9.]+m?s(\.\.[0-9.]+m?s)?\] on 0x[0-9a-f]+ held by $convoy_owner owner\$" \
	"$TMP/pools.txt"
check "JSON: idle_pools names the pool, its reason, object, start routine and every tid" \
	json_matches "$TMP/pools.json" '
	(.processes[] | select(.pid == $quiet)) as $q |
	[$q.threads[] | select(.start_routine == "idle_pool_worker")] as $started |
	[$started[] | select(.wait_object == $q.idle_pools[0].wait_object)] as $workers |
	($started | group_by(.wait_object) | map(length) | sort) == [1, 32] and
	($q.idle_pools | length) == 1 and
	($q.idle_pools[0] | .wait_reason == "condvar" and .threads == 32 and
	 .start_routine == "idle_pool_worker" and (.tids | sort) == ($workers | map(.tid) | sort) and
	 ([$workers[].wait_object] | unique) == [.wait_object]) and
	(.processes[] | select(.pid == $convoy) | .idle_pools) == []' \
	--argjson quiet "$quiet" --argjson convoy "$convoy"
finish
