#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Shared by the end-to-end tests and the benchmarks: the kernel's own accounting of the runs of
# BPF programs (kernel.bpf_stats_enabled), as /proc shows it for the fds that hold them.

# prog_stats PID: "program-id runs run-time-ns" for each BPF program the process holds, once
# per fd that holds it.
prog_stats() {
	awk 'FNR == 1 { id = "" } /^prog_id:/ { id = $2 } /^run_time_ns:/ { ns = $2 }
		/^run_cnt:/ && id != "" { print id, $2, ns }' /proc/"$1"/fdinfo/* 2>/dev/null
}
