// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "output/groups.h"

const char *thread__label(const struct thread_snap *th)
{
	return th->reason ? th->reason : th->wait.kind;
}

static uint64_t thread__creation_pc(const struct thread_snap *th)
{
	return th->created_by ? th->created_by->pc : 0;
}

static int thread__tid_cmp(const void *a, const void *b)
{
	const struct thread_snap *x = *(const struct thread_snap *const *)a;
	const struct thread_snap *y = *(const struct thread_snap *const *)b;

	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

/* Waiting for work on an object: with others started alike, maybe one of an idle pool. */
static bool thread__poolable(const struct thread_snap *th)
{
	return *th->wait.object && wait__idle(thread__label(th));
}

/*
 * For two threads of one wait reason: the order of the pools they would be in (an idle
 * reason's object, then start routine), else 0. A pool's threads are together, whatever their
 * stacks. The reason is the same, so whether it is idle is asked once.
 */
static int thread__pool_cmp(const struct thread_snap *x, const struct thread_snap *y)
{
	int c;

	if (!wait__idle(thread__label(x)))
		return 0;
	if (!*x->wait.object != !*y->wait.object)
		return *x->wait.object ? -1 : 1;
	if (!*x->wait.object)
		return 0;
	c = strcmp(x->wait.object, y->wait.object);
	if (c || x->start_routine == y->start_routine)
		return c;
	if (!x->start_routine || !y->start_routine)
		return x->start_routine ? 1 : -1;
	return strcmp(x->start_routine, y->start_routine);
}

/* The order that puts each idle pool's threads together, by tid within it. */
static int thread__pool_order_cmp(const void *a, const void *b)
{
	const struct thread_snap *x = *(const struct thread_snap *const *)a;
	const struct thread_snap *y = *(const struct thread_snap *const *)b;
	int c = strcmp(thread__label(x), thread__label(y));

	if (!c)
		c = thread__pool_cmp(x, y);
	return c ? c : thread__tid_cmp(a, b);
}

/* The order that puts each group's threads together: reason, stack, creation site, tid. */
static int thread__group_cmp(const void *a, const void *b)
{
	const struct thread_snap *x = *(const struct thread_snap *const *)a;
	const struct thread_snap *y = *(const struct thread_snap *const *)b;
	int c = strcmp(thread__label(x), thread__label(y));

	if (c)
		return c;
	if (x->stack.n != y->stack.n)
		return x->stack.n < y->stack.n ? -1 : 1;
	for (size_t i = 0; i < x->stack.n; i++)
		if (x->stack.frames[i].pc != y->stack.frames[i].pc)
			return x->stack.frames[i].pc < y->stack.frames[i].pc ? -1 : 1;
	if (thread__creation_pc(x) != thread__creation_pc(y))
		return thread__creation_pc(x) < thread__creation_pc(y) ? -1 : 1;
	return thread__tid_cmp(a, b);
}

static bool thread__same_group(const struct thread_snap *x, const struct thread_snap *y)
{
	if (strcmp(thread__label(x), thread__label(y)) || x->stack.n != y->stack.n)
		return false;
	for (size_t i = 0; i < x->stack.n; i++)
		if (x->stack.frames[i].pc != y->stack.frames[i].pc)
			return false;
	return thread__creation_pc(x) == thread__creation_pc(y);
}

static int group__cmp(const void *a, const void *b)
{
	const struct wait_group *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	if (x->max_ns != y->max_ns)
		return x->max_ns > y->max_ns ? -1 : 1;
	return strcmp(x->reason, y->reason);
}

static void group__add(struct wait_group *g, const struct thread_snap *th)
{
	g->n++;
	g->estimated |= th->estimated;
	g->unknown_duration |= !th->has_blocked_ns;
	if (th->has_blocked_ns) {
		g->min_ns = th->blocked_ns < g->min_ns ? th->blocked_ns : g->min_ns;
		g->max_ns = th->blocked_ns > g->max_ns ? th->blocked_ns : g->max_ns;
	}
	g->same_object &= !strcmp(g->members[0]->wait.object, th->wait.object);
}

bool group__idle_pool(const struct wait_group *g)
{
	return g->n >= IDLE_POOL_MIN && g->same_object && *g->members[0]->wait.object &&
	       wait__idle(g->reason);
}

/* How many threads from slots[i] on would be one idle pool: 0 when too few for one. */
static size_t groups__pool_run(const struct thread_snap **slots, size_t n, size_t i)
{
	size_t end = i + 1;

	if (!thread__poolable(slots[i]))
		return 0;
	while (end < n && !strcmp(thread__label(slots[i]), thread__label(slots[end])) &&
	       !thread__pool_cmp(slots[i], slots[end]))
		end++;
	return end - i >= IDLE_POOL_MIN ? end - i : 0;
}

static struct wait_group *groups__begin(struct wait_group *g, const struct thread_snap **members)
{
	memset(g, 0, sizeof(*g));
	g->reason = thread__label(members[0]);
	g->members = members;
	g->min_ns = UINT64_MAX;
	g->same_object = true;
	return g;
}

/*
 * Threads waiting for work on one object, started in one function, enough of them for an idle
 * pool, are one group whatever their stacks: a compiler's copies of one loop wait at two call
 * sites (CPython's SimpleQueue.get), and a pool's workers drift between them. The others group
 * by reason and stack, whatever their objects: identical workers each on its own socket or
 * epoll are one group (which lists the objects), not one per object.
 */
size_t groups__of_process(const struct process_snap *p, uint64_t min_blocked_ns,
			  struct group_buffers *b)
{
	const struct thread_snap **listed = b->scratch, **slots = b->slots;
	struct wait_group *groups = b->groups, *g;
	size_t n = 0, n_groups = 0, pooled = 0, k, run;

	for (size_t i = 0; i < p->n_threads; i++)
		if (p->threads[i]->wait.blocked &&
		    snapshot__thread_listed(p->threads[i], min_blocked_ns))
			listed[n++] = p->threads[i];
	/* The pools first, each a group; their threads leave the list. */
	qsort(listed, n, sizeof(*listed), thread__pool_order_cmp);
	for (size_t i = 0; i < n; i += run) {
		run = groups__pool_run(listed, n, i);
		if (!run) {
			run = 1;
			continue;
		}
		g = groups__begin(&groups[n_groups++], &listed[i]);
		g->members = &slots[pooled];
		for (k = i; k < i + run; k++) {
			slots[pooled++] = listed[k];
			group__add(g, listed[k]);
			listed[k] = NULL;
		}
	}
	/* Then the rest, by reason and stack. */
	k = pooled;
	for (size_t i = 0; i < n; i++)
		if (listed[i])
			slots[k++] = listed[i];
	qsort(&slots[pooled], n - pooled, sizeof(*slots), thread__group_cmp);
	for (size_t i = pooled; i < n; i++) {
		g = n_groups ? &groups[n_groups - 1] : NULL;
		if (i == pooled || !thread__same_group(g->members[0], slots[i]))
			g = groups__begin(&groups[n_groups++], &slots[i]);
		group__add(g, slots[i]);
	}
	qsort(groups, n_groups, sizeof(*groups), group__cmp);
	return n_groups;
}

int group_buffers__init(struct group_buffers *b, const struct snapshot *s)
{
	size_t most = 1;

	for (size_t i = 0; i < s->n_processes; i++)
		most = s->processes[i].n_threads > most ? s->processes[i].n_threads : most;
	b->groups = calloc(most, sizeof(*b->groups));
	b->slots = calloc(most, sizeof(*b->slots));
	b->scratch = calloc(most, sizeof(*b->scratch));
	return b->groups && b->slots && b->scratch ? 0 : -ENOMEM;
}

void group_buffers__free(struct group_buffers *b)
{
	free(b->groups);
	free(b->slots);
	free(b->scratch);
	b->groups = NULL;
	b->slots = NULL;
	b->scratch = NULL;
}
