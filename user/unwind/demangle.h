/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_DEMANGLE_H
#define LEAKMON_DEMANGLE_H

/*
 * Mangled symbol names as their language prints them: C++ (the C++ runtime's demangler),
 * Rust's legacy mangling (that demangler's reading, tidied as Rust prints it) and Rust's v0
 * mangling (read by demangle_rust_v0.c, after the v0 specification). Crate hashes are left out, as
 * Rust's own backtraces leave them out. Names come from the target's binaries: whatever they hold,
 * the reader stays in bounds, recurses a bounded depth and writes a bounded length.
 */

/* The demangled name (caller frees), or NULL when name is not mangled or cannot be read. */
char *demangle__symbol(const char *name);
/* A v0 name ("_R" <path> [<instantiating-crate>] [<suffix>]) as Rust prints it, or NULL. */
char *demangle__rust_v0(const char *name);

#endif /* LEAKMON_DEMANGLE_H */
