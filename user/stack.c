// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdlib.h>
#include <string.h>

#include "stack.h"

void stack__free(struct stack *st)
{
	if (!st || !st->frames)
		return;
	free(st->frames);
	st->frames = NULL;
	st->n = 0;
}

bool stack__frame_in_libc(const struct frame *f)
{
	return f->module &&
	       (!strncmp(f->module, "libc.so", 7) || !strncmp(f->module, "libc-", 5) ||
		!strncmp(f->module, "libpthread", 10) || !strncmp(f->module, "ld-linux", 8));
}

/* Runtime code between a thread's entry and the function it was given: C++'s std::thread. */
static bool frame__is_trampoline(const struct frame *f)
{
	if (f->module && !strncmp(f->module, "libstdc++", 9))
		return true;
	return f->func && (!strcmp(f->func, "_start") || !strncmp(f->func, "std::", 5));
}

const struct frame *stack__creation_site(const struct stack *st)
{
	for (size_t i = 0; i < st->n; i++) {
		const struct frame *f = &st->frames[i];

		if (!f->module || stack__frame_in_libc(f) || frame__is_trampoline(f))
			continue;
		return f;
	}
	return NULL;
}

/*
 * The function a thread was started with: the outermost frame above libc's thread entry
 * (clone3, start_thread) and the runtime's trampolines, or main for the main thread.
 */
const struct frame *stack__start_routine(const struct stack *st)
{
	for (size_t i = st->n; i-- > 0;) {
		const struct frame *f = &st->frames[i];

		if (!f->module || stack__frame_in_libc(f) || frame__is_trampoline(f))
			continue;
		return f->func ? f : NULL;
	}
	return NULL;
}
