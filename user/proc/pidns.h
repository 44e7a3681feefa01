/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_PIDNS_H
#define LEAKMON_PIDNS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Threads as a process in a pid namespace of its own (a container's) numbers them, and as we
 * do: what it writes in its memory (a mutex's owner, CPython's native thread ids) is in its
 * numbers. Read from /proc's NSpid lines.
 */

/* Whether process pid numbers its threads as we do: its status lists one pid (or none). */
bool pidns__ours(pid_t pid);
/* Thread tid (ours) of process pid, as the process's innermost namespace numbers it; 0: gone. */
uint32_t pidns__inner_tid(pid_t pid, uint32_t tid);
/* The thread of process pid its namespace numbers inner_tid, as we number it; 0: not found. */
uint32_t pidns__our_tid(pid_t pid, uint32_t inner_tid);
/* The same, for a process whose pidns__ours() was asked once: no work where it numbers as we do. */
uint32_t pidns__to_ours(pid_t pid, bool ours, uint32_t inner_tid);

#endif /* LEAKMON_PIDNS_H */
