/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_CAPTURE_H
#define LEAKMON_CAPTURE_H

#include <stdint.h>

#include "loader/tracker.h"
#include "model/snapshot.h"
#include "unwind/symbols.h"

/*
 * The user stacks of the threads marked stack_wanted that are blocked, read with one view of
 * each process's address space; then each wait's reason and each thread's start routine, as the
 * stack and the process's runtimes (process_snap.runtimes) say. A thread that ran while its
 * stack was read is read again once from a fresh record, else left with an error, never with a
 * stack it did not have.
 */
struct capture_opts {
	struct symbolizer *symbols;
	enum debuginfo_mode debuginfo;
	/*
	 * A thread awake at its record and asleep again by the check that follows the reading
	 * (woken for a moment: a GIL waiter checks every 5 ms) has its stack read too: a snapshot
	 * that lists every wait, however short.
	 */
	bool read_woken;
};

int capture__stacks(struct tracker *t, struct snapshot *s, const struct capture_opts *opts);

#endif /* LEAKMON_CAPTURE_H */
