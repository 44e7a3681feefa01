// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * What each read a thread creation hook can make costs, one program per read, each alone on
 * tp_btf/sched_process_fork (fork_reads.c attaches them in turn): where leakmon's fork hook
 * (bpf/threads.bpf.c, linked into the same object with the maps of bpf/state.bpf.c, whose
 * license this object shares) spends its time above the empty program, and what the least any
 * hook that decides "a new high" must read costs: the process's thread count and one value kept.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

/* As leakmon's per-process high-water slots (bpf/shared.bpf.h): 512 KiB, vmalloc'd. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1 << 16);
	__type(key, __u32);
	__type(value, __u64);
} slots SEC(".maps");

/* One value: the kernel kmallocs it, in its direct map, as it does task structs. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} one_slot SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} cpu_slot SEC(".maps");

#define READ(lvalue) ((void)*(volatile typeof(lvalue) *)&(lvalue))

static __always_inline void slot__read(void *map, __u32 key)
{
	__u64 *value = bpf_map_lookup_elem(map, &key);

	if (value)
		READ(*value);
}

/* The pid slot of a process, as leakmon picks it. */
static __always_inline __u32 pid_slot(struct task_struct *task)
{
	return task->tgid & ((1 << 16) - 1);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(reads_nothing)
{
	return 0;
}

/* What every check starts with: is the new task a thread of its creator's process. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(reads_tgids, struct task_struct *parent, struct task_struct *child)
{
	READ(parent->tgid);
	READ(child->tgid);
	return 0;
}

/* The kernel's count of the process's threads, which every creation and exit there writes. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(reads_thread_count, struct task_struct *parent, struct task_struct *child)
{
	READ(child->signal->live.counter);
	return 0;
}

/* Another line of the same structure, which nothing writes at creation. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(reads_signal_quiet_line, struct task_struct *parent, struct task_struct *child)
{
	READ(child->signal->oom_score_adj);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(reads_pid_slot, struct task_struct *parent, struct task_struct *child)
{
	slot__read(&slots, pid_slot(child));
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(reads_one_slot_map)
{
	slot__read(&one_slot, 0);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(reads_cpu_slot)
{
	slot__read(&cpu_slot, 0);
	return 0;
}

/* The least a new-high check reads: the count, and the high kept for the process. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(reads_count_and_slot, struct task_struct *parent, struct task_struct *child)
{
	slot__read(&slots, pid_slot(child));
	READ(child->signal->live.counter);
	return 0;
}

/*
 * Run inside clone() before the fork hook does (copy_process() traces the new task), each beside
 * reads_pid_slot: what touching memory near its slot first leaves it to pay, its cache line's
 * miss apart from its page's. A lookup in an array only computes the value's address.
 */
SEC("tp_btf/task_newtask")
int BPF_PROG(touches_nothing)
{
	return 0;
}

SEC("tp_btf/task_newtask")
int BPF_PROG(touches_the_slot, struct task_struct *task)
{
	slot__read(&slots, pid_slot(task));
	return 0;
}

/*
 * A slot 1 KiB away, on the same 4 KiB page: another cache line, not its neighbour. The table is
 * vmalloc'd, page-aligned: its values start where struct bpf_array's do.
 */
SEC("tp_btf/task_newtask")
int BPF_PROG(touches_its_page, struct task_struct *task)
{
	__u32 slot = pid_slot(task);
	__u32 page_offset = (bpf_core_field_offset(struct bpf_array, value) + slot * 8) & 4095;

	slot__read(&slots, page_offset < 2048 ? slot + 128 : slot - 128);
	return 0;
}

/* A slot 32 KiB away: another page of the same table. */
SEC("tp_btf/task_newtask")
int BPF_PROG(touches_another_page, struct task_struct *task)
{
	slot__read(&slots, pid_slot(task) ^ 4096);
	return 0;
}
