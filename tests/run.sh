#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Runs every test against each build in BUILDS (e.g. "build build/sanitize"): unit tests (no
# root), then end-to-end tests on the real kernel (root). Ends with "N passed, N failed" counted
# over every check of every build.
set -u
cd "$(dirname "$0")/.."
BUILDS=${BUILDS:-build}
passed=0
failed=0
skipped=0

run_unit_tests() {
	local bin out rc line p f
	for bin in "$BUILD"/tests/test_*; do
		out=$("$bin" 2>&1)
		rc=$?
		echo "$out" | grep -vE ': [0-9]+ passed, [0-9]+ failed$'
		line=$(echo "$out" | grep -E ': [0-9]+ passed, [0-9]+ failed$' | tail -1)
		p=$(echo "$line" | sed -nE 's/.*: ([0-9]+) passed.*/\1/p')
		f=$(echo "$line" | sed -nE 's/.* ([0-9]+) failed$/\1/p')
		p=${p:-0}
		f=${f:-0}
		if [ -z "$line" ] || { [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; }; then
			echo "FAIL $bin: exited $rc without a result"
			f=$((f + 1))
		fi
		echo "unit $bin: $p passed, $f failed"
		passed=$((passed + p))
		failed=$((failed + f))
	done
}

run_e2e_tests() {
	local script out rc p f start
	if [ "$(id -u)" -ne 0 ]; then
		n=$(ls tests/e2e/test_*.sh | wc -l)
		echo "end-to-end tests need root (sudo make test): $n skipped"
		skipped=$((skipped + n))
		return
	fi
	for script in tests/e2e/test_*.sh; do
		start=$(date +%s)
		out=$(bash "$script" 2>&1)
		rc=$?
		echo "$out" | grep -v '^PASS '
		p=$(echo "$out" | grep -c '^PASS ')
		f=$(echo "$out" | grep -c '^FAIL ')
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			echo "FAIL $script: exited $rc"
			f=1
		fi
		echo "e2e $BUILD $(basename "$script" .sh): $p passed, $f failed" \
			"($(($(date +%s) - start))s)"
		passed=$((passed + p))
		failed=$((failed + f))
	done
}

# Checks of the sources themselves, once: no build, no root.
run_static_checks() {
	local script out
	for script in tests/static/test_*.sh; do
		out=$(bash "$script" 2>&1)
		echo "$out"
		passed=$((passed + $(echo "$out" | grep -c '^PASS ')))
		failed=$((failed + $(echo "$out" | grep -c '^FAIL ')))
	done
}

run_static_checks
for BUILD in $BUILDS; do
	export BUILD
	run_unit_tests
	run_e2e_tests
done

# The fuzzers, briefly, when built (make fuzzers).
if ls build/fuzz/fuzz_* >/dev/null 2>&1; then
	out=$(tests/fuzz/test_fuzz.sh 2>&1)
	echo "$out"
	passed=$((passed + $(echo "$out" | grep -c '^PASS ')))
	failed=$((failed + $(echo "$out" | grep -c '^FAIL ')))
fi

if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
