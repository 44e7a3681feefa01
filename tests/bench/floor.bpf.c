// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The floor of the throughput benchmark: empty programs on exactly the hooks leakmon attaches
 * (bpf/blocked.bpf.c, bpf/threads.bpf.c), in each of its variants. What the kernel charges for
 * running any program there is the floor; what leakmon adds above it is its own cost.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

/* An empty program: what running any program at that hook costs. */
#define FLOOR_PROGRAM(section, name)                                                               \
	SEC(section)                                                                               \
	int BPF_PROG(name)                                                                         \
	{                                                                                          \
		return 0;                                                                          \
	}

FLOOR_PROGRAM("tp_btf/sched_process_fork", floor_created_btf)
FLOOR_PROGRAM("tp_btf/sched_switch", floor_switched_btf)
FLOOR_PROGRAM("raw_tp/sched_switch", floor_switched_raw)

char LICENSE[] SEC("license") = "Dual BSD/GPL";
