/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_GROWTH_H
#define LEAKMON_GROWTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Whether one process's thread count grows, from counts sampled each interval: the samples of
 * the last two growth windows, and the highest count of the two to four windows before them.
 */
struct growth_sample {
	uint64_t t_ns;
	int64_t count;
};

struct growth {
	struct growth_sample *samples; /* the last two windows, oldest first */
	size_t n, cap;
	bool has_past;		/* a sample has left the two windows: verdicts can be given */
	int64_t past_peak[2];	/* highest count aged out: in the span before, in this span */
	uint64_t past_since_ns; /* when this span of aged-out samples began */
	bool alerted;		/* growth was found and the count has not drained since */
	int64_t grew_from;	/* while alerted: the floor it grew from */
	double rate_per_min;	/* of the growth last found */
};

/* A count taken at now_ns; -ENOMEM loses it. */
int growth__add_sample(struct growth *g, uint64_t now_ns, int64_t count, uint64_t window_ns);
/*
 * True when the count grows at now_ns and had not been found growing since it last drained:
 * a new episode, which g remembers (alerted, grew_from, rate_per_min).
 */
bool growth__new_episode(struct growth *g, uint64_t now_ns, uint64_t window_ns);
/*
 * Whether the count rises now: the floor of the last half window above the half before. The
 * first sign of a growth, a window or more before the verdict.
 */
bool growth__rising(const struct growth *g, uint64_t now_ns, uint64_t window_ns);
/* The last count sampled, or otherwise if none is kept. */
int64_t growth__latest(const struct growth *g, int64_t otherwise);
void growth__free(struct growth *g);

#endif /* LEAKMON_GROWTH_H */
