// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <dwarf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "unwind/scopes.h"
#include "util/array.h"

/* One address range of a function's code. */
struct func_range {
	Dwarf_Addr low, high;
	Dwarf_Die die;
};

/* A compile unit's functions with code, by address. */
struct unit_funcs {
	const void *unit; /* where the unit's DIE is in the debug data: the key */
	struct func_range *ranges;
	size_t n, cap;
	struct unit_funcs *next;
};

struct scopes {
	struct unit_funcs *units;
};

struct scopes *scopes__new(void)
{
	return calloc(1, sizeof(struct scopes));
}

void scopes__free(struct scopes *s)
{
	struct unit_funcs *u, *next;

	if (!s)
		return;
	for (u = s->units; u; u = next) {
		next = u->next;
		free(u->ranges);
		free(u);
	}
	free(s);
}

static int unit_funcs__add(struct unit_funcs *u, Dwarf_Die *func)
{
	Dwarf_Addr base, low, high;
	struct func_range *ranges;
	ptrdiff_t off = 0;

	while ((off = dwarf_ranges(func, off, &base, &low, &high)) > 0) {
		if (low >= high)
			continue;
		ranges = array__grow(u->ranges, &u->cap, u->n, sizeof(*ranges));
		if (!ranges)
			return -ENOMEM;
		u->ranges = ranges;
		u->ranges[u->n++] = (struct func_range){ .low = low, .high = high, .die = *func };
	}
	return 0;
}

/* The functions below parent: in namespaces and types too, and in dwz's shared units. */
static int unit_funcs__collect(struct unit_funcs *u, Dwarf_Die *parent, int levels)
{
	Dwarf_Attribute attr;
	Dwarf_Die child, shared;
	int err = 0;

	if (!levels || dwarf_child(parent, &child))
		return 0;
	do {
		switch (dwarf_tag(&child)) {
		case DW_TAG_subprogram:
			err = unit_funcs__add(u, &child);
			break;
		case DW_TAG_namespace:
		case DW_TAG_module:
		case DW_TAG_structure_type:
		case DW_TAG_class_type:
		case DW_TAG_union_type:
			err = unit_funcs__collect(u, &child, levels - 1);
			break;
		case DW_TAG_imported_unit:
			if (dwarf_formref_die(dwarf_attr(&child, DW_AT_import, &attr), &shared))
				err = unit_funcs__collect(u, &shared, levels - 1);
			break;
		}
	} while (!err && !dwarf_siblingof(&child, &child));
	return err;
}

static int func_range__cmp(const void *a, const void *b)
{
	const struct func_range *x = a, *y = b;

	return x->low < y->low ? -1 : x->low > y->low;
}

static struct unit_funcs *scopes__unit(struct scopes *s, Dwarf_Die *cu)
{
	struct unit_funcs *u;

	for (u = s->units; u; u = u->next)
		if (u->unit == cu->addr)
			return u;
	u = calloc(1, sizeof(*u));
	if (!u)
		return NULL;
	u->unit = cu->addr;
	if (unit_funcs__collect(u, cu, SCOPES_MAX)) {
		free(u->ranges);
		free(u);
		return NULL;
	}
	if (u->n)
		qsort(u->ranges, u->n, sizeof(*u->ranges), func_range__cmp);
	u->next = s->units;
	s->units = u;
	return u;
}

/* The function range holding pc: the last starting at or before it. */
static const struct func_range *unit_funcs__find(const struct unit_funcs *u, Dwarf_Addr pc)
{
	size_t lo = 0, hi = u->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (u->ranges[mid].low <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && pc < u->ranges[lo - 1].high ? &u->ranges[lo - 1] : NULL;
}

/* The inlined function or block directly inside parent that holds pc. */
static bool scopes__child_at(Dwarf_Die *parent, Dwarf_Addr pc, Dwarf_Die *out)
{
	Dwarf_Die child;
	int tag;

	if (dwarf_child(parent, &child))
		return false;
	do {
		tag = dwarf_tag(&child);
		if ((tag == DW_TAG_inlined_subroutine || tag == DW_TAG_lexical_block) &&
		    dwarf_haspc(&child, pc) > 0) {
			*out = child;
			return true;
		}
	} while (!dwarf_siblingof(&child, &child));
	return false;
}

int scopes__at(struct scopes *s, Dwarf_Die *cu, Dwarf_Addr pc, Dwarf_Die *path)
{
	struct unit_funcs *u = scopes__unit(s, cu);
	const struct func_range *func;
	int n = 1;

	if (!u)
		return -1;
	func = unit_funcs__find(u, pc);
	if (!func)
		return 0;
	path[0] = func->die;
	while (n < SCOPES_MAX && scopes__child_at(&path[n - 1], pc, &path[n]))
		n++;
	return n;
}
