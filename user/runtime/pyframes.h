/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_PYFRAMES_H
#define LEAKMON_PYFRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/stack.h"
#include "util/strpool.h"
#include "unwind/unwind.h"

/*
 * The Python functions a CPython thread runs, read from the interpreter's own structures in the
 * process's memory (no ptrace, nothing stopped), as py-spy does: the native stack of a Python
 * thread names only the interpreter's loop. CPython 3.11 to 3.13, whose layouts are known; any
 * other process or version has none, and its stacks stay as unwound. The interpreter is found
 * in whatever module runs its loop: python3.11, libpython3.11.so, or a program that has it
 * linked in.
 */
#define PYFRAMES_MAX 128

struct pyframes;

/* The module (a frame's) that runs a CPython interpreter's loop in st, or NULL: none does. */
const char *pyframes__interpreter_module(const struct stack *st);
/*
 * The interpreter of process pid in module (pyframes__interpreter_module()), found through its
 * symbols (u), or NULL: not a CPython this reads, or its state unreadable. Reads its threads'
 * list once.
 */
struct pyframes *pyframes__new(pid_t pid, struct unwinder *u, const char *module,
			       struct strpool *strings);
void pyframes__free(struct pyframes *py);
/*
 * Put thread tid's Python frames into st, each group before the interpreter's loop frame
 * (_PyEval_EvalFrameDefault) that runs it, as inlined frames sit before their caller's; and
 * its threading.Thread's name into *name (NULL: none, as for the main thread, or unreadable).
 */
void pyframes__splice(struct pyframes *py, uint32_t tid, struct stack *st, const char **name);
/*
 * For a wait in CPython 3.13's parking lot (_PyParkingLot_Park in st) on the futex at futex,
 * what it is parked on: each waiter sleeps on a semaphore of its own, in a wait entry on its
 * stack, which holds the address of the lock, event or queue it waits for. 0: no such wait.
 */
uint64_t pyframes__parked_on(struct pyframes *py, const struct stack *st, uint64_t futex);
/*
 * For a wait on a lock of CPython's own (PyThread_acquire_lock_timed in st) on the futex at
 * futex, the Python object whose lock that is (a Lock, an RLock, a SimpleQueue): the one the
 * waiting frame holds (a local, or on its value stack), into *lock. For an RLock, the thread that
 * holds it into *owner (its tid, numbered in our pid namespace); else 0. False: no such wait,
 * or its object not found. Right after pyframes__splice() of the thread, whose frames it uses.
 */
bool pyframes__lock_wait(struct pyframes *py, uint32_t tid, const struct stack *st, uint64_t futex,
			 uint64_t *lock, uint32_t *owner);
/*
 * For a thread waiting in threading's Thread.join, the thread it joins (its tid, numbered in our
 * pid namespace), from the joined Thread's ident; 0: no such wait, or not found. Right after
 * pyframes__splice() of the thread, whose innermost frame it uses.
 */
uint32_t pyframes__joined(struct pyframes *py, uint32_t tid);
/*
 * Whether a wait on the futex at futex is one for an interpreter's GIL (on its condition
 * variable or mutex): the GIL's address into *gil, the thread that holds it into *holder (its tid,
 * numbered in our pid namespace; 0: not held, or not found).
 */
bool pyframes__gil_wait(struct pyframes *py, uint64_t futex, uint64_t *gil, uint32_t *holder);
/* Whether a futex wait on futex is one for the GIL at gil (on its condition variable or mutex). */
bool pyframes__on_gil(uint64_t gil, uint64_t futex);
/*
 * The GIL thread tid (numbered in our pid namespace) holds, if it holds one: a thread asleep
 * outside the GIL's own wait while holding it (in a C call that keeps it) stops every other
 * Python thread of its interpreter. 0: none.
 */
uint64_t pyframes__gil_held(struct pyframes *py, uint32_t tid);

/*
 * The source line of instruction index (in code units) of a code object, from its line table
 * (CPython's location table, PEP 657: entries of a first byte 1CCCCLLL, code and length - 1,
 * then the code's operands) and first line. 0 when unknown; the first line before the first
 * instruction (a frame being set up). Never negative, whatever the table says.
 */
int pyframes__line(const unsigned char *table, size_t len, int firstlineno, int64_t index);

#endif /* LEAKMON_PYFRAMES_H */
