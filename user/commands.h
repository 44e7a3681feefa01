/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_COMMANDS_H
#define LEAKMON_COMMANDS_H

#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2

/* Each subcommand takes its own argv (argv[0] is the command name) and returns an exit code. */
int cmd_snapshot(int argc, char **argv);
void usage(void);

#endif /* LEAKMON_COMMANDS_H */
