// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <gelf.h>

#include "unwind/demangle.h"
#include "unwind/gopclntab.h"
#include "unwind/symbols.h"
#include "util/array.h"

#define BUILD_ID_MAX 64

struct symbol {
	uint64_t addr; /* relative to the module's load bias: the same in every process */
	uint64_t size;
	char *name;
	int rank;	/* which name wins among aliases: higher is better */
	bool outermost; /* a stack ends after it (gopclntab.h) */
};

struct symtab {
	unsigned char build_id[BUILD_ID_MAX];
	int build_id_len;
	char *module_name; /* the key when a module has no build-id */
	struct symbol *syms;
	size_t n;
	uint64_t last_used;
	struct symtab *next;
};

struct symbolizer {
	struct symtab *tables;
	size_t n_tables;
	size_t max_modules;
	uint64_t clock;
	size_t built, hits;
};

struct symbolizer *symbolizer__new(const struct symbolizer_opts *opts)
{
	struct symbolizer *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->max_modules = opts && opts->max_modules ? opts->max_modules : 256;
	return s;
}

static void symtab__free(struct symtab *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->syms[i].name);
	free(t->syms);
	free(t->module_name);
	free(t);
}

void symbolizer__free(struct symbolizer *s)
{
	struct symtab *t, *next;

	if (!s)
		return;
	for (t = s->tables; t; t = next) {
		next = t->next;
		symtab__free(t);
	}
	free(s);
}

void symbolizer__stats(const struct symbolizer *s, size_t *built, size_t *hits)
{
	*built = s->built;
	*hits = s->hits;
}

/* Global beats weak beats local; then the fewer leading underscores (the public name). */
static int symbol__rank(const GElf_Sym *sym, const char *name)
{
	int rank = 0;

	switch (GELF_ST_BIND(sym->st_info)) {
	case STB_GLOBAL:
		rank = 300;
		break;
	case STB_WEAK:
		rank = 200;
		break;
	default:
		rank = 100;
	}
	while (*name == '_' && rank % 100 < 99) {
		name++;
		rank--;
	}
	return rank;
}

static int symbol__cmp(const void *a, const void *b)
{
	const struct symbol *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return y->rank - x->rank;
}

/* Without the symbol version (pthread_mutex_lock@@GLIBC_2.2.5), demangled. */
char *symbolizer__display_name(const char *name)
{
	char *plain = strndup(name, strcspn(name, "@")), *demangled;

	if (!plain)
		return NULL;
	demangled = demangle__symbol(plain);
	if (!demangled)
		return plain;
	free(plain);
	return demangled;
}

/* A stripped Go binary's functions, from .gopclntab, below any ELF symbol of theirs. */
#define GO_SYMBOL_RANK 50

struct go_symbols {
	struct symtab *t;
	size_t cap;
};

static int symtab__add_go_func(const struct gopclntab_func *f, void *arg)
{
	struct go_symbols *go = arg;
	struct symbol *sym, *grown;

	grown = array__grow(go->t->syms, &go->cap, go->t->n, sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	go->t->syms = grown;
	sym = &go->t->syms[go->t->n];
	sym->addr = f->entry;
	sym->size = f->end - f->entry;
	sym->rank = GO_SYMBOL_RANK;
	sym->outermost = f->outermost;
	sym->name = strndup(f->name, f->name_len);
	if (!sym->name)
		return -ENOMEM;
	go->t->n++;
	return 0;
}

/* The functions a stripped Go binary names in .gopclntab; a corrupt table adds none. */
static int symtab__add_go(struct symtab *t, Elf *elf)
{
	struct go_symbols go = { .t = t, .cap = t->n };
	size_t kept = t->n;
	bool has_symtab;
	uint64_t text = 0;
	Elf_Data *pclntab = gopclntab__section(elf, &text, &has_symtab);
	int err;

	/* Where .symtab is kept, its symbols name the same functions. */
	if (!pclntab || has_symtab)
		return 0;
	err = gopclntab__walk(pclntab->d_buf, pclntab->d_size, text, symtab__add_go_func, &go);
	if (err == -ENOMEM)
		return err;
	if (err) {
		while (t->n > kept)
			free(t->syms[--t->n].name);
	}
	return 0;
}

/* Read, sort and deduplicate the function symbols of mod. */
static int symtab__build(struct symtab *t, Dwfl_Module *mod)
{
	GElf_Addr load_bias = 0, addr;
	int n = dwfl_module_getsymtab(mod);
	size_t kept = 0;
	GElf_Word shndx;
	GElf_Sym sym;
	Elf *elf = dwfl_module_getelf(mod, &load_bias);
	int err;

	if (!elf)
		return 0;
	t->syms = calloc(n > 0 ? (size_t)n : 1, sizeof(*t->syms));
	if (!t->syms)
		return -ENOMEM;
	for (int i = 1; i < n; i++) {
		const char *name = dwfl_module_getsym_info(mod, i, &sym, &addr, &shndx, NULL, NULL);
		int type = GELF_ST_TYPE(sym.st_info);

		if (!name || !*name || shndx == SHN_UNDEF || (int)shndx == -1 ||
		    (type != STT_FUNC && type != STT_GNU_IFUNC))
			continue;
		t->syms[kept].addr = addr - load_bias;
		t->syms[kept].size = sym.st_size;
		t->syms[kept].rank = symbol__rank(&sym, name);
		t->syms[kept].name = symbolizer__display_name(name);
		if (!t->syms[kept].name)
			return -ENOMEM;
		kept++;
	}
	t->n = kept;
	err = symtab__add_go(t, elf);
	if (err)
		return err;
	kept = t->n;
	qsort(t->syms, kept, sizeof(*t->syms), symbol__cmp);
	/* Aliases share an address: keep the best-ranked name, first after sorting. */
	t->n = 0;
	for (size_t i = 0; i < kept; i++) {
		if (t->n && t->syms[t->n - 1].addr == t->syms[i].addr) {
			if (t->syms[i].size > t->syms[t->n - 1].size)
				t->syms[t->n - 1].size = t->syms[i].size;
			free(t->syms[i].name);
			continue;
		}
		t->syms[t->n++] = t->syms[i];
	}
	return 0;
}

static bool symtab__matches(const struct symtab *t, const unsigned char *id, int id_len,
			    const char *name)
{
	if (id_len > 0)
		return t->build_id_len == id_len && !memcmp(t->build_id, id, (size_t)id_len);
	return t->build_id_len <= 0 && t->module_name && !strcmp(t->module_name, name);
}

static void symbolizer__evict(struct symbolizer *s)
{
	struct symtab **pp, **oldest = NULL, *victim;

	for (pp = &s->tables; *pp; pp = &(*pp)->next)
		if (!oldest || (*pp)->last_used < (*oldest)->last_used)
			oldest = pp;
	if (!oldest)
		return;
	victim = *oldest;
	*oldest = victim->next;
	symtab__free(victim);
	s->n_tables--;
}

static struct symtab *symbolizer__table(struct symbolizer *s, Dwfl_Module *mod)
{
	const unsigned char *id = NULL;
	GElf_Addr vaddr;
	const char *name = dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
	int id_len = dwfl_module_build_id(mod, &id, &vaddr);
	struct symtab *t;

	if (id_len > BUILD_ID_MAX)
		id_len = 0;
	for (t = s->tables; t; t = t->next) {
		if (symtab__matches(t, id, id_len, name ? name : "")) {
			t->last_used = ++s->clock;
			s->hits++;
			return t;
		}
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->build_id_len = id_len > 0 ? id_len : 0;
	if (id_len > 0)
		memcpy(t->build_id, id, (size_t)id_len);
	/* Without a build-id the name is the only key: such tables are not shared. */
	t->module_name = strdup(name ? name : "");
	if (!t->module_name || symtab__build(t, mod)) {
		symtab__free(t);
		return NULL;
	}
	if (s->n_tables >= s->max_modules)
		symbolizer__evict(s);
	t->last_used = ++s->clock;
	t->next = s->tables;
	s->tables = t;
	s->n_tables++;
	s->built++;
	return t;
}

int symbolizer__lookup(struct symbolizer *s, Dwfl_Module *mod, uint64_t pc, struct symbol_info *out)
{
	GElf_Addr load_bias = 0;
	struct symtab *t;
	size_t lo = 0, hi;
	uint64_t rel;

	out->name = NULL;
	out->offset = 0;
	out->outermost = false;
	t = symbolizer__table(s, mod);
	if (!t || !t->n || !dwfl_module_getelf(mod, &load_bias))
		return -ENOENT;
	rel = pc - load_bias;
	/* The last symbol starting at or before rel. */
	hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->syms[mid].addr <= rel)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return -ENOENT;
	if (rel >= t->syms[lo - 1].addr + (t->syms[lo - 1].size ? t->syms[lo - 1].size : 1))
		return -ENOENT;
	out->name = t->syms[lo - 1].name;
	out->offset = rel - t->syms[lo - 1].addr;
	out->outermost = t->syms[lo - 1].outermost;
	return 0;
}
