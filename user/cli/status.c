// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli/status.h"

#define STATUS_MAX_ROWS 10
/* Columns of a line: pid, name, threads, baseline; the trend; " GROWING STALLED". */
#define STATUS_PREFIX 42
#define STATUS_FLAGS 16

struct status {
	FILE *out;
	size_t drawn; /* lines on screen now */
	bool utf8;
};

/* Whether the terminal takes UTF-8, by the locale the user chose. */
static bool locale__utf8(void)
{
	const char *vars[] = { "LC_ALL", "LC_CTYPE", "LANG" };

	for (size_t i = 0; i < sizeof(vars) / sizeof(*vars); i++) {
		const char *v = getenv(vars[i]);

		if (v && *v)
			return strcasestr(v, "utf-8") || strcasestr(v, "utf8");
	}
	return false;
}

struct status *status__new(FILE *out)
{
	struct status *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->out = out;
	st->utf8 = locale__utf8();
	return st;
}

void status__free(struct status *st)
{
	free(st);
}

static void status__window(const struct status *st, size_t *rows, size_t *cols)
{
	struct winsize ws;

	*rows = 24;
	*cols = 80;
	if (!ioctl(fileno(st->out), TIOCGWINSZ, &ws) && ws.ws_row && ws.ws_col) {
		*rows = ws.ws_row;
		*cols = ws.ws_col;
	}
}

size_t status__rows(const struct status *st)
{
	size_t rows, cols, room;

	status__window(st, &rows, &cols);
	/* A third of the screen at most: the events scroll above it. */
	room = rows / 3 > 1 ? rows / 3 - 1 : 0;
	return room < STATUS_MAX_ROWS ? room : STATUS_MAX_ROWS;
}

void status__erase(struct status *st)
{
	if (!st->drawn)
		return;
	fprintf(st->out, "\033[%zuA\r\033[J", st->drawn);
	st->drawn = 0;
	fflush(st->out);
}

/* A process name on one column per byte: printable ASCII kept, anything else \xNN. */
static void status__name(const char *comm, char *out, size_t width)
{
	size_t n = 0;

	for (const unsigned char *c = (const unsigned char *)comm; *c && n + 4 < width; c++) {
		if (*c >= 0x20 && *c < 0x7f && *c != '\\')
			out[n++] = (char)*c;
		else
			n += (size_t)snprintf(out + n, width - n, "\\x%02x", *c);
	}
	out[n] = '\0';
}

static void status__sparkline(const struct status *st, const struct process_trend *tr)
{
	static const char *const bars_utf8[] = { "\u2581", "\u2582", "\u2583", "\u2584",
						 "\u2585", "\u2586", "\u2587", "\u2588" };
	static const char bars_ascii[] = "_.-=+*#@";
	int64_t lo = INT64_MAX, hi = INT64_MIN;

	for (size_t c = 0; c < TREND_COLUMNS; c++) {
		if (tr->columns[c] < 0)
			continue;
		lo = tr->columns[c] < lo ? tr->columns[c] : lo;
		hi = tr->columns[c] > hi ? tr->columns[c] : hi;
	}
	for (size_t c = 0; c < TREND_COLUMNS; c++) {
		size_t level = 0;

		if (tr->columns[c] < 0) {
			fputc(' ', st->out);
			continue;
		}
		if (hi > lo)
			level = (size_t)((tr->columns[c] - lo) * 7 / (hi - lo));
		if (st->utf8)
			fputs(bars_utf8[level], st->out);
		else
			fputc(bars_ascii[level], st->out);
	}
}

void status__draw(struct status *st, const struct process_trend *trends, size_t n, size_t total)
{
	size_t rows, cols;
	bool trend;

	status__window(st, &rows, &cols);
	trend = cols > STATUS_PREFIX + TREND_COLUMNS + STATUS_FLAGS;
	if (cols <= STATUS_PREFIX + STATUS_FLAGS)
		return;
	fprintf(st->out, "\033[7m%-*.*s\033[0m\n", (int)cols - 1, (int)cols - 1,
		"    PID NAME            THREADS BASELINE  TREND (two growth windows)");
	st->drawn = 1;
	for (size_t i = 0; i < n; i++) {
		const struct process_trend *tr = &trends[i];
		char name[16];

		status__name(tr->comm, name, sizeof(name));
		fprintf(st->out, "%7" PRIu32 " %-15s %7" PRId64 " %8" PRId64 "  ", tr->pid, name,
			tr->count, tr->baseline);
		if (trend)
			status__sparkline(st, tr);
		fprintf(st->out, "%s%s\033[K\n", tr->alerted ? " GROWING" : "",
			tr->stalled ? " STALLED" : "");
		st->drawn++;
	}
	if (total > n) {
		fprintf(st->out, "  and %zu more processes\033[K\n", total - n);
		st->drawn++;
	}
	fflush(st->out);
}
