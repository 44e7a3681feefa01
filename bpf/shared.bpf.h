/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the BPF programs of leakmon share: the maps, counters and knobs defined once in
 * state.bpf.c, and the small helpers every program inlines.
 */
#ifndef SHARED_BPF_H
#define SHARED_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "leakmon.h"

#define PF_EXITING 0x00000004
#define PF_KTHREAD 0x00200000
#define TASK_INTERRUPTIBLE 0x0001
#define TASK_UNINTERRUPTIBLE 0x0002

/* Whether a thread is in its process's live count: each thread is counted exactly once. */
enum count_state {
	TASK_UNCOUNTED = 0,
	TASK_COUNTED = 1,
	TASK_GONE = 2,
};

struct task_info {
	__u64 blocked_since_ns; /* run-queue clock at its last sleeping switch-out, if hooked */
	__u32 count_state;
};

struct task_info_map {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_info);
};

struct creators_map {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct creator_record);
};

struct proc_counts_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1); /* sized by userspace */
	__type(key, __u32);
	__type(value, struct proc_count);
};

struct tgid_filter_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1); /* sized by userspace */
	__type(key, __u32);
	__type(value, __u8);
};

struct task_record_buf_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct task_record);
};

/* Written by userspace when it pins the maps for snapshots to share; no program uses it. */
struct owner_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct owner_record);
};

extern struct task_info_map task_info SEC(".maps");
extern struct creators_map creators SEC(".maps");
extern struct proc_counts_map proc_counts SEC(".maps");
extern struct tgid_filter_map tgid_filter SEC(".maps");
extern struct task_record_buf_map task_record_buf SEC(".maps");

/* Set by userspace between open and load. */
extern const volatile __u32 filter_by_tgid;
/* Set by userspace while an iterator run only seeds the counts. */
extern __u32 seeding_only;
/*
 * Set by userspace once, after the fork hook is attached (never with raw tracepoints): threads
 * started from then on are counted by the fork hook alone and uncounted by the exit hook alone,
 * with no per-thread state. Before, creation and seeding race, and each thread's storage says
 * whether it was counted: allocating that storage at every creation cost ~1.5 us (BENCHMARKS.md).
 * A thread that execs takes its process leader's older start time, and with it that protocol.
 */
extern __u64 fast_count_since_ns;
/* Bumped by userspace: a new window in which each process's high water of threads starts anew. */
extern __u32 creators_window;

/*
 * Failures the programs could not avoid, read and reported by userspace. Task storage fails
 * when another program on the same CPU holds its lock (the iterator, if preempted there).
 */
extern __u64 count_state_dropped;   /* an exit could not be accounted: a count is too high */
extern __u64 blocked_state_dropped; /* a sleep went unrecorded: dated by the scheduler instead */
extern __u64 proc_count_dropped;    /* the per-process map was full */
extern __u64 creator_dropped;	    /* a creator's stack could not be copied */
extern __u64 count_refused;	    /* task__count found the storage busy: seeding tries again */

/*
 * The run-queue clock of the CPU a task last ran on: what the scheduler dates its own events by
 * (sched_info.last_arrival), kept fresh by every scheduler event there, and a load where a
 * paravirtual clock read (bpf_ktime_get_ns) costs ~50 ns. 0 where the kernel does not link
 * tasks to run queues (no CONFIG_FAIR_GROUP_SCHED): sleeps then go undated.
 */
static __always_inline __u64 task__rq_clock(struct task_struct *task)
{
	if (!bpf_core_field_exists(task->se.cfs_rq))
		return 0;
	return task->se.cfs_rq->rq->clock;
}

/* task_struct.state was renamed __state in 5.14. */
struct task_struct___old {
	long state;
} __attribute__((preserve_access_index));

/*
 * Every task pointer here is BTF-typed (tp_btf arguments, bpf_get_current_task_btf(), the task
 * iterator), so fields are read with plain loads, relocated by CO-RE: far cheaper than a
 * bpf_probe_read_kernel() call per field (BPF_CORE_READ) on the scheduler's hot path.
 */
static __always_inline __u32 task__state(struct task_struct *task)
{
	if (bpf_core_field_exists(task->__state))
		return task->__state;
	return ((struct task_struct___old *)task)->state;
}

/*
 * When the iterator and a hook create a new thread's storage at the same moment, the loser's
 * create fails although the storage now exists: look again before calling it a drop.
 */
static __always_inline struct task_info *task__info(struct task_struct *task)
{
	struct task_info *info;

	info = bpf_task_storage_get(&task_info, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!info)
		info = bpf_task_storage_get(&task_info, task, 0, 0);
	return info;
}

static __always_inline struct proc_count *proc__count(__u32 tgid)
{
	struct proc_count zero = {}, *count;

	count = bpf_map_lookup_elem(&proc_counts, &tgid);
	if (count)
		return count;
	/* EEXIST means another CPU created it first: the lookup below finds it. */
	bpf_map_update_elem(&proc_counts, &tgid, &zero, BPF_NOEXIST);
	count = bpf_map_lookup_elem(&proc_counts, &tgid);
	if (!count)
		__sync_fetch_and_add(&proc_count_dropped, 1);
	return count;
}

/*
 * The exit of a counted thread could not be accounted (its storage was refused): its process's
 * count stays one too high, and says so.
 */
static __always_inline void task__count_dropped(struct task_struct *task)
{
	struct proc_count *count = proc__count(task->tgid);

	__sync_fetch_and_add(&count_state_dropped, 1);
	if (count)
		__sync_fetch_and_add(&count->dropped, 1);
}

/* Counted at creation by the fork hook, with no per-thread state (see fast_count_since_ns). */
static __always_inline bool task__counted_at_fork(struct task_struct *task)
{
	return task->start_time >= fast_count_since_ns;
}

/*
 * Add a live thread to its process's count unless it already is in it. Seeding (the task
 * iterator) and thread creation race for new threads; the compare-and-swap lets exactly one win.
 * Only for threads the fork hook does not count alone: callers decide that once, as they read
 * fast_count_since_ns.
 * Returns the thread's storage, for callers that go on using it, or NULL when it was refused.
 */
static __always_inline struct task_info *task__count(struct task_struct *task, bool created)
{
	struct proc_count *count;
	struct task_info *info;

	/*
	 * Storage refused (another BPF program holds this CPU's task storage for a moment): the
	 * thread stays uncounted, and if it exits so, it is not taken off either. Seeding passes
	 * again for it; the raw switch hook counts it at its next switch; the fork hook says so.
	 */
	info = task__info(task);
	if (!info) {
		__sync_fetch_and_add(&count_refused, 1);
		return NULL;
	}
	if (__sync_val_compare_and_swap(&info->count_state, TASK_UNCOUNTED, TASK_COUNTED) !=
	    TASK_UNCOUNTED)
		return info;
	count = proc__count(task->tgid);
	if (!count)
		return info;
	__sync_fetch_and_add(&count->threads, 1);
	if (created)
		__sync_fetch_and_add(&count->created, 1);
	return info;
}

/* Saved user registers, in the DWARF numbering userspace unwinds with. */
static __always_inline void regs__copy(__u64 *dst, struct pt_regs *regs)
{
	dst[0] = regs->ax;
	dst[LEAKMON_REG_DX] = regs->dx;
	dst[2] = regs->cx;
	dst[LEAKMON_REG_BX] = regs->bx;
	dst[LEAKMON_REG_SI] = regs->si;
	dst[LEAKMON_REG_DI] = regs->di;
	dst[LEAKMON_REG_BP] = regs->bp;
	dst[LEAKMON_REG_SP] = regs->sp;
	dst[LEAKMON_REG_R8] = regs->r8;
	dst[LEAKMON_REG_R9] = regs->r9;
	dst[LEAKMON_REG_R10] = regs->r10;
	dst[11] = regs->r11;
	dst[12] = regs->r12;
	dst[13] = regs->r13;
	dst[14] = regs->r14;
	dst[15] = regs->r15;
	dst[LEAKMON_REG_IP] = regs->ip;
}

#endif /* SHARED_BPF_H */
