#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The service's live state pinned in bpffs: a snapshot beside it reads exact wait times from it;
# a second service is refused; a killed service's pins are stale: snapshots do without them and
# the next service replaces them; a clean stop leaves nothing; a directory that is not
# leakmon's is not touched.
. "$(dirname "$0")/lib.sh"

PINS=/sys/fs/bpf/leakmon
mounted_here=""
if [ "$(stat -f -c %T /sys/fs/bpf 2>/dev/null)" != bpf_fs ]; then
	mount -t bpf bpf /sys/fs/bpf && mounted_here=yes
fi
teardown() {
	[ -n "${service:-}" ] && kill -9 "$service" 2>/dev/null
	rm -rf "$PINS"
	[ -n "$mounted_here" ] && umount /sys/fs/bpf
	cleanup
}
trap teardown EXIT
rm -rf "$PINS"

# start_service: a monitor keeping its state, ready once it says it started (pins made). Its
# creators table is smaller than a snapshot's own would be: a snapshot must read it as it is.
start_service() {
	"$LEAKMON" --pin --json --interval 500ms --creator-slots 64 >"$TMP/service.jsonl" \
		2>"$TMP/service.err" &
	service=$!
	for i in $(seq 100); do
		grep -q '"event":"start"' "$TMP/service.jsonl" && return 0
		sleep 0.05
	done
	fail "the service did not pin its state: $(cat "$TMP/service.err")"
	return 1
}

start_service || finish
check_eq "pins: the shared maps and their owner, root's alone" \
	"700 creator_tags creators owner task_info" \
	"$(stat -c %a "$PINS") $(ls "$PINS" | tr '\n' ' ' | sed 's/ $//')"
fixture_start lock_convoy 2 || finish
convoy=$FIXTURE_PID
"$LEAKMON" snapshot --json -v -p "$convoy" >"$TMP/shared.json" 2>"$TMP/shared.err"
check "the snapshot reads the service's state" grep -q "reading the state of the leakmon service (pid $service)" \
	"$TMP/shared.err"
check_against_truth "$TMP/shared.json" "$convoy" "$FIXTURE_OUT" false
# A thread created while the service runs: a snapshot beside it says where it was created.
fixture_start spawn_on_request || finish
echo go >&7
for i in $(seq 100); do
	[ "$(ls "/proc/$FIXTURE_PID/task" | wc -l)" -ge 3 ] && break
	sleep 0.05
done
"$LEAKMON" snapshot --json -p "$FIXTURE_PID" >"$TMP/created.json" 2>"$TMP/created.err"
check "a snapshot beside the service: the late worker created by fixture__start" json_matches \
	"$TMP/created.json" '[.processes[].threads[] | select(.comm == "late-worker") |
	 .created_by.func == "fixture__start"] | . == [true]'
kill -9 "$FIXTURE_PID"
# Snapshots beside the service amid churn: the count is the process's own, whoever reads it.
fixture_start thread_churn || finish
churn=$FIXTURE_PID
for i in 1 2 3; do
	"$LEAKMON" snapshot --json -p "$churn" >/dev/null 2>&1
done
kill -STOP "$churn"
"$LEAKMON" snapshot --json -p "$churn" >"$TMP/churn.json" 2>/dev/null
check_eq "snapshots amid churn beside the service: the count stays exact" \
	"$(ls /proc/$churn/task | wc -l)" \
	"$(jq --argjson pid "$churn" '.processes[] | select(.pid == $pid) | .thread_count' \
		"$TMP/churn.json")"
kill -9 "$churn"

links_before=$(bpftool link list 2>/dev/null | grep -c .)
"$LEAKMON" --pin >"$TMP/out" 2>"$TMP/err"
check_eq "a second service: exit 1" 1 "$?"
check_eq "... saying who holds the state" \
	"leakmon: error: another leakmon (pid $service) keeps its state in $PINS: one service at a time" \
	"$(cat "$TMP/err")"
check_eq "... nothing attached" "$links_before" "$(bpftool link list 2>/dev/null | grep -c .)"

kill -9 "$service"
wait "$service" 2>/dev/null
"$LEAKMON" snapshot --json -v -p "$convoy" >"$TMP/stale.json" 2>"$TMP/stale.err"
check "stale pins: the snapshot loads its own programs" \
	bash -c "! grep -q 'reading the state' '$TMP/stale.err'"
check_against_truth "$TMP/stale.json" "$convoy" "$FIXTURE_OUT" false
# Pins only earlier versions made, as a crashed older service leaves them.
bpftool map create "$PINS/clock_samples" type array key 4 value 16 entries 1 name clock_samples
bpftool map create "$PINS/proc_counts" type hash key 4 value 48 entries 1 name proc_counts
start_service || finish
check "the next service replaces the stale pins" \
	grep -q "replacing the state a stopped leakmon left in $PINS" "$TMP/service.err"
check_eq "... also earlier versions'" "creator_tags creators owner task_info" \
	"$(ls "$PINS" | tr '\n' ' ' | sed 's/ $//')"
kill -TERM "$service"
check "a clean stop: exit 0" wait "$service"
service=""
check "... and no pins left" bash -c "! [ -e '$PINS' ]"

mkdir -p "$PINS/not-ours"
"$LEAKMON" --pin >"$TMP/out" 2>"$TMP/err"
check_eq "a directory holding what is not leakmon's: exit 1" 1 "$?"
check_eq "... naming it, before attaching" \
	"leakmon: error: $PINS holds 'not-ours', which is not leakmon's: not touching it" \
	"$(cat "$TMP/err")"
check "... and left alone" test -d "$PINS/not-ours"
check "snapshots do without it" bash -c "'$LEAKMON' snapshot -p $convoy >/dev/null"
finish
