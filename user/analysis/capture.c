// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/jvm.h"
#include "runtime/locks.h"
#include "util/log.h"
#include "proc/pidns.h"
#include "runtime/pyframes.h"
#include "analysis/capture.h"
#include "unwind/unwind.h"

#define STACK_ATTEMPTS 2

struct capture_pass {
	struct snapshot *s;
	const struct tracker *t;
	size_t n_moved;	 /* threads that ran since they were read */
	bool last;	 /* the last check: a thread that moved keeps no stack */
	bool read_woken; /* a thread awake at its record, asleep since, has its stack read */
};

static bool thread__wants_stack(const struct thread_snap *th, uint64_t min_blocked_ns)
{
	return th->wait.blocked && snapshot__thread_listed(th, min_blocked_ns);
}

/*
 * Stack tops are read ahead this many threads at a time: all of a process's at once held
 * 2 KiB for each (~200 MiB at 100,000 threads blocked in one process).
 */
#define STACKS_PREFETCH_CHUNK 4096

/* Read ahead the stacks of the next chunk of p's pending threads from from; returns its end. */
static size_t capture__prefetch(struct unwinder *u, const struct process_snap *p, size_t from)
{
	const struct task_record **recs;
	size_t n = 0, i;

	recs = malloc(STACKS_PREFETCH_CHUNK * sizeof(*recs));
	if (!recs)
		return p->n_threads;
	for (i = from; i < p->n_threads && n < STACKS_PREFETCH_CHUNK; i++)
		if (p->threads[i]->stack_pending &&
		    (p->threads[i]->rec.flags & LEAKMON_TASK_HAS_REGS))
			recs[n++] = &p->threads[i]->rec;
	unwinder__prefetch(u, recs, n);
	free(recs);
	return i;
}

/* A process's CPython: looked for once, in the module that runs its loop in the first stack. */
struct stacks_python {
	pid_t pid;
	struct strpool *strings;
	bool looked;
	struct pyframes *py; /* NULL: none, or not yet looked for */
};

/* A process's HotSpot JVM: looked for once, in the first stack with a frame in it. */
struct stacks_java {
	pid_t pid;
	bool looked;
	struct jvm *jvm; /* NULL: none, or not yet looked for */
};

/*
 * A Java thread's wait for a monitor, where its process runs a HotSpot JVM: "mutex" entering a
 * synchronized block or method, with the monitor's owner; "condvar" in Object.wait(). The wait's
 * object is the monitor: every thread waiting for one object shares it.
 */
static const char *capture__splice_java(struct stacks_java *java, struct unwinder *u,
				       struct thread_snap *th)
{
	const char *module, *reason;
	uint64_t monitor;

	if (!java->looked && (module = jvm__module(&th->stack))) {
		java->looked = true;
		java->jvm = jvm__new(java->pid, u, module);
	}
	if (!java->jvm || !th->wait.futex_word)
		return NULL;
	reason = jvm__monitor_wait(java->jvm, th->tid, &monitor, &th->runtime_owner);
	if (reason)
		wait__set_futex(&th->wait, monitor);
	return reason;
}

/* What a process's glibc says of its threads: where its struct pthread keeps their tids. */
struct stacks_libc {
	uint32_t pid;
	const struct process_snap *p; /* its threads */
	bool looked;
	bool own_pid_ns;     /* the process numbers its threads as we do */
	uint64_t tid_offset; /* 0: unknown */
};

/*
 * The thread holding the FILE lock a stdio function of th's waits for (lock_wait: that wait's
 * frame, in libc), numbered as we number it; 0: none, or unknown. Where a struct pthread keeps
 * its tid is looked up once, in the libc the wait is in. Only a thread of the process is named:
 * a FILE's holder does not exit holding it, so a number that is none was read from elsewhere.
 */
static uint32_t capture__file_lock_owner(struct stacks_libc *libc, struct unwinder *u,
					const struct frame *lock_wait, const struct thread_snap *th)
{
	static const char *const names[] = { "_thread_db_pthread_tid" };
	uint64_t descriptor;
	uint32_t owner;

	if (!libc->looked && lock_wait->module) {
		libc->looked = true;
		libc->own_pid_ns = pidns__ours((pid_t)libc->pid);
		if (!unwinder__module_symbols(u, lock_wait->module, names, &descriptor, 1))
			libc->tid_offset = pthread__tid_offset(libc->pid, descriptor);
	}
	owner = file_lock__owner(libc->pid, th->wait.futex_word, libc->tid_offset);
	if (owner && !libc->own_pid_ns)
		owner = pidns__our_tid((pid_t)libc->pid, owner);
	return owner && process__find_thread(libc->p, owner) ? owner : 0;
}

/*
 * Thread th's Python frames, where its process's interpreter runs any; and what a wait in its
 * parking lot is for, instead of the waiter's own semaphore; and the Python lock a wait on a
 * lock's inner lock is for, with its holder if it is an RLock, or the thread a join waits for;
 * or the GIL, with its holder, for a wait the stack calls a condvar's: "gil", the wait's reason;
 * for any other wait, the GIL the thread holds meanwhile.
 */
static const char *capture__splice_python(struct stacks_python *python, struct unwinder *u,
					 struct thread_snap *th)
{
	const char *module;
	uint64_t parked, lock;

	if (!python->looked && (module = pyframes__interpreter_module(&th->stack))) {
		python->looked = true;
		python->py = pyframes__new(python->pid, u, module, python->strings);
	}
	if (!python->py)
		return NULL;
	pyframes__splice(python->py, th->rec.tid, &th->stack, &th->runtime_name);
	if (th->wait.futex_word &&
	    pyframes__gil_wait(python->py, th->wait.futex_word, &lock, &th->runtime_owner)) {
		wait__set_futex(&th->wait, lock);
		return "gil";
	}
	th->gil_held = pyframes__gil_held(python->py, th->tid);
	if (!th->wait.futex_word)
		return NULL;
	if ((parked = pyframes__parked_on(python->py, &th->stack, th->wait.futex_word)))
		wait__set_futex(&th->wait, parked);
	else if (pyframes__lock_wait(python->py, th->rec.tid, &th->stack, th->wait.futex_word,
				     &lock, &th->runtime_owner))
		wait__set_futex(&th->wait, lock);
	if (!th->runtime_owner)
		th->runtime_owner = pyframes__joined(python->py, th->rec.tid);
	return NULL;
}

/*
 * What thread th's stack says: what its wait is for, where it started; and for an rwlock of
 * glibc's, which waiters wait on at one of two words within, the rwlock itself, once only.
 */
static void capture__name_wait(struct thread_snap *th)
{
	const struct frame *start = stack__start_routine(&th->stack);
	uint64_t rwlock;

	th->reason = wait__reason(&th->wait, &th->stack, &th->glibc_lock);
	th->start_routine = start ? start->func : NULL;
	if (th->glibc_lock && !strcmp(th->reason, "rwlock") &&
	    (rwlock = rwlock__of_futex(th->rec.tgid, th->wait.futex_word)))
		wait__set_futex(&th->wait, rwlock);
}

/* What a process's runtimes say of its threads, each looked for once per pass. */
struct stacks_runtimes {
	struct stacks_python python;
	struct stacks_java java;
	struct stacks_libc libc;
};

/* Unwind thread th of a process whose unwinder is u, or say why it cannot be. */
static void capture__unwind_thread(struct unwinder *u, struct stacks_runtimes *rt, const char *error,
				  struct thread_snap *th)
{
	const struct frame *stdio_lock;
	const char *runtime_reason;

	th->stack_pending = false;
	stack__free(&th->stack);
	stack__free(&th->creator_stack);
	th->created_by = NULL;
	th->runtime_name = NULL;
	th->runtime_owner = 0;
	th->gil_held = 0;
	if (th->wait.futex_word)
		wait__set_futex(&th->wait, th->wait.futex_word);
	if (!u) {
		th->stack.error = error;
		capture__name_wait(th);
		return;
	}
	unwinder__unwind(u, &th->rec, &th->stack);
	runtime_reason = capture__splice_python(&rt->python, u, th);
	if (!runtime_reason)
		runtime_reason = capture__splice_java(&rt->java, u, th);
	capture__name_wait(th);
	if (runtime_reason)
		th->reason = runtime_reason;
	if (!th->runtime_owner && (stdio_lock = wait__stdio_lock(&th->stack)))
		th->runtime_owner = capture__file_lock_owner(&rt->libc, u, stdio_lock, th);
	if (th->creator) {
		unwinder__unwind_creator(u, th->creator, &th->creator_stack);
		th->created_by = stack__creation_site(&th->creator_stack);
	}
}

/* Unwind the threads of p marked pending, with one view of its address space. */
static void capture__unwind_process(struct snapshot *s, struct process_snap *p,
				   const struct capture_opts *opts)
{
	struct unwinder_opts uopts = {
		.symbols = opts->symbols,
		.strings = s->strings,
		.separate_dwarf = opts->debuginfo == DEBUGINFO_ALL,
		.no_dwarf = opts->debuginfo == DEBUGINFO_NONE,
	};
	struct stacks_runtimes rt = {
		.python = { .pid = (pid_t)p->pid, .strings = s->strings },
		.java = { .pid = (pid_t)p->pid },
		.libc = { .pid = p->pid, .p = p },
	};
	struct unwinder *u = NULL;
	const char *error = NULL;
	size_t i = 0, end;
	int err;

	err = unwinder__new((pid_t)p->pid, &uopts, &u);
	if (err)
		error = err == -ESRCH || err == -ENOENT ? "process exited" : "process unreadable";
	while (i < p->n_threads) {
		end = u ? capture__prefetch(u, p, i) : p->n_threads;
		for (; i < end; i++)
			if (p->threads[i]->stack_pending)
				capture__unwind_thread(u, &rt, error, p->threads[i]);
	}
	pyframes__free(rt.python.py);
	jvm__free(rt.java.jvm);
	unwinder__free(u);
}

/*
 * Whether a thread that ran since record was is back asleep in the same system call, with every
 * register as it was: a loop of short timed waits (the GIL's waiters wake every 5 ms), whose
 * callers' frames, all a stack read past the registers holds, are the same.
 */
static bool task_record__same_wait(const struct task_record *rec, const struct task_record *was)
{
	return wait__blocked(rec) && (rec->flags & LEAKMON_TASK_HAS_REGS) &&
	       (was->flags & LEAKMON_TASK_HAS_REGS) && rec->syscall_nr == was->syscall_nr &&
	       !memcmp(rec->regs, was->regs, sizeof(rec->regs));
}

/* A thread ran since its record if its context-switch counts moved: read it again. */
static int capture__check_task(const struct task_record *rec, void *ctx)
{
	struct capture_pass *pass = ctx;
	struct thread_snap *th = snapshot__find_thread(pass->s, rec->tgid, rec->tid);

	/*
	 * Awake at its record (or at the last check), asleep now: woken for a moment (a GIL waiter
	 * checks every 5 ms), its wait one all the same. Its new record counts; a snapshot reads
	 * its stack too, while there is a check left to tell whether that stack held still.
	 */
	if (th && !th->wait.blocked && wait__blocked(rec)) {
		snapshot__refresh_thread(pass->s, th, rec);
		if (pass->last && pass->read_woken)
			th->stack.error = "thread kept running while its stack was read";
		th->stack_wanted = th->stack_pending = pass->read_woken && !pass->last;
		pass->n_moved += th->stack_pending;
		return 0;
	}
	if (!th || !th->stack_wanted || !th->stack.frames)
		return 0;
	if ((rec->nvcsw == th->rec.nvcsw && rec->nivcsw == th->rec.nivcsw) ||
	    task_record__same_wait(rec, &th->rec))
		return 0;
	pass->n_moved++;
	if (pass->last) {
		/* What its stack said goes with it: the wait is named by its kind, as read. */
		struct task_record read = th->rec;

		snapshot__refresh_thread(pass->s, th, &read);
		th->stack.error = "thread kept running while its stack was read";
		return 0;
	}
	snapshot__refresh_thread(pass->s, th, rec);
	th->stack_pending = th->stack_wanted && th->wait.blocked;
	return 0;
}

uint32_t capture__gil_waiters(const struct process_snap *p, uint64_t gil)
{
	uint32_t n = 0;

	for (size_t i = 0; i < p->n_threads; i++) {
		const struct wait_info *w = &p->threads[i]->wait;

		n += w->blocked && w->futex_word && pyframes__on_gil(gil, w->futex_word);
	}
	return n;
}

/* For each thread found holding a GIL while asleep elsewhere: its waiters. */
static void capture__count_gil_waiters(struct snapshot *s)
{
	for (size_t i = 0; i < s->n_threads; i++) {
		struct thread_snap *th = &s->threads[i];
		const struct process_snap *p;

		if (th->gil_held && (p = snapshot__find_process(s, th->rec.tgid)))
			th->gil_waiters = capture__gil_waiters(p, th->gil_held);
	}
}

/* What the others' stacks, if any, say: the wait kind for a reason. */
static void capture__name_waits(struct snapshot *s)
{
	for (size_t i = 0; i < s->n_threads; i++)
		if (!s->threads[i].reason)
			capture__name_wait(&s->threads[i]);
}

static void capture__unwind_pending(struct snapshot *s, const struct capture_opts *opts)
{
	for (size_t i = 0; i < s->n_processes; i++) {
		for (size_t j = 0; j < s->processes[i].n_threads; j++) {
			if (s->processes[i].threads[j]->stack_pending) {
				capture__unwind_process(s, &s->processes[i], opts);
				break;
			}
		}
	}
}

/* The processes with stacks wanted: only their threads need checking after the unwind. */
static size_t capture__wanted_processes(const struct snapshot *s, uint32_t *tgids)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n_processes; i++) {
		for (size_t j = 0; j < s->processes[i].n_threads; j++) {
			if (s->processes[i].threads[j]->stack_wanted) {
				tgids[n++] = s->processes[i].pid;
				break;
			}
		}
	}
	return n;
}

static int capture__listed_marked(struct tracker *t, struct snapshot *s,
				  const struct capture_opts *opts, bool read_woken)
{
	struct capture_pass pass = { .s = s, .t = t, .read_woken = read_woken };
	uint32_t *tgids;
	size_t n_tgids;
	int err = 0;

	if (!s->strings) {
		s->strings = strpool__new();
		if (!s->strings)
			return -ENOMEM;
	}
	tgids = malloc((s->n_processes ? s->n_processes : 1) * sizeof(*tgids));
	if (!tgids)
		return -ENOMEM;
	n_tgids = capture__wanted_processes(s, tgids);
	for (size_t i = 0; i < s->n_threads; i++)
		s->threads[i].stack_pending =
			s->threads[i].stack_wanted && s->threads[i].wait.blocked;
	for (int attempt = 0; attempt < STACK_ATTEMPTS && n_tgids; attempt++) {
		capture__unwind_pending(s, opts);
		pass.n_moved = 0;
		pass.last = attempt + 1 == STACK_ATTEMPTS;
		err = tracker__for_each_task_of(t, tgids, n_tgids, capture__check_task, &pass);
		if (err || !pass.n_moved)
			break;
	}
	free(tgids);
	capture__name_waits(s);
	capture__count_gil_waiters(s);
	return err;
}

int capture__listed(struct tracker *t, struct snapshot *s, const struct capture_opts *opts)
{
	for (size_t i = 0; i < s->n_threads; i++)
		s->threads[i].stack_wanted =
			thread__wants_stack(&s->threads[i], opts->min_blocked_ns);
	/* A wait just begun is listed only when every wait is. */
	return capture__listed_marked(t, s, opts, !opts->min_blocked_ns);
}

int capture__wanted(struct tracker *t, struct snapshot *s, const struct capture_opts *opts)
{
	return capture__listed_marked(t, s, opts, false);
}
