// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The task iterator: one record per user thread, read by userspace for snapshots, with its
 * process's live thread count as the kernel keeps it.
 */
#include "shared.bpf.h"

/* task_struct.cpu moved into thread_info in 5.16. */
struct task_struct___cpu {
	unsigned int cpu;
} __attribute__((preserve_access_index));

static __always_inline __u32 task__cpu(struct task_struct *task)
{
	if (bpf_core_field_exists(task->thread_info.cpu))
		return task->thread_info.cpu;
	return ((struct task_struct___cpu *)task)->cpu;
}

/* x86_64's restart_syscall: a wait stopped and continued resumes through it. */
#define NR_RESTART_SYSCALL 219

static __always_inline void record__regs(struct task_record *rec, struct task_struct *task)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);

	if (!regs)
		return;
	regs__copy(rec->regs, regs);
	rec->syscall_nr = (__s64)regs->orig_ax;
	rec->flags |= LEAKMON_TASK_HAS_REGS;
	/* Rare (only after a stop): what the wait was is in the restart block. */
	if (rec->syscall_nr == NR_RESTART_SYSCALL)
		bpf_core_read(rec->restart_args, sizeof(rec->restart_args),
			      &task->restart_block.futex);
}

/* The file behind the pending syscall's first argument, if it is an open fd. */
static __always_inline void record__file(struct task_record *rec, struct task_struct *task)
{
	struct file **fds, *file = NULL;
	struct fdtable *fdt;
	struct inode *inode;
	__u64 fd = rec->regs[LEAKMON_REG_DI];

	if (!task->files)
		return;
	fdt = task->files->fdt;
	if (!fdt || fd >= fdt->max_fds)
		return;
	fds = fdt->fd;
	/* A variable index into the fd array: from here on, reads go through the helper. */
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]) || !file)
		return;
	inode = BPF_CORE_READ(file, f_inode);
	if (!inode)
		return;
	rec->file_ino = BPF_CORE_READ(inode, i_ino);
	rec->file_mode = BPF_CORE_READ(inode, i_mode);
	rec->flags |= LEAKMON_TASK_HAS_FILE;
}

/*
 * The number a pid has in the namespace at level, if that is ns: a pid is numbered in its own
 * namespace and every one above it.
 */
static __always_inline bool pid__nr_in(struct pid *pid, unsigned int level,
				       struct pid_namespace *ns, __u32 *nr)
{
	struct upid upid;

	if (!pid || BPF_CORE_READ(pid, level) < level ||
	    bpf_core_read(&upid, sizeof(upid), &pid->numbers[level]) || upid.ns != ns)
		return false;
	*nr = upid.nr;
	return true;
}

#define SCHED_NORMAL 0
#define SCHED_BATCH 3
#define SCHED_IDLE 5

/*
 * CLOCK_MONOTONIC minus the run-queue clock, sampled once per pass on the reader's CPU, whose
 * clock userspace has just refreshed by yielding. The scheduler clock runs alike on every CPU
 * where it is stable (every x86 with an invariant TSC, and VMs). 0: no clock to sample.
 */
static __s64 clock_offset_ns;

static __always_inline void clock__sample_offset(void)
{
	__u64 rq_clock = task__rq_clock(bpf_get_current_task_btf());

	clock_offset_ns = rq_clock ? (__s64)(bpf_ktime_get_ns() - rq_clock) : 0;
}

/*
 * Since when an off-CPU thread is off it, in CLOCK_MONOTONIC: the switch hook's stamp where that
 * hook runs and stamped this sleep, else the scheduler's own record: its last arrival on a CPU
 * plus how long it then ran, within a fraction of a millisecond (DESIGN.md section 4). A stamp
 * older than the last arrival is of an earlier sleep (the hook missed this one). Only the fair
 * class keeps the length of that run; for others (real-time, deadline, sched_ext) the arrival
 * alone is known.
 */
static __always_inline void record__date(struct task_record *rec, struct task_struct *task,
					 struct task_info *info)
{
	__u64 arrival = 0, since;
	__u32 policy;

	if (!clock_offset_ns)
		return;
	if (bpf_core_field_exists(task->sched_info.last_arrival))
		arrival = task->sched_info.last_arrival;
	if (info && info->blocked_since_ns > arrival) {
		since = info->blocked_since_ns;
	} else if (arrival) {
		since = arrival;
		policy = task->policy;
		if (policy == SCHED_NORMAL || policy == SCHED_BATCH || policy == SCHED_IDLE)
			since += task->se.sum_exec_runtime - task->se.prev_sum_exec_runtime;
		else
			rec->flags |= LEAKMON_TASK_SINCE_ROUGH;
	} else {
		return;
	}
	rec->blocked_since_ns = since + clock_offset_ns;
}

/* The pass whose first task set the offset and the namespace below. */
static __u64 pass_session;

/* The pid namespace of the process reading the iterator: leakmon's. Found once per pass. */
static unsigned int reader_level;
static struct pid_namespace *reader_ns;

static __always_inline void reader__find_namespace(void)
{
	struct task_struct *me = bpf_get_current_task_btf();

	reader_level = BPF_CORE_READ(me, thread_pid, level);
	if (reader_level > 31 ||
	    bpf_core_read(&reader_ns, sizeof(reader_ns), &me->thread_pid->numbers[reader_level].ns))
		reader_ns = NULL;
}

/*
 * A thread's creator record, after its own, if a way of its bucket is tagged with it. Copied out
 * first: the fork hook may be rewriting the way for a new thread meanwhile (the tag's sequence
 * then moved), and a copy so torn is skipped, never written. x86 keeps loads in order.
 */
static __always_inline void task__write_creator(struct seq_file *seq, struct task_struct *task)
{
	__u32 bucket = task->pid & creator_bucket_mask, zero = 0, slot, before;
	struct creator_tags *tags = bpf_map_lookup_elem(&creator_tags, &bucket);
	struct creator_record *rec, *copy;
	struct creator_tag *tag;
	int way = -1, i;

	if (!tags)
		return;
	for (i = 0; i < LEAKMON_CREATOR_WAYS; i++)
		if (tags->way[i].tid == task->pid)
			way = i;
	if (way < 0)
		return;
	way &= LEAKMON_CREATOR_WAYS - 1;
	tag = &tags->way[way];
	before = tag->seq;
	asm volatile("" ::: "memory");
	if ((before & 1) || tag->tid != task->pid || tag->start_ns != task->start_time)
		return;
	slot = bucket * LEAKMON_CREATOR_WAYS + way;
	rec = bpf_map_lookup_elem(&creators, &slot);
	copy = bpf_map_lookup_elem(&creator_record_buf, &zero);
	if (!rec || !copy || bpf_probe_read_kernel(copy, sizeof(*copy), rec))
		return;
	asm volatile("" ::: "memory");
	if (tag->seq == before)
		bpf_seq_write(seq, copy, sizeof(*copy));
}

/*
 * One thread's record. in_namespace: leakmon runs in a pid namespace of its own, so ids are
 * translated into it and threads outside it skipped. Two programs, one chosen at load, so the
 * initial namespace's pays nothing for it (the translation doubles the verifier's walk).
 */
static __always_inline int task__dump(struct bpf_iter__task *ctx, bool in_namespace)
{
	struct task_struct *task = ctx->task;
	struct task_record *rec;
	__u32 zero = 0, tgid, tid;

	/* Once per pass: seq_num stays 0 while every task so far was skipped. */
	if (ctx->meta->session_id != pass_session) {
		pass_session = ctx->meta->session_id;
		clock__sample_offset();
		if (in_namespace)
			reader__find_namespace();
	}
	if (!task || (task->flags & PF_KTHREAD))
		return 0;
	/* Numbered as leakmon's own namespace numbers them, which its /proc shows. */
	if (!in_namespace) {
		tid = task->pid;
		tgid = task->tgid;
	} else if (!reader_ns || !pid__nr_in(task->thread_pid, reader_level, reader_ns, &tid) ||
		   !pid__nr_in(task->group_leader->thread_pid, reader_level, reader_ns, &tgid)) {
		return 0;
	}
	if (filter_by_tgid && !bpf_map_lookup_elem(&tgid_filter, &tgid))
		return 0;
	rec = bpf_map_lookup_elem(&task_record_buf, &zero);
	if (!rec)
		return 0;
	__builtin_memset(rec, 0, sizeof(*rec));
	rec->type = LEAKMON_RECORD_TASK;
	rec->size = sizeof(*rec);
	rec->tid = tid;
	rec->tgid = tgid;
	rec->state = task__state(task);
	rec->exit_state = task->exit_state;
	rec->cpu = task__cpu(task);
	rec->syscall_nr = -1;
	if (task->on_cpu)
		rec->flags |= LEAKMON_TASK_ON_CPU;
	/* comm is always NUL-terminated within its 16 bytes: plain loads do. */
	__builtin_memcpy(rec->comm, task->comm, sizeof(rec->comm));
	__builtin_memcpy(rec->group_comm, task->group_leader->comm, sizeof(rec->group_comm));
	rec->start_ns = task->start_time;
	rec->group_start_ns = task->group_leader->start_time;
	rec->nvcsw = task->nvcsw;
	rec->nivcsw = task->nivcsw;
	rec->cpu_ns = task->se.sum_exec_runtime;
	rec->group_threads = task->signal->live.counter;
	/* Registers are only stable, and only worth reading, while the thread is off-CPU. */
	if (!(rec->flags & LEAKMON_TASK_ON_CPU)) {
		record__date(rec, task, bpf_task_storage_get(&task_info, task, 0, 0));
		record__regs(rec, task);
		if (rec->syscall_nr >= 0)
			record__file(rec, task);
	}
	bpf_seq_write(ctx->meta->seq, rec, sizeof(*rec));
	task__write_creator(ctx->meta->seq, task);
	return 0;
}

SEC("iter/task")
int dump_task(struct bpf_iter__task *ctx)
{
	return task__dump(ctx, false);
}

SEC("iter/task")
int dump_task_ns(struct bpf_iter__task *ctx)
{
	return task__dump(ctx, true);
}
