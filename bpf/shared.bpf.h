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

#define PF_KTHREAD 0x00200000
#define TASK_INTERRUPTIBLE 0x0001
#define TASK_UNINTERRUPTIBLE 0x0002

struct task_info {
	__u64 blocked_since_ns; /* run-queue clock at its last sleeping switch-out, if hooked */
};

struct task_info_map {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_info);
};

/*
 * Where threads that raised their process to a new high were created: two tables made once. A
 * thread's bucket is picked by tid (tid & creator_bucket_mask); the tags of its
 * LEAKMON_CREATOR_WAYS ways share a cache line of a small table, which the iterator reads for
 * every thread at every pass, and only a tag that matches leads to a record in the large one.
 * Task storage allocated a record at each such creation, 3.5 of the 4 us the fork hook then took
 * here, and held one per leaked thread without bound (BENCHMARKS.md).
 */
struct creator_tag {
	__u32 seq;	/* odd while the fork hook fills the way's record: readers skip it */
	__u32 tid;	/* the thread created (initial namespace); 0: the way was never used */
	__u64 start_ns; /* its start time: tells its tid reused */
};

struct creator_tags {
	struct creator_tag way[LEAKMON_CREATOR_WAYS];
};

struct creator_tags_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* sized by userspace: a bucket each */
	__type(key, __u32);
	__type(value, struct creator_tags);
};

/* The record of way w of bucket b is at b * LEAKMON_CREATOR_WAYS + w. */
struct creators_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* sized by userspace */
	__type(key, __u32);
	__type(value, struct creator_record);
};

/*
 * Slot = pid & LEAKMON_PROC_HIGH_SLOT_MASK (leakmon.h), a constant: a knob in the global-data
 * maps (.rodata, .bss: mmapable, vmalloc'd) costs the fork hook a load that took ~10 ns per run
 * here, as much as the rest of its work (BENCHMARKS.md). Userspace sizes the map to pid_max where
 * that is smaller; pids are below it, so their slots are too.
 */
struct proc_highs_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LEAKMON_PROC_HIGH_SLOT_MASK + 1);
	__type(key, __u32);
	__type(value, struct proc_high);
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

struct creator_record_buf_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct creator_record);
};

/* Written by userspace when it pins the maps for snapshots to share; no program uses it. */
struct owner_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct owner_record);
};

extern struct task_info_map task_info SEC(".maps");
extern struct creator_tags_map creator_tags SEC(".maps");
extern struct creators_map creators SEC(".maps");
extern struct proc_highs_map proc_highs SEC(".maps");
extern struct tgid_filter_map tgid_filter SEC(".maps");
extern struct task_record_buf_map task_record_buf SEC(".maps");
extern struct creator_record_buf_map creator_record_buf SEC(".maps");

/* Set by userspace between open and load. */
extern const volatile __u32 filter_by_tgid;
/* The same filter for the fork hook, whose tgids are the initial namespace's: off in another. */
extern const volatile __u32 filter_creators_by_tgid;
extern const volatile __u32 creator_bucket_mask; /* buckets in the creators table - 1: 2^n - 1 */
/* Leakmon's pid namespace (/proc/self/ns/pid), if not the initial one: creators' tids are its. */
extern const volatile __u64 pid_ns_dev;
extern const volatile __u64 pid_ns_ino;

/*
 * Failures the programs could not avoid, read and reported by userspace. Task storage fails
 * when another program on the same CPU holds its lock (the iterator, if preempted there).
 */
extern __u64 blocked_state_dropped; /* a sleep went unrecorded: dated by the scheduler instead */
extern __u64 creator_dropped; /* a creator's stack could not be copied, or its slot was taken */

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
