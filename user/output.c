// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "output.h"
#include "text.h"

#define GROUP_TIDS_SHOWN 8

static bool thread__listed(const struct thread_snap *th, const struct output_opts *opts)
{
	if (!opts->min_blocked_ns)
		return true;
	return th->wait.blocked && th->has_blocked_ns && th->blocked_ns >= opts->min_blocked_ns;
}

static void output__iso8601(const struct timespec *ts, char *buf, size_t size)
{
	struct tm tm;
	char base[32];

	gmtime_r(&ts->tv_sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%03ldZ", base, ts->tv_nsec / 1000000);
}

static void output__json_thread(struct json_writer *jw, const struct thread_snap *th)
{
	json__begin_object(jw);
	json__field_u64(jw, "tid", th->tid);
	json__field_string(jw, "comm", th->comm);
	json__field_string(jw, "state", th->state);
	json__field_string(jw, "wait", th->wait.kind);
	json__field_string(jw, "wait_object", th->wait.object);
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
	json__field_bool(jw, "blocked_since_estimated", th->estimated);
	json__key(jw, "stack");
	json__begin_array(jw);
	json__end_array(jw);
	json__end_object(jw);
}

void output__snapshot_json(FILE *out, const struct snapshot *s, const struct output_opts *opts)
{
	struct json_writer *jw = json_writer__new(out);
	char when[64];

	if (!jw)
		return;
	output__iso8601(&s->wall, when, sizeof(when));
	json__begin_object(jw);
	json__field_string(jw, "time", when);
	json__key(jw, "processes");
	json__begin_array(jw);
	for (size_t i = 0; i < s->n_procs; i++) {
		const struct proc_snap *p = &s->procs[i];

		json__begin_object(jw);
		json__field_u64(jw, "pid", p->pid);
		json__field_string(jw, "comm", p->comm);
		json__field_s64(jw, "thread_count", p->thread_count);
		json__field_bool(jw, "thread_count_exact", p->exact);
		json__key(jw, "threads");
		json__begin_array(jw);
		for (size_t j = 0; j < p->n_threads; j++)
			if (thread__listed(&p->threads[j], opts))
				output__json_thread(jw, &p->threads[j]);
		json__end_array(jw);
		json__end_object(jw);
	}
	json__end_array(jw);
	json__key(jw, "dropped");
	json__begin_object(jw);
	json__field_u64(jw, "thread_counts", s->drops.count_state);
	json__field_u64(jw, "blocked_since", s->drops.blocked_state);
	json__field_u64(jw, "process_counts", s->drops.proc_count);
	json__end_object(jw);
	json__end_object(jw);
	json_writer__free(jw);
}

/* Threads of one process that share a wait kind (and, once unwound, a stack). */
struct wait_group {
	const char *kind;
	size_t n;
	uint64_t min_ns, max_ns;
	bool estimated, unknown_duration, same_object;
	const struct thread_snap *first;
	const struct thread_snap **members;
};

static int group__cmp(const void *a, const void *b)
{
	const struct wait_group *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	if (x->max_ns != y->max_ns)
		return x->max_ns > y->max_ns ? -1 : 1;
	return strcmp(x->kind, y->kind);
}

static size_t output__group_threads(const struct proc_snap *p, const struct output_opts *opts,
				    struct wait_group *groups, const struct thread_snap **slots)
{
	size_t n_groups = 0, used = 0;

	for (size_t i = 0; i < p->n_threads; i++) {
		const struct thread_snap *th = &p->threads[i];
		struct wait_group *g = NULL;

		if (!th->wait.blocked || !thread__listed(th, opts))
			continue;
		for (size_t k = 0; k < n_groups && !g; k++)
			if (!strcmp(groups[k].kind, th->wait.kind))
				g = &groups[k];
		if (!g) {
			g = &groups[n_groups++];
			memset(g, 0, sizeof(*g));
			g->kind = th->wait.kind;
			g->first = th;
			g->min_ns = UINT64_MAX;
			g->same_object = true;
		}
		g->n++;
		g->estimated |= th->estimated;
		g->unknown_duration |= !th->has_blocked_ns;
		if (th->has_blocked_ns) {
			g->min_ns = th->blocked_ns < g->min_ns ? th->blocked_ns : g->min_ns;
			g->max_ns = th->blocked_ns > g->max_ns ? th->blocked_ns : g->max_ns;
		}
		g->same_object &= !strcmp(g->first->wait.object, th->wait.object);
	}
	/* Second pass: each group gets its run of slots, then its members. */
	for (size_t k = 0; k < n_groups; k++) {
		groups[k].members = slots + used;
		used += groups[k].n;
		groups[k].n = 0;
	}
	for (size_t i = 0; i < p->n_threads; i++) {
		const struct thread_snap *th = &p->threads[i];

		if (!th->wait.blocked || !thread__listed(th, opts))
			continue;
		for (size_t k = 0; k < n_groups; k++) {
			if (!strcmp(groups[k].kind, th->wait.kind)) {
				groups[k].members[groups[k].n++] = th;
				break;
			}
		}
	}
	qsort(groups, n_groups, sizeof(*groups), group__cmp);
	return n_groups;
}

static void output__text_group(FILE *out, const struct wait_group *g)
{
	char lo[32], hi[32], name[4 * LEAKMON_COMM_LEN + 1], object[4 * WAIT_OBJECT_LEN + 1];
	const char *tilde = g->estimated ? "~" : "";

	if (g->unknown_duration && !g->max_ns) {
		fprintf(out, "  %zu @ [%s]", g->n, g->kind);
	} else {
		text__duration(g->min_ns, lo, sizeof(lo));
		text__duration(g->max_ns, hi, sizeof(hi));
		if (!strcmp(lo, hi))
			fprintf(out, "  %zu @ [%s, %s%s]", g->n, g->kind, tilde, hi);
		else
			fprintf(out, "  %zu @ [%s, %s%s..%s]", g->n, g->kind, tilde, lo, hi);
	}
	if (g->same_object && *g->first->wait.object) {
		text__escape(g->first->wait.object, strlen(g->first->wait.object), object,
			     sizeof(object));
		fprintf(out, " on %s", object);
	} else if (!g->same_object) {
		fprintf(out, " on several objects");
	}
	fputs("\n     ", out);
	for (size_t i = 0; i < g->n && i < GROUP_TIDS_SHOWN; i++) {
		text__escape(g->members[i]->comm, strlen(g->members[i]->comm), name, sizeof(name));
		fprintf(out, " %" PRIu32 " %s%s", g->members[i]->tid, name,
			i + 1 < g->n && i + 1 < GROUP_TIDS_SHOWN ? "," : "");
	}
	if (g->n > GROUP_TIDS_SHOWN)
		fprintf(out, " and %zu more", g->n - GROUP_TIDS_SHOWN);
	fputc('\n', out);
}

static void output__text_process(FILE *out, const struct proc_snap *p,
				 const struct output_opts *opts, struct wait_group *groups,
				 const struct thread_snap **slots)
{
	char name[4 * LEAKMON_COMM_LEN + 1];
	size_t n_groups = output__group_threads(p, opts, groups, slots);

	if (opts->min_blocked_ns && !n_groups)
		return;
	text__escape(p->comm, strlen(p->comm), name, sizeof(name));
	fprintf(out, "\nPID %" PRIu32 " %s: %" PRId64 " thread%s%s, %zu blocked\n", p->pid, name,
		p->thread_count, p->thread_count == 1 ? "" : "s", p->exact ? "" : " (inexact)",
		p->n_blocked);
	for (size_t k = 0; k < n_groups; k++)
		output__text_group(out, &groups[k]);
}

void output__snapshot_text(FILE *out, const struct snapshot *s, const struct output_opts *opts)
{
	const struct thread_snap **slots = NULL;
	struct wait_group *groups = NULL;
	size_t most = 1;
	char when[64];

	for (size_t i = 0; i < s->n_procs; i++)
		most = s->procs[i].n_threads > most ? s->procs[i].n_threads : most;
	groups = calloc(most, sizeof(*groups));
	slots = calloc(most, sizeof(*slots));
	if (!groups || !slots)
		goto cleanup;
	output__iso8601(&s->wall, when, sizeof(when));
	fprintf(out, "leakmon snapshot %s: %zu process%s, %zu thread%s, %zu blocked\n", when,
		s->n_procs, s->n_procs == 1 ? "" : "es", s->n_threads, s->n_threads == 1 ? "" : "s",
		s->n_blocked);
	fprintf(out, "(count @ [wait, blocked for]; ~ marks waits begun before leakmon started, "
		     "dated from scheduler clocks)\n");
	for (size_t i = 0; i < s->n_procs; i++)
		output__text_process(out, &s->procs[i], opts, groups, slots);
	if (s->drops.count_state || s->drops.proc_count)
		fprintf(out,
			"\nwarning: %" PRIu64 " thread creations/exits and %" PRIu64
			" processes went uncounted (for the map: raise --max-processes); "
			"counts marked inexact\n",
			s->drops.count_state, s->drops.proc_count);
	if (s->drops.blocked_state)
		fprintf(out, "\nnote: %" PRIu64 " sleeps were not recorded; their start is estimated\n",
			s->drops.blocked_state);
cleanup:
	free(groups);
	free(slots);
}
