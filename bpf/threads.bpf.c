// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Thread creation and exit: keep each process's live thread count. Typed tracepoints hand us the
 * new task; the raw-tracepoint variants, for kernels that refuse tp_btf, only see the current
 * task, so there a new thread is counted when it first leaves a CPU (blocked.bpf.c).
 */
#include "shared.bpf.h"

static __always_inline void task__exited(struct task_struct *task)
{
	struct proc_count *count;
	struct task_info *info;
	__u32 tgid;

	tgid = task->tgid;
	/*
	 * do_exit() drops signal->live before this tracepoint: zero means the whole process is
	 * gone and no thread of it can be created or counted any more. Deleting only then, not
	 * when a count reaches zero, keeps a count being seeded from being deleted under it.
	 */
	if (!task->signal->live.counter) {
		bpf_map_delete_elem(&proc_counts, &tgid);
		return;
	}
	if (!task__counted_at_fork(task)) {
		info = task__info(task);
		if (!info) {
			task__count_dropped(task);
			return;
		}
		if (__sync_lock_test_and_set(&info->count_state, TASK_GONE) != TASK_COUNTED)
			return;
	}
	count = bpf_map_lookup_elem(&proc_counts, &tgid);
	if (!count)
		return;
	__sync_fetch_and_add(&count->exited, 1);
	__sync_fetch_and_add(&count->threads, -1);
}

/*
 * Copy the creator's user registers and the top of its stack, parked in clone(), into the new
 * thread's storage: userspace unwinds it later into "created by". A read that crosses into an
 * unmapped page fails whole, so smaller tops are tried. The record's type is written last: the
 * iterator passes on only records whose type is set (x86 keeps stores in order).
 */
static __always_inline void thread__remember_creator(struct task_struct *parent,
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
 * Whether the thread just counted raised its process to a new high in this window: the threads
 * a leak adds do, a pool that churns at a steady size seldom does. Only those are worth a
 * creator's stack: allocating a creator record at every creation cost churn a quarter of its
 * rate.
 */
static __always_inline bool proc__new_high(struct proc_count *count)
{
	__u32 window = creators_window;
	__s64 threads = count->threads;

	if (count->high_water_window != window) {
		count->high_water_window = window;
		count->high_water = threads - 1;
	}
	if (threads <= count->high_water)
		return false;
	count->high_water = threads;
	return true;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(thread_created_btf, struct task_struct *parent, struct task_struct *child)
{
	bool at_fork = task__counted_at_fork(child);
	struct proc_count *count;

	if (!at_fork && !task__count(child, true))
		task__count_dropped(child);
	count = proc__count(child->tgid);
	if (!count)
		return 0;
	if (at_fork) {
		__sync_fetch_and_add(&count->threads, 1);
		__sync_fetch_and_add(&count->created, 1);
	}
	/* Threads only: a new process's creator is its parent's fork, not a thread site. */
	if (child->tgid == parent->tgid && proc__new_high(count))
		thread__remember_creator(parent, child);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(thread_exited_btf, struct task_struct *task)
{
	task__exited(task);
	return 0;
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(thread_exited_raw)
{
	/* The exiting task is the current one. */
	task__exited(bpf_get_current_task_btf());
	return 0;
}
