// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "proc/pidns.h"
#include "proc/remote.h"
#include "runtime/cpython.h"
#include "runtime/runtime.h"
#include "util/array.h"
#include "util/log.h"
#include "util/text.h"

/* Bounds on what a process's memory can make this read: it may be corrupt or hostile. */
#define PY_MAX_INTERPRETERS 64
#define PY_MAX_THREADS (1 << 18)
#define PY_MAX_NAME 1024	      /* characters of a function's or file's name */
#define PY_MAX_LINETABLE (256 * 1024) /* bytes of a code object's line table */
#define PY_STATE_BYTES 512	      /* most of a thread state read */
#define PY_FRAME_BYTES 256	      /* most of a frame read */
#define PY_MAX_COPIED (64 << 20)      /* names and line tables kept, per process */
#define PY_MAX_CODES (1 << 18)	      /* code objects kept, per process */
#define PY_WINDOW_BYTES (16 * 1024)   /* of a thread's data stack, read at once */
#define PY_MAX_ATTRS 256	      /* of an instance's attributes, searched for one */
#define PY_PAGE_BYTES 4096
#define PY_STRING_FIRST_BYTES 128 /* of a str read at first: a short one's text is in it */
#define PY_MAX_SLOTS 256	  /* of a frame's locals and value stack, searched for a lock */
#define CPYTHON_MAX_FRAMES 128	  /* of a thread's Python frames, read */

/* The interpreter's loop: each of its runs executes a group of Python frames. */
#define PY_EVAL_LOOP "_PyEval_EvalFrameDefault"
/* 3.13's parking lot, where a waiter sleeps on a semaphore of its own. */
#define PY_PARKING_LOT_PARK "_PyParkingLot_Park"
/* Where a wait on a lock of PyThread_allocate_lock()'s is (exported: named in any build). */
#define PY_LOCK_WAIT "PyThread_acquire_lock_timed"

/* CPython 3.13's _Py_DebugOffsets, at the start of _PyRuntime: where the other fields are. */
#define PY_DEBUG_COOKIE "xdebugpy"

const struct py_layout cpython_layout_311 = {
	.runtime_interpreters = 40,
	.interp_next = 0,
	.interp_threads = 16,
	.thread_next = 8,
	.thread_ident = 152,
	.thread_native_id = 160,
	.thread_cframe = 56,
	.frame_current = 8,
	.frame_code = 32,
	.frame_previous = 48,
	.frame_instr = 56,
	.frame_owner = 69,
	.frame_is_entry = 68,
	.frame_localsplus = 72,
	.code_filename = 112,
	.code_qualname = 128,
	.code_linetable = 136,
	.code_firstlineno = 72,
	.code_instructions = 184,
	.code_stacksize = 68,
	.code_nlocalsplus = 76,
	.unicode_ascii_size = 48,
	.unicode_compact_size = 72,
	.attrs = PY_ATTRS_VALUES_BEFORE,
	.type_cached_keys = 872,
	.runtime_gil = 360,
};

const struct py_layout cpython_layout_312 = {
	.runtime_interpreters = 40,
	.interp_next = 0,
	.interp_threads = 72,
	.thread_next = 8,
	.thread_ident = 136,
	.thread_native_id = 144,
	.thread_cframe = 56,
	.frame_current = 0,
	.frame_code = 0,
	.frame_previous = 8,
	.frame_instr = 56,
	.frame_owner = 70,
	.frame_localsplus = 72,
	.code_filename = 112,
	.code_qualname = 128,
	.code_linetable = 136,
	.code_firstlineno = 68,
	.code_instructions = 192,
	.code_stacksize = 64,
	.code_nlocalsplus = 72,
	.unicode_ascii_size = 40,
	.unicode_compact_size = 56,
	.attrs = PY_ATTRS_TAGGED_BEFORE,
	.type_cached_keys = 880,
	.long_tagged = true,
	.interp_gil = 384,
};

/* Where 3.13's _Py_DebugOffsets has each offset this reads (Include/internal/pycore_runtime.h). */
static const struct py_debug_field {
	size_t layout; /* offsetof(struct py_layout, ...) */
	size_t debug;
} py313_fields[] = {
	{ offsetof(struct py_layout, runtime_interpreters), 40 },
	{ offsetof(struct py_layout, interp_next), 64 },
	{ offsetof(struct py_layout, interp_threads), 72 },
	{ offsetof(struct py_layout, thread_next), 168 },
	{ offsetof(struct py_layout, frame_current), 184 },
	{ offsetof(struct py_layout, thread_ident), 192 },
	{ offsetof(struct py_layout, thread_native_id), 200 },
	{ offsetof(struct py_layout, frame_previous), 232 },
	{ offsetof(struct py_layout, frame_code), 240 },
	{ offsetof(struct py_layout, frame_instr), 248 },
	{ offsetof(struct py_layout, frame_localsplus), 256 },
	{ offsetof(struct py_layout, frame_owner), 264 },
	{ offsetof(struct py_layout, code_filename), 280 },
	{ offsetof(struct py_layout, code_qualname), 296 },
	{ offsetof(struct py_layout, code_linetable), 304 },
	{ offsetof(struct py_layout, code_firstlineno), 312 },
	{ offsetof(struct py_layout, code_instructions), 344 },
	{ offsetof(struct py_layout, unicode_ascii_size), 560 },
};

#define PY313_DEBUG_BYTES (560 + 8)

/* A code object, read once per process: every thread in the same function shares it. */
struct py_code {
	uint64_t addr; /* 0: an empty slot */
	bool valid;
	const char *qualname, *filename;
	int firstlineno;
	unsigned char *linetable;
	size_t linetable_len;
	size_t slots; /* of a frame that runs it: locals, cells, free variables, value stack */
};

struct py_thread {
	uint32_t native_id;
	uint64_t ident;
	uint64_t state;
};

/* The last class whose instances' attributes were looked up: its flags, its instances' keys. */
struct py_class {
	uint64_t type, flags, keys;
};

/* Where instances keep one attribute (a Thread's "_name", "_ident"), learnt once for all. */
struct py_attr {
	const char *name;
	uint64_t key;  /* the str: attributes' keys are interned */
	uint64_t keys; /* split keys found to hold it, */
	size_t index;  /* at this index */
};

struct cpython {
	pid_t pid;
	uint64_t runtime; /* _PyRuntime: every interpreter's state hangs off it */
	bool stale;	  /* a new look began: the threads are read again on first use */
	struct py_layout layout;
	uint64_t code_type, unicode_type, bytes_type, int_type; /* the type objects, by address */
	struct strpool *strings;
	struct py_thread *threads; /* sorted by native_id */
	size_t n_threads;
	bool own_pid_ns;       /* the process numbers its threads as we do */
	struct py_code *codes; /* open addressing, power-of-two size */
	size_t codes_size, codes_used;
	size_t copied; /* bytes of names and line tables kept, up to PY_MAX_COPIED */
	struct py_class last_class;
	struct py_attr name_attr, ident_attr;
	/* The innermost Python frame of the thread whose frames were read last, and its code. */
	uint32_t innermost_tid;
	uint64_t innermost_frame, innermost_code;
	uint64_t gils[PY_MAX_INTERPRETERS]; /* each interpreter's GIL (3.11: one for all) */
	size_t n_gils;
	uint64_t rlock_type;	  /* _thread.RLock's type object, once seen */
	uint64_t other_lock_type; /* the last other type of an object a lock was found in */
	/* A thread's frames sit together on its interpreter's data stack: read in one go. */
	unsigned char window[PY_WINDOW_BYTES];
	uint64_t window_start;
	size_t window_len;
};

static size_t py__read_some(const struct cpython *py, uint64_t addr, void *buf, size_t len)
{
	return remote__read_some(py->pid, addr, buf, len);
}

static bool py__read(const struct cpython *py, uint64_t addr, void *buf, size_t len)
{
	return remote__read(py->pid, addr, buf, len);
}

/*
 * Read up to PY_WINDOW_BYTES that end at end into the window, as much as is mapped: the pages
 * are asked for from the highest down, so an unmapped one below the data stack only ends it.
 */
static void py__load_window(struct cpython *py, uint64_t end)
{
	struct iovec local[PY_WINDOW_BYTES / PY_PAGE_BYTES + 1];
	struct iovec remote[PY_WINDOW_BYTES / PY_PAGE_BYTES + 1];
	uint64_t start = end > PY_WINDOW_BYTES ? end - PY_WINDOW_BYTES : 0, at = end;
	size_t n = 0;
	ssize_t got;

	while (at > start) {
		uint64_t from = (at - 1) & ~(uint64_t)(PY_PAGE_BYTES - 1);

		if (from < start)
			from = start;
		local[n] = (struct iovec){ py->window + (from - start), at - from };
		remote[n] = (struct iovec){ (void *)(uintptr_t)from, at - from };
		n++;
		at = from;
	}
	got = n ? process_vm_readv(py->pid, local, n, remote, n, 0) : -1;
	py->window_len = got > 0 ? (size_t)got : 0;
	py->window_start = end - py->window_len;
	if (py->window_len)
		memmove(py->window, py->window + (py->window_start - start), py->window_len);
}

/* Read a frame: from the window when it holds it, else from the process. */
static bool py__read_frame(struct cpython *py, uint64_t addr, void *buf, size_t len)
{
	if (addr >= py->window_start && addr - py->window_start + len <= py->window_len) {
		memcpy(buf, py->window + (addr - py->window_start), len);
		return true;
	}
	return py__read(py, addr, buf, len);
}

static bool py__read_u64(const struct cpython *py, uint64_t addr, uint64_t *out)
{
	return py__read(py, addr, out, sizeof(*out));
}

/* 3.13's layout, from the table the interpreter carries for tools like this one. */
static bool py__layout_313(struct cpython *py, uint64_t runtime)
{
	unsigned char dbg[PY313_DEBUG_BYTES];
	struct py_layout *l = &py->layout;

	if (!py__read(py, runtime, dbg, sizeof(dbg)) ||
	    memcmp(dbg, PY_DEBUG_COOKIE, strlen(PY_DEBUG_COOKIE)))
		return false;
	memset(l, 0, sizeof(*l));
	for (size_t i = 0; i < sizeof(py313_fields) / sizeof(py313_fields[0]); i++)
		memcpy((char *)l + py313_fields[i].layout, dbg + py313_fields[i].debug,
		       sizeof(uint64_t));
	/* A compact string that is not ASCII adds its UTF-8 length and pointer. */
	l->unicode_compact_size = l->unicode_ascii_size + 16;
	/* Not in the table; fixed for 3.13's ABI. */
	l->attrs = PY_ATTRS_INLINE;
	l->type_cached_keys = 880;
	l->code_stacksize = 64;
	l->code_nlocalsplus = 72;
	l->values_start = 8;
	l->long_tagged = true;
	l->interp_gil = 16;
	l->parked_addr_before_sema = 8;
	/* Every offset is read within a PY_STATE_BYTES read of its structure, or near it. */
	return l->thread_next < PY_STATE_BYTES - 8 && l->thread_native_id < PY_STATE_BYTES - 8 &&
	       l->thread_ident < PY_STATE_BYTES - 8 && l->frame_current < PY_STATE_BYTES - 8 &&
	       l->frame_previous < PY_FRAME_BYTES - 8 && l->frame_code < PY_FRAME_BYTES - 8 &&
	       l->frame_instr < PY_FRAME_BYTES - 8 && l->frame_owner < PY_FRAME_BYTES &&
	       l->frame_localsplus < 1024 && l->code_filename < 1024 && l->code_qualname < 1024 &&
	       l->code_linetable < 1024 && l->code_firstlineno < 1024 &&
	       l->code_instructions < 1024 && l->unicode_ascii_size < 256;
}

/* The layout of the CPython whose _PyRuntime is at runtime, by its Py_Version. */
static bool py__layout(struct cpython *py, uint64_t runtime, uint64_t version_addr)
{
	uint32_t version;

	if (!py__read(py, version_addr, &version, sizeof(version)) || version >> 24 != 3)
		return false;
	switch ((version >> 16) & 0xff) {
	case 11:
		py->layout = cpython_layout_311;
		return true;
	case 12:
		py->layout = cpython_layout_312;
		return true;
	case 13:
		return py__layout_313(py, runtime);
	default:
		return false;
	}
}

static int py_thread__cmp(const void *a, const void *b)
{
	const struct py_thread *x = a, *y = b;

	return x->native_id < y->native_id ? -1 : x->native_id > y->native_id;
}

static int py__add_thread(struct cpython *py, size_t *cap, const struct py_thread *thread)
{
	struct py_thread *grown = array__grow(py->threads, cap, py->n_threads, sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	py->threads = grown;
	py->threads[py->n_threads++] = *thread;
	return 0;
}

/* Every interpreter's thread states, by the native thread id each runs on. */
static int py__read_threads(struct cpython *py)
{
	uint64_t runtime = py->runtime;
	const struct py_layout *l = &py->layout;
	unsigned char ts[PY_STATE_BYTES];
	/* Up to its last field read: the state may end where its mapping does. */
	size_t ts_bytes =
		(l->thread_native_id > l->thread_ident ? l->thread_native_id : l->thread_ident) + 8;
	uint64_t interp, state, head;
	size_t cap = 0, n_interps = 0;
	int err;

	if (!py__read_u64(py, runtime + l->runtime_interpreters, &interp))
		return -EFAULT;
	if (l->runtime_gil)
		py->gils[py->n_gils++] = runtime + l->runtime_gil;
	for (; interp && n_interps < PY_MAX_INTERPRETERS; n_interps++) {
		if (l->interp_gil &&
		    py__read_u64(py, interp + l->interp_gil, &py->gils[py->n_gils]))
			py->n_gils++;
		if (!py__read_u64(py, interp + l->interp_threads, &state))
			break;
		head = state;
		while (state && py->n_threads < PY_MAX_THREADS &&
		       py__read(py, state, ts, ts_bytes)) {
			struct py_thread thread = {
				.native_id = (uint32_t)remote__u64_at(ts, l->thread_native_id),
				.ident = remote__u64_at(ts, l->thread_ident),
				.state = state,
			};

			err = py__add_thread(py, &cap, &thread);
			if (err)
				return err;
			state = remote__u64_at(ts, l->thread_next);
			if (state == head)
				break;
		}
		if (!py__read_u64(py, interp + l->interp_next, &interp))
			break;
	}
	if (!py->n_threads)
		return -ENOENT;
	qsort(py->threads, py->n_threads, sizeof(*py->threads), py_thread__cmp);
	return 0;
}

/* The module (a frame's) that runs a CPython interpreter's loop in st, or NULL: none does. */
static const char *cpython__interpreter_module(const struct stack *st)
{
	for (size_t i = 0; i < st->n; i++)
		if (!st->frames[i].inlined && st->frames[i].func && st->frames[i].module &&
		    !strcmp(st->frames[i].func, PY_EVAL_LOOP))
			return st->frames[i].module;
	return NULL;
}

/*
 * Forget what was read of the threads: at a new look, code objects and classes may have been
 * freed and their addresses reused, threads started and ended, and the names in frames live in
 * the new look's pool. Read again on first use.
 */
static void cpython__forget(struct cpython *py)
{
	for (size_t i = 0; i < py->codes_size; i++)
		free(py->codes[i].linetable);
	free(py->codes);
	free(py->threads);
	py->codes = NULL;
	py->codes_size = py->codes_used = py->copied = 0;
	py->threads = NULL;
	py->n_threads = py->n_gils = 0;
	py->last_class = (struct py_class){};
	py->name_attr = (struct py_attr){ .name = "_name" };
	py->ident_attr = (struct py_attr){ .name = "_ident" };
	py->innermost_tid = 0;
	py->rlock_type = py->other_lock_type = 0;
	py->window_start = py->window_len = 0;
	py->stale = true;
}

/* The interpreter's threads as they are at this look: read once a look, on first use. */
static void cpython__fresh(struct cpython *py, const struct runtime_context *ctx)
{
	py->strings = ctx->strings;
	if (!py->stale)
		return;
	py->stale = false;
	if (py__read_threads(py))
		log_debug("pid %d: its interpreter's threads could not be read", (int)py->pid);
}

static struct cpython *cpython(struct runtime *rt)
{
	return (struct cpython *)rt;
}

static void cpython__close(struct runtime *rt)
{
	struct cpython *py = cpython(rt);

	if (!py)
		return;
	cpython__forget(py);
	free(py);
}

/*
 * The interpreter of the process in module (cpython__interpreter_module()), found through its
 * symbols: -ENOENT when it is not a CPython this reads, or its state is unreadable.
 */
static int cpython__open(const struct runtime_context *ctx, const char *module,
			 struct runtime **out)
{
	static const char *const names[] = { "_PyRuntime",     "Py_Version",   "PyCode_Type",
					     "PyUnicode_Type", "PyBytes_Type", "PyLong_Type" };
	uint64_t addrs[sizeof(names) / sizeof(names[0])];
	struct cpython *py;

	if (unwinder__module_symbols(ctx->unwinder, module, names, addrs,
				     sizeof(names) / sizeof(names[0])))
		return -ENOENT;
	py = calloc(1, sizeof(*py));
	if (!py)
		return -ENOMEM;
	py->pid = ctx->pid;
	py->strings = ctx->strings;
	py->runtime = addrs[0];
	py->code_type = addrs[2];
	py->unicode_type = addrs[3];
	py->bytes_type = addrs[4];
	py->int_type = addrs[5];
	cpython__forget(py);
	py->stale = false;
	if (!py__layout(py, addrs[0], addrs[1]) || py__read_threads(py)) {
		cpython__close((struct runtime *)py);
		return -ENOENT;
	}
	py->own_pid_ns = pidns__ours(ctx->pid);
	*out = (struct runtime *)py;
	return 0;
}

/* Append code point c to out as UTF-8 ('?' for what is no character). */
static size_t utf8__put(char *out, uint32_t c)
{
	if (c >= 0xd800 && c <= 0xdfff)
		c = '?';
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | c >> 6);
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xe0 | c >> 12);
		out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		out[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	if (c > 0x10ffff) {
		out[0] = '?';
		return 1;
	}
	out[0] = (char)(0xf0 | c >> 18);
	out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	out[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/*
 * Whether len more bytes may be kept: names and line tables are read from memory the process
 * controls, and pointers into it could make each thread's frames new ones.
 */
static bool py__copy_allowed(struct cpython *py, uint64_t len)
{
	if (len > PY_MAX_COPIED - py->copied)
		return false;
	py->copied += len;
	return true;
}

/* A str object's text as pooled UTF-8, or NULL: no compact str, or unreadable. */
static const char *py__string(struct cpython *py, uint64_t addr)
{
	unsigned char head[PY_STRING_FIRST_BYTES], more[PY_MAX_NAME * 4];
	const unsigned char *chars = more;
	char text[PY_MAX_NAME * 4 + 1];
	uint64_t type, length, data;
	uint32_t state, kind;
	size_t n, out = 0, got = py__read_some(py, addr, head, sizeof(head));

	if (got < PY_UNICODE_STATE + 4)
		return NULL;
	type = remote__u64_at(head, PY_OB_TYPE);
	length = remote__u64_at(head, PY_OB_SIZE);
	memcpy(&state, head + PY_UNICODE_STATE, sizeof(state));
	kind = PY_UNICODE_KIND(state);
	if (type != py->unicode_type || !PY_UNICODE_COMPACT(state) ||
	    (kind != 1 && kind != 2 && kind != 4))
		return NULL;
	n = length < PY_MAX_NAME ? length : PY_MAX_NAME;
	if (!py__copy_allowed(py, n * kind))
		return NULL;
	data = PY_UNICODE_ASCII(state) ? py->layout.unicode_ascii_size
				       : py->layout.unicode_compact_size;
	if (data + n * kind <= got)
		chars = head + data;
	else if (!py__read(py, addr + data, more, n * kind))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		uint32_t c = 0;

		memcpy(&c, chars + i * kind, kind);
		/* A NUL would end the name here: it is shown as U+2400, the symbol for NUL. */
		out += utf8__put(text + out, c ? c : 0x2400);
	}
	text[out] = '\0';
	return strpool__intern(py->strings, text);
}

/* A bytes object's contents, malloc'd: a code object's line table. */
static unsigned char *py__bytes(struct cpython *py, uint64_t addr, size_t *len)
{
	unsigned char head[PY_BYTES_DATA], *data;
	uint64_t size;

	if (!py__read(py, addr, head, sizeof(head)) ||
	    remote__u64_at(head, PY_OB_TYPE) != py->bytes_type)
		return NULL;
	size = remote__u64_at(head, PY_OB_SIZE);
	if (size > PY_MAX_LINETABLE || !py__copy_allowed(py, size))
		return NULL;
	data = malloc(size ? size : 1);
	if (data && size && !py__read(py, addr + PY_BYTES_DATA, data, size)) {
		free(data);
		return NULL;
	}
	*len = size;
	return data;
}

static void py_code__read(struct cpython *py, struct py_code *c)
{
	const struct py_layout *l = &py->layout;
	uint64_t type, filename, qualname, linetable;
	int32_t firstlineno, stacksize, nlocalsplus;

	if (!py__read_u64(py, c->addr + PY_OB_TYPE, &type) || type != py->code_type ||
	    !py__read_u64(py, c->addr + l->code_filename, &filename) ||
	    !py__read_u64(py, c->addr + l->code_qualname, &qualname) ||
	    !py__read_u64(py, c->addr + l->code_linetable, &linetable) ||
	    !py__read(py, c->addr + l->code_firstlineno, &firstlineno, sizeof(firstlineno)) ||
	    !py__read(py, c->addr + l->code_stacksize, &stacksize, sizeof(stacksize)) ||
	    !py__read(py, c->addr + l->code_nlocalsplus, &nlocalsplus, sizeof(nlocalsplus)))
		return;
	c->slots = stacksize >= 0 && nlocalsplus >= 0 ? (size_t)stacksize + (size_t)nlocalsplus : 0;
	c->qualname = py__string(py, qualname);
	c->filename = py__string(py, filename);
	c->firstlineno = firstlineno;
	c->linetable = py__bytes(py, linetable, &c->linetable_len);
	c->valid = c->qualname != NULL;
}

static struct py_code *py__code_slot(struct py_code *codes, size_t size, uint64_t addr)
{
	size_t i = (addr >> 4) & (size - 1);

	while (codes[i].addr && codes[i].addr != addr)
		i = (i + 1) & (size - 1);
	return &codes[i];
}

/* Room for one more code object in the table: at most half full. */
static int py__codes_reserve(struct cpython *py)
{
	size_t size = py->codes_size ? py->codes_size * 2 : 256;
	struct py_code *grown;

	if (2 * (py->codes_used + 1) <= py->codes_size)
		return 0;
	grown = calloc(size, sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	for (size_t i = 0; i < py->codes_size; i++)
		if (py->codes[i].addr)
			*py__code_slot(grown, size, py->codes[i].addr) = py->codes[i];
	free(py->codes);
	py->codes = grown;
	py->codes_size = size;
	return 0;
}

/* The code object at addr, read on first use; NULL when none is there (or no room is left). */
static const struct py_code *py__code(struct cpython *py, uint64_t addr)
{
	struct py_code *slot;

	if (!addr)
		return NULL;
	if (py->codes_size) {
		slot = py__code_slot(py->codes, py->codes_size, addr);
		if (slot->addr)
			return slot->valid ? slot : NULL;
	}
	if (py->codes_used == PY_MAX_CODES || py__codes_reserve(py))
		return NULL;
	slot = py__code_slot(py->codes, py->codes_size, addr);
	slot->addr = addr;
	py->codes_used++;
	py_code__read(py, slot);
	return slot->valid ? slot : NULL;
}

/* A varint of the line table (6 bits a byte, 0x40: more follow), bounded by end. */
static uint32_t linetable__varint(const unsigned char **p, const unsigned char *end)
{
	uint32_t value = 0;
	unsigned int shift = 0;
	unsigned char byte;

	do {
		if (*p >= end)
			return value;
		byte = *(*p)++;
		if (shift < 32)
			value |= (uint32_t)(byte & 63) << shift;
		shift += 6;
	} while (byte & 64);
	return value;
}

static int32_t linetable__svarint(const unsigned char **p, const unsigned char *end)
{
	uint32_t u = linetable__varint(p, end);

	return u & 1 ? -(int32_t)(u >> 1) : (int32_t)(u >> 1);
}

int cpython__line(const unsigned char *table, size_t len, int firstlineno, int64_t index)
{
	const unsigned char *p = table, *end = table + len;
	int64_t at = 0, line = firstlineno;

	if (index < 0)
		return firstlineno > 0 ? firstlineno : 0;
	while (p < end) {
		unsigned char first = *p++;
		unsigned int code = (first >> 3) & 15;
		int64_t next = at + (first & 7) + 1;

		if (!(first & 0x80))
			return 0;
		if (code == 14 || code == 13)
			line += linetable__svarint(&p, end);
		else if (code >= 10 && code <= 12)
			line += code - 10;
		while (p < end && !(*p & 0x80))
			p++;
		if (index < next)
			return code == 15 || line < 1 || line > INT_MAX ? 0 : (int)line;
		at = next;
	}
	return 0;
}

/* Whether the str object at addr is the ASCII text (an attribute's key: compact, ASCII). */
static bool py__str_is(const struct cpython *py, uint64_t addr, const char *text)
{
	unsigned char head[PY_UNICODE_STATE + 4];
	char chars[64];
	size_t len = strlen(text);
	uint32_t state;

	if (len > sizeof(chars) || !py__read(py, addr, head, sizeof(head)) ||
	    remote__u64_at(head, PY_OB_TYPE) != py->unicode_type ||
	    remote__u64_at(head, PY_OB_SIZE) != len)
		return false;
	memcpy(&state, head + PY_UNICODE_STATE, sizeof(state));
	return PY_UNICODE_COMPACT(state) && PY_UNICODE_ASCII(state) &&
	       py__read(py, addr + py->layout.unicode_ascii_size, chars, len) &&
	       !memcmp(chars, text, len);
}

/*
 * The value of attribute attr's key in a dict's keys: in values at the key's index (split keys,
 * as an instance's are), or beside the key (values 0); 0 when it is not there. The key is found
 * by its text once, then by its address: every instance's is the one interned string. Split
 * keys only grow, so where a class's keep it is looked up once.
 */
static uint64_t py__keys_attr(const struct cpython *py, struct py_attr *attr, uint64_t keys,
			      uint64_t values)
{
	unsigned char head[PY_KEYS_INDICES], entries[PY_MAX_ATTRS * 24];
	size_t size, key_at, n;
	uint64_t key, value;

	if (values && keys == attr->keys)
		goto split;
	if (!py__read(py, keys, head, sizeof(head)) || head[PY_KEYS_LOG2_INDEX_BYTES] > 40)
		return 0;
	size = head[PY_KEYS_KIND] == PY_KEYS_GENERAL ? 24 : 16;
	key_at = size == 24 ? 8 : 0;
	n = remote__u64_at(head, PY_KEYS_NENTRIES) < PY_MAX_ATTRS
		    ? remote__u64_at(head, PY_KEYS_NENTRIES)
		    : PY_MAX_ATTRS;
	if (!n || !py__read(py, keys + PY_KEYS_INDICES + (1ULL << head[PY_KEYS_LOG2_INDEX_BYTES]),
			    entries, n * size))
		return 0;
	for (int by_text = 0; by_text < 2; by_text++) {
		for (size_t i = 0; i < n; i++) {
			key = remote__u64_at(entries, i * size + key_at);
			if (!key || (by_text ? !py__str_is(py, key, attr->name) : key != attr->key))
				continue;
			attr->key = key;
			if (!values)
				return remote__u64_at(entries, i * size + key_at + 8);
			attr->keys = keys;
			attr->index = i;
			goto split;
		}
	}
	return 0;
split:
	return py__read_u64(py, values + py->layout.values_start + 8 * attr->index, &value) ? value
											    : 0;
}

/*
 * Attribute attr of the class instance at obj (a threading.Thread), or 0. What is kept before
 * and after the object's header is read at once.
 */
static uint64_t py__instance_attr(struct cpython *py, uint64_t obj, struct py_attr *attr)
{
	const struct py_layout *l = &py->layout;
	struct py_class *class = &py->last_class;
	unsigned char around[PY_OBJECT_BEFORE + PY_INLINE_VALUES + PY_INLINE_VALUES_VALID + 1];
	uint64_t type, flags, type_keys, values = 0, dict, keys;

	if (obj < PY_OBJECT_BEFORE || !py__read(py, obj - PY_OBJECT_BEFORE, around, sizeof(around)))
		return 0;
	type = remote__u64_at(around, PY_OBJECT_BEFORE + PY_OB_TYPE);
	if (type != class->type) {
		if (!py__read_u64(py, type + PY_TYPE_FLAGS, &flags) ||
		    !py__read_u64(py, type + l->type_cached_keys, &type_keys))
			return 0;
		class->type = type;
		class->flags = flags;
		class->keys = type_keys;
	}
	if (!(class->flags & PY_TPFLAGS_MANAGED_DICT))
		return 0;
	dict = remote__u64_at(around, PY_OBJECT_BEFORE + PY_MANAGED_DICT);
	switch (l->attrs) {
	case PY_ATTRS_VALUES_BEFORE:
		values = remote__u64_at(around, PY_OBJECT_BEFORE + PY_MANAGED_DICT - 8);
		break;
	case PY_ATTRS_TAGGED_BEFORE:
		if (dict & 1) {
			values = dict + 1;
			dict = 0;
		}
		break;
	case PY_ATTRS_INLINE:
		if ((class->flags & PY_TPFLAGS_INLINE_VALUES) &&
		    around[PY_OBJECT_BEFORE + PY_INLINE_VALUES + PY_INLINE_VALUES_VALID])
			values = obj + PY_INLINE_VALUES;
		break;
	}
	if (values)
		return py__keys_attr(py, attr, class->keys, values);
	/* The instance's own dict, made when something asked for its __dict__. */
	if (!dict || !py__read_u64(py, dict + PY_DICT_KEYS, &keys) ||
	    !py__read_u64(py, dict + PY_DICT_VALUES, &values))
		return 0;
	return py__keys_attr(py, attr, keys, values);
}

/* The state of the thread that tid (numbered in our pid namespace) is in the process's. */
static uint64_t py__thread_state(const struct cpython *py, uint32_t tid)
{
	struct py_thread key = { .native_id =
					 py->own_pid_ns ? tid : pidns__inner_tid(py->pid, tid) },
			 *hit;

	hit = bsearch(&key, py->threads, py->n_threads, sizeof(*py->threads), py_thread__cmp);
	return hit ? hit->state : 0;
}

/* The address of thread tid's innermost interpreter frame, or 0. */
static uint64_t py__current_frame(const struct cpython *py, uint32_t tid)
{
	const struct py_layout *l = &py->layout;
	uint64_t state = py__thread_state(py, tid), holder = state, addr;

	if (!state || (l->thread_cframe && !py__read_u64(py, state + l->thread_cframe, &holder)) ||
	    !py__read_u64(py, holder + l->frame_current, &addr))
		return 0;
	return addr;
}

/* How much of a frame is read: up to its last field used. */
static size_t py_layout__frame_bytes(const struct py_layout *l)
{
	uint64_t end = l->frame_owner + 1;

	if (l->frame_is_entry + 1 > end)
		end = l->frame_is_entry + 1;
	if (l->frame_code + 8 > end)
		end = l->frame_code + 8;
	if (l->frame_previous + 8 > end)
		end = l->frame_previous + 8;
	if (l->frame_instr + 8 > end)
		end = l->frame_instr + 8;
	return end;
}

/* The frame of a Python function from its interpreter frame fr; false: no code object there. */
static bool py__frame(struct cpython *py, const unsigned char *fr, struct frame *out)
{
	const struct py_layout *l = &py->layout;
	uint64_t code_addr = remote__u64_at(fr, l->frame_code),
		 instr = remote__u64_at(fr, l->frame_instr);
	const struct py_code *code = py__code(py, code_addr);
	int64_t index = (int64_t)(instr - (code_addr + l->code_instructions)) / 2;

	if (!code)
		return false;
	*out = (struct frame){
		.pc = instr,
		.func = code->qualname,
		.file = code->filename,
		.line = code->linetable ? cpython__line(code->linetable, code->linetable_len,
							code->firstlineno, index)
					: 0,
		.language = "python",
	};
	return true;
}

/*
 * Read thread tid's Python frames, innermost first, into out; group_end[i]: frame i is the
 * outermost one an entry of the interpreter's loop runs (3.11 marks that frame; 3.12 and 3.13
 * put a shim frame of the C stack's under it). Returns how many; cut: more than
 * CPYTHON_MAX_FRAMES.
 * thread: the threading.Thread that runs, from threading's bootstrap frame (0: none seen).
 */
static size_t py__read_frames(struct cpython *py, uint32_t tid, struct frame *out, bool *group_end,
			      bool *cut, uint64_t *thread)
{
	const struct py_layout *l = &py->layout;
	uint64_t addr = py__current_frame(py, tid);
	unsigned char fr[PY_FRAME_BYTES];
	size_t n = 0;

	*cut = false;
	*thread = 0;
	py->innermost_tid = 0;
	if (!addr)
		return 0;
	py__load_window(py, addr + py_layout__frame_bytes(l));
	for (size_t steps = 0; addr && steps < 4 * CPYTHON_MAX_FRAMES; steps++) {
		if (!py__read_frame(py, addr, fr, py_layout__frame_bytes(l)))
			break;
		if (!l->frame_is_entry && fr[l->frame_owner] == PY_FRAME_OWNED_BY_CSTACK) {
			if (n)
				group_end[n - 1] = true;
		} else if (n == CPYTHON_MAX_FRAMES) {
			*cut = true;
			break;
		} else if (py__frame(py, fr, &out[n])) {
			group_end[n] = l->frame_is_entry && fr[l->frame_is_entry];
			if (!n) {
				py->innermost_tid = tid;
				py->innermost_frame = addr;
				py->innermost_code = remote__u64_at(fr, l->frame_code);
			}
			/* threading's bootstrap: its first local is the Thread that runs. */
			if (!strcmp(out[n].func, "Thread._bootstrap_inner") &&
			    stack__frame_in_file(&out[n], "/threading.py") &&
			    !py__read_frame(py, addr + l->frame_localsplus, thread,
					    sizeof(*thread)))
				*thread = 0;
			n++;
		}
		addr = remote__u64_at(fr, l->frame_previous);
	}
	if (n)
		group_end[n - 1] = true;
	return n;
}

/*
 * For a wait in CPython 3.13's parking lot (_PyParkingLot_Park in st) on the futex at futex,
 * what it is parked on: each waiter sleeps on a semaphore of its own, in a wait entry on its
 * stack, which holds the address of the lock, event or queue it waits for. 0: no such wait.
 */
static uint64_t cpython__parked_on(struct cpython *py, const struct stack *st, uint64_t futex)
{
	uint64_t addr;

	if (!py->layout.parked_addr_before_sema || futex < py->layout.parked_addr_before_sema)
		return 0;
	for (size_t i = 0; i < st->n; i++)
		if (st->frames[i].func && !strcmp(st->frames[i].func, PY_PARKING_LOT_PARK))
			return py__read_u64(py, futex - py->layout.parked_addr_before_sema, &addr)
				       ? addr
				       : 0;
	return 0;
}

/*
 * The first len bytes at each of addrs[0..n) into bufs, len apart; ok[i]: all of them read. One
 * system call while every address can be read, one more past each that cannot.
 */
static void py__read_each(const struct cpython *py, const uint64_t *addrs, size_t n,
			  unsigned char *bufs, size_t len, bool *ok)
{
	struct iovec local[PY_MAX_SLOTS], remote[PY_MAX_SLOTS];
	size_t from = 0, whole;
	ssize_t got;

	for (size_t i = 0; i < n; i++) {
		local[i] = (struct iovec){ bufs + i * len, len };
		remote[i] = (struct iovec){ (void *)(uintptr_t)addrs[i], len };
		ok[i] = false;
	}
	while (from < n) {
		got = process_vm_readv(py->pid, local + from, n - from, remote + from, n - from, 0);
		if (got < 0 && errno != EFAULT)
			return;
		whole = got > 0 ? (size_t)got / len : 0;
		for (size_t i = 0; i < whole; i++)
			ok[from + i] = true;
		from += whole + 1;
	}
}

/* Whether the type object at type is _thread.RLock's (a heap type: known by its name). */
static bool py__is_rlock_type(struct cpython *py, uint64_t type)
{
	char name[sizeof(PY_RLOCK_TYPE_NAME)];
	uint64_t name_addr;

	if (type == py->rlock_type)
		return true;
	if (type == py->other_lock_type)
		return false;
	py->other_lock_type = type;
	if (!py__read_u64(py, type + PY_TYPE_NAME, &name_addr) ||
	    !py__read(py, name_addr, name, sizeof(name)) ||
	    memcmp(name, PY_RLOCK_TYPE_NAME, sizeof(name)))
		return false;
	py->rlock_type = type;
	return true;
}

/*
 * Among the objects at addrs[0..n), the one whose lock is futex, into *lock, its head (what
 * PY_LOCK_HEAD_BYTES of it were read) into head; false: none. next[i]: what a builtin method
 * there is bound to, for a second look.
 */
static bool py__lock_among(const struct cpython *py, const uint64_t *addrs, size_t n,
			   uint64_t futex, uint64_t *lock, unsigned char *head, uint64_t *next)
{
	unsigned char heads[PY_MAX_SLOTS * PY_LOCK_HEAD_BYTES];
	bool ok[PY_MAX_SLOTS];

	py__read_each(py, addrs, n, heads, PY_LOCK_HEAD_BYTES, ok);
	for (size_t i = 0; i < n; i++) {
		const unsigned char *h = heads + i * PY_LOCK_HEAD_BYTES;

		next[i] = ok[i] ? remote__u64_at(h, PY_CFUNCTION_SELF) : 0;
		if (ok[i] && remote__u64_at(h, PY_LOCK_LOCK) == futex) {
			*lock = addrs[i];
			memcpy(head, h, PY_LOCK_HEAD_BYTES);
			return true;
		}
	}
	return false;
}

/*
 * The thread whose PyThread_get_thread_ident() is ident (or whose thread state is at state),
 * numbered in our pid namespace; 0: none.
 */
static uint32_t py__tid_of(const struct cpython *py, uint64_t ident, uint64_t state)
{
	for (size_t i = 0; (ident || state) && i < py->n_threads; i++)
		if (ident ? py->threads[i].ident == ident : py->threads[i].state == state)
			return pidns__to_ours(py->pid, py->own_pid_ns, py->threads[i].native_id);
	return 0;
}

/*
 * For a wait on a lock of CPython's own (PyThread_acquire_lock_timed in st) on the futex at
 * futex, the Python object whose lock that is (a Lock, an RLock, a SimpleQueue): the one the
 * waiting frame holds (a local, or on its value stack), into *lock. For an RLock, the thread that
 * holds it into *owner (its tid, numbered in our pid namespace); else 0. False: no such wait,
 * or its object not found. Right after cpython__splice() of the thread, whose frames it uses.
 */
static bool cpython__lock_wait(struct cpython *py, uint32_t tid, const struct stack *st,
			       uint64_t futex, uint64_t *lock, uint32_t *owner)
{
	uint64_t slots[PY_MAX_SLOTS], objects[PY_MAX_SLOTS], bound[PY_MAX_SLOTS];
	unsigned char head[PY_LOCK_HEAD_BYTES];
	const struct py_code *code;
	size_t n = 0, n_objects = 0;

	*owner = 0;
	for (size_t i = 0; i < st->n && !n; i++)
		n = st->frames[i].func && !strcmp(st->frames[i].func, PY_LOCK_WAIT);
	if (!n || py->innermost_tid != tid || !(code = py__code(py, py->innermost_code)))
		return false;
	/* The frame that called acquire: the lock is a local, or on its value stack. */
	n = code->slots < PY_MAX_SLOTS ? code->slots : PY_MAX_SLOTS;
	n = py__read_some(py, py->innermost_frame + py->layout.frame_localsplus, slots,
			  n * sizeof(*slots)) /
	    sizeof(*slots);
	for (size_t i = 0; i < n; i++)
		if (slots[i] >= PY_PAGE_BYTES && !(slots[i] % 8))
			objects[n_objects++] = slots[i];
	if (!n_objects)
		return false;
	/* Else a builtin method bound to it: a with statement's __exit__. */
	if (!py__lock_among(py, objects, n_objects, futex, lock, head, bound)) {
		n = 0;
		for (size_t i = 0; i < n_objects; i++)
			if (bound[i] >= PY_PAGE_BYTES && !(bound[i] % 8))
				objects[n++] = bound[i];
		if (!py__lock_among(py, objects, n, futex, lock, head, bound))
			return false;
	}
	if (py__is_rlock_type(py, remote__u64_at(head, PY_OB_TYPE)) &&
	    remote__u64_at(head, PY_RLOCK_COUNT))
		*owner = py__tid_of(py, remote__u64_at(head, PY_RLOCK_OWNER), 0);
	return true;
}

/*
 * The value of the int object at addr, one of at most 64 bits and not negative (a thread's
 * ident): its digits, PY_LONG_DIGIT_BITS each, least significant first, after its size.
 */
static bool py__int_value(const struct cpython *py, uint64_t addr, uint64_t *value)
{
	unsigned char head[PY_LONG_DIGITS + PY_LONG_MAX_DIGITS * sizeof(uint32_t)];
	uint64_t size, n;
	uint32_t digit;

	if (!py__read(py, addr, head, sizeof(head)) ||
	    remote__u64_at(head, PY_OB_TYPE) != py->int_type)
		return false;
	size = remote__u64_at(head, PY_OB_SIZE);
	if (py->layout.long_tagged) {
		if ((size & PY_LONG_SIGN_MASK) == PY_LONG_NEGATIVE)
			return false;
		n = size >> PY_LONG_TAG_BITS;
	} else {
		n = size;
	}
	if (n > PY_LONG_MAX_DIGITS)
		return false;
	*value = 0;
	while (n--) {
		memcpy(&digit, head + PY_LONG_DIGITS + n * sizeof(digit), sizeof(digit));
		*value = *value << PY_LONG_DIGIT_BITS | digit;
	}
	return true;
}

/* Whether a futex wait on futex is one for the GIL at gil (on its condition variable or mutex). */
static bool cpython__on_gil(uint64_t gil, uint64_t futex)
{
	return futex >= gil + PY_GIL_COND && futex < gil + PY_GIL_COND + PY_GIL_WAIT_BYTES;
}

/* The GIL's holder (its tid, as py__tid_of() numbers it); 0: not held, or not found. */
static uint32_t py__gil_holder(const struct cpython *py, uint64_t gil)
{
	unsigned char head[PY_GIL_COND];

	if (!py__read(py, gil, head, sizeof(head)) || !remote__u32_at(head, PY_GIL_LOCKED))
		return 0;
	return py__tid_of(py, 0, remote__u64_at(head, PY_GIL_LAST_HOLDER));
}

/*
 * Whether a wait on the futex at futex is one for an interpreter's GIL (on its condition
 * variable or mutex): the GIL's address into *gil, the thread that holds it into *holder (its
 * tid, numbered in our pid namespace; 0: not held, or not found).
 */
static bool cpython__gil_wait(struct cpython *py, uint64_t futex, uint64_t *gil, uint32_t *holder)
{
	for (size_t i = 0; i < py->n_gils; i++) {
		if (!cpython__on_gil(py->gils[i], futex))
			continue;
		*gil = py->gils[i];
		*holder = py__gil_holder(py, *gil);
		return true;
	}
	return false;
}

/*
 * The GIL thread tid (numbered in our pid namespace) holds, if it holds one: a thread asleep
 * outside the GIL's own wait while holding it (in a C call that keeps it) stops every other
 * Python thread of its interpreter. 0: none.
 */
static uint64_t cpython__gil_held(struct cpython *py, uint32_t tid)
{
	for (size_t i = 0; i < py->n_gils; i++)
		if (py__gil_holder(py, py->gils[i]) == tid)
			return py->gils[i];
	return 0;
}

/*
 * For a thread waiting in threading's Thread.join, the thread it joins (its tid, numbered in our
 * pid namespace), from the joined Thread's ident; 0: no such wait, or not found. Right after
 * cpython__splice() of the thread, whose innermost frame it uses.
 */
static uint32_t cpython__joined(struct cpython *py, uint32_t tid)
{
	const struct py_code *code;
	uint64_t self, ident;

	if (py->innermost_tid != tid || !(code = py__code(py, py->innermost_code)) ||
	    !code->qualname ||
	    (strcmp(code->qualname, "Thread.join") &&
	     strcmp(code->qualname, "Thread._wait_for_tstate_lock")) ||
	    !text__ends_with(code->filename, "/threading.py"))
		return 0;
	/* Its first local is self: the Thread joined. */
	if (!py__read_u64(py, py->innermost_frame + py->layout.frame_localsplus, &self) ||
	    !(ident = py__instance_attr(py, self, &py->ident_attr)) ||
	    !py__int_value(py, ident, &ident))
		return 0;
	return py__tid_of(py, ident, 0);
}

/* Whether native frame i of st begins a physical frame run by the interpreter's loop. */
static bool stack__eval_loop_at(const struct stack *st, size_t i)
{
	if (i && st->frames[i - 1].inlined)
		return false;
	while (i < st->n && st->frames[i].inlined)
		i++;
	return i < st->n && st->frames[i].func && !strcmp(st->frames[i].func, PY_EVAL_LOOP);
}

/*
 * Put thread tid's Python frames into st, each group before the interpreter's loop frame
 * (_PyEval_EvalFrameDefault) that runs it, as inlined frames sit before their caller's; and
 * its threading.Thread's name into *name (NULL: none, as for the main thread, or unreadable).
 */
static void cpython__splice(struct cpython *py, uint32_t tid, struct stack *st, const char **name)
{
	struct frame python[CPYTHON_MAX_FRAMES], *merged;
	bool group_end[CPYTHON_MAX_FRAMES] = { false }, cut;
	uint64_t thread;
	size_t n = py__read_frames(py, tid, python, group_end, &cut, &thread), used = 0, out = 0;

	*name = thread ? py__string(py, py__instance_attr(py, thread, &py->name_attr)) : NULL;
	if (!n)
		return;
	merged = malloc((st->n + n) * sizeof(*merged));
	if (!merged)
		return;
	for (size_t i = 0; i < st->n; i++) {
		if (used < n && stack__eval_loop_at(st, i)) {
			do {
				merged[out++] = python[used];
			} while (!group_end[used++]);
		}
		merged[out++] = st->frames[i];
	}
	/* Groups with no loop frame left: the native unwind stopped short of them. */
	while (used < n)
		merged[out++] = python[used++];
	free(st->frames);
	st->frames = merged;
	st->n = out;
	st->truncated |= cut;
}

static void cpython__begin_look(struct runtime *rt, const struct runtime_context *ctx)
{
	(void)ctx;
	cpython__forget(cpython(rt));
}

/* A Python thread's functions, spliced among the interpreter's, and its Thread's name. */
static void cpython__annotate_frames(struct runtime *rt, const struct runtime_context *ctx,
				     struct thread_snap *th)
{
	struct cpython *py = cpython(rt);

	cpython__fresh(py, ctx);
	cpython__splice(py, th->rec.tid, &th->stack, &th->runtime_name);
}

/*
 * What a wait in its parking lot is for, instead of the waiter's own semaphore; the Python lock
 * a wait on a lock's inner lock is for, with its holder if it is an RLock, or the thread a join
 * waits for; or the GIL, with its holder, for a wait the stack calls a condvar's: "gil", the
 * wait's reason. For any other wait, the GIL the thread holds meanwhile.
 */
static const char *cpython__annotate_wait(struct runtime *rt, const struct runtime_context *ctx,
					  struct thread_snap *th)
{
	struct cpython *py = cpython(rt);
	uint64_t parked, lock;

	cpython__fresh(py, ctx);
	if (th->wait.futex_word &&
	    cpython__gil_wait(py, th->wait.futex_word, &lock, &th->runtime_owner)) {
		wait__set_futex(&th->wait, lock);
		return "gil";
	}
	th->gil_held = cpython__gil_held(py, th->tid);
	if (!th->wait.futex_word)
		return NULL;
	if ((parked = cpython__parked_on(py, &th->stack, th->wait.futex_word)))
		wait__set_futex(&th->wait, parked);
	else if (cpython__lock_wait(py, th->rec.tid, &th->stack, th->wait.futex_word, &lock,
				    &th->runtime_owner))
		wait__set_futex(&th->wait, lock);
	if (!th->runtime_owner)
		th->runtime_owner = cpython__joined(py, th->rec.tid);
	return NULL;
}

/*
 * CPython 3.11 to 3.13, whose layouts are known; any other process or version has none, and its
 * stacks stay as unwound. The interpreter is found in whatever module runs its loop: python3.11,
 * libpython3.11.so, or a program that has it linked in.
 */
const struct runtime_ops cpython_runtime = {
	.name = "CPython interpreter",
	.in_stack = cpython__interpreter_module,
	.open = cpython__open,
	.close = cpython__close,
	.begin_look = cpython__begin_look,
	.annotate_frames = cpython__annotate_frames,
	.annotate_wait = cpython__annotate_wait,
	.waits_for_lock = cpython__on_gil,
};
