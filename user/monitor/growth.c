// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>

#include "monitor/growth.h"
#include "util/array.h"

/* Aged-out samples are kept as peaks of spans this many windows long, the last two of them. */
#define GROWTH_PAST_SPAN_WINDOWS 2

static void growth__age_out(struct growth *g, const struct growth_sample *s, uint64_t window)
{
	if (!g->has_past || s->t_ns - g->past_since_ns >= GROWTH_PAST_SPAN_WINDOWS * window) {
		g->past_peak[0] = g->has_past ? g->past_peak[1] : INT64_MIN;
		g->past_peak[1] = INT64_MIN;
		g->past_since_ns = s->t_ns;
		g->has_past = true;
	}
	if (s->count > g->past_peak[1])
		g->past_peak[1] = s->count;
}

int growth__add_sample(struct growth *g, uint64_t now_ns, int64_t count, uint64_t window_ns)
{
	struct growth_sample *grown;
	size_t kept = 0;

	for (size_t i = 0; i < g->n; i++) {
		if (now_ns - g->samples[i].t_ns >= 2 * window_ns)
			growth__age_out(g, &g->samples[i], window_ns);
		else
			g->samples[kept++] = g->samples[i];
	}
	g->n = kept;
	grown = array__grow(g->samples, &g->cap, g->n, sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	g->samples = grown;
	g->samples[g->n++] = (struct growth_sample){ .t_ns = now_ns, .count = count };
	return 0;
}

/* The lowest count in (from, to]: what a burst that drains does not raise. */
static int64_t growth__floor(const struct growth *g, uint64_t from, uint64_t to)
{
	int64_t floor = INT64_MAX;

	for (size_t i = 0; i < g->n; i++)
		if (g->samples[i].t_ns > from && g->samples[i].t_ns <= to &&
		    g->samples[i].count < floor)
			floor = g->samples[i].count;
	return floor;
}

/*
 * Sustained growth: the floor of the count (its lowest value) over the last window is above
 * the floor of the window before, still rising within the last window (its second half's floor
 * above its first half's), and that second half's floor is above every count of the two to four
 * windows before those two. Bursts that drain leave floors alone; a pool that grew once to a new
 * steady size rises once, then stays flat. The last condition is for counts that swing: with a
 * few samples per window, a floor misses the lowest count now and then, and three floors in a
 * row can rise by chance; a count that only swings within its range never leaves it behind.
 */
bool growth__new_episode(struct growth *g, uint64_t now_ns, uint64_t window_ns)
{
	int64_t prev, recent, early, late, past_peak;

	if (!g->has_past)
		return false;
	prev = growth__floor(g, now_ns - 2 * window_ns, now_ns - window_ns);
	recent = growth__floor(g, now_ns - window_ns, now_ns);
	early = growth__floor(g, now_ns - window_ns, now_ns - window_ns / 2);
	late = growth__floor(g, now_ns - window_ns / 2, now_ns);
	if (prev == INT64_MAX || early == INT64_MAX || late == INT64_MAX)
		return false;
	/* An episode ends when the count drains back to the floor it grew from. */
	if (g->alerted && recent <= g->grew_from)
		g->alerted = false;
	past_peak = g->past_peak[0] > g->past_peak[1] ? g->past_peak[0] : g->past_peak[1];
	if (g->alerted || recent <= prev || late <= early || late <= past_peak)
		return false;
	g->alerted = true;
	g->grew_from = prev;
	g->rate_per_min = (double)(recent - prev) * 60e9 / (double)window_ns;
	return true;
}

bool growth__rising(const struct growth *g, uint64_t now_ns, uint64_t window_ns)
{
	int64_t early = growth__floor(g, now_ns - window_ns, now_ns - window_ns / 2);
	int64_t late = growth__floor(g, now_ns - window_ns / 2, now_ns);

	return early != INT64_MAX && late != INT64_MAX && late > early;
}

int64_t growth__latest(const struct growth *g, int64_t otherwise)
{
	return g->n ? g->samples[g->n - 1].count : otherwise;
}

void growth__free(struct growth *g)
{
	if (!g)
		return;
	free(g->samples);
	g->samples = NULL;
	g->n = g->cap = 0;
}
