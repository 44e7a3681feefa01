// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "snapshot.h"

static void thread__fill(struct thread_snap *th, const struct task_record *rec)
{
	th->rec = *rec;
	th->tid = rec->tid;
	memcpy(th->comm, rec->comm, LEAKMON_COMM_LEN);
	th->comm[LEAKMON_COMM_LEN] = '\0';
	th->state = wait__state_name(rec);
	th->syscall_nr = (rec->flags & LEAKMON_TASK_HAS_REGS) ? rec->syscall_nr : -1;
	wait__classify(rec, &th->wait);
}

/* A thread's place in the snapshot: by process, then thread. */
struct thread_key {
	uint64_t ids; /* tgid << 32 | tid */
	size_t idx;   /* in the thread list */
};

static int thread_key__cmp(const void *a, const void *b)
{
	const struct thread_key *x = a, *y = b;

	return x->ids < y->ids ? -1 : x->ids > y->ids;
}

/* Threads in the order the iterator read them, until thread_list__sort(). */
struct thread_list {
	struct thread_snap *threads;
	struct thread_key *keys; /* keys[i] is threads[i]'s, written while its record is at hand */
	size_t n, cap;
};

static int thread_list__add(const struct task_record *rec, void *ctx)
{
	struct thread_list *list = ctx;
	struct thread_snap *grown;
	struct thread_key *grown_keys;

	if (list->n == list->cap) {
		list->cap = list->cap ? list->cap * 2 : 1024;
		grown = realloc(list->threads, list->cap * sizeof(*grown));
		if (grown)
			list->threads = grown;
		grown_keys = realloc(list->keys, list->cap * sizeof(*grown_keys));
		if (grown_keys)
			list->keys = grown_keys;
		if (!grown || !grown_keys)
			return -ENOMEM;
	}
	list->keys[list->n] = (struct thread_key){ (uint64_t)rec->tgid << 32 | rec->tid, list->n };
	memset(&list->threads[list->n], 0, sizeof(*list->threads));
	thread__fill(&list->threads[list->n++], rec);
	return 0;
}

/* A creator record describes the thread read just before it, whose ids are leakmon's. */
static int thread_list__add_creator(const struct creator_record *rec, void *ctx)
{
	struct thread_list *list = ctx;
	struct thread_snap *th = list->n ? &list->threads[list->n - 1] : NULL;

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

/* What a failed snapshot read; a built one owns the threads instead. */
static void thread_list__free(struct thread_list *list)
{
	for (size_t i = 0; list->threads && i < list->n; i++)
		free(list->threads[i].creator);
	free(list->threads);
	free(list->keys);
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
}

void snapshot__refresh_thread(const struct snapshot *s, struct thread_snap *th,
			      const struct task_record *rec)
{
	stack__free(&th->stack);
	th->reason = NULL;
	th->start_routine = NULL;
	th->has_blocked_ns = false;
	th->estimated = false;
	th->blocked_ns = 0;
	thread__fill(th, rec);
	thread__date_wait(th, s);
}

bool snapshot__thread_listed(const struct thread_snap *th, uint64_t min_blocked_ns)
{
	if (!min_blocked_ns)
		return true;
	return th->wait.blocked && th->has_blocked_ns && th->blocked_ns >= min_blocked_ns;
}

static int proc__cmp_pid(const void *key, const void *elem)
{
	uint32_t pid = *(const uint32_t *)key;
	const struct proc_snap *p = elem;

	return pid < p->pid ? -1 : pid > p->pid;
}

static int thread__cmp_tid(const void *key, const void *elem)
{
	uint32_t tid = *(const uint32_t *)key;
	const struct thread_snap *th = elem;

	return tid < th->tid ? -1 : tid > th->tid;
}

struct proc_snap *snapshot__find_process(struct snapshot *s, uint32_t pid)
{
	return bsearch(&pid, s->procs, s->n_procs, sizeof(*s->procs), proc__cmp_pid);
}

struct thread_snap *snapshot__find_thread(struct snapshot *s, uint32_t tgid, uint32_t tid)
{
	struct proc_snap *p = snapshot__find_process(s, tgid);

	if (!p)
		return NULL;
	return bsearch(&tid, p->threads, p->n_threads, sizeof(*p->threads), thread__cmp_tid);
}

/*
 * Put the list's threads in order where they are: the keys are sorted, then each ~500-byte
 * thread moves at most once, along its cycle of the permutation; no second array to fault in.
 */
static void thread_list__sort(struct thread_list *list)
{
	struct thread_key *keys = list->keys;
	struct thread_snap moving;

	qsort(keys, list->n, sizeof(*keys), thread_key__cmp);
	/* threads[i] is to become threads[keys[i].idx]; a key pointing at itself is done. */
	for (size_t i = 0; i < list->n; i++) {
		size_t j = i;

		if (keys[i].idx == i)
			continue;
		moving = list->threads[i];
		while (keys[j].idx != i) {
			size_t from = keys[j].idx;

			list->threads[j] = list->threads[from];
			keys[j].idx = j;
			j = from;
		}
		list->threads[j] = moving;
		keys[j].idx = j;
	}
}

/* The processes, each a run of the sorted threads. */
static int snapshot__build(struct snapshot *s, struct thread_list *list)
{
	size_t i = 0, j;

	s->threads = list->threads;
	s->n_threads = list->n;
	list->threads = NULL;
	s->procs = calloc(s->n_threads ? s->n_threads : 1, sizeof(*s->procs));
	if (!s->procs)
		return -ENOMEM;
	while (i < s->n_threads) {
		const struct task_record *first = &s->threads[i].rec;
		struct proc_snap *p = &s->procs[s->n_procs++];

		for (j = i; j < s->n_threads && s->threads[j].rec.tgid == first->tgid; j++)
			;
		p->pid = first->tgid;
		p->start_ns = first->group_start_ns;
		memcpy(p->comm, first->group_comm, LEAKMON_COMM_LEN);
		p->threads = &s->threads[i];
		p->n_threads = j - i;
		for (; i < j; i++) {
			thread__date_wait(&s->threads[i], s);
			p->n_blocked += s->threads[i].wait.blocked;
		}
		/* Read last, so nearest to the end of the pass. */
		p->thread_count = s->threads[j - 1].rec.group_threads;
		s->n_blocked += p->n_blocked;
	}
	return 0;
}

int snapshot__take(struct tracker *t, struct snapshot **out)
{
	struct thread_list list = {};
	struct snapshot *s;
	int err;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	/* One moment for the time printed and for every thread's time asleep. */
	clock_gettime(CLOCK_REALTIME, &s->wall);
	s->mono_ns = clock__mono_ns();
	err = tracker__for_each_record(t, thread_list__add, thread_list__add_creator, &list);
	if (err)
		goto cleanup;
	thread_list__sort(&list);
	err = snapshot__build(s, &list);
	if (err)
		goto cleanup;
	tracker__drops(t, &s->drops);
	*out = s;
	s = NULL;
cleanup:
	thread_list__free(&list);
	snapshot__free(s);
	return err;
}

void snapshot__free(struct snapshot *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_threads; i++) {
		stack__free(&s->threads[i].stack);
		stack__free(&s->threads[i].creator_stack);
		free(s->threads[i].creator);
	}
	free(s->threads);
	free(s->procs);
	strpool__free(s->strings);
	free(s);
}
