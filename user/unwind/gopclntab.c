// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <string.h>
#include <gelf.h>

#include "unwind/gopclntab.h"

/* pcHeader's magic: Go 1.18 and 1.19, then 1.20 and later (the same fields we read). */
#define GOPCLNTAB_MAGIC_118 0xfffffff0u
#define GOPCLNTAB_MAGIC_120 0xfffffff1u

/* pcHeader, 64-bit: its fields' offsets. */
#define HDR_NFUNC 8
#define HDR_TEXT_START 24
#define HDR_FUNCNAME 32
#define HDR_CU 40
#define HDR_PCLN 64
#define HDR_SIZE 72

#define FUNCTAB_ENTRY_SIZE 8 /* entryoff, funcoff: two uint32 */
#define FUNC_NAME_OFF 4	     /* _func.nameOff, after entryOff */
/* _func.flag: after nine 32-bit fields and funcID; Go 1.20 put startLine before funcID. */
#define FUNC_FLAG_OFF_118 37
#define FUNC_FLAG_OFF_120 41
#define FUNC_FLAG_TOPFRAME 0x1
#define FUNC_FLAG_SPWRITE 0x2

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* The name of the function whose _func is at funcoff, or NULL if the table is wrong there. */
static const char *gopclntab__name(const unsigned char *d, size_t size, uint64_t pcln,
				   uint64_t names, uint64_t names_end, uint32_t funcoff,
				   size_t *len)
{
	uint64_t func = pcln + funcoff, name;
	const char *nul;

	if (func > size || size - func < FUNC_NAME_OFF + 4)
		return NULL;
	name = names + (uint64_t)(int64_t)(int32_t)le32(d + func + FUNC_NAME_OFF);
	if (name < names || name >= names_end)
		return NULL;
	nul = memchr(d + name, '\0', names_end - name);
	if (!nul)
		return NULL;
	*len = (size_t)(nul - (const char *)(d + name));
	return (const char *)(d + name);
}

int gopclntab__walk(const void *data, size_t size, uint64_t text_addr,
		    int (*fn)(const struct gopclntab_func *f, void *arg), void *arg)
{
	const unsigned char *d = data;
	uint64_t nfunc, text, names, names_end, pcln, prev = 0, flag, flag_off;
	struct gopclntab_func f;
	uint32_t magic;
	int err;

	if (size < HDR_SIZE)
		return -EINVAL;
	magic = le32(d);
	if ((magic != GOPCLNTAB_MAGIC_118 && magic != GOPCLNTAB_MAGIC_120) || d[4] || d[5] ||
	    d[6] != 1 || d[7] != 8)
		return -EINVAL;
	flag_off = magic == GOPCLNTAB_MAGIC_118 ? FUNC_FLAG_OFF_118 : FUNC_FLAG_OFF_120;
	nfunc = le64(d + HDR_NFUNC);
	text = le64(d + HDR_TEXT_START) ?: text_addr;
	names = le64(d + HDR_FUNCNAME);
	names_end = le64(d + HDR_CU);
	pcln = le64(d + HDR_PCLN);
	if (names > names_end || names_end > size || pcln > size ||
	    nfunc >= (size - pcln) / FUNCTAB_ENTRY_SIZE)
		return -EINVAL;
	for (uint64_t i = 0; i < nfunc; i++) {
		const unsigned char *entry = d + pcln + i * FUNCTAB_ENTRY_SIZE;
		uint32_t start = le32(entry), end = le32(entry + FUNCTAB_ENTRY_SIZE);

		/* Functions are in address order; the entry after the last is the text's end. */
		if (start < prev || end < start)
			return -EINVAL;
		prev = start;
		f.entry = text + start;
		f.end = text + end;
		f.name = gopclntab__name(d, size, pcln, names, names_end, le32(entry + 4),
					 &f.name_len);
		flag = pcln + le32(entry + 4) + flag_off;
		if (!f.name || flag >= size)
			return -EINVAL;
		f.outermost = d[flag] & (FUNC_FLAG_TOPFRAME | FUNC_FLAG_SPWRITE);
		err = fn(&f, arg);
		if (err)
			return err;
	}
	return 0;
}

Elf_Data *gopclntab__section(Elf *elf, uint64_t *text_addr, bool *has_symtab)
{
	Elf_Data *data = NULL;
	Elf_Scn *scn = NULL;
	size_t strndx;
	GElf_Shdr sh;

	*has_symtab = false;
	if (elf_getshdrstrndx(elf, &strndx))
		return NULL;
	while ((scn = elf_nextscn(elf, scn)) && gelf_getshdr(scn, &sh)) {
		const char *name = elf_strptr(elf, strndx, sh.sh_name);

		if (!name)
			continue;
		if (sh.sh_type == SHT_SYMTAB)
			*has_symtab = true;
		else if (!strcmp(name, ".text"))
			*text_addr = sh.sh_addr;
		else if (sh.sh_type == SHT_PROGBITS &&
			 (!strcmp(name, ".gopclntab") || !strcmp(name, ".data.rel.ro.gopclntab")))
			data = elf_getdata(scn, NULL);
	}
	return data && data->d_buf ? data : NULL;
}
