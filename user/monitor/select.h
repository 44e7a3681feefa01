/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_SELECT_H
#define LEAKMON_SELECT_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"

/*
 * Which processes the monitor watches: with any --watch-* list, only those matching one of
 * them; never those matching an --ignore-* list. Names and executables match shell patterns;
 * a cgroup matches itself and every cgroup below it.
 */
bool select__any(const struct config *cfg);
bool select__watched(const struct config *cfg, uint32_t pid, const char *comm);

#endif /* LEAKMON_SELECT_H */
