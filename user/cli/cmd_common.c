// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* What every command does first: options, logging, checks, attaching. */
#include <string.h>

#include "cli/commands.h"
#include "loader/pins.h"
#include "loader/preflight.h"
#include "util/log.h"
#include "util/signals.h"

int commands__setup(struct config *cfg, enum config_command command, int argc, char **argv)
{
	log__setup(LOG_LEVEL_INFO, config__wants_json(argc, argv));
	switch (config__load(cfg, command, argc, argv)) {
	case CONFIG_BAD_ARGS:
		return EXIT_USAGE;
	case CONFIG_BAD_FILE:
		return EXIT_FAIL;
	case CONFIG_OK:
		break;
	}
	/* A SIGHUP that came while the settings were read asks for what was just read. */
	signals__take_reload();
	log__setup(cfg->verbose ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO, cfg->json);
	if (cfg->help) {
		usage();
		return EXIT_OK;
	}
	return -1;
}

int commands__attach(const struct config *cfg, enum tracker_pins pins, bool read_at_once,
		     struct tracker **t)
{
	struct tracker_opts opts = {
		.hooks = cfg->hooks,
		.read_at_once = read_at_once,
		.tgids = cfg->pids,
		.n_tgids = cfg->n_pids,
		.pins = pins,
		.pin_dir = PINS_DIR,
		.creator_slots = cfg->creator_slots,
	};

	if (preflight__check_pids(cfg->pids, cfg->n_pids, true))
		return EXIT_USAGE;
	if (preflight__check_btf(KERNEL_BTF_PATH) || preflight__check_privileges())
		return EXIT_FAIL;
	if (!cfg->no_stacks)
		preflight__check_stack_access();
	return tracker__new(&opts, t) ? EXIT_FAIL : EXIT_OK;
}
