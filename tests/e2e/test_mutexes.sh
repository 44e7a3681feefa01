#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Mutex waits in a snapshot: who holds the mutex (a live thread, or one that exited holding
# it); deadlocks: rings of threads each holding one mutex and waiting for the next (plain,
# recursive, error-checking and robust mutexes: robust ones keep their owner in the lock word,
# the others in a word of its own; rwlocks, written, whose writer they name, waited for by
# writers or readers, and mutexes and rwlocks in one ring) are named as cycles, each thread with
# the mutex it waits for and that mutex's owner, and so are a join and the mutex the thread
# joined waits for; mutex waits that are no cycle (an owner waiting on a pipe, a convoy, an
# owner gone) are none. Python's RLocks, whose holder the interpreter records, are such
# mutexes too, and so are its Thread.join and its GIL; a thread asleep elsewhere that keeps the
# GIL others wait for (a read through an extension that keeps it) says so, and is an event
# whatever its wait.
. "$(dirname "$0")/lib.sh"

# Also in a static binary (abba_deadlock_static): glibc linked into the program, its functions
# in no libc module.
for ring in "abba_deadlock normal 2" "abba_deadlock recursive 2" "abba_deadlock errorcheck 2" \
	"abba_deadlock robust 3" "abba_deadlock normal 5" "abba_deadlock rwlock 2" \
	"abba_deadlock rwlock_read 3" "abba_deadlock mixed 4" "abba_deadlock_static normal 2" \
	"abba_deadlock_static robust 3" "abba_deadlock_static mixed 2"; do
	set -- $ring
	fixture=$1 kind=$2 n=$3
	fixture_start "$fixture" "$kind" "$n" || continue
	pid=$FIXTURE_PID
	json=$TMP/$fixture.$kind.$n.json
	label="$fixture, $kind mutexes, ring of $n"
	"$LEAKMON" snapshot --json -p "$pid" >"$json" 2>"$TMP/err"
	check_eq "$label: the snapshot succeeds quietly" "" "$(cat "$TMP/err")"
	expected=$(ring_links "$pid")
	check_eq "$label: $n threads named by /proc" "$n" \
		"$(echo "$expected" | grep -c .)"
	check_eq "$label: one cycle" 1 \
		"$(jq '.processes[0].deadlocks | length' "$json")"
	check_eq "$label: each waiter with the owner of the mutex it wants, at its address" \
		"$(ring_links "$pid" "$FIXTURE_OUT")" \
		"$(jq -r '.processes[0].deadlocks[0].threads[] | "\(.tid) \(.owner) \(.mutex)"' \
			"$json" | sort -n)"
	check "$label: each mutex is what its waiter waits on, owned as said" \
		json_matches "$json" '.processes[0] | (.threads | map({key: (.tid | tostring),
		value: .}) | from_entries) as $th | all(.deadlocks[0].threads[];
		.mutex == $th[.tid | tostring].wait_object and .owner == $th[.tid | tostring].mutex_owner)'
	"$LEAKMON" snapshot -p "$pid" >"$TMP/text" 2>&1
	check_eq "$label: text names the cycle" \
		"  deadlock: $n threads wait for each other's mutexes" \
		"$(grep '^  deadlock:' "$TMP/text")"
	check "$label: the header line counts the deadlock" \
		grep -qE '^leakmon snapshot .*, [0-9]+ blocked, 1 deadlock$' "$TMP/text"
	"$LEAKMON" snapshot --min-blocked 1h -p "$pid" >"$TMP/hidden" 2>&1
	check "$label: not counted when --min-blocked hides the process" \
		grep -qE '^leakmon snapshot .*, [0-9]+ blocked$' "$TMP/hidden"
	tid=${expected%% *}
	owner=$(echo "$expected" | awk 'NR == 1 { print $2 }')
	mutex=$(json_thread "$json" "$tid" wait_object)
	comm=$(cat "/proc/$pid/task/$tid/comm")
	# The lock it waits for (J of lock-I-then-J): an rwlock for the rwlock kinds; when mixed,
	# the odd ones.
	case $comm in
	a-to-b) wanted=1 ;;
	b-to-a) wanted=0 ;;
	*) wanted=${comm##*-} ;;
	esac
	noun=mutex
	case $kind in
	rwlock*) noun=rwlock ;;
	mixed) [ $((wanted % 2)) -eq 1 ] && noun=rwlock ;;
	esac
	check_eq "$label: a line per thread, with its $noun and owner" \
		"$tid $comm waits for $noun $mutex held by $owner $(cat "/proc/$pid/task/$owner/comm")" \
		"$(grep -E "^      $tid .* waits for" "$TMP/text" | sed 's/^ *//')"
	[ "$fixture" = abba_deadlock ] || check_eq "$label: the main thread starts in main" main \
		"$(json_thread "$json" "$pid" start_routine)"
	kill -9 "$pid"
done

# In a pid namespace of its own (a container's), a lock names its owner by that namespace's
# numbers: owners are named as we number threads, and the ring is still found.
printf '#!/bin/sh\nexec unshare --pid --fork --kill-child --mount-proc %s "$@"\n' \
	"$PWD/$FIXTURES/abba_deadlock" >"$TMP/abba_deadlock"
chmod +x "$TMP/abba_deadlock"
FIXTURES=$TMP fixture_start abba_deadlock mixed 4 && {
	inner=$(pgrep -P "$FIXTURE_PID" | head -1)
	STARTED_PIDS+=("$inner")
	json=$TMP/ns.json
	"$LEAKMON" snapshot --json -p "$inner" >"$json"
	check_eq "in a pid namespace: one cycle, each waiter with its lock's owner as we number it" \
		"1;$(ring_links "$inner" "$FIXTURE_OUT" | tr '\n' ';')" \
		"$(snapshot_cycle "$json")"
}

# A thread that joins another while holding the mutex that one waits for (shutdown gone wrong):
# a cycle of a join and a mutex. A join of a thread that waits on a pipe names the thread it
# joins, and is no cycle.
fixture_start join_deadlock && {
	json=$TMP/join.json
	declare -A tid_of
	for task in /proc/"$FIXTURE_PID"/task/*; do
		tid_of[$(cat "$task/comm")]=${task##*/}
	done
	stopper=${tid_of[stopper]} worker=${tid_of[worker]} reader=${tid_of[reader]}
	"$LEAKMON" snapshot --json -p "$FIXTURE_PID" >"$json"
	check_eq "join while holding: one cycle, the stopper joining the worker, which waits for it" \
		"1;$stopper $worker null;$worker $stopper $(json_thread "$json" "$worker" wait_object);" \
		"$(snapshot_cycle "$json")"
	check_eq "a join names the thread it joins" "join $reader" \
		"$(json_thread "$json" "${tid_of[joiner]}" wait_reason) $(json_thread "$json" \
			"${tid_of[joiner]}" mutex_owner)"
	"$LEAKMON" snapshot -p "$FIXTURE_PID" >"$TMP/text" 2>&1
	check_eq "join while holding: text names the cycle, the join as a join" \
		"  deadlock: 2 threads wait for each other;      $stopper stopper joins $worker worker;\
      $worker worker waits for mutex $(json_thread "$json" "$worker" wait_object) held by\
 $stopper stopper;" \
		"$(sed -n '/^  deadlock:/,/^  [^ ]/p' "$TMP/text" | grep -v '^  [0-9]' | tr '\n' ';')"
	check "a join: text names the thread it joins" \
		grep -qE "^  1 @ \[join, [^]]*\] on 0x[0-9a-f]+ joining $reader reader\$" "$TMP/text"
	watch_live 3 "$TMP/join.jsonl" "join while holding"
	check_eq "join while holding, live: one deadlock event, the join and the mutex, as above" \
		"$(snapshot_cycle "$json")" "$(live_cycle "$TMP/join.jsonl")"
}

# Priority-inheritance mutexes keep their owner in the lock word. The kernel refuses the lock
# that would close the cycle, and glibc parks that thread on a zero word of its own stack:
# that word is no mutex, and nothing read past it may be named its owner.
fixture_start abba_deadlock pi 3 && {
	json=$TMP/pi.json
	"$LEAKMON" snapshot --json -p "$FIXTURE_PID" >"$json"
	expected=$(ring_links "$FIXTURE_PID")
	check_eq "pi mutexes: the two waiting in the kernel name their owner, the parked one none" \
		"2 1" \
		"$(jq -r '.processes[0].threads[] | select(.wait_reason == "mutex") |
			"\(.tid) \(.mutex_owner)"' "$json" |
			awk 'NR == FNR { owner[$1] = $2; next }
				$2 == owner[$1] { named++ } $2 == "null" { parked++ }
				END { print named + 0, parked + 0 }' <(echo "$expected") -)"
	check "pi mutexes: the parked one, and it alone, was refused its lock" json_matches "$json" \
		'[.processes[0].threads[] | select(.wait_reason == "mutex") |
		  .lock_refused == (.mutex_owner == null)] | length == 3 and all'
	"$LEAKMON" snapshot -p "$FIXTURE_PID" >"$TMP/text" 2>&1
	refused='(parked for good: the kernel refused the priority-inheritance lock: it would'
	refused="$refused deadlock, or its owner died)"
	check_eq "pi mutexes: text says the kernel refused it" 1 \
		"$(grep -cE "^  1 @ \[mutex, .*\] on 0x[0-9a-f]+ ${refused//[()]/.}\$" "$TMP/text")"
	said=""
	while read -r tid owner; do
		mutex=$(json_thread "$json" "$tid" wait_object)
		[ "$(json_thread "$json" "$tid" lock_refused)" = false ] || continue
		said+="$tid $(cat "/proc/$FIXTURE_PID/task/$tid/comm") waits for mutex $mutex held by"
		said+=" $owner $(cat "/proc/$FIXTURE_PID/task/$owner/comm");"
	done < <(sort -n <<<"$expected")
	check_eq "pi mutexes: the group on two mutexes names each one's holder" "$said" \
		"$(grep -E '^      [0-9]+ .* waits for mutex' "$TMP/text" | sed 's/^ *//' | sort -n |
			tr '\n' ';')"
}

# A mutex held by a live thread, and one whose owner exited without unlocking it.
fixture_start mutex_held_forever && {
	json=$TMP/held.json
	"$LEAKMON" snapshot --json -p "$FIXTURE_PID" >"$json"
	owner=$(fixture_blocked "$FIXTURE_OUT" | awk '$2 == "pipe_read" { print $1 }')
	contenders=$(fixture_blocked "$FIXTURE_OUT" | awk '$2 == "futex" { print $1 }' | wc -l)
	check_eq "a held mutex: each of its $contenders waiters names its owner" \
		"$(yes "$owner" | head -n "$contenders")" \
		"$(jq -r '.processes[0].threads[] | select(.wait_reason == "mutex") | .mutex_owner' \
			"$json")"
	check "a held mutex: other waits name no owner" json_matches "$json" \
		'all(.processes[0].threads[] | select(.wait_reason != "mutex"); .mutex_owner == null)'
	mutex=$(jq -r 'first(.processes[0].threads[] | select(.wait_reason == "mutex")) |
		.wait_object' "$json")
	"$LEAKMON" snapshot -p "$FIXTURE_PID" >"$TMP/text" 2>&1
	check_eq "a held mutex: text names its owner by tid and name" 1 \
		"$(grep -c "^  $contenders @ \[mutex, .*\] on $mutex held by $owner owner\$" "$TMP/text")"
}
fixture_start lock_owner_exited && {
	json=$TMP/exited.json
	"$LEAKMON" snapshot --json -p "$FIXTURE_PID" >"$json"
	owner=$(awk '$1 == "owner" { print $2 }' "$FIXTURE_OUT")
	check_eq "an owner that exited holding its mutex: no longer a thread" "" \
		"$(ls "/proc/$FIXTURE_PID/task" | grep -x "$owner")"
	check_eq "... its waiters still name it" "$owner $owner" \
		"$(jq -r '[.processes[0].threads[] | select(.wait_reason == "mutex") |
			.mutex_owner] | join(" ")' "$json")"
	"$LEAKMON" snapshot -p "$FIXTURE_PID" >"$TMP/text" 2>&1
	check "... none was refused its lock" json_matches "$json" \
		'all(.processes[0].threads[]; .lock_refused == false)'
	check_eq "... and text says it has exited" 1 \
		"$(grep -c "^  2 @ \[mutex, .*\] on 0x[0-9a-f]* held by $owner, which has exited\$" \
			"$TMP/text")"
}

# A priority-inheritance mutex whose owner exited: the kernel refuses to lock it at all.
fixture_start lock_owner_exited pi && {
	json=$TMP/exited_pi.json
	"$LEAKMON" snapshot --json -p "$FIXTURE_PID" >"$json"
	check_eq "a PI mutex whose owner exited: both contenders refused their lock, no owner" \
		"true:null true:null" \
		"$(jq -r '[.processes[0].threads[] | select(.wait_reason == "mutex") |
			"\(.lock_refused):\(.mutex_owner)"] | join(" ")' "$json")"
	"$LEAKMON" snapshot -p "$FIXTURE_PID" >"$TMP/text" 2>&1
	check_eq "... said of their group in text" 1 \
		"$(grep -cE '^  2 @ \[mutex, .*\] on 2 objects: 0x[0-9a-f]+, 0x[0-9a-f]+ \(parked for good' \
			"$TMP/text")"
}

# Python's RLocks record their holder's thread ident, which the interpreter's thread states tie
# to a tid; the RLock a waiter waits for is read from the frame that calls acquire. A ring of
# three, each waiting its own way (with on a local, acquire() on a local, with on an object's
# attribute), is a deadlock: under Debian's python3, and 3.12 and 3.13 where installed.
# python_ring: "TID OWNER RLOCK NAME OWNER_NAME" per ring thread, from what the fixture said.
python_ring() {
	awk '$1 == "holds" { tid[$2] = $3; lock[$2] = $4 }
		END { for (i = 0; i < 3; i++) { j = (i + 1) % 3
			print tid[i], tid[j], lock[j], "ring-" i, "ring-" j } }' "$FIXTURE_OUT" |
		sort -n
}

check_python_ring() {
	local label="$1: an RLock ring" json=$TMP/ring.json expected said tid owner lock name
	local owner_name
	expected=$(python_ring)
	"$LEAKMON" snapshot --json -p "$FIXTURE_PID" >"$json" 2>"$TMP/err"
	check_eq "$label: the snapshot succeeds quietly" "" "$(cat "$TMP/err")"
	check_eq "$label: one cycle" 1 "$(jq '.processes[0].deadlocks | length' "$json")"
	check_eq "$label: each waiter with the RLock it waits for (its id()) and that one's holder" \
		"$(cut -d' ' -f1-3 <<<"$expected")" \
		"$(jq -r '.processes[0].deadlocks[0].threads[] | "\(.tid) \(.owner) \(.mutex)"' \
			"$json" | sort -n)"
	check "$label: each a Python lock wait on its RLock, its holder its mutex_owner" \
		json_matches "$json" '.processes[0] | (.threads | map({key: (.tid | tostring),
		value: .}) | from_entries) as $th | all(.deadlocks[0].threads[];
		$th[.tid | tostring] as $t | .mutex == $t.wait_object and
		.owner == $t.mutex_owner and $t.wait_reason == "python_lock")'
	"$LEAKMON" snapshot -p "$FIXTURE_PID" >"$TMP/text" 2>&1
	said=""
	while read -r tid owner lock name owner_name; do
		said+="$tid $(cat "/proc/$FIXTURE_PID/task/$tid/comm") \"$name\" waits for mutex $lock"
		said+=" held by $owner $(cat "/proc/$FIXTURE_PID/task/$owner/comm") \"$owner_name\";"
	done <<<"$expected"
	check_eq "$label: text: a line per thread, with its RLock and holder, and their names" \
		"$said" "$(sed -n '/^  deadlock: 3 threads/,/^  [^ ]/p' "$TMP/text" |
			grep -E '^      [0-9]+ ' | sed 's/^ *//' | sort -n | tr '\n' ';')"
}

each_python python_deadlock check_python_ring

# Live, the ring closes 3 s after its first two threads wait: their stacks were read ticks
# before, and what those said of their RLocks is kept with their waits.
fixture_start python_deadlock 3 && {
	watch_live 6 "$TMP/ring.jsonl" "an RLock ring"
	check_eq "an RLock ring, live: one deadlock event: each waiter with its RLock and that \
one's holder" "1;$(python_ring | cut -d' ' -f1-3 | tr '\n' ';')" "$(live_cycle "$TMP/ring.jsonl")"
}

# Python's Thread.join waits for the Thread it was called on, whose ident names the tid: joining
# the worker that waits for an RLock the joiner holds is a deadlock; joining a thread that waits
# on a pipe names it, and is none.
check_python_join() {
	local label=$1 json=$TMP/pyjoin.json stopper worker joiner reader comm
	read -r stopper worker joiner reader < <(awk '$1 == "thread" { tid[$2] = $3 } END {
		print tid["stopper"], tid["worker"], tid["joiner"], tid["reader"] }' "$FIXTURE_OUT")
	"$LEAKMON" snapshot --json -p "$FIXTURE_PID" >"$json"
	check_eq "$label: join while holding an RLock: one cycle, the join and the RLock" \
		"1;$stopper $worker null;$worker $stopper $(json_thread "$json" "$worker" wait_object);" \
		"$(snapshot_cycle "$json")"
	check_eq "$label: a join names the thread it joins" "join $reader" \
		"$(json_thread "$json" "$joiner" wait_reason) $(json_thread "$json" "$joiner" \
			mutex_owner)"
	"$LEAKMON" snapshot -p "$FIXTURE_PID" >"$TMP/text" 2>&1
	comm=$(cat "/proc/$FIXTURE_PID/comm")
	check_eq "$label: text: the stopper joins the worker, by their names" \
		"$stopper $comm \"stopper\" joins $worker $comm \"worker\"" \
		"$(sed -n '/^  deadlock: 2 threads wait for each other$/,/^  [^ ]/p' "$TMP/text" |
			grep -E "^      $stopper " | sed 's/^ *//')"
	# Live: the stopper's stack is read again for the deadlock, in the tick that read it for
	# being blocked; what it waits on is what the snapshot said (3.13's is not the futex).
	watch_live 2.5 "$TMP/pyjoin.jsonl" "$label"
	check_eq "$label, live: the deadlock, as above" "$(snapshot_cycle "$json")" \
		"$(live_cycle "$TMP/pyjoin.jsonl")"
	check_eq "$label, live: the stopper's wait, joining the worker" \
		"$(json_thread "$json" "$stopper" wait_object) $worker" \
		"$(jq -r --argjson t "$stopper" 'select(.event == "blocked" and .tid == $t) |
			"\(.wait_object) \(.mutex_owner)"' "$TMP/pyjoin.jsonl" | sort -u)"
}

each_python python_join_deadlock check_python_join

# A thread that holds the GIL while it waits for a mutex (an extension's call that keeps the
# GIL), whose holder waits for the GIL: a deadlock of the GIL and the mutex. The GIL's waiter
# wakes every 5 ms and sleeps again where it was: its stack is read all the same.
check_python_gil() {
	local label=$1 json=$TMP/pygil.json needs holder mutex comm
	read -r needs holder mutex < <(awk '$1 == "thread" { tid[$2] = $3 }
		$1 == "mutex" { mutex = $2 } END { print tid["needs-gil"], tid["holder"], mutex }' \
		"$FIXTURE_OUT")
	# The ring closes half a second after "ready": the GIL's waiter was asleep in C till then.
	sleep 1
	"$LEAKMON" snapshot --json -p "$FIXTURE_PID" >"$json"
	check_eq "$label: the GIL's waiter: its reason, and the GIL's holder" "gil $holder" \
		"$(json_thread "$json" "$needs" wait_reason) $(json_thread "$json" "$needs" \
			mutex_owner)"
	check_eq "$label: the GIL and a mutex: one cycle" \
		"1;$needs $holder $(json_thread "$json" "$needs" wait_object);$holder $needs $mutex;" \
		"$(snapshot_cycle "$json")"
	"$LEAKMON" snapshot -p "$FIXTURE_PID" >"$TMP/text" 2>&1
	comm=$(cat "/proc/$FIXTURE_PID/comm")
	check_eq "$label: text: the GIL's waiter waits for the GIL, held by the mutex's waiter" \
		"  deadlock: 2 threads wait for each other;$needs $comm \"needs-gil\" waits for the\
 GIL $(json_thread "$json" "$needs" wait_object) held by $holder $comm \"holder\";" \
		"$(sed -n '/^  deadlock:/,/^  [^ ]/p' "$TMP/text" | grep -E "^  deadlock:|^      $needs " |
			sed 's/^      //' | tr '\n' ';')"
	# Live: no GIL wait lasts past a threshold, but the mutex's does, and its holder's stack,
	# asleep, is read for it.
	watch_live 2.5 "$TMP/pygil.jsonl" "$label"
	check_eq "$label, live: the deadlock, as above" "$(snapshot_cycle "$json")" \
		"$(live_cycle "$TMP/pygil.jsonl")"
}

each_python python_gil_deadlock check_python_gil

# gil_holder_line TEXT TID: the line under TID's group in a snapshot's text that says it keeps
# the GIL, if any (a group of one: the thread is the group's).
gil_holder_line() {
	awk -v tid="$2" '/^  [0-9]+ @ / { group = 1; mine = 0; next }
		group && !mine && $1 == tid { mine = 1; next }
		/^  [^ ]/ { group = 0 }
		mine && /keeps the GIL/ { sub(/^ +/, ""); print }' "$1"
}

# A thread asleep on an empty pipe that keeps the GIL (PyDLL), two workers waiting for it: the
# holder keeps the GIL the workers wait on, counted; live, that is an event though no pipe read
# is an alerted kind. With CDLL, which lets the GIL go, nothing of the kind.
check_python_gil_held() {
	local label="python_gil_held_blocked under $1" json=$TMP/gilheld.json holder workers gil
	holder=$(awk '$1 == "thread" && $2 == "holder" { print $3 }' "$FIXTURE_OUT")
	workers=$(awk '$1 == "thread" && $2 ~ /^worker-/ { print $3 }' "$FIXTURE_OUT" | sort -n)
	sleep 0.5
	"$LEAKMON" snapshot --json -p "$FIXTURE_PID" >"$json"
	gil=$(json_thread "$json" "$holder" holds_gil | jq -r .gil)
	check_eq "$label: the holder keeps the GIL while it reads a pipe: 2 wait for it" \
		"pipe_read 2" \
		"$(json_thread "$json" "$holder" wait) $(json_thread "$json" "$holder" holds_gil |
			jq -r .waiters)"
	check_eq "$label: ... the workers wait for that GIL, held by the holder" \
		"$(for w in $workers; do echo "$w gil $gil $holder"; done)" \
		"$(for w in $workers; do echo "$w $(json_thread "$json" "$w" wait_reason)" \
			"$(json_thread "$json" "$w" wait_object) $(json_thread "$json" "$w" \
				mutex_owner)"; done)"
	check_eq "$label: ... no other thread keeps one" "$holder" \
		"$(jq -r '.processes[].threads[] | select(.holds_gil != null) | .tid' "$json")"
	"$LEAKMON" snapshot -p "$FIXTURE_PID" >"$TMP/text" 2>&1
	check_eq "$label: text: under the holder's stack" \
		"keeps the GIL $gil while blocked: 2 threads wait for it" \
		"$(gil_holder_line "$TMP/text" "$holder")"
	watch_live 2.5 "$TMP/gilheld.jsonl" "$label"
	check_eq "$label, live: one event, of the holder, on its pipe, keeping the GIL" \
		"$holder pipe_read $gil 2" \
		"$(jq -r 'select(.event == "blocked") |
			"\(.tid) \(.wait) \(.holds_gil.gil) \(.holds_gil.waiters)"' \
			"$TMP/gilheld.jsonl")"
}

each_python python_gil_held_blocked check_python_gil_held

fixture_start python_gil_held_blocked releases-gil && {
	label="python_gil_held_blocked, the GIL let go"
	holder=$(awk '$1 == "thread" && $2 == "holder" { print $3 }' "$FIXTURE_OUT")
	sleep 0.5
	"$LEAKMON" snapshot --json -p "$FIXTURE_PID" >"$TMP/gilfree.json"
	check_eq "$label: the holder reads its pipe and keeps no GIL" "pipe_read null" \
		"$(json_thread "$TMP/gilfree.json" "$holder" wait) $(json_thread "$TMP/gilfree.json" \
			"$holder" holds_gil)"
	check_eq "$label: ... nobody waits for the GIL" 0 \
		"$(jq '[.processes[].threads[] | select(.wait_reason == "gil")] | length' \
			"$TMP/gilfree.json")"
	watch_live 2.5 "$TMP/gilfree.jsonl" "$label"
	check_eq "$label, live: no event" "" \
		"$(jq -r 'select(.event == "blocked") | .tid' "$TMP/gilfree.jsonl")"
}

# A FILE's lock is no pthread mutex: its owner word is the holder's struct pthread, whose tid
# is where the process's libc tells libthread_db it is. A stdio call waiting for it (a logger
# stuck behind a thread that holds stdout) is a mutex wait, held by that thread; a number read
# from the wrong word is never named.
fixture_start stdio_lock_held && {
	writer=$(awk '$1 == "blocked" && $3 == "futex" { print $2 }' "$FIXTURE_OUT")
	# The holder says so first; the main thread pauses too, after "ready".
	holder=$(awk '$1 == "blocked" && $3 == "pause" { print $2; exit }' "$FIXTURE_OUT")
	"$LEAKMON" snapshot --json -p "$FIXTURE_PID" >"$TMP/stdio.json"
	check_eq "a FILE's lock: a mutex wait, held by the thread that locked the FILE" \
		"mutex $holder" "$(json_thread "$TMP/stdio.json" "$writer" wait_reason) $(json_thread \
			"$TMP/stdio.json" "$writer" mutex_owner)"
	"$LEAKMON" snapshot -p "$FIXTURE_PID" >"$TMP/text" 2>&1
	check "... and text names it" grep -qE "^  1 @ \[mutex, [^]]*\] on 0x[0-9a-f]+ held by \
$holder holder\$" "$TMP/text"
}

for name in mutex_held_forever lock_convoy lock_owner_exited; do
	fixture_start "$name" || continue
	"$LEAKMON" snapshot --json -p "$FIXTURE_PID" >"$TMP/$name.json"
	check "$name: mutex waiters, read from their stacks" json_matches "$TMP/$name.json" \
		'[.processes[0].threads[] | select(.wait_reason == "mutex")] | length > 0'
	check_eq "$name: no deadlock" "[]" "$(jq -c '.processes[0].deadlocks' "$TMP/$name.json")"
	"$LEAKMON" snapshot -p "$FIXTURE_PID" >"$TMP/text" 2>&1
	check_eq "$name: no deadlock in text" 0 "$(grep -c '^  deadlock:\|deadlock$' "$TMP/text")"
done
finish
