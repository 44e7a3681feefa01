#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The service's live state pinned in bpffs: a snapshot beside it reads exact wait times from it;
# a second service is refused; a killed service's pins are stale: the next leakmon run as root
# removes them; a clean stop leaves nothing; a directory that is not root's own (another user's,
# on a bpffs anyone may write to) is not touched: the service keeps its state beside it.
. "$(dirname "$0")/lib.sh"

PINS=/sys/fs/bpf/leakmon
mounted_here=""
if [ "$(stat -f -c %T /sys/fs/bpf 2>/dev/null)" != bpf_fs ]; then
	mount -t bpf bpf /sys/fs/bpf && mounted_here=yes
fi
teardown() {
	[ -n "${service:-}" ] && kill -9 "$service" 2>/dev/null
	rm -rf "$PINS" "$PINS"-*
	[ -n "${bpffs_mode:-}" ] && chmod "$bpffs_mode" /sys/fs/bpf
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
check "a killed service's pins: the next snapshot removes them, saying so" \
	grep -qF "{\"info\":\"removed the state a killed leakmon (pid $service) left in $PINS\"}" \
	"$TMP/stale.err"
check "... all of them" bash -c "! [ -e '$PINS' ]"
check "... and loads its own programs" bash -c "! grep -q 'reading the state' '$TMP/stale.err'"
check_against_truth "$TMP/stale.json" "$convoy" "$FIXTURE_OUT" false
# Pins only earlier versions made, as a crashed older service leaves them: no owner said.
mkdir -m 0700 "$PINS"
bpftool map create "$PINS/clock_samples" type array key 4 value 16 entries 1 name clock_samples
bpftool map create "$PINS/proc_counts" type hash key 4 value 48 entries 1 name proc_counts
"$LEAKMON" snapshot -p "$convoy" >/dev/null 2>&1
check "a snapshot leaves pins whose owner it cannot prove dead" test -e "$PINS/proc_counts"
start_service || finish
check "the next service replaces the stale pins" \
	grep -q "replacing the state a stopped leakmon left in $PINS" "$TMP/service.err"
check_eq "... also earlier versions'" "creator_tags creators owner task_info" \
	"$(ls "$PINS" | tr '\n' ' ' | sed 's/ $//')"
kill -TERM "$service"
check "a clean stop: exit 0" wait "$service"
service=""
check "... and no pins left" bash -c "! [ -e '$PINS' ]"

# On a bpffs mounted 1777 (the kernel's default), another user makes the directory first.
bpffs_mode=$(stat -c %a /sys/fs/bpf)
chmod 1777 /sys/fs/bpf
setpriv --reuid=nobody --regid=nogroup --clear-groups mkdir "$PINS"
start_service || finish
check "another user's directory: the service starts, keeping its state beside it" \
	grep -qF "{\"warning\":\"keeping the state in $PINS-$service instead\"}" "$TMP/service.err"
check_eq "... root's own, with the shared maps" "0 700 creator_tags creators owner task_info" \
	"$(stat -c '%u %a' "$PINS-$service") $(ls "$PINS-$service" | tr '\n' ' ' | sed 's/ $//')"
check_eq "... the other user's directory untouched and empty" "nobody " \
	"$(stat -c %U "$PINS") $(ls "$PINS")"
"$LEAKMON" snapshot --json -v -p "$convoy" >"$TMP/beside.json" 2>"$TMP/beside.err"
check "a snapshot finds the state there" grep -q \
	"reading the state of the leakmon service (pid $service) in $PINS-$service" "$TMP/beside.err"
"$LEAKMON" --pin >"$TMP/out" 2>"$TMP/err"
check_eq "a second service is still refused" \
	"leakmon: error: another leakmon (pid $service) keeps its state in $PINS-$service: one service at a time" \
	"$(cat "$TMP/err")"
kill -9 "$service"
wait "$service" 2>/dev/null
"$LEAKMON" snapshot -p "$convoy" >/dev/null 2>"$TMP/err"
check "killed there: the next snapshot removes that state too" \
	grep -q "removed the state a killed leakmon (pid $service) left in $PINS-$service$" "$TMP/err"
check "... all of it" bash -c "! [ -e '$PINS-$service' ]"
service=""
rmdir "$PINS"
chmod "$bpffs_mode" /sys/fs/bpf
bpffs_mode=""

mkdir -p -m 0700 "$PINS/not-ours"
chmod 0700 "$PINS"
start_service || finish
check "a directory of root's holding what is not leakmon's: warned, used beside it" \
	grep -qF "{\"warning\":\"$PINS holds 'not-ours', which is not leakmon's: not touching it\"}" \
	"$TMP/service.err"
kill -TERM "$service"
check "... a clean stop: exit 0" wait "$service"
service=""
check "... the directory left alone" test -d "$PINS/not-ours"
check "... nothing left beside it" bash -c "! ls -d '$PINS'-* 2>/dev/null"
check "snapshots do without it" bash -c "'$LEAKMON' snapshot -p $convoy >/dev/null"
finish
