#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# A wait that begins after leakmon attached is dated exactly, not estimated; one that began
# before stays estimated. Both within 1 s of the truth.
. "$(dirname "$0")/lib.sh"

fixture_start late_blocker || finish
json=$TMP/late.json
check "leakmon attaches" leakmon_delayed "$json" --json --delay 3s -p "$FIXTURE_PID"
sleep 1
echo go >&7
check "snapshot with --delay succeeds" wait "$LEAKMON_PID"

late=$(fixture_blocked "$FIXTURE_OUT" | awk '$2 == "futex" { print $1 }')
check_eq "the late wait is dated exactly" false "$(json_thread "$json" "$late" blocked_since_estimated)"
check_eq "the main thread's earlier wait is estimated" true \
	"$(json_thread "$json" "$FIXTURE_PID" blocked_since_estimated)"
check_against_truth "$json" "$FIXTURE_PID" "$FIXTURE_OUT" any
finish
