// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Fuzz symbolization of an ELF file as a corrupt or truncated binary on disk would present it:
 * the symbol table build and lookups, source lines and inline scopes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
#include <elfutils/libdw.h>

#include "unwind/scopes.h"
#include "unwind/symbols.h"

/* No separate debug files: only what the input itself holds. */
static int fuzz__no_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname,
			      Dwarf_Addr base, const char *file_name, const char *debuglink_file,
			      GElf_Word debuglink_crc, char **debuginfo_file_name)
{
	(void)mod, (void)userdata, (void)modname, (void)base, (void)file_name;
	(void)debuglink_file, (void)debuglink_crc, (void)debuginfo_file_name;
	return -1;
}

static const Dwfl_Callbacks fuzz_callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = fuzz__no_debuginfo,
	.section_address = dwfl_offline_section_address,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct symbolizer *symbols = symbolizer__new(NULL);
	struct scopes *scopes = scopes__new();
	struct symbol_info info;
	Dwarf_Addr low, high, bias;
	Dwfl_Module *mod;
	Dwfl *dwfl;
	int fd = memfd_create("fuzz-elf", 0);

	if (fd < 0 || !symbols || !scopes || write(fd, data, size) != (ssize_t)size)
		goto cleanup;
	dwfl = dwfl_begin(&fuzz_callbacks);
	if (!dwfl)
		goto cleanup;
	dwfl_report_begin(dwfl);
	mod = dwfl_report_offline(dwfl, "fuzz", "fuzz", dup(fd));
	dwfl_report_end(dwfl, NULL, NULL);
	if (mod && dwfl_module_info(mod, NULL, &low, &high, NULL, NULL, NULL, NULL)) {
		uint64_t step = high > low ? (high - low) / 64 + 1 : 1;

		/* 64 steps: pc itself may wrap when the module claims all addresses. */
		for (uint64_t i = 0, pc = low; i < 64 && pc < high; i++, pc += step) {
			Dwarf_Die *cu, path[SCOPES_MAX];

			symbolizer__lookup(symbols, mod, pc, &info);
			dwfl_module_getsrc(mod, pc);
			cu = dwfl_module_addrdie(mod, pc, &bias);
			if (cu && scopes__at(scopes, cu, pc - bias, path) > SCOPES_MAX)
				__builtin_trap();
		}
	}
	/* The index holds the Dwfl's DIEs: freed before it. */
	scopes__free(scopes);
	scopes = NULL;
	dwfl_end(dwfl);
cleanup:
	if (fd >= 0)
		close(fd);
	scopes__free(scopes);
	symbolizer__free(symbols);
	return 0;
}
