// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output/events.h"
#include "output/journal.h"
#include "output/output.h"
#include "proc/pipes.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/text.h"

struct events {
	FILE *out;  /* where this event is written: sink, or the journal entry's text */
	FILE *sink; /* stdout */
	bool json;
	bool journal;
	struct journal_entry entry; /* the event being written, in journal mode */
	char *text;
	size_t text_len;
};

struct events *events__new(FILE *out, enum events_mode mode)
{
	struct events *ev = calloc(1, sizeof(*ev));

	if (!ev)
		return NULL;
	ev->out = out;
	ev->sink = out;
	ev->json = mode == EVENTS_JSON;
	ev->journal = mode == EVENTS_JOURNAL;
	return ev;
}

/* Alerts are warnings in the journal; the rest (lifecycle, exits, ends of waits) is info. */
static bool event__alert(const char *event)
{
	static const char *const alerts[] = { "growth", "blocked", "deadlock", "stall" };

	for (size_t i = 0; i < sizeof(alerts) / sizeof(*alerts); i++)
		if (!strcmp(event, alerts[i]))
			return true;
	return false;
}

void events__free(struct events *ev)
{
	free(ev);
}

static void events__now(char *buf, size_t size, bool iso)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (iso) {
		clock__iso8601(&ts, buf, size);
	} else {
		localtime_r(&ts.tv_sec, &tm);
		strftime(buf, size, "%H:%M:%S", &tm);
	}
}

/*
 * The common head: JSON object opened with event, time, and the process's pid and comm if
 * it is about one (comm not NULL); or "time event pid comm:" for people.
 */
static struct json_writer *events__begin(struct events *ev, const char *event, uint32_t pid,
					 const char *comm)
{
	char when[64], name[4 * LEAKMON_COMM_LEN + 1];
	struct json_writer *jw;

	events__now(when, sizeof(when), ev->json);
	if (ev->journal) {
		ev->out = open_memstream(&ev->text, &ev->text_len);
		if (!ev->out) {
			ev->out = fopen("/dev/null", "we");
			ev->text = NULL;
		}
		ev->entry = (struct journal_entry){
			.event = event, .alert = event__alert(event), .comm = comm, .pid = pid
		};
		fprintf(ev->out, "%s", event);
		if (comm) {
			text__escape(comm, strlen(comm), name, sizeof(name));
			fprintf(ev->out, " pid %" PRIu32 " %s:", pid, name);
		}
		return NULL;
	}
	if (!ev->json) {
		fprintf(ev->out, "%s %-9s", when, event);
		if (comm) {
			text__escape(comm, strlen(comm), name, sizeof(name));
			fprintf(ev->out, " pid %" PRIu32 " %s:", pid, name);
		}
		return NULL;
	}
	jw = json_writer__new(ev->out);
	if (!jw)
		return NULL;
	json__begin_object(jw);
	json__field_string(jw, "event", event);
	json__field_string(jw, "time", when);
	if (comm) {
		json__field_u64(jw, "pid", pid);
		json__field_string(jw, "comm", comm);
	}
	return jw;
}

static void events__end(struct events *ev, struct json_writer *jw)
{
	if (jw) {
		json__end_object(jw);
		json_writer__free(jw);
	}
	if (ev->journal && ev->out && ev->out != ev->sink) {
		fclose(ev->out);
		ev->out = ev->sink;
		ev->entry.text = ev->text;
		if (ev->text)
			journal__send(&ev->entry);
		free(ev->text);
		ev->text = NULL;
		return;
	}
	fflush(ev->out);
}

/* The tids of a group beyond the first: "      and tids 46, 47, ..., and 12 more". */
#define EVENTS_TIDS_SHOWN 16

static void events__text_thread(struct events *ev, const struct process_snap *p,
				const struct thread_snap *th, const struct blocked_group *group)
{
	fputs("    ", ev->out);
	if (group && group->count > 1)
		fprintf(ev->out, "%zu threads alike%s, as ", group->count,
			group->update ? " now" : "");
	fputs("tid ", ev->out);
	output__text_thread(ev->out, th);
	fprintf(ev->out, " [%s",
		th->reason	? th->reason
		: th->wait.kind ? th->wait.kind
				: "running");
	if (th->has_blocked_ns)
		fprintf(ev->out, ", %s%.1fs", th->estimated ? "~" : "",
			(double)th->blocked_ns / 1e9);
	/* A wait re-armed: its current sleep is shorter than the wait. */
	if (th->has_blocked_ns && th->sleep_ns < th->blocked_ns)
		fprintf(ev->out, ", re-armed %.1fs ago", (double)th->sleep_ns / 1e9);
	fprintf(ev->out, "]%s%s", *th->wait.object ? " on " : "", th->wait.object);
	output__text_mutex_state(ev->out, p, th);
	fputc('\n', ev->out);
	if (group && group->count > 1) {
		fputs("      with tids", ev->out);
		for (size_t i = 0, shown = 0; i < group->count && shown < EVENTS_TIDS_SHOWN; i++)
			if (group->tids[i] != th->tid)
				fprintf(ev->out, "%s %" PRIu32, shown++ ? "," : "", group->tids[i]);
		if (group->count - 1 > EVENTS_TIDS_SHOWN)
			fprintf(ev->out, ", and %zu more", group->count - 1 - EVENTS_TIDS_SHOWN);
		fputc('\n', ev->out);
	}
	output__text_frames(ev->out, &th->stack);
	output__text_gil_held(ev->out, th, false);
	if (th->created_by) {
		fprintf(ev->out, "      created by");
		output__text_frame(ev->out, th->created_by);
		fputc('\n', ev->out);
	}
}

void events__growth(struct events *ev, const struct process_snap *p, int64_t baseline,
		    double rate_per_min, const struct growth_site *site,
		    const struct pipe_holders *holders)
{
	struct json_writer *jw = events__begin(ev, "growth", p->pid, p->comm);

	if (!ev->json) {
		fprintf(ev->out, " %" PRId64 " threads, baseline %" PRId64 ", +%.1f/min",
			p->thread_count, baseline, rate_per_min);
		if (site->count)
			fprintf(ev->out, "; %zu from %s (%zu when watching began)", site->count,
				site->start_routine ? site->start_routine : "(unknown start)",
				site->count_then);
		fputc('\n', ev->out);
		if (site->created_by) {
			fprintf(ev->out, "    created by");
			output__text_frame(ev->out, site->created_by);
			fputc('\n', ev->out);
		}
		if (site->example) {
			events__text_thread(ev, p, site->example, NULL);
			output__text_pipe_other_end(ev->out, p->pid, site->example, holders, false);
		}
		events__end(ev, NULL);
		return;
	}
	if (!jw)
		return;
	json__field_s64(jw, "thread_count", p->thread_count);
	json__field_s64(jw, "baseline", baseline);
	json__key(jw, "rate_per_min");
	json__double(jw, rate_per_min);
	json__key(jw, "site");
	json__begin_object(jw);
	json__field_string(jw, "start_routine", site->start_routine);
	output__json_frame_field(jw, "created_by", site->created_by);
	json__field_u64(jw, "count", site->count);
	json__field_u64(jw, "count_then", site->count_then);
	json__key(jw, "example");
	if (site->example) {
		json__begin_object(jw);
		output__json_thread_fields(jw, site->example, "thread_comm");
		output__json_pipe_other_end(jw, site->example, holders);
		json__end_object(jw);
	} else {
		json__null(jw);
	}
	json__end_object(jw);
	events__end(ev, jw);
}

void events__blocked(struct events *ev, const struct process_snap *p, const struct thread_snap *th,
		     const struct blocked_group *group, const struct pipe_holders *holders)
{
	struct json_writer *jw = events__begin(ev, "blocked", p->pid, p->comm);

	if (!ev->json) {
		fputc('\n', ev->out);
		events__text_thread(ev, p, th, group);
		output__text_pipe_other_end(ev->out, p->pid, th, holders, false);
		ev->entry.tid = th->tid;
		ev->entry.wait = th->reason ? th->reason : th->wait.kind;
		events__end(ev, NULL);
		return;
	}
	if (!jw)
		return;
	output__json_thread_fields(jw, th, "thread_comm");
	output__json_pipe_other_end(jw, th, holders);
	json__field_u64(jw, "count", group->count);
	json__key(jw, "tids");
	json__begin_array(jw);
	for (size_t i = 0; i < group->count; i++)
		json__u64(jw, group->tids[i]);
	json__end_array(jw);
	json__field_bool(jw, "update", group->update);
	events__end(ev, jw);
}

void events__unblocked(struct events *ev, uint32_t pid, const char *comm, uint32_t tid,
		       size_t count, double blocked_s, bool exited)
{
	struct json_writer *jw = events__begin(ev, "unblocked", pid, comm);

	if (!ev->json) {
		if (count > 1)
			fprintf(ev->out, " %zu threads alike, as", count);
		fprintf(ev->out, " tid %" PRIu32 " %s after %.1fs\n", tid,
			exited ? "exited" : "ran again", blocked_s);
		events__end(ev, NULL);
		return;
	}
	if (!jw)
		return;
	json__field_u64(jw, "tid", tid);
	json__field_u64(jw, "count", count);
	json__key(jw, "blocked_s");
	json__double(jw, blocked_s);
	json__field_bool(jw, "exited", exited);
	events__end(ev, jw);
}

void events__deadlock(struct events *ev, const struct process_snap *p,
		      const struct deadlock_cycle *cycle)
{
	const struct deadlock_link *links = cycle->links;
	size_t n = cycle->n;
	struct json_writer *jw = events__begin(ev, "deadlock", p->pid, p->comm);

	if (!ev->json) {
		/* Each thread's line names the mutex it waits for and who holds it. */
		fprintf(ev->out, " %zu threads wait for %s\n", n, deadlock_cycle__waits_for(cycle));
		for (size_t i = 0; i < n; i++)
			events__text_thread(ev, p, links[i].waiter, NULL);
		events__end(ev, NULL);
		return;
	}
	if (!jw)
		return;
	json__key(jw, "threads");
	json__begin_array(jw);
	for (size_t i = 0; i < n; i++) {
		json__begin_object(jw);
		output__json_thread_fields(jw, links[i].waiter, "thread_comm");
		json__field_string(jw, "mutex", deadlock_link__lock(&links[i]));
		json__field_u64(jw, "owner", links[i].owner);
		json__end_object(jw);
	}
	json__end_array(jw);
	events__end(ev, jw);
}

void events__stall(struct events *ev, const struct process_snap *p, bool provable)
{
	struct json_writer *jw = events__begin(ev, "stall", p->pid, p->comm);

	if (!ev->json) {
		fprintf(ev->out, " all %zu threads wait without a timeout%s\n", p->n_threads,
			provable ? ", all on private futexes: nothing but a signal can wake them"
				 : "");
		for (size_t i = 0; i < p->n_threads; i++)
			if (!p->threads[i]->rec.exit_state)
				events__text_thread(ev, p, p->threads[i], NULL);
		events__end(ev, NULL);
		return;
	}
	if (!jw)
		return;
	json__field_bool(jw, "provable", provable);
	json__key(jw, "threads");
	json__begin_array(jw);
	for (size_t i = 0; i < p->n_threads; i++) {
		if (p->threads[i]->rec.exit_state)
			continue;
		json__begin_object(jw);
		output__json_thread_fields(jw, p->threads[i], "thread_comm");
		json__end_object(jw);
	}
	json__end_array(jw);
	events__end(ev, jw);
}

void events__exit(struct events *ev, uint32_t pid, const char *comm)
{
	struct json_writer *jw = events__begin(ev, "exit", pid, comm);

	if (!ev->json)
		fprintf(ev->out, " exited\n");
	events__end(ev, jw);
}

void events__info(struct events *ev, const char *what, const char *message)
{
	struct json_writer *jw = events__begin(ev, what, 0, NULL);

	if (!ev->json) {
		fprintf(ev->out, " %s\n", message);
		events__end(ev, NULL);
		return;
	}
	if (!jw)
		return;
	json__field_string(jw, "message", message);
	events__end(ev, jw);
}
