#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Full user stacks without ptrace: the same frames as eu-stack (the oracle, run afterwards),
# whatever the code generation; wait reasons and start routines read from them; the target
# never woken; stripped, C++, dlopen'ed, deleted and other-mount-namespace code.
. "$(dirname "$0")/lib.sh"

# Context switches of every thread of a process: they must not move across a snapshot.
switches() {
	local status
	for status in /proc/"$1"/task/*/status; do
		awk '/ctxt_switches/ { printf "%s ", $2 }' "$status"
	done
}

# "TID PC NAME" for each real (not inlined) frame, names normalized: glibc exports a function
# under several aliases (pthread_mutex_lock, __pthread_mutex_lock@GLIBC_2.2.5) and either
# tool may pick another one.
normalize='s/@.*//; s/^_+//; s/^GI_+//; s/^libc_//; s/_impl$//; s/^_+//'
leakmon_frames() {
	jq -r '.processes[].threads[] | .tid as $t | .stack[] | select(.inlined | not) |
		"\($t) \(.addr) \(.func // "-")"' "$1" |
		awk '{ sub(/^0x0*/, "", $2); print }' | sed -E "s/ ([^ ]+)\$/ \\1/" |
		while read -r tid pc name; do
			echo "$tid $pc $(echo "$name" | sed -E "$normalize")"
		done
}
eu_stack_frames() {
	eu-stack -p "$1" 2>/dev/null | awk '
		/^TID / { tid = $2; sub(/:/, "", tid) }
		/^#/ { pc = $2; sub(/^0x0*/, "", pc); print tid, pc, ($3 == "" ? "-" : $3) }' |
		while read -r tid pc name; do
			echo "$tid $pc $(echo "$name" | sed -E "$normalize")"
		done
}

# check_stacks NAME JSON: the checks every stack fixture shares; eu-stack last, as it stops the
# target and wakes every thread.
check_stacks() {
	local name=$1 json=$2 before=$3 missing
	check_eq "$name: snapshot woke no thread" "$before" "$(switches "$FIXTURE_PID")"
	check "$name: every blocked thread has a stack" json_matches "$json" \
		'[.processes[].threads[] | select(.wait != null) | .stack | length > 2] | all'
	check_eq "$name: no stack errors" "" \
		"$(jq -r '.processes[].threads[] | .stack_error // empty' "$json")"
	leakmon_frames "$json" | sort >"$TMP/leakmon.frames"
	eu_stack_frames "$FIXTURE_PID" | sort >"$TMP/eu.frames"
	missing=$(comm -3 "$TMP/leakmon.frames" "$TMP/eu.frames" | head -5 | tr '\n\t' '; ')
	check_eq "$name: frames (pc, function) equal eu-stack's" "" "$missing"
}

snapshot_of() {
	local before
	before=$(switches "$FIXTURE_PID")
	"$LEAKMON" snapshot --json -p "$FIXTURE_PID" >"$1" 2>"$TMP/err" || fail "snapshot: $(cat "$TMP/err")"
	echo "$before"
}

for variant in stack_shapes stack_shapes_O2_nofp stack_shapes_fp stack_shapes_O0 \
	stack_shapes_nopie stack_shapes_stripped; do
	fixture_start "$variant" || continue
	json=$TMP/$variant.json
	before=$(snapshot_of "$json")
	# Threads are named for the reason their wait should be given.
	check_eq "$variant: wait reasons read from the stacks" "" "$(jq -r '.processes[].threads[] |
		select(.comm != .wait_reason and .tid != '"$FIXTURE_PID"') |
		"\(.comm) got \(.wait_reason)"' "$json" | tr '\n' ';')"
	if [ "$variant" != stack_shapes_stripped ]; then
		check_eq "$variant: start routines" \
			"barrier:wait_on_barrier condvar:wait_on_condvar join:wait_on_join main:main mutex:wait_on_mutex once:wait_on_once pipe_read:start_once_forever pipe_read:wait_on_pipe rwlock:wait_on_rwlock semaphore:wait_on_semaphore" \
			"$(jq -r '.processes[].threads[] | "\(if .tid == '"$FIXTURE_PID"' then "main" else .comm end):\(.start_routine)"' \
				"$json" | sort | tr '\n' ' ' | sed 's/ $//')"
		check "$variant: source lines of the fixture" json_matches "$json" \
			'[.processes[].threads[].stack[] | select(.func == "descend") |
			  .file | endswith("stack_shapes.c")] | all and length > 0'
	else
		check "$variant: stripped code gets module+offset, never a neighbour's name" \
			json_matches "$json" '[.processes[].threads[].stack[] |
			  select(.module == "stack_shapes_stripped")] |
			  length > 0 and all(.func == null and .module_offset != null)'
	fi
	check_stacks "$variant" "$json" "$before"
done

# Separate debug files (libc6-dbg): their symbol tables always; their DWARF on request.
fixture_start stack_shapes && {
	"$LEAKMON" snapshot --json -p "$FIXTURE_PID" >"$TMP/embedded.json"
	"$LEAKMON" snapshot --json --debuginfo all -p "$FIXTURE_PID" >"$TMP/all.json"
	"$LEAKMON" snapshot --json --debuginfo none -p "$FIXTURE_PID" >"$TMP/none.json"
	check "libc's internal functions are named from libc6-dbg's symbol table" json_matches \
		"$TMP/embedded.json" '[.processes[].threads[].stack[] | select(.module == "libc.so.6") |
		  .func] | index("start_thread") != null and index("__GI___lll_lock_wait") != null'
	check "--debuginfo embedded: no libc source lines" json_matches "$TMP/embedded.json" \
		'[.processes[].threads[].stack[] | select(.module == "libc.so.6") | .file] | all(. == null)'
	check "--debuginfo all: libc source lines and inlined libc frames" json_matches "$TMP/all.json" \
		'[.processes[].threads[].stack[] | select(.module == "libc.so.6")] |
		  any(.func == "start_thread" and (.file | endswith("pthread_create.c"))) and
		  any(.inlined and .func == "__pthread_cond_wait_common")'
	check "--debuginfo none: names, no source lines at all" json_matches "$TMP/none.json" \
		'[.processes[].threads[].stack[]] | all(.file == null) and any(.func == "descend")'
}

# Human output: the group header names the reason; frames follow.
fixture_start stack_shapes && {
	"$LEAKMON" snapshot -p "$FIXTURE_PID" >"$TMP/shapes.txt"
	check "human output: [mutex, ...] group" grep -qE '^  1 @ \[mutex, [0-9.]+(ms|s)\] on 0x' \
		"$TMP/shapes.txt"
	check "human output: frames with function, module and source line" grep -qE \
		'^      #[0-9]+ +0x[0-9a-f]{16} wait_on_mutex\+0x[0-9a-f]+ \(stack_shapes\) tests/fixtures/stack_shapes.c:[0-9]+$' \
		"$TMP/shapes.txt"
}

# C++: demangled names, std::thread's trampolines skipped for the start routine (its invokers,
# templates, are named after their return type: "void std::thread::_Invoker<...>"). The pthread
# waits of std::mutex and std::condition_variable, and what libstdc++ builds on futexes of its
# own: a std::future (and a shared one) whose promise is never kept, a semaphore, a latch and a
# barrier.
fixture_start cxx_threads && {
	before=$(snapshot_of "$TMP/cxx.json")
	check_eq "C++: each thread's start routine and wait reason" \
		"zoo::acquires_semaphore() semaphore|zoo::waits_at_barrier() barrier|\
zoo::waits_at_latch() barrier|zoo::waits_for_promise(std::future<int>) chan_receive|\
zoo::waits_for_shared_promise(std::shared_future<void>) chan_receive|\
zoo::worker_locks_held_mutex() mutex|zoo::worker_waits_on_condition(int) condvar|\
zoo::worker_waits_on_condition(int) condvar" \
		"$(jq -r --argjson pid "$FIXTURE_PID" '[.processes[].threads[] |
			select(.tid != $pid) | "\(.start_routine) \(.wait_reason)"] | sort |
			join("|")' "$TMP/cxx.json")"
	# GCC may clone it (zoo::worker::wait_for_ready() [clone .isra.0]), as c++filt shows.
	check "C++ member function demangled" json_matches "$TMP/cxx.json" \
		'[.processes[].threads[].stack[].func // "" | startswith("zoo::worker::wait_for_ready()")] | any'
	# A function in a namespace: found in the DWARF, with what is inlined into it and the line.
	check_eq "C++: the function in a namespace, at the line that locks, inlined code above it" \
		"tests/fixtures/cxx_threads.cpp:$(grep -n 'lock_guard<std::mutex> guard(held)' \
			tests/fixtures/cxx_threads.cpp | cut -d: -f1) under an inlined std::lock_guard" \
		"$(jq -r '[.processes[].threads[].stack as $s | $s | to_entries[] |
			select(.value.func == "zoo::worker_locks_held_mutex()") |
			"\(.value.file):\(.value.line) under \(if $s[.key - 1].inlined then
			  "an inlined " else "" end)\($s[.key - 1].func | sub("<.*"; ""))"] | first' \
			"$TMP/cxx.json")"
	check_eq "C++: snapshot woke no thread" "$before" "$(switches "$FIXTURE_PID")"
}

# GLib: its threads start through a proxy function of its own, unnamed in Debian's build; its
# GCond, GAsyncQueue and GOnce wait on futexes of GLib's own, named from its functions, and its
# GMutex in a static function, unnamed, its one such wait; its GRecMutex and GRWLock are
# pthread's. A GThreadPool's idle workers are one idle pool.
fixture_start glib_threads && {
	"$LEAKMON" snapshot --json -p "$FIXTURE_PID" >"$TMP/glib.json"
	check_against_truth "$TMP/glib.json" "$FIXTURE_PID" "$FIXTURE_OUT" false
	check_eq "GLib: each thread's start routine and wait reason" \
		"glib-cond:on_cond:condvar|glib-mutex:on_mutex:mutex|glib-once:on_once:once|\
glib-queue-time:on_queue_timeout:chan_receive|glib-queue:on_queue:chan_receive|\
glib-rec-mutex:on_rec_mutex:mutex|glib-rw-lock:on_rw_lock:rwlock" \
		"$(jq -r '[.processes[0].threads[] | select(.comm | startswith("glib-")) |
			select(.comm != "glib-once-init") | "\(.comm):\(.start_routine):\(.wait_reason)"] |
			sort | join("|")' "$TMP/glib.json")"
	check_eq "GLib: the GRecMutex's holder read from it: the main thread" "$FIXTURE_PID" \
		"$(jq -r '.processes[0].threads[] | select(.comm == "glib-rec-mutex") |
			.mutex_owner' "$TMP/glib.json")"
	check "GLib: the GThreadPool's four idle workers, one idle pool" json_matches \
		"$TMP/glib.json" '.processes[0].idle_pools | length == 1 and
		  (.[0] | .threads == 4 and .wait_reason == "condvar")'
}

# Rust: std's Mutex, RwLock, Condvar and channels wait on futexes of their own, not pthread's;
# their waits are named from std's functions. Built twice: in the legacy mangling and in v0, the
# one newer releases give std itself; both demangled as Rust prints them. Rust puts functions in
# namespaces in its DWARF: the closure each thread runs, inlined, is its start routine, and the
# wait's line in it is in the stack.
# rust_line TEXT: the fixture's line holding TEXT.
rust_line() {
	grep -nF "$1" tests/fixtures/rust_waits.rs | cut -d: -f1
}
rust_lines="rs-barrier:$(rust_line 'barrier.wait()')"
rust_lines+=" rs-condvar:$(rust_line 'cond.wait(notified)') rs-mutex:$(rust_line 'm.lock()')"
rust_lines+=" rs-once:$(rust_line 'INIT.call_once(|| {})')"
rust_lines+=" rs-recv:$(rust_line 'waits_for_data.recv()')"
rust_lines+=" rs-rwlock:$(rust_line 'r.read()') rs-send:$(rust_line 'waits_for_taker.send(1)')"
# check_rust_waits LABEL JSON COMMS CLOSURE REASONS LINES: of the threads whose names match
# COMMS, each wait's reason (REASONS) and its line (LINES) in its thread's closure in main
# (CLOSURE, the start of its name); the ground truth; every name demangled.
check_rust_waits() {
	local label=$1 json=$2 comms=$3 closure=$4 reasons=$5 lines=$6
	check_eq "$label: wait reasons" "$reasons" \
		"$(jq -r --arg comms "$comms" '[.processes[0].threads[] |
			select(.comm | test($comms)) | "\(.comm):\(.wait_reason)"] | sort |
			join(" ")' "$json")"
	check_eq "$label: each wait at its line of its thread's closure" "$lines" \
		"$(jq -r --arg comms "$comms" --arg closure "$closure" '[.processes[0].threads[] |
			select(.comm | test($comms)) | "\(.comm):\([.stack[] |
			  select(.inlined and (.func // "" | startswith($closure))) | .line] |
			  first)"] | sort | join(" ")' "$json")"
	check_against_truth "$json" "$FIXTURE_PID" "$FIXTURE_OUT" false
	check "$label: every name demangled" json_matches "$json" \
		'[.processes[0].threads[].stack[].func // "" | select(test("^_[RZ]"))] == []'
}

for rust in rust_waits rust_waits_v0; do
	fixture_start "$rust" || continue
	"$LEAKMON" snapshot --json -p "$FIXTURE_PID" >"$TMP/$rust.json"
	check_rust_waits "$rust" "$TMP/$rust.json" "^rs-" "rust_waits::main::{" \
		"rs-barrier:barrier rs-condvar:condvar rs-mutex:mutex rs-once:once \
rs-recv:chan_receive rs-rwlock:rwlock rs-send:chan_send" "$rust_lines"
	check "$rust: no owner read from a lock word that holds none (not glibc's layout)" \
		json_matches "$TMP/$rust.json" '[.processes[0].threads[] | select(.comm == "rs-mutex") |
		  .mutex_owner == null and .lock_refused == false] == [true]'
	check "$rust: each thread started in its closure in main" json_matches "$TMP/$rust.json" \
		'[.processes[0].threads[] | select(.comm | startswith("rs-")) | .start_routine |
		  startswith("rust_waits::main::{")] | length == 7 and all'
	"$LEAKMON" snapshot -p "$FIXTURE_PID" >"$TMP/$rust.txt"
	check_eq "$rust: text groups by reason" \
		"barrier chan_receive chan_send condvar mutex once rwlock" \
		"$(sed -nE 's/^  1 @ \[([a-z_]+), .*/\1/p' "$TMP/$rust.txt" | grep -v nanosleep | sort |
			tr '\n' ' ' | sed 's/ $//')"
done

# The locks and channels of the crates most Rust programs take them from, parking_lot and
# crossbeam-channel: named from the crates' functions, in both manglings.
crates_line() {
	grep -nF "$1" tests/fixtures/rust_crates/src/main.rs | cut -d: -f1
}
crates_lines="cb-recv:$(crates_line 'silent.recv()')"
crates_lines+=" cb-rendezvous:$(crates_line 'waits_for_taker.send(2)')"
crates_lines+=" cb-select:$(crates_line 'select! {') cb-send:$(crates_line 'full.send(1)')"
crates_lines+=" pl-condvar:$(crates_line 'cond.wait(&mut notified)')"
crates_lines+=" pl-mutex:$(crates_line 'm.lock()') pl-once:$(crates_line 'INIT.call_once(|| {})')"
crates_lines+=" pl-read:$(crates_line 'w.read()') pl-reentrant:$(crates_line 'r.lock()')"
crates_lines+=" pl-write:$(crates_line 'r.write()')"
for rust in rust_crates rust_crates_v0; do
	fixture_start "$rust" || continue
	"$LEAKMON" snapshot --json -p "$FIXTURE_PID" >"$TMP/$rust.json"
	check_rust_waits "$rust" "$TMP/$rust.json" "^(pl|cb)-" "rust_crates::main::{" \
		"cb-recv:chan_receive cb-rendezvous:chan_send cb-select:chan_select \
cb-send:chan_send pl-condvar:condvar pl-mutex:mutex pl-once:once pl-read:rwlock \
pl-reentrant:mutex pl-write:rwlock" "$crates_lines"
done

# A release build without the program's DWARF: a thread's closure, inlined, is out of sight, and
# std's __rust_begin_short_backtrace stands for it; v0 names the closure in it.
objcopy --strip-debug "$FIXTURES/rust_waits_v0" "$TMP/rust_waits_v0" &&
	FIXTURES=$TMP fixture_start rust_waits_v0 && {
	"$LEAKMON" snapshot --json -p "$FIXTURE_PID" >"$TMP/rust_no_dwarf.json"
	check_eq "Rust without DWARF: start routines std's entry to each closure, named in it" \
		"rs-barrier:7 rs-condvar:2 rs-mutex:0 rs-once:6 rs-recv:3 rs-rwlock:1 rs-send:4" \
		"$(jq -r '[.processes[0].threads[] | select(.comm | startswith("rs-")) |
			"\(.comm):\(.start_routine | capture("^std::sys(_common)?::backtrace::" +
			  "__rust_begin_short_backtrace::<rust_waits::main::[{]closure#(?<n>[0-9]+)[}]") |
			  .n)"] | sort | join(" ")' "$TMP/rust_no_dwarf.json")"
	check "Rust without DWARF: wait reasons from std's symbols" json_matches \
		"$TMP/rust_no_dwarf.json" '[.processes[0].threads[] | select(.comm | startswith("rs-")) |
		  .wait_reason] | sort ==
		  ["barrier", "chan_receive", "chan_send", "condvar", "mutex", "once", "rwlock"]'
}

# Python's locks: CPython waits in libc's sem_wait (or pthread_cond_wait) for them, called by
# PyThread_acquire_lock: a Python lock, not a bare semaphore; and what the standard modules
# built on them (Condition, Queue, Thread.join, ...) are named for those. Each thread's Python
# functions, read from the interpreter, sit in its stack where the interpreter's loop runs them,
# at the lines it waits on; its start routine is the function it was given. Debian's python3
# (3.11) always; 3.12 and 3.13, whose layouts differ, where installed.
python_line() {
	grep -n -F "$1" "$FIXTURES/python_locks" | head -1 | cut -d: -f1
}

check_python() {
	local label=$1 json=$TMP/$1.json text=$TMP/$1.txt lock cond main
	lock=$(python_line 'lock.acquire()')
	cond=$(python_line 'condition.wait()')
	main=$(python_line 'ready_when_announced(')
	"$LEAKMON" snapshot --json -p "$FIXTURE_PID" >"$json"
	"$LEAKMON" snapshot -p "$FIXTURE_PID" >"$text"
	check_eq "$label: each wait named by the Python tool it is for" \
		"python_lock python_lock condvar python_lock python_lock condvar semaphore barrier \
chan_receive chan_send chan_receive join" \
		"$(for tid in $(fixture_blocked "$FIXTURE_OUT" | cut -d' ' -f1); do
			json_thread "$json" "$tid" wait_reason
		done | tr '\n' ' ' | sed 's/ $//')"
	check_against_truth "$json" "$FIXTURE_PID" "$FIXTURE_OUT" false
	check_eq "$label: each thread's start routine its target, every string width read" \
		'["_worker","_worker","_worker","_worker","emoji_😀","hostile\u001b[2J\n日",'\
'"on_barrier","on_condition","on_event","on_future",'\
'"on_get","on_join","on_lock","on_lock","on_put","on_semaphore"]' \
		"$(jq -c --argjson pid "$FIXTURE_PID" '[.processes[0].threads[] |
			select(.tid != $pid) | .start_routine] | sort' "$json")"
	check_eq "$label: each wait's innermost Python function, at its line" \
		"[\"emoji_😀 wide.py:$lock\",\
\"hostile\\u001b[2J\\n日 déjà.py:$lock\",\"on_lock python_locks:$lock\",\
\"on_lock python_locks:$lock\"]" \
		"$(jq -c '[.processes[0].threads[] | select(.wait_reason == "python_lock") |
			[.stack[] | select(.language == "python")][0] |
			"\(.func) \(.file | split("/") | last)" +
			if .file | endswith("/threading.py") then "" else ":\(.line)" end] | sort' \
			"$json")"
	check_eq "$label: each thread's name, read from its Thread, whatever keeps its attributes" \
		'["Thread-1 (on_lock)","Thread-10 (on_put)","Thread-11 (on_future)",'\
'"Thread-2 (on_lock)","Thread-3 (on_condition)","Thread-5 (on_lock)","Thread-6 (on_event)",'\
'"Thread-7 (on_semaphore)","Thread-8 (on_barrier)","Thread-9 (on_get)",'\
'"idle_0","idle_1","idle_2","idle_3","named\u001b[2J\n日😀","renamed once started"]' \
		"$(jq -c --argjson pid "$FIXTURE_PID" '[.processes[0].threads[] |
			select(.tid != $pid) | .runtime_name] | sort' "$json")"
	check_eq "$label: the main thread has no Thread read" null \
		"$(json_thread "$json" "$FIXTURE_PID" runtime_name)"
	check "$label: text: a thread's name in quotes after its tid and comm" \
		grep -qE '^      [0-9]+ [^ ]+ "Thread-1 \(on_lock\)"$' "$text"
	check "$label: text: a hostile thread name escaped" \
		grep -qF ' "named\x1b[2J\x0a日😀"' "$text"
	# The RLock is read from the frame that calls acquire: its id(), and its holder.
	check_eq "$label: the RLock's waiter: waits on the RLock, held by the main thread" \
		"$(awk '$1 == "rlock" { print $2 }' "$FIXTURE_OUT") $FIXTURE_PID" \
		"$(jq -r '.processes[0].threads[] | select(.runtime_name == "Thread-2 (on_lock)") |
			"\(.wait_object) \(.mutex_owner)"' "$json")"
	check "$label: a Lock has no holder to name; its three waiters wait on it, one object" \
		json_matches "$json" '[.processes[0].threads[] | select(.wait_reason == "python_lock"
		  and .runtime_name != "Thread-2 (on_lock)")] | length == 3 and
		  all(.mutex_owner == null) and (map(.wait_object) | unique | length) == 1'
	check "$label: text: the RLock's holder named" grep -qE \
		"^  1 @ \[python_lock, [^]]*\] on 0x[0-9a-f]+ held by $FIXTURE_PID [^ ]+\$" "$text"
	check_eq "$label: a ThreadPoolExecutor's workers: idle on its work queue" \
		"chan_receive chan_receive chan_receive chan_receive" \
		"$(jq -r '[.processes[0].threads[] | select(.start_routine == "_worker") |
			.wait_reason] | join(" ")' "$json")"
	# 3.13 parks each waiter on a semaphore of its own: the queue it waits for is read from
	# the parking lot's wait entry.
	check_eq "$label: ... one idle pool, whatever call site each waits at" \
		'["chan_receive 4 _worker"]' \
		"$(jq -c '[.processes[0].idle_pools[] |
			"\(.wait_reason) \(.threads) \(.start_routine)"]' "$json")"
	check_eq "$label: the condition's waiter under Condition.wait, at its line" \
		"on_condition:$cond" \
		"$(jq -r '.processes[0].threads[] | select(.start_routine == "on_condition") |
			[.stack[] | select(.language == "python")][1] | "\(.func):\(.line)"' \
			"$json")"
	check_eq "$label: the main thread starts in the script, sleeping in the zoo's module" \
		"<module>:$main ready_when_announced:zoo.py" \
		"$(jq -r --argjson pid "$FIXTURE_PID" '.processes[0].threads[] |
			select(.tid == $pid) | [.stack[] | select(.language == "python")] |
			"\(last.func):\(last.line) " +
			"\(first.func):\(first.file | split("/") | last)"' \
			"$json")"
	check "$label: each group of Python frames just before the loop frame that runs it" \
		json_matches "$json" '[.processes[0].threads[] | .stack as $s |
		  ([range(0; $s | length) | select($s[.].func == "_PyEval_EvalFrameDefault" and
		    ($s[.].inlined | not))] | map($s[:.] | map(select(.inlined | not)) | last |
		    .language == "python")),
		  ([range(0; $s | length - 1) | select($s[.].language) |
		    $s[. + 1:] | map(select(.inlined | not)) | first |
		    .language == "python" or .func == "_PyEval_EvalFrameDefault"])] |
		  flatten | length > 20 and all'
	check "$label: text: Python frames as function [python] file:line" \
		grep -qF "on_lock [python] $PWD/$FIXTURES/python_locks:$lock" "$text"
	check "$label: text: a hostile function name escaped" \
		grep -qF "hostile\x1b[2J\x0a日 [python] /tmp/déjà.py:$lock" "$text"
	check_eq "$label: text: no raw control character" 0 "$(grep -c $'\x1b' "$text")"
}

each_python python_locks check_python

# In a pid namespace of its own, the interpreter knows its threads by that namespace's numbers.
printf '#!/bin/sh\nexec unshare --pid --fork --kill-child --mount-proc %s "$@"\n' \
	"$PWD/$FIXTURES/python_locks" >"$TMP/python_locks"
FIXTURES=$TMP fixture_start python_locks && {
	inner=$(pgrep -P "$FIXTURE_PID" | head -1)
	STARTED_PIDS+=("$inner")
	"$LEAKMON" snapshot --json -p "$inner" >"$TMP/python_ns.json"
	check_eq "Python in a pid namespace: the RLock's holder numbered as we number it" \
		"$inner" \
		"$(jq -r '.processes[0].threads[] | select(.runtime_name == "Thread-2 (on_lock)") |
			.mutex_owner' "$TMP/python_ns.json")"
	check_eq "Python in a pid namespace: each thread's start routine its target" \
		'["<module>","_worker","_worker","_worker","_worker","emoji_😀",'\
'"hostile\u001b[2J\n日","on_barrier","on_condition",'\
'"on_event","on_future","on_get","on_join","on_lock","on_lock","on_put","on_semaphore"]' \
		"$(jq -c '[.processes[0].threads[].start_routine] | sort' "$TMP/python_ns.json")"
}

# CPython linked into a program (embedded_python), as an application that embeds it may have it:
# no python3 or libpython3 module; the interpreter is found in the module that runs its loop.
fixture_start embedded_python && {
	"$LEAKMON" snapshot --json -p "$FIXTURE_PID" >"$TMP/embedded_python.json"
	check_against_truth "$TMP/embedded_python.json" "$FIXTURE_PID" "$FIXTURE_OUT" false
	check_eq "Python linked into a program: each thread's name, wait, function and start" \
		"embedded-0 python_lock embedded_wait embedded_wait|\
embedded-1 python_lock embedded_wait embedded_wait|\
embedded-2 python_lock embedded_wait embedded_wait" \
		"$(jq -r --argjson pid "$FIXTURE_PID" '[.processes[0].threads[] |
			select(.tid != $pid) | "\(.runtime_name) \(.wait_reason) " +
			"\([.stack[] | select(.language == "python")][0].func) \(.start_routine)"] |
			sort | join("|")' "$TMP/embedded_python.json")"
	check_eq "... its loop in the program itself" embedded_python \
		"$(jq -r '[.processes[0].threads[].stack[] |
			select(.func == "_PyEval_EvalFrameDefault") | .module] | unique |
			join(" ")' "$TMP/embedded_python.json")"
}

# What CPython lets a program forge in its code objects (python_hostile.py): line tables of
# random bytes or none, an endless name, lines out of range. Read, bounded, never trusted.
fixture_start python_hostile && {
	"$LEAKMON" snapshot --json -p "$FIXTURE_PID" >"$TMP/python_hostile.json"
	"$LEAKMON" snapshot -p "$FIXTURE_PID" >"$TMP/python_hostile.txt"
	check_against_truth "$TMP/python_hostile.json" "$FIXTURE_PID" "$FIXTURE_OUT" false
	check_eq "forged code objects: each function named, lines unknown where out of range" \
		"empty_linetable:null endless_:1024 last_line:null lines_below_one:null \
random_linetable:known" \
		"$(jq -r --argjson pid "$FIXTURE_PID" '[.processes[0].threads[] |
			select(.tid != $pid) | [.stack[] | select(.language == "python")][0] |
			if .func | startswith("endless_") then "endless_:\(.func | length)"
			elif .func == "random_linetable" then
				"\(.func):" +
				if .line == null or .line >= 1 then "known" else "\(.line)" end
			else "\(.func):\(.line)" end] | sort | join(" ")' \
			"$TMP/python_hostile.json")"
	check_eq "forged thread names: an endless one cut at 1024 characters, no str: none" \
		"1024 Thread Thread Thread null" \
		"$(jq -r --argjson pid "$FIXTURE_PID" '[.processes[0].threads[] |
			select(.tid != $pid) | .runtime_name |
			if . == null then "null" elif startswith("endless_") then length
			else split("-")[0] end] | map(tostring) | sort | join(" ")' \
			"$TMP/python_hostile.json")"
	check "forged code objects: the start routines are the forged functions" json_matches \
		"$TMP/python_hostile.json" '[.processes[0].threads[] | select(.tid != $pid) |
		  .start_routine] | length == 5 and all(. != null)' --argjson pid "$FIXTURE_PID"
	check_eq "forged code objects: text has no raw control character" 0 \
		"$(grep -c $'[\x01-\x08\x0b-\x1f]' "$TMP/python_hostile.txt")"
}

# A plugin loaded with dlopen.
fixture_start dlopen_host "$PWD/$FIXTURES/libdlworker.so" && {
	before=$(snapshot_of "$TMP/dl.json")
	check "dlopen'ed plugin's frames are named" json_matches "$TMP/dl.json" \
		'[.processes[].threads[] | select(.comm == "plugin-worker") |
		  .start_routine == "plugin_worker_loop" and
		  (.stack | map(.module) | index("libdlworker.so") != null)] | . == [true]'
	check_stacks dlopen "$TMP/dl.json" "$before"
}

# Threads that wake every millisecond: each stack reported is whole (from the thread's function
# down to its wait, up to libc's thread entry) or replaced by an error, never garbage.
fixture_start restless && {
	bad=0
	for i in $(seq 20); do
		"$LEAKMON" snapshot --json -p "$FIXTURE_PID" >"$TMP/restless.json" || bad=$((bad + 1))
		jq -e --argjson pid "$FIXTURE_PID" '[.processes[].threads[] |
			select(.tid != $pid and .wait != null) |
			(.stack_error != null and (.stack | length) == 0) or
			([.stack[].func] | index("nap_briefly") != null and index("restless_waiter") != null
			 and .[-1] == "clone3")] | all' "$TMP/restless.json" >/dev/null || bad=$((bad + 1))
	done
	check_eq "restless threads: 20 snapshots, every stack whole or an error" 0 "$bad"
}

# "Created by": the creator's stack is copied when a thread is created while leakmon watches.
fixture_start spawn_on_request && {
	leakmon_delayed "$TMP/spawn.json" --json --delay 2s -p "$FIXTURE_PID"
	echo go >&7
	check "snapshot while a thread is created" wait "$LEAKMON_PID"
	check "the late worker: created by fixture__start, called from spawn_worker in main" \
		json_matches "$TMP/spawn.json" '[.processes[].threads[] |
		  select(.comm == "late-worker") | .created_by.func == "fixture__start" and
		  .creator_tid == $pid and .start_routine == "late_worker" and
		  ([.creator_stack[].func] | index("spawn_worker") != null and index("main") != null)]
		  | . == [true]' --argjson pid "$FIXTURE_PID"
	check "the early worker, created before leakmon: no creator" json_matches "$TMP/spawn.json" \
		'[.processes[].threads[] | select(.comm == "early-worker") |
		  .created_by == null and .creator_tid == null] | . == [true]'
	leakmon_delayed "$TMP/spawn.txt" --delay 2s -p "$FIXTURE_PID"
	echo go >&7
	wait "$LEAKMON_PID"
	check "human output: created by, with the creating thread" grep -qE \
		"^      created by fixture__start \(spawn_on_request\) .*fixture.h:[0-9]+ \(inlined\) in thread $FIXTURE_PID\$" \
		"$TMP/spawn.txt"
}

# burst_then_spawn OUT ARGS...: the monitor (ARGS added) on the fixture at a 1 s growth window,
# its events to OUT; the fixture raises itself to 10 threads that end, and windows later creates
# one more worker. The monitor's pid is in $monitor.
burst_then_spawn() {
	local out=$1 i
	shift
	"$LEAKMON" --json -p "$FIXTURE_PID" --interval 200ms --growth-window 1s \
		--blocked-threshold 1s --blocked-kinds all "$@" >"$out" 2>"$out.err" &
	monitor=$!
	wait_for "$out" '.event == "start"' || fail "the monitor did not start"
	echo burst >&7
	for i in $(seq 100); do
		grep -q '^burst done$' "$FIXTURE_OUT" && break
		sleep 0.05
	done
	check "the burst raised the process to 10 threads and ended" grep -q '^burst done$' \
		"$FIXTURE_OUT"
	sleep 2.5
	echo go >&7
}

# Creators are kept for threads that raise their process to a new high within the monitor's
# growth window; each window starts every process's high anew, so a thread created below a high
# of windows ago still says where it came from.
fixture_start spawn_on_request && {
	burst_then_spawn "$TMP/window.jsonl"
	check "a thread created at 3 threads, windows after a high of 10: created by fixture__start" \
		wait_for "$TMP/window.jsonl" \
		'.event == "blocked" and .thread_comm == "late-worker" and
		 .created_by.func == "fixture__start"'
	check "the early worker, created before the monitor: no creator" json_matches \
		"$TMP/window.jsonl" '[.[] | select(.event == "blocked" and .thread_comm == "early-worker") |
		 .created_by == null] | . == [true]' -s
	kill -INT "$monitor"
	check "monitor exits 0" wait "$monitor"
	check_eq "no diagnostics" "" "$(cat "$TMP/window.jsonl.err")"
}

# The creators table is bounded (--creator-slots, rounded up to a bucket of 4): a thread whose
# creator's stack is kept keeps it while it lives; later threads that find every slot held go
# without, counted and said. The newest creation never evicts a live thread's record.
fixture_start spawn_on_request && {
	leakmon_delayed "$TMP/slots.json" --json --delay 3s --creator-slots 1 -p "$FIXTURE_PID"
	for i in 1 2 3 4 5; do echo go >&7; done
	check "snapshot while five threads are created" wait "$LEAKMON_PID"
	check_eq "five late workers, the first four created by fixture__start, the last without" \
		"fixture__start fixture__start fixture__start fixture__start none" \
		"$(jq -r '[.processes[].threads[] | select(.comm == "late-worker")] | sort_by(.tid) |
			map(.created_by.func // "none") | join(" ")' "$TMP/slots.json")"
	check_eq "the creation that found every slot held is counted" 1 \
		"$(jq '.dropped.creators' "$TMP/slots.json")"
	leakmon_delayed "$TMP/slots.txt" --delay 3s --creator-slots 1 -p "$FIXTURE_PID"
	for i in 1 2 3 4 5; do echo go >&7; done
	wait "$LEAKMON_PID"
	check "human output: the dropped creation is said" grep -q \
		"^note: 1 threads created while watched kept no creator's stack" "$TMP/slots.txt"
}

# Slots of threads that are gone are taken again: a burst of 8 fills the one bucket and ends;
# a thread created in a later window gets a slot.
fixture_start spawn_on_request && {
	burst_then_spawn "$TMP/reuse.jsonl" --creator-slots 4
	check "after a burst that held every slot, a new thread's creator is kept" \
		wait_for "$TMP/reuse.jsonl" \
		'.event == "blocked" and .thread_comm == "late-worker" and
		 .created_by.func == "fixture__start"'
	kill -INT "$monitor"
	check "monitor exits 0" wait "$monitor"
}

# A binary deleted after it started.
cp "$FIXTURES/unsignalled_condvar" "$TMP/deleted_zoo"
FIXTURES_SAVED=$FIXTURES
FIXTURES=$TMP
fixture_start deleted_zoo && {
	rm -f "$TMP/deleted_zoo"
	"$LEAKMON" snapshot --json -p "$FIXTURE_PID" >"$TMP/deleted.json"
	check_eq "deleted binary: start routines still named" "wait_for_done_never_signalled" \
		"$(jq -r '.processes[].threads[] | select(.comm == "waiter") | .start_routine' \
			"$TMP/deleted.json" | sort -u)"
}
FIXTURES=$FIXTURES_SAVED

# A process in its own mount namespace whose binary exists only there.
mkdir -p "$TMP/ns"
cp "$FIXTURES/unsignalled_condvar" "$TMP/ns-binary"
unshare -m --propagation private bash -c \
	"mount -t tmpfs leakmon-test '$TMP/ns' && cp '$TMP/ns-binary' '$TMP/ns/hidden_zoo' &&
	 exec '$TMP/ns/hidden_zoo'" >"$TMP/ns.out" 2>&1 &
ns_pid=$!
disown "$ns_pid"
STARTED_PIDS+=("$ns_pid")
for i in $(seq 100); do
	grep -q '^ready$' "$TMP/ns.out" && break
	sleep 0.05
done
check "mount namespace: the binary is not visible on the host" test ! -e "$TMP/ns/hidden_zoo"
"$LEAKMON" snapshot --json -p "$ns_pid" >"$TMP/ns.json"
check_eq "mount namespace: start routines named from the namespace's file" \
	"wait_for_done_never_signalled" \
	"$(jq -r '.processes[].threads[] | select(.comm == "waiter") | .start_routine' \
		"$TMP/ns.json" | sort -u)"

# More blocked threads in one process than leakmon reads ahead at once (4,096): each chunk's
# stacks go to its own threads, none lost or swapped at a chunk's edge.
fixture_start many_threads 5000 && {
	"$LEAKMON" snapshot --json -p "$FIXTURE_PID" >"$TMP/many.json"
	check_eq "5,000 blocked threads: each one's stack read" "5000" \
		"$(jq '[.processes[].threads[] | select(.stack | any(.func == "idle_worker"))] |
			length' "$TMP/many.json")"
	check_eq "5,000 blocked threads: no stack errors" "" \
		"$(jq -r '.processes[].threads[] | .stack_error // empty' "$TMP/many.json" | sort -u)"
	check_eq "5,000 blocked threads: every thread listed" \
		"$(proc_tids "$FIXTURE_PID")" "$(json_tids "$TMP/many.json" "$FIXTURE_PID")"
	check_eq "5,000 blocked threads: the main thread's stack is its own" "main" \
		"$(jq -r --argjson pid "$FIXTURE_PID" '.processes[].threads[] | select(.tid == $pid) |
			.stack[] | select(.func == "main") | .func' "$TMP/many.json")"
}

# prog_runs PID NAME: how often process PID's BPF program NAME ran (kernel.bpf_stats_enabled).
prog_runs() {
	local id runs
	prog_stats "$1" | sort -u -k1,1 | while read -r id runs _; do
		if [ "$(bpftool prog show id "$id" --json | jq -r .name)" = "$2" ]; then
			echo "$runs"
		fi
	done
}

# Stacks the process controls (hostile_stack): a stack pointer on no readable page, at a mapping's
# end, on words that point to themselves, on return addresses into the parking code, on random
# bytes; in code without CFI whose frame pointer is the address space's last word (a read that
# wraps around: it crashed leakmon once). Each such thread is listed with the frame its registers
# give and no start routine (its stack never reaches one); the unwinder stops at its limit or
# soon; the plain thread beside them keeps its whole stack; a monitor reports every thread.
hostile='"unmapped", "mapping_end", "self_pointing", "code_loop", "random"'
fixture_start hostile_stack && {
	timeout 60 "$LEAKMON" snapshot --json -p "$FIXTURE_PID" >"$TMP/hostile.json" 2>"$TMP/hostile.err"
	check_eq "hostile stacks: the snapshot completes" 0 "$?"
	check "hostile stacks: each thread in a futex wait, frame #0 park_on, no start routine" \
		json_matches "$TMP/hostile.json" "[.processes[].threads[] | select(.comm | IN($hostile)) |
		  .wait == \"futex\" and .stack[0].func == \"park_on\" and .start_routine == null]
		  | length == 5 and all"
	check "hostile stacks: no readable stack: frame #0 alone, and why" \
		json_matches "$TMP/hostile.json" '[.processes[].threads[] | select(.comm == "unmapped") |
		  .stack_error == "stack unreadable" and (.stack | length) == 1] == [true]'
	check "hostile stacks: return addresses into the parking code: stopped at the frame limit" \
		json_matches "$TMP/hostile.json" '[.processes[].threads[] | select(.comm == "code_loop") |
		  .stack_truncated and (.stack | length) == 128] == [true]'
	check "hostile stacks: self-pointing words, random bytes, a mapping's end: stopped soon" \
		json_matches "$TMP/hostile.json" '[.processes[].threads[] |
		  select(.comm | IN("self_pointing", "random", "mapping_end")) |
		  (.stack | length) <= 3 and .stack_truncated == false] | length == 3 and all'
	check "hostile stacks: a frame pointer at the last word: frame #0, then the unwinder stops" \
		json_matches "$TMP/hostile.json" '[.processes[].threads[] | select(.comm == "fp_wraps") |
		  .stack[0].func == "park_without_cfi" and (.stack | length) <= 2] == [true]'
	check "hostile stacks: the plain thread beside them, whole" \
		json_matches "$TMP/hostile.json" '[.processes[].threads[] | select(.comm == "plain") |
		  .start_routine == "plain" and .stack_error == null and .stack[-1].func == "clone3" and
		  ([.stack[].func] | index("fixture__wait_on_condvar_forever") != null)] == [true]'
	timeout -s INT --preserve-status 5 "$LEAKMON" --json -p "$FIXTURE_PID" --interval 300ms \
		--blocked-threshold 1s --blocked-kinds all >"$TMP/hostile.events" 2>"$TMP/hostile.err"
	check_eq "hostile stacks: the monitor runs until told to stop" 0 "$?"
	check "hostile stacks: the monitor reports each thread blocked, frame #0 read" \
		json_matches "$TMP/hostile.events" -s "[.[] | select(.event == \"blocked\") |
		  select(.thread_comm | IN($hostile)) | select(.stack[0].func == \"park_on\")] | length == 5"
	check "... and the other three" json_matches "$TMP/hostile.events" -s \
		'[.[] | select(.event == "blocked") | .thread_comm] | sort ==
		 (["hostile_stack", "plain", "unmapped", "mapping_end", "self_pointing", "code_loop",
		   "random", "fp_wraps"] | sort)'
}

# -p reads its processes' threads, not the machine's: beside the 5,000 threads above, each of
# ~10 passes over a 5-thread process runs the iterator's program ~5 times, not ~5,000.
stats_were=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -qw kernel.bpf_stats_enabled=1
fixture_start unsignalled_condvar && {
	"$LEAKMON" -p "$FIXTURE_PID" --interval 200ms >/dev/null 2>&1 &
	watcher=$!
	STARTED_PIDS+=("$watcher")
	sleep 2
	runs=$(prog_runs "$watcher" dump_task)
	check "-p beside 5,000 other threads: passes visit the watched process's threads only" \
		awk -v r="${runs:-0}" 'BEGIN { exit !(r >= 5 && r < 5000) }'
	echo "  (the iterator's program ran ${runs:-0} times in 2 s)"
	kill "$watcher"
}
sysctl -qw kernel.bpf_stats_enabled="$stats_were"
finish
