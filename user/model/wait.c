// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Classify a blocked thread from its pending syscall and arguments, which stay put while it
 * sleeps. x86_64 argument registers: di, si, dx, r10, r8, r9.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <linux/futex.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "model/wait.h"
#include "util/syscalls.h"
#include "util/text.h"

_Static_assert(WAIT_OBJECT_LEN >= TEXT_HEX_LEN, "a futex address must fit");

#define TASK_INTERRUPTIBLE 0x0001
#define TASK_UNINTERRUPTIBLE 0x0002
#define TASK_STOPPED_BIT 0x0004
#define TASK_TRACED_BIT 0x0008
#define TASK_PARKED 0x0040
#define TASK_DEAD 0x0080
#define TASK_NEW 0x0800
#define TASK_NOLOAD 0x0400
#define EXIT_DEAD 0x0010
#define EXIT_ZOMBIE 0x0020

/* The futex2 calls (Linux 6.7) are newer than Debian 12's headers, which have the rest. */
#ifndef FUTEX2_PRIVATE
#define FUTEX2_PRIVATE FUTEX_PRIVATE_FLAG
#endif
#define NR_FUTEX_WAIT 455

static const unsigned char arg_regs[6] = {
	LEAKMON_REG_DI,	 LEAKMON_REG_SI, LEAKMON_REG_DX,
	LEAKMON_REG_R10, LEAKMON_REG_R8, LEAKMON_REG_R9,
};

static unsigned long long wait__arg(const struct task_record *rec, int i)
{
	return rec->regs[arg_regs[i]];
}

/* Syscalls whose first argument is the file descriptor they wait on. */
static bool wait__waits_on_fd0(long nr)
{
	switch (nr) {
	case SYS_read:
	case SYS_write:
	case SYS_readv:
	case SYS_writev:
	case SYS_pread64:
	case SYS_pwrite64:
	case SYS_preadv:
	case SYS_pwritev:
	case SYS_preadv2:
	case SYS_pwritev2:
	case SYS_recvfrom:
	case SYS_sendto:
	case SYS_recvmsg:
	case SYS_sendmsg:
	case SYS_recvmmsg:
	case SYS_sendmmsg:
	case SYS_accept:
	case SYS_accept4:
	case SYS_connect:
	case SYS_epoll_wait:
	case SYS_epoll_pwait:
	case SYS_epoll_pwait2:
	case SYS_splice:
	case SYS_tee:
	case SYS_flock:
	case SYS_fcntl:
	case SYS_ioctl:
	case SYS_fsync:
	case SYS_fdatasync:
	case SYS_sendfile:
		return true;
	default:
		return false;
	}
}

static bool wait__is_futex_wait_op(unsigned long long op)
{
	switch (op & FUTEX_CMD_MASK) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
	case FUTEX_WAIT_REQUEUE_PI:
	case FUTEX_LOCK_PI:
	case FUTEX_LOCK_PI2:
		return true;
	default:
		return false;
	}
}

/* Whether the wait can end by itself: -1 when the syscall does not say. */
static int wait__timed(const struct task_record *rec, long nr)
{
	switch (nr) {
	case SYS_futex:
		return wait__is_futex_wait_op(wait__arg(rec, 1)) ? wait__arg(rec, 3) != 0 : -1;
	case SYS_futex_waitv:
		return wait__arg(rec, 3) != 0;
	case NR_FUTEX_WAIT:
		return wait__arg(rec, 4) != 0;
	case SYS_nanosleep:
	case SYS_clock_nanosleep:
	case SYS_alarm:
		return 1;
	case SYS_poll:
		return (int)wait__arg(rec, 2) >= 0;
	case SYS_epoll_wait:
	case SYS_epoll_pwait:
		return (int)wait__arg(rec, 3) >= 0;
	case SYS_epoll_pwait2:
	case SYS_ppoll:
		return wait__arg(rec, nr == SYS_ppoll ? 2 : 3) != 0;
	case SYS_select:
	case SYS_pselect6:
		return wait__arg(rec, 4) != 0;
	case SYS_rt_sigtimedwait:
		return wait__arg(rec, 2) != 0;
	case SYS_read:
	case SYS_write:
	case SYS_readv:
	case SYS_writev:
	case SYS_pause:
	case SYS_wait4:
	case SYS_waitid:
	case SYS_accept:
	case SYS_accept4:
	case SYS_rt_sigsuspend:
	case SYS_flock:
		return 0;
	default:
		return -1;
	}
}

bool wait__on_pipe(const struct wait_info *w)
{
	return w->kind && (!strcmp(w->kind, "pipe_read") || !strcmp(w->kind, "pipe_write"));
}

static void wait__classify_fd(const struct task_record *rec, long nr, struct wait_info *out)
{
	unsigned long long fd = wait__arg(rec, 0);

	if (!(rec->flags & LEAKMON_TASK_HAS_FILE)) {
		snprintf(out->object, sizeof(out->object), "fd:%llu", fd);
		return;
	}
	if (S_ISFIFO(rec->file_mode)) {
		snprintf(out->object, sizeof(out->object), "pipe:[%llu]",
			 (unsigned long long)rec->file_ino);
		if (nr == SYS_read || nr == SYS_readv)
			out->kind = "pipe_read";
		else if (nr == SYS_write || nr == SYS_writev)
			out->kind = "pipe_write";
	} else if (S_ISSOCK(rec->file_mode)) {
		snprintf(out->object, sizeof(out->object), "socket:[%llu]",
			 (unsigned long long)rec->file_ino);
	} else {
		snprintf(out->object, sizeof(out->object), "fd:%llu", fd);
	}
}

void wait__set_futex(struct wait_info *w, uint64_t addr)
{
	w->futex = addr;
	text__hex(addr, w->object);
}

bool wait__blocked(const struct task_record *rec)
{
	return !rec->exit_state && !(rec->flags & LEAKMON_TASK_ON_CPU) &&
	       (rec->state & (TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE));
}

/* The first 16 bytes of the kernel's restart block, by what each kind of wait keeps there. */
struct restart_args {
	uint64_t addr;	/* futex: uaddr; poll: ufds; a sleep: clockid, then its kind */
	uint32_t value; /* futex: val; poll: nfds; a sleep: the remainder pointer's low half */
	uint32_t flags; /* futex: its flags, a timeout's among them; poll: has_timeout */
};

/* A sleep's restart block: its clock id, then its kind (none, native or compat remainder). */
#define RESTART_SLEEP_KINDS 3
#define CLOCK_ID_MAX 16

long wait__syscall(const struct task_record *rec)
{
	struct restart_args r;
	uint64_t remainder;

	if (rec->syscall_nr != SYS_restart_syscall || !(rec->flags & LEAKMON_TASK_HAS_REGS))
		return (long)rec->syscall_nr;
	memcpy(&r, rec->restart_args, sizeof(r));
	remainder = rec->restart_args[1];
	/* futex_wait_restart: a timed wait, so its flags are never 0 or 1. */
	if (r.addr == wait__arg(rec, 0) && r.value == (uint32_t)wait__arg(rec, 2) && r.flags > 1 &&
	    wait__is_futex_wait_op(wait__arg(rec, 1)))
		return SYS_futex;
	/* do_restart_poll. */
	if (r.addr == wait__arg(rec, 0) && r.value == (uint32_t)wait__arg(rec, 1) && r.flags <= 1)
		return SYS_poll;
	/* hrtimer_nanosleep_restart: clock_nanosleep(clock, flags, req, rem), nanosleep(req, rem).
	 */
	if (r.addr >> 32 < RESTART_SLEEP_KINDS) {
		if (remainder == wait__arg(rec, 3) && wait__arg(rec, 0) < CLOCK_ID_MAX &&
		    wait__arg(rec, 1) <= TIMER_ABSTIME)
			return SYS_clock_nanosleep;
		if (remainder == wait__arg(rec, 1) && wait__arg(rec, 0) >= CLOCK_ID_MAX)
			return SYS_nanosleep;
	}
	return (long)rec->syscall_nr;
}

void wait__classify(const struct task_record *rec, struct wait_info *out)
{
	long nr = wait__syscall(rec);

	memset(out, 0, sizeof(*out));
	out->timed = -1;
	out->blocked = wait__blocked(rec);
	if (!out->blocked)
		return;
	/* Asleep outside any syscall: in a page fault or another exception. */
	out->kind = "fault";
	if (!(rec->flags & LEAKMON_TASK_HAS_REGS) || nr < 0)
		return;
	out->kind = syscall__name(nr);
	out->timed = wait__timed(rec, nr);
	if (nr == SYS_futex || nr == NR_FUTEX_WAIT) {
		out->kind = "futex";
		/* Every futex waiter at each tick: snprintf() took ~5% of the monitor (perf). */
		out->futex_word = wait__arg(rec, 0);
		wait__set_futex(out, out->futex_word);
		out->private_futex = nr == SYS_futex ? wait__arg(rec, 1) & FUTEX_PRIVATE_FLAG
						     : wait__arg(rec, 3) & FUTEX2_PRIVATE;
	} else if (nr == SYS_futex_waitv) {
		out->kind = "futex";
	} else if (wait__waits_on_fd0(nr)) {
		wait__classify_fd(rec, nr, out);
	}
	if (!out->kind)
		out->kind = "syscall";
}

const char *wait__state_name(const struct task_record *rec)
{
	if (rec->exit_state & EXIT_DEAD)
		return "dead";
	if (rec->exit_state & EXIT_ZOMBIE)
		return "zombie";
	if (rec->state & TASK_NEW)
		return "new";
	if (rec->state & TASK_DEAD)
		return "dead";
	if ((rec->flags & LEAKMON_TASK_ON_CPU) || !rec->state)
		return "running";
	if (rec->state & TASK_STOPPED_BIT)
		return "stopped";
	if (rec->state & TASK_TRACED_BIT)
		return "tracing_stop";
	if ((rec->state & TASK_UNINTERRUPTIBLE) && (rec->state & TASK_NOLOAD))
		return "idle";
	if (rec->state & TASK_UNINTERRUPTIBLE)
		return "disk_sleep";
	if (rec->state & TASK_INTERRUPTIBLE)
		return "sleeping";
	if (rec->state & TASK_PARKED)
		return "parked";
	return "unknown";
}

/* Library functions that name what a futex wait is for; matched innermost first. */
#define WAIT_LIBC_ONLY (1U << 0) /* the name must come from the C library, not a user's */
#define WAIT_OWNED (1U << 1)	 /* glibc's: the lock's words name the thread waited for */
static const struct {
	const char *func;
	const char *reason;
	unsigned int flags; /* WAIT_LIBC_ONLY, WAIT_OWNED */
} wait_reasons[] = {
	{ "pthread_mutex_lock", "mutex", WAIT_LIBC_ONLY | WAIT_OWNED },
	{ "pthread_mutex_timedlock", "mutex", WAIT_LIBC_ONLY | WAIT_OWNED },
	{ "pthread_mutex_clocklock", "mutex", WAIT_LIBC_ONLY | WAIT_OWNED },
	/* glibc's own locks (stdio's, malloc's) are plain words, with no owner kept in them. */
	{ "lll_lock_wait_private", "mutex", WAIT_LIBC_ONLY },
	{ "lll_lock_wait", "mutex", WAIT_LIBC_ONLY | WAIT_OWNED },
	{ "pthread_rwlock_", "rwlock", WAIT_LIBC_ONLY | WAIT_OWNED },
	{ "pthread_cond_", "condvar", WAIT_LIBC_ONLY },
	{ "sem_wait", "semaphore", WAIT_LIBC_ONLY },
	{ "sem_timedwait", "semaphore", WAIT_LIBC_ONLY },
	{ "sem_clockwait", "semaphore", WAIT_LIBC_ONLY },
	{ "new_sem_wait", "semaphore", WAIT_LIBC_ONLY },
	{ "pthread_join", "join", WAIT_LIBC_ONLY | WAIT_OWNED },
	{ "pthread_timedjoin", "join", WAIT_LIBC_ONLY | WAIT_OWNED },
	{ "pthread_clockjoin", "join", WAIT_LIBC_ONLY | WAIT_OWNED },
	{ "pthread_barrier_wait", "barrier", WAIT_LIBC_ONLY },
	{ "pthread_once", "once", WAIT_LIBC_ONLY },
	{ "PyThread_acquire_lock", "python_lock", 0 },
	{ "PySemaphore_", "python_lock", 0 }, /* 3.13's parking lot: PyMutex, PyEvent */
	/*
	 * GLib's GCond waits on a futex of its own, and what GLib builds on it is named around it
	 * (wait__outer_reason). Its GMutex's wait is a static function (wait__glib_unnamed).
	 */
	{ "g_cond_wait", "condvar", 0 },
	{ "g_bit_lock", "mutex", 0 },
	{ "g_pointer_bit_lock", "mutex", 0 },
	{ "g_async_queue_pop", "chan_receive", 0 },
	{ "g_async_queue_timeout_pop", "chan_receive", 0 },
	{ "g_async_queue_timed_pop", "chan_receive", 0 },
	{ "g_once_init_enter", "once", 0 },
	{ "g_once_impl", "once", 0 },
};

/*
 * Rust's standard library, linked into the program, and the crates most programs take their
 * locks and channels from instead (parking_lot, crossbeam-channel): they wait on futexes of
 * their own. Names as demangle.c prints them: legacy (std::sys::unix::locks::futex::Mutex::
 * lock_contended, std::sync::mpsc::Receiver<T>::recv) or v0, which writes an inherent impl's
 * type in brackets (<std::sys::sync::mutex::futex::Mutex>::lock_contended). A Once is std's
 * futex one in newer releases, a queue of parked threads in older ones (call_inner). Every
 * function of one of parking_lot's lock modules parks for that lock.
 */
static const struct {
	const char *module; /* the module the function is in */
	const char *method; /* in its name; "" for any */
	const char *reason;
} rust_wait_reasons[] = {
	{ "std::sys::", "Mutex::lock_contended", "mutex" },
	{ "std::sys::", "Mutex>::lock_contended", "mutex" },
	{ "std::sys::", "RwLock::read_contended", "rwlock" },
	{ "std::sys::", "RwLock>::read_contended", "rwlock" },
	{ "std::sys::", "RwLock::write_contended", "rwlock" },
	{ "std::sys::", "RwLock>::write_contended", "rwlock" },
	{ "std::sys::", "Condvar::wait", "condvar" },
	{ "std::sys::", "Condvar>::wait", "condvar" },
	{ "std::sys::", "futex::Once>::call", "once" },
	{ "std::sync::once::", "Once::call_inner", "once" },
	{ "std::sync::mpsc::", "::recv", "chan_receive" },
	{ "std::sync::mpmc::", "::recv", "chan_receive" },
	{ "std::sync::mpsc::", "::send", "chan_send" },
	{ "std::sync::mpmc::", "::send", "chan_send" },
	/* Around the one above, as std's Barrier waits on its Condvar: see wait__outer_reason. */
	{ "std::sync::barrier::", "Barrier::wait", "barrier" },
	{ "std::sync::barrier::", "Barrier>::wait", "barrier" },
	{ "parking_lot::raw_mutex::", "", "mutex" },
	{ "parking_lot::raw_fair_mutex::", "", "mutex" },
	{ "parking_lot::raw_rwlock::", "", "rwlock" },
	{ "parking_lot::condvar::", "", "condvar" },
	{ "parking_lot::once::", "", "once" },
	{ "crossbeam_channel::", "::recv", "chan_receive" },
	{ "crossbeam_channel::", "::send", "chan_send" },
	{ "crossbeam_channel::select::", "", "chan_select" },
};

/* A Rust function's path: a v0 name of an inherent impl's method starts with its type's '<'. */
static const char *rust__path(const char *name)
{
	return *name == '<' ? name + 1 : name;
}

static const char *wait__rust_reason_of(const char *name)
{
	name = rust__path(name);
	for (size_t i = 0; i < sizeof(rust_wait_reasons) / sizeof(rust_wait_reasons[0]); i++)
		if (!strncmp(name, rust_wait_reasons[i].module,
			     strlen(rust_wait_reasons[i].module)) &&
		    strstr(name, rust_wait_reasons[i].method))
			return rust_wait_reasons[i].reason;
	return NULL;
}

/*
 * What libstdc++ builds on futexes of its own, by a part of the demangled names of its functions
 * (a template's has its return type before it and its arguments' types in it): a future's wait
 * is a channel's receive, a promise never kept Go's forgotten sender; a latch, like a barrier,
 * waits for the others.
 */
static const struct {
	const char *part;
	const char *reason;
} cxx_wait_reasons[] = {
	{ "std::__atomic_futex_unsigned_base::_M_futex_wait_until", "chan_receive" },
	{ "std::__atomic_semaphore::_M_", "semaphore" },
	{ "std::latch::wait", "barrier" },
	{ "std::__tree_barrier<", "barrier" },
};

static const char *wait__cxx_reason_of(const char *name)
{
	for (size_t i = 0; i < sizeof(cxx_wait_reasons) / sizeof(cxx_wait_reasons[0]); i++)
		if (strstr(name, cxx_wait_reasons[i].part))
			return cxx_wait_reasons[i].reason;
	return NULL;
}

/*
 * The reason a C function (libc's, GLib's, a runtime's) frame f names, if any. libc_linked_in:
 * the C library is in the program's own module (a static binary), so its functions count
 * wherever they are.
 */
static const char *wait__c_reason_of(const struct frame *f, bool libc_linked_in, bool *glibc_lock)
{
	const char *name = stack__frame_bare_name(f);

	for (size_t i = 0; i < sizeof(wait_reasons) / sizeof(wait_reasons[0]); i++) {
		if ((wait_reasons[i].flags & WAIT_LIBC_ONLY) && !libc_linked_in &&
		    !stack__frame_in_libc(f))
			continue;
		if (!strncmp(name, wait_reasons[i].func, strlen(wait_reasons[i].func))) {
			*glibc_lock = wait_reasons[i].flags & WAIT_OWNED;
			return wait_reasons[i].reason;
		}
	}
	return NULL;
}

/* The reason frame f names, in any language, if any: see wait__c_reason_of. */
static const char *wait__reason_of(const struct frame *f, bool libc_linked_in, bool *glibc_lock)
{
	const char *reason;

	if (!f->func)
		return NULL;
	reason = wait__rust_reason_of(f->func);
	if (!reason)
		reason = wait__cxx_reason_of(f->func);
	return reason ? reason : wait__c_reason_of(f, libc_linked_in, glibc_lock);
}

static bool frame__in_rust_std(const struct frame *f)
{
	return f->func && !strncmp(rust__path(f->func), "std::", strlen("std::"));
}

/* GLib's code: its library's, named or not, or its functions linked into the program. */
static bool frame__in_glib(const struct frame *f)
{
	return (f->module && !strncmp(f->module, "libglib-2.0", strlen("libglib-2.0"))) ||
	       (f->func && !strncmp(f->func, "g_", 2));
}

/*
 * A wait's reason, from its innermost frame that names one (i) and the outermost of the same
 * library's frames around it (in_library) that names one: std's Barrier waits on its Condvar,
 * GLib's GAsyncQueue on its GCond.
 */
static const char *wait__outer_reason(const struct stack *st, size_t i, const char *reason,
				      bool (*in_library)(const struct frame *f))
{
	const char *outer;
	bool glibc_lock;

	for (i++; i < st->n && in_library(&st->frames[i]); i++) {
		outer = wait__reason_of(&st->frames[i], false, &glibc_lock);
		if (outer)
			reason = outer;
	}
	return reason;
}

/*
 * A libc primitive can be how a runtime built a lock of its own: Python's Lock waits in sem_wait
 * (or pthread_cond_wait), called by PyThread_acquire_lock. The caller outside libc says which:
 * when it is such a runtime's function, its reason is the wait's; otherwise libc's is.
 */
static const char *wait__runtime_reason(const struct stack *st, size_t from, bool *glibc_lock,
					const char *libc_reason)
{
	const char *reason;
	bool runtime_mutex;

	while (from < st->n && stack__frame_in_libc(&st->frames[from]))
		from++;
	reason = from < st->n ? wait__reason_of(&st->frames[from], false, &runtime_mutex) : NULL;
	if (!reason)
		return libc_reason;
	*glibc_lock = false;
	return reason;
}

/*
 * Python's own tools built on its Lock, by the function a program calls: the frames just above
 * the lock, innermost first, while they are these (the outermost named one wins; NULL: a step
 * on the way, Barrier.wait's _wait). Any other frame ends the walk: one that runs the program's
 * code (Thread.run, a pool's work item) says nothing of what its callee waits for.
 */
static const struct python_wait {
	const char *module; /* the file's name, after its directory */
	const char *func;
	const char *reason;
} python_wait_reasons[] = {
	{ "/threading.py", "Condition.wait", "condvar" },
	{ "/threading.py", "Condition.wait_for", "condvar" },
	{ "/threading.py", "Event.wait", "condvar" },
	{ "/threading.py", "Semaphore.acquire", "semaphore" },
	{ "/threading.py", "Barrier._wait", NULL },
	{ "/threading.py", "Barrier.wait", "barrier" },
	{ "/threading.py", "Thread._wait_for_tstate_lock", NULL },
	{ "/threading.py", "Thread.join", "join" },
	{ "/queue.py", "Queue.get", "chan_receive" },
	{ "/queue.py", "Queue.put", "chan_send" },
	/* A future's result, as C++'s future's get: a promise never kept is a forgotten sender. */
	{ "/concurrent/futures/_base.py", "Future.result", "chan_receive" },
	{ "/concurrent/futures/_base.py", "Future.exception", "chan_receive" },
	/* A ThreadPoolExecutor's idle worker, in its work queue's get (C code: no frame). */
	{ "/concurrent/futures/thread.py", "_worker", "chan_receive" },
};

/* The entry of python_wait_reasons Python frame f runs, or NULL. */
static const struct python_wait *python_wait__of(const struct frame *f)
{
	for (size_t k = 0; k < sizeof(python_wait_reasons) / sizeof(python_wait_reasons[0]); k++)
		if (!strcmp(f->func, python_wait_reasons[k].func) &&
		    stack__frame_in_file(f, python_wait_reasons[k].module))
			return &python_wait_reasons[k];
	return NULL;
}

/* A Python lock's reason from the Python functions waiting on it; python_lock by default. */
static const char *wait__python_reason(const struct stack *st)
{
	const char *reason = "python_lock";
	const struct python_wait *step;
	size_t i = 0;

	while (i < st->n && !st->frames[i].language)
		i++;
	for (; i < st->n && st->frames[i].language && (step = python_wait__of(&st->frames[i])); i++)
		if (step->reason)
			reason = step->reason;
	return reason;
}

/*
 * A futex wait GLib makes in a function that has no name (Debian's build keeps only exported
 * ones): its GMutex's slow path, the one such wait of GLib's, its others being named.
 */
static bool wait__glib_unnamed(const struct stack *st)
{
	size_t i = 0;

	while (i < st->n && stack__frame_in_libc(&st->frames[i]))
		i++;
	return i < st->n && !st->frames[i].func && frame__in_glib(&st->frames[i]);
}

/*
 * The reason the i-th frame of st names, with what the frames around it add: the runtime that
 * called a libc primitive, the outer waits of Rust's std and of GLib.
 */
static const char *wait__frame_reason(const struct stack *st, size_t i, bool libc_linked_in,
				      bool *glibc_lock)
{
	const struct frame *f = &st->frames[i];
	const char *reason;

	if (!f->func)
		return NULL;
	reason = wait__rust_reason_of(f->func);
	if (reason)
		return wait__outer_reason(st, i, reason, frame__in_rust_std);
	reason = wait__cxx_reason_of(f->func);
	if (reason)
		return reason;
	reason = wait__c_reason_of(f, libc_linked_in, glibc_lock);
	if (reason && stack__frame_in_libc(f))
		return wait__runtime_reason(st, i + 1, glibc_lock, reason);
	if (reason && frame__in_glib(f))
		return wait__outer_reason(st, i, reason, frame__in_glib);
	return reason;
}

const char *wait__reason(const struct wait_info *w, const struct stack *st, bool *glibc_lock)
{
	const char *reason;
	bool libc_linked_in;

	*glibc_lock = false;
	if (!w->blocked)
		return NULL;
	if (w->kind && !strcmp(w->kind, "futex") && st) {
		libc_linked_in = stack__libc_linked_in(st);
		for (size_t i = 0; i < st->n; i++) {
			reason = wait__frame_reason(st, i, libc_linked_in, glibc_lock);
			if (reason)
				return strcmp(reason, "python_lock") ? reason
								     : wait__python_reason(st);
		}
		if (wait__glib_unnamed(st))
			return "mutex";
	}
	return w->kind;
}

/*
 * glibc's stdio functions, which take a FILE's lock (names after their leading underscores, as
 * the caller of the private lock wait): _IO_puts, _IO_fwrite, __vfprintf_internal, ...
 */
static const char *const stdio_funcs[] = {
	"IO_",	   "flockfile", "vfprintf", "vfwprintf", "vfscanf", "vfwscanf",
	"printf_", "buffered_", "getdelim", "getline",	 "putc",    "getc",
	"fputc",   "fgetc",	"fputs",    "fgets",	 "fwrite",  "fread",
};

const struct frame *wait__stdio_lock(const struct stack *st)
{
	const char *name;

	if (!st->n || !st->frames[0].func || !stack__frame_in_libc(&st->frames[0]) ||
	    strcmp(stack__frame_bare_name(&st->frames[0]), "lll_lock_wait_private"))
		return NULL;
	/* The callers in libc, inlined ones included: one of them is stdio's. */
	for (size_t f = 1; f < st->n && st->frames[f].func && stack__frame_in_libc(&st->frames[f]);
	     f++) {
		name = stack__frame_bare_name(&st->frames[f]);
		for (size_t i = 0; i < sizeof(stdio_funcs) / sizeof(stdio_funcs[0]); i++)
			if (!strncmp(name, stdio_funcs[i], strlen(stdio_funcs[i])))
				return &st->frames[0];
	}
	return NULL;
}

/* Waits for work or input: how a pool's idle workers and an event loop spend their days. */
bool wait__idle(const char *reason)
{
	static const char *const idle[] = {
		"condvar",    "semaphore",	 "futex",	 "pipe_read",
		"epoll_wait", "epoll_pwait",	 "epoll_pwait2", "poll",
		"ppoll",      "select",		 "pselect6",	 "accept",
		"accept4",    "recvfrom",	 "recvmsg",	 "read",
		"msgrcv",     "mq_timedreceive", "chan_receive", "chan_select",
	};

	for (size_t i = 0; reason && i < sizeof(idle) / sizeof(*idle); i++)
		if (!strcmp(reason, idle[i]))
			return true;
	return false;
}
