// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Fuzz the /proc/PID/maps reader: paths in it are named by whoever created the files. */
#include <stdint.h>
#include <stdio.h>

#include "proc/maps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct maps m;
	FILE *f;

	if (!size)
		return 0;
	f = fmemopen((void *)data, size, "r");
	if (!f)
		return 0;
	if (!maps__read(f, &m)) {
		for (size_t i = 0; i < m.n; i++)
			if (maps__find(&m, m.maps[i].path) == NULL || m.maps[i].start >= m.maps[i].end)
				__builtin_trap();
		maps__free(&m);
	}
	fclose(f);
	return 0;
}
