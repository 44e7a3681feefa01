/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_STALL_H
#define LEAKMON_STALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/snapshot.h"

/*
 * A stall: every live thread of the process waits for another one (a futex: mutex, condvar,
 * semaphore, join...) with no timeout, each for at least min_blocked_ns. A thread waiting on
 * I/O (a pipe, epoll, a socket) or in pause() can be woken from outside: such a process is idle,
 * not stalled. If every futex is process-private, only the process itself could wake them and
 * none of its threads runs: *provable, like Go's "all goroutines are asleep". Returns how many
 * threads wait, 0 if the process is not stalled.
 */
size_t stall__found(const struct process_snap *p, uint64_t min_blocked_ns, bool *provable);

/* What stall__found() said of a process. */
struct stall_verdict {
	size_t threads; /* how many wait; 0: not stalled */
	bool provable;
};

#endif /* LEAKMON_STALL_H */
