/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_HIDDEN_H
#define LEAKMON_HIDDEN_H

#include <stddef.h>
#include <stdint.h>

#include "proc/procstat.h"

struct snapshot;

/*
 * Processes /proc lists that a pass of the task iterator did not see: a kernel may hide some
 * from it (seen: a VM's pid 1, whose struct pid yields no task). Never listed nor watched, so
 * said instead of left out silently.
 */
struct hidden_process {
	uint32_t pid;
	char comm[LEAKMON_COMM_LEN];
};

struct hidden_processes {
	struct hidden_process *processes;
	size_t n, cap;
};

/*
 * The user processes in /proc that s does not have, among those started before boot_ns
 * (CLOCK_BOOTTIME, taken before the pass began: later ones may have come after it). When /proc
 * cannot be listed, or not whole, says so and keeps what it found.
 */
void hidden__find(struct snapshot *s, uint64_t boot_ns, struct hidden_processes *out);
void hidden__free(struct hidden_processes *h);
/*
 * "N processes hidden from BPF task iterators by this kernel, WHAT: " and "PID COMM" of the
 * first few, comma-separated, names escaped; ", and N more" after them.
 */
void hidden__describe(const struct hidden_processes *h, const char *what, char *buf, size_t size);
/*
 * Warn of the user processes s misses (hidden__find()), which are what (say "not watched"). How
 * many.
 */
size_t hidden__warn(struct snapshot *s, uint64_t boot_ns, const char *what);
/*
 * Warn of each of pids[0..n) that s does not have: exited, or alive and hidden from the task
 * iterator. How many are hidden.
 */
size_t hidden__warn_asked(struct snapshot *s, const uint32_t *pids, size_t n);

#endif /* LEAKMON_HIDDEN_H */
