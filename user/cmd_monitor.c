// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* leakmon [-p PID,...]: watch processes until Ctrl-C/SIGTERM, or until all of them exited. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "config.h"
#include "events.h"
#include "log.h"
#include "monitor.h"
#include "signals.h"
#include "tracker.h"

static int cmd_monitor__loop(const struct config *cfg, struct tracker *t, struct events *ev)
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
		err = monitor__tick(m, &done);
		if (err) {
			log_err("reading threads failed: %s", strerror(-err));
			break;
		}
		if (!done && signals__sleep(cfg->interval_ns))
			break;
	}
	if (!err)
		events__info(ev, "stop",
			     done ? "every watched process exited" : "stopped: detaching");
	monitor__free(m);
	return err;
}

int cmd_monitor(int argc, char **argv)
{
	struct events *ev = NULL;
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
	if (!cmd_monitor__loop(&cfg, t, ev))
		ret = EXIT_OK;
cleanup:
	tracker__free(t);
	events__free(ev);
	return ret;
}
