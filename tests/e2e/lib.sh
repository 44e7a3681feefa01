#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Shared by the end-to-end tests: real kernel, real processes. A test fails unless its checks
# pass explicitly; every process a test starts is killed when it exits.
set -u

BUILD=${BUILD:-build}
LEAKMON=$BUILD/leakmon
FIXTURES=${FIXTURES:-$BUILD/fixtures}
TEST_NAME=$(basename "$0" .sh)
TMP=$(mktemp -d "/tmp/leakmon-$TEST_NAME.XXXXXX")
STARTED_PIDS=()
PASSED=0
FAILED=0
unset DEBUGINFOD_URLS
. "$(dirname "${BASH_SOURCE[0]}")/../bpf_stats.sh"

cleanup() {
	local pid
	for pid in "${STARTED_PIDS[@]}"; do
		kill -9 "$pid" 2>/dev/null
	done
	for pid in "${STARTED_PIDS[@]}"; do
		while kill -0 "$pid" 2>/dev/null; do
			sleep 0.01
		done
	done
	# A failure's evidence (outputs, events) is kept for the one who reads the log.
	if [ "$FAILED" -gt 0 ]; then
		echo "$TEST_NAME: its files are kept in $TMP" >&2
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT

pass() {
	echo "PASS $TEST_NAME: $*"
	PASSED=$((PASSED + 1))
}

fail() {
	echo "FAIL $TEST_NAME: $*"
	FAILED=$((FAILED + 1))
}

# check DESCRIPTION COMMAND...: passes only if COMMAND succeeds.
check() {
	local desc=$1
	shift
	if "$@"; then
		pass "$desc"
	else
		fail "$desc"
	fi
}

# check_eq DESCRIPTION EXPECTED ACTUAL
check_eq() {
	if [ "$2" == "$3" ]; then
		pass "$1"
	else
		fail "$1: expected '$2', got '$3'"
	fi
}

# check_near DESCRIPTION EXPECTED ACTUAL TOLERANCE (numbers)
check_near() {
	if awk -v e="$2" -v a="$3" -v t="$4" 'BEGIN { d = e - a; if (d < 0) d = -d; exit !(a != "" && d <= t) }'; then
		pass "$1 ($3 vs $2)"
	else
		fail "$1: expected $2 +- $4, got '$3'"
	fi
}

finish() {
	if [ $((PASSED + FAILED)) -eq 0 ]; then
		fail "no checks ran"
	fi
	[ "$FAILED" -eq 0 ]
	exit $?
}

# fixture_start NAME [ARGS...]: start a fixture, wait for its "ready"; sets FIXTURE_PID and
# FIXTURE_OUT. Its stdin is FIXTURE_STDIN, a FIFO this shell holds open on fd 7.
fixture_start() {
	local name=$1 i
	shift
	FIXTURE_OUT=$TMP/$name.out
	FIXTURE_STDIN=$TMP/$name.in
	rm -f "$FIXTURE_STDIN"
	mkfifo "$FIXTURE_STDIN"
	exec 7<>"$FIXTURE_STDIN"
	# Created here: the background job's shell may not have opened it by the first look.
	: >"$FIXTURE_OUT"
	"$FIXTURES/$name" "$@" <"$FIXTURE_STDIN" >"$FIXTURE_OUT" 2>&1 &
	FIXTURE_PID=$!
	disown "$FIXTURE_PID"
	STARTED_PIDS+=("$FIXTURE_PID")
	for i in $(seq 200); do
		grep -q '^ready$' "$FIXTURE_OUT" && return 0
		sleep 0.05
	done
	fail "fixture $name did not get ready"
	return 1
}

# An interpreter of version $1 that runs: on the PATH, else a pyenv's.
find_python() {
	local python
	for python in "$(command -v "python$1")" \
		"${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$1".*/bin/"python$1"; do
		[ -x "$python" ] && "$python" -c '' 2>/dev/null && echo "$python" && return 0
	done
	return 1
}

# each_python FIXTURE CHECK: start Python fixture FIXTURE under Debian's python3, then under
# 3.12 and 3.13 where installed (their layouts differ), and run CHECK LABEL against each.
each_python() {
	local fixture=$1 check=$2 version python
	fixture_start "$fixture" && "$check" python3
	for version in 3.12 3.13; do
		if ! python=$(find_python "$version"); then
			echo "note: no python$version here: $fixture is not run under it"
			continue
		fi
		printf '#!/bin/sh\nexec %s %s "$@"\n' "$python" "$PWD/$FIXTURES/$fixture" \
			>"$TMP/$fixture"
		chmod +x "$TMP/$fixture"
		FIXTURES=$TMP fixture_start "$fixture" && "$check" "python$version"
	done
}

# ring_links PID: "TID OWNER" per ring thread, from the names the fixture gives them: thread
# lock-I-then-J waits for lock J, which lock-J-then-K holds (a-to-b and b-to-a for a pair).
# With OUT, the fixture's output: "TID OWNER ADDRESS", the address of lock J.
ring_links() {
	local task comm tid first
	declare -A holder wants address
	for task in /proc/"$1"/task/*; do
		comm=$(cat "$task/comm")
		tid=${task##*/}
		case $comm in
		a-to-b) holder[0]=$tid wants[$tid]=1 ;;
		b-to-a) holder[1]=$tid wants[$tid]=0 ;;
		lock-*-then-*)
			first=${comm#lock-}
			holder[${first%%-*}]=$tid
			wants[$tid]=${comm##*-}
			;;
		esac
	done
	[ -n "${2:-}" ] && eval "$(awk '$1 == "lock" { print "address[" $2 "]=" $3 }' "$2")"
	for tid in "${!wants[@]}"; do
		echo "$tid ${holder[${wants[$tid]}]}${2:+ ${address[${wants[$tid]}]}}"
	done | sort -n
}

# The first deadlock of a snapshot (snapshot_cycle JSON) or of the monitor's events (live_cycle
# JSONL): "COUNT;" (of deadlocks), then "TID OWNER MUTEX;" per thread, by tid.
CYCLE='"\(length);" + ((.[0].threads // []) | sort_by(.tid) |
	map("\(.tid) \(.owner) \(.mutex);") | add // "")'
snapshot_cycle() {
	jq -r ".processes[0].deadlocks | $CYCLE" "$1"
}
live_cycle() {
	jq -s -r "[.[] | select(.event == \"deadlock\")] | $CYCLE" "$1"
}

# watch_live SECONDS EVENTS LABEL: the monitor on the fixture for SECONDS, its events into
# EVENTS; it exits 0, quietly.
watch_live() {
	local monitor
	"$LEAKMON" --json -p "$FIXTURE_PID" --interval 300ms --blocked-threshold 1s >"$2" \
		2>"$TMP/err" &
	monitor=$!
	sleep "$1"
	kill -INT "$monitor"
	check "$3, live: the monitor exits 0" wait "$monitor"
	check_eq "$3, live: ... quietly" "" "$(cat "$TMP/err")"
}

# diagnostics FILE...: what leakmon said on stderr, but for its warning that processes hidden
# from BPF task iterators go unwatched (this machine's kernel hides its pid 1, the sandbox's
# agent, from them: test_system_wide checks that warning).
diagnostics() {
	grep -hv 'hidden from BPF task iterators by this kernel, not watched: ' "$@"
}

# scrape_until PORT PATTERN: the monitor's metrics on 127.0.0.1:PORT into $TMP/metrics.txt,
# read again until a line matches PATTERN, for 5 s at most: the checks that follow judge them.
scrape_until() {
	local i
	for i in $(seq 50); do
		curl -sf "http://127.0.0.1:$1/metrics" >"$TMP/metrics.txt" &&
			grep -q "$2" "$TMP/metrics.txt" && return
		sleep 0.1
	done
}

# json_valid FILE: one parseable JSON document.
json_valid() {
	jq -e . "$1" >/dev/null
}

# keys_documented FILE: every key of the JSON in FILE (a document or JSON Lines) is named in
# docs/json.md; says which are not.
keys_documented() {
	local key missing=0
	for key in $(jq -r '[paths | .[] | strings] | .[]' "$1" | sort -u); do
		grep -qF "\`$key\`" docs/json.md && continue
		echo "$TEST_NAME: the key \"$key\" of $1 is not named in docs/json.md" >&2
		missing=1
	done
	[ "$missing" -eq 0 ]
}

# json_matches FILE FILTER [JQ ARGS...]: FILTER is true for FILE.
json_matches() {
	local file=$1 filter=$2
	shift 2
	jq -e "$@" "$filter" "$file" >/dev/null
}

# leakmon_delayed OUT ARGS...: run `leakmon snapshot -v ARGS` in the background, its stdout to
# OUT, and return once it has attached and seeded; LEAKMON_PID is its pid.
leakmon_delayed() {
	local out=$1 i
	shift
	"$LEAKMON" snapshot -v "$@" >"$out" 2>"$TMP/leakmon.err" &
	LEAKMON_PID=$!
	for i in $(seq 200); do
		grep -q 'reading threads' "$TMP/leakmon.err" && return 0
		sleep 0.05
	done
	fail "leakmon did not attach: $(head -c 300 "$TMP/leakmon.err")"
	return 1
}

# wait_for FILE JQ_FILTER: up to 10 s for a JSON Lines file to have a line matching the filter.
wait_for() {
	local i
	for i in $(seq 100); do
		[ -n "$(jq -c "select($2)" "$1" 2>/dev/null)" ] && return 0
		sleep 0.1
	done
	return 1
}

# Seconds since the epoch of a snapshot's ISO-8601 "time".
snapshot_epoch() {
	date -d "$(jq -r .time "$1")" +%s.%N
}

# Tids of a live process, sorted.
proc_tids() {
	ls "/proc/$1/task" | sort -n | tr '\n' ' '
}

json_tids() {
	jq -r --argjson pid "$2" '.processes[] | select(.pid == $pid) | .threads[].tid' "$1" |
		sort -n | tr '\n' ' '
}

# json_thread FILE TID FIELD: one field of one thread, "null" when missing.
json_thread() {
	jq -r --argjson tid "$2" --arg f "$3" '.processes[].threads[] | select(.tid == $tid) | .[$f]' "$1"
}

# The ground truth a fixture announced: "TID KIND EPOCH" lines, the last one per thread.
fixture_blocked() {
	awk '$1 == "blocked" { last[$2] = $3 " " $4 } END { for (t in last) print t, last[t] }' \
		"$1" | sort -n
}

# check_against_truth JSON PID FIXTURE_OUT ESTIMATED: counts, tids, wait kinds, syscalls and
# blocked times of a fixture's snapshot against /proc and the fixture's own record. ESTIMATED:
# what every thread's blocked_since_estimated must be (true, false), or any.
check_against_truth() {
	local json=$1 pid=$2 out=$3 estimated=$4 when tid kind at nr
	when=$(snapshot_epoch "$json")
	check_eq "pid $pid thread_count equals /proc/$pid/task" "$(ls /proc/$pid/task | wc -l)" \
		"$(jq --argjson pid "$pid" '.processes[] | select(.pid == $pid) | .thread_count' "$json")"
	check_eq "pid $pid threads listed equal /proc/$pid/task" "$(proc_tids "$pid")" \
		"$(json_tids "$json" "$pid")"
	while read -r tid kind at; do
		nr=$(cut -d' ' -f1 "/proc/$pid/task/$tid/syscall")
		check_eq "tid $tid waits on $kind" "$kind" "$(json_thread "$json" "$tid" wait)"
		check_eq "tid $tid syscall agrees with /proc" "$nr" "$(json_thread "$json" "$tid" syscall)"
		check_near "tid $tid blocked_s within 1s of the truth" \
			"$(awk -v w="$when" -v a="$at" 'BEGIN { printf "%.3f", w - a }')" \
			"$(json_thread "$json" "$tid" blocked_s)" 1
		[ "$estimated" == any ] ||
			check_eq "tid $tid blocked_since_estimated" "$estimated" \
				"$(json_thread "$json" "$tid" blocked_since_estimated)"
	done < <(fixture_blocked "$out")
}
