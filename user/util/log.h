/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_LOG_H
#define LEAKMON_LOG_H

#include <stdbool.h>

enum log_level {
	LOG_LEVEL_ERR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

/* Diagnostics go to stderr; as JSON objects when the user asked for --json. */
void log__setup(enum log_level max_level, bool json);
/* Whether fd writes to the journal ($JOURNAL_STREAM names its device and inode). */
bool log__journal_stream(int fd);
void log__msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...) log__msg(LOG_LEVEL_ERR, __VA_ARGS__)
#define log_warn(...) log__msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...) log__msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log__msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif /* LEAKMON_LOG_H */
