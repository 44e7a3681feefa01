/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_STACKS_H
#define LEAKMON_STACKS_H

#include <stdint.h>

#include "snapshot.h"
#include "symbols.h"
#include "tracker.h"

/*
 * Capture the user stacks of a snapshot's blocked threads (those listed at min_blocked_ns),
 * then name each wait's reason and each thread's start routine. A thread that ran while its
 * stack was read is read again once from a fresh record, else left with an error, never with
 * a stack it did not have.
 */
struct stacks_opts {
	struct symbolizer *symbols;
	uint64_t min_blocked_ns;
	enum debuginfo_mode debuginfo;
};

int stacks__capture(struct tracker *t, struct snapshot *s, const struct stacks_opts *opts);
/* The same for the threads the caller marked stack_wanted (min_blocked_ns is not used). */
int stacks__capture_wanted(struct tracker *t, struct snapshot *s, const struct stacks_opts *opts);
/*
 * How many threads of p wait for the GIL at gil, from their records alone: a GIL's holder read
 * once, its waiters counted at every look.
 */
uint32_t stacks__gil_waiters(const struct proc_snap *p, uint64_t gil);

#endif /* LEAKMON_STACKS_H */
