/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_EVENTS_H
#define LEAKMON_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analysis/deadlock.h"
#include "model/snapshot.h"
#include "proc/pipes.h"

/*
 * What the monitor reports, as JSON Lines (one event a line, flushed at once) or as lines for
 * people. Every event has "event", "time", "pid" and "comm".
 */
struct events;

struct growth_site {
	const char *start_routine; /* the largest group of threads created while watched */
	const struct frame *created_by;
	size_t count;	   /* threads in that group now */
	size_t count_then; /* of those, the ones that existed when watching began */
	const struct thread_snap *example;
};

enum events_mode {
	EVENTS_TEXT,	/* lines for people */
	EVENTS_JSON,	/* JSON Lines */
	EVENTS_JOURNAL, /* journal entries with fields (stdout is the journal's stream) */
};

struct events *events__new(FILE *out, enum events_mode mode);
void events__free(struct events *ev);
/* holders: who holds the ends of the pipes the example and blocked events wait on. */
void events__growth(struct events *ev, const struct process_snap *p, int64_t baseline,
		    double rate_per_min, const struct growth_site *site,
		    const struct pipe_holders *holders);
/*
 * Threads of one process that share a wait and a stack, past the threshold: one event for all,
 * again when more join (at most once per growth window). th is one of them, the example.
 */
struct blocked_group {
	size_t count;	      /* threads in the group now */
	const uint32_t *tids; /* theirs, in order */
	bool update;	      /* said before: more joined since */
};

void events__blocked(struct events *ev, const struct process_snap *p, const struct thread_snap *th,
		     const struct blocked_group *group, const struct pipe_holders *holders);
/*
 * The end of a reported group: its last thread ran again, or exited; count, how many threads it
 * was last said to have; tid, its first.
 */
void events__unblocked(struct events *ev, uint32_t pid, const char *comm, uint32_t tid,
		       size_t count, double blocked_s, bool exited);
void events__deadlock(struct events *ev, const struct process_snap *p,
		      const struct deadlock_cycle *cycle);
/* Every thread of p waits without a timeout; provable: all on private futexes. */
void events__stall(struct events *ev, const struct process_snap *p, bool provable);
void events__exit(struct events *ev, uint32_t pid, const char *comm);
/* Lifecycle lines: watching started, all watched processes exited. */
void events__info(struct events *ev, const char *what, const char *message);

#endif /* LEAKMON_EVENTS_H */
