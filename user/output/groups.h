/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_GROUPS_H
#define LEAKMON_GROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/snapshot.h"

/* This many threads idle on one object are a pool, shown as one. */
#define IDLE_POOL_MIN 4

/*
 * Threads of one process that share a wait reason and a stack, like a goroutine dump's groups:
 * what a snapshot shows of them, once for all.
 */
struct wait_group {
	const char *reason;
	size_t n;
	uint64_t min_ns, max_ns; /* the shortest and longest wait among them */
	bool estimated;		 /* one of those times is known only to within a run on a CPU */
	bool unknown_duration;	 /* one of them has no time at all */
	bool same_object;	 /* every one waits on the first's object */
	const struct thread_snap **members; /* in tid order */
};

/* Room to group the threads of the largest process of a snapshot. */
struct group_buffers {
	struct wait_group *groups;
	const struct thread_snap **slots;   /* the groups' members, each group a run */
	const struct thread_snap **scratch; /* the listed threads, as they are sorted */
};

int group_buffers__init(struct group_buffers *b, const struct snapshot *s);
void group_buffers__free(struct group_buffers *b);
/*
 * The groups of p's blocked threads listed at min_blocked_ns (snapshot__thread_listed()), into
 * b->groups, largest first (then longest blocked): how many.
 */
size_t groups__of_process(const struct process_snap *p, uint64_t min_blocked_ns,
			  struct group_buffers *b);
/* Many threads waiting for work on one object: an idle pool, not many stuck threads. */
bool group__idle_pool(const struct wait_group *g);
/* What a thread's group is named by: its wait's reason, or its kind where none is known. */
const char *thread__label(const struct thread_snap *th);

#endif /* LEAKMON_GROUPS_H */
