/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_SERVICE_H
#define LEAKMON_SERVICE_H

/*
 * Life under systemd: readiness, reloads and stopping told to the service manager (a Type=notify
 * unit; nothing happens outside one).
 */
void service__ready(const char *status);
void service__reloading(void);
void service__stopping(void);

#endif /* LEAKMON_SERVICE_H */
