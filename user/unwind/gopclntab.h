/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_GOPCLNTAB_H
#define LEAKMON_GOPCLNTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libelf.h>

/*
 * Go's own table of functions, .gopclntab: the one symbol table a stripped Go binary keeps
 * (go build -ldflags=-s -w, the way distributions and releases ship them). The layout is the
 * runtime's pcHeader, functab and _func of Go 1.18 and later (runtime/symtab.go); an older
 * table is refused.
 */
struct gopclntab_func {
	uint64_t entry, end; /* link-time addresses, as an ELF symbol's value */
	const char *name;    /* points into the table's bytes: NUL-terminated, checked */
	size_t name_len;
	/*
	 * Go's own traceback stops after it (funcFlag TOPFRAME: runtime.goexit, runtime.mstart;
	 * SPWRITE: code that switches stacks, runtime.mcall): what lies beyond is another stack.
	 */
	bool outermost;
};

/*
 * Call fn for each function of the table in data (the section's bytes, size of them), in
 * address order; text_addr is the .text section's address, for a table that leaves its own
 * text start to the loader (a position-independent build). Every offset is checked against
 * size: a corrupt table ends the walk with -EINVAL, never a read outside data. fn returning
 * non-zero stops the walk and is returned.
 */
int gopclntab__walk(const void *data, size_t size, uint64_t text_addr,
		    int (*fn)(const struct gopclntab_func *f, void *arg), void *arg);

/*
 * elf's Go function table (position-independent builds keep it in .data.rel.ro.gopclntab), with
 * .text's address into *text_addr and whether elf keeps .symtab; NULL when it has none.
 */
Elf_Data *gopclntab__section(Elf *elf, uint64_t *text_addr, bool *has_symtab);

#endif /* LEAKMON_GOPCLNTAB_H */
