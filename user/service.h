/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_SERVICE_H
#define LEAKMON_SERVICE_H

#include <stdbool.h>

/*
 * Life under systemd: readiness, reloads and stopping told to the service manager (a Type=notify
 * unit; nothing happens outside one), and whether a descriptor is connected to the journal.
 */
void service__ready(const char *status);
void service__reloading(void);
void service__stopping(void);
/* fd is the journal's stream ($JOURNAL_STREAM names its device and inode). */
bool service__journal_stream(int fd);

#endif /* LEAKMON_SERVICE_H */
