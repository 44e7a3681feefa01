/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_CONFIG_H
#define LEAKMON_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CONFIG_MAX_PIDS 1024
#define CONFIG_LIST_LEN 1024
#define CONFIG_PATH_LEN 4096

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
	HOOKS_NONE, /* not a setting: the iterator alone, for reads that need no hook */
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
	/* Which processes the monitor watches: comma-separated patterns, "" for none. */
	char watch_names[CONFIG_LIST_LEN], watch_executables[CONFIG_LIST_LEN];
	char watch_cgroups[CONFIG_LIST_LEN];
	char ignore_names[CONFIG_LIST_LEN], ignore_executables[CONFIG_LIST_LEN];
	char ignore_cgroups[CONFIG_LIST_LEN];
	/*
	 * Rules by frame, comma-separated shell patterns over function names: a wait under one of
	 * the stuck functions raises an event past the threshold whatever its kind (a database's
	 * lock wait on a condvar); one under an idle function never does (a pool parked on a mutex
	 * by design). The frame nearest the wait that either list names decides.
	 */
	char stuck_functions[CONFIG_LIST_LEN], idle_functions[CONFIG_LIST_LEN];
	char metrics_host[64]; /* "" when not serving metrics */
	uint16_t metrics_port;
	uint32_t metrics_top;	/* processes with a thread-count series, beside those with alerts */
	uint32_t creator_slots; /* threads whose creator's stack can be kept at once */
	char config_path[CONFIG_PATH_LEN]; /* --config: "" for none */
	enum hook_mode hooks;
	enum debuginfo_mode debuginfo;
	bool json;
	bool no_stacks;
	bool pin; /* monitor: pin the live state for snapshots to share */
	bool verbose;
	bool help;
};

/*
 * The commands a setting is for. On the command line, another command's option is a usage
 * error; a file may set every key (one file serves the service and snapshots alike).
 */
enum config_command {
	CONFIG_FOR_MONITOR = 1 << 0,
	CONFIG_FOR_SNAPSHOT = 1 << 1,
	CONFIG_FOR_ALL = CONFIG_FOR_MONITOR | CONFIG_FOR_SNAPSHOT,
};

enum config_error {
	CONFIG_OK,
	CONFIG_BAD_ARGS, /* a bad option: exit 2 */
	CONFIG_BAD_FILE, /* an unreadable file or a bad line in it: exit 1 */
};

/*
 * Defaults, then the file named by --config, then the rest of the command line over it. Every
 * error is logged first (a file's name its line number). Used at start and on reload (SIGHUP).
 */
enum config_error config__load(struct config *cfg, enum config_command command, int argc,
			       char **argv);
/* The parts of load; config__parse_args returns 0 or -EINVAL after logging. */
int config__init(struct config *cfg);
int config__parse_args(struct config *cfg, enum config_command command, int argc, char **argv);
/* key = value lines, # comments; keys are the long option names. 0 or -EINVAL after logging. */
int config__parse_file(struct config *cfg, const char *path);
/* Whether blocked waits of this reason raise events on their own (--blocked-kinds). */
bool config__kind_alerted(const struct config *cfg, const char *reason);
/* On reload: put back what cannot change while running (pids, hooks, ...), warning for each. */
void config__keep_restart_only(struct config *fresh, const struct config *running);
/* A configuration file listing every key with its help and default, commented out. */
void config__print_file(FILE *out);
/* The options with their defaults, for --help. */
void config__print_options(FILE *out);
/* Whether --json is among the arguments, before parsing: errors then come out as JSON too. */
bool config__wants_json(int argc, char **argv);

#endif /* LEAKMON_CONFIG_H */
