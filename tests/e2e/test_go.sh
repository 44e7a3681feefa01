#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Go binaries as they are shipped, stripped (only .gopclntab and .go.buildinfo left): leakmon
# reads Go's own table of functions, checked against Go's own reader (go/funcs_oracle.go) on
# Debian's Go 1.19 builds (internal and external linking, position-independent), Debian's
# prometheus, and esbuild's release binaries built by Go 1.20, 1.22, 1.23 and 1.25; against
# the ELF symbols where they are kept; and in the stacks of running stripped Go processes.
. "$(dirname "$0")/lib.sh"

# Shared by both builds (and the fuzzers' seed): Go builds and esbuild downloads are slow.
GO_BUILD=${GO_BUILD:-build/go}
mkdir -p "$GO_BUILD"
export GOCACHE=$PWD/$GO_BUILD/cache GOPATH=$PWD/$GO_BUILD/path GO111MODULE=off
go_build() { # OUTPUT SOURCE FLAGS...
	local out=$1 src=$2
	shift 2
	go build "$@" -o "$GO_BUILD/$out" "$src" 2>"$TMP/go-build.err" ||
		fail "go build $out: $(tail -3 "$TMP/go-build.err")"
}
go_build funcs_oracle tests/e2e/go/funcs_oracle.go || finish
go_build waits tests/fixtures/go/waits.go
go_build waits_stripped tests/fixtures/go/waits.go -ldflags=-s\ -w
go_build waits_pie tests/fixtures/go/waits.go -buildmode=pie -ldflags=-s\ -w
go_build cgo_waits tests/fixtures/go/cgo_waits.go
ORACLE=$GO_BUILD/funcs_oracle

# esbuild's own stripped binary, as its npm package ships it, built by the Go of its release.
esbuild() { # VERSION: prints the binary's path
	local dir=$GO_BUILD/esbuild-$1
	if [ ! -x "$dir/package/bin/esbuild" ]; then
		mkdir -p "$dir"
		(cd "$dir" && npm_config_cache=$PWD/npm-cache npm pack --silent \
			"@esbuild/linux-x64@$1" >/dev/null 2>&1 &&
			tar xzf esbuild-linux-x64-"$1".tgz) || return 1
	fi
	echo "$dir/package/bin/esbuild"
}

binaries=("$GO_BUILD/waits" "$GO_BUILD/waits_stripped" "$GO_BUILD/waits_pie" "$GO_BUILD/cgo_waits"
	/usr/bin/prometheus)
for version in 0.17.19 0.23.1 0.25.10 0.27.0; do
	binary=$(esbuild "$version") && binaries+=("$binary") ||
		fail "npm pack @esbuild/linux-x64@$version failed"
done
for binary in "${binaries[@]}"; do
	go_version=$(strings -n 6 "$binary" | grep -m1 -o 'go1\.[0-9]*\.[0-9]*')
	"$BUILD/tests/gofuncs" "$binary" | sort >"$TMP/leakmon.funcs"
	"$ORACLE" funcs "$binary" | sort >"$TMP/oracle.funcs"
	check_eq "$binary ($go_version): every function as Go's debug/gosym reads it" \
		"$(wc -l <"$TMP/oracle.funcs") functions, 0 different" \
		"$(wc -l <"$TMP/leakmon.funcs") functions, $(diff "$TMP/oracle.funcs" "$TMP/leakmon.funcs" |
			grep -c '^[<>]') different"
	check "... thousands of them" test "$(wc -l <"$TMP/oracle.funcs")" -gt 1000
	# Go's flags where its traceback stops (TOPFRAME, SPWRITE): read at the right offset for
	# each version, the root functions are flagged, and only a handful.
	"$BUILD/tests/gofuncs" --outermost "$binary" >"$TMP/outermost"
	check "... runtime.goexit, runtime.mstart, runtime.mcall among its few root functions" \
		bash -c "grep -qx runtime.goexit '$TMP/outermost' && grep -qx runtime.mstart \
			'$TMP/outermost' && grep -qx runtime.mcall '$TMP/outermost' &&
			[ \$(wc -l <'$TMP/outermost') -lt 30 ]"
done

# Where the ELF symbols are kept, they are the truth: the same address for every Go function
# (with external linking, .text starts with C code, not with Go's first function).
for binary in "$GO_BUILD/waits" "$GO_BUILD/cgo_waits"; do
	# Names given once in each: ABI wrappers share their function's name.
	"$BUILD/tests/gofuncs" "$binary" | awk '{ print $3, $1 }' | sort |
		awk '{ n[$1]++; a[$1] = $2 } END { for (k in n) if (n[k] == 1) print k, a[k] }' |
		sort >"$TMP/pclntab"
	nm --defined-only "$binary" | awk '$2 ~ /^[tT]$/ { sub(/^0+/, "", $1); print $3, $1 }' |
		awk '{ n[$1]++; a[$1] = $2 } END { for (k in n) if (n[k] == 1) print k, a[k] }' |
		sort >"$TMP/symtab"
	check_eq "$(basename "$binary"): every function named by both at the same address" \
		"0 at another" \
		"$(join "$TMP/pclntab" "$TMP/symtab" | awk '$2 != $3 { n++ } END { print n + 0 }') at another"
	check "... and they share thousands" \
		test "$(join "$TMP/pclntab" "$TMP/symtab" | wc -l)" -gt 1000
done

# Stacks of running stripped Go processes: every frame in the Go binary named as Go names it.
for fixture in waits_stripped waits_pie; do
	FIXTURES=$GO_BUILD fixture_start "$fixture" || continue
	"$LEAKMON" snapshot --json -p "$FIXTURE_PID" >"$TMP/$fixture.json"
	jq -r --arg m "$fixture" '.processes[].threads[].stack[] | select(.module == $m) |
		"\(.module_offset) \(.func // "?")"' "$TMP/$fixture.json" | sort -u >"$TMP/frames"
	# module_offset is the frame's link-time address (the module's load bias taken off).
	awk '{ printf "0x%x\n", $1 }' "$TMP/frames" |
		"$ORACLE" names "$GO_BUILD/$fixture" | awk '{ print $2 }' >"$TMP/oracle.names"
	check_eq "$fixture: every frame in the Go binary named as Go names it" \
		"$(awk '{ print $2 }' "$TMP/frames" | tr '\n' ' ')" "$(tr '\n' ' ' <"$TMP/oracle.names")"
	check "... its threads parked in the runtime's scheduler" json_matches "$TMP/$fixture.json" \
		'[.processes[].threads[].stack | map(.func) | index("runtime.futex") != null and
		  index("runtime.notesleep") != null] | any'
	check "... each thread's stack ends where Go's traceback would, at a root function" \
		json_matches "$TMP/$fixture.json" '[.processes[].threads[] | .stack[-1].func] | length > 2
		  and all(IN("runtime.mstart", "runtime.mcall", "runtime.goexit", "runtime.rt0_go",
		  "runtime.systemstack", "runtime.morestack"))'
	kill -9 "$FIXTURE_PID"
done
finish
