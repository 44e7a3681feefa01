// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <string.h>

#include "analysis/stall.h"

size_t stall__found(const struct process_snap *p, uint64_t min_blocked_ns, bool *provable)
{
	size_t waiting = 0;

	*provable = true;
	for (size_t i = 0; i < p->n_threads; i++) {
		const struct thread_snap *th = p->threads[i];

		if (th->rec.exit_state)
			continue;
		if (!th->wait.blocked || th->wait.timed != 0 || !th->has_blocked_ns ||
		    th->blocked_ns < min_blocked_ns || !th->wait.kind ||
		    strcmp(th->wait.kind, "futex"))
			return 0;
		*provable &= th->wait.private_futex;
		waiting++;
	}
	return waiting;
}
