// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* leakmon snapshot: load, read every thread once, print, detach. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/pipeline.h"
#include "cli/commands.h"
#include "config/config.h"
#include "loader/tracker.h"
#include "model/snapshot.h"
#include "output/output.h"
#include "util/clock.h"
#include "util/heap.h"
#include "util/log.h"
#include "util/signals.h"

/*
 * A process's threads are read one after another, not at once: a thread read asleep may have
 * been woken by one read after it. Threads all asleep this long when read slept through the
 * whole read (it takes microseconds): a stall so seen is one.
 */
#define STALL_MIN_NS 1000000000ULL

/* The stacks of the blocked threads listed: a wait just begun is listed only when all are. */
static void cmd_snapshot__judge(void *ctx, struct snapshot *snap,
				const struct stall_verdict *stalls)
{
	const struct config *cfg = ctx;

	(void)stalls;
	for (size_t i = 0; i < snap->n_threads; i++)
		snap->threads[i].stack_wanted =
			snap->threads[i].wait.blocked &&
			snapshot__thread_listed(&snap->threads[i], cfg->min_blocked_ns);
}

/* Who holds the other ends of the pipes that listed threads wait on. */
static bool cmd_snapshot__wants_pipe(void *ctx, const struct thread_snap *th)
{
	const struct config *cfg = ctx;

	return snapshot__thread_listed(th, cfg->min_blocked_ns);
}

static const struct pipeline_hooks cmd_snapshot__hooks = {
	.judge = cmd_snapshot__judge,
	.wants_pipe = cmd_snapshot__wants_pipe,
};

int cmd_snapshot(int argc, char **argv)
{
	struct pipeline_opts look = { .hooks = &cmd_snapshot__hooks, .own_runtimes = true };
	struct output_opts out_opts = {};
	struct findings found = {};
	struct snapshot *snap = NULL;
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
	look.boot_ns = clock__boot_ns();
	err = snapshot__take(t, &snap);
	if (err) {
		log_err("taking the snapshot failed: %s", strerror(-err));
		goto cleanup;
	}
	log_debug("snapshot taken: %zu threads", snap->n_threads);
	/* Frames' strings live in the snapshot: the symbolizer can go once they are read. */
	look.symbols = cfg.no_stacks ? NULL : symbolizer__new(NULL);
	if (!cfg.no_stacks && !look.symbols) {
		log_err("out of memory");
		goto cleanup;
	}
	look.t = t;
	look.ctx = &cfg;
	look.debuginfo = cfg.debuginfo;
	look.no_stacks = cfg.no_stacks;
	look.read_woken = !cfg.min_blocked_ns;
	look.stall_min_ns = STALL_MIN_NS;
	look.asked = cfg.pids;
	look.n_asked = cfg.n_pids;
	look.find_hidden = !cfg.n_pids;
	err = pipeline__run(snap, &look, &found);
	symbolizer__free(look.symbols);
	if (err) {
		log_err("looking at the threads failed: %s", strerror(-err));
		goto cleanup;
	}
	log_debug("threads looked at");
	if (signals__stop_requested()) {
		log_err("interrupted before the snapshot was printed");
		goto cleanup;
	}
	if (cfg.n_pids && found.n_hidden == cfg.n_pids) {
		log_err("nothing to show: every process asked for is hidden from BPF task "
			"iterators by this kernel");
		goto cleanup;
	}
	out_opts.hidden = cfg.n_pids ? NULL : &found.hidden;
	out_opts.pipes = cfg.no_stacks ? NULL : &found.pipes;
	out_opts.min_blocked_ns = cfg.min_blocked_ns;
	out_opts.deadlocks = found.cycles;
	out_opts.n_deadlocks = found.n_cycles;
	out_opts.stalls = found.stalls;
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
	findings__free(&found);
	snapshot__free(snap);
	tracker__free(t);
	return ret;
}
