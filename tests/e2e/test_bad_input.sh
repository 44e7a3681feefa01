#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Bad input: a one-line error naming the problem, the right exit code, nothing on stdout, and
# nothing attached.
. "$(dirname "$0")/lib.sh"

# expect_error CODE PATTERN ARGS...: exit CODE, one stderr line matching PATTERN, empty stdout.
expect_error() {
	local code=$1 pattern=$2 rc
	shift 2
	"$LEAKMON" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" -eq "$code" ] && [ ! -s "$TMP/out" ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] &&
		grep -qE -- "$pattern" "$TMP/err"; then
		pass "leakmon $* -> exit $code: $(cat "$TMP/err")"
	else
		fail "leakmon $*: want exit $code and one line matching '$pattern'; got exit $rc," \
			"stderr '$(cat "$TMP/err")', stdout $(wc -c <"$TMP/out") bytes"
	fi
}

links_before=$(bpftool link list 2>/dev/null | grep -c .)
no_pid=$(($(cat /proc/sys/kernel/pid_max) + 1))

expect_error 2 "no such process: $no_pid" snapshot -p "$no_pid"
expect_error 2 "--pid: 'abc' is not valid" snapshot -p abc
expect_error 2 "--pid: '1,,2' is not valid" snapshot -p 1,,2
expect_error 2 "--pid: '-5' is not valid" snapshot --pid=-5
expect_error 2 "--pid: '12x' is not valid" snapshot -p 12x
expect_error 2 "--min-blocked: '5x' is not valid: expected a duration" snapshot --min-blocked 5x
# An empty value (a script's unset variable) is no value, never "every process" or "no file".
expect_error 2 "^leakmon: error: --min-blocked: no value: expected a duration" \
	snapshot --min-blocked ''
expect_error 2 "^leakmon: error: --pid: no value: expected process ids" snapshot -p ''
expect_error 2 "^leakmon: error: --pid: no value" -p ''
expect_error 2 "^leakmon: error: --pid: no value" snapshot --pid=
expect_error 2 "^leakmon: error: --config: no value: expected a file's path" --config ''
expect_error 2 "^leakmon: error: --config: no value" snapshot --config=
expect_error 2 "^leakmon: error: --metrics: no value" --metrics ''
expect_error 2 "^leakmon: error: --watch-names: no value" --watch-names ''
# Flags take =true or =false, nothing else.
expect_error 2 "^leakmon: error: --no-stacks: 'yes' is not valid: expected true or false" \
	snapshot --no-stacks=yes
expect_error 2 "^leakmon: error: --pin: no value: expected true or false" --pin=
expect_error 2 "unexpected argument 'false'" snapshot --no-stacks false
expect_error 2 "--delay: '-1s' is not valid" snapshot --delay -1s
expect_error 2 "--hooks: 'fentry' is not valid: expected auto, tp_btf or raw_tp" snapshot --hooks fentry
expect_error 2 "unknown option '--bogus'" snapshot --bogus
expect_error 2 "option '--min-blocked' needs a value" snapshot --min-blocked
expect_error 2 "unexpected argument 'extra'" snapshot extra
expect_error 2 "unknown command 'frobnicate'" frobnicate
expect_error 2 "no such process: $no_pid" -p "$no_pid"
expect_error 2 "--interval and --growth-window must be more than 0" --interval 0
expect_error 2 "--blocked-kinds: 'mutex,,condvar' is not valid" --blocked-kinds mutex,,condvar
expect_error 2 "--growth-window: '5 m' is not valid" --growth-window '5 m'
# Another command's option, refused rather than ignored.
expect_error 2 "^leakmon: error: --interval is an option of monitor only$" snapshot --interval 1s
expect_error 2 "--pin is an option of monitor only" snapshot --pin
expect_error 2 "--no-stacks is an option of snapshot only" --no-stacks
expect_error 2 "--delay is an option of snapshot only" monitor --delay 1s
expect_error 2 "--min-blocked is an option of snapshot only" -p 1 --min-blocked 1s
# A kernel thread is no process of leakmon's: said so, not "hidden".
kthread=$(pgrep -xo kthreadd)
expect_error 2 "^leakmon: error: $kthread \\(kthreadd\\) is a kernel thread: leakmon watches user processes only$" \
	snapshot -p "$kthread"
expect_error 2 "is a kernel thread" -p "$$,$kthread"

expect_error 2 "--metrics: '1.2.3:80' is not valid: expected ADDRESS:PORT" --metrics 1.2.3:80
expect_error 2 "--metrics: 'localhost:0' is not valid" --metrics localhost:0
expect_error 2 "--watch-names: 'a,,b' is not valid" --watch-names a,,b
expect_error 2 "--creator-slots: '0' is not valid: expected a whole number from 1 to 65536" \
	--creator-slots 0
expect_error 2 "--creator-slots: '65537' is not valid" --creator-slots 65537

# Configuration files: the file and line of the first bad one, exit 1, before attaching.
conf=$TMP/leakmon.conf
bad_conf() { # TEXT PATTERN
	printf '%b' "$1" >"$conf"
	expect_error 1 "$2" --config "$conf"
}
bad_conf "interval = 1s\nbogus = 3\n" "^leakmon: error: $conf:2: unknown key 'bogus'$"
bad_conf "# c\nmetrics-top = lots\n" "$conf:2: metrics-top: 'lots' is not valid: expected a whole number"
bad_conf "blocked-threshold = 30x\n" "$conf:1: blocked-threshold: '30x' is not valid: expected a duration"
bad_conf "interval = 1s\n\ninterval = 2s\n" "$conf:3: 'interval' is set twice \\(first on line 1\\)"
bad_conf "metrics = nowhere:9464\n" "$conf:1: metrics: 'nowhere:9464' is not valid"
bad_conf "just words\n" "$conf:1: expected 'key = value'"
bad_conf "interval = 1s\npin =\n" "^leakmon: error: $conf:2: pin: no value: expected true or false$"
bad_conf "watch-names = \n" "$conf:1: watch-names: no value: expected patterns"
# Not text: what is wrong, where; a long line is said long only when it is.
bad_conf "interval = 1s\nmetrics-top = 5\0junk\n" "^leakmon: error: $conf:2: not text: byte 0x00 at column 16$"
bad_conf "\x01\x02\x03\n" "$conf:1: not text: byte 0x01 at column 1"
bad_conf "# $(printf 'x%.0s' $(seq 5000))\n" "$conf:1: line longer than 4096 bytes"
printf 'pin = true\njson = false\n' >"$conf"
"$LEAKMON" snapshot --config "$conf" --json=true --no-stacks=false -p "$$" >"$TMP/out" 2>"$TMP/err"
check_eq "flags' =true and =false forms, in files and options: taken" 0 "$?"
check "... --json=true gives JSON" json_valid "$TMP/out"
expect_error 1 "$TMP/none.conf: cannot read: No such file or directory" --config "$TMP/none.conf"
printf 'interval = 1s\n' >"$conf"
chmod 000 "$conf"
setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
	"$LEAKMON" --config "$conf" >"$TMP/out" 2>"$TMP/err"
check_eq "an unreadable file: exit 1" 1 "$?"
check "... naming it" grep -q "$conf: cannot read: Permission denied" "$TMP/err"

# A thread id is not a process id.
fixture_start unsignalled_condvar && {
	tid=$(fixture_blocked "$FIXTURE_OUT" | awk '$2 == "futex" { print $1; exit }')
	expect_error 2 "$tid is a thread of process $FIXTURE_PID" snapshot -p "$tid"
}

# --json makes errors JSON too.
"$LEAKMON" snapshot --json -p abc >/dev/null 2>"$TMP/err"
check_eq "--json error exit code" 2 "$?"
check "--json error is a JSON object naming the problem" \
	json_matches "$TMP/err" '.error | test("--pid")'

# Not privileged: which privilege is missing, exit 1.
if id nobody >/dev/null 2>&1; then
	cp "$LEAKMON" "$TMP/leakmon" && chmod 755 "$TMP" "$TMP/leakmon"
	LEAKMON="$TMP/leakmon"
	setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
		"$LEAKMON" snapshot >"$TMP/out" 2>"$TMP/err"
	check_eq "unprivileged: exit 1" 1 "$?"
	check "unprivileged: names CAP_BPF and CAP_PERFMON" \
		grep -q 'missing privilege: CAP_BPF and CAP_PERFMON' "$TMP/err"
	check_eq "unprivileged: one line" 1 "$(wc -l <"$TMP/err")"
	LEAKMON=$BUILD/leakmon
fi

check_eq "nothing left attached" "$links_before" "$(bpftool link list 2>/dev/null | grep -c .)"
finish
