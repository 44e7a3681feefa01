// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Thread churn as a throughput: one spawner per CPU creates a thread and joins it, as fast as it
 * can, for argv[1] seconds (default 3). Prints the threads created and joined per second.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static atomic_bool stop;

static void *exit_at_once(void *arg)
{
	return arg;
}

static void *spawn_and_join(void *arg)
{
	unsigned long *joined = arg;
	pthread_t t;

	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		if (pthread_create(&t, NULL, exit_at_once, NULL)) {
			perror("pthread_create");
			exit(1);
		}
		pthread_join(t, NULL);
		(*joined)++;
	}
	return NULL;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 3, start, elapsed;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned long total = 0, *joined;
	pthread_t *spawners;

	if (seconds <= 0 || cpus < 1) {
		fprintf(stderr, "usage: churn_rate [SECONDS]\n");
		return 2;
	}
	spawners = calloc(cpus, sizeof(*spawners));
	joined = calloc(cpus, sizeof(*joined));
	if (!spawners || !joined) {
		perror("calloc");
		return 1;
	}
	start = now_s();
	for (long i = 0; i < cpus; i++) {
		if (pthread_create(&spawners[i], NULL, spawn_and_join, &joined[i])) {
			perror("pthread_create");
			return 1;
		}
	}
	usleep(seconds * 1e6);
	atomic_store(&stop, true);
	for (long i = 0; i < cpus; i++) {
		pthread_join(spawners[i], NULL);
		total += joined[i];
	}
	elapsed = now_s() - start;
	printf("%.0f threads/s\n", total / elapsed);
	free(spawners);
	free(joined);
	return 0;
}
