/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_CLOCK_H
#define LEAKMON_CLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* CLOCK_MONOTONIC now, in nanoseconds: the clock the kernel dates sleeps and starts with. */
uint64_t clock__mono_ns(void);
/* CLOCK_BOOTTIME now, in nanoseconds: the clock /proc dates processes' starts with. */
uint64_t clock__boot_ns(void);
/* A wall-clock time as ISO 8601 in UTC with milliseconds: 2026-11-27T21:40:40.669Z. */
void clock__iso8601(const struct timespec *ts, char *buf, size_t size);

#endif /* LEAKMON_CLOCK_H */
