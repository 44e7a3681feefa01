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

/*
 * One thread as a look saw it. The task iterator fills the first part from its record; reading
 * the thread's stack (analysis/capture.c) fills what the stack and the process's runtimes tell;
 * the verdicts (deadlocks, the monitor) fill the last part.
 */
struct thread_snap {
	/* From the record. */
	uint32_t tid;
	char comm[LEAKMON_COMM_LEN + 1]; /* the name the thread gave itself: untrusted bytes */
	const char *state;		 /* running, sleeping, disk_sleep, ... (static strings) */
	struct wait_info wait;		 /* what its pending syscall says it waits on */
	int64_t syscall_nr;		 /* that syscall's number; -1 when in none, or unknown */
	bool has_blocked_ns;		 /* blocked_ns is known */
	/*
	 * Dated only to within its last run on a CPU: the scheduler keeps how long a thread ran
	 * for fair-class threads only, so a real-time thread's sleep may have begun later.
	 */
	bool estimated;
	/*
	 * How long it has waited, when has_blocked_ns: its current sleep, or the whole wait where
	 * the wait is known to be re-armed (runtime_since_ns; the monitor's logical waits).
	 */
	uint64_t blocked_ns;
	uint64_t sleep_ns;	/* how long its current sleep has lasted, when has_blocked_ns */
	struct task_record rec; /* the raw record: registers and stack top, to unwind */
	struct creator_record *creator; /* who created it, for threads created while watched */

	/* From its stack, once read (stack_wanted), and from its process's runtimes. */
	struct stack stack;		/* its user stack, innermost frame first */
	struct stack creator_stack;	/* its creator's stack at the creation */
	const struct frame *created_by; /* the call in creator_stack that created it */
	const char *reason; /* what the wait is for (mutex, condvar, ...), or the wait's kind */
	/* The stack named a mutex, rwlock or join of glibc's, whose words name the owner. */
	bool glibc_lock;
	const char *start_routine; /* the function the thread started in, if the stack reaches it */
	const char *runtime_name;  /* its runtime's name for it (a Python Thread's name) */
	/*
	 * Whom it waits for, where a runtime knows it when the stack is read: an RLock's or the
	 * GIL's holder, the thread a Python join waits for, a Java monitor's owner, the holder of
	 * a FILE's lock a stdio call waits for. 0: none known.
	 */
	uint32_t runtime_owner;
	/*
	 * The GIL it keeps while asleep outside the GIL's own wait (in a C call that does not let
	 * it go), and how many threads of its process wait for that GIL meanwhile: they are all
	 * stuck behind this one.
	 */
	uint64_t gil_held;
	uint32_t gil_waiters;
	/*
	 * When its runtime says this wait began, for a thread that keeps re-arming one wait (a
	 * Java thread entering a contended monitor parks a second at a time, each park a new
	 * sleep): blocked_ns counts from then. 0: the last sleep is the whole wait.
	 */
	uint64_t runtime_since_ns;

	/* From the verdicts (analysis/deadlock.c), at every look. */
	bool deadlocked;      /* in a ring of threads waiting for each other */
	uint32_t mutex_owner; /* who holds the lock it waits for (or whom it joins); 0: unknown */
	bool lock_refused; /* parked for good: the kernel refused its priority-inheritance lock */

	/* Between the steps of a look. */
	bool stack_wanted;  /* someone's verdict needs its stack */
	bool stack_pending; /* the stack pass is still to unwind it (again) */
};

struct runtime_set;

/* One process as a look saw it: its threads, and the kernel's count of them. */
struct process_snap {
	uint32_t pid;
	uint64_t start_ns; /* when it started (CLOCK_MONOTONIC): a reused pid has another */
	char comm[LEAKMON_COMM_LEN + 1];
	int64_t thread_count; /* threads not yet exiting, as the kernel counts them (exact) */
	size_t n_threads;     /* the threads read: those exiting too */
	size_t n_blocked;
	struct thread_snap **threads; /* by tid: a run of the snapshot's sorted pointers */
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
