// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The end-to-end tests' view of leakmon's .gopclntab reader: every function of a Go binary
 * as "ENTRY END NAME" (hex addresses), for comparison with Go's own debug/gosym
 * (go/funcs_oracle.go); with --outermost, the functions Go's traceback stops after.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "unwind/gopclntab.h"

/* Every function as "ENTRY END NAME", or with arg set, the names of the outermost ones. */
static int print_func(const struct gopclntab_func *f, void *arg)
{
	if (!arg)
		printf("%" PRIx64 " %" PRIx64 " %.*s\n", f->entry, f->end, (int)f->name_len,
		       f->name);
	else if (f->outermost)
		printf("%.*s\n", (int)f->name_len, f->name);
	return 0;
}

int main(int argc, char **argv)
{
	bool outermost = argc == 3 && !strcmp(argv[1], "--outermost"), has_symtab;
	Elf_Data *pclntab;
	uint64_t text = 0;
	int fd, err;
	Elf *elf;

	if (argc != 2 && !outermost) {
		fprintf(stderr, "usage: gofuncs [--outermost] GO-BINARY\n");
		return 2;
	}
	argv += outermost;
	elf_version(EV_CURRENT);
	fd = open(argv[1], O_RDONLY);
	elf = fd < 0 ? NULL : elf_begin(fd, ELF_C_READ, NULL);
	if (!elf) {
		fprintf(stderr, "gofuncs: %s: not an ELF file\n", argv[1]);
		return 1;
	}
	/* The table leakmon's symbolizer reads, found as it finds it (.symtab or not). */
	pclntab = gopclntab__section(elf, &text, &has_symtab);
	if (!pclntab) {
		fprintf(stderr, "gofuncs: %s: no .gopclntab\n", argv[1]);
		return 1;
	}
	err = gopclntab__walk(pclntab->d_buf, pclntab->d_size, text, print_func,
			      outermost ? &outermost : NULL);
	if (err)
		fprintf(stderr, "gofuncs: %s: %s\n", argv[1], strerror(-err));
	elf_end(elf);
	close(fd);
	return err ? 1 : 0;
}
