/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_JVM_H
#define LEAKMON_JVM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/stack.h"
#include "unwind/unwind.h"

/*
 * A HotSpot JVM's Java threads, from the tables HotSpot keeps for its serviceability agent
 * (gHotSpotVMStructs: each field's offset, by type and name), as jstack reads them: which Java
 * monitor each is entering or waiting on, and who owns a monitor. Its memory is the target's:
 * every count is bounded, every pointer only compared or read through.
 */
struct jvm;

/* A HotSpot JVM's module, as its frames and the process's maps name it. */
#define JVM_MODULE "libjvm.so"

/* Whether process pid maps a HotSpot JVM (JVM_MODULE): one look at its maps. */
bool jvm__mapped(pid_t pid);
/* The module of a HotSpot JVM (JVM_MODULE) with a frame in st, or NULL. */
const char *jvm__module(const struct stack *st);
/* The Java threads of process pid now, or NULL: no JVM in module, or one whose tables say no. */
struct jvm *jvm__new(pid_t pid, struct unwinder *u, const char *module);
void jvm__free(struct jvm *j);
/*
 * Read its Java threads again (the monitor, at each look), dating each wait to enter a monitor
 * from the first look that saw the thread entering that monitor. A JVM unreadable now (exiting,
 * or its list of threads replaced as it was read) has no threads until it reads again.
 */
void jvm__refresh(struct jvm *j, uint64_t now_ns);
/*
 * What Java monitor thread tid (numbered in our pid namespace) waits on, if any: "mutex" while
 * it enters one (a synchronized block or method another thread holds; the monitor's owner into
 * *owner, 0 if unknown), "condvar" in its Object.wait(); the monitor into *monitor. NULL if the
 * thread is no Java thread, or in neither.
 */
const char *jvm__monitor_wait(const struct jvm *j, uint32_t tid, uint64_t *monitor,
			      uint32_t *owner);
/*
 * When thread tid was first seen entering the monitor it enters now (by jvm__refresh(), whose
 * clock it is); 0: not entering one, or not refreshed. A thread entering a contended monitor
 * parks for at most a second at a time, each time a new sleep: this dates the whole wait.
 */
uint64_t jvm__entering_since(const struct jvm *j, uint32_t tid);

#endif /* LEAKMON_JVM_H */
