// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* leakmon [-p PID,...]: watch processes until Ctrl-C/SIGTERM, or until all of them exited. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "config.h"
#include "events.h"
#include "log.h"
#include "monitor.h"
#include "signals.h"
#include "status.h"
#include "tracker.h"

/* The terminal's block of trends, redrawn under the events of each tick. */
static void cmd_monitor__draw(struct status *st, const struct monitor *m)
{
	struct process_trend trends[16];
	size_t rows = status__rows(st), n;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (rows > sizeof(trends) / sizeof(*trends))
		rows = sizeof(trends) / sizeof(*trends);
	n = monitor__trends(m, (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec, trends,
			    rows);
	status__draw(st, trends, n, monitor__n_watched(m));
}

static int cmd_monitor__loop(const struct config *cfg, struct tracker *t, struct events *ev,
			     struct status *st)
{
	struct monitor *m = NULL;
	char what[128];
	bool done = false;
	int err;

	err = monitor__new(cfg, t, ev, &m);
	if (err) {
		log_err("starting the monitor failed: %s", strerror(-err));
		return err;
	}
	if (cfg->n_pids)
		snprintf(what, sizeof(what), "watching %zu process%s", cfg->n_pids,
			 cfg->n_pids == 1 ? "" : "es");
	else
		snprintf(what, sizeof(what), "watching every process");
	events__info(ev, "start", what);
	while (!done && !signals__stop_requested()) {
		if (st)
			status__erase(st);
		err = monitor__tick(m, &done);
		if (err) {
			log_err("reading threads failed: %s", strerror(-err));
			break;
		}
		if (st && !done)
			cmd_monitor__draw(st, m);
		if (!done && signals__sleep(cfg->interval_ns))
			break;
	}
	if (st)
		status__erase(st);
	if (!err)
		events__info(ev, "stop",
			     done ? "every watched process exited" : "stopped: detaching");
	monitor__free(m);
	return err;
}

int cmd_monitor(int argc, char **argv)
{
	struct events *ev = NULL;
	struct status *st = NULL;
	struct tracker *t = NULL;
	struct config cfg;
	int ret;

	ret = commands__setup(&cfg, argc, argv);
	if (ret >= 0)
		return ret;
	if (!cfg.interval_ns || !cfg.growth_window_ns) {
		log_err("--interval and --growth-window must be more than 0");
		return EXIT_USAGE;
	}
	ret = commands__attach(&cfg, &t);
	if (ret != EXIT_OK)
		return ret;
	ret = EXIT_FAIL;
	ev = events__new(stdout, cfg.json);
	if (!ev)
		goto cleanup;
	if (!cfg.json && isatty(STDOUT_FILENO)) {
		st = status__new(stdout);
		if (!st)
			goto cleanup;
	}
	if (!cmd_monitor__loop(&cfg, t, ev, st))
		ret = EXIT_OK;
cleanup:
	tracker__free(t);
	events__free(ev);
	status__free(st);
	return ret;
}
