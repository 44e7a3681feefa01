/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_STACK_H
#define LEAKMON_STACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/strpool.h"

#define STACK_MAX_FRAMES 128

/* One frame of a user stack, innermost first. Strings live in a strpool that outlives it. */
struct frame {
	uint64_t pc;
	const char *func;	/* NULL when no symbol contains pc */
	uint64_t offset;	/* pc minus the function's start */
	const char *module;	/* the mapped file's base name; NULL for anonymous or JIT code */
	uint64_t module_offset; /* pc in the file's own addresses, as addr2line takes it */
	const char *file;	/* source file, where debug information says */
	int line;		/* 0 when unknown */
	bool inlined;		/* a function inlined into the next frame's code at this pc */
	bool outermost;		/* the stack ends after it (symbol_info.outermost) */
	const char *language;	/* interpreted code's ("python"): pc is its bytecode's */
};

struct stack {
	struct frame *frames;
	size_t n;
	bool truncated;	   /* more than STACK_MAX_FRAMES */
	const char *error; /* why unwinding stopped early or did not start, or NULL */
};

void stack__free(struct stack *st);
/*
 * The frame of the function the thread started in (named or not), or NULL when the stack does
 * not reach it.
 */
const struct frame *stack__start_routine(const struct stack *st);
/*
 * What a frame is called for people: its function's name, or for code without a symbol,
 * "module+0xOFFSET" (the file's own address, as addr2line takes it) pooled in strings; NULL
 * where it has neither.
 */
const char *frame__display_name(const struct frame *f, struct strpool *strings);
/* The call site in a creator's stack that created the thread: the innermost frame above libc
 * (clone3, pthread_create) and the runtime's trampolines (std::thread). */
const struct frame *stack__creation_site(const struct stack *st);
/* Whether the frame's source file's name ends with suffix ("/threading.py"). */
bool stack__frame_in_file(const struct frame *f, const char *suffix);
/* Whether the frame is in the C library (libc, libpthread, the dynamic loader). */
bool stack__frame_in_libc(const struct frame *f);
/* The frame's function name after its leading underscores (glibc's aliases), or NULL: none. */
const char *stack__frame_bare_name(const struct frame *f);
/*
 * Whether glibc is linked into the program (a static binary): its thread entries (start_thread,
 * __libc_start_call_main) are in a module of the program's own.
 */
bool stack__libc_linked_in(const struct stack *st);

#endif /* LEAKMON_STACK_H */
