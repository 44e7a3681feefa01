// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * leakmon's reader of CPython's line tables against the interpreter's own co_lines(), over
 * thousands of real code objects (pylines_truth.py, run by the python3 on the PATH).
 */
#include <stdlib.h>

#include "runtime/cpython.h"
#include "unit.h"

#define TRUTH "python3 tests/unit/pylines_truth.py"

static size_t hex__decode(const char *hex, unsigned char *out)
{
	size_t n = 0;

	for (; hex[0] && hex[1]; hex += 2)
		sscanf(hex, "%2hhx", &out[n++]);
	return n;
}

/* One code object: every instruction of every range co_lines() gave, at its line. */
static size_t check_code(char *line, size_t *ranges)
{
	char *hex = strtok(line, " \n"), *first = strtok(NULL, " \n"), *range;
	unsigned char *table = malloc(strlen(hex) / 2 + 1);
	size_t len, wrong = 0;
	int firstlineno;

	if (!table || !first)
		return 1;
	len = hex__decode(hex, table);
	firstlineno = atoi(first);
	while ((range = strtok(NULL, " \n"))) {
		long start, end;
		int want;

		if (sscanf(range, "%ld:%ld:%d", &start, &end, &want) != 3)
			continue;
		(*ranges)++;
		for (long at = start; at < end; at += 2) {
			int got = cpython__line(table, len, firstlineno, at / 2);

			if (got != want && wrong++ < 5)
				printf("instruction %ld of a code at line %d: got line %d, want "
				       "%d\n",
				       at / 2, firstlineno, got, want);
		}
	}
	free(table);
	return wrong;
}

int main(void)
{
	static const unsigned char one_line[] = { 0x80 | 13 << 3 | 2, 0x04, 0x80 | 15 << 3 };
	size_t codes = 0, ranges = 0, wrong = 0, cap = 0;
	char *line = NULL;
	FILE *truth = popen(TRUTH, "r");

	CHECK(truth != NULL, "cannot run %s", TRUTH);
	while (truth && getline(&line, &cap, truth) > 0) {
		codes++;
		wrong += check_code(line, &ranges) != 0;
	}
	free(line);
	CHECK(truth && pclose(truth) == 0, "%s failed", TRUTH);
	CHECK(codes > 1000 && ranges > 10000, "only %zu code objects, %zu ranges", codes, ranges);
	CHECK(wrong == 0, "%zu of %zu code objects with a wrong line", wrong, codes);

	/* Before the first instruction (a frame being set up): its first line, if it is one. */
	CHECK(cpython__line(one_line, sizeof(one_line), 7, -1) == 7, "set-up frame");
	CHECK(cpython__line(one_line, sizeof(one_line), -3, -1) == 0, "a forged first line");
	/* A line delta of +2 for 3 instructions, then one with no line, then past the table. */
	CHECK(cpython__line(one_line, sizeof(one_line), 7, 2) == 9, "no-column entry");
	CHECK(cpython__line(one_line, sizeof(one_line), 7, 3) == 0, "no-location entry");
	CHECK(cpython__line(one_line, sizeof(one_line), 7, 4) == 0, "past the table");
	/* Cut short, or no entry's first byte where one must be: unknown, never a read past. */
	CHECK(cpython__line(one_line, 1, 7, 0) == 7, "varint cut short");
	CHECK(cpython__line((const unsigned char *)"\x05", 1, 7, 0) == 0, "no entry start");
	return unit__finish("test_pylines");
}
