// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* leakmon: thread leaks and stuck threads, for every OS thread on the machine. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "config/config.h"
#include "util/log.h"
#include "util/signals.h"

#ifndef LEAKMON_VERSION
#define LEAKMON_VERSION "unknown"
#endif

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
};

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

static const struct command commands[] = {
	{ "monitor", cmd_monitor,
	  "watch processes (the default: leakmon [-p PID]): growth, stuck threads, deadlocks" },
	{ "snapshot", cmd_snapshot, "print every thread: counts per process, what each waits on" },
	{ "version", cmd_version, "print the version" },
	{ "help", cmd_help, "show this help" },
};

void usage(void)
{
	printf("Usage: leakmon [COMMAND] [OPTIONS]\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		printf("  %-10s %s\n", commands[i].name, commands[i].help);
	printf("\nOptions:\n");
	config__print_options(stdout);
	printf("\nDurations: 500ms, 10s, 5m, 1h, 1d. Exit codes: 0 ok, 1 failure, 2 usage.\n");
	printf("Every setting, the events and the files: man 8 leakmon.\n");
}

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	usage();
	return EXIT_OK;
}

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("leakmon %s\n", LEAKMON_VERSION);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : NULL;
	/*
	 * First of all: a SIGHUP, SIGINT or SIGTERM at any moment (a service manager's reload
	 * during start-up) is a request, never an exit by the signal's default.
	 */
	int err = signals__install();

	if (err) {
		fprintf(stderr, "leakmon: error: installing signal handlers failed: %s\n",
			strerror(-err));
		return EXIT_FAIL;
	}
	if (name && (!strcmp(name, "--help") || !strcmp(name, "-h")))
		return cmd_help(argc - 1, argv + 1);
	if (name && !strcmp(name, "--version"))
		return cmd_version(argc - 1, argv + 1);
	log__setup(LOG_LEVEL_INFO, config__wants_json(argc, argv));
	/* Options alone, or nothing: the monitor, as the service runs it. */
	if (!name || name[0] == '-')
		return cmd_monitor(argc, argv);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(name, commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	log_err("unknown command '%s' (see 'leakmon help')", name);
	return EXIT_USAGE;
}
