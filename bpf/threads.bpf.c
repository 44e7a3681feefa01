// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Thread creation: where the threads that raise their process to a new high were created. How
 * many threads each process has is not counted here: the kernel keeps that count itself
 * (signal->live, threads not yet exiting), and the task iterator reads it. A copy kept by hooks
 * on creation and exit cost each of them a hash lookup and two atomics on a line every CPU of the
 * process shares: 2.5x an empty program (BENCHMARKS.md). Raw tracepoints hand us no new task:
 * there, no creators are kept.
 */
#include "shared.bpf.h"

/*
 * Copy the creator's user registers and the top of its stack, parked in clone(), into the new
 * thread's storage: userspace unwinds it later into "created by". A read that crosses into an
 * unmapped page fails whole, so smaller tops are tried. The record's type is written last: the
 * iterator passes on only records whose type is set (x86 keeps stores in order). A function of
 * its own: the registers it needs are then saved only when it runs, not at every creation.
 */
static __noinline void thread__remember_creator(struct task_struct *parent,
						struct task_struct *child)
{
	struct creator_record *rec;
	struct pt_regs *regs;
	__u64 sp;

	rec = bpf_task_storage_get(&creators, child, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	regs = (struct pt_regs *)bpf_task_pt_regs(parent);
	if (!rec || !regs) {
		__sync_fetch_and_add(&creator_dropped, 1);
		return;
	}
	rec->size = sizeof(*rec);
	rec->tid = child->pid;
	rec->creator_tid = parent->pid;
	rec->tgid = child->tgid;
	regs__copy(rec->regs, regs);
	sp = regs->sp;
	if (!bpf_probe_read_user(rec->stack, LEAKMON_CREATOR_STACK, (void *)sp))
		rec->stack_len = LEAKMON_CREATOR_STACK;
	else if (!bpf_probe_read_user(rec->stack, LEAKMON_CREATOR_STACK / 2, (void *)sp))
		rec->stack_len = LEAKMON_CREATOR_STACK / 2;
	else /* the registers alone still name the caller of clone */
		__sync_fetch_and_add(&creator_dropped, 1);
	asm volatile("" ::: "memory");
	rec->type = LEAKMON_RECORD_CREATOR;
}

/*
 * The tracepoint's arguments are read from its context where used, not held in registers across
 * the slot lookup: the common path (no new high) then saves one register instead of four.
 */
#define FORK_PARENT(ctx) ((struct task_struct *)(ctx)[0])
#define FORK_CHILD(ctx) ((struct task_struct *)(ctx)[1])

/*
 * Whether the thread just created raised its process to a new high in this window: the threads
 * a leak adds do, a pool that churns at a steady size seldom does. Only those are worth a
 * creator's stack: allocating a creator record at every creation cost churn a quarter of its
 * rate. The first creation a process makes in a window (userspace zeroes the slots) or in a
 * slot just taken over is one.
 */
static __always_inline bool thread__new_high(__u64 *ctx, __u32 tgid)
{
	__u32 slot = tgid & PROC_HIGH_SLOT_MASK;
	struct proc_high *high = bpf_map_lookup_elem(&proc_highs, &slot);
	struct signal_struct *signal;
	__u32 tag;
	__s32 live;

	if (!high)
		return false;
	signal = FORK_CHILD(ctx)->signal;
	tag = (__u32)(unsigned long)signal;
	/* copy_process() has counted the child in already. */
	live = signal->live.counter;
	if (high->tag == tag && live <= high->threads)
		return false;
	high->tag = tag;
	high->threads = live;
	return true;
}

SEC("tp_btf/sched_process_fork")
int thread_created_btf(__u64 *ctx)
{
	__u32 tgid = FORK_CHILD(ctx)->tgid;

	/* Threads only: a new process's creator is its parent's fork, not a thread site. */
	if (tgid == FORK_PARENT(ctx)->tgid && thread__new_high(ctx, tgid))
		thread__remember_creator(FORK_PARENT(ctx), FORK_CHILD(ctx));
	return 0;
}
