// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The cost per run of each thread creation program of fork_reads.bpf.c and of leakmon's fork
 * hook, each attached alone while thread churn runs, in an order that rotates from round to
 * round, against the empty program in the same round: a program attached beside another would
 * find the memory it reads already touched by the other. Then the pid slot's read beside each
 * program that touches memory near it earlier in clone(), against the one that touches nothing.
 * leakmon's hook is the variant leakmon picks: the one that asks bpf_task_from_pid() (6.2)
 * where the kernel has it.
 *
 * Usage: fork_reads CHURN_RATE [ROUNDS]: CHURN_RATE is the churn_rate tool, run for 1 s a turn.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "fork_reads.skel.h"

#define MAX_PROGRAMS 16
#define MAX_ROUNDS 99
#define FORK_SECTION "tp_btf/sched_process_fork"
#define NEW_TASK_SECTION "tp_btf/task_newtask"

struct turn_cost {
	double ns_per_run;
	unsigned long long runs;
};

/*
 * Programs taking turns: each alone (measured NULL: each is measured), or each beside the one
 * measured. baseline: the turn the others are compared with.
 */
struct rotation {
	struct bpf_program *turns[MAX_PROGRAMS];
	int nturns;
	int baseline;
	struct bpf_program *measured;
	struct turn_cost costs[MAX_ROUNDS][MAX_PROGRAMS];
};

static int program__stats(struct bpf_program *prog, unsigned long long *ns,
			  unsigned long long *runs)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int err;

	err = bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len);
	if (err)
		return err;
	*ns = info.run_time_ns;
	*runs = info.run_cnt;
	return 0;
}

/* Run the churn tool for a second, its rate thrown away: only the programs' runs count. */
static int churn__run(const char *churn_rate)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		if (!freopen("/dev/null", "w", stdout))
			_exit(127);
		execl(churn_rate, churn_rate, "1", (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -ECHILD;
}

/* measured's cost per run while churn runs, with beside (if any) attached too. */
static int program__measure(struct bpf_program *measured, struct bpf_program *beside,
			    const char *churn_rate, struct turn_cost *cost)
{
	struct bpf_link *link, *beside_link = NULL;
	unsigned long long ns0, runs0, ns1, runs1;
	int err;

	link = bpf_program__attach(measured);
	if (!link)
		return -errno;
	if (beside) {
		beside_link = bpf_program__attach(beside);
		if (!beside_link) {
			err = -errno;
			goto cleanup;
		}
	}
	err = program__stats(measured, &ns0, &runs0);
	if (!err)
		err = churn__run(churn_rate);
	if (!err)
		err = program__stats(measured, &ns1, &runs1);
	if (!err && runs1 == runs0)
		err = -ENODATA;
	if (!err) {
		cost->runs = runs1 - runs0;
		cost->ns_per_run = (double)(ns1 - ns0) / cost->runs;
	}
cleanup:
	bpf_link__destroy(beside_link);
	bpf_link__destroy(link);
	return err;
}

static int rotation__run(struct rotation *rot, int rounds, const char *churn_rate)
{
	int r, i, err;

	for (r = 0; r < rounds; r++) {
		for (i = 0; i < rot->nturns; i++) {
			int t = (i + r) % rot->nturns;
			struct bpf_program *turn = rot->turns[t];

			if (rot->measured)
				err = program__measure(rot->measured, turn, churn_rate,
						       &rot->costs[r][t]);
			else
				err = program__measure(turn, NULL, churn_rate, &rot->costs[r][t]);
			if (err) {
				fprintf(stderr, "fork_reads: %s: %s\n", bpf_program__name(turn),
					err == -ENODATA ? "never ran" : strerror(-err));
				return err;
			}
		}
	}
	return 0;
}

static int double__cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Sorts values in place; min, median, max. */
static void spread(double *values, int n, double *min, double *med, double *max)
{
	qsort(values, n, sizeof(*values), double__cmp);
	*min = values[0];
	*med = n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
	*max = values[n - 1];
}

static void rotation__print(const struct rotation *rot, int rounds, const char *against)
{
	double ns[MAX_ROUNDS], ratio[MAX_ROUNDS], runs[MAX_ROUNDS], min, med, max, rmin, rmed, rmax;
	int t, r;

	printf("| %-24s | %10s | %-22s | %-22s |\n", "program", "runs", "ns per run", against);
	printf("| %-24s | %10s | %-22s | %-22s |\n", "---", "---:", "---:", "---:");
	for (t = 0; t < rot->nturns; t++) {
		char ns_cell[64], ratio_cell[64];

		for (r = 0; r < rounds; r++) {
			ns[r] = rot->costs[r][t].ns_per_run;
			ratio[r] = ns[r] / rot->costs[r][rot->baseline].ns_per_run;
			runs[r] = rot->costs[r][t].runs;
		}
		spread(ns, rounds, &min, &med, &max);
		snprintf(ns_cell, sizeof(ns_cell), "%.1f (%.1f-%.1f)", med, min, max);
		spread(ratio, rounds, &rmin, &rmed, &rmax);
		snprintf(ratio_cell, sizeof(ratio_cell), "%.2fx (%.2f-%.2f)", rmed, rmin, rmax);
		spread(runs, rounds, &min, &med, &max);
		printf("| %-24s | %10.0f | %-22s | %-22s |\n", bpf_program__name(rot->turns[t]),
		       med, ns_cell, ratio_cell);
	}
}

/* The loaded programs of a section take turns; baseline names the turn compared with. */
static int rotation__fill(struct rotation *rot, struct bpf_object *obj, const char *section,
			  const char *baseline, struct bpf_program *measured)
{
	struct bpf_program *prog;

	rot->nturns = 0;
	rot->baseline = -1;
	rot->measured = measured;
	bpf_object__for_each_program(prog, obj)
	{
		if (!bpf_program__autoload(prog) || prog == measured ||
		    strcmp(bpf_program__section_name(prog), section))
			continue;
		if (rot->nturns == MAX_PROGRAMS) {
			fprintf(stderr, "fork_reads: more than %d programs at %s\n", MAX_PROGRAMS,
				section);
			return -E2BIG;
		}
		if (!strcmp(bpf_program__name(prog), baseline))
			rot->baseline = rot->nturns;
		rot->turns[rot->nturns++] = prog;
	}
	if (rot->baseline < 0) {
		fprintf(stderr, "fork_reads: no program %s at %s\n", baseline, section);
		return -ENOENT;
	}
	return 0;
}

static struct fork_reads_bpf *fork_reads__load(bool task_from_pid)
{
	struct fork_reads_bpf *skel = fork_reads_bpf__open();

	if (!skel)
		return NULL;
	bpf_program__set_autoload(skel->progs.thread_created_btf, task_from_pid);
	bpf_program__set_autoload(skel->progs.thread_created_btf_newest, !task_from_pid);
	if (fork_reads_bpf__load(skel)) {
		fork_reads_bpf__destroy(skel);
		return NULL;
	}
	return skel;
}

int main(int argc, char **argv)
{
	static struct rotation alone, beside;
	struct fork_reads_bpf *skel = NULL;
	int rounds = 7, stats_fd = -1, ret = 1;

	if (argc < 2 || argc > 3 || (argc == 3 && (rounds = atoi(argv[2])) < 1) ||
	    rounds > MAX_ROUNDS) {
		fprintf(stderr, "usage: fork_reads CHURN_RATE [ROUNDS (1-%d)]\n", MAX_ROUNDS);
		return 2;
	}
	if (access(argv[1], X_OK)) {
		fprintf(stderr, "fork_reads: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats_fd < 0) {
		fprintf(stderr, "fork_reads: enabling BPF run-time statistics failed: %s\n",
			strerror(-stats_fd));
		goto cleanup;
	}
	skel = fork_reads__load(true);
	if (!skel)
		skel = fork_reads__load(false);
	if (!skel) {
		fprintf(stderr, "fork_reads: loading the programs failed: %s\n", strerror(errno));
		goto cleanup;
	}
	if (rotation__fill(&alone, skel->obj, FORK_SECTION, "reads_nothing", NULL) ||
	    rotation__fill(&beside, skel->obj, NEW_TASK_SECTION, "touches_nothing",
			   skel->progs.reads_pid_slot) ||
	    rotation__run(&alone, rounds, argv[1]) || rotation__run(&beside, rounds, argv[1]))
		goto cleanup;
	printf("cost per run of a thread creation hook by what it reads, each program alone, "
	       "thread\n"
	       "churn 1 s a turn, %d rounds in rotating order; against the empty program in the "
	       "same\n"
	       "round (the statistics' own cost, two clock reads, is in all): median, then "
	       "min-max\n",
	       rounds);
	rotation__print(&alone, rounds, "x the empty program");
	printf("\nreads_pid_slot per run beside a program that touches memory near its slot "
	       "first,\n"
	       "in the same clone() (task_newtask); against the one that touches nothing\n");
	rotation__print(&beside, rounds, "x touching nothing");
	ret = 0;
cleanup:
	fork_reads_bpf__destroy(skel);
	if (stats_fd >= 0)
		close(stats_fd);
	return ret;
}
