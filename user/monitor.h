/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_MONITOR_H
#define LEAKMON_MONITOR_H

#include <stdbool.h>

#include "config.h"
#include "events.h"
#include "tracker.h"

/*
 * The live judgement: each tick reads every watched thread once and raises growth, blocked,
 * unblocked, deadlock and exit events, each once per episode (rules in the README).
 */
struct monitor;

int monitor__new(const struct config *cfg, struct tracker *t, struct events *ev,
		 struct monitor **out);
void monitor__free(struct monitor *m);
/* One look at the threads. *done is set once every process asked for with -p has exited. */
int monitor__tick(struct monitor *m, bool *done);

#endif /* LEAKMON_MONITOR_H */
