// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <linux/futex.h>

#include "proc/pidns.h"
#include "proc/remote.h"
#include "runtime/glibc.h"
#include "runtime/runtime.h"

/*
 * pthread_mutex_t, read as MUTEX_WORDS words: __lock, __count, __owner, __nusers, __kind. The
 * flags of __kind are glibc's own (pthreadP.h): a robust or priority-inheritance mutex keeps
 * its owner in its lock word.
 */
#define MUTEX_LOCK_WORD 0
#define MUTEX_OWNER_WORD 2
#define MUTEX_KIND_WORD 4
#define MUTEX_KIND_ROBUST 16
#define MUTEX_KIND_PI 32
_Static_assert(offsetof(pthread_mutex_t, __data.__lock) == 4 * MUTEX_LOCK_WORD, "__lock moved");
_Static_assert(offsetof(pthread_mutex_t, __data.__owner) == 4 * MUTEX_OWNER_WORD, "__owner moved");
_Static_assert(offsetof(pthread_mutex_t, __data.__kind) == 4 * MUTEX_KIND_WORD, "__kind moved");
_Static_assert(sizeof(pthread_mutex_t) >= 4 * MUTEX_WORDS, "a mutex holds its words");
/* pthread_rwlock_t: its readers' and its writers' futex words, and its writer's tid. */
#define RWLOCK_WRPHASE_FUTEX 8
#define RWLOCK_WRITERS_FUTEX 12
#define RWLOCK_CUR_WRITER 24
_Static_assert(offsetof(pthread_rwlock_t, __data.__wrphase_futex) == RWLOCK_WRPHASE_FUTEX,
	       "__wrphase_futex moved");
_Static_assert(offsetof(pthread_rwlock_t, __data.__writers_futex) == RWLOCK_WRITERS_FUTEX,
	       "__writers_futex moved");
_Static_assert(offsetof(pthread_rwlock_t, __data.__cur_writer) == RWLOCK_CUR_WRITER,
	       "__cur_writer moved");
/* A FILE's _IO_lock_t: its lock word, its recursion count, its owner's struct pthread at 8. */
#define FILE_LOCK_WORDS 4
/* libthread_db's descriptor of a field (_thread_db_pthread_tid): its bits, count, offset. */
#define TD_FIELD_WORDS 3
#define TD_TID_BITS 32

static bool words__read(uint32_t pid, uint64_t addr, uint32_t *words, size_t n)
{
	return remote__read((pid_t)pid, addr, words, n * sizeof(*words));
}

bool mutex__read(uint32_t pid, uint64_t addr, uint32_t words[MUTEX_WORDS])
{
	return words__read(pid, addr, words, MUTEX_WORDS);
}

uint32_t mutex__owner(const uint32_t words[MUTEX_WORDS])
{
	if (!words[MUTEX_LOCK_WORD])
		return 0;
	if (words[MUTEX_KIND_WORD] & (MUTEX_KIND_PI | MUTEX_KIND_ROBUST))
		return words[MUTEX_LOCK_WORD] & FUTEX_TID_MASK;
	return words[MUTEX_OWNER_WORD];
}

uint32_t mutex__owner_at(uint32_t pid, uint64_t addr)
{
	uint32_t words[MUTEX_WORDS];

	return mutex__read(pid, addr, words) ? mutex__owner(words) : 0;
}

uint64_t rwlock__of_futex(uint32_t pid, uint64_t futex)
{
	uint32_t writer_if_writers_futex;

	if (futex < RWLOCK_WRITERS_FUTEX ||
	    !words__read(pid, futex + RWLOCK_CUR_WRITER - RWLOCK_WRITERS_FUTEX,
			 &writer_if_writers_futex, 1))
		return 0;
	return futex - (writer_if_writers_futex ? RWLOCK_WRITERS_FUTEX : RWLOCK_WRPHASE_FUTEX);
}

uint32_t rwlock__writer(uint32_t pid, uint64_t addr)
{
	uint32_t writer;

	return words__read(pid, addr + RWLOCK_CUR_WRITER, &writer, 1) ? writer : 0;
}

uint64_t pthread__tid_offset(uint32_t pid, uint64_t descriptor)
{
	uint32_t field[TD_FIELD_WORDS];

	return descriptor && words__read(pid, descriptor, field, TD_FIELD_WORDS) &&
			       field[0] == TD_TID_BITS && field[1] == 1
		       ? field[2]
		       : 0;
}

uint32_t file_lock__owner(uint32_t pid, uint64_t futex, uint64_t tid_offset)
{
	uint32_t words[FILE_LOCK_WORDS], tid;
	uint64_t owner;

	if (!tid_offset || !words__read(pid, futex, words, FILE_LOCK_WORDS) || !words[0])
		return 0;
	owner = words[2] | (uint64_t)words[3] << 32;
	return owner && words__read(pid, owner + tid_offset, &tid, 1) ? tid : 0;
}

uint32_t join__thread(uint32_t pid, uint64_t futex)
{
	uint32_t tid;

	return futex && words__read(pid, futex, &tid, 1) ? tid : 0;
}

/* What a process's glibc says of its threads. */
struct glibc {
	pid_t pid;
	int own_pid_ns;	     /* the process numbers its threads as we do: 1, 0, -1 not asked yet */
	bool tid_looked;     /* where a struct pthread keeps its tid was looked up */
	uint64_t tid_offset; /* and found there; 0: unknown */
	/* The last owner translated into our numbers at this look: a convoy has one owner. */
	uint32_t last_inner, last_tid;
};

static struct glibc *glibc(struct runtime *rt)
{
	return (struct glibc *)rt;
}

static int glibc__open(const struct runtime_context *ctx, const char *module, struct runtime **out)
{
	struct glibc *g = calloc(1, sizeof(*g));

	(void)module;
	if (!g)
		return -ENOMEM;
	g->pid = ctx->pid;
	g->own_pid_ns = -1;
	*out = (struct runtime *)g;
	return 0;
}

static void glibc__close(struct runtime *rt)
{
	free(rt);
}

static void glibc__begin_look(struct runtime *rt, const struct runtime_context *ctx)
{
	(void)ctx;
	glibc(rt)->last_inner = glibc(rt)->last_tid = 0;
}

/* Whether the process numbers its threads as we do: asked once, when an owner is first read. */
static bool glibc__own_pid_ns(struct glibc *g)
{
	if (g->own_pid_ns < 0)
		g->own_pid_ns = pidns__ours(g->pid);
	return g->own_pid_ns;
}

/*
 * Lock owner inner (as the process numbers it) in ours; an owner no longer there keeps the
 * number the lock gives it.
 */
static uint32_t glibc__our_owner(struct glibc *g, uint32_t inner)
{
	if (!inner || glibc__own_pid_ns(g))
		return inner;
	if (inner != g->last_inner) {
		g->last_inner = inner;
		g->last_tid = pidns__our_tid(g->pid, inner);
	}
	return g->last_tid ? g->last_tid : inner;
}

/*
 * The thread holding the FILE lock a stdio function of th's waits for (lock_wait: that wait's
 * frame, in libc), numbered as we number it; 0: none, or unknown. Where a struct pthread keeps
 * its tid is looked up once, in the libc the wait is in. Only a thread of the process is named:
 * a FILE's holder does not exit holding it, so a number that is none was read from elsewhere.
 */
static uint32_t glibc__file_lock_owner(struct glibc *g, const struct runtime_context *ctx,
				       const struct frame *lock_wait, const struct thread_snap *th)
{
	static const char *const names[] = { "_thread_db_pthread_tid" };
	uint64_t descriptor;
	uint32_t owner;

	if (!g->tid_looked && lock_wait->module && ctx->unwinder) {
		g->tid_looked = true;
		if (!unwinder__module_symbols(ctx->unwinder, lock_wait->module, names, &descriptor,
					      1))
			g->tid_offset = pthread__tid_offset((uint32_t)g->pid, descriptor);
	}
	owner = file_lock__owner((uint32_t)g->pid, th->wait.futex_word, g->tid_offset);
	owner = owner ? pidns__to_ours(g->pid, glibc__own_pid_ns(g), owner) : 0;
	return owner && ctx->process && process__find_thread(ctx->process, owner) ? owner : 0;
}

/*
 * An rwlock's waiters wait on one of two words within it: their wait's object is the rwlock
 * itself. A stdio function's wait for a FILE names the FILE's holder.
 */
static const char *glibc__annotate_wait(struct runtime *rt, const struct runtime_context *ctx,
					struct thread_snap *th)
{
	struct glibc *g = glibc(rt);
	const struct frame *stdio_lock;
	uint64_t rwlock;

	if (th->glibc_lock && !strcmp(th->reason, "rwlock") &&
	    (rwlock = rwlock__of_futex((uint32_t)g->pid, th->wait.futex_word)))
		wait__set_futex(&th->wait, rwlock);
	if (!th->runtime_owner && (stdio_lock = wait__stdio_lock(&th->stack)))
		th->runtime_owner = glibc__file_lock_owner(g, ctx, stdio_lock, th);
	return NULL;
}

/*
 * glibc's park after the kernel refused a priority-inheritance lock (EDEADLK: taking it would
 * deadlock; ESRCH: its owner died): an untimed wait for a zero word of its own to leave zero,
 * which nothing will ever make it do. A mutex's own waits expect a locked word.
 */
static bool glibc__lock_refused(const struct thread_snap *th, const uint32_t words[MUTEX_WORDS])
{
	return (th->rec.flags & LEAKMON_TASK_HAS_REGS) && th->wait.timed == 0 &&
	       !th->rec.regs[LEAKMON_REG_DX] && !words[MUTEX_LOCK_WORD];
}

/* The owner of the mutex, the writer of the rwlock, the thread joined: read at every look. */
static uint32_t glibc__lock_owner(struct runtime *rt, struct thread_snap *th, bool *refused)
{
	struct glibc *g = glibc(rt);
	uint32_t pid = (uint32_t)g->pid, words[MUTEX_WORDS], owner;

	if (!th->glibc_lock || !th->wait.futex)
		return 0;
	if (!strcmp(th->reason, "rwlock"))
		return glibc__our_owner(g, rwlock__writer(pid, th->wait.futex));
	if (thread__joins(th))
		return glibc__our_owner(g, join__thread(pid, th->wait.futex));
	if (!mutex__read(pid, th->wait.futex, words))
		return 0;
	owner = glibc__our_owner(g, mutex__owner(words));
	*refused = !owner && glibc__lock_refused(th, words);
	return owner;
}

/* In every process: its operations act only on the waits a stack names as glibc's. */
const struct runtime_ops glibc_runtime = {
	.name = "glibc",
	.open = glibc__open,
	.close = glibc__close,
	.begin_look = glibc__begin_look,
	.annotate_wait = glibc__annotate_wait,
	.lock_owner = glibc__lock_owner,
};
