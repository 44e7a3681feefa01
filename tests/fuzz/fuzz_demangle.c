// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Fuzz the demangler: symbol names are written by whoever built the target's binaries. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unwind/demangle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *name = malloc(size + 1), *demangled;

	if (!name)
		return 0;
	memcpy(name, data, size);
	name[size] = '\0';
	demangled = demangle__symbol(name);
	/* What the reader writes is bounded (64 KiB) whatever it reads. */
	if (demangled && size >= 2 && name[1] == 'R' && strlen(demangled) >= 64 * 1024)
		__builtin_trap();
	free(demangled);
	free(name);
	return 0;
}
