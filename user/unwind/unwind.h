/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_UNWIND_H
#define LEAKMON_UNWIND_H

#include <sys/types.h>

#include "leakmon.h"
#include "model/stack.h"
#include "unwind/symbols.h"
#include "util/strpool.h"

/*
 * Full user stacks of blocked threads without ptrace: the saved registers come from the task
 * iterator, the stack memory from process_vm_readv, and libdw unwinds them with the modules'
 * CFI. Nothing is stopped or woken. Files are opened through /proc/PID/map_files, so a
 * container's or a deleted binary is the one actually mapped.
 */
struct unwinder;

struct unwinder_opts {
	struct symbolizer *symbols;
	struct strpool *strings; /* where frames' strings live: must outlive the stacks */
	bool separate_dwarf; /* read source lines from separate debug files too (costly: inflating)
			      */
	bool no_dwarf;	     /* symbol names only */
};

int unwinder__new(pid_t pid, const struct unwinder_opts *opts, struct unwinder **out);
void unwinder__free(struct unwinder *u);
/*
 * Read the top of each thread's stack, for all of them at once: a few syscalls for thousands of
 * threads instead of one each. Optional; unwinder__unwind reads what was not prefetched.
 */
void unwinder__prefetch(struct unwinder *u, const struct task_record *const *recs, size_t n);
/* Unwind one thread of the process from its record. Fills out even on failure (out->error). */
void unwinder__unwind(struct unwinder *u, const struct task_record *rec, struct stack *out);
/* Unwind the creator of a thread as it was at creation, from the copy taken then. */
void unwinder__unwind_creator(struct unwinder *u, const struct creator_record *c,
			      struct stack *out);

/*
 * Where the symbols names[0..n) are in the process: all from the module whose file's base name
 * is module (as a frame's). 0, or -ENOENT when no such module has them all.
 */
int unwinder__module_symbols(struct unwinder *u, const char *module, const char *const *names,
			     uint64_t *addrs, size_t n);

#endif /* LEAKMON_UNWIND_H */
