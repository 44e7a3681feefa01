// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The floor of the throughput benchmark: empty programs on exactly the hooks leakmon attaches
 * (bpf/blocked.bpf.c, bpf/threads.bpf.c), in each of its variants. What the kernel charges for
 * running any program there is the floor; what leakmon adds above it is its own cost. And, for
 * the cost per event only, the least a hook that keeps state per process does: one read of a
 * map value.
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

/* One 8-byte value per pid slot, as leakmon's per-process high-water slots (bpf/shared.bpf.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1 << 16);
	__type(key, __u32);
	__type(value, __u64);
} floor_slots SEC(".maps");

/*
 * One map value read per thread created, picked by the new thread's process: what any state
 * kept per process costs, whatever the program then does with it. On the machine of
 * BENCHMARKS.md this one read costs about as much as running the empty program.
 */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(floor_created_btf_map, struct task_struct *parent, struct task_struct *child)
{
	__u32 slot = child->tgid & ((1 << 16) - 1);
	__u64 *value = bpf_map_lookup_elem(&floor_slots, &slot);

	if (value)
		(void)*(volatile __u64 *)value;
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
