// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "snapshot.h"

struct record_list {
	struct task_record *recs;
	size_t n, cap;
	struct creator_record **creators;
	size_t n_creators, cap_creators;
};

static int record_list__add(const struct task_record *rec, void *ctx)
{
	struct record_list *list = ctx;
	struct task_record *grown;

	if (list->n == list->cap) {
		list->cap = list->cap ? list->cap * 2 : 1024;
		grown = realloc(list->recs, list->cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		list->recs = grown;
	}
	list->recs[list->n++] = *rec;
	return 0;
}

static int record_list__add_creator(const struct creator_record *rec, void *ctx)
{
	struct record_list *list = ctx;
	struct creator_record **grown, *copy;

	if (list->n_creators == list->cap_creators) {
		list->cap_creators = list->cap_creators ? list->cap_creators * 2 : 64;
		grown = realloc(list->creators, list->cap_creators * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		list->creators = grown;
	}
	copy = malloc(sizeof(*copy));
	if (!copy)
		return -ENOMEM;
	*copy = *rec;
	/* It describes the thread just before it, whose ids are the ones leakmon sees. */
	if (list->n) {
		copy->tgid = list->recs[list->n - 1].tgid;
		copy->tid = list->recs[list->n - 1].tid;
	}
	list->creators[list->n_creators++] = copy;
	return 0;
}

/* Hand each creator record to its thread; records of threads not listed are dropped. */
static void snapshot__attach_creators(struct snapshot *s, struct record_list *list)
{
	for (size_t i = 0; i < list->n_creators; i++) {
		struct creator_record *c = list->creators[i];
		struct thread_snap *th = snapshot__find_thread(s, c->tgid, c->tid);

		if (th && !th->creator) {
			th->creator = c;
			list->creators[i] = NULL;
		}
	}
}

static int record__cmp(const void *a, const void *b)
{
	const struct task_record *x = a, *y = b;

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
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
}

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

static int snapshot__build(struct snapshot *s, const struct record_list *list)
{
	size_t i = 0, j;

	s->procs = calloc(list->n ? list->n : 1, sizeof(*s->procs));
	if (!s->procs)
		return -ENOMEM;
	while (i < list->n) {
		struct proc_snap *p = &s->procs[s->n_procs++];

		for (j = i; j < list->n && list->recs[j].tgid == list->recs[i].tgid; j++)
			;
		p->pid = list->recs[i].tgid;
		p->start_ns = list->recs[i].group_start_ns;
		memcpy(p->comm, list->recs[i].group_comm, LEAKMON_COMM_LEN);
		p->threads = calloc(j - i, sizeof(*p->threads));
		if (!p->threads)
			return -ENOMEM;
		for (; i < j; i++) {
			struct thread_snap *th = &p->threads[p->n_threads++];

			thread__fill(th, &list->recs[i]);
			thread__date_wait(th, s);
			p->n_blocked += th->wait.blocked;
		}
		/* Read last, so nearest to the end of the pass. */
		p->thread_count = list->recs[i - 1].group_threads;
		s->n_threads += p->n_threads;
		s->n_blocked += p->n_blocked;
	}
	return 0;
}

int snapshot__take(struct tracker *t, struct snapshot **out)
{
	struct record_list list = {};
	struct snapshot *s;
	int err;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	/* One moment for the time printed and for every thread's time asleep. */
	clock_gettime(CLOCK_REALTIME, &s->wall);
	s->mono_ns = clock__mono_ns();
	err = tracker__for_each_record(t, record_list__add, record_list__add_creator, &list);
	if (err)
		goto cleanup;
	if (list.n)
		qsort(list.recs, list.n, sizeof(*list.recs), record__cmp);
	err = snapshot__build(s, &list);
	if (err)
		goto cleanup;
	snapshot__attach_creators(s, &list);
	tracker__drops(t, &s->drops);
	*out = s;
	s = NULL;
cleanup:
	free(list.recs);
	for (size_t i = 0; i < list.n_creators; i++)
		free(list.creators[i]);
	free(list.creators);
	snapshot__free(s);
	return err;
}

void snapshot__free(struct snapshot *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_procs; i++) {
		for (size_t j = 0; j < s->procs[i].n_threads; j++) {
			stack__free(&s->procs[i].threads[j].stack);
			stack__free(&s->procs[i].threads[j].creator_stack);
			free(s->procs[i].threads[j].creator);
		}
		free(s->procs[i].threads);
	}
	free(s->procs);
	strpool__free(s->strings);
	free(s);
}
