// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The terminal block: sparklines in UTF-8 or ASCII, names escaped, erasing what was drawn. */
#include <stdlib.h>

#include "cli/status.h"
#include "unit.h"

static char *draw(const char *lang, const struct process_trend *tr, size_t n, size_t total)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct status *st;

	setenv("LANG", lang, 1);
	unsetenv("LC_ALL");
	unsetenv("LC_CTYPE");
	st = status__new(f);
	status__draw(st, tr, n, total);
	status__erase(st);
	status__free(st);
	fclose(f);
	return buf;
}

int main(void)
{
	struct process_trend tr[2] = {
		{ .pid = 42, .comm = "leaky", .baseline = 3, .count = 22, .alerted = true },
		{ .pid = 7, .comm = "\x1b]0;x\x07", .baseline = 5, .count = 5 },
	};
	char *out;

	for (int c = 0; c < TREND_COLUMNS; c++) {
		tr[0].columns[c] = c < 2 ? -1 : 3 + c; /* no samples yet, then rising */
		tr[1].columns[c] = 5;
	}
	out = draw("C.UTF-8", tr, 2, 5);
	CHECK(strstr(out, "     42 leaky                22        3    \u2581\u2581\u2581\u2582") !=
		      NULL,
	      "the leak's line, blank before its first sample:\n%s", out);
	CHECK(strstr(out, "\u2587\u2588 GROWING\033[K\n") != NULL, "rising to the top:\n%s", out);
	CHECK(strstr(out, "      7 \\x1b]0;x\\x07          5        5  "
			  "\u2581\u2581\u2581\u2581\u2581\u2581\u2581\u2581\u2581\u2581"
			  "\u2581\u2581\u2581\u2581\u2581\u2581\u2581\u2581\u2581\u2581\033[K\n") !=
		      NULL,
	      "a flat line, the name escaped:\n%s", out);
	CHECK(strstr(out, "  and 3 more processes") != NULL, "what is not shown is counted");
	CHECK(strstr(out, "\033[4A\r\033[J") != NULL, "erasing moves up over all four lines");
	free(out);

	out = draw("C", tr, 1, 1);
	CHECK(strstr(out, "    ___..---") != NULL && strstr(out, "#@ GROWING") != NULL,
	      "ASCII bars without a UTF-8 locale:\n%s", out);
	CHECK(strstr(out, "\xe2") == NULL, "no UTF-8 bytes then");
	free(out);
	return unit__finish("test_status");
}
