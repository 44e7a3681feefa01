/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_DEADLOCK_H
#define LEAKMON_DEADLOCK_H

#include <stdint.h>

#include "model/snapshot.h"

#define DEADLOCK_MAX_CYCLE 64

/*
 * Mutex deadlocks: a thread waiting on a pthread mutex whose owner (the mutex's __owner, or the
 * tid in a PI or robust mutex's lock word) waits in turn on a mutex owned back along a chain.
 * An rwlock written by a thread is one more such mutex, and so is a runtime's lock whose owner
 * its stack read named (th->runtime_owner: Python's RLock and GIL, glibc's FILE lock); a thread
 * joining another waits for it as for a mutex's owner (pthread_join, or Python's Thread.join:
 * th->runtime_owner). Each cycle is reported once.
 */
struct deadlocks;

/* The mutex (or rwlock) waited for is the waiter's wait.object. */
struct deadlock_link {
	struct thread_snap *waiter;
	uint32_t owner;
};

struct deadlock_cycle {
	uint32_t pid;
	size_t n;
	struct deadlock_link links[DEADLOCK_MAX_CYCLE]; /* by waiter tid */
};

struct deadlocks *deadlocks__new(void);
void deadlocks__free(struct deadlocks *d);
/*
 * Cycles among p's glibc mutex, rwlock and join waiters (th->glibc_lock) and runtime lock waiters
 * (th->runtime_owner); p's threads by tid, as a snapshot keeps them. Every waiter gets
 * th->mutex_owner (or th->lock_refused), members of every cycle
 * th->deadlocked; cycles not found before are appended to *cycles (realloc'd).
 */
int deadlocks__find(struct deadlocks *d, struct process_snap *p, struct deadlock_cycle **cycles,
		    size_t *n_cycles);
/* The lock a link's waiter waits for (its wait object), or NULL: it joins a thread. */
const char *deadlock_link__lock(const struct deadlock_link *l);
/*
 * What a cycle's threads wait for: "each other's mutexes", or "each other" when one joins a
 * thread or waits for a GIL.
 */
const char *deadlock_cycle__waits_for(const struct deadlock_cycle *c);
/* Forget the cycles of a process that exited. */
void deadlocks__forget(struct deadlocks *d, uint32_t pid);

#endif /* LEAKMON_DEADLOCK_H */
