/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_PIPELINE_H
#define LEAKMON_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/capture.h"
#include "analysis/deadlock.h"
#include "analysis/hidden.h"
#include "analysis/stall.h"
#include "config/config.h"
#include "loader/tracker.h"
#include "model/snapshot.h"
#include "proc/pipes.h"

/*
 * One look at a snapshot's threads, the same for a one-shot snapshot and for each tick of the
 * monitor, in this order:
 *  1. the processes hidden from the task iterator, where asked for;
 *  2. each process's runtimes begin a new look and say what they know of waits without stacks;
 *  3. stalls (judged again after stacks are read: a thread read again has a newer record);
 *  4. the caller's verdicts (hooks->judge), which mark the stacks they need (stack_wanted);
 *  5. those stacks, read, and what the runtimes say of them;
 *  6. the caller's verdicts that need stacks (hooks->judged_with_stacks);
 *  7. lock owners and deadlocks, reading the stacks of asleep lock holders a ring may run
 *     through where they were not read, and looking again;
 *  8. the stacks the caller's events need (hooks->want_event_stacks);
 *  9. who holds the other end of the pipes the caller's threads wait on (hooks->wants_pipe).
 * Only processes with runtimes (process_snap.runtimes) are analysed: the monitor lends those of
 * the processes it watches; a one-shot snapshot is given its own for every process.
 */
struct pipeline_hooks {
	void (*judge)(void *ctx, struct snapshot *s, const struct stall_verdict *stalls);
	/* After every read of stacks: what the caller keeps of them, and gives back to the rest. */
	void (*stacks_read)(void *ctx, struct snapshot *s);
	void (*judged_with_stacks)(void *ctx, struct snapshot *s);
	/* True if it marked any stack. */
	bool (*want_event_stacks)(void *ctx, struct snapshot *s,
				  const struct deadlock_cycle *cycles, size_t n_cycles);
	bool (*wants_pipe)(void *ctx, const struct thread_snap *th);
	/* Whether a process's runtimes are looked for in its maps at this look. */
	bool (*runtimes_in_maps)(void *ctx, const struct process_snap *p);
};

struct pipeline_opts {
	struct tracker *t;
	struct symbolizer *symbols;
	enum debuginfo_mode debuginfo;
	/* A one-shot look: each process is given runtimes of its own, for this look only. */
	bool own_runtimes;
	bool no_stacks;	       /* read no stack: waits are named by their kind only */
	bool read_woken;       /* see struct capture_opts */
	uint64_t stall_min_ns; /* how long each thread of a stalled process has waited at least */
	/* Step 1: the processes asked for that are hidden (warned of), or every hidden one. */
	const uint32_t *asked;
	size_t n_asked;
	bool find_hidden;
	uint64_t boot_ns; /* CLOCK_BOOTTIME before the snapshot was taken */
	/*
	 * Deadlocks reported before (the monitor's, across ticks): a ring already in it is not
	 * reported again. NULL: every ring found is new.
	 */
	struct deadlocks *known;
	const struct pipeline_hooks *hooks;
	void *ctx;
};

/* What a look found, beside what it wrote in the snapshot's threads. */
struct findings {
	size_t n_hidden;		/* of those asked for, or all */
	struct hidden_processes hidden; /* with find_hidden */
	struct stall_verdict *stalls;	/* each process's, in the snapshot's order */
	struct deadlock_cycle *cycles;	/* new rings of waiters */
	size_t n_cycles;
	struct pipe_holders pipes; /* who holds the pipes wants_pipe asked for */
	/* The runtimes a one-shot snapshot was given, one per process: closed with the findings. */
	struct runtime_set *own_runtimes;
	size_t n_own_runtimes;
};

/* A look at s; findings__free() whatever it returns. Negative errno: a step failed. */
int pipeline__run(struct snapshot *s, const struct pipeline_opts *opts, struct findings *out);
void findings__free(struct findings *f);

#endif /* LEAKMON_PIPELINE_H */
