#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Names are chosen by whoever runs the process: JSON keeps them exactly and stays valid; the
# human output never lets a control character reach the terminal raw.
. "$(dirname "$0")/lib.sh"

fixture_start hostile_names || finish
"$LEAKMON" snapshot --json -p "$FIXTURE_PID" >"$TMP/names.json"
check "JSON output parses" json_valid "$TMP/names.json"
check "JSON output is valid UTF-8" iconv -f UTF-8 -t UTF-8 "$TMP/names.json" -o /dev/null
names=$(jq -r '[.processes[].threads[].comm] | sort | join("|")' "$TMP/names.json")
for want in $'\e[31mred\e[0m' $'line\nbreak' 'q"uo\te' $'\xe2\x82\xac-euro' $'\xc2\x9b2Jcsi' \
	$'\xe2\x80\xaeevil'; do
	[[ "|$names|" == *"|$want|"* ]] && pass "JSON keeps the name $(printf %q "$want")" ||
		fail "JSON lost the name $(printf %q "$want"): $(printf %q "$names")"
done
# 0xFF is not U+00FF (a real ÿ): an invalid byte is U+FFFD and the byte as text.
check_eq "invalid UTF-8 bytes come out as U+FFFD and \\xNN" 'bad\ufffd\\xff\ufffd\\xfeutf8' \
	"$(grep -o 'bad[^"]*utf8' "$TMP/names.json")"
check_eq "... which a JSON reader shows as such" $'bad\xef\xbf\xbd\\xff\xef\xbf\xbd\\xfeutf8' \
	"$(jq -r '.processes[0].threads[].comm | select(startswith("bad"))' "$TMP/names.json")"
check_eq "C1 and bidirectional controls are \\u escapes in the JSON text" \
	'\u009b2Jcsi \u202eevil' "$(grep -o '\\u009b2Jcsi\|\\u202eevil' "$TMP/names.json" | sort | paste -sd ' ')"
check_eq "... never raw bytes" 0 "$(LC_ALL=C grep -c $'\xc2\x9b\\|\xe2\x80\xae' "$TMP/names.json")"
check_eq "the process name is kept" $'\e]0;pwned\a' "$(jq -r '.processes[0].comm' "$TMP/names.json")"

"$LEAKMON" snapshot -p "$FIXTURE_PID" >"$TMP/names.txt"
check "human output has the process" grep -q "PID $FIXTURE_PID" "$TMP/names.txt"
check "human output has no control characters but newlines" \
	bash -c "! LC_ALL=C grep -q '[[:cntrl:]]' <(tr -d '\n' <'$TMP/names.txt')"
check "human output shows escapes instead" grep -qF '\x1b[31mred\x1b[0m' "$TMP/names.txt"
check "human output escapes invalid UTF-8" grep -qF 'bad\xff\xfeutf8' "$TMP/names.txt"
check "human output keeps valid UTF-8" grep -qF $'\xe2\x82\xac-euro' "$TMP/names.txt"
check "human output escapes a C1 control (CSI)" grep -qF '\u009b2Jcsi' "$TMP/names.txt"
check "human output escapes a right-to-left override" grep -qF '\u202eevil' "$TMP/names.txt"
check_eq "... never raw" 0 "$(LC_ALL=C grep -c $'\xc2\x9b\\|\xe2\x80\xae' "$TMP/names.txt")"

# Python thread names (threading.Thread.name) are read from the process's memory: quotes that
# would close the quoted name and fake a thread, a NUL, C1 and bidirectional controls.
fixture_start python_names && {
	"$LEAKMON" snapshot --json -p "$FIXTURE_PID" >"$TMP/py.json"
	"$LEAKMON" snapshot -p "$FIXTURE_PID" >"$TMP/py.txt"
	check_eq "JSON keeps each Python name, a NUL as U+2400" \
		"$(printf '%s\n' $'\e[31mred' $'\xc2\x9b2Jcsi' $'nul\xe2\x90\x80after' \
			'q"uote" 4242 fake' $'\xe2\x80\xaeevil' | sort)" \
		"$(jq -r '.processes[0].threads[].runtime_name // empty' "$TMP/py.json" | sort)"
	for want in '"q\"uote\" 4242 fake"' $'"nul\xe2\x90\x80after"' '"\u009b2Jcsi"' \
		'"\u202eevil"' '"\x1b[31mred"'; do
		check "text shows the Python name $want" grep -qF -- "$want" "$TMP/py.txt"
	done
	check_eq "... no raw control, C1 or bidirectional character" 0 \
		"$(tr -d '\n' <"$TMP/py.txt" | LC_ALL=C grep -c $'[\x01-\x1f\x7f]\\|\xc2\x9b\\|\xe2\x80\xae')"
}

# Errors quote what the user typed: never raw to the terminal, always one line.
"$LEAKMON" --watch-names $'\e[31m\xe2\x80\xae' >"$TMP/out" 2>"$TMP/err"
check_eq "a pattern with ESC and an override: usage error" 2 "$?"
check_eq "... said on one line, escaped" \
	"leakmon: error: --watch-names: '\\x1b[31m\\u202e' is not valid: expected patterns separated by commas, no spaces" \
	"$(cat "$TMP/err")"
printf '\e[2Jkey = 1\n' >"$TMP/esc.conf"
"$LEAKMON" --config "$TMP/esc.conf" >"$TMP/out" 2>"$TMP/err"
check_eq "a configuration key with ESC: exit 1" 1 "$?"
check_eq "... said as what it is" "leakmon: error: $TMP/esc.conf:1: not text: byte 0x1b at column 1" \
	"$(cat "$TMP/err")"
finish
