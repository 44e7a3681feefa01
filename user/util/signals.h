/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_SIGNALS_H
#define LEAKMON_SIGNALS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * SIGINT and SIGTERM only raise a flag; the main loop sees it and tears down. SIGHUP asks for
 * the configuration to be read again. Installed at main's first line: a signal while leakmon
 * starts is a request too.
 */
int signals__install(void);
bool signals__stop_requested(void);
/* Whether a reload was asked for since the last call. */
bool signals__take_reload(void);
/* Sleep ns unless a stop or reload is requested first: 0, or -EINTR for a stop. */
int signals__sleep(uint64_t ns);

#endif /* LEAKMON_SIGNALS_H */
