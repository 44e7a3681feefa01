// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * When each thread went to sleep. Measured on the reference machine (DESIGN.md section 2): a
 * sched_switch program keeps ~0.9-1.0 of pipe ping-pong and futex throughput, while syscall
 * tracepoints on futex cost ~40% of futex throughput, because they turn on the syscall slow path
 * for every call, even those that never sleep. Every real sleep passes through sched_switch, so
 * it is the one hook here. Only the switch-out is recorded: a thread that is asleep when read went
 * to sleep at its last sleeping switch-out, so clearing on switch-in would double the cost for
 * nothing. What the thread waits on is read later from its saved registers (tasks.bpf.c), and
 * only for threads that are reported.
 */
#include "shared.bpf.h"

/*
 * Now, in CLOCK_MONOTONIC, as the run-queue clock (updated by __schedule just before this
 * tracepoint) plus this CPU's offset to CLOCK_MONOTONIC. Reading the clock itself
 * (bpf_ktime_get_ns, a paravirtual clock in a VM) cost ~45 ns, a third of this program, at every
 * switch (BENCHMARKS.md); the offset is sampled with it every 100 ms instead, and also dates
 * sleeps begun before we attached. Both clocks tick at the same rate to a few ppm.
 */
static __always_inline __u64 clock__now(struct task_struct *prev)
{
	struct clock_sample *sample;
	__u64 rq_clock, now;
	__u32 zero = 0;

	sample = bpf_map_lookup_elem(&clock_samples, &zero);
	if (!sample || !bpf_core_field_exists(prev->se.cfs_rq))
		return bpf_ktime_get_ns();
	rq_clock = prev->se.cfs_rq->rq->clock;
	if (!rq_clock)
		return bpf_ktime_get_ns();
	now = rq_clock + sample->offset_ns;
	if (sample->mono_ns && now - sample->mono_ns < CLOCK_SAMPLE_INTERVAL_NS)
		return now;
	now = bpf_ktime_get_ns();
	sample->offset_ns = (__s64)(now - rq_clock);
	sample->mono_ns = now;
	return now;
}

static __always_inline void task__switched_out(struct task_struct *prev, bool preempt)
{
	struct task_info *info;

	if (preempt || !(task__state(prev) & (TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE)))
		return;
	if (prev->flags & PF_KTHREAD)
		return;
	info = task__info(prev);
	if (!info) {
		__sync_fetch_and_add(&blocked_state_dropped, 1);
		return;
	}
	info->blocked_since_ns = clock__now(prev);
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
	struct task_struct *prev = bpf_get_current_task_btf();

	/* No typed fork hook in this mode: a new thread joins the count when it first runs. */
	if (!(prev->flags & (PF_KTHREAD | PF_EXITING)))
		task__count(prev, true);
	task__switched_out(prev, preempt);
	return 0;
}
