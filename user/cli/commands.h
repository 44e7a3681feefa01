/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_COMMANDS_H
#define LEAKMON_COMMANDS_H

#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2

#include "config/config.h"
#include "loader/tracker.h"

/* Parse options and set up logging: -1 to go on, else the exit code (help 0, bad input 2). */
int commands__setup(struct config *cfg, enum config_command command, int argc, char **argv);
/*
 * Check pids (2), privileges and BTF (1), install signal handlers, load and attach (sharing
 * state with other leakmon processes as pins says): 0 or the exit code.
 */
int commands__attach(const struct config *cfg, enum tracker_pins pins, bool read_at_once,
		     struct tracker **t);

/* Each subcommand takes its own argv (argv[0] is the command name) and returns an exit code. */
int cmd_snapshot(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
void usage(void);

#endif /* LEAKMON_COMMANDS_H */
