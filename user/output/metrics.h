/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_METRICS_H
#define LEAKMON_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "leakmon.h"
#include "loader/tracker.h"

/*
 * Prometheus metrics: what the monitor saw at its last look, rendered in the text exposition
 * format (metrics.c) and served at http://ADDR:PORT/metrics from a thread of its own
 * (metrics_server.c).
 */
enum metrics_alert {
	METRICS_ALERT_GROWTH,
	METRICS_ALERT_BLOCKED,
	METRICS_ALERT_DEADLOCK,
	METRICS_ALERT_STALL,
	METRICS_N_ALERTS,
};

struct metrics_process {
	uint32_t pid;
	char comm[LEAKMON_COMM_LEN + 1];
	int64_t threads, baseline;
	bool growing; /* a growth alert stands */
	bool alerted; /* growing or stalled */
};

struct metrics_reason {
	const char *reason; /* static strings */
	uint64_t threads;
};

struct metrics_sample {
	struct metrics_process *processes; /* the largest, and every one with an alert */
	size_t n_processes;
	struct metrics_reason *blocked; /* threads blocked past the threshold, by wait reason */
	size_t n_blocked;
	uint64_t alerts[METRICS_N_ALERTS]; /* events raised since start */
	struct tracker_drops drops;
	uint64_t watched_processes, watched_threads;
	uint64_t hidden_processes; /* alive but hidden from the task iterator: not watched */
	double tick_seconds;	   /* how long the last look took */
};

void metrics__render(FILE *out, const struct metrics_sample *m);

struct metrics_server;

/* Bind host:port (bad address, port in use: -errno after an error naming it) and serve. */
int metrics__start(const char *host, uint16_t port, struct metrics_server **out);
/* Serve this text from now on (copied); until the first, /metrics answers 503. */
int metrics__publish(struct metrics_server *srv, const char *text, size_t len);
void metrics__stop(struct metrics_server *srv);

#endif /* LEAKMON_METRICS_H */
