// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* leakmon snapshot: load, read every thread once, print, detach. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "cli/commands.h"
#include "config/config.h"
#include "analysis/deadlock.h"
#include "util/heap.h"
#include "analysis/hidden.h"
#include "util/log.h"
#include "output/output.h"
#include "proc/pipes.h"
#include "util/signals.h"
#include "model/snapshot.h"
#include "analysis/stall.h"
#include "analysis/capture.h"
#include "loader/tracker.h"

/* Frames' strings live in the snapshot: the symbolizer can go once they are read. */
static int cmd_snapshot__stacks(const struct config *cfg, struct tracker *t, struct snapshot *snap)
{
	struct capture_opts opts = {
		.min_blocked_ns = cfg->min_blocked_ns,
		.debuginfo = cfg->debuginfo,
	};
	int err;

	opts.symbols = symbolizer__new(NULL);
	if (!opts.symbols) {
		log_err("out of memory");
		return -ENOMEM;
	}
	err = capture__listed(t, snap, &opts);
	if (err)
		log_err("reading the stacks failed: %s", strerror(-err));
	else
		log_debug("stacks read");
	symbolizer__free(opts.symbols);
	return err;
}

/* Mutex cycles among the threads: their wait reasons come from the stacks. */
static int cmd_snapshot__deadlocks(struct snapshot *snap, struct deadlock_cycle **cycles,
				   size_t *n_cycles)
{
	struct deadlocks *found = deadlocks__new();
	int err = 0;

	if (!found)
		return -ENOMEM;
	for (size_t i = 0; i < snap->n_processes && !err; i++)
		err = deadlocks__find(found, &snap->processes[i], cycles, n_cycles);
	deadlocks__free(found);
	return err;
}

/*
 * A process's threads are read one after another, not at once: a thread read asleep may have
 * been woken by one read after it. Threads all asleep this long when read slept through the
 * whole read (it takes microseconds): a stall so seen is one.
 */
#define STALL_MIN_NS 1000000000ULL

/* Each process's stall verdict, in the snapshot's order; NULL when out of memory. */
static struct stall_verdict *cmd_snapshot__stalls(const struct snapshot *snap)
{
	struct stall_verdict *stalls = calloc(snap->n_processes + 1, sizeof(*stalls));

	for (size_t i = 0; stalls && i < snap->n_processes; i++)
		stalls[i].threads =
			stall__found(&snap->processes[i], STALL_MIN_NS, &stalls[i].provable);
	return stalls;
}

/* Who holds the other ends of the pipes that listed threads wait on: one pass over /proc. */
static void cmd_snapshot__pipe_holders(const struct snapshot *snap, uint64_t min_blocked_ns,
				       struct pipe_holders *holders)
{
	uint64_t *inodes = calloc(snap->n_threads + 1, sizeof(*inodes));
	size_t n = 0;

	for (size_t i = 0; inodes && i < snap->n_threads; i++) {
		const struct thread_snap *th = &snap->threads[i];

		if (wait__on_pipe(&th->wait) && snapshot__thread_listed(th, min_blocked_ns))
			inodes[n++] = th->rec.file_ino;
	}
	pipes__look_up(inodes, n, inodes ? 0 : -ENOMEM, holders);
	free(inodes);
}

int cmd_snapshot(int argc, char **argv)
{
	struct output_opts out_opts = {};
	struct deadlock_cycle *cycles = NULL;
	struct stall_verdict *stalls = NULL;
	struct pipe_holders pipes = {};
	struct hidden_processes hidden = {};
	struct snapshot *snap = NULL;
	size_t n_cycles = 0;
	uint64_t boot_ns;
	struct tracker *t = NULL;
	struct config cfg;
	int err, ret;

	ret = commands__setup(&cfg, CONFIG_FOR_SNAPSHOT, argc, argv);
	if (ret >= 0)
		return ret;
	heap__prefer_huge_pages();
	/* Without --delay, nothing happens between attaching and reading for a hook to see. */
	ret = commands__attach(&cfg, TRACKER_PINS_SHARE, !cfg.delay_ns, &t);
	if (ret != EXIT_OK)
		return ret;
	ret = EXIT_FAIL;
	log_debug("reading threads in %.3fs", (double)cfg.delay_ns / 1e9);
	if (cfg.delay_ns && signals__sleep(cfg.delay_ns)) {
		log_err("interrupted before the snapshot was taken");
		goto cleanup;
	}
	boot_ns = clock__boot_ns();
	err = snapshot__take(t, &snap);
	if (err) {
		log_err("taking the snapshot failed: %s", strerror(-err));
		goto cleanup;
	}
	log_debug("snapshot taken: %zu threads", snap->n_threads);
	if (!cfg.no_stacks) {
		if (cmd_snapshot__stacks(&cfg, t, snap))
			goto cleanup;
		cmd_snapshot__pipe_holders(snap, cfg.min_blocked_ns, &pipes);
		out_opts.pipes = &pipes;
	}
	err = cmd_snapshot__deadlocks(snap, &cycles, &n_cycles);
	if (err) {
		log_err("looking for deadlocks failed: %s", strerror(-err));
		goto cleanup;
	}
	stalls = cmd_snapshot__stalls(snap);
	if (!stalls) {
		log_err("out of memory");
		goto cleanup;
	}
	if (cfg.n_pids && hidden__warn_asked(snap, cfg.pids, cfg.n_pids) == cfg.n_pids) {
		log_err("nothing to show: every process asked for is hidden from BPF task "
			"iterators "
			"by this kernel");
		goto cleanup;
	}
	if (!cfg.n_pids) {
		hidden__find(snap, boot_ns, &hidden);
		out_opts.hidden = &hidden;
	}
	out_opts.min_blocked_ns = cfg.min_blocked_ns;
	out_opts.deadlocks = cycles;
	out_opts.n_deadlocks = n_cycles;
	out_opts.stalls = stalls;
	if (cfg.json)
		output__snapshot_json(stdout, snap, &out_opts);
	else
		output__snapshot_text(stdout, snap, &out_opts);
	if (fflush(stdout)) {
		log_err("writing the snapshot failed");
		goto cleanup;
	}
	ret = EXIT_OK;
cleanup:
	free(stalls);
	free(cycles);
	pipes__free(&pipes);
	hidden__free(&hidden);
	snapshot__free(snap);
	tracker__free(t);
	return ret;
}
