// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/capture.h"
#include "runtime/runtime.h"
#include "unwind/unwind.h"
#include "util/log.h"

#define STACK_ATTEMPTS 2

struct capture_pass {
	struct snapshot *s;
	const struct tracker *t;
	size_t n_moved;	 /* threads that ran since they were read */
	bool last;	 /* the last check: a thread that moved keeps no stack */
	bool read_woken; /* a thread awake at its record, asleep since, has its stack read */
};

/*
 * Stack tops are read ahead this many threads at a time: all of a process's at once held
 * 2 KiB for each (~200 MiB at 100,000 threads blocked in one process).
 */
#define STACKS_PREFETCH_CHUNK 4096

/* Read ahead the stacks of the next chunk of p's pending threads from from; returns its end. */
static size_t capture__prefetch(struct unwinder *u, const struct process_snap *p, size_t from)
{
	const struct task_record **recs;
	size_t n = 0, i;

	recs = malloc(STACKS_PREFETCH_CHUNK * sizeof(*recs));
	if (!recs)
		return p->n_threads;
	for (i = from; i < p->n_threads && n < STACKS_PREFETCH_CHUNK; i++)
		if (p->threads[i]->stack_pending &&
		    (p->threads[i]->rec.flags & LEAKMON_TASK_HAS_REGS))
			recs[n++] = &p->threads[i]->rec;
	unwinder__prefetch(u, recs, n);
	free(recs);
	return i;
}

/*
 * What thread th's stack says: what its wait is for, where it started (a function without a
 * symbol as module+offset: a stripped server's threads all start in one).
 */
static void capture__name_wait(struct thread_snap *th, struct strpool *strings)
{
	const struct frame *start = stack__start_routine(&th->stack);

	th->reason = wait__reason(&th->wait, &th->stack, &th->glibc_lock);
	th->start_routine = start ? frame__display_name(start, strings) : NULL;
}

/*
 * Unwind thread th of a process (ctx->unwinder; NULL: error says why it cannot be), and hear
 * what the process's runtimes say of it.
 */
static void capture__unwind_thread(struct runtime_set *runtimes, const struct runtime_context *ctx,
				   const char *error, struct thread_snap *th)
{
	th->stack_pending = false;
	stack__free(&th->stack);
	stack__free(&th->creator_stack);
	th->created_by = NULL;
	th->runtime_name = NULL;
	th->runtime_owner = 0;
	th->gil_held = 0;
	if (th->wait.futex_word)
		wait__set_futex(&th->wait, th->wait.futex_word);
	if (!ctx->unwinder) {
		th->stack.error = error;
		capture__name_wait(th, ctx->strings);
		return;
	}
	unwinder__unwind(ctx->unwinder, &th->rec, &th->stack);
	runtime_set__annotate_frames(runtimes, ctx, th);
	capture__name_wait(th, ctx->strings);
	runtime_set__annotate_wait(runtimes, ctx, th);
	if (th->creator) {
		unwinder__unwind_creator(ctx->unwinder, th->creator, &th->creator_stack);
		th->created_by = stack__creation_site(&th->creator_stack);
	}
}

/* Unwind the threads of p marked pending, with one view of its address space. */
static void capture__unwind_process(struct snapshot *s, struct process_snap *p,
				    const struct capture_opts *opts)
{
	struct unwinder_opts uopts = {
		.symbols = opts->symbols,
		.strings = s->strings,
		.separate_dwarf = opts->debuginfo == DEBUGINFO_ALL,
		.no_dwarf = opts->debuginfo == DEBUGINFO_NONE,
	};
	struct runtime_context ctx = {
		.pid = (pid_t)p->pid,
		.now_ns = s->mono_ns,
		.process = p,
		.symbols = opts->symbols,
		.strings = s->strings,
	};
	const char *error = NULL;
	size_t i = 0, end;
	int err;

	err = unwinder__new((pid_t)p->pid, &uopts, &ctx.unwinder);
	if (err)
		error = err == -ESRCH || err == -ENOENT ? "process exited" : "process unreadable";
	while (i < p->n_threads) {
		end = ctx.unwinder ? capture__prefetch(ctx.unwinder, p, i) : p->n_threads;
		for (; i < end; i++)
			if (p->threads[i]->stack_pending)
				capture__unwind_thread(p->runtimes, &ctx, error, p->threads[i]);
	}
	unwinder__free(ctx.unwinder);
}

/*
 * Whether a thread that ran since record was is back asleep in the same system call, with every
 * register as it was: a loop of short timed waits (the GIL's waiters wake every 5 ms), whose
 * callers' frames, all a stack read past the registers holds, are the same.
 */
static bool task_record__same_wait(const struct task_record *rec, const struct task_record *was)
{
	return wait__blocked(rec) && (rec->flags & LEAKMON_TASK_HAS_REGS) &&
	       (was->flags & LEAKMON_TASK_HAS_REGS) && rec->syscall_nr == was->syscall_nr &&
	       !memcmp(rec->regs, was->regs, sizeof(rec->regs));
}

/* A thread ran since its record if its context-switch counts moved: read it again. */
static int capture__check_task(const struct task_record *rec, void *ctx)
{
	struct capture_pass *pass = ctx;
	struct thread_snap *th = snapshot__find_thread(pass->s, rec->tgid, rec->tid);

	/*
	 * Awake at its record (or at the last check), asleep now: woken for a moment (a GIL waiter
	 * checks every 5 ms), its wait one all the same. Its new record counts; a snapshot reads
	 * its stack too, while there is a check left to tell whether that stack held still.
	 */
	if (th && !th->wait.blocked && wait__blocked(rec)) {
		snapshot__refresh_thread(pass->s, th, rec);
		if (pass->last && pass->read_woken)
			th->stack.error = "thread kept running while its stack was read";
		th->stack_wanted = th->stack_pending = pass->read_woken && !pass->last;
		pass->n_moved += th->stack_pending;
		return 0;
	}
	if (!th || !th->stack_wanted || !th->stack.frames)
		return 0;
	if ((rec->nvcsw == th->rec.nvcsw && rec->nivcsw == th->rec.nivcsw) ||
	    task_record__same_wait(rec, &th->rec))
		return 0;
	pass->n_moved++;
	if (pass->last) {
		/* What its stack said goes with it: the wait is named by its kind, as read. */
		struct task_record read = th->rec;

		snapshot__refresh_thread(pass->s, th, &read);
		th->stack.error = "thread kept running while its stack was read";
		return 0;
	}
	snapshot__refresh_thread(pass->s, th, rec);
	th->stack_pending = th->stack_wanted && th->wait.blocked;
	return 0;
}

/* For each thread found holding a GIL while asleep elsewhere: its waiters. */
static void capture__count_gil_waiters(struct snapshot *s)
{
	for (size_t i = 0; i < s->n_threads; i++) {
		struct thread_snap *th = &s->threads[i];
		const struct process_snap *p;

		if (th->gil_held && (p = snapshot__find_process(s, th->rec.tgid)))
			th->gil_waiters = runtime_set__lock_waiters(p->runtimes, p, th->gil_held);
	}
}

/* What the others' stacks, if any, say: the wait kind for a reason. */
static void capture__name_waits(struct snapshot *s)
{
	for (size_t i = 0; i < s->n_threads; i++)
		if (!s->threads[i].reason)
			capture__name_wait(&s->threads[i], s->strings);
}

static void capture__unwind_pending(struct snapshot *s, const struct capture_opts *opts)
{
	for (size_t i = 0; i < s->n_processes; i++) {
		for (size_t j = 0; j < s->processes[i].n_threads; j++) {
			if (s->processes[i].threads[j]->stack_pending) {
				capture__unwind_process(s, &s->processes[i], opts);
				break;
			}
		}
	}
}

/* The processes with stacks wanted: only their threads need checking after the unwind. */
static size_t capture__wanted_processes(const struct snapshot *s, uint32_t *tgids)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n_processes; i++) {
		for (size_t j = 0; j < s->processes[i].n_threads; j++) {
			if (s->processes[i].threads[j]->stack_wanted) {
				tgids[n++] = s->processes[i].pid;
				break;
			}
		}
	}
	return n;
}

int capture__stacks(struct tracker *t, struct snapshot *s, const struct capture_opts *opts)
{
	struct capture_pass pass = { .s = s, .t = t, .read_woken = opts->read_woken };
	uint32_t *tgids;
	size_t n_tgids;
	int err = 0;

	if (!s->strings) {
		s->strings = strpool__new();
		if (!s->strings)
			return -ENOMEM;
	}
	tgids = malloc((s->n_processes ? s->n_processes : 1) * sizeof(*tgids));
	if (!tgids)
		return -ENOMEM;
	n_tgids = capture__wanted_processes(s, tgids);
	for (size_t i = 0; i < s->n_threads; i++)
		s->threads[i].stack_pending =
			s->threads[i].stack_wanted && s->threads[i].wait.blocked;
	for (int attempt = 0; attempt < STACK_ATTEMPTS && n_tgids; attempt++) {
		capture__unwind_pending(s, opts);
		pass.n_moved = 0;
		pass.last = attempt + 1 == STACK_ATTEMPTS;
		err = tracker__for_each_task_of(t, tgids, n_tgids, capture__check_task, &pass);
		if (err || !pass.n_moved)
			break;
	}
	free(tgids);
	capture__name_waits(s);
	capture__count_gil_waiters(s);
	return err;
}
