// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "output/metrics.h"
#include "util/log.h"
#include "util/text.h"

static const char *const alert_names[METRICS_N_ALERTS] = {
	[METRICS_ALERT_GROWTH] = "growth",
	[METRICS_ALERT_BLOCKED] = "blocked",
	[METRICS_ALERT_DEADLOCK] = "deadlock",
	[METRICS_ALERT_STALL] = "stall",
};

/*
 * A label value: valid UTF-8 kept, backslash, quote and newline escaped as the format wants,
 * other characters that steer terminals (text__hostile_code_point) and invalid bytes replaced
 * by '?': a process's name is its own.
 */
static void label__write(FILE *out, const char *s)
{
	size_t len = strlen(s);
	uint32_t cp;

	while (len) {
		size_t n = utf8__decode((const unsigned char *)s, len, &cp);

		if (n == 1 && (*s == '\\' || *s == '"'))
			fprintf(out, "\\%c", *s);
		else if (n == 1 && *s == '\n')
			fputs("\\n", out);
		else if (!n || text__hostile_code_point(cp))
			fputc('?', out);
		else
			fwrite(s, 1, n, out);
		s += n ? n : 1;
		len -= n ? n : 1;
	}
}

static void metric__head(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One series per listed process, labelled with its pid and name. */
static void metrics__process_series(FILE *out, const struct metrics_sample *m, const char *name,
				    const char *help,
				    int64_t (*value)(const struct metrics_process *))
{
	metric__head(out, name, "gauge", help);
	for (size_t i = 0; i < m->n_processes; i++) {
		fprintf(out, "%s{pid=\"%" PRIu32 "\",comm=\"", name, m->processes[i].pid);
		label__write(out, m->processes[i].comm);
		fprintf(out, "\"} %" PRId64 "\n", value(&m->processes[i]));
	}
}

static int64_t process__threads(const struct metrics_process *p)
{
	return p->threads;
}

static int64_t process__baseline(const struct metrics_process *p)
{
	return p->baseline;
}

static int64_t process__growing(const struct metrics_process *p)
{
	return p->growing;
}

static void metrics__render_processes(FILE *out, const struct metrics_sample *m)
{
	metrics__process_series(
		out, m, "leakmon_process_threads",
		"Live threads of a watched process (the largest, and every one with an alert).",
		process__threads);
	metrics__process_series(out, m, "leakmon_process_thread_baseline",
				"Threads of the process when leakmon began watching it.",
				process__baseline);
	metrics__process_series(out, m, "leakmon_process_growing",
				"1 while a growth alert stands for the process.", process__growing);
}

void metrics__render(FILE *out, const struct metrics_sample *m)
{
	const struct {
		const char *what;
		uint64_t n;
	} drops[] = {
		{ "blocked_since", m->drops.blocked_state },
		{ "creators", m->drops.creator },
	};

	metrics__render_processes(out, m);
	metric__head(out, "leakmon_blocked_threads", "gauge",
		     "Threads of watched processes blocked past the threshold, by wait reason.");
	for (size_t i = 0; i < m->n_blocked; i++)
		fprintf(out, "leakmon_blocked_threads{wait=\"%s\"} %" PRIu64 "\n",
			m->blocked[i].reason, m->blocked[i].threads);
	metric__head(out, "leakmon_alerts_total", "counter", "Alerts raised, by kind.");
	for (int i = 0; i < METRICS_N_ALERTS; i++)
		fprintf(out, "leakmon_alerts_total{kind=\"%s\"} %" PRIu64 "\n", alert_names[i],
			m->alerts[i]);
	metric__head(out, "leakmon_dropped_total", "counter",
		     "What the kernel side could not record: blocked_since (dated by the "
		     "scheduler instead) and creators (no created_by).");
	for (size_t i = 0; i < sizeof(drops) / sizeof(*drops); i++)
		fprintf(out, "leakmon_dropped_total{what=\"%s\"} %" PRIu64 "\n", drops[i].what,
			drops[i].n);
	metric__head(out, "leakmon_watched_processes", "gauge", "Processes watched.");
	fprintf(out, "leakmon_watched_processes %" PRIu64 "\n", m->watched_processes);
	metric__head(
		out, "leakmon_hidden_processes", "gauge",
		"Processes hidden from BPF task iterators by this kernel at start: not watched.");
	fprintf(out, "leakmon_hidden_processes %" PRIu64 "\n", m->hidden_processes);
	metric__head(out, "leakmon_watched_threads", "gauge", "Threads of the watched processes.");
	fprintf(out, "leakmon_watched_threads %" PRIu64 "\n", m->watched_threads);
	metric__head(out, "leakmon_scan_duration_seconds", "gauge",
		     "How long the last look at every watched thread took.");
	fprintf(out, "leakmon_scan_duration_seconds %.6f\n", m->tick_seconds);
}
