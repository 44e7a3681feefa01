// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/snapshot.h"
#include "util/clock.h"
#include "util/log.h"

static void thread__fill(struct thread_snap *th, const struct task_record *rec)
{
	th->rec = *rec;
	th->tid = rec->tid;
	memcpy(th->comm, rec->comm, LEAKMON_COMM_LEN);
	th->comm[LEAKMON_COMM_LEN] = '\0';
	th->state = wait__state_name(rec);
	th->syscall_nr = (rec->flags & LEAKMON_TASK_HAS_REGS) ? wait__syscall(rec) : -1;
	wait__classify(rec, &th->wait);
}

/* A thread's place in the snapshot: by process, then thread. */
struct thread_key {
	uint64_t ids; /* tgid << 32 | tid */
	size_t idx;   /* in the snapshot's threads */
};

static int thread_key__cmp(const void *a, const void *b)
{
	const struct thread_key *x = a, *y = b;

	return x->ids < y->ids ? -1 : x->ids > y->ids;
}

/* Room for cap threads, kept for the snapshots refilled in this memory. */
static int snapshot__reserve(struct snapshot *s, size_t cap)
{
	struct thread_snap *threads;
	struct thread_key *keys;

	threads = realloc(s->threads, cap * sizeof(*threads));
	if (threads)
		s->threads = threads;
	keys = realloc(s->keys, cap * sizeof(*keys));
	if (keys)
		s->keys = keys;
	if (!threads || !keys)
		return -ENOMEM;
	s->cap = cap;
	return 0;
}

/*
 * The machine's threads now, from the kernel's count in /proc/loadavg; 0 if unknown. A first
 * read sized by it grows no array by doubling, which left each smaller copy behind in the heap
 * (at 100,000 threads ~60 MiB of them).
 */
static size_t snapshot__machine_threads(void)
{
	unsigned long running, total;
	FILE *f = fopen("/proc/loadavg", "re");
	int n;

	if (!f)
		return 0;
	n = fscanf(f, "%*s %*s %*s %lu/%lu", &running, &total);
	fclose(f);
	return n == 2 ? total : 0;
}

static int snapshot__add_thread(const struct task_record *rec, void *ctx)
{
	struct snapshot *s = ctx;
	int err;

	if (s->n_threads == s->cap) {
		err = snapshot__reserve(s, s->cap ? s->cap * 2 : 1024);
		if (err)
			return err;
	}
	s->keys[s->n_threads] =
		(struct thread_key){ (uint64_t)rec->tgid << 32 | rec->tid, s->n_threads };
	memset(&s->threads[s->n_threads], 0, sizeof(*s->threads));
	thread__fill(&s->threads[s->n_threads++], rec);
	return 0;
}

/* A creator record describes the thread read just before it, whose ids are leakmon's. */
static int snapshot__add_creator(const struct creator_record *rec, void *ctx)
{
	struct snapshot *s = ctx;
	struct thread_snap *th = s->n_threads ? &s->threads[s->n_threads - 1] : NULL;

	if (!th || th->creator)
		return 0;
	th->creator = malloc(sizeof(*th->creator));
	if (!th->creator)
		return -ENOMEM;
	*th->creator = *rec;
	th->creator->tgid = th->rec.tgid;
	th->creator->tid = th->rec.tid;
	return 0;
}

/*
 * How long a blocked thread has slept, from when it last left a CPU (dated by the task
 * iterator), against the moment the snapshot was taken.
 */
static void thread__date_wait(struct thread_snap *th, const struct snapshot *s)
{
	uint64_t since = th->rec.blocked_since_ns;

	if (!th->wait.blocked || !since)
		return;
	th->estimated = th->rec.flags & LEAKMON_TASK_SINCE_ROUGH;
	th->has_blocked_ns = true;
	th->blocked_ns = s->mono_ns > since ? s->mono_ns - since : 0;
	th->sleep_ns = th->blocked_ns;
}

void snapshot__refresh_thread(struct snapshot *s, struct thread_snap *th,
			      const struct task_record *rec)
{
	bool was_blocked = th->wait.blocked;
	struct process_snap *p;

	stack__free(&th->stack);
	th->reason = NULL;
	th->glibc_lock = false;
	th->start_routine = NULL;
	th->runtime_name = NULL;
	th->runtime_owner = 0;
	th->gil_held = 0;
	th->gil_waiters = 0;
	th->runtime_since_ns = 0;
	th->has_blocked_ns = false;
	th->estimated = false;
	th->blocked_ns = 0;
	th->sleep_ns = 0;
	thread__fill(th, rec);
	thread__date_wait(th, s);
	if (th->wait.blocked != was_blocked && (p = snapshot__find_process(s, rec->tgid))) {
		p->n_blocked += th->wait.blocked ? 1 : -1;
		s->n_blocked += th->wait.blocked ? 1 : -1;
	}
}

bool snapshot__thread_listed(const struct thread_snap *th, uint64_t min_blocked_ns)
{
	if (!min_blocked_ns)
		return true;
	return th->wait.blocked && th->has_blocked_ns && th->blocked_ns >= min_blocked_ns;
}

static int process__cmp_pid(const void *key, const void *elem)
{
	uint32_t pid = *(const uint32_t *)key;
	const struct process_snap *p = elem;

	return pid < p->pid ? -1 : pid > p->pid;
}

static int thread__cmp_tid(const void *key, const void *elem)
{
	uint32_t tid = *(const uint32_t *)key;
	const struct thread_snap *th = *(struct thread_snap *const *)elem;

	return tid < th->tid ? -1 : tid > th->tid;
}

/* bsearch() may not be given an array of none: an empty snapshot has no array at all. */
struct process_snap *snapshot__find_process(struct snapshot *s, uint32_t pid)
{
	return s->n_processes ? bsearch(&pid, s->processes, s->n_processes, sizeof(*s->processes),
					process__cmp_pid)
			      : NULL;
}

struct thread_snap *process__find_thread(const struct process_snap *p, uint32_t tid)
{
	struct thread_snap **th =
		bsearch(&tid, p->threads, p->n_threads, sizeof(*p->threads), thread__cmp_tid);

	return th ? *th : NULL;
}

struct thread_snap *snapshot__find_thread(struct snapshot *s, uint32_t tgid, uint32_t tid)
{
	struct process_snap *p = snapshot__find_process(s, tgid);

	return p ? process__find_thread(p, tid) : NULL;
}

/*
 * The threads in order, and the processes, each a run of them. The threads stay where they
 * were read: at ~500 bytes each, moving them cost more than the rest of the tick.
 */
static int snapshot__build(struct snapshot *s)
{
	struct thread_snap **sorted;
	struct process_snap *processes;
	size_t i = 0, j;

	if (s->n_threads > s->sorted_cap) {
		sorted = realloc(s->sorted, s->n_threads * sizeof(*sorted));
		if (sorted)
			s->sorted = sorted;
		processes = realloc(s->processes, s->n_threads * sizeof(*processes));
		if (processes)
			s->processes = processes;
		if (!sorted || !processes)
			return -ENOMEM;
		s->sorted_cap = s->n_threads;
	}
	qsort(s->keys, s->n_threads, sizeof(*s->keys), thread_key__cmp);
	for (i = 0; i < s->n_threads; i++)
		s->sorted[i] = &s->threads[s->keys[i].idx];
	i = 0;
	while (i < s->n_threads) {
		const struct task_record *first = &s->sorted[i]->rec;
		struct process_snap *p = &s->processes[s->n_processes++];

		for (j = i; j < s->n_threads && s->sorted[j]->rec.tgid == first->tgid; j++)
			;
		*p = (struct process_snap){
			.pid = first->tgid,
			.start_ns = first->group_start_ns,
			.threads = &s->sorted[i],
			.n_threads = j - i,
			/* Read last, so nearest to the end of the pass. */
			.thread_count = s->sorted[j - 1]->rec.group_threads,
		};
		memcpy(p->comm, first->group_comm, LEAKMON_COMM_LEN);
		for (; i < j; i++) {
			thread__date_wait(s->sorted[i], s);
			p->n_blocked += s->sorted[i]->wait.blocked;
		}
		s->n_blocked += p->n_blocked;
	}
	return 0;
}

/* What the last snapshot read goes; the memory it was read into stays for the next. */
static void snapshot__clear(struct snapshot *s)
{
	for (size_t i = 0; i < s->n_threads; i++) {
		stack__free(&s->threads[i].stack);
		stack__free(&s->threads[i].creator_stack);
		free(s->threads[i].creator);
	}
	strpool__free(s->strings);
	s->strings = NULL;
	s->n_threads = s->n_processes = s->n_blocked = 0;
	s->drops = (struct tracker_drops){};
}

int snapshot__take(struct tracker *t, struct snapshot **out)
{
	struct snapshot *s = *out;
	size_t expected;
	int err;

	if (s)
		snapshot__clear(s);
	else
		s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	/*
	 * Sized for a first read only; later ones have the memory of the last. The margin is for
	 * threads started while it reads.
	 */
	expected = s->cap ? 0 : snapshot__machine_threads();
	if (expected && snapshot__reserve(s, expected + expected / 8 + 64))
		log_debug("sizing the snapshot for %zu threads failed: growing as it reads",
			  expected);
	/* One moment for the time printed and for every thread's time asleep. */
	clock_gettime(CLOCK_REALTIME, &s->wall);
	s->mono_ns = clock__mono_ns();
	err = tracker__for_each_record(t, snapshot__add_thread, snapshot__add_creator, s);
	if (!err)
		err = snapshot__build(s);
	if (err) {
		if (*out)
			snapshot__clear(s);
		else
			snapshot__free(s);
		return err;
	}
	tracker__drops(t, &s->drops);
	*out = s;
	return 0;
}

void snapshot__free(struct snapshot *s)
{
	if (!s)
		return;
	snapshot__clear(s);
	free(s->threads);
	free(s->keys);
	free(s->sorted);
	free(s->processes);
	free(s);
}

bool thread__joins(const struct thread_snap *th)
{
	return th->reason && !strcmp(th->reason, "join");
}
