/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_OUTPUT_H
#define LEAKMON_OUTPUT_H

#include <stdint.h>
#include <stdio.h>

#include "analysis/deadlock.h"
#include "analysis/hidden.h"
#include "analysis/stall.h"
#include "model/snapshot.h"
#include "proc/pipes.h"
#include "util/json.h"

struct output_opts {
	uint64_t min_blocked_ns; /* list only threads blocked at least this long (0: all) */
	/* Mutex cycles found among the snapshot's threads, each shown with its process. */
	const struct deadlock_cycle *deadlocks;
	size_t n_deadlocks;
	/* Each process's stall verdict, in the snapshot's order. */
	const struct stall_verdict *stalls;
	/* Who holds the pipes listed threads wait on; NULL: not looked for. */
	const struct pipe_holders *pipes;
	/* Processes the task iterator did not see; NULL: not looked for (-p). */
	const struct hidden_processes *hidden;
};

/* A frame as a JSON object; a stack as "stack", "stack_truncated" and "stack_error" fields. */
void output__json_frame(struct json_writer *jw, const struct frame *f);
void output__json_stack(struct json_writer *jw, const struct stack *st);
/* A thread's fields as in a snapshot; its name under comm_key. */
void output__json_thread_fields(struct json_writer *jw, const struct thread_snap *th,
				const char *comm_key);
/* key: the frame, or null. */
void output__json_frame_field(struct json_writer *jw, const char *key, const struct frame *f);
/*
 * For a pipe wait, the processes holding the pipe's other end, which could end the wait:
 * "pipe_other_end" and "pipe_other_end_unread" (null for other waits, or holders NULL); a
 * line for people (none for other waits), said of several pipes with the same holders for a
 * group of waiters. pid: the waiter's process.
 */
void output__json_pipe_other_end(struct json_writer *jw, const struct thread_snap *th,
				 const struct pipe_holders *holders);
void output__text_pipe_other_end(FILE *out, uint32_t pid, const struct thread_snap *th,
				 const struct pipe_holders *holders, bool several_pipes);
/*
 * Of a mutex waiter of p: " held by TID NAME", " held by TID, which has exited", that the kernel
 * refused its lock, or nothing when its owner is unknown.
 */
void output__text_mutex_state(FILE *out, const struct process_snap *p,
			      const struct thread_snap *th);
/*
 * Of a thread asleep outside the GIL's wait while holding the GIL others wait for: a line
 * saying so (none otherwise), naming the thread if name_it.
 */
void output__text_gil_held(FILE *out, const struct thread_snap *th, bool name_it);
/* "TID NAME", and "RUNTIME NAME" in quotes where the thread has one: escaped. */
void output__text_thread(FILE *out, const struct thread_snap *th);
/* A frame on the current line; a stack as numbered, indented lines. Untrusted text escaped. */
void output__text_frame(FILE *out, const struct frame *f);
void output__text_frames(FILE *out, const struct stack *st);

/* One JSON document: every key is documented in docs/json.md. */
void output__snapshot_json(FILE *out, const struct snapshot *s, const struct output_opts *opts);
/* For people: per process, blocked threads grouped like a goroutine dump, largest group first. */
void output__snapshot_text(FILE *out, const struct snapshot *s, const struct output_opts *opts);

#endif /* LEAKMON_OUTPUT_H */
