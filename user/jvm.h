/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_JVM_H
#define LEAKMON_JVM_H

#include <stdint.h>
#include <sys/types.h>

#include "stack.h"
#include "unwind.h"

/*
 * A HotSpot JVM's Java threads, from the tables HotSpot keeps for its serviceability agent
 * (gHotSpotVMStructs: each field's offset, by type and name), as jstack reads them: which Java
 * monitor each is entering or waiting on, and who owns a monitor. Its memory is the target's:
 * every count is bounded, every pointer only compared or read through.
 */
struct jvm;

/* The module of a HotSpot JVM (libjvm.so) with a frame in st, or NULL. */
const char *jvm__module(const struct stack *st);
/* The Java threads of process pid now, or NULL: no JVM in module, or one whose tables say no. */
struct jvm *jvm__new(pid_t pid, struct unwinder *u, const char *module);
void jvm__free(struct jvm *j);
/*
 * What Java monitor thread tid (numbered in our pid namespace) waits on, if any: "mutex" while
 * it enters one (a synchronized block or method another thread holds; the monitor's owner into
 * *owner, 0 if unknown), "condvar" in its Object.wait(); the monitor into *monitor. NULL if the
 * thread is no Java thread, or in neither.
 */
const char *jvm__monitor_wait(const struct jvm *j, uint32_t tid, uint64_t *monitor,
			      uint32_t *owner);

#endif /* LEAKMON_JVM_H */
