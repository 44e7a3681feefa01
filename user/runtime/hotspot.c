// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc/pidns.h"
#include "proc/remote.h"
#include "runtime/runtime.h"

/* A HotSpot JVM's module, as its frames and the process's maps name it. */
#define JVM_MODULE "libjvm.so"

/* Bounds on what a JVM's memory can make this read: it may be corrupt or hostile. */
#define JVM_MAX_ENTRIES 16384
#define JVM_MAX_STRIDE 256
#define JVM_MAX_THREADS (1 << 18)
#define JVM_MAX_FIELD_OFFSET 65536
#define JVM_NAME_BYTES 64
#define JVM_ENTRIES_READ 64 /* table entries read at a time */

/* The fields read, by HotSpot's own names for them. */
enum jvm_field {
	JVM_THREAD_LIST,     /* static: the ThreadsList of every JavaThread */
	JVM_LIST_LENGTH,     /* in a ThreadsList */
	JVM_LIST_THREADS,    /* its array of JavaThread pointers */
	JVM_OSTHREAD,	     /* in a JavaThread: its OSThread */
	JVM_THREAD_ID,	     /* in an OSThread: the tid, as the JVM's namespace numbers it */
	JVM_PENDING_MONITOR, /* the ObjectMonitor a JavaThread is entering */
	JVM_WAITING_MONITOR, /* the one it waits on in Object.wait() */
	JVM_STACK_BASE,	     /* its stack's top: a stack-locked monitor's owner is within */
	JVM_STACK_SIZE,	     /* and its size */
	JVM_MONITOR_OWNER,   /* in an ObjectMonitor: its owner's JavaThread, or a BasicLock */
	JVM_FIELDS,
};

/* A field may sit in a JavaThread's base class Thread in other releases: both are looked for. */
static const struct {
	const char *type;
	const char *field;
	enum jvm_field id;
} jvm_fields[] = {
	{ "ThreadsSMRSupport", "_java_thread_list", JVM_THREAD_LIST },
	{ "ThreadsList", "_length", JVM_LIST_LENGTH },
	{ "ThreadsList", "_threads", JVM_LIST_THREADS },
	{ "JavaThread", "_osthread", JVM_OSTHREAD },
	{ "OSThread", "_thread_id", JVM_THREAD_ID },
	{ "JavaThread", "_current_pending_monitor", JVM_PENDING_MONITOR },
	{ "JavaThread", "_current_waiting_monitor", JVM_WAITING_MONITOR },
	{ "JavaThread", "_stack_base", JVM_STACK_BASE },
	{ "Thread", "_stack_base", JVM_STACK_BASE },
	{ "JavaThread", "_stack_size", JVM_STACK_SIZE },
	{ "Thread", "_stack_size", JVM_STACK_SIZE },
	{ "ObjectMonitor", "_owner", JVM_MONITOR_OWNER },
};

/* How gHotSpotVMStructs lays out its entries: each variable says. */
enum jvm_layout {
	JVM_TABLE,
	JVM_STRIDE,
	JVM_TYPE_NAME,
	JVM_FIELD_NAME,
	JVM_IS_STATIC,
	JVM_OFFSET,
	JVM_ADDRESS,
	JVM_LAYOUT,
};

static const char *const jvm_layout_symbols[JVM_LAYOUT] = {
	"gHotSpotVMStructs",
	"gHotSpotVMStructEntryArrayStride",
	"gHotSpotVMStructEntryTypeNameOffset",
	"gHotSpotVMStructEntryFieldNameOffset",
	"gHotSpotVMStructEntryIsStaticOffset",
	"gHotSpotVMStructEntryOffsetOffset",
	"gHotSpotVMStructEntryAddressOffset",
};

struct jvm_thread {
	uint64_t thread; /* its JavaThread */
	uint32_t tid;	 /* ours */
	uint64_t pending_monitor, waiting_monitor;
	uint64_t stack_low, stack_high;
	uint64_t entering_since_ns; /* jvm__refresh(): first seen entering pending_monitor; 0 */
};

struct jvm {
	pid_t pid;
	bool own_pid_ns;	     /* the JVM numbers its threads as we do */
	uint64_t fields[JVM_FIELDS]; /* an offset; the address for the static one */
	bool found[JVM_FIELDS];
	struct jvm_thread *threads;
	size_t n_threads;
};

/* Whether process pid maps a HotSpot JVM: its module, from one look at its maps; or NULL. */
static const char *jvm__mapped(pid_t pid)
{
	char path[32], line[512];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return NULL;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, "/" JVM_MODULE "\n") != NULL;
	fclose(f);
	return found ? JVM_MODULE : NULL;
}

/* The module of a HotSpot JVM with a frame in st, or NULL. */
static const char *jvm__module(const struct stack *st)
{
	for (size_t i = 0; i < st->n; i++)
		if (st->frames[i].module && !strcmp(st->frames[i].module, JVM_MODULE))
			return st->frames[i].module;
	return NULL;
}

static bool jvm__read_u64(const struct jvm *j, uint64_t addr, uint64_t *out)
{
	return remote__read(j->pid, addr, out, sizeof(*out));
}

/* Whether the string at addr in the JVM is text. */
static bool jvm__string_is(const struct jvm *j, uint64_t addr, const char *text)
{
	char buf[JVM_NAME_BYTES];
	size_t len = strlen(text) + 1;

	return len <= sizeof(buf) && remote__read(j->pid, addr, buf, len) &&
	       !memcmp(buf, text, len);
}

/* The field of jvm_fields one table entry describes, if any: its name read, its type if asked. */
static void jvm__match_entry(struct jvm *j, const unsigned char *entry, const uint64_t *layout)
{
	uint64_t type = remote__u64_at(entry, layout[JVM_TYPE_NAME]);
	uint64_t field = remote__u64_at(entry, layout[JVM_FIELD_NAME]);
	uint32_t is_static = remote__u32_at(entry, layout[JVM_IS_STATIC]);
	char name[JVM_NAME_BYTES];
	size_t len;

	len = remote__read_some(j->pid, field, name, sizeof(name) - 1);
	name[len] = '\0';
	for (size_t i = 0; i < sizeof(jvm_fields) / sizeof(jvm_fields[0]); i++) {
		enum jvm_field id = jvm_fields[i].id;
		uint64_t value;

		if (j->found[id] || strcmp(name, jvm_fields[i].field) ||
		    !jvm__string_is(j, type, jvm_fields[i].type))
			continue;
		value = remote__u64_at(entry, layout[is_static ? JVM_ADDRESS : JVM_OFFSET]);
		if (!is_static && value > JVM_MAX_FIELD_OFFSET)
			return;
		j->fields[id] = value;
		j->found[id] = true;
		return;
	}
}

/* The fields' offsets from the table, whose layout its variables give. */
static bool jvm__read_fields(struct jvm *j, const uint64_t *symbols)
{
	unsigned char entries[JVM_ENTRIES_READ * JVM_MAX_STRIDE];
	uint64_t layout[JVM_LAYOUT], stride;
	size_t n = 0, got;

	for (int i = 0; i < JVM_LAYOUT; i++)
		if (!jvm__read_u64(j, symbols[i], &layout[i]))
			return false;
	stride = layout[JVM_STRIDE];
	if (stride < 16 || stride > JVM_MAX_STRIDE)
		return false;
	for (int i = JVM_TYPE_NAME; i < JVM_LAYOUT; i++)
		if (layout[i] + sizeof(uint64_t) > stride)
			return false;
	while (n < JVM_MAX_ENTRIES) {
		got = remote__read_some(j->pid, layout[JVM_TABLE] + n * stride, entries,
					JVM_ENTRIES_READ * stride) /
		      stride;
		if (!got)
			return false;
		for (size_t i = 0; i < got; i++, n++) {
			const unsigned char *entry = entries + i * stride;

			/* The table ends with an entry of no type. */
			if (!remote__u64_at(entry, layout[JVM_TYPE_NAME]))
				goto done;
			jvm__match_entry(j, entry, layout);
		}
	}
done:
	for (int i = 0; i < JVM_FIELDS; i++)
		if (!j->found[i])
			return false;
	return true;
}

/* One JavaThread's fields, read together: they lie within a few hundred bytes. */
static bool jvm__read_thread(const struct jvm *j, uint64_t thread, struct jvm_thread *out)
{
	static const enum jvm_field read[] = { JVM_OSTHREAD, JVM_PENDING_MONITOR,
					       JVM_WAITING_MONITOR, JVM_STACK_BASE,
					       JVM_STACK_SIZE };
	uint64_t low = UINT64_MAX, high = 0, values[sizeof(read) / sizeof(read[0])], size;
	unsigned char buf[JVM_MAX_FIELD_OFFSET / 16];
	int32_t tid;

	for (size_t i = 0; i < sizeof(read) / sizeof(read[0]); i++) {
		if (j->fields[read[i]] < low)
			low = j->fields[read[i]];
		if (j->fields[read[i]] + 8 > high)
			high = j->fields[read[i]] + 8;
	}
	if (high - low > sizeof(buf) || !remote__read(j->pid, thread + low, buf, high - low))
		return false;
	for (size_t i = 0; i < sizeof(read) / sizeof(read[0]); i++)
		values[i] = remote__u64_at(buf, j->fields[read[i]] - low);
	if (!remote__read(j->pid, values[0] + j->fields[JVM_THREAD_ID], &tid, sizeof(tid)) ||
	    tid <= 0)
		return false;
	out->thread = thread;
	out->tid = pidns__to_ours(j->pid, j->own_pid_ns, (uint32_t)tid);
	out->pending_monitor = values[1];
	out->waiting_monitor = values[2];
	out->stack_high = values[3];
	size = values[4];
	out->stack_low = size < out->stack_high ? out->stack_high - size : 0;
	return out->tid != 0;
}

static int jvm_thread__cmp(const void *a, const void *b)
{
	const struct jvm_thread *x = a, *y = b;

	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

static const struct jvm_thread *jvm__thread(const struct jvm_thread *threads, size_t n,
					    uint32_t tid)
{
	struct jvm_thread key = { .tid = tid };

	return n ? bsearch(&key, threads, n, sizeof(*threads), jvm_thread__cmp) : NULL;
}

/* Every JavaThread now, in tid order, in place of those read before. */
static bool jvm__read_threads(struct jvm *j)
{
	uint64_t list, threads, *each;
	struct jvm_thread *read;
	uint32_t length;
	size_t n = 0;

	if (!jvm__read_u64(j, j->fields[JVM_THREAD_LIST], &list) ||
	    !remote__read(j->pid, list + j->fields[JVM_LIST_LENGTH], &length, sizeof(length)) ||
	    !jvm__read_u64(j, list + j->fields[JVM_LIST_THREADS], &threads) || !length ||
	    length > JVM_MAX_THREADS)
		return false;
	each = calloc(length, sizeof(*each));
	read = calloc(length, sizeof(*read));
	if (!each || !read || !remote__read(j->pid, threads, each, length * sizeof(*each))) {
		free(each);
		free(read);
		return false;
	}
	for (uint32_t i = 0; i < length; i++)
		if (each[i] && jvm__read_thread(j, each[i], &read[n]))
			n++;
	free(each);
	qsort(read, n, sizeof(*read), jvm_thread__cmp);
	free(j->threads);
	j->threads = read;
	j->n_threads = n;
	return true;
}

/*
 * Read its Java threads again (at each look), dating each wait to enter a monitor from the
 * first look that saw the thread entering that monitor. A JVM unreadable now (exiting, or its
 * list of threads replaced as it was read) has no threads until it reads again.
 */
static void jvm__refresh(struct jvm *j, uint64_t now_ns)
{
	struct jvm_thread *before = j->threads;
	size_t n_before = j->n_threads;

	j->threads = NULL;
	j->n_threads = 0;
	if (!jvm__read_threads(j)) {
		free(before);
		return;
	}
	for (size_t i = 0; i < j->n_threads; i++) {
		struct jvm_thread *t = &j->threads[i];
		const struct jvm_thread *was = jvm__thread(before, n_before, t->tid);

		if (!t->pending_monitor)
			continue;
		t->entering_since_ns = was && was->thread == t->thread &&
						       was->pending_monitor == t->pending_monitor &&
						       was->entering_since_ns
					       ? was->entering_since_ns
					       : now_ns;
	}
	free(before);
}

static struct jvm *jvm(struct runtime *rt)
{
	return (struct jvm *)rt;
}

static void jvm__close(struct runtime *rt)
{
	struct jvm *j = jvm(rt);

	if (!j)
		return;
	free(j->threads);
	free(j);
}

/*
 * The Java threads of the process now: -ENOENT when module has no JVM, or one whose tables say
 * no (a JVM starting, or one whose list of threads changed as it was read).
 */
static int jvm__open(const struct runtime_context *ctx, const char *module, struct runtime **out)
{
	uint64_t symbols[JVM_LAYOUT];
	struct jvm *j;

	if (unwinder__module_symbols(ctx->unwinder, module, jvm_layout_symbols, symbols,
				     JVM_LAYOUT))
		return -ENOENT;
	j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	j->pid = ctx->pid;
	j->own_pid_ns = pidns__ours(ctx->pid);
	if (!jvm__read_fields(j, symbols) || !jvm__read_threads(j)) {
		jvm__close((struct runtime *)j);
		return -ENOENT;
	}
	*out = (struct runtime *)j;
	return 0;
}

/*
 * The thread owning a monitor: its JavaThread, or, for a lock taken on its stack and inflated
 * since (a BasicLock), the thread whose stack holds that; 0: none, or unknown.
 */
static uint32_t jvm__monitor_owner(const struct jvm *j, uint64_t monitor)
{
	uint64_t owner;

	if (!jvm__read_u64(j, monitor + j->fields[JVM_MONITOR_OWNER], &owner) || !owner)
		return 0;
	for (size_t i = 0; i < j->n_threads; i++)
		if (j->threads[i].thread == owner)
			return j->threads[i].tid;
	for (size_t i = 0; i < j->n_threads; i++)
		if (owner >= j->threads[i].stack_low && owner < j->threads[i].stack_high)
			return j->threads[i].tid;
	return 0;
}

/*
 * What Java monitor thread tid (numbered in our pid namespace) waits on, if any: "mutex" while
 * it enters one (a synchronized block or method another thread holds; the monitor's owner into
 * *owner, 0 if unknown), "condvar" in its Object.wait(); the monitor into *monitor. NULL if the
 * thread is no Java thread, or in neither.
 */
static const char *jvm__monitor_wait(const struct jvm *j, uint32_t tid, uint64_t *monitor,
				     uint32_t *owner)
{
	const struct jvm_thread *t = jvm__thread(j->threads, j->n_threads, tid);

	if (t && t->pending_monitor) {
		*monitor = t->pending_monitor;
		*owner = jvm__monitor_owner(j, t->pending_monitor);
		return "mutex";
	}
	if (t && t->waiting_monitor) {
		*monitor = t->waiting_monitor;
		*owner = 0;
		return "condvar";
	}
	return NULL;
}

/*
 * When thread tid was first seen entering the monitor it enters now (by jvm__refresh(), whose
 * clock it is); 0: not entering one, or not refreshed. A thread entering a contended monitor
 * parks for at most a second at a time, each time a new sleep: this dates the whole wait.
 */
static uint64_t jvm__entering_since(const struct jvm *j, uint32_t tid)
{
	const struct jvm_thread *t = jvm__thread(j->threads, j->n_threads, tid);

	return t ? t->entering_since_ns : 0;
}

static void jvm__begin_look(struct runtime *rt, const struct runtime_context *ctx)
{
	jvm__refresh(jvm(rt), ctx->now_ns);
}

/*
 * A Java thread entering a monitor, as its JVM said at this look: no stack is needed to know the
 * monitor, its owner, or since when the thread has waited for it. Such a thread parks a second
 * at a time (the monitor's "responsible" waiter): by its last sleep alone it would never pass a
 * threshold, nor its ring ever be seen.
 */
static void jvm__annotate_record(struct runtime *rt, const struct runtime_context *ctx,
				 struct thread_snap *th)
{
	const struct jvm *j = jvm(rt);
	uint64_t since, monitor;
	const char *reason;
	uint32_t owner;

	if (!(since = jvm__entering_since(j, th->tid)) ||
	    !(reason = jvm__monitor_wait(j, th->tid, &monitor, &owner)))
		return;
	th->reason = reason;
	wait__set_futex(&th->wait, monitor);
	th->runtime_owner = owner;
	th->runtime_since_ns = since;
	if (!th->has_blocked_ns || ctx->now_ns - since > th->blocked_ns)
		th->blocked_ns = ctx->now_ns - since;
	th->has_blocked_ns = true;
}

/*
 * A Java thread's wait for a monitor: "mutex" entering a synchronized block or method, with the
 * monitor's owner; "condvar" in Object.wait(). The wait's object is the monitor: every thread
 * waiting for one object shares it.
 */
static const char *jvm__annotate_wait(struct runtime *rt, const struct runtime_context *ctx,
				      struct thread_snap *th)
{
	const char *reason;
	uint64_t monitor;

	(void)ctx;
	if (!th->wait.futex_word)
		return NULL;
	reason = jvm__monitor_wait(jvm(rt), th->tid, &monitor, &th->runtime_owner);
	if (reason)
		wait__set_futex(&th->wait, monitor);
	return reason;
}

/*
 * A HotSpot JVM's Java threads, from the tables HotSpot keeps for its serviceability agent
 * (gHotSpotVMStructs: each field's offset, by type and name), as jstack reads them: which Java
 * monitor each is entering or waiting on, and who owns a monitor. Its memory is the target's:
 * every count is bounded, every pointer only compared or read through.
 */
const struct runtime_ops hotspot_runtime = {
	.name = "HotSpot JVM",
	.in_stack = jvm__module,
	.in_maps = jvm__mapped,
	.open = jvm__open,
	.close = jvm__close,
	.begin_look = jvm__begin_look,
	.annotate_record = jvm__annotate_record,
	.annotate_wait = jvm__annotate_wait,
};
