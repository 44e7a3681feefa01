// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "stacks.h"
#include "unwind.h"

#define STACK_ATTEMPTS 2

struct stacks_pass {
	struct snapshot *s;
	const struct tracker *t;
	size_t n_moved; /* threads that ran since they were read */
	bool last;	/* the last check: a thread that moved keeps no stack */
};

static bool thread__wants_stack(const struct thread_snap *th, uint64_t min_blocked_ns)
{
	return th->wait.blocked && snapshot__thread_listed(th, min_blocked_ns);
}

static void stacks__prefetch(struct unwinder *u, const struct proc_snap *p)
{
	const struct task_record **recs = malloc(p->n_threads * sizeof(*recs));
	size_t n = 0;

	if (!recs)
		return;
	for (size_t i = 0; i < p->n_threads; i++)
		if (p->threads[i].stack_pending &&
		    (p->threads[i].rec.flags & LEAKMON_TASK_HAS_REGS))
			recs[n++] = &p->threads[i].rec;
	unwinder__prefetch(u, recs, n);
	free(recs);
}

/* Unwind the threads of p marked pending, with one view of its address space. */
static void stacks__unwind_process(struct snapshot *s, struct proc_snap *p,
				   const struct stacks_opts *opts)
{
	struct unwinder_opts uopts = {
		.symbols = opts->symbols,
		.strings = s->strings,
		.separate_dwarf = opts->debuginfo == DEBUGINFO_ALL,
		.no_dwarf = opts->debuginfo == DEBUGINFO_NONE,
	};
	struct unwinder *u = NULL;
	const char *error = NULL;
	int err;

	err = unwinder__new((pid_t)p->pid, &uopts, &u);
	if (err)
		error = err == -ESRCH || err == -ENOENT ? "process exited" : "process unreadable";
	if (u)
		stacks__prefetch(u, p);
	for (size_t i = 0; i < p->n_threads; i++) {
		struct thread_snap *th = &p->threads[i];

		if (!th->stack_pending)
			continue;
		th->stack_pending = false;
		stack__free(&th->stack);
		stack__free(&th->creator_stack);
		th->created_by = NULL;
		if (!u) {
			th->stack.error = error;
			continue;
		}
		unwinder__unwind(u, &th->rec, &th->stack);
		if (th->creator) {
			unwinder__unwind_creator(u, th->creator, &th->creator_stack);
			th->created_by = stack__creation_site(&th->creator_stack);
		}
	}
	unwinder__free(u);
}

/* A thread ran since its record if its context-switch counts moved: read it again. */
static int stacks__check_task(const struct task_record *rec, void *ctx)
{
	struct stacks_pass *pass = ctx;
	struct thread_snap *th = snapshot__find_thread(pass->s, rec->tgid, rec->tid);

	if (!th || !th->stack_wanted || !th->stack.frames)
		return 0;
	if (rec->nvcsw == th->rec.nvcsw && rec->nivcsw == th->rec.nivcsw)
		return 0;
	pass->n_moved++;
	if (pass->last) {
		stack__free(&th->stack);
		th->stack.error = "thread kept running while its stack was read";
		return 0;
	}
	snapshot__refresh_thread(pass->s, th, rec);
	th->stack_pending = th->stack_wanted && th->wait.blocked;
	return 0;
}

static void stacks__name_waits(struct snapshot *s)
{
	for (size_t i = 0; i < s->n_procs; i++) {
		for (size_t j = 0; j < s->procs[i].n_threads; j++) {
			struct thread_snap *th = &s->procs[i].threads[j];
			const struct frame *start = stack__start_routine(&th->stack);

			th->reason = wait__reason(&th->wait, &th->stack);
			th->start_routine = start ? start->func : NULL;
		}
	}
}

static void stacks__unwind_pending(struct snapshot *s, const struct stacks_opts *opts)
{
	for (size_t i = 0; i < s->n_procs; i++) {
		for (size_t j = 0; j < s->procs[i].n_threads; j++) {
			if (s->procs[i].threads[j].stack_pending) {
				stacks__unwind_process(s, &s->procs[i], opts);
				break;
			}
		}
	}
}

int stacks__capture(struct tracker *t, struct snapshot *s, const struct stacks_opts *opts)
{
	for (size_t i = 0; i < s->n_procs; i++)
		for (size_t j = 0; j < s->procs[i].n_threads; j++)
			s->procs[i].threads[j].stack_wanted =
				thread__wants_stack(&s->procs[i].threads[j], opts->min_blocked_ns);
	return stacks__capture_wanted(t, s, opts);
}

int stacks__capture_wanted(struct tracker *t, struct snapshot *s, const struct stacks_opts *opts)
{
	struct stacks_pass pass = { .s = s, .t = t };
	int err = 0;

	if (!s->strings) {
		s->strings = strpool__new();
		if (!s->strings)
			return -ENOMEM;
	}
	for (size_t i = 0; i < s->n_procs; i++)
		for (size_t j = 0; j < s->procs[i].n_threads; j++)
			s->procs[i].threads[j].stack_pending =
				s->procs[i].threads[j].stack_wanted &&
				s->procs[i].threads[j].wait.blocked;
	for (int attempt = 0; attempt < STACK_ATTEMPTS; attempt++) {
		stacks__unwind_pending(s, opts);
		pass.n_moved = 0;
		pass.last = attempt + 1 == STACK_ATTEMPTS;
		err = tracker__for_each_task(t, stacks__check_task, &pass);
		if (err || !pass.n_moved)
			break;
	}
	stacks__name_waits(s);
	return err;
}
