// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/array.h"
#include "analysis/deadlock.h"
#include "runtime/locks.h"
#include "proc/pidns.h"

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

/*
 * glibc's park after the kernel refused a priority-inheritance lock (EDEADLK: taking it would
 * deadlock; ESRCH: its owner died): an untimed wait for a zero word of its own to leave zero,
 * which nothing will ever make it do. A mutex's own waits expect a locked word.
 */
static bool lock__refused(const struct thread_snap *th, const uint32_t words[MUTEX_WORDS])
{
	return (th->rec.flags & LEAKMON_TASK_HAS_REGS) && th->wait.timed == 0 &&
	       !th->rec.regs[LEAKMON_REG_DX] && !words[0];
}

/*
 * Owners as glibc's locks name them, in their process's pid namespace's numbers, and ours: the
 * namespace is looked at once, and the last owner's number kept (a convoy has one owner).
 */
struct owner_numbers {
	int ours; /* the process numbers threads as we do: 1, 0, or -1 not looked at yet */
	uint32_t inner, tid;
};

/* Lock owner inner in ours; an owner no longer there keeps the number the lock gives it. */
static uint32_t owner__ours(pid_t pid, uint32_t inner, struct owner_numbers *nums)
{
	if (nums->ours < 0)
		nums->ours = pidns__ours(pid);
	if (nums->ours || !inner)
		return inner;
	if (inner != nums->inner) {
		nums->inner = inner;
		nums->tid = pidns__our_tid(pid, inner);
	}
	return nums->tid ? nums->tid : inner;
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
	struct owner_numbers nums = { .ours = -1 };
	size_t n = 0;
	int err = 0;

	if (!links)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_threads; i++) {
		struct thread_snap *th = p->threads[i];
		uint32_t words[MUTEX_WORDS], owner;

		if (!th->wait.blocked)
			continue;
		if (th->runtime_owner) {
			owner = th->runtime_owner;
		} else if (!th->glibc_lock || !th->wait.futex) {
			continue;
		} else if (!strcmp(th->reason, "rwlock")) {
			owner = owner__ours((pid_t)p->pid, rwlock__writer(p->pid, th->wait.futex),
					    &nums);
		} else if (thread__joins(th)) {
			owner = owner__ours((pid_t)p->pid, join__thread(p->pid, th->wait.futex),
					    &nums);
		} else if (mutex__read(p->pid, th->wait.futex, words)) {
			owner = owner__ours((pid_t)p->pid, mutex__owner(words), &nums);
			th->lock_refused = !owner && lock__refused(th, words);
		} else {
			continue;
		}
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

bool thread__joins(const struct thread_snap *th)
{
	return th->reason && !strcmp(th->reason, "join");
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
