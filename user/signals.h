/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_SIGNALS_H
#define LEAKMON_SIGNALS_H

#include <stdbool.h>
#include <stdint.h>

/* SIGINT and SIGTERM only raise a flag; the main loop sees it and tears down. */
int signals__install(void);
bool signals__stop_requested(void);
/* Sleep ns unless a stop is requested first: 0, or -EINTR. */
int signals__sleep(uint64_t ns);

#endif /* LEAKMON_SIGNALS_H */
