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
for want in $'\e[31mred\e[0m' $'line\nbreak' 'q"uo\te' $'\xe2\x82\xac-euro'; do
	[[ "|$names|" == *"|$want|"* ]] && pass "JSON keeps the name $(printf %q "$want")" ||
		fail "JSON lost the name $(printf %q "$want"): $(printf %q "$names")"
done
check_eq "invalid UTF-8 bytes come out as their code points" 'bad\u00ff\u00feutf8' \
	"$(grep -o 'bad[^"]*utf8' "$TMP/names.json")"
check_eq "the process name is kept" $'\e]0;pwned\a' "$(jq -r '.processes[0].comm' "$TMP/names.json")"

"$LEAKMON" snapshot -p "$FIXTURE_PID" >"$TMP/names.txt"
check "human output has the process" grep -q "PID $FIXTURE_PID" "$TMP/names.txt"
check "human output has no control characters but newlines" \
	bash -c "! LC_ALL=C grep -q '[[:cntrl:]]' <(tr -d '\n' <'$TMP/names.txt')"
check "human output shows escapes instead" grep -qF '\x1b[31mred\x1b[0m' "$TMP/names.txt"
check "human output escapes invalid UTF-8" grep -qF 'bad\xff\xfeutf8' "$TMP/names.txt"
check "human output keeps valid UTF-8" grep -qF $'\xe2\x82\xac-euro' "$TMP/names.txt"
finish
