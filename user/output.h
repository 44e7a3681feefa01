/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_OUTPUT_H
#define LEAKMON_OUTPUT_H

#include <stdint.h>
#include <stdio.h>

#include "snapshot.h"

struct output_opts {
	uint64_t min_blocked_ns; /* list only threads blocked at least this long (0: all) */
};

/* One JSON document: the names other tools rely on are documented in the README. */
void output__snapshot_json(FILE *out, const struct snapshot *s, const struct output_opts *opts);
/* For people: per process, blocked threads grouped like a goroutine dump, largest group first. */
void output__snapshot_text(FILE *out, const struct snapshot *s, const struct output_opts *opts);

#endif /* LEAKMON_OUTPUT_H */
