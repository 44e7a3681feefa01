// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "util/json.h"
#include "util/log.h"
#include "util/text.h"

static enum log_level log_max_level = LOG_LEVEL_INFO;
static bool log_json;
static bool log_journal; /* stderr is the journal: lines carry their syslog priority, <N> */
static struct timespec log_start;

static const char *const level_names[] = {
	[LOG_LEVEL_ERR] = "error",
	[LOG_LEVEL_WARN] = "warning",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug",
};

/* Debug lines carry the time since start-up: -v shows where the time goes. */
static double log__elapsed_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - log_start.tv_sec) * 1e3 +
	       (double)(now.tv_nsec - log_start.tv_nsec) / 1e6;
}

/*
 * Messages quote what users and processes chose (an option's value, a name): nothing in them may
 * steer the terminal or the journal, nor split an error into lines. Debug messages keep their
 * lines (libbpf's verifier log). NULL when out of memory: the message goes as it is.
 */
static char *log__make_safe(const char *text, size_t len, bool keep_lines)
{
	size_t size = 4 * len + 1;
	char *safe = malloc(size);

	if (safe)
		text__make_safe(text, len, safe, size, keep_lines);
	return safe;
}

__attribute__((format(printf, 2, 0))) static void log__vmsg(enum log_level level, const char *fmt,
							    va_list ap)
{
	struct json_writer *jw;
	char *text = NULL, *safe;
	size_t len;

	if (level > log_max_level)
		return;
	/* Any length: libbpf hands the whole verifier log over in one message. */
	if (vasprintf(&text, fmt, ap) < 0)
		return;
	len = strlen(text);
	while (len && text[len - 1] == '\n')
		text[--len] = '\0';
	safe = log__make_safe(text, len, level == LOG_LEVEL_DEBUG);
	if (safe) {
		free(text);
		text = safe;
	}
	if (!log_json) {
		if (log_journal)
			fprintf(stderr, "<%d>",
				level == LOG_LEVEL_ERR	  ? 3
				: level == LOG_LEVEL_WARN ? 4
				: level == LOG_LEVEL_INFO ? 6
							  : 7);
		if (level == LOG_LEVEL_ERR || level == LOG_LEVEL_WARN)
			fprintf(stderr, "leakmon: %s: %s\n", level_names[level], text);
		else if (level == LOG_LEVEL_DEBUG)
			fprintf(stderr, "leakmon: [%.1f ms] %s\n", log__elapsed_ms(), text);
		else
			fprintf(stderr, "leakmon: %s\n", text);
		free(text);
		return;
	}
	jw = json_writer__new(stderr);
	if (jw) {
		json__begin_object(jw);
		json__key(jw, level_names[level]);
		json__string(jw, text);
		json__end_object(jw);
		json_writer__free(jw);
	}
	free(text);
}

void log__msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log__vmsg(level, fmt, ap);
	va_end(ap);
}

/* libbpf's own messages are details of a failure we report ourselves: shown with -v. */
__attribute__((format(printf, 2, 0))) static int log__libbpf(enum libbpf_print_level level,
							     const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	log__vmsg(LOG_LEVEL_DEBUG, fmt, ap);
	return 0;
}

void log__setup(enum log_level max_level, bool json)
{
	if (!log_start.tv_sec)
		clock_gettime(CLOCK_MONOTONIC, &log_start);
	log_journal = log__journal_stream(STDERR_FILENO);
	log_max_level = max_level;
	log_json = json;
	libbpf_set_print(log__libbpf);
}

bool log__journal_stream(int fd)
{
	const char *stream = getenv("JOURNAL_STREAM");
	uintmax_t dev, ino;
	struct stat st;

	if (!stream || sscanf(stream, "%ju:%ju", &dev, &ino) != 2 || fstat(fd, &st))
		return false;
	return st.st_dev == dev && st.st_ino == ino;
}
