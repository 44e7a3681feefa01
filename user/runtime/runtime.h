/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_RUNTIME_H
#define LEAKMON_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/snapshot.h"
#include "unwind/symbols.h"
#include "unwind/unwind.h"
#include "util/strpool.h"

/*
 * What a language runtime knows of its threads that the kernel does not: which lock a thread
 * waits for and who holds it, its name, the functions of an interpreted language. Each runtime
 * (glibc, CPython, HotSpot) reads its own structures in the process's memory and is one
 * implementation of struct runtime_ops; runtime.c lists them. The monitor, the snapshot and the
 * stack pass only ever call the runtime_set functions below: a new runtime is a new file and a
 * line in that list.
 */

/* One runtime's state for one process, opaque outside its implementation. */
struct runtime;

/* What a runtime is handed each time it is asked about a process. */
struct runtime_context {
	pid_t pid;
	uint64_t now_ns;		    /* this look's time (CLOCK_MONOTONIC) */
	const struct process_snap *process; /* its threads at this look; NULL: not at hand */
	/*
	 * The process's modules and their symbols, while its stacks are being read; NULL at a
	 * look that reads none. Valid for the call only.
	 */
	struct unwinder *unwinder;
	struct symbolizer *symbols; /* for an unwinder of the runtime's own, to open from maps */
	struct strpool *strings;    /* where the names put in frames live: the snapshot's */
};

/*
 * A task a runtime schedules itself on its OS threads, such as a goroutine: no runtime here has
 * any yet. The Go runtime will: counted at every look (cheap: a leak of them is a growth), read
 * in full where a snapshot or an event shows them.
 */
struct runtime_task {
	uint64_t id;		   /* the runtime's own number for it */
	const char *wait_reason;   /* what it waits for, in the runtime's words; NULL: runnable */
	uint64_t wait_object;	   /* the channel, lock or timer it waits on; 0: none */
	uint64_t waiting_since_ns; /* CLOCK_MONOTONIC; 0: unknown */
	uint32_t on_thread;	   /* the OS thread running it now; 0: none */
	struct stack stack;	   /* its frames, innermost first */
	struct stack created_by;   /* where it was started: one frame, or none */
};

struct runtime_ops {
	const char *name;
	/*
	 * How a stack says its process runs this runtime: the module (a frame's) that runs it, or
	 * NULL. NULL as an operation: the runtime is in every process, and each of its
	 * operations tells its own waits from the others' (glibc).
	 */
	const char *(*in_stack)(const struct stack *st);
	/*
	 * How a process's maps say it runs this runtime, for runtimes whose waits are only seen
	 * by reading them at every look (HotSpot's threads re-arm theirs): the module, or NULL.
	 * NULL as an operation: found from stacks only.
	 */
	const char *(*in_maps)(pid_t pid);
	/* Open it in a process, in module: 0, or a negative errno (not one this reads, yet). */
	int (*open)(const struct runtime_context *ctx, const char *module, struct runtime **out);
	void (*close)(struct runtime *rt);
	/* A new look at the process: what was read of its threads before is stale. */
	void (*begin_look)(struct runtime *rt, const struct runtime_context *ctx);
	/*
	 * At every look, for a blocked thread, what its wait is without its stack (a Java thread
	 * entering a monitor: the monitor, its owner, and since when, across its re-armed waits).
	 */
	void (*annotate_record)(struct runtime *rt, const struct runtime_context *ctx,
				struct thread_snap *th);
	/* Once th's stack is unwound: the runtime's own frames in it, and its name for th. */
	void (*annotate_frames)(struct runtime *rt, const struct runtime_context *ctx,
				struct thread_snap *th);
	/*
	 * Then, once the stack has named th->reason: what the wait is for, as the runtime knows
	 * it (th->wait's object, th->runtime_owner, th->gil_held). Returns its own reason for the
	 * wait, which stands over the stack's, or NULL.
	 */
	const char *(*annotate_wait)(struct runtime *rt, const struct runtime_context *ctx,
				     struct thread_snap *th);
	/*
	 * Who holds the lock th waits for now, read at every look (its holder can change while
	 * th waits): 0 when unknown or not this runtime's lock; *refused: the lock can never be
	 * had (glibc parked the waiter for good).
	 */
	uint32_t (*lock_owner)(struct runtime *rt, struct thread_snap *th, bool *refused);
	/* Whether a futex wait on futex_word waits for the lock at lock (the GIL's waiters). */
	bool (*waits_for_lock)(uint64_t lock, uint64_t futex_word);
	/*
	 * Tasks of its own (see struct runtime_task): how many now, cheaply; then each of them,
	 * whose stacks the caller frees. NULL: the runtime has none (every runtime here, so far).
	 */
	size_t (*count_tasks)(struct runtime *rt);
	int (*read_tasks)(struct runtime *rt, const struct runtime_context *ctx,
			  struct runtime_task **out, size_t *n);
};

/* The implementations, in the order they are asked about a thread (runtime.c). */
extern const struct runtime_ops cpython_runtime;
extern const struct runtime_ops hotspot_runtime;
extern const struct runtime_ops glibc_runtime;
#define RUNTIME_KINDS 3

/* Where a process stands with one runtime. */
enum runtime_state {
	RUNTIME_UNSEEN, /* not found in it (yet) */
	RUNTIME_OPEN,	/* found and opened: rt */
	RUNTIME_FAILED, /* found, but would not open at this look: tried again at the next */
	RUNTIME_ABSENT, /* not there, or never opened after RUNTIME_OPEN_TRIES */
};

#define RUNTIME_OPEN_TRIES 5

/*
 * A process's runtimes, each opened once and kept while the process is: the monitor's record of
 * a watched process owns one; a one-shot snapshot owns one per process for its pass. The stack
 * pass and the verdicts borrow it through struct process_snap.
 */
struct runtime_set {
	pid_t pid;
	uint8_t not_in_maps; /* bit k: runtime k's module is not in the maps: not looked for again
			      */
	struct runtime_slot {
		enum runtime_state state;
		uint8_t tries;
		struct runtime *rt;
	} slots[RUNTIME_KINDS];
};

void runtime_set__init(struct runtime_set *set, pid_t pid);
/* Close every runtime opened. */
void runtime_set__release(struct runtime_set *set);
/*
 * A new look at the process: what each runtime read of its threads is stale, a runtime that
 * would not open may be tried again, and with look_in_maps, the runtimes found from maps are
 * looked for (once: a process that does not map one now is not looked at again).
 */
void runtime_set__begin_look(struct runtime_set *set, const struct runtime_context *ctx,
			     bool look_in_maps);
/* Each blocked thread of p, as its runtimes know its wait without a stack. */
void runtime_set__annotate_records(struct runtime_set *set, const struct runtime_context *ctx,
				   struct process_snap *p);
/* Thread th, just unwound: the runtimes' frames spliced into its stack, its name. */
void runtime_set__annotate_frames(struct runtime_set *set, const struct runtime_context *ctx,
				  struct thread_snap *th);
/*
 * Then, once its stack named its wait (th->reason): the runtimes' word on it. The first runtime
 * that names the wait stands; the others are not asked.
 */
void runtime_set__annotate_wait(struct runtime_set *set, const struct runtime_context *ctx,
				struct thread_snap *th);
/* Who holds the lock th waits for now, as the runtime whose lock it is says; 0: unknown. */
uint32_t runtime_set__lock_owner(struct runtime_set *set, struct thread_snap *th, bool *refused);
/* How many threads of p wait for the lock at lock (the GIL a thread keeps), from their records. */
uint32_t runtime_set__lock_waiters(const struct runtime_set *set, const struct process_snap *p,
				   uint64_t lock);
#endif /* LEAKMON_RUNTIME_H */
