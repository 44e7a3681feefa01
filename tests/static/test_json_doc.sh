#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Every key the code can write into JSON is named in docs/json.md: the literal keys of the JSON
# writer's calls (json__key, json__field_*, output__json_frame_field), the thread's name key of
# output__json_thread_fields, and the diagnostics' levels (log.c).
set -u
cd "$(dirname "$0")/../.."
doc=docs/json.md
failed=0
keys=$( {
	grep -rhoE '\b(json__key|json__field_[a-z0-9_]+|output__json_frame_field)\(jw, "[^"]+"' user |
		sed -E 's/.*"([^"]+)"$/\1/'
	grep -rhoE '\boutput__json_thread_fields\(jw, [^,]+, "[^"]+"' user | sed -E 's/.*"([^"]+)"$/\1/'
	sed -n '/level_names\[\] = {/,/};/p' user/util/log.c | grep -oE '"[a-z]+"' | tr -d '"'
} | sort -u)
n=0
for key in $keys; do
	n=$((n + 1))
	grep -qF "\`$key\`" "$doc" || {
		echo "FAIL test_json_doc: the key \"$key\" is written by the code but not named in $doc"
		failed=$((failed + 1))
	}
done
[ "$n" -gt 50 ] || { echo "FAIL test_json_doc: only $n keys found in the code"; failed=$((failed + 1)); }
[ "$failed" -eq 0 ] && echo "PASS test_json_doc: the $n keys the code writes are named in $doc"
[ "$failed" -eq 0 ]
