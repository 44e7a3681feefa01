/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_SCOPES_H
#define LEAKMON_SCOPES_H

#include <elfutils/libdw.h>

/*
 * Where a code address is in the DWARF tree: the function holding it and the functions inlined
 * there. libdw's dwarf_getscopes() (elfutils 0.188) does not look inside namespaces, where Rust
 * puts every function, so a Rust stack showed nothing inlined: not the user's closure, not the
 * line it waits on. Here each compile unit's functions are indexed by address the first time a
 * pc falls in it, with namespaces and types searched; later pcs are a binary search. The DWARF
 * is the target's: nesting is bounded. Valid while the Dwfl the units come from is.
 */
struct scopes;

/* Scopes, inlining and DIE nesting both, searched at most this deep. */
#define SCOPES_MAX 64

struct scopes *scopes__new(void);
void scopes__free(struct scopes *s);
/*
 * The DIEs holding pc (in cu's addresses), outermost first: the function, then the inlined
 * functions and blocks inside it, into path (SCOPES_MAX). Returns how many; 0 when no function
 * of cu holds pc, -1 when memory ran out.
 */
int scopes__at(struct scopes *s, Dwarf_Die *cu, Dwarf_Addr pc, Dwarf_Die *path);

#endif /* LEAKMON_SCOPES_H */
