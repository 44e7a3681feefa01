// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* leakmon [-p PID,...]: watch processes until Ctrl-C/SIGTERM, or until all of them exited. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/service.h"
#include "cli/status.h"
#include "config/config.h"
#include "loader/tracker.h"
#include "monitor/monitor.h"
#include "output/events.h"
#include "output/metrics.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/signals.h"

/* The terminal's block of trends, redrawn under the events of each tick. */
static void cmd_monitor__draw(struct status *st, const struct monitor *m)
{
	struct process_trend trends[16];
	size_t rows = status__rows(st), n;

	if (rows > sizeof(trends) / sizeof(*trends))
		rows = sizeof(trends) / sizeof(*trends);
	n = monitor__trends(m, clock__mono_ns(), trends, rows);
	status__draw(st, trends, n, monitor__n_watched(m));
}

/* The command line, kept to read the configuration again on SIGHUP. */
struct monitor_args {
	int argc;
	char **argv;
};

/* Read the settings again; a bad file keeps the running ones. */
static void cmd_monitor__reload(struct config *cfg, const struct monitor_args *args,
				struct monitor *m, struct events *ev)
{
	struct config fresh;

	service__reloading();
	if (config__load(&fresh, CONFIG_FOR_MONITOR, args->argc, args->argv) != CONFIG_OK) {
		log_err("reload: the settings were not changed");
	} else {
		config__keep_restart_only(&fresh, cfg);
		*cfg = fresh;
		monitor__reconfigure(m);
		events__info(ev, "reload",
			     cfg->config_path[0] ? "settings read again"
						 : "no --config file: nothing to read");
	}
	service__ready("watching");
}

/* Render what the last tick saw for the metrics server to serve. */
static void cmd_monitor__publish(struct metrics_server *srv, const struct monitor *m)
{
	struct metrics_sample sample;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (monitor__metrics(m, &sample))
		goto cleanup;
	f = open_memstream(&text, &len);
	if (!f)
		goto cleanup;
	metrics__render(f, &sample);
	if (!fclose(f))
		metrics__publish(srv, text, len);
cleanup:
	free(text);
	free(sample.processes);
	free(sample.blocked);
}

static int cmd_monitor__loop(struct config *cfg, const struct monitor_args *args, struct tracker *t,
			     struct events *ev, struct status *st, struct metrics_server *srv)
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
	service__ready(what);
	while (!done && !signals__stop_requested()) {
		if (signals__take_reload())
			cmd_monitor__reload(cfg, args, m, ev);
		if (st)
			status__erase(st);
		err = monitor__tick(m, &done);
		if (err) {
			log_err("reading threads failed: %s", strerror(-err));
			break;
		}
		if (done && cfg->n_pids && monitor__n_hidden(m) == cfg->n_pids) {
			log_err("nothing to watch: every process asked for is hidden from BPF task "
				"iterators by this kernel");
			err = -ESRCH;
			break;
		}
		if (st && !done)
			cmd_monitor__draw(st, m);
		if (srv)
			cmd_monitor__publish(srv, m);
		if (!done && signals__sleep(cfg->interval_ns))
			break;
	}
	service__stopping();
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
	struct monitor_args args = { argc, argv };
	struct metrics_server *srv = NULL;
	struct events *ev = NULL;
	struct status *st = NULL;
	struct tracker *t = NULL;
	struct config cfg;
	int ret;

	ret = commands__setup(&cfg, CONFIG_FOR_MONITOR, argc, argv);
	if (ret >= 0)
		return ret;
	if (!cfg.interval_ns || !cfg.growth_window_ns) {
		log_err("--interval and --growth-window must be more than 0");
		return EXIT_USAGE;
	}
	/* Before attaching: an address in use is the user's to fix, and nothing is left behind. */
	if (cfg.metrics_host[0] && metrics__start(cfg.metrics_host, cfg.metrics_port, &srv))
		return EXIT_FAIL;
	ret = commands__attach(&cfg, cfg.pin ? TRACKER_PINS_CREATE : TRACKER_PINS_NONE, false, &t);
	if (ret != EXIT_OK)
		goto cleanup;
	ret = EXIT_FAIL;
	ev = events__new(stdout, cfg.json			      ? EVENTS_JSON
				 : log__journal_stream(STDOUT_FILENO) ? EVENTS_JOURNAL
								      : EVENTS_TEXT);
	if (!ev)
		goto cleanup;
	if (!cfg.json && isatty(STDOUT_FILENO)) {
		st = status__new(stdout);
		if (!st)
			goto cleanup;
	}
	if (!cmd_monitor__loop(&cfg, &args, t, ev, st, srv))
		ret = EXIT_OK;
cleanup:
	metrics__stop(srv);
	tracker__free(t);
	events__free(ev);
	status__free(st);
	return ret;
}
