/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_TRACKER_H
#define LEAKMON_TRACKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "leakmon.h"
#include "config/config.h"

/*
 * The loaded and attached BPF side: where threads that raise their process to a new high were
 * created, when each thread went to sleep where the scheduler does not say, and a task iterator
 * to read every thread's state and its process's thread count.
 */
struct tracker;

/* Sharing state with other leakmon processes, through pins in pin_dir. */
enum tracker_pins {
	TRACKER_PINS_NONE,
	TRACKER_PINS_CREATE, /* the service: pin our maps; refuse if another live one has */
	TRACKER_PINS_SHARE,  /* a snapshot: read a live service's maps if there is one */
};

struct tracker_opts {
	enum hook_mode hooks;
	/* A snapshot read right after attaching: no hook would see anything, so none is loaded. */
	bool read_at_once;
	const uint32_t *tgids; /* only these processes' threads are read; none: all */
	size_t n_tgids;
	enum tracker_pins pins;
	const char *pin_dir;
	uint32_t creator_slots; /* threads whose creator's stack can be kept at once */
};

struct tracker_drops {
	uint64_t blocked_state; /* sleeps the switch hook missed: dated by the scheduler */
	uint64_t creator;	/* thread creations whose creator's stack could not be copied */
};

typedef int (*tracker_task_fn)(const struct task_record *rec, void *ctx);
typedef int (*tracker_creator_fn)(const struct creator_record *rec, void *ctx);

int tracker__new(const struct tracker_opts *opts, struct tracker **out);
void tracker__free(struct tracker *t);
/* Run the task iterator; fn sees every thread once. Stops early if fn returns non-zero. */
int tracker__for_each_task(struct tracker *t, tracker_task_fn fn, void *ctx);
/* The same, also handing over the creator records of threads created while attached. */
int tracker__for_each_record(struct tracker *t, tracker_task_fn task_fn,
			     tracker_creator_fn creator_fn, void *ctx);
/* Threads of processes tgids only; the kernel may still visit the others (before 6.1). */
int tracker__for_each_task_of(struct tracker *t, const uint32_t *tgids, size_t n_tgids,
			      tracker_task_fn fn, void *ctx);
void tracker__drops(struct tracker *t, struct tracker_drops *out);
/*
 * Start a new window for the threads whose creators are kept (see thread__new_high in bpf/):
 * every process's high water of threads starts anew.
 */
int tracker__new_creators_window(struct tracker *t);
/*
 * Keep the creator of every thread process tgid creates (every), or of those that raise it to
 * a new high again: for a process whose count rises, whose leak may set no high of its own
 * beside a pool that churns. A new creators window ends it.
 */
int tracker__keep_every_creator(struct tracker *t, uint32_t tgid, bool every);

#endif /* LEAKMON_TRACKER_H */
