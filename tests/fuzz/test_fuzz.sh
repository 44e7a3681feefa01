#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Run each fuzzer for FUZZ_SECONDS from a seed corpus of real inputs; a crash fails the test and
# leaves the input that caused it in build/fuzz/.
set -u
cd "$(dirname "$0")/../.."
FUZZ_BUILD=${FUZZ_BUILD:-build/fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-10}
FIXTURES=${FIXTURES:-build/fixtures}
# libdw has no frame pointers: only the slow unwinder sees the frames the suppressions name.
export LSAN_OPTIONS=suppressions=$PWD/tests/fuzz/lsan.supp
export ASAN_OPTIONS=fast_unwind_on_malloc=0

mkdir -p "$FUZZ_BUILD/corpus-maps" "$FUZZ_BUILD/corpus-elf" "$FUZZ_BUILD/corpus-demangle" \
	"$FUZZ_BUILD/corpus-pylines" "$FUZZ_BUILD/corpus-gopclntab"
cp /proc/self/maps "$FUZZ_BUILD/corpus-maps/self"
# With DWARF too: inlined functions, and functions in C++ namespaces.
cp "$FIXTURES/stack_shapes_stripped" "$FIXTURES/libdlworker.so" "$FIXTURES/stack_shapes" \
	"$FIXTURES/cxx_threads" "$FUZZ_BUILD/corpus-elf/" 2>/dev/null
# Mangled names a compiler wrote: Rust v0 and legacy, C++.
nm "$FIXTURES/rust_waits_v0" "$FIXTURES/cxx_threads" 2>/dev/null | awk '$3 ~ /^_[RZ]/ {print $3}' |
	head -300 | while read -r name; do
		printf '%s' "$name" >"$FUZZ_BUILD/corpus-demangle/$(printf '%s' "$name" | md5sum | cut -c1-16)"
	done
# Line tables CPython wrote, each with its first line and an instruction in the middle.
python3 tests/unit/pylines_truth.py 2>/dev/null | head -300 | python3 -c '
import struct, sys
for n, line in enumerate(sys.stdin):
    table, first = line.split()[:2]
    table = bytes.fromhex(table)
    with open(f"{sys.argv[1]}/{n}", "wb") as f:
        f.write(struct.pack("<ii", int(first), len(table) // 4) + table)
' "$FUZZ_BUILD/corpus-pylines"
# Go's function table as Go 1.19 writes it (the stripped fixture test_go.sh builds).
objcopy -O binary --only-section=.gopclntab "${GO_BUILD:-build/go}/waits_stripped" \
	"$FUZZ_BUILD/corpus-gopclntab/waits" 2>/dev/null
for fuzzer in maps elf demangle pylines gopclntab; do
	bin=$FUZZ_BUILD/fuzz_$fuzzer
	if "$bin" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=4096 \
		-artifact_prefix="$FUZZ_BUILD/crash-$fuzzer-" "$FUZZ_BUILD/corpus-$fuzzer" \
		>"$FUZZ_BUILD/fuzz_$fuzzer.log" 2>&1; then
		echo "PASS fuzz: $fuzzer: $(grep -o 'Done [0-9]* runs' "$FUZZ_BUILD/fuzz_$fuzzer.log")" \
			"in ${FUZZ_SECONDS}s without a crash"
	else
		echo "FAIL fuzz: $fuzzer: $(grep -m1 -E 'ERROR|SUMMARY' "$FUZZ_BUILD/fuzz_$fuzzer.log")" \
			"(log: $FUZZ_BUILD/fuzz_$fuzzer.log)"
	fi
done
