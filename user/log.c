// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "json.h"
#include "log.h"

static enum log_level log_max_level = LOG_LEVEL_INFO;
static bool log_json;

static const char *const level_names[] = {
	[LOG_LEVEL_ERR] = "error",
	[LOG_LEVEL_WARN] = "warning",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug",
};

static void log__vmsg(enum log_level level, const char *fmt, va_list ap)
{
	struct json_writer *jw;
	char text[1024];
	size_t len;

	if (level > log_max_level)
		return;
	vsnprintf(text, sizeof(text), fmt, ap);
	len = strlen(text);
	while (len && text[len - 1] == '\n')
		text[--len] = '\0';
	if (!log_json) {
		if (level == LOG_LEVEL_ERR || level == LOG_LEVEL_WARN)
			fprintf(stderr, "leakmon: %s: %s\n", level_names[level], text);
		else
			fprintf(stderr, "leakmon: %s\n", text);
		return;
	}
	jw = json_writer__new(stderr);
	if (!jw)
		return;
	json__begin_object(jw);
	json__key(jw, level_names[level]);
	json__string(jw, text);
	json__end_object(jw);
	json_writer__free(jw);
}

void log__msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log__vmsg(level, fmt, ap);
	va_end(ap);
}

/* libbpf's own messages are details of a failure we report ourselves: shown with -v. */
static int log__libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	log__vmsg(LOG_LEVEL_DEBUG, fmt, ap);
	return 0;
}

void log__setup(enum log_level max_level, bool json)
{
	log_max_level = max_level;
	log_json = json;
	libbpf_set_print(log__libbpf);
}
