// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * When each thread went to sleep, where the scheduler does not date it itself. Where it does
 * (CONFIG_SCHED_INFO: a thread's last arrival on a CPU plus how long it then ran, read by the
 * task iterator), neither variant is loaded and nothing runs at sched_switch: that is every
 * context switch of the machine, and even an empty program there costs ~65 ns with statistics
 * (BENCHMARKS.md). Only the switch-out is recorded: a thread asleep when read went to sleep at its
 * last sleeping switch-out, dated by the run-queue clock __schedule has just updated (the
 * iterator moves it to CLOCK_MONOTONIC). What the thread waits on is read later from its saved
 * registers (tasks.bpf.c), and only for threads that are reported.
 */
#include "shared.bpf.h"

static __always_inline void task__switched_out(struct task_struct *prev, bool preempt)
{
	struct task_info *info;

	if (preempt || !(task__state(prev) & (TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE)))
		return;
	if (prev->flags & PF_KTHREAD)
		return;
	/* Only the thread's own switch-out creates its storage: no other creator to race. */
	info = bpf_task_storage_get(&task_info, prev, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!info) {
		__sync_fetch_and_add(&blocked_state_dropped, 1);
		return;
	}
	info->blocked_since_ns = task__rq_clock(prev);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(thread_switched_btf, bool preempt, struct task_struct *prev)
{
	task__switched_out(prev, preempt);
	return 0;
}

SEC("raw_tp/sched_switch")
int BPF_PROG(thread_switched_raw, bool preempt)
{
	task__switched_out(bpf_get_current_task_btf(), preempt);
	return 0;
}
