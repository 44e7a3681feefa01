// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "output/groups.h"
#include "output/output.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/text.h"

#define GROUP_TIDS_SHOWN 8

static bool thread__listed(const struct thread_snap *th, const struct output_opts *opts)
{
	return snapshot__thread_listed(th, opts->min_blocked_ns);
}

void output__json_frame(struct json_writer *jw, const struct frame *f)
{
	char addr[TEXT_HEX_LEN];

	text__hex(f->pc, addr);
	json__begin_object(jw);
	json__field_string(jw, "addr", addr);
	json__field_string(jw, "func", f->func);
	json__field_u64_known(jw, "offset", f->func && !f->inlined && !f->language, f->offset);
	json__field_string(jw, "module", f->module);
	json__field_u64_known(jw, "module_offset", f->module, f->module_offset);
	json__field_string(jw, "file", f->file);
	json__field_bool(jw, "inlined", f->inlined);
	json__field_u64_known(jw, "line", f->line, (uint64_t)f->line);
	json__field_string(jw, "language", f->language);
	json__end_object(jw);
}

void output__json_stack(struct json_writer *jw, const struct stack *st)
{
	json__key(jw, "stack");
	json__begin_array(jw);
	for (size_t i = 0; i < st->n; i++)
		output__json_frame(jw, &st->frames[i]);
	json__end_array(jw);
	json__field_bool(jw, "stack_truncated", st->truncated);
	json__field_string(jw, "stack_error", st->error);
}

void output__json_frame_field(struct json_writer *jw, const char *key, const struct frame *f)
{
	json__key(jw, key);
	if (f)
		output__json_frame(jw, f);
	else
		json__null(jw);
}

/* Where the thread was created: known for threads created while leakmon watched. */
static void output__json_creation(struct json_writer *jw, const struct thread_snap *th)
{
	output__json_frame_field(jw, "created_by", th->created_by);
	json__field_u64_known(jw, "creator_tid", th->creator,
			      th->creator ? th->creator->creator_tid : 0);
	json__key(jw, "creator_stack");
	json__begin_array(jw);
	for (size_t i = 0; i < th->creator_stack.n; i++)
		output__json_frame(jw, &th->creator_stack.frames[i]);
	json__end_array(jw);
}

/* "holds_gil": the GIL a thread asleep elsewhere holds, and its waiters; null if none. */
static void output__json_gil_held(struct json_writer *jw, const struct thread_snap *th)
{
	char gil[TEXT_HEX_LEN];

	json__key(jw, "holds_gil");
	if (!th->gil_held) {
		json__null(jw);
		return;
	}
	text__hex(th->gil_held, gil);
	json__begin_object(jw);
	json__field_string(jw, "gil", gil);
	json__field_u64(jw, "waiters", th->gil_waiters);
	json__end_object(jw);
}

void output__json_thread_fields(struct json_writer *jw, const struct thread_snap *th,
				const char *comm_key)
{
	json__field_u64(jw, "tid", th->tid);
	json__field_string(jw, comm_key, th->comm);
	json__field_string(jw, "runtime_name", th->runtime_name);
	json__field_string(jw, "state", th->state);
	json__field_string(jw, "wait", th->wait.kind);
	json__field_string(jw, "wait_reason", th->reason);
	json__field_string(jw, "wait_object", *th->wait.object ? th->wait.object : NULL);
	json__field_u64_known(jw, "mutex_owner", th->mutex_owner, th->mutex_owner);
	json__field_bool(jw, "lock_refused", th->lock_refused);
	json__key(jw, "syscall");
	if (th->wait.blocked && th->syscall_nr >= 0)
		json__s64(jw, th->syscall_nr);
	else
		json__null(jw);
	json__key(jw, "timed");
	if (th->wait.timed >= 0)
		json__bool(jw, th->wait.timed);
	else
		json__null(jw);
	json__key(jw, "blocked_s");
	if (th->has_blocked_ns)
		json__double(jw, (double)th->blocked_ns / 1e9);
	else
		json__null(jw);
	json__key(jw, "sleep_s");
	if (th->has_blocked_ns && th->rec.blocked_since_ns)
		json__double(jw, (double)th->sleep_ns / 1e9);
	else
		json__null(jw);
	json__field_bool(jw, "blocked_since_estimated", th->estimated);
	output__json_gil_held(jw, th);
	json__field_string(jw, "start_routine", th->start_routine);
	output__json_creation(jw, th);
	output__json_stack(jw, &th->stack);
}

/* Whether th waits on a pipe whose holders were looked for; if so, its other end's: h[0..n). */
static bool output__pipe_other_end(const struct thread_snap *th, const struct pipe_holders *holders,
				   const struct pipe_holder **h, size_t *n)
{
	if (!holders || !wait__on_pipe(&th->wait))
		return false;
	*n = pipes__holders_of(holders, th->rec.file_ino, !strcmp(th->wait.kind, "pipe_read"), h);
	return true;
}

void output__json_pipe_other_end(struct json_writer *jw, const struct thread_snap *th,
				 const struct pipe_holders *holders)
{
	const struct pipe_holder *h;
	size_t n;

	json__key(jw, "pipe_other_end");
	if (!output__pipe_other_end(th, holders, &h, &n)) {
		json__null(jw);
		json__key(jw, "pipe_other_end_unread");
		json__null(jw);
		return;
	}
	json__begin_array(jw);
	for (size_t i = 0; i < n; i++) {
		json__begin_object(jw);
		json__field_u64(jw, "pid", h[i].pid);
		json__field_string(jw, "comm", h[i].comm);
		json__end_object(jw);
	}
	json__end_array(jw);
	json__field_u64(jw, "pipe_other_end_unread", holders->unread);
}

void output__text_pipe_other_end(FILE *out, uint32_t pid, const struct thread_snap *th,
				 const struct pipe_holders *holders, bool several_pipes)
{
	char name[4 * LEAKMON_COMM_LEN + 1];
	const struct pipe_holder *h;
	size_t n;

	if (!output__pipe_other_end(th, holders, &h, &n))
		return;
	fprintf(out, several_pipes ? "      other ends of the pipes held by"
				   : "      other end of the pipe held by");
	if (!n)
		fprintf(out, " no process found");
	for (size_t i = 0; i < n; i++) {
		text__escape(h[i].comm, strlen(h[i].comm), name, sizeof(name));
		fprintf(out, "%s pid %" PRIu32 " %s%s", i ? "," : "", h[i].pid, name,
			h[i].pid == pid ? " (this process)" : "");
	}
	if (holders->unread == 1)
		fprintf(out, "; maybe also by the one process whose descriptors are unreadable");
	else if (holders->unread)
		fprintf(out,
			"; maybe also by any of %zu processes whose descriptors are unreadable",
			holders->unread);
	fputc('\n', out);
}

static void output__json_thread(struct json_writer *jw, const struct thread_snap *th,
				const struct output_opts *opts)
{
	json__begin_object(jw);
	output__json_thread_fields(jw, th, "comm");
	output__json_pipe_other_end(jw, th, opts->pipes);
	json__end_object(jw);
}

static void output__json_idle_pools(struct json_writer *jw, const struct process_snap *p,
				    const struct output_opts *opts, struct group_buffers *b)
{
	size_t n_groups = groups__of_process(p, opts->min_blocked_ns, b);

	json__key(jw, "idle_pools");
	json__begin_array(jw);
	for (size_t k = 0; k < n_groups; k++) {
		const struct wait_group *g = &b->groups[k];

		if (!group__idle_pool(g))
			continue;
		json__begin_object(jw);
		json__field_string(jw, "wait_reason", g->reason);
		json__field_string(jw, "wait_object", g->members[0]->wait.object);
		json__field_string(jw, "start_routine", g->members[0]->start_routine);
		json__field_u64(jw, "threads", g->n);
		json__key(jw, "tids");
		json__begin_array(jw);
		for (size_t i = 0; i < g->n; i++)
			json__u64(jw, g->members[i]->tid);
		json__end_array(jw);
		json__end_object(jw);
	}
	json__end_array(jw);
}

/* Each cycle as its waiters, with the mutex each waits for and that mutex's owner. */
static void output__json_deadlocks(struct json_writer *jw, const struct process_snap *p,
				   const struct output_opts *opts)
{
	json__key(jw, "deadlocks");
	json__begin_array(jw);
	for (size_t k = 0; k < opts->n_deadlocks; k++) {
		const struct deadlock_cycle *c = &opts->deadlocks[k];

		if (c->pid != p->pid)
			continue;
		json__begin_object(jw);
		json__key(jw, "threads");
		json__begin_array(jw);
		for (size_t i = 0; i < c->n; i++) {
			json__begin_object(jw);
			json__field_u64(jw, "tid", c->links[i].waiter->tid);
			json__field_string(jw, "mutex", deadlock_link__lock(&c->links[i]));
			json__field_u64(jw, "owner", c->links[i].owner);
			json__end_object(jw);
		}
		json__end_array(jw);
		json__end_object(jw);
	}
	json__end_array(jw);
}

static void output__json_stall(struct json_writer *jw, const struct stall_verdict *stall)
{
	json__key(jw, "stall");
	if (!stall->threads) {
		json__null(jw);
		return;
	}
	json__begin_object(jw);
	json__field_u64(jw, "threads", stall->threads);
	json__field_bool(jw, "provable", stall->provable);
	json__end_object(jw);
}

/* "hidden_processes": the processes the task iterator did not see; null: not looked for. */
static void output__json_hidden(struct json_writer *jw, const struct hidden_processes *h)
{
	json__key(jw, "hidden_processes");
	if (!h) {
		json__null(jw);
		return;
	}
	json__begin_array(jw);
	for (size_t i = 0; i < h->n; i++) {
		json__begin_object(jw);
		json__field_u64(jw, "pid", h->processes[i].pid);
		json__field_string(jw, "comm", h->processes[i].comm);
		json__end_object(jw);
	}
	json__end_array(jw);
}

void output__snapshot_json(FILE *out, const struct snapshot *s, const struct output_opts *opts)
{
	struct json_writer *jw = NULL;
	struct group_buffers b;
	char when[64];

	if (group_buffers__init(&b, s) || !(jw = json_writer__new(out)))
		goto cleanup;
	clock__iso8601(&s->wall, when, sizeof(when));
	json__begin_object(jw);
	json__field_string(jw, "time", when);
	json__key(jw, "processes");
	json__begin_array(jw);
	for (size_t i = 0; i < s->n_processes; i++) {
		const struct process_snap *p = &s->processes[i];

		json__begin_object(jw);
		json__field_u64(jw, "pid", p->pid);
		json__field_string(jw, "comm", p->comm);
		json__field_s64(jw, "thread_count", p->thread_count);
		json__key(jw, "threads");
		json__begin_array(jw);
		for (size_t j = 0; j < p->n_threads; j++)
			if (thread__listed(p->threads[j], opts))
				output__json_thread(jw, p->threads[j], opts);
		json__end_array(jw);
		output__json_idle_pools(jw, p, opts, &b);
		output__json_deadlocks(jw, p, opts);
		output__json_stall(jw, &opts->stalls[i]);
		json__end_object(jw);
	}
	json__end_array(jw);
	json__key(jw, "dropped");
	json__begin_object(jw);
	json__field_u64(jw, "blocked_since", s->drops.blocked_state);
	json__field_u64(jw, "creators", s->drops.creator);
	json__end_object(jw);
	output__json_hidden(jw, opts->hidden);
	json__end_object(jw);
cleanup:
	json_writer__free(jw);
	group_buffers__free(&b);
}

/*
 * One frame's description, escaped: function+offset (module) file:line; an interpreted
 * function's: function [language] file:line.
 */
void output__text_frame(FILE *out, const struct frame *f)
{
	char func[512], file[512];

	if (f->func) {
		text__escape(f->func, strlen(f->func), func, sizeof(func));
		if (f->language)
			fprintf(out, " %s [%s]", func, f->language);
		else
			fprintf(out, f->inlined ? " %s" : " %s+0x%" PRIx64, func, f->offset);
	}
	if (f->module) {
		text__escape(f->module, strlen(f->module), func, sizeof(func));
		if (f->func)
			fprintf(out, " (%s)", func);
		else
			fprintf(out, " %s+0x%" PRIx64, func, f->module_offset);
	}
	if (f->file) {
		text__escape(f->file, strlen(f->file), file, sizeof(file));
		fprintf(out, f->line ? " %s:%d" : " %s", file, f->line);
	}
	if (f->inlined)
		fputs(" (inlined)", out);
}

void output__text_frames(FILE *out, const struct stack *st)
{
	if (st->error && !st->n)
		fprintf(out, "      (no stack: %s)\n", st->error);
	for (size_t i = 0; i < st->n; i++) {
		fprintf(out, "      #%-2zu 0x%016" PRIx64, i, st->frames[i].pc);
		output__text_frame(out, &st->frames[i]);
		fputc('\n', out);
	}
	if (st->truncated)
		fprintf(out, "      ... more frames\n");
	else if (st->error && st->n)
		fprintf(out, "      ... (%s)\n", st->error);
}

/* " TID NAME" of the thread th waits for (its lock's holder, or the one it joins). */
static void output__text_owner(FILE *out, const struct process_snap *p,
			       const struct thread_snap *th)
{
	const struct thread_snap *owner = process__find_thread(p, th->mutex_owner);

	if (!owner) {
		fprintf(out, " %" PRIu32 ", which has exited", th->mutex_owner);
		return;
	}
	fputc(' ', out);
	output__text_thread(out, owner);
}

void output__text_gil_held(FILE *out, const struct thread_snap *th, bool name_it)
{
	char gil[TEXT_HEX_LEN];

	if (!th->gil_held || !th->gil_waiters)
		return;
	text__hex(th->gil_held, gil);
	fputs("      ", out);
	if (name_it) {
		output__text_thread(out, th);
		fputc(' ', out);
	}
	fprintf(out, "keeps the GIL %s while blocked: %" PRIu32 " thread%s wait%s for it\n", gil,
		th->gil_waiters, th->gil_waiters == 1 ? "" : "s", th->gil_waiters == 1 ? "s" : "");
}

void output__text_mutex_state(FILE *out, const struct process_snap *p, const struct thread_snap *th)
{
	if (th->lock_refused) {
		fprintf(out, " (parked for good: the kernel refused the priority-inheritance lock: "
			     "it would deadlock, or its owner died)");
		return;
	}
	if (!th->mutex_owner)
		return;
	fputs(thread__joins(th) ? " joining" : " held by", out);
	output__text_owner(out, p, th);
}

/* Whether every member was refused its lock: each is parked on a word of its own. */
static bool group__all_refused(const struct wait_group *g)
{
	for (size_t i = 0; i < g->n; i++)
		if (!g->members[i]->lock_refused)
			return false;
	return true;
}

/* Whether the pipes of every member have the same processes at their other ends. */
static bool group__same_pipe_holders(const struct wait_group *g, const struct pipe_holders *holders)
{
	const struct pipe_holder *first, *h;
	size_t n_first, n;

	if (!output__pipe_other_end(g->members[0], holders, &first, &n_first))
		return false;
	for (size_t i = 1; i < g->n; i++) {
		if (!output__pipe_other_end(g->members[i], holders, &h, &n) || n != n_first)
			return false;
		for (size_t k = 0; k < n; k++)
			if (h[k].pid != first[k].pid)
				return false;
	}
	return true;
}

void output__text_thread(FILE *out, const struct thread_snap *th)
{
	char name[4 * LEAKMON_COMM_LEN + 1], runtime_name[1024];

	text__escape(th->comm, strlen(th->comm), name, sizeof(name));
	fprintf(out, "%" PRIu32 " %s", th->tid, name);
	if (!th->runtime_name)
		return;
	text__escape_quoted(th->runtime_name, strlen(th->runtime_name), runtime_name,
			    sizeof(runtime_name));
	fprintf(out, " \"%s\"", runtime_name);
}

/*
 * "TID NAME waits for mutex ADDR held by OWNER NAME" (or for an rwlock, written by its owner, or
 * a Python interpreter's GIL), or "TID NAME joins OTHER NAME": a line of a deadlock, or of a
 * group.
 */
static void output__text_mutex_wait(FILE *out, const struct process_snap *p,
				    const struct thread_snap *th)
{
	char object[4 * WAIT_OBJECT_LEN + 1];
	const char *lock = !th->reason			   ? "mutex"
			   : !strcmp(th->reason, "rwlock") ? "rwlock"
			   : !strcmp(th->reason, "gil")	   ? "the GIL"
							   : "mutex";

	fputs("      ", out);
	output__text_thread(out, th);
	if (thread__joins(th)) {
		fputs(" joins", out);
		output__text_owner(out, p, th);
		fputc('\n', out);
		return;
	}
	text__escape(th->wait.object, strlen(th->wait.object), object, sizeof(object));
	fprintf(out, " waits for %s %s", lock, object);
	output__text_mutex_state(out, p, th);
	fputc('\n', out);
}

/* A group's members on one line: the first GROUP_TIDS_SHOWN, then how many more. */
static void output__text_tids(FILE *out, const struct thread_snap **members, size_t n)
{
	fputs("     ", out);
	for (size_t i = 0; i < n && i < GROUP_TIDS_SHOWN; i++) {
		fputc(' ', out);
		output__text_thread(out, members[i]);
		if (i + 1 < n && i + 1 < GROUP_TIDS_SHOWN)
			fputc(',', out);
	}
	if (n > GROUP_TIDS_SHOWN)
		fprintf(out, " and %zu more", n - GROUP_TIDS_SHOWN);
	fputc('\n', out);
}

static int object__cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The objects a group's members wait on, where they differ: " on N objects: A, B, ...", the first
 * GROUP_TIDS_SHOWN of them in order (those without an object left out).
 */
static void output__text_objects(FILE *out, const struct wait_group *g)
{
	const char **objects = calloc(g->n, sizeof(*objects));
	char escaped[4 * WAIT_OBJECT_LEN + 1];
	size_t n = 0, distinct = 0;

	if (!objects) {
		fputs(" on several objects", out);
		return;
	}
	for (size_t i = 0; i < g->n; i++)
		if (*g->members[i]->wait.object)
			objects[n++] = g->members[i]->wait.object;
	qsort(objects, n, sizeof(*objects), object__cmp);
	for (size_t i = 0; i < n; i++)
		if (!i || strcmp(objects[i], objects[distinct - 1]))
			objects[distinct++] = objects[i];
	fprintf(out, " on %zu objects:", distinct);
	for (size_t i = 0; i < distinct && i < GROUP_TIDS_SHOWN; i++) {
		text__escape(objects[i], strlen(objects[i]), escaped, sizeof(escaped));
		fprintf(out, "%s %s", i ? "," : "", escaped);
	}
	if (distinct > GROUP_TIDS_SHOWN)
		fprintf(out, " and %zu more", distinct - GROUP_TIDS_SHOWN);
	free(objects);
}

static void output__text_group(FILE *out, const struct process_snap *p, const struct wait_group *g,
			       const struct output_opts *opts)
{
	char lo[32], hi[32], object[4 * WAIT_OBJECT_LEN + 1];
	const struct thread_snap *first = g->members[0];
	const char *tilde = g->estimated ? "~" : "";

	fprintf(out, group__idle_pool(g) ? "  idle pool of " : "  ");
	if (g->unknown_duration && !g->max_ns) {
		fprintf(out, "%zu @ [%s]", g->n, g->reason);
	} else {
		text__duration(g->min_ns, lo, sizeof(lo));
		text__duration(g->max_ns, hi, sizeof(hi));
		if (!strcmp(lo, hi))
			fprintf(out, "%zu @ [%s, %s%s]", g->n, g->reason, tilde, hi);
		else
			fprintf(out, "%zu @ [%s, %s%s..%s]", g->n, g->reason, tilde, lo, hi);
	}
	if (g->same_object && *first->wait.object) {
		text__escape(first->wait.object, strlen(first->wait.object), object,
			     sizeof(object));
		fprintf(out, " on %s", object);
		output__text_mutex_state(out, p, first);
	} else if (!g->same_object) {
		output__text_objects(out, g);
		if (group__all_refused(g))
			output__text_mutex_state(out, p, first);
	}
	if (first->wait.timed == 1)
		fprintf(out, " (timed)");
	fputc('\n', out);
	output__text_tids(out, g->members, g->n);
	output__text_frames(out, &first->stack);
	/* Several mutexes: who holds each, unless the process's deadlocks said so above. */
	for (size_t i = 0; !g->same_object && i < g->n && i < GROUP_TIDS_SHOWN; i++)
		if (g->members[i]->mutex_owner && !g->members[i]->deadlocked)
			output__text_mutex_wait(out, p, g->members[i]);
	for (size_t i = 0; i < g->n && i < GROUP_TIDS_SHOWN; i++)
		output__text_gil_held(out, g->members[i], g->n > 1);
	if (g->same_object || group__same_pipe_holders(g, opts->pipes))
		output__text_pipe_other_end(out, p->pid, first, opts->pipes, !g->same_object);
	if (first->created_by) {
		fprintf(out, "      created by");
		output__text_frame(out, first->created_by);
		fprintf(out, " in thread %u\n", first->creator->creator_tid);
	}
}

static void output__text_stall(FILE *out, const struct stall_verdict *stall)
{
	if (stall->threads)
		fprintf(out, "  stall: all %zu threads wait without a timeout%s\n", stall->threads,
			stall->provable
				? ", all on private futexes: nothing but a signal can wake them"
				: "");
}

static void output__text_deadlocks(FILE *out, const struct process_snap *p,
				   const struct output_opts *opts)
{
	for (size_t k = 0; k < opts->n_deadlocks; k++) {
		const struct deadlock_cycle *c = &opts->deadlocks[k];

		if (c->pid != p->pid)
			continue;
		fprintf(out, "  deadlock: %zu threads wait for %s\n", c->n,
			deadlock_cycle__waits_for(c));
		for (size_t i = 0; i < c->n; i++)
			output__text_mutex_wait(out, p, c->links[i].waiter);
	}
}

/* With --min-blocked, a process none of whose waits is listed is left out. */
static bool process__shown(const struct process_snap *p, const struct output_opts *opts)
{
	if (!opts->min_blocked_ns)
		return true;
	for (size_t i = 0; i < p->n_threads; i++)
		if (p->threads[i]->wait.blocked && thread__listed(p->threads[i], opts))
			return true;
	return false;
}

/*
 * The threads not blocked (running, stopped...), a group per state after the blocked ones, as
 * a dump lists every thread; no stack: a running thread's would be stale as soon as read.
 * slots: room for the process's threads.
 */
static bool thread__unblocked(const struct thread_snap *th)
{
	return !th->wait.blocked && !th->rec.exit_state;
}

static void output__text_unblocked(FILE *out, const struct process_snap *p,
				   const struct thread_snap **slots)
{
	const char *states[8];
	size_t n_states = 0, k, n;

	for (size_t i = 0; i < p->n_threads; i++) {
		const struct thread_snap *th = p->threads[i];

		if (!thread__unblocked(th))
			continue;
		for (k = 0; k < n_states && strcmp(states[k], th->state); k++)
			;
		if (k == n_states && n_states < sizeof(states) / sizeof(states[0]))
			states[n_states++] = th->state;
	}
	for (k = 0; k < n_states; k++) {
		n = 0;
		for (size_t i = 0; i < p->n_threads; i++)
			if (thread__unblocked(p->threads[i]) &&
			    !strcmp(p->threads[i]->state, states[k]))
				slots[n++] = p->threads[i];
		fprintf(out, "  %zu @ [%s]\n", n, states[k]);
		output__text_tids(out, slots, n);
	}
}

static void output__text_process(FILE *out, const struct process_snap *p,
				 const struct stall_verdict *stall, const struct output_opts *opts,
				 struct group_buffers *b)
{
	char name[4 * LEAKMON_COMM_LEN + 1];
	size_t n_groups;

	if (!process__shown(p, opts))
		return;
	n_groups = groups__of_process(p, opts->min_blocked_ns, b);
	text__escape(p->comm, strlen(p->comm), name, sizeof(name));
	fprintf(out, "\nPID %" PRIu32 " %s: %" PRId64 " thread%s, %zu blocked\n", p->pid, name,
		p->thread_count, p->thread_count == 1 ? "" : "s", p->n_blocked);
	output__text_stall(out, stall);
	output__text_deadlocks(out, p, opts);
	for (size_t k = 0; k < n_groups; k++)
		output__text_group(out, p, &b->groups[k], opts);
	if (!opts->min_blocked_ns)
		output__text_unblocked(out, p, b->slots);
}

/* What a reader of a long dump must not miss, ending the header line: found further down. */
static void output__text_verdicts(FILE *out, const struct snapshot *s,
				  const struct output_opts *opts)
{
	size_t stalled = 0, deadlocks = 0;

	for (size_t i = 0; i < s->n_processes; i++) {
		const struct process_snap *p = &s->processes[i];

		if (!process__shown(p, opts))
			continue;
		stalled += opts->stalls[i].threads > 0;
		for (size_t k = 0; k < opts->n_deadlocks; k++)
			deadlocks += opts->deadlocks[k].pid == p->pid;
	}
	if (deadlocks)
		fprintf(out, ", %zu deadlock%s", deadlocks, deadlocks == 1 ? "" : "s");
	if (stalled)
		fprintf(out, ", %zu stalled process%s", stalled, stalled == 1 ? "" : "es");
	fputc('\n', out);
}

void output__snapshot_text(FILE *out, const struct snapshot *s, const struct output_opts *opts)
{
	struct group_buffers b;
	char when[64], hidden[1024];

	if (group_buffers__init(&b, s))
		goto cleanup;
	clock__iso8601(&s->wall, when, sizeof(when));
	fprintf(out, "leakmon snapshot %s: %zu process%s, %zu thread%s, %zu blocked", when,
		s->n_processes, s->n_processes == 1 ? "" : "es", s->n_threads,
		s->n_threads == 1 ? "" : "s", s->n_blocked);
	output__text_verdicts(out, s, opts);
	fprintf(out, "(count @ [wait, blocked for]; ~ marks times known only to within a "
		     "real-time thread's last run)\n");
	for (size_t i = 0; i < s->n_processes; i++)
		output__text_process(out, &s->processes[i], &opts->stalls[i], opts, &b);
	if (s->drops.blocked_state || s->drops.creator || (opts->hidden && opts->hidden->n))
		fputc('\n', out);
	if (s->drops.blocked_state)
		fprintf(out,
			"note: %" PRIu64 " sleeps the switch hook missed were dated from the "
			"scheduler's timestamps\n",
			s->drops.blocked_state);
	if (s->drops.creator)
		fprintf(out,
			"note: %" PRIu64
			" threads created while watched kept no creator's stack, or "
			"part of one (creator slots all held by live threads: --creator-slots)\n",
			s->drops.creator);
	if (opts->hidden && opts->hidden->n) {
		hidden__describe(opts->hidden, "not listed", hidden, sizeof(hidden));
		fprintf(out, "note: %s\n", hidden);
	}
cleanup:
	group_buffers__free(&b);
}
