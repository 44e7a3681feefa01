/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_SNAPSHOT_H
#define LEAKMON_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "loader/tracker.h"
#include "model/wait.h"
#include "util/strpool.h"

/* Every thread of every watched process at one moment, with what each blocked one waits on. */
struct thread_snap {
	uint32_t tid;
	char comm[LEAKMON_COMM_LEN + 1];
	const char *state;
	struct wait_info wait;
	int64_t syscall_nr;  /* -1 when not in a syscall or unknown */
	bool has_blocked_ns; /* blocked_ns is known */
	bool estimated;	     /* dated only to within its last run on a CPU (not fair class) */
	uint64_t blocked_ns;
	struct task_record rec;		/* the raw record, for stacks */
	struct stack stack;		/* blocked threads' user stacks, once captured */
	struct creator_record *creator; /* set for threads created while leakmon watched */
	struct stack creator_stack;	/* the creator's stack at creation, once unwound */
	const struct frame *created_by; /* the call site that created the thread, in it */
	const char *reason;		/* wait__reason(): mutex, condvar, ..., or the wait kind */
	bool glibc_lock; /* likewise: a mutex, rwlock or join of glibc's: its owner readable */
	const char *start_routine; /* the function the thread started in, if the stack shows it */
	const char *runtime_name;  /* its language runtime's name for it (Python's Thread.name) */
	/*
	 * Whom it waits for, as its runtime says: Python's RLock's or GIL's holder, the Thread it
	 * joins; the holder of a FILE's lock glibc's stdio waits for.
	 */
	uint32_t runtime_owner;
	/*
	 * The GIL it holds while asleep outside the GIL's own wait (a C call that keeps it), if
	 * its runtime says so; and how many threads of its process wait for that GIL meanwhile.
	 */
	uint64_t gil_held;
	uint32_t gil_waiters;
	/*
	 * When its runtime says this wait began, where the thread keeps re-arming it (a Java
	 * thread entering a contended monitor parks a second at a time, each a new sleep): its
	 * blocked time counts from then. 0: the last sleep is the wait.
	 */
	uint64_t runtime_since_ns;
	bool deadlocked;      /* in a cycle of mutex waiters (set by deadlocks__find) */
	uint32_t mutex_owner; /* who holds the lock it waits for, or it joins; 0: unknown (likewise)
			       */
	bool lock_refused;    /* parked for good: the kernel refused its PI mutex lock (likewise) */
	bool stack_wanted;    /* set by whoever wants this thread's stack */
	bool stack_pending;   /* to be unwound (again) */
};

struct runtime_set;

struct process_snap {
	uint32_t pid;
	uint64_t start_ns; /* when it started (CLOCK_MONOTONIC): a reused pid has another */
	char comm[LEAKMON_COMM_LEN + 1];
	int64_t thread_count; /* threads not yet exiting: the kernel's own count */
	size_t n_threads;
	size_t n_blocked;
	struct thread_snap **threads; /* by tid: a run of the snapshot's sorted */
	/*
	 * The language runtimes its threads run (runtime/runtime.h), lent by whoever keeps them
	 * across looks (the monitor), or by a one-shot snapshot's pass; NULL: not analysed (a
	 * process the monitor does not watch).
	 */
	struct runtime_set *runtimes;
};

struct thread_key;

struct snapshot {
	struct timespec wall;
	uint64_t mono_ns;
	size_t n_processes;
	size_t n_threads;
	size_t n_blocked;
	struct process_snap *processes; /* by pid */
	struct thread_snap *threads;	/* in the order read */
	struct thread_snap **sorted;	/* by pid, then tid */
	struct thread_key *keys;	/* sorting's scratch */
	size_t cap, sorted_cap;		/* threads and keys; sorted and processes */
	struct tracker_drops drops;
	struct strpool *strings; /* the stacks' strings */
};

/*
 * Read every thread into *out: a new snapshot if *out is NULL, else the one given, emptied
 * and refilled in its own memory (each tick of the monitor: its large arrays made afresh were
 * page-faulted in anew every time). On failure a snapshot given is left empty.
 */
int snapshot__take(struct tracker *t, struct snapshot **out);
void snapshot__free(struct snapshot *s);
/* Whether a thread is listed when only waits of at least min_blocked_ns are wanted (0: all). */
bool snapshot__thread_listed(const struct thread_snap *th, uint64_t min_blocked_ns);
/* The process pid, or NULL. */
struct process_snap *snapshot__find_process(struct snapshot *s, uint32_t pid);
/* The thread tid of process tgid, or NULL. */
struct thread_snap *snapshot__find_thread(struct snapshot *s, uint32_t tgid, uint32_t tid);
/* p's thread tid, or NULL. */
struct thread_snap *process__find_thread(const struct process_snap *p, uint32_t tid);
/* Whether thread th waits in a join: for a thread, not for a lock. */
bool thread__joins(const struct thread_snap *th);
/* Replace a thread's state with a newer record of it; the blocked counts follow. */
void snapshot__refresh_thread(struct snapshot *s, struct thread_snap *th,
			      const struct task_record *rec);

#endif /* LEAKMON_SNAPSHOT_H */
