/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_CPYTHON_H
#define LEAKMON_CPYTHON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * CPython's threads, read from the interpreter's own structures in the process's memory (no
 * ptrace, nothing stopped), as py-spy does: the native stack of a Python thread names only the
 * interpreter's loop. The runtime cpython_runtime (runtime.h); here, what its tests reach.
 */

/*
 * CPython's own layouts, copied by hand from its internal headers (Include/internal/pycore_*.h)
 * of each version it reads: tests/unit/test_cpython_layout.c checks them against the headers of
 * Debian's libpython3.11-dev, built as CPython itself is (Py_BUILD_CORE).
 *
 * Where an instance of a class keeps its attributes (a managed dict's values, or the dict), by
 * version. 3.11: the values' pointer 4 words before the object, the dict's 3 words before.
 * 3.12: 3 words before, the dict's pointer or the values' - 1 (odd). 3.13: the values after
 * the object's header, the dict 3 words before.
 */
enum py_attrs_kind {
	PY_ATTRS_VALUES_BEFORE,
	PY_ATTRS_TAGGED_BEFORE,
	PY_ATTRS_INLINE,
};

/* Where CPython keeps what is read here (Include/internal/pycore_*.h of each version). */
struct py_layout {
	uint64_t runtime_interpreters;
	uint64_t interp_next;
	uint64_t interp_threads;
	uint64_t thread_next;
	uint64_t thread_ident; /* PyThread_get_thread_ident(): its pthread_t, as a lock's owner */
	uint64_t thread_native_id;
	uint64_t thread_cframe; /* 3.11, 3.12: the frame hangs off a _PyCFrame; 0: off the thread */
	uint64_t frame_current; /* in the _PyCFrame, or in the thread state */
	uint64_t frame_code;
	uint64_t frame_previous;
	uint64_t frame_instr; /* prev_instr (3.11, 3.12), instr_ptr (3.13): same arithmetic */
	uint64_t frame_owner;
	uint64_t frame_is_entry;   /* 3.11; 0: later versions mark entries with shim frames */
	uint64_t frame_localsplus; /* the arguments, then the other locals */
	uint64_t code_filename;
	uint64_t code_qualname;
	uint64_t code_linetable;
	uint64_t code_firstlineno;
	uint64_t code_instructions;
	uint64_t code_stacksize;       /* int: the most a frame's value stack holds */
	uint64_t code_nlocalsplus;     /* int: its locals, cells and free variables */
	uint64_t unicode_ascii_size;   /* where a compact ASCII string's characters start */
	uint64_t unicode_compact_size; /* and any other compact string's */
	enum py_attrs_kind attrs;
	uint64_t type_cached_keys; /* PyHeapTypeObject.ht_cached_keys: its instances' keys */
	uint64_t values_start;	   /* where a PyDictValues' values start */
	bool long_tagged; /* an int's size word tags its sign (3.12): else it is a signed count */
	/* The GIL: in the runtime state (3.11), or pointed to by each interpreter's (3.12). */
	uint64_t runtime_gil;
	uint64_t interp_gil;
	/*
	 * 3.13's parking lot: how far before a waiter's semaphore its wait entry keeps the address
	 * it is parked on (struct wait_entry: park_arg, addr, sema); 0: no parking lot.
	 */
	uint64_t parked_addr_before_sema;
};

/* _PyInterpreterFrame.owner of 3.12's and 3.13's entry shims: the C stack's, no Python code. */
#define PY_FRAME_OWNED_BY_CSTACK 3
/* Object headers: ob_refcnt, ob_type; a variable-size one's ob_size; PyUnicode's state. */
#define PY_OB_TYPE 8
#define PY_OB_SIZE 16
#define PY_BYTES_DATA 32
#define PY_UNICODE_STATE 32
#define PY_UNICODE_KIND(state) (((state) >> 2) & 7)
#define PY_UNICODE_COMPACT(state) (((state) >> 5) & 1)
#define PY_UNICODE_ASCII(state) (((state) >> 6) & 1)
/* Types, dicts and their keys: the same in 3.11 to 3.13. */
#define PY_TYPE_FLAGS 168
#define PY_TPFLAGS_INLINE_VALUES (1 << 2)
#define PY_TPFLAGS_MANAGED_DICT (1 << 4)
#define PY_MANAGED_DICT (-24)
#define PY_OBJECT_BEFORE 32 /* the most kept before an object's header */
#define PY_DICT_KEYS 32
#define PY_DICT_VALUES 40
#define PY_KEYS_LOG2_INDEX_BYTES 9
#define PY_KEYS_KIND 10
#define PY_KEYS_NENTRIES 24
#define PY_KEYS_INDICES 32
#define PY_KEYS_GENERAL 0 /* entries of hash, key, value; else of key, value */
#define PY_INLINE_VALUES 16
#define PY_INLINE_VALUES_VALID 3
/*
 * Objects with a lock of PyThread_allocate_lock()'s (3.11 to 3.13: Lock before 3.13, RLock,
 * SimpleQueue) keep it first, where their waiters' futex is. An RLock then has its owner's ident
 * and its count.
 */
/* (Modules/_threadmodule.c's lockobject and rlockobject: in no installed header.) */
#define PY_LOCK_LOCK 16
#define PY_RLOCK_OWNER 24
#define PY_RLOCK_COUNT 32
#define PY_LOCK_HEAD_BYTES 40
#define PY_RLOCK_TYPE_NAME "_thread.RLock"
#define PY_TYPE_NAME 24 /* PyTypeObject.tp_name */
/*
 * The GIL (struct _gil_runtime_state, the same in 3.11 to 3.13): its holder's thread state, and
 * whether it is held; its waiters sleep on its condition variable (a pthread_cond_t), and on
 * the mutex right after it (a pthread_mutex_t) when two wake at once: both are waits for it.
 */
#define PY_GIL_LAST_HOLDER 8
#define PY_GIL_LOCKED 16
#define PY_GIL_COND 32
#define PY_GIL_WAIT_BYTES (48 + 40)
/* A builtin method bound to its object, as a with statement keeps an RLock's __exit__. */
#define PY_CFUNCTION_SELF 24
/*
 * An int's digits, after its size word: a signed count of them (3.11), or their count above a
 * sign tag (3.12: 0 positive, 1 zero, 2 negative).
 */
#define PY_LONG_DIGITS 24
#define PY_LONG_DIGIT_BITS 30
#define PY_LONG_MAX_DIGITS 3 /* of a 64-bit value */
#define PY_LONG_TAG_BITS 3
#define PY_LONG_SIGN_MASK 3
#define PY_LONG_NEGATIVE 2

/* 3.11's and 3.12's layouts; 3.13 carries its own, read from _PyRuntime (_Py_DebugOffsets). */
extern const struct py_layout cpython_layout_311, cpython_layout_312;

/*
 * The source line of instruction index (in code units) of a code object, from its line table
 * (CPython's location table, PEP 657: entries of a first byte 1CCCCLLL, code and length - 1,
 * then the code's operands) and first line. 0 when unknown; the first line before the first
 * instruction (a frame being set up). Never negative, whatever the table says.
 */
int cpython__line(const unsigned char *table, size_t len, int firstlineno, int64_t index);

#endif /* LEAKMON_CPYTHON_H */
