// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Fuzz the reader of CPython's line tables: a program may give a code object any bytes as its
 * table (CodeType.replace checks none), and leakmon reads them from its memory. Input: the
 * first line (4 bytes), an instruction index (4 bytes), then the table.
 */
#include <stdint.h>
#include <string.h>

#include "runtime/cpython.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int32_t firstlineno, index;

	if (size < 2 * sizeof(int32_t))
		return 0;
	memcpy(&firstlineno, data, sizeof(firstlineno));
	memcpy(&index, data + sizeof(firstlineno), sizeof(index));
	/* A line is positive, or 0 for unknown, whatever the table and first line say. */
	if (cpython__line(data + 2 * sizeof(int32_t), size - 2 * sizeof(int32_t), firstlineno,
			   index) < 0)
		__builtin_trap();
	return 0;
}
