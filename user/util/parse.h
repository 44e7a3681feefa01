/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_PARSE_H
#define LEAKMON_PARSE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Strict parsers for user input: the whole text must be consumed, values must fit. Each returns
 * 0 or -EINVAL (malformed) / -ERANGE (out of range), and leaves *out untouched on error.
 */
int parse__u32(const char *text, uint32_t min, uint32_t max, uint32_t *out);
/* "1.5s", "250ms", "10m", "2h", "1d"; a bare number is seconds. */
int parse__duration(const char *text, uint64_t *out_ns);
/* "123" or "123,456": positive pids, duplicates dropped, at most max_pids. */
int parse__pid_list(const char *text, uint32_t *pids, size_t max_pids, size_t *n_pids);

/* "127.0.0.1:9464", "[::1]:9464", "localhost:9464": a numeric address or localhost, a port. */
int parse__listen_address(const char *text, char *host, size_t host_size, uint16_t *port);
/* Comma-separated items, none empty, printable ASCII without spaces; copied into out. */
int parse__list(const char *text, char *out, size_t out_size);
/* The same, each item a shell pattern as fnmatch() reads it (every [ closed by a ]). */
int parse__pattern_list(const char *text, char *out, size_t out_size);

#endif /* LEAKMON_PARSE_H */
