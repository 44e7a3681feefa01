// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/deadlock.h"
#include "runtime/runtime.h"
#include "util/array.h"

struct reported {
	uint32_t pid;
	char key[DEADLOCK_MAX_CYCLE * 11];
};

struct deadlocks {
	struct reported *cycles;
	size_t n, cap;
};

struct deadlocks *deadlocks__new(void)
{
	return calloc(1, sizeof(struct deadlocks));
}

void deadlocks__free(struct deadlocks *d)
{
	if (!d)
		return;
	free(d->cycles);
	free(d);
}

void deadlocks__forget(struct deadlocks *d, uint32_t pid)
{
	size_t kept = 0;

	for (size_t i = 0; i < d->n; i++)
		if (d->cycles[i].pid != pid)
			d->cycles[kept++] = d->cycles[i];
	d->n = kept;
}

static bool deadlocks__seen(struct deadlocks *d, uint32_t pid, const char *key)
{
	struct reported *grown;

	for (size_t i = 0; i < d->n; i++)
		if (d->cycles[i].pid == pid && !strcmp(d->cycles[i].key, key))
			return true;
	grown = array__grow(d->cycles, &d->cap, d->n, sizeof(*grown));
	if (!grown)
		return true;
	d->cycles = grown;
	d->cycles[d->n].pid = pid;
	snprintf(d->cycles[d->n].key, sizeof(d->cycles[d->n].key), "%s", key);
	d->n++;
	return false;
}

static int link__cmp_tid(const void *a, const void *b)
{
	const struct deadlock_link *x = a, *y = b;

	return x->waiter->tid < y->waiter->tid ? -1 : x->waiter->tid > y->waiter->tid;
}

static int link__cmp_key_tid(const void *key, const void *elem)
{
	uint32_t tid = *(const uint32_t *)key;
	const struct deadlock_link *l = elem;

	return tid < l->waiter->tid ? -1 : tid > l->waiter->tid;
}

static int cycles__add(struct deadlock_cycle **cycles, size_t *n, const struct deadlock_cycle *c)
{
	struct deadlock_cycle *grown = realloc(*cycles, (*n + 1) * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	grown[(*n)++] = *c;
	*cycles = grown;
	return 0;
}

int deadlocks__find(struct deadlocks *d, struct process_snap *p, struct deadlock_cycle **cycles,
		    size_t *n_cycles)
{
	struct deadlock_link *links = calloc(p->n_threads, sizeof(*links));
	struct deadlock_cycle cycle = { .pid = p->pid };
	size_t n = 0;
	int err = 0;

	if (!links)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_threads; i++) {
		struct thread_snap *th = p->threads[i];
		uint32_t owner;

		if (!th->wait.blocked)
			continue;
		owner = th->runtime_owner
				? th->runtime_owner
				: runtime_set__lock_owner(p->runtimes, th, &th->lock_refused);
		th->mutex_owner = owner;
		if (owner)
			links[n++] = (struct deadlock_link){ .waiter = th, .owner = owner };
	}
	/*
	 * Follow each waiter's owner while the owner waits too; back at the start: a cycle. The
	 * links are in the threads' order, by tid: a convoy of thousands is looked up, not scanned.
	 */
	for (size_t i = 0; i < n && !err; i++) {
		const struct deadlock_link *at = &links[i];
		char key[sizeof(((struct reported *)0)->key)] = "";
		size_t k;

		cycle.n = 0;
		do {
			if (cycle.n == DEADLOCK_MAX_CYCLE)
				break;
			cycle.links[cycle.n++] = *at;
			at = bsearch(&at->owner, links, n, sizeof(*links), link__cmp_key_tid);
		} while (at && at != &links[i]);
		if (at != &links[i])
			continue;
		links[i].waiter->deadlocked = true;
		qsort(cycle.links, cycle.n, sizeof(*cycle.links), link__cmp_tid);
		for (k = 0; k < cycle.n; k++)
			snprintf(key + strlen(key), sizeof(key) - strlen(key), "%u,",
				 cycle.links[k].waiter->tid);
		if (!deadlocks__seen(d, p->pid, key))
			err = cycles__add(cycles, n_cycles, &cycle);
	}
	free(links);
	return err;
}

const char *deadlock_link__lock(const struct deadlock_link *l)
{
	return thread__joins(l->waiter) ? NULL : l->waiter->wait.object;
}

const char *deadlock_cycle__waits_for(const struct deadlock_cycle *c)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct thread_snap *th = c->links[i].waiter;

		if (thread__joins(th) || (th->reason && !strcmp(th->reason, "gil")))
			return "each other";
	}
	return "each other's mutexes";
}
