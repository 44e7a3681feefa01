/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_PROCSTAT_H
#define LEAKMON_PROCSTAT_H

#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>

#include "leakmon.h"

/* What /proc/PID/stat says of a process that leakmon uses. */
struct procstat {
	char comm[LEAKMON_COMM_LEN]; /* as the process set it: untrusted bytes */
	uint32_t flags;		     /* PF_*: PF_KTHREAD for a kernel thread */
	uint64_t start_ticks;	     /* clock ticks since boot (CLOCK_BOOTTIME) */
};

#define PROCSTAT_PF_KTHREAD 0x00200000

/* Read process pid's stat; false: it is gone, or its stat could not be read. */
bool procstat__read(uint32_t pid, struct procstat *out);
/*
 * The next process of an open /proc into *pid, skipping what is no process: 1, 0 once there are
 * no more, or a negative errno.
 */
int procstat__next_pid(DIR *proc, uint32_t *pid);

#endif /* LEAKMON_PROCSTAT_H */
