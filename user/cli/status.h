/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_STATUS_H
#define LEAKMON_STATUS_H

#include <stddef.h>
#include <stdio.h>

#include "monitor/monitor.h"

/*
 * For people at a terminal: a block of lines under the scrolling events, redrawn each tick,
 * with the most notable watched processes, their thread counts and a trend (sparkline).
 */
struct status;

struct status *status__new(FILE *out);
void status__free(struct status *st);
/* Remove the block, so that events print where it was. */
void status__erase(struct status *st);
/* Draw n trends (of total watched processes) at the bottom. */
void status__draw(struct status *st, const struct process_trend *trends, size_t n, size_t total);
/* How many processes the block has room for. */
size_t status__rows(const struct status *st);

#endif /* LEAKMON_STATUS_H */
