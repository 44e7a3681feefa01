/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_SNAPSHOT_H
#define LEAKMON_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "tracker.h"
#include "wait.h"

/* Every thread of every watched process at one moment, with what each blocked one waits on. */
struct thread_snap {
	uint32_t tid;
	char comm[LEAKMON_COMM_LEN + 1];
	const char *state;
	struct wait_info wait;
	int64_t syscall_nr;   /* -1 when not in a syscall or unknown */
	bool has_blocked_ns;  /* blocked_ns is known */
	bool estimated;	      /* began before leakmon attached: estimated from scheduler clocks */
	uint64_t blocked_ns;
	struct task_record rec; /* the raw record, for stacks */
};

struct proc_snap {
	uint32_t pid;
	char comm[LEAKMON_COMM_LEN + 1];
	int64_t thread_count; /* live threads, kept by the BPF programs */
	bool exact;	      /* false: a count was dropped; thread_count may be off */
	size_t n_threads;
	size_t n_blocked;
	struct thread_snap *threads; /* by tid */
};

struct snapshot {
	struct timespec wall;
	uint64_t mono_ns;
	size_t n_procs;
	size_t n_threads;
	size_t n_blocked;
	struct proc_snap *procs; /* by pid */
	struct tracker_drops drops;
	bool clock_estimated; /* no run-queue clock sample yet: estimates may be a few ms off */
};

int snapshot__take(struct tracker *t, struct snapshot **out);
void snapshot__free(struct snapshot *s);

#endif /* LEAKMON_SNAPSHOT_H */
