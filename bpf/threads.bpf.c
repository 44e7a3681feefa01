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

extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym __weak;
extern void bpf_task_release(struct task_struct *p) __ksym __weak;

/* Whether the thread a way is tagged with still lives: its tid names a thread started then. */
static __always_inline bool creator_tag__holder_lives(const struct creator_tag *tag)
{
	struct task_struct *holder = bpf_task_from_pid(tag->tid);
	bool lives;

	if (!holder)
		return false;
	lives = holder->start_time == tag->start_ns;
	bpf_task_release(holder);
	return lives;
}

/*
 * The way of a bucket the new thread's record goes to: one never used, or its own tid's (a
 * thread of that tid is gone); else one whose thread is gone, where that can be told
 * (holder_known), or the oldest, where not. -1: every way's thread lives, the new thread goes
 * without.
 */
static __always_inline int creator_tags__pick(const struct creator_tags *tags, __u32 tid,
					      bool holder_known)
{
	int i, oldest = 0;

	for (i = 0; i < LEAKMON_CREATOR_WAYS; i++) {
		if (!tags->way[i].tid || tags->way[i].tid == tid)
			return i;
		if (tags->way[i].start_ns < tags->way[oldest].start_ns)
			oldest = i;
	}
	if (!holder_known)
		return oldest;
	for (i = 0; i < LEAKMON_CREATOR_WAYS; i++)
		if (!creator_tag__holder_lives(&tags->way[i]))
			return i;
	return -1;
}

/*
 * The creator's tid as leakmon's pid namespace numbers it, as its /proc and the task records do:
 * the fork hook runs in the creator. One outside that namespace has children the iterator skips,
 * so 0 will do. On the host, pid_ns_ino is a constant 0 the verifier prunes the call on.
 */
static __always_inline __u32 creator__tid(struct task_struct *parent)
{
	struct bpf_pidns_info ids;

	if (!pid_ns_ino)
		return parent->pid;
	if (bpf_get_ns_current_pid_tgid(pid_ns_dev, pid_ns_ino, &ids, sizeof(ids)))
		return 0;
	return ids.pid;
}

/*
 * Copy the creator's user registers and the top of its stack, parked in clone(), into a way for
 * the new thread: userspace unwinds it later into "created by". A read that crosses into an
 * unmapped page fails whole, so smaller tops are tried. The way is claimed by making its tag's
 * sequence odd (one writer at a time) and released even: a reader that saw it move while
 * copying throws its copy away.
 */
static __always_inline void creator__remember(struct task_struct *parent, struct task_struct *child,
					      bool holder_known)
{
	__u32 bucket = child->pid & creator_bucket_mask, tgid = child->tgid, slot, seq;
	struct creator_record *rec;
	struct creator_tags *tags;
	struct creator_tag *tag;
	struct pt_regs *regs;
	int way;

	/* The tables are shared by every process: only the watched processes' threads take ways. */
	if (filter_creators_by_tgid && !bpf_map_lookup_elem(&tgid_filter, &tgid))
		return;
	tags = bpf_map_lookup_elem(&creator_tags, &bucket);
	regs = (struct pt_regs *)bpf_task_pt_regs(parent);
	if (!tags || !regs)
		goto dropped;
	way = creator_tags__pick(tags, child->pid, holder_known);
	if (way < 0)
		goto dropped;
	way &= LEAKMON_CREATOR_WAYS - 1;
	slot = bucket * LEAKMON_CREATOR_WAYS + way;
	rec = bpf_map_lookup_elem(&creators, &slot);
	tag = &tags->way[way];
	seq = tag->seq;
	if (!rec || (seq & 1) || __sync_val_compare_and_swap(&tag->seq, seq, seq + 1) != seq)
		goto dropped;
	tag->tid = child->pid;
	tag->start_ns = child->start_time;
	rec->type = LEAKMON_RECORD_CREATOR;
	rec->size = sizeof(*rec);
	rec->tid = child->pid;
	rec->creator_tid = creator__tid(parent);
	rec->tgid = tgid;
	regs__copy(rec->regs, regs);
	if (!bpf_probe_read_user(rec->stack, LEAKMON_CREATOR_STACK, (void *)regs->sp)) {
		rec->stack_len = LEAKMON_CREATOR_STACK;
	} else if (!bpf_probe_read_user(rec->stack, LEAKMON_CREATOR_STACK / 2, (void *)regs->sp)) {
		rec->stack_len = LEAKMON_CREATOR_STACK / 2;
	} else { /* the registers alone still name the caller of clone */
		rec->stack_len = 0;
		__sync_fetch_and_add(&creator_dropped, 1);
	}
	/* x86 keeps stores in order: the record is whole before the sequence says so. */
	asm volatile("" ::: "memory");
	tag->seq = seq + 2;
	return;
dropped:
	__sync_fetch_and_add(&creator_dropped, 1);
}

/*
 * Functions of their own, one per variant: the registers they need are then saved only when
 * they run, not at every creation.
 */
static __noinline void thread__remember_creator(struct task_struct *parent,
						struct task_struct *child)
{
	creator__remember(parent, child, true);
}

static __noinline void thread__remember_creator_newest(struct task_struct *parent,
						       struct task_struct *child)
{
	creator__remember(parent, child, false);
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
	__u32 slot = tgid & LEAKMON_PROC_HIGH_SLOT_MASK;
	struct proc_high *high = bpf_map_lookup_elem(&proc_highs, &slot);
	struct signal_struct *signal;
	__u32 tag;
	__s32 live;

	if (!high)
		return false;
	/* A process whose count rises: userspace asked for every creation's creator. */
	if (high->threads == LEAKMON_EVERY_CREATION)
		return true;
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

/*
 * Whether a creation's creator is worth keeping: a thread's (a new process's creator is its
 * parent's fork, not a thread site) that raised its process to a new high.
 */
static __always_inline bool thread__creator_wanted(__u64 *ctx)
{
	__u32 tgid = FORK_CHILD(ctx)->tgid;

	return tgid == FORK_PARENT(ctx)->tgid && thread__new_high(ctx, tgid);
}

/*
 * Two variants, one loaded: where the kernel has bpf_task_from_pid() (6.2), a slot's live holder
 * keeps it; before, the newest creation takes it.
 */
SEC("tp_btf/sched_process_fork")
int thread_created_btf(__u64 *ctx)
{
	if (thread__creator_wanted(ctx))
		thread__remember_creator(FORK_PARENT(ctx), FORK_CHILD(ctx));
	return 0;
}

SEC("tp_btf/sched_process_fork")
int thread_created_btf_newest(__u64 *ctx)
{
	if (thread__creator_wanted(ctx))
		thread__remember_creator_newest(FORK_PARENT(ctx), FORK_CHILD(ctx));
	return 0;
}
