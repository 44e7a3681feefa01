/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_MONITOR_H
#define LEAKMON_MONITOR_H

#include <stdbool.h>

#include "config/config.h"
#include "loader/tracker.h"
#include "output/events.h"
#include "output/metrics.h"

/*
 * The live judgement: each tick reads every watched thread once and raises growth, blocked,
 * unblocked, deadlock, stall and exit events, each once per episode (docs/monitor.md).
 */
struct monitor;

#define TREND_COLUMNS 20

/* A watched process's thread count over the last two growth windows, for people to see. */
struct process_trend {
	uint32_t pid;
	char comm[LEAKMON_COMM_LEN + 1];
	int64_t baseline, count;
	int64_t columns[TREND_COLUMNS]; /* oldest first: the highest count in each span, or -1 */
	bool alerted, stalled;
};

int monitor__new(const struct config *cfg, struct tracker *t, struct events *ev,
		 struct monitor **out);
void monitor__free(struct monitor *m);
/* One look at the threads. *done is set once every process asked for with -p has exited. */
int monitor__tick(struct monitor *m, bool *done);
/* Take changed settings: which processes are watched, which wait kinds are alerted. */
void monitor__reconfigure(struct monitor *m);
/* What the metrics show of the last tick; the caller frees out->processes and out->blocked. */
int monitor__metrics(const struct monitor *m, struct metrics_sample *out);
/* How many processes are watched. */
size_t monitor__n_watched(const struct monitor *m);
/*
 * How many processes are alive but hidden from the task iterator, found at the first tick: of
 * those asked for (-p), or of all.
 */
size_t monitor__n_hidden(const struct monitor *m);
/* The max most notable watched processes (alerted, then grown, then largest); how many. */
size_t monitor__trends(const struct monitor *m, uint64_t now_ns, struct process_trend *out,
		       size_t max);

#endif /* LEAKMON_MONITOR_H */
