#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# user/ is a folder per layer, lowest first below: a file includes only headers of its own
# layer or of the layers below it (docs/design.md). Fails on an include from a layer above, a
# header that is not there, or a folder that is no layer.
set -u
cd "$(dirname "$0")/../.."
LAYERS=(util config proc loader model unwind runtime analysis output monitor cli)
failed=0
checked=0

fail() {
	echo "FAIL test_layers: $*"
	failed=$((failed + 1))
}

rank() {
	local i
	for i in "${!LAYERS[@]}"; do
		[ "${LAYERS[$i]}" == "$1" ] && echo "$i" && return
	done
	echo -1
}

for dir in user/*/; do
	layer=$(basename "$dir")
	[ "$(rank "$layer")" -ge 0 ] || fail "user/$layer is no layer (${LAYERS[*]})"
done

for file in user/*/*.c user/*/*.h; do
	layer=$(basename "$(dirname "$file")")
	own=$(rank "$layer")
	while IFS= read -r header; do
		checked=$((checked + 1))
		case $header in
		leakmon.h) continue ;; # bpf/: shared by the BPF programs and every layer
		leakmon.skel.h) [ "$layer" == loader ] || fail "$file: the BPF skeleton is the loader's"
			continue ;;
		syscall_names.h) [ "$layer" == util ] || fail "$file: the syscall table is util's"
			continue ;;
		*/*) ;;
		*) fail "$file: \"$header\" names no layer"
			continue ;;
		esac
		[ -f "user/$header" ] || fail "$file: \"$header\" is not there"
		theirs=$(rank "${header%%/*}")
		if [ "$theirs" -gt "$own" ]; then
			fail "$file ($layer) includes \"$header\", of a layer above it"
		fi
	done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$file")
done

if [ "$failed" -eq 0 ]; then
	echo "PASS test_layers: $checked includes of $(ls user/*/*.[ch] | wc -l) files, each from its own layer or below"
fi
[ "$failed" -eq 0 ]
