/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_STRPOOL_H
#define LEAKMON_STRPOOL_H

#include <stddef.h>

/*
 * Interned strings: thousands of frames name the same few functions, modules and files, so
 * each distinct string is stored once and frames point into the pool, which outlives them.
 */
struct strpool;

struct strpool *strpool__new(void);
void strpool__free(struct strpool *p);
/* The pooled copy of s (NULL for NULL, or when out of memory). */
const char *strpool__intern(struct strpool *p, const char *s);

#endif /* LEAKMON_STRPOOL_H */
