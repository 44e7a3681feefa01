// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Fuzz the reader of Go's function table: a binary on disk may carry any bytes as .gopclntab.
 * Every function given must lie in order and be named inside the input.
 */
#include <stdint.h>
#include <string.h>

#include "unwind/gopclntab.h"

struct fuzz_walk {
	const uint8_t *data;
	size_t size;
};

static int fuzz__check(const struct gopclntab_func *f, void *arg)
{
	const struct fuzz_walk *w = arg;
	const uint8_t *name = (const uint8_t *)f->name;

	if (f->end < f->entry || name < w->data || name + f->name_len >= w->data + w->size ||
	    name[f->name_len] != '\0' || memchr(name, '\0', f->name_len))
		__builtin_trap();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_walk w = { data, size };

	gopclntab__walk(data, size, 0x401000, fuzz__check, &w);
	return 0;
}
