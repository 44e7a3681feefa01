/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_MAPS_H
#define LEAKMON_MAPS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A file-backed mapping of a process, from /proc/PID/maps. */
struct mapping {
	uint64_t start, end;
	char *path; /* as the kernel prints it, e.g. with " (deleted)" */
};

struct maps {
	struct mapping *maps;
	size_t n;
	char *text; /* the file-backed and [vdso] lines as read, for dwfl_linux_proc_maps_report */
	size_t text_len;
};

/*
 * Read the file-backed mappings from a /proc/PID/maps stream. Lines that do not parse are
 * skipped: the text comes from the kernel, but paths come from whoever named the files.
 * Anonymous mappings (a thread stack each: most lines in a process of many threads) are dropped
 * before any parsing.
 */
int maps__read(FILE *f, struct maps *out);
void maps__free(struct maps *m);
/* The first mapping of path, or NULL. */
const struct mapping *maps__find(const struct maps *m, const char *path);

#endif /* LEAKMON_MAPS_H */
