// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <sys/stat.h>
#include <sys/syscall.h>

#include "unit.h"
#include "model/wait.h"

#define SLEEPING 0x0001

static struct task_record blocked_in(long nr, unsigned long long a0, unsigned long long a1,
				     unsigned long long a2, unsigned long long a3)
{
	struct task_record rec = {
		.type = LEAKMON_RECORD_TASK,
		.size = sizeof(rec),
		.state = SLEEPING,
		.flags = LEAKMON_TASK_HAS_REGS,
		.syscall_nr = nr,
	};

	rec.regs[LEAKMON_REG_DI] = a0;
	rec.regs[LEAKMON_REG_SI] = a1;
	rec.regs[LEAKMON_REG_DX] = a2;
	rec.regs[LEAKMON_REG_R10] = a3;
	return rec;
}

static struct task_record on_file(struct task_record rec, unsigned int mode, unsigned long ino)
{
	rec.flags |= LEAKMON_TASK_HAS_FILE;
	rec.file_mode = mode;
	rec.file_ino = ino;
	return rec;
}

static void test_futexes(void)
{
	struct task_record rec;
	struct wait_info w;

	/* pthread_cond_wait: FUTEX_WAIT_BITSET|PRIVATE, no timeout. */
	rec = blocked_in(SYS_futex, 0x7f0000001000ULL, 9 | 128, 0, 0);
	wait__classify(&rec, &w);
	CHECK(w.blocked, "blocked");
	CHECK_STR(w.kind, "futex");
	CHECK_STR(w.object, "0x7f0000001000");
	CHECK(w.timed == 0, "untimed: %d", w.timed);
	CHECK(w.private_futex, "FUTEX_PRIVATE_FLAG");
	rec = blocked_in(SYS_futex, 0x7f0000001000ULL, 9, 0, 0);
	wait__classify(&rec, &w);
	CHECK(!w.private_futex, "a shared futex (pthread_join's tid word)");
	/* pthread_cond_timedwait: FUTEX_WAIT_BITSET|PRIVATE|CLOCK_REALTIME with a timeout. */
	rec = blocked_in(SYS_futex, 0x1000, 9 | 128 | 256, 0, 0x7ffd0000ULL);
	wait__classify(&rec, &w);
	CHECK(w.timed == 1, "timed: %d", w.timed);
	/* PI mutexes wait with FUTEX_LOCK_PI. */
	rec = blocked_in(SYS_futex, 0x1000, 6 | 128, 0, 0);
	wait__classify(&rec, &w);
	CHECK_STR(w.kind, "futex");
	CHECK(w.timed == 0, "lock_pi untimed: %d", w.timed);
	/* The futex_wait syscall (455) keeps its timeout in the fifth argument. */
	rec = blocked_in(455, 0x2000, 0, 0, 0);
	rec.regs[LEAKMON_REG_R8] = 0x7ffd1000ULL;
	wait__classify(&rec, &w);
	CHECK_STR(w.kind, "futex");
	CHECK_STR(w.object, "0x2000");
	CHECK(w.timed == 1, "futex_wait timed: %d", w.timed);
	rec = blocked_in(SYS_futex_waitv, 0x3000, 2, 0, 0);
	wait__classify(&rec, &w);
	CHECK_STR(w.kind, "futex");
	CHECK(w.timed == 0, "waitv untimed: %d", w.timed);
}

static void test_pipes_and_fds(void)
{
	struct task_record rec;
	struct wait_info w;

	rec = on_file(blocked_in(SYS_read, 3, 0, 1, 0), S_IFIFO | 0600, 4242);
	wait__classify(&rec, &w);
	CHECK_STR(w.kind, "pipe_read");
	CHECK_STR(w.object, "pipe:[4242]");
	CHECK(w.timed == 0, "untimed");
	rec = on_file(blocked_in(SYS_writev, 5, 0, 1, 0), S_IFIFO | 0600, 7);
	wait__classify(&rec, &w);
	CHECK_STR(w.kind, "pipe_write");
	rec = on_file(blocked_in(SYS_read, 4, 0, 1, 0), S_IFSOCK | 0777, 99);
	wait__classify(&rec, &w);
	CHECK_STR(w.kind, "read");
	CHECK_STR(w.object, "socket:[99]");
	rec = on_file(blocked_in(SYS_accept4, 6, 0, 0, 0), S_IFSOCK | 0777, 100);
	wait__classify(&rec, &w);
	CHECK_STR(w.kind, "accept4");
	rec = blocked_in(SYS_epoll_wait, 8, 0, 64, (unsigned long long)-1);
	wait__classify(&rec, &w);
	CHECK_STR(w.kind, "epoll_wait");
	CHECK_STR(w.object, "fd:8");
	CHECK(w.timed == 0, "infinite epoll timeout: %d", w.timed);
	rec = blocked_in(SYS_epoll_wait, 8, 0, 64, 100);
	wait__classify(&rec, &w);
	CHECK(w.timed == 1, "epoll timeout: %d", w.timed);
}

static void test_other_syscalls_and_states(void)
{
	struct task_record rec;
	struct wait_info w;

	rec = blocked_in(SYS_clock_nanosleep, 1, 0, 0, 0);
	wait__classify(&rec, &w);
	CHECK_STR(w.kind, "clock_nanosleep");
	CHECK(w.timed == 1, "sleeps are timed");
	rec = blocked_in(SYS_poll, 0, 1, (unsigned long long)-1, 0);
	wait__classify(&rec, &w);
	CHECK_STR(w.kind, "poll");
	CHECK(w.timed == 0, "poll forever");
	rec = blocked_in(9999, 0, 0, 0, 0);
	wait__classify(&rec, &w);
	CHECK_STR(w.kind, "syscall");
	rec = blocked_in(-1, 0, 0, 0, 0);
	wait__classify(&rec, &w);
	CHECK_STR(w.kind, "fault");

	rec = blocked_in(SYS_futex, 0x1000, 0, 0, 0);
	rec.flags |= LEAKMON_TASK_ON_CPU;
	wait__classify(&rec, &w);
	CHECK(!w.blocked && !w.kind, "a thread on a CPU is not blocked");
	CHECK_STR(wait__state_name(&rec), "running");
	rec = blocked_in(SYS_futex, 0x1000, 0, 0, 0);
	CHECK_STR(wait__state_name(&rec), "sleeping");
	rec.state = 0x0002;
	CHECK_STR(wait__state_name(&rec), "disk_sleep");
	rec.state = 0x0402;
	CHECK_STR(wait__state_name(&rec), "idle");
	rec.state = 0x0104;
	wait__classify(&rec, &w);
	CHECK_STR(wait__state_name(&rec), "stopped");
	CHECK(!w.blocked, "stopped is not blocked");
	rec.state = 0x0008;
	CHECK_STR(wait__state_name(&rec), "tracing_stop");
	rec.state = 0;
	rec.exit_state = 0x0020;
	CHECK_STR(wait__state_name(&rec), "zombie");
}

/* A futex wait in libc's syscall() called by func: named want, and no glibc mutex. */
static void check_reason_under(const char *func, const char *want)
{
	struct wait_info w = { .blocked = true, .kind = "futex" };
	struct frame frames[] = { { .func = "syscall", .module = "libc.so.6" }, { .func = func } };
	struct stack st = { .frames = frames, .n = 2 };
	bool glibc_lock;
	const char *got = wait__reason(&w, &st, &glibc_lock);

	CHECK(got && !strcmp(got, want) && !glibc_lock, "%s: got %s, want %s", func,
	      got ? got : "(null)", want);
}

/*
 * Rust's std waits on futexes of its own: named from std's functions in the stack, in both
 * manglings' demangled forms, and only std's (a socket's recv is no channel); so do
 * parking_lot's locks and crossbeam's channels, named from theirs.
 */
static void test_rust_reasons(void)
{
	static const struct {
		const char *func, *want;
	} cases[] = {
		{ "<std::sys::sync::mutex::futex::Mutex>::lock_contended", "mutex" },
		{ "std::sys::unix::locks::futex::Mutex::lock_contended", "mutex" },
		{ "<std::sys::sync::rwlock::futex::RwLock>::write_contended", "rwlock" },
		{ "<std::sys::sync::condvar::futex::Condvar>::wait_timeout", "condvar" },
		{ "<std::sync::mpmc::list::Channel<u32>>::recv", "chan_receive" },
		{ "std::sync::mpmc::zero::Channel<T>::send", "chan_send" },
		{ "std::sync::mpsc::Receiver<T>::recv", "chan_receive" },
		{ "<std::sys::sync::once::futex::Once>::call", "once" },
		{ "std::sync::once::Once::call_inner", "once" },
		{ "<std::sys::net::Socket>::recv", "futex" },
		{ "<std::sys::X as core::ops::function::FnOnce<()>>::call_once", "futex" },
		{ "<myapp::Mutex>::lock_contended", "futex" },
		{ "parking_lot::raw_mutex::RawMutex::lock_slow", "mutex" },
		{ "<parking_lot::raw_mutex::RawMutex>::lock_slow", "mutex" },
		{ "<parking_lot::raw_fair_mutex::RawFairMutex as lock_api::mutex::RawMutex>::lock",
		  "mutex" },
		{ "parking_lot::raw_rwlock::RawRwLock::wait_for_readers", "rwlock" },
		{ "<parking_lot::raw_rwlock::RawRwLock>::lock_shared_slow", "rwlock" },
		{ "parking_lot::condvar::Condvar::wait_until_internal", "condvar" },
		{ "<parking_lot::once::Once>::call_once_slow", "once" },
		{ "parking_lot_core::parking_lot::park", "futex" },
		{ "crossbeam_channel::flavors::list::Channel<T>::recv::{{closure}}",
		  "chan_receive" },
		{ "<crossbeam_channel::flavors::array::Channel<u32>>::send::{closure#0}",
		  "chan_send" },
		{ "crossbeam_channel::select::run_select::{{closure}}", "chan_select" },
		{ "crossbeam_channel::context::Context::wait_until", "futex" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_reason_under(cases[i].func, cases[i].want);
}

/*
 * A Rust wait is named by the outermost of std's frames around its own that names one: std's
 * Barrier waits on its Condvar. The program's code ends the walk: what it calls is its own.
 */
static void test_rust_outer_reasons(void)
{
	struct frame barrier[] = {
		{ .func = "syscall", .module = "libc.so.6" },
		{ .func = "<std::sys::sync::condvar::futex::Condvar>::wait" },
		{ .func = "<std::sync::poison::condvar::Condvar>::wait::<bool>" },
		{ .func = "<std::sync::barrier::Barrier>::wait" },
		{ .func = "myapp::main::{closure#7}" },
	};
	struct frame condvar_in_app[] = {
		{ .func = "syscall", .module = "libc.so.6" },
		{ .func = "std::sys::unix::locks::futex_condvar::Condvar::wait" },
		{ .func = "myapp::Gate::wait" },
		{ .func = "std::sync::barrier::Barrier::wait" },
	};
	struct wait_info w = { .blocked = true, .kind = "futex" };
	struct stack st = { .frames = barrier, .n = sizeof(barrier) / sizeof(barrier[0]) };
	bool glibc_lock;

	CHECK_STR(wait__reason(&w, &st, &glibc_lock), "barrier");
	st = (struct stack){ .frames = condvar_in_app,
			     .n = sizeof(condvar_in_app) / sizeof(condvar_in_app[0]) };
	CHECK_STR(wait__reason(&w, &st, &glibc_lock), "condvar");
}

/*
 * libstdc++'s own futex waits, named from a part of its functions' demangled names: a
 * template's carries its return type before it and its arguments' types within.
 */
static void test_cxx_reasons(void)
{
	static const struct {
		const char *func, *want;
	} cases[] = {
		{ "std::__atomic_futex_unsigned_base::_M_futex_wait_until(unsigned int*, unsigned "
		  "int, bool, std::chrono::duration<long, std::ratio<1l, 1l> >, "
		  "std::chrono::duration<long, std::ratio<1l, 1000000000l> >)",
		  "chan_receive" },
		{ "void std::__atomic_wait_address_bare<std::__atomic_semaphore::_M_acquire()::"
		  "{lambda()#1}>(int const*, std::__atomic_semaphore::_M_acquire()::{lambda()#1})",
		  "semaphore" },
		{ "void std::__detail::__waiter<std::integral_constant<bool, true> >::_M_do_wait<"
		  "std::latch::wait() const::{lambda()#1}>(std::latch::wait() const::{lambda()#1})",
		  "barrier" },
		{ "void std::__atomic_wait_address<std::__barrier_phase_t, std::__tree_barrier<"
		  "std::__empty_completion>::wait(std::__barrier_phase_t&&) const::{lambda()#1}>("
		  "std::__barrier_phase_t const*, ...)",
		  "barrier" },
		{ "void std::__detail::__platform_wait<int>(int const*, int)", "futex" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_reason_under(cases[i].func, cases[i].want);
}

/*
 * GLib's GCond waits on a futex of its own; what GLib builds on it is named by the outermost of
 * GLib's frames around it (its static functions unnamed), up to the program's code.
 */
static void test_glib_reasons(void)
{
	struct frame frames[] = {
		{ .func = "syscall", .module = "libc.so.6" },
		{ .func = "g_cond_wait", .module = "libglib-2.0.so.0" },
		{ .module = "libglib-2.0.so.0" },
		{ .func = "g_async_queue_pop", .module = "libglib-2.0.so.0" },
		{ .func = "on_queue", .module = "app" },
		{ .func = "g_once_init_enter", .module = "app" },
	};
	struct wait_info w = { .blocked = true, .kind = "futex" };
	struct stack st = { .frames = frames, .n = 2 };
	bool glibc_lock;

	CHECK_STR(wait__reason(&w, &st, &glibc_lock), "condvar");
	st.n = 6;
	CHECK_STR(wait__reason(&w, &st, &glibc_lock), "chan_receive");
	frames[3] = (struct frame){ .func = "g_once_init_enter", .module = "libglib-2.0.so.0" };
	CHECK_STR(wait__reason(&w, &st, &glibc_lock), "once");
	frames[2] = (struct frame){ .func = "wait_for_work", .module = "app" };
	CHECK_STR(wait__reason(&w, &st, &glibc_lock), "condvar");
	/* GMutex's slow path, unnamed, right above libc: a mutex whose owner is not known. */
	frames[1] = (struct frame){ .module = "libglib-2.0.so.0" };
	frames[2] = (struct frame){ .func = "take_lock", .module = "app" };
	st.n = 3;
	CHECK_STR(wait__reason(&w, &st, &glibc_lock), "mutex");
	CHECK(!glibc_lock, "a GMutex is no glibc mutex");
	frames[1] = (struct frame){ .module = "libother.so.1" };
	CHECK_STR(wait__reason(&w, &st, &glibc_lock), "futex");
}

/*
 * A static binary: glibc's functions in the program's own module. Its thread entries there say
 * so, and its mutex waits are then glibc's, owners readable; without them, no C library's.
 */
static void test_libc_linked_in(void)
{
	struct frame frames[] = {
		{ .func = "__lll_lock_wait", .module = "app" },
		{ .func = "__pthread_mutex_lock", .module = "app" },
		{ .func = "take_lock", .module = "app" },
		{ .func = "start_thread", .module = "app" },
		{ .func = "__clone3", .module = "app" },
	};
	struct wait_info w = { .blocked = true, .kind = "futex" };
	struct stack st = { .frames = frames, .n = sizeof(frames) / sizeof(frames[0]) };
	bool glibc_lock;

	CHECK_STR(wait__reason(&w, &st, &glibc_lock), "mutex");
	CHECK(glibc_lock, "a static glibc's mutex is glibc's");
	st.n = 3;
	CHECK_STR(wait__reason(&w, &st, &glibc_lock), "futex");
	CHECK(!glibc_lock, "no C library in sight: no glibc mutex");
}

/*
 * glibc's own locks (a FILE's, held by flockfile() or a printf in progress) wait in the private
 * lock wait: a mutex, but no pthread mutex, whose words would name its owner (a FILE's is found
 * from the stdio function that waits); pthread_mutex_lock waits in the other one, and is.
 */
static void test_glibc_private_locks(void)
{
	struct frame frames[] = {
		{ .func = "__lll_lock_wait_private", .module = "libc.so.6" },
		{ .func = "_IO_puts", .module = "libc.so.6" },
		{ .func = "writer", .module = "app" },
	};
	struct wait_info w = { .blocked = true, .kind = "futex" };
	struct stack st = { .frames = frames, .n = sizeof(frames) / sizeof(frames[0]) };
	bool glibc_lock;

	CHECK_STR(wait__reason(&w, &st, &glibc_lock), "mutex");
	CHECK(!glibc_lock, "stdio's lock keeps no owner where a pthread mutex does");
	CHECK(wait__stdio_lock(&st) == &frames[0], "a FILE's lock, taken by puts");
	frames[1].func = "__vfprintf_internal";
	CHECK(wait__stdio_lock(&st) == &frames[0], "a FILE's lock, taken by printf");
	frames[1].func = "arena_get2.part.0";
	CHECK(!wait__stdio_lock(&st), "malloc's arena lock is no FILE's");
	frames[0].func = "__lll_lock_wait";
	frames[1].func = "___pthread_mutex_lock";
	CHECK_STR(wait__reason(&w, &st, &glibc_lock), "mutex");
	CHECK(glibc_lock, "a pthread mutex's owner is readable");
}

/*
 * libc's primitive as a runtime's lock: a semaphore or mutex wait under PyThread_acquire_lock is
 * Python's lock (and no glibc mutex to read an owner from); under a program's own code, libc's.
 */
static void test_runtime_locks(void)
{
	static const struct {
		const char *libc_func, *caller, *caller_module, *want;
		bool glibc_lock;
	} cases[] = {
		{ "__new_sem_wait_slow64.constprop.0", "PyThread_acquire_lock_timed", "python3.11",
		  "python_lock", false },
		{ "pthread_cond_wait", "PyThread_acquire_lock_timed", "libpython3.11.so.1.0",
		  "python_lock", false },
		{ "sem_wait", "take_slot", "app", "semaphore", false },
		{ "pthread_mutex_lock", "update_totals", "app", "mutex", true },
		{ "___pthread_rwlock_wrlock", "update_totals", "app", "rwlock", true },
		{ "___pthread_rwlock_rdlock", "read_totals", "app", "rwlock", true },
	};
	struct wait_info w = { .blocked = true, .kind = "futex" };
	struct frame frames[4] = {
		{ .func = "__futex_abstimed_wait_common", .module = "libc.so.6" },
		{ .module = "libc.so.6" },
		{ 0 },
		{ .func = "start_thread", .module = "libc.so.6" },
	};
	struct stack st = { .frames = frames, .n = 4 };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool glibc_lock;
		const char *got;

		frames[1].func = cases[i].libc_func;
		frames[2].func = cases[i].caller;
		frames[2].module = cases[i].caller_module;
		got = wait__reason(&w, &st, &glibc_lock);
		CHECK(got && !strcmp(got, cases[i].want) && glibc_lock == cases[i].glibc_lock,
		      "%s under %s: got %s (glibc lock %d), want %s", cases[i].libc_func,
		      cases[i].caller, got ? got : "(null)", glibc_lock, cases[i].want);
	}
}

/*
 * A Python lock's reason from the standard modules' functions just above it, the outermost of
 * them (Barrier.wait waits in Condition.wait), never past one that runs the program's code; a
 * wait that is no Python lock keeps its own reason whatever Python runs above it (a thread
 * waiting for the interpreter's lock, in a condvar).
 */
static void test_python_reasons(void)
{
	static const struct {
		const char *caller, *inner, *inner_file, *outer, *outer_file, *want;
	} cases[] = {
		{ "PyThread_acquire_lock_timed", "worker", "/srv/app.py", "run", "/srv/app.py",
		  "python_lock" },
		{ "PyThread_acquire_lock_timed", "Condition.wait",
		  "/usr/lib/python3.11/threading.py", "Event.wait",
		  "/usr/lib/python3.11/threading.py", "condvar" },
		{ "PyThread_acquire_lock_timed", "Condition.wait_for", "/x/threading.py",
		  "Barrier.wait", "/x/threading.py", "barrier" },
		{ "PyThread_acquire_lock_timed", "Condition.wait", "/x/threading.py", "Queue.get",
		  "/x/queue.py", "chan_receive" },
		{ "PyThread_acquire_lock_timed", "Thread._wait_for_tstate_lock", "/x/threading.py",
		  "Thread.join", "/x/threading.py", "join" },
		{ "PyThread_acquire_lock_timed", "Condition.wait", "/x/threading.py",
		  "Future.result", "/x/concurrent/futures/_base.py", "chan_receive" },
		{ "_PySemaphore_PlatformWait", "Thread.join", "/x/threading.py", "worker",
		  "/x/app.py", "join" },
		/* Only the standard modules' own functions: not one of the program's named so. */
		{ "PyThread_acquire_lock_timed", "wait", "/srv/app.py", "Queue.get", "/x/queue.py",
		  "python_lock" },
		{ "take_gil", "Condition.wait", "/x/threading.py", "Queue.get", "/x/queue.py",
		  "condvar" },
		/* A pool's idle worker; and one whose work item waits on a lock of its own. */
		{ "PyThread_acquire_lock_timed", "_worker", "/x/concurrent/futures/thread.py",
		  "Thread.run", "/x/threading.py", "chan_receive" },
		{ "PyThread_acquire_lock_timed", "_WorkItem.run", "/x/concurrent/futures/thread.py",
		  "_worker", "/x/concurrent/futures/thread.py", "python_lock" },
	};
	struct wait_info w = { .blocked = true, .kind = "futex" };
	struct frame frames[6] = {
		{ .func = "__futex_abstimed_wait_common", .module = "libc.so.6" },
		{ .func = "pthread_cond_timedwait", .module = "libc.so.6" },
		{ .module = "python3.11" },
		{ .language = "python" },
		{ .language = "python" },
		{ .func = "_PyEval_EvalFrameDefault", .module = "python3.11" },
	};
	struct stack st = { .frames = frames, .n = 6 };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool glibc_lock;
		const char *got;

		frames[2].func = cases[i].caller;
		frames[3].func = cases[i].inner;
		frames[3].file = cases[i].inner_file;
		frames[4].func = cases[i].outer;
		frames[4].file = cases[i].outer_file;
		got = wait__reason(&w, &st, &glibc_lock);
		CHECK(got && !strcmp(got, cases[i].want), "%s in %s in %s: got %s, want %s",
		      cases[i].caller, cases[i].inner, cases[i].outer, got ? got : "(null)",
		      cases[i].want);
	}
}

/* A restart block's first 16 bytes, as the kernel lays them out for each kind of wait. */
static struct task_record restarted(struct task_record rec, uint64_t addr, uint32_t value,
				    uint32_t flags)
{
	rec.syscall_nr = SYS_restart_syscall;
	rec.restart_args[0] = addr;
	rec.restart_args[1] = value | (uint64_t)flags << 32;
	return rec;
}

/* A timed wait stopped and continued: named as the wait it was, from its restart block. */
static void test_restarted_waits(void)
{
	const uint64_t word = 0x7f0000001008, fds = 0x7ffd00000100, req = 0x7ffd00000200,
		       rem = 0x7ffd00000210;
	/* futex(word, FUTEX_WAIT_BITSET_PRIVATE, 7, timeout): kernel flags with a timeout's. */
	struct task_record rec =
		restarted(blocked_in(0, word, 137, 7, 0x7ffd00000300), word, 7, 0x43);
	struct wait_info w;

	wait__classify(&rec, &w);
	CHECK(wait__syscall(&rec) == SYS_futex && !strcmp(w.kind, "futex") && w.futex == word &&
		      w.timed == 1 && w.private_futex,
	      "a timed futex wait: %ld %s", wait__syscall(&rec), w.kind);
	/* poll(fds, 2, 60000): ufds, nfds, has_timeout. */
	rec = restarted(blocked_in(0, fds, 2, 60000, 0), fds, 2, 1);
	wait__classify(&rec, &w);
	CHECK(wait__syscall(&rec) == SYS_poll && !strcmp(w.kind, "poll") && w.timed == 1,
	      "a timed poll: %ld %s", wait__syscall(&rec), w.kind);
	/* clock_nanosleep(CLOCK_REALTIME, 0, req, rem): the monotonic base, a native remainder. */
	rec = restarted(blocked_in(0, 0, 0, req, rem), 1 | 1ULL << 32, (uint32_t)rem,
			(uint32_t)(rem >> 32));
	wait__classify(&rec, &w);
	CHECK(wait__syscall(&rec) == SYS_clock_nanosleep && !strcmp(w.kind, "clock_nanosleep") &&
		      w.timed == 1,
	      "a relative sleep: %ld %s", wait__syscall(&rec), w.kind);
	/* nanosleep(req, rem). */
	rec = restarted(blocked_in(0, req, rem, 0, 0), 1 | 1ULL << 32, (uint32_t)rem,
			(uint32_t)(rem >> 32));
	CHECK(wait__syscall(&rec) == SYS_nanosleep, "nanosleep: %ld", wait__syscall(&rec));
	/* A block that matches no wait's arguments stays what the kernel says. */
	rec = restarted(blocked_in(0, fds, 2, 60000, 0), word, 5, 9);
	wait__classify(&rec, &w);
	CHECK(wait__syscall(&rec) == SYS_restart_syscall && !strcmp(w.kind, "restart_syscall"),
	      "unknown: %ld %s", wait__syscall(&rec), w.kind);
	/* Without the registers there is nothing to match: the record's syscall, as read. */
	rec.flags = 0;
	CHECK(wait__syscall(&rec) == SYS_restart_syscall, "no registers");
}

int main(void)
{
	test_futexes();
	test_restarted_waits();
	test_pipes_and_fds();
	test_other_syscalls_and_states();
	test_rust_reasons();
	test_rust_outer_reasons();
	test_cxx_reasons();
	test_glib_reasons();
	test_libc_linked_in();
	test_glibc_private_locks();
	test_runtime_locks();
	test_python_reasons();
	/* Idle waits wait for work; lock waits and full pipes wait for someone else. */
	CHECK(wait__idle("condvar") && wait__idle("pipe_read") && wait__idle("epoll_wait"),
	      "idle reasons");
	CHECK(!wait__idle("mutex") && !wait__idle("rwlock") && !wait__idle("pipe_write") &&
		      !wait__idle("join") && !wait__idle(NULL),
	      "lock waits are not idle");
	return unit__finish("test_wait");
}
