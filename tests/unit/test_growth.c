// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The growth rule on series of thread counts, sampled every 500 ms with a 10 s window. */
#include <stdlib.h>

#include "monitor/growth.h"
#include "unit.h"

#define INTERVAL_NS 500000000ULL
#define WINDOW_NS 10000000000ULL
#define TICKS_PER_S 2

typedef int64_t (*count_at_fn)(unsigned int tick);

struct run {
	unsigned int episodes;
	unsigned int tick[4]; /* of the first episodes */
	int64_t grew_from;    /* of the first episode */
	double rate_per_min;  /* of the first episode */
};

/* Sample count_at at every tick of [0, ticks) as the monitor does, counting new episodes. */
static struct run run_series(count_at_fn count_at, unsigned int ticks, struct growth *g)
{
	struct run r = { 0 };
	unsigned int lost = 0;

	for (unsigned int tick = 0; tick < ticks; tick++) {
		uint64_t now = (tick + 1) * INTERVAL_NS;

		lost += growth__add_sample(g, now, count_at(tick), WINDOW_NS) != 0;
		if (!growth__new_episode(g, now, WINDOW_NS))
			continue;
		if (!r.episodes) {
			r.grew_from = g->grew_from;
			r.rate_per_min = g->rate_per_min;
		}
		if (r.episodes < 4)
			r.tick[r.episodes] = tick;
		r.episodes++;
	}
	CHECK(lost == 0, "%u counts lost", lost);
	return r;
}

/*
 * A churning pool between 3 and 5 threads whose samples make three floors in a row rise by
 * chance: the window before 3, the first half of the last one 4, its second half 5.
 */
static int64_t swinging_unluckily(unsigned int tick)
{
	unsigned int in_window = tick % (2 * 10 * TICKS_PER_S);

	if (in_window < 10 * TICKS_PER_S)
		return 3 + tick % 3;
	if (in_window < 15 * TICKS_PER_S)
		return 4 + tick % 2;
	return 5;
}

/* The same pool, sampled at random as measured (3: 16%, 4: 30%, 5: 54% of the time). */
static int64_t swinging_at_random(unsigned int tick)
{
	int r = rand() % 100;

	(void)tick;
	return r < 16 ? 3 : r < 46 ? 4 : 5;
}

/* A leak of two threads a second beside a pool that swings by one. */
static int64_t leaking(unsigned int tick)
{
	return 10 + tick + (tick % 3 == 0);
}

/* Seen first in a burst of 50, settled at 10, then leaking two a second from 30 s on. */
static int64_t leaking_after_a_burst(unsigned int tick)
{
	if (tick < 2)
		return 50;
	if (tick < 30 * TICKS_PER_S)
		return 10;
	return 10 + (tick - 30 * TICKS_PER_S);
}

/* A start-up burst of 100 for a window, 10 threads for a minute, then a slow leak (6/min). */
static int64_t leaking_long_after_a_burst(unsigned int tick)
{
	if (tick < 10 * TICKS_PER_S)
		return 100;
	if (tick < 70 * TICKS_PER_S)
		return 10;
	return 10 + (tick - 70 * TICKS_PER_S) / (10 * TICKS_PER_S);
}

/* A pool that grew once, from 5 to 50 threads, and stays there. */
static int64_t growing_once(unsigned int tick)
{
	return tick < 25 * TICKS_PER_S ? 5 : 50;
}

/* A leak to 70 threads drained back to 10 at 60 s, then leaking again from 120 s on. */
static int64_t leaking_twice(unsigned int tick)
{
	if (tick < 60 * TICKS_PER_S)
		return 10 + tick / 2;
	if (tick < 120 * TICKS_PER_S)
		return 10;
	return 10 + (tick - 120 * TICKS_PER_S) / 2;
}

int main(void)
{
	struct growth g = { 0 };
	struct run r;

	r = run_series(leaking, 19 * TICKS_PER_S, &g);
	CHECK(r.episodes == 0, "no verdict before two windows of counts: %u", r.episodes);
	growth__free(&g);

	r = run_series(swinging_unluckily, 600 * TICKS_PER_S, &g);
	CHECK(r.episodes == 0, "a pool swinging 3-5 is not growing: %u episodes", r.episodes);
	growth__free(&g);

	srand(1);
	for (int seed = 0; seed < 20; seed++) {
		r = run_series(swinging_at_random, 600 * TICKS_PER_S, &g);
		CHECK(r.episodes == 0, "10 minutes of random swings, round %d: %u episodes", seed,
		      r.episodes);
		growth__free(&g);
	}

	r = run_series(leaking, 120 * TICKS_PER_S, &g);
	CHECK(r.episodes == 1, "a leak is one episode while it grows: %u", r.episodes);
	CHECK(r.tick[0] <= 21 * TICKS_PER_S, "found as soon as two windows are seen: tick %u",
	      r.tick[0]);
	CHECK(r.rate_per_min >= 100 && r.rate_per_min <= 140, "about 120 a minute: %.1f",
	      r.rate_per_min);
	CHECK(growth__latest(&g, -1) == leaking(120 * TICKS_PER_S - 1), "latest %lld",
	      (long long)growth__latest(&g, -1));
	growth__free(&g);
	CHECK(growth__latest(&g, -1) == -1, "nothing kept: %lld",
	      (long long)growth__latest(&g, -1));

	r = run_series(leaking_after_a_burst, 120 * TICKS_PER_S, &g);
	CHECK(r.episodes == 1,
	      "first seen at a peak, then leaking: one episode, not one a tick: %u", r.episodes);
	CHECK(r.grew_from < 50, "it grew from its floor, not from the count first seen: %lld",
	      (long long)r.grew_from);
	CHECK(r.tick[0] <= (30 + 50) * TICKS_PER_S,
	      "found once past the burst it was first seen in: tick %u", r.tick[0]);
	growth__free(&g);

	r = run_series(leaking_long_after_a_burst, 300 * TICKS_PER_S, &g);
	CHECK(r.episodes == 1, "a start-up burst is forgotten: the slow leak after it is found: %u",
	      r.episodes);
	growth__free(&g);

	r = run_series(growing_once, 300 * TICKS_PER_S, &g);
	CHECK(r.episodes == 0, "a pool that grew once to a new size: %u episodes", r.episodes);
	growth__free(&g);

	r = run_series(leaking_twice, 240 * TICKS_PER_S, &g);
	CHECK(r.episodes == 2 && r.tick[0] < 60 * TICKS_PER_S && r.tick[1] > 120 * TICKS_PER_S,
	      "drained, then leaking again: a second episode: %u, at ticks %u and %u", r.episodes,
	      r.tick[0], r.tick[1]);
	growth__free(&g);

	return unit__finish("test_growth");
}
