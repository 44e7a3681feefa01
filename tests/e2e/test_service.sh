#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The service under a real systemd: a minimal Debian booted with systemd-nspawn, leakmon and its
# unit installed as `make install` would. Inside: the unit is active only after READY=1, a stuck
# thread reaches the journal at warning priority with greppable fields, /metrics answers,
# a snapshot shares the service's pinned state, reload rereads the file, stop exits cleanly and
# leaves nothing pinned or attached.
# The root file system is built once with debootstrap (~1 min) and kept in LEAKMON_ROOTFS.
. "$(dirname "$0")/lib.sh"

ROOTFS=${LEAKMON_ROOTFS:-/var/cache/leakmon-tests/bookworm}
PACKAGES=systemd,systemd-sysv,dbus,libbpf1,libdw1,libelf1,libsystemd0,curl
CG_NAME=leakmon-test-$$
NSPAWN=""
CONVOY=""

# The mirror apt uses here, else Debian's.
mirror() {
	sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources \
		2>/dev/null | head -1 | grep . || echo http://deb.debian.org/debian
}

build_rootfs() {
	[ -x "$ROOTFS/usr/lib/systemd/systemd" ] && return 0
	rm -rf "$ROOTFS.new"
	mkdir -p "$(dirname "$ROOTFS")"
	debootstrap --variant=minbase --include="$PACKAGES" bookworm "$ROOTFS.new" "$(mirror)" \
		>"$TMP/debootstrap.log" 2>&1 || {
		fail "debootstrap failed: $(tail -3 "$TMP/debootstrap.log")"
		return 1
	}
	mv "$ROOTFS.new" "$ROOTFS"
}

# inside COMMAND...: run a command in the container's namespaces and root.
inside() {
	nsenter -t "$CONTAINER" -m -u -i -n -p -r -w "$@"
}

teardown() {
	# nsenter stops itself when its child stops, and systemd-shutdown stops every process before
	# it kills them: gone first, or it would never reap its child, nor the container end. The
	# job is inside()'s subshell, or nsenter itself: its children go too.
	if [ -n "$CONVOY" ]; then
		pkill -9 -P "$CONVOY" 2>/dev/null
		kill -9 "$CONVOY" 2>/dev/null
	fi
	if [ -n "$NSPAWN" ] && kill -0 "$NSPAWN" 2>/dev/null; then
		inside /bin/systemctl poweroff 2>/dev/null
		for i in $(seq 300); do
			kill -0 "$NSPAWN" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$NSPAWN" 2>/dev/null
	fi
	umount "$TMP/merged" "$TMP/bpffs" 2>/dev/null
	for h in /sys/fs/cgroup/unified /sys/fs/cgroup/systemd /sys/fs/cgroup; do
		[ -d "$h/$CG_NAME" ] && find "$h/$CG_NAME" -depth -type d -exec rmdir {} \; 2>/dev/null
	done
	cleanup
}
trap teardown EXIT

build_rootfs || finish
mkdir -p "$TMP/upper" "$TMP/work" "$TMP/merged" "$TMP/bpffs"
mount -t overlay overlay -o "lowerdir=$ROOTFS,upperdir=$TMP/upper,workdir=$TMP/work" \
	"$TMP/merged" || { fail "overlay mount"; finish; }
mount -t bpf bpffs "$TMP/bpffs"
make --no-print-directory -s install-files BUILD="$BUILD" DESTDIR="$TMP/merged" PREFIX=/usr/local \
	>"$TMP/install.log" 2>&1 || { fail "install: $(tail -3 "$TMP/install.log")"; finish; }
# A sanitizer build needs its runtime inside too; LeakSanitizer's exit-time scan needs ptrace,
# which the unit's system-call filter refuses (leaks are checked by the other tests).
if ldd "$LEAKMON" | grep -q libasan; then
	ldd "$LEAKMON" | awk '/lib(a|ub)san/ { print $3 }' | while read -r lib; do
		install -D "$lib" "$TMP/merged$lib"
	done
	mkdir -p "$TMP/merged/etc/systemd/system/leakmon.service.d"
	printf '[Service]\nEnvironment=ASAN_OPTIONS=detect_leaks=0\n' \
		>"$TMP/merged/etc/systemd/system/leakmon.service.d/sanitizer.conf"
fi
install -D "$FIXTURES/lock_convoy" "$TMP/merged/usr/local/bin/lock_convoy"
# Quicker than the service's defaults, for a test; the rest as shipped.
printf 'interval = 500ms\nblocked-threshold = 2s\n' >>"$TMP/merged/etc/leakmon/leakmon.conf"
mkdir -p "$TMP/merged/etc/systemd/system/multi-user.target.wants"
ln -sf /usr/local/lib/systemd/system/leakmon.service \
	"$TMP/merged/etc/systemd/system/multi-user.target.wants/leakmon.service"
links_before=$(bpftool link list 2>/dev/null | grep -c .)
exposure=$(systemd-analyze security --offline=yes deploy/leakmon.service 2>/dev/null |
	sed -n 's/.*Overall exposure level for leakmon.service: \([0-9.]*\).*/\1/p')
check "the unit's exposure is at most 3.0 (systemd-analyze security: ${exposure:-none})" \
	awk -v e="$exposure" 'BEGIN { exit !(e != "" && e <= 3.0) }'

# Boot from a cgroup of our own, in a mount namespace of our own.
(
	for h in /sys/fs/cgroup/unified /sys/fs/cgroup/systemd /sys/fs/cgroup; do
		[ -e "$h/cgroup.procs" ] || continue
		mkdir -p "$h/$CG_NAME" && echo "$BASHPID" >"$h/$CG_NAME/cgroup.procs"
		[ "$h" != /sys/fs/cgroup/unified ] && [ "$h" != /sys/fs/cgroup/systemd ] && break
	done
	exec unshare -m -- systemd-nspawn -q -b -D "$TMP/merged" --register=no --keep-unit \
		--capability=CAP_BPF,CAP_PERFMON,CAP_CHECKPOINT_RESTORE --system-call-filter='bpf perf_event_open' \
		--bind="$TMP/bpffs:/sys/fs/bpf" --private-network
) >"$TMP/console.log" 2>&1 &
NSPAWN=$!
disown "$NSPAWN"
for i in $(seq 100); do
	CONTAINER=$(pgrep -P "$NSPAWN" -f /usr/lib/systemd/systemd | head -1)
	[ -n "$CONTAINER" ] && break
	sleep 0.1
done
[ -n "$CONTAINER" ] || { fail "the container did not boot: $(tail -5 "$TMP/console.log")"; finish; }
for i in $(seq 150); do
	[ "$(inside /bin/systemctl is-active leakmon 2>/dev/null)" == active ] && break
	sleep 0.2
done
check_eq "the unit is active, after READY=1 with its status" \
	"ActiveState=active StatusText=watching every process Type=notify" \
	"$(inside /bin/systemctl show -p ActiveState -p StatusText -p Type leakmon | sort | tr '\n' ' ' | sed 's/ $//')"

check_eq "systemd-analyze verify: nothing to say" "" \
	"$(inside /bin/systemd-analyze verify --man=no /usr/local/lib/systemd/system/leakmon.service 2>&1)"

inside /usr/local/bin/lock_convoy 2 >/dev/null 2>&1 &
CONVOY=$!
sleep 4
inside /bin/journalctl -u leakmon -o json --no-pager >"$TMP/journal.json"
check "stuck threads at warning priority, by group: MESSAGE with pid, comm, tid and wait; fields" \
	json_matches "$TMP/journal.json" -s '[.[] | select(.LEAKMON_EVENT == "blocked") |
	select(.PRIORITY == "4" and .LEAKMON_COMM == "lock_convoy" and .LEAKMON_WAIT == "mutex" and
	       (.LEAKMON_TID | length) > 0 and (.LEAKMON_DETAILS | test("pthread_mutex_lock")) and
	       (.MESSAGE | test("^blocked pid [0-9]+ lock_convoy: ([0-9]+ threads alike, as )?tid [0-9]+ .*\\[mutex, [0-9.]+s\\] on 0x"))) |
	.MESSAGE | test(": 2 threads alike, as tid ")] | sort == [false, true]'
pid=$(jq -r 'select(.LEAKMON_EVENT == "blocked") | .LEAKMON_PID' "$TMP/journal.json" | head -1)
check_eq "pids as the container numbers them (leakmon runs in its pid namespace)" lock_convoy \
	"$(inside /bin/cat "/proc/${pid:-0}/comm" 2>&1)"
check "lifecycle at info priority" json_matches "$TMP/journal.json" -s \
	'[.[] | select(.LEAKMON_EVENT == "start")] | length >= 1 and all(.PRIORITY == "6")'
inside /usr/local/sbin/leakmon snapshot -v --json -p "${pid:-0}" >"$TMP/snapshot.json" \
	2>"$TMP/snapshot.err"
check "a snapshot beside the service reads its pinned state" \
	grep -q "reading the state of the leakmon service" "$TMP/snapshot.err"
check "the workers' creator: main, numbered as the container numbers it" \
	json_matches "$TMP/snapshot.json" '[.processes[].threads[] | select(.tid != $pid) |
	  .creator_tid == $pid and .created_by != null] | length == 3 and all'  --argjson pid "${pid:-0}"
inside /usr/bin/curl -sf http://127.0.0.1:9464/metrics >"$TMP/metrics.txt"
check "/metrics answers on loopback, with the two alerts: the main thread, the 2 queued alike" \
	grep -q '^leakmon_alerts_total{kind="blocked"} 2$' "$TMP/metrics.txt"

inside /bin/systemctl reload leakmon
sleep 1
inside /bin/journalctl -u leakmon -o json --no-pager >"$TMP/journal.json"
check "reload (SIGHUP) rereads the file and the unit stays active" \
	bash -c "jq -e -s '[.[] | select(.LEAKMON_EVENT == \"reload\")] | length == 1' \
		'$TMP/journal.json' >/dev/null && [ \"\$(nsenter -t $CONTAINER -m -u -i -n -p -r -w \
		/bin/systemctl is-active leakmon)\" == active ]"

inside /bin/systemctl stop leakmon
check_eq "stop: a clean exit" "ActiveState=inactive ExecMainStatus=0 Result=success" \
	"$(inside /bin/systemctl show -p ActiveState -p Result -p ExecMainStatus leakmon | sort |
		tr '\n' ' ' | sed 's/ $//')"
check_eq "stop: no pinned state left, nothing attached" "0 $links_before" \
	"$(find "$TMP/bpffs" -mindepth 1 -name '*leakmon*' | wc -l) $(bpftool link list 2>/dev/null | grep -c .)"
[ -n "${KEEP_CONTAINER:-}" ] && { echo "container $CONTAINER kept: $TMP"; sleep 600; }
finish
