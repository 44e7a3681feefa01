// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/stack.h"
#include "util/text.h"

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

/*
 * A demangled C++ name past the return type a function template's has before it ("void
 * std::thread::_Invoker<...>::_M_invoke<0ul>(...)"): what follows the last space outside
 * template arguments before the argument list.
 */
static const char *cxx__past_return_type(const char *name)
{
	const char *start = name;
	int depth = 0;

	for (const char *c = name; *c; c++) {
		if (*c == '<')
			depth++;
		else if (*c == '>' && depth)
			depth--;
		else if (*c == '(' && !depth)
			break;
		else if (*c == ' ' && !depth)
			start = c + 1;
	}
	return start;
}

/*
 * Runtime code between a thread's entry and the function it was given: C++'s std::thread
 * (its invokers, inlined into it, are templates, named after their return type); GLib's
 * GThread, whose proxy is a static function; Rust's std::thread with core's and alloc's FnOnce
 * glue around the closure, their impls written <std::...> by v0 names.
 */
static bool frame__is_trampoline(const struct frame *f)
{
	static const char *const runtimes[] = { "std::", "core::", "alloc::" };
	static const char *const libraries[] = { "libstdc++", "libglib-2.0" };
	const char *name = f->func;

	for (size_t i = 0; f->module && i < sizeof(libraries) / sizeof(libraries[0]); i++)
		if (!strncmp(f->module, libraries[i], strlen(libraries[i])))
			return true;
	if (!name)
		return false;
	if (!strcmp(name, "_start"))
		return true;
	name = cxx__past_return_type(name);
	name += strspn(name, "<");
	for (size_t i = 0; i < sizeof(runtimes) / sizeof(runtimes[0]); i++)
		if (!strncmp(name, runtimes[i], strlen(runtimes[i])))
			return true;
	return false;
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
 * Where a whole stack ends: libc's thread entry, or the program's. By name, for a C library
 * linked into the program too (static binaries); aliases' underscores left out.
 */
static bool frame__is_entry(const struct frame *f)
{
	static const char *const entries[] = {
		"clone",
		"clone3",
		"start_thread",
		"start",
		"libc_start_main",
		"libc_start_main_impl",
		"libc_start_call_main",
	};
	const char *name = stack__frame_bare_name(f);

	if (!name)
		return false;
	for (size_t i = 0; i < sizeof(entries) / sizeof(entries[0]); i++)
		if (!strcmp(name, entries[i]))
			return true;
	return false;
}

const char *stack__frame_bare_name(const struct frame *f)
{
	const char *name = f->func;

	while (name && *name == '_')
		name++;
	return name;
}

bool stack__libc_linked_in(const struct stack *st)
{
	for (size_t i = st->n; i-- > 0;) {
		const struct frame *f = &st->frames[i];
		const char *name = f->func;

		if (!name || stack__frame_in_libc(f))
			continue;
		name += strspn(name, "_");
		if (!strcmp(name, "start_thread") || !strcmp(name, "libc_start_call_main"))
			return true;
	}
	return false;
}

bool stack__frame_in_file(const struct frame *f, const char *suffix)
{
	return text__ends_with(f->file, suffix);
}

/* Python's threading module, which runs a Thread's target (or its own run) through these. */
static bool frame__is_python_bootstrap(const struct frame *f)
{
	static const char *const bootstrap[] = { "Thread._bootstrap", "Thread._bootstrap_inner",
						 "Thread.run" };

	if (!stack__frame_in_file(f, "/threading.py"))
		return false;
	for (size_t i = 0; i < sizeof(bootstrap) / sizeof(bootstrap[0]); i++)
		if (!strcmp(f->func, bootstrap[i]))
			return true;
	return false;
}

/*
 * The function a thread was started with: the outermost frame above libc's thread entry
 * (clone3, start_thread) and the runtime's trampolines, or main for the main thread. A Python
 * thread's is its outermost Python function past the threading module's (the target), the
 * script's <module> for the main thread: its interpreter's frames read whole. Only a
 * stack unwound down to that entry shows it: the outermost frame of one cut short (code without
 * unwind tables, a stack the process overwrote, the frame limit) is no start routine.
 * A function without a symbol (a stripped server's static one) is a frame all the same: its
 * module and offset tell it apart from the others.
 * A Rust thread's closure is inlined into std's __rust_begin_short_backtrace: without the
 * program's DWARF to show it, that frame stands for it (in the v0 mangling its name holds the
 * closure's: __rust_begin_short_backtrace::<app::main::{closure#0}, ()>).
 */
const struct frame *stack__start_routine(const struct stack *st)
{
	const struct frame *rust_closure = NULL;

	if (!st->n || st->truncated)
		return NULL;
	for (size_t i = st->n; i-- > 0;)
		if (st->frames[i].language && !frame__is_python_bootstrap(&st->frames[i]))
			return &st->frames[i];
	if (!frame__is_entry(&st->frames[st->n - 1]))
		return NULL;
	for (size_t i = st->n; i-- > 0;) {
		const struct frame *f = &st->frames[i];

		if (f->func && strstr(f->func, "::__rust_begin_short_backtrace"))
			rust_closure = f;
		if (!f->module || stack__frame_in_libc(f) || frame__is_trampoline(f) ||
		    frame__is_entry(f))
			continue;
		return f;
	}
	return rust_closure;
}

const char *frame__display_name(const struct frame *f, struct strpool *strings)
{
	char name[512];

	if (f->func)
		return f->func;
	if (!f->module)
		return NULL;
	snprintf(name, sizeof(name), "%s+0x%" PRIx64, f->module, f->module_offset);
	return strpool__intern(strings, name);
}
