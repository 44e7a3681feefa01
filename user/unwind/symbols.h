/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_SYMBOLS_H
#define LEAKMON_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <elfutils/libdwfl.h>

/*
 * Function names for code addresses. Each module's symbol table is read once, sorted, and
 * cached by build-id, so every process mapping the same libc shares one table; libdw's own
 * lookup scans the whole table for every address. A name is given only when the address lies
 * inside the symbol, never a neighbour's. Mangled names are demangled (demangle.h).
 */
struct symbolizer;

struct symbolizer_opts {
	size_t max_modules; /* tables kept; the least recently used go first */
};

struct symbol_info {
	const char *name; /* owned by the symbolizer; NULL when no symbol contains the address */
	uint64_t offset;  /* from the symbol's start */
	bool outermost;	  /* nothing calls it: a stack ends after it (Go's root functions) */
};

struct symbolizer *symbolizer__new(const struct symbolizer_opts *opts);
void symbolizer__free(struct symbolizer *s);
/* Look up pc (an address in a process, inside mod). Returns 0, or -ENOENT when not found. */
int symbolizer__lookup(struct symbolizer *s, Dwfl_Module *mod, uint64_t pc,
		       struct symbol_info *out);
/* A symbol's name as people read it: without its version, demangled. Caller frees. */
char *symbolizer__display_name(const char *name);
/* Tables built and lookups served from the cache, for tests and -v. */
void symbolizer__stats(const struct symbolizer *s, size_t *built, size_t *hits);

#endif /* LEAKMON_SYMBOLS_H */
