// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/pipeline.h"
#include "runtime/runtime.h"
#include "util/array.h"
#include "util/log.h"

/* The runtimes of each process, for a pass that has none lent: one set per process. */
static int pipeline__own_runtimes(struct snapshot *s, struct findings *f)
{
	f->own_runtimes = calloc(s->n_processes + 1, sizeof(*f->own_runtimes));
	if (!f->own_runtimes)
		return -ENOMEM;
	f->n_own_runtimes = s->n_processes;
	for (size_t i = 0; i < s->n_processes; i++) {
		runtime_set__init(&f->own_runtimes[i], (pid_t)s->processes[i].pid);
		s->processes[i].runtimes = &f->own_runtimes[i];
	}
	return 0;
}

static struct runtime_context pipeline__runtime_context(const struct snapshot *s,
							const struct process_snap *p,
							const struct pipeline_opts *opts)
{
	return (struct runtime_context){
		.pid = (pid_t)p->pid,
		.now_ns = s->mono_ns,
		.process = p,
		.symbols = opts->symbols,
		.strings = s->strings,
	};
}

/* Step 2: a new look for each process's runtimes. */
static void pipeline__begin_runtimes(struct snapshot *s, const struct pipeline_opts *opts)
{
	const struct pipeline_hooks *h = opts->hooks;

	for (size_t i = 0; i < s->n_processes; i++) {
		struct process_snap *p = &s->processes[i];
		struct runtime_context ctx = pipeline__runtime_context(s, p, opts);

		if (!p->runtimes)
			continue;
		runtime_set__begin_look(p->runtimes, &ctx,
					h && h->runtimes_in_maps &&
						h->runtimes_in_maps(opts->ctx, p));
		runtime_set__annotate_records(p->runtimes, &ctx, p);
	}
}

/* What runtimes know without stacks, said again: a thread re-read has a newer record. */
static void pipeline__annotate_records(struct snapshot *s, const struct pipeline_opts *opts)
{
	for (size_t i = 0; i < s->n_processes; i++) {
		struct process_snap *p = &s->processes[i];
		struct runtime_context ctx = pipeline__runtime_context(s, p, opts);

		runtime_set__annotate_records(p->runtimes, &ctx, p);
	}
}

/* Step 3: each analysed process's stall verdict. */
static void pipeline__stalls(const struct snapshot *s, const struct pipeline_opts *opts,
			     struct stall_verdict *stalls)
{
	for (size_t i = 0; i < s->n_processes; i++)
		if (s->processes[i].runtimes)
			stalls[i].threads = stall__found(&s->processes[i], opts->stall_min_ns,
							 &stalls[i].provable);
}

/*
 * The stacks marked wanted, read once for everyone who wants them; then none is wanted. 1 if any
 * was read.
 */
static int pipeline__read_stacks(struct snapshot *s, const struct pipeline_opts *opts)
{
	struct capture_opts copts = {
		.symbols = opts->symbols,
		.debuginfo = opts->debuginfo,
		.read_woken = opts->read_woken,
	};
	const struct pipeline_hooks *h = opts->hooks;
	size_t wanted = 0;
	int err;

	for (size_t i = 0; i < s->n_threads; i++)
		wanted += s->threads[i].stack_wanted;
	if (!wanted || opts->no_stacks)
		return 0;
	err = capture__stacks(opts->t, s, &copts);
	if (err)
		return err;
	pipeline__annotate_records(s, opts);
	if (h && h->stacks_read)
		h->stacks_read(opts->ctx, s);
	for (size_t i = 0; i < s->n_threads; i++)
		s->threads[i].stack_wanted = false;
	return 1;
}

/*
 * The lock holders, asleep, whose stacks were not read: a waiter may wait for one whose own
 * waits are short (the GIL's waiters wake every 5 ms), and a ring through it is seen only once
 * its wait is named. True if any.
 */
static bool pipeline__want_holder_stacks(struct snapshot *s)
{
	bool any = false;

	for (size_t i = 0; i < s->n_processes; i++) {
		struct process_snap *p = &s->processes[i];

		for (size_t j = 0; p->runtimes && j < p->n_threads; j++) {
			const struct thread_snap *th = p->threads[j];
			struct thread_snap *holder;

			if (!th->mutex_owner)
				continue;
			holder = process__find_thread(p, th->mutex_owner);
			if (holder && holder->wait.blocked && !holder->stack.n &&
			    !holder->stack.error) {
				holder->stack_wanted = true;
				any = true;
			}
		}
	}
	return any;
}

/* Rings among the analysed processes' waiters, not reported before. */
static int pipeline__find_deadlocks_once(struct snapshot *s, struct deadlocks *known,
					 struct findings *f)
{
	int err = 0;

	for (size_t i = 0; i < s->n_processes && !err; i++)
		if (s->processes[i].runtimes)
			err = deadlocks__find(known, &s->processes[i], &f->cycles, &f->n_cycles);
	return err;
}

/* Step 7: looked for again when the first look named holders asleep unread, once read. */
static int pipeline__deadlocks(struct snapshot *s, const struct pipeline_opts *opts,
			       struct findings *f)
{
	struct deadlocks *known = opts->known ? opts->known : deadlocks__new();
	int err;

	if (!known)
		return -ENOMEM;
	err = pipeline__find_deadlocks_once(s, known, f);
	if (!err && !opts->no_stacks && pipeline__want_holder_stacks(s)) {
		err = pipeline__read_stacks(s, opts);
		if (err > 0)
			err = pipeline__find_deadlocks_once(s, known, f);
	}
	if (known != opts->known)
		deadlocks__free(known);
	return err;
}

/* Step 9: who holds the pipes waited on, for every pipe at once: one pass over /proc. */
static void pipeline__pipe_holders(const struct snapshot *s, const struct pipeline_opts *opts,
				   struct pipe_holders *holders)
{
	const struct pipeline_hooks *h = opts->hooks;
	uint64_t *inodes = NULL, *grown;
	size_t n = 0, cap = 0;
	int err = 0;

	for (size_t i = 0; i < s->n_threads && h && h->wants_pipe; i++) {
		const struct thread_snap *th = &s->threads[i];

		if (!wait__on_pipe(&th->wait) || !h->wants_pipe(opts->ctx, th))
			continue;
		grown = array__grow(inodes, &cap, n, sizeof(*grown));
		if (!grown) {
			err = -ENOMEM;
			break;
		}
		inodes = grown;
		inodes[n++] = th->rec.file_ino;
	}
	pipes__look_up(inodes, n, err, holders);
	free(inodes);
}

int pipeline__run(struct snapshot *s, const struct pipeline_opts *opts, struct findings *out)
{
	const struct pipeline_hooks *h = opts->hooks;
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (opts->n_asked)
		out->n_hidden = hidden__warn_asked(s, opts->asked, opts->n_asked);
	else if (opts->find_hidden)
		hidden__find(s, opts->boot_ns, &out->hidden);
	if (opts->find_hidden && !opts->n_asked)
		out->n_hidden = out->hidden.n;
	if (opts->own_runtimes && (err = pipeline__own_runtimes(s, out)))
		return err;
	pipeline__begin_runtimes(s, opts);
	out->stalls = calloc(s->n_processes + 1, sizeof(*out->stalls));
	if (!out->stalls)
		return -ENOMEM;
	pipeline__stalls(s, opts, out->stalls);
	if (h && h->judge)
		h->judge(opts->ctx, s, out->stalls);
	err = pipeline__read_stacks(s, opts);
	if (err < 0)
		return err;
	if (err)
		pipeline__stalls(s, opts, out->stalls);
	if (h && h->judged_with_stacks)
		h->judged_with_stacks(opts->ctx, s);
	err = pipeline__deadlocks(s, opts, out);
	if (err < 0)
		return err;
	if (h && h->want_event_stacks &&
	    h->want_event_stacks(opts->ctx, s, out->cycles, out->n_cycles)) {
		err = pipeline__read_stacks(s, opts);
		if (err < 0)
			return err;
	}
	if (!opts->no_stacks)
		pipeline__pipe_holders(s, opts, &out->pipes);
	return 0;
}

void findings__free(struct findings *f)
{
	hidden__free(&f->hidden);
	free(f->stalls);
	free(f->cycles);
	pipes__free(&f->pipes);
	for (size_t i = 0; i < f->n_own_runtimes; i++)
		runtime_set__release(&f->own_runtimes[i]);
	free(f->own_runtimes);
	memset(f, 0, sizeof(*f));
}
