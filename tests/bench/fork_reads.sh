#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Where leakmon's fork hook spends its time above the empty program: the cost per run of each read
# such a hook can make, and of leakmon's own hook, each alone under thread churn, ROUNDS (default
# 7) rounds in rotating order (tests/bench/fork_reads.c). The per-event goal of the throughput
# benchmark (at most 1.2x the empty program) against what the least new-high check reads.
. "$(dirname "$0")/lib.sh"
ROUNDS=${ROUNDS:-7}

"$BUILD/bench/fork_reads" "$BUILD/bench/churn_rate" "$ROUNDS"
