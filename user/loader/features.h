/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_FEATURES_H
#define LEAKMON_FEATURES_H

#include <stdbool.h>
#include <unistd.h>

/*
 * Whether the scheduler dates every thread's runs itself (CONFIG_SCHED_INFO: last arrival on a
 * CPU; the same option gives /proc/PID/schedstat). Then the task iterator dates sleeps from it,
 * and no program is needed at sched_switch, the hottest hook there is. The floor of the
 * benchmarks asks the same question, to attach exactly what leakmon attaches.
 */
static inline bool features__sched_info(void)
{
	return access("/proc/self/schedstat", F_OK) == 0;
}

#endif /* LEAKMON_FEATURES_H */
