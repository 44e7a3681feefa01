/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_DEADLOCK_H
#define LEAKMON_DEADLOCK_H

#include <stdint.h>

#include "events.h"
#include "snapshot.h"

/*
 * Mutex deadlocks: a thread waiting on a pthread mutex whose owner (the mutex's __owner, or the
 * tid in a PI or robust mutex's lock word) waits in turn on a mutex owned back along a chain.
 * Each cycle is reported once.
 */
struct deadlocks;

struct deadlocks *deadlocks__new(void);
void deadlocks__free(struct deadlocks *d);
/* Look for cycles among the snapshot's mutex waiters whose stacks were read. */
void deadlocks__check(struct deadlocks *d, struct snapshot *s, struct events *ev);
/* Forget the cycles of a process that exited. */
void deadlocks__forget(struct deadlocks *d, uint32_t pid);
/* The owner of a glibc x86_64 pthread mutex at addr in process pid, or 0 if none or unknown. */
uint32_t deadlocks__mutex_owner(uint32_t pid, uint64_t addr);

#endif /* LEAKMON_DEADLOCK_H */
