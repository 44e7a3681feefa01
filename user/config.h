/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_CONFIG_H
#define LEAKMON_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CONFIG_MAX_PIDS 1024

/* Which DWARF to read for source lines and inlined frames. */
enum debuginfo_mode {
	DEBUGINFO_EMBEDDED, /* the debug information inside the mapped files themselves */
	DEBUGINFO_ALL,	    /* also separate debug files (/usr/lib/debug, -dbg packages) */
	DEBUGINFO_NONE,	    /* symbol names only */
};

enum hook_mode {
	HOOKS_AUTO,
	HOOKS_TP_BTF,
	HOOKS_RAW_TP,
};

/* Every knob of leakmon. Filled from the settings table in config.c and nowhere else. */
struct config {
	uint32_t pids[CONFIG_MAX_PIDS];
	size_t n_pids;
	uint64_t min_blocked_ns;
	uint64_t delay_ns;
	uint64_t interval_ns;
	uint64_t growth_window_ns;
	uint64_t blocked_threshold_ns;
	char blocked_kinds[256]; /* comma-separated wait reasons that raise blocked events, or all
				  */
	uint32_t max_processes;
	enum hook_mode hooks;
	enum debuginfo_mode debuginfo;
	bool json;
	bool no_stacks;
	bool verbose;
	bool help;
};

/* Defaults first, then the command line. Returns 0, or -EINVAL after logging the bad option. */
int config__init(struct config *cfg);
int config__parse_args(struct config *cfg, int argc, char **argv);
/* Whether blocked waits of this reason raise events on their own (--blocked-kinds). */
bool config__kind_alerted(const struct config *cfg, const char *reason);
/* The options with their defaults, for --help. */
void config__print_options(FILE *out);
/* Whether --json is among the arguments, before parsing: errors then come out as JSON too. */
bool config__wants_json(int argc, char **argv);

#endif /* LEAKMON_CONFIG_H */
