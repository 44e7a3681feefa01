/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_CAPTURE_H
#define LEAKMON_CAPTURE_H

#include <stdint.h>

#include "model/snapshot.h"
#include "unwind/symbols.h"
#include "loader/tracker.h"

/*
 * Capture the user stacks of a snapshot's blocked threads (those listed at min_blocked_ns),
 * then name each wait's reason and each thread's start routine. A thread that ran while its
 * stack was read is read again once from a fresh record, else left with an error, never with
 * a stack it did not have.
 */
struct capture_opts {
	struct symbolizer *symbols;
	uint64_t min_blocked_ns;
	enum debuginfo_mode debuginfo;
};

int capture__listed(struct tracker *t, struct snapshot *s, const struct capture_opts *opts);
/* The same for the threads the caller marked stack_wanted (min_blocked_ns is not used). */
int capture__wanted(struct tracker *t, struct snapshot *s, const struct capture_opts *opts);
/*
 * How many threads of p wait for the GIL at gil, from their records alone: a GIL's holder read
 * once, its waiters counted at every look.
 */
uint32_t capture__gil_waiters(const struct process_snap *p, uint64_t gil);

#endif /* LEAKMON_CAPTURE_H */
