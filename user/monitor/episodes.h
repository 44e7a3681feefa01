/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_EPISODES_H
#define LEAKMON_EPISODES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "model/snapshot.h"
#include "monitor/rules.h"

/*
 * Blocking episodes: a thread blocked past the threshold is one episode for as long as it
 * neither runs nor is replaced by another thread with its tid. The monitor raises at most one
 * event per episode, reads its stack once, and remembers what that stack said for the looks
 * after, which read no stack.
 *
 * A wait re-armed is one wait: a thread that sleeps again and again at the same place (the same
 * call, stack depth and object) with a timeout, using next to no CPU between (MariaDB's lock
 * waits sleep in one-second slices), or that its runtime says is in one wait (a Java monitor
 * entry). Its episode is dated from its first sleep: such waits are followed from their first
 * sleep, below the threshold too, as candidates that want nothing until they pass it. One found
 * awake at a look (woken from a slice, waiting for a CPU) is over only if not asleep in the same
 * wait at the next.
 */
struct episode {
	uint32_t tgid, tid;
	uint64_t start_ns; /* the thread's start: a reused tid is another thread */
	uint64_t nvcsw;	   /* its voluntary context switches: moved, it slept again */
	uint64_t since_ns; /* when the wait began (CLOCK_MONOTONIC): its first sleep */
	uint64_t cpu_ns;   /* the thread's CPU time then */
	/* Where its sleeps are: a sleep elsewhere is another wait. */
	long syscall;
	uint64_t ip, sp, word;
	bool may_re_arm; /* its first sleep was timed (or its runtime dates it) */
	bool missed;	 /* found awake at the last look: over unless asleep in it at this one */
	bool past;	 /* past the threshold: its stack is read, it may alert; else a candidate */
	char comm[LEAKMON_COMM_LEN + 1]; /* its process's name, for the event at its end */
	const char *kind;		 /* its wait kind: futex, pipe_read, ... (static strings) */
	/* What its stack said once read: th->reason, glibc_lock, wait.futex, runtime_owner. */
	const char *reason; /* NULL: its stack was not read yet */
	bool glibc_lock;
	uint64_t futex;
	uint32_t runtime_owner;
	uint64_t gil_held; /* likewise: the GIL it holds while asleep here (th->gil_held) */
	/*
	 * th->runtime_since_ns when it began: a thread its runtime says is in one wait across its
	 * sleeps (a Java thread entering a monitor) stays one episode as it parks again.
	 */
	uint64_t runtime_since_ns;
	uint64_t wait_key;   /* once its stack was read: its group of blocked threads */
	enum wait_rule rule; /* what its stack's functions say (--stuck-, --idle-functions) */
	/* It raises an event past the threshold: a stuck rule, or its reason (or wait kind until
	 * its stack is read) in --blocked-kinds, and no idle rule. */
	bool kind_alerted;
	double blocked_s;
	bool reported;	    /* an event was raised about it (its group's): its end is said too */
	uint64_t alert_key; /* once reported: its group of blocked threads (monitor.c) */
	/* Seen at this look: th and p are this look's. */
	bool seen;
	struct thread_snap *th;
	struct process_snap *p;
};

struct episodes {
	struct episode *list; /* sorted by (tgid, tid) up to n_sorted; those begun after */
	size_t n, cap, n_sorted;
};

/* An episode is over: its thread ran again, or exited (or its tid is another thread's). */
typedef void (*episode_over_fn)(void *ctx, const struct episode *e, bool exited);

/*
 * This look's episodes: each thread of the analysed processes of s (process_snap.runtimes)
 * blocked at least threshold_ns has one, found or begun; one begun wants its stack read
 * (stack_wanted). An episode of the same thread that ended first is over.
 */
void episodes__look(struct episodes *eps, struct snapshot *s, uint64_t threshold_ns,
		    const struct config *cfg, episode_over_fn over, void *ctx);
/*
 * After stacks were read: what each stack said is kept by its episode; a thread whose stack was
 * not read again gets what its episode kept back.
 */
void episodes__stacks_read(struct episodes *eps, const struct config *cfg);
/* The episodes not seen at this look are over; the others wait for the next. */
void episodes__end_unseen(struct episodes *eps, struct snapshot *s, episode_over_fn over,
			  void *ctx);
/* Take changed --blocked-kinds. */
void episodes__reconfigure(struct episodes *eps, const struct config *cfg);
/* The episode of thread tid of process tgid, seen at this look; NULL: none. */
struct episode *episodes__find(struct episodes *eps, uint32_t tgid, uint32_t tid);
void episodes__free(struct episodes *eps);

/*
 * Threads that wait alike, for one blocked event: the same reason and the same stack (0: its
 * stack was not read).
 */
uint64_t thread__wait_key(const struct thread_snap *th);
/*
 * Threads of one group share what is known of where they come from: their start routine (its
 * name, or module and offset), or where none is known, the call that created them. 0: nothing
 * is known.
 */
uint64_t thread__group_key(const struct thread_snap *th);

#endif /* LEAKMON_EPISODES_H */
