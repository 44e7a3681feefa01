// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util/array.h"
#include "util/clock.h"
#include "analysis/deadlock.h"
#include "monitor/growth.h"
#include "analysis/hidden.h"
#include "runtime/jvm.h"
#include "util/log.h"
#include "output/metrics.h"
#include "monitor/monitor.h"
#include "proc/pipes.h"
#include "monitor/select.h"
#include "model/snapshot.h"
#include "analysis/capture.h"
#include "analysis/stall.h"

/* A watched process: its baseline and recent thread counts. */
struct watched {
	uint32_t pid;
	uint64_t start_ns; /* tells this process from a later one given the same pid */
	char comm[LEAKMON_COMM_LEN + 1];
	int64_t baseline;
	uint64_t since_ns; /* when watching it began, and the baseline was taken */
	struct growth growth;
	uint64_t site_key; /* while growth.alerted: the group that grew (thread__group_key) */
	bool stalled;	   /* a stall event was raised and no thread has run since */
	bool ignored;	   /* not selected (--watch-*, --ignore-*): kept only to be known */
	bool said;	   /* an event was raised about it: its exit is worth saying too */
	bool jvm_looked;   /* whether it maps a HotSpot JVM was asked */
	uint8_t jvm_tries; /* its JVM's tables read and not understood (it may be starting) */
	struct jvm *jvm;   /* its JVM's Java threads, read at each look; NULL: none */
	/* This tick's verdicts, acted on once the stacks they need are read. */
	bool growth_due, stall_due, stall_provable;
};

/* One thread's blocking episode: the same while the thread neither ran nor was replaced. */
struct episode {
	uint32_t tgid, tid;
	uint64_t start_ns; /* the thread's: a reused tid is another thread */
	uint64_t nvcsw;	   /* moves when the thread slept again: a new episode */
	char comm[LEAKMON_COMM_LEN + 1];
	const char *kind;   /* its wait kind: futex, pipe_read, ... (static strings) */
	const char *reason; /* once its stack was read: mutex, condvar, ... (static strings) */
	bool glibc_lock;    /* likewise: th->glibc_lock */
	/* Likewise: what its runtime waits for (wait.futex), and that lock's holder. */
	uint64_t futex;
	uint32_t runtime_owner;
	uint64_t gil_held;	   /* likewise: the GIL it holds while asleep here (th->gil_held) */
	uint64_t runtime_since_ns; /* th->runtime_since_ns at its start: its sleeps, one wait */
	uint64_t group_key;	   /* once its stack was read: thread__group_key */
	bool kind_alerted;	   /* its reason (or wait kind until then) is in --blocked-kinds */
	double blocked_s;
	bool reported;
	bool seen; /* in this tick's snapshot: then th, p and w are this tick's */
	struct thread_snap *th;
	struct process_snap *p;
	struct watched *w;
};

struct monitor {
	const struct config *cfg;
	struct tracker *t;
	struct events *ev;
	struct symbolizer *symbols;
	struct watched *processes; /* by pid */
	size_t n_processes;
	struct watched **of_snap; /* this tick: the watched process of each snapshot process */
	struct episode *episodes; /* sorted by (tgid, tid) up to n_sorted; new ones after */
	size_t n_episodes, cap_episodes, n_sorted;
	struct deadlocks *deadlocks;
	struct snapshot *snap;	    /* the last tick's, refilled by the next in its memory */
	struct tracker_drops drops; /* as last said */
	uint64_t alerts[METRICS_N_ALERTS];
	uint64_t tick_ns;	     /* how long the last tick took */
	uint64_t creators_window_ns; /* when the current window of kept creators began */
	bool started;	 /* the first tick is over: with -p, later pids are reuses, not watched */
	size_t n_hidden; /* processes (asked for, or all) alive but hidden from the iterator */
};

int monitor__new(const struct config *cfg, struct tracker *t, struct events *ev,
		 struct monitor **out)
{
	struct monitor *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->cfg = cfg;
	m->t = t;
	m->ev = ev;
	/* The tracker's slots start zeroed: the first window of kept creators begins now. */
	m->creators_window_ns = clock__mono_ns();
	m->symbols = symbolizer__new(NULL);
	m->deadlocks = deadlocks__new();
	if (!m->symbols || !m->deadlocks) {
		monitor__free(m);
		return -ENOMEM;
	}
	*out = m;
	return 0;
}

void monitor__free(struct monitor *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_processes; i++) {
		growth__free(&m->processes[i].growth);
		jvm__free(m->processes[i].jvm);
	}
	free(m->processes);
	free(m->of_snap);
	free(m->episodes);
	symbolizer__free(m->symbols);
	deadlocks__free(m->deadlocks);
	snapshot__free(m->snap);
	free(m);
}

/* Exits are said for processes asked for with -p and those events were raised about. */
static void monitor__process_gone(struct monitor *m, struct watched *w)
{
	if (!w->ignored && (m->cfg->n_pids || w->said))
		events__exit(m->ev, w->pid, w->comm);
	deadlocks__forget(m->deadlocks, w->pid);
	growth__free(&w->growth);
	jvm__free(w->jvm);
	w->jvm = NULL;
}

static void watched__init(struct watched *w, const struct process_snap *p, uint64_t now_ns)
{
	memset(w, 0, sizeof(*w));
	w->pid = p->pid;
	w->start_ns = p->start_ns;
	w->since_ns = now_ns;
	w->baseline = p->thread_count;
}

/*
 * Pair the watched processes with the snapshot's (both by pid). A watched process missing, or
 * replaced by another with its pid, exited. New processes are watched from here on, except
 * with -p: those are reuses of pids whose process we watched.
 */
static int monitor__match_processes(struct monitor *m, struct snapshot *s)
{
	struct watched *processes = calloc(m->n_processes + s->n_processes + 1, sizeof(*processes));
	bool may_add = !m->cfg->n_pids || !m->started;
	size_t i = 0, j = 0, n = 0;

	free(m->of_snap);
	m->of_snap = calloc(s->n_processes + 1, sizeof(*m->of_snap));
	if (!processes || !m->of_snap) {
		free(processes);
		return -ENOMEM;
	}
	while (i < m->n_processes || j < s->n_processes) {
		struct watched *old = i < m->n_processes ? &m->processes[i] : NULL;
		struct process_snap *p = j < s->n_processes ? &s->processes[j] : NULL;

		if (old && (!p || old->pid < p->pid)) {
			monitor__process_gone(m, old);
			i++;
			continue;
		}
		if (old && old->pid != p->pid)
			old = NULL; /* p is new */
		i += old != NULL;
		if (old && old->start_ns == p->start_ns) {
			processes[n] = *old;
		} else {
			if (old) /* the pid now belongs to another process */
				monitor__process_gone(m, old);
			if (!may_add) {
				j++;
				continue;
			}
			watched__init(&processes[n], p, s->mono_ns);
			processes[n].ignored = !select__watched(m->cfg, p->pid, p->comm);
		}
		memcpy(processes[n].comm, p->comm, sizeof(processes[n].comm));
		m->of_snap[j++] = processes[n].ignored ? NULL : &processes[n];
		n++;
	}
	free(m->processes);
	m->processes = processes;
	m->n_processes = n;
	m->started = true;
	return 0;
}

/* Threads of one group share a start routine and the call site that created them. */
static uint64_t thread__group_key(const struct thread_snap *th)
{
	uint64_t key = 1469598103934665603ULL; /* FNV-1a */

	if (!th->start_routine)
		return 0;
	for (const char *c = th->start_routine; *c; c++)
		key = (key ^ (unsigned char)*c) * 1099511628211ULL;
	return key ^ (th->created_by ? th->created_by->pc : 0);
}

struct keyed_thread {
	uint64_t key;
	const struct thread_snap *th;
};

static int keyed_thread__cmp(const void *a, const void *b)
{
	const struct keyed_thread *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

/*
 * The group of threads that grew, by start routine and creation site: the one with the most
 * threads started since grew_since_ns (the two windows the growth was seen in), then the
 * largest. A steady pool larger than the leak beside it is not blamed for it.
 */
static uint64_t monitor__growth_site(const struct process_snap *p, uint64_t since_ns,
				     uint64_t grew_since_ns, struct growth_site *site)
{
	struct keyed_thread *keyed = calloc(p->n_threads + 1, sizeof(*keyed));
	size_t n = 0, site_started = 0;
	uint64_t site_key = 0;

	memset(site, 0, sizeof(*site));
	if (!keyed)
		return 0;
	for (size_t i = 0; i < p->n_threads; i++)
		if (p->threads[i]->start_routine)
			keyed[n++] = (struct keyed_thread){ thread__group_key(p->threads[i]),
							    p->threads[i] };
	qsort(keyed, n, sizeof(*keyed), keyed_thread__cmp);
	for (size_t i = 0, run; i < n; i += run) {
		const struct thread_snap *first = keyed[i].th;
		size_t started = 0, then = 0;

		for (run = 0; i + run < n && keyed[i + run].key == keyed[i].key; run++) {
			started += keyed[i + run].th->rec.start_ns > grew_since_ns;
			then += keyed[i + run].th->rec.start_ns <= since_ns;
		}
		/* Threads created while watched say where they came from: prefer them. */
		if (started < site_started ||
		    (started == site_started &&
		     (run < site->count ||
		      (run == site->count && (!first->created_by || site->created_by)))))
			continue;
		site_started = started;
		site->count = run;
		site->count_then = then;
		site->start_routine = first->start_routine;
		site->created_by = first->created_by;
		site->example = first;
		site_key = keyed[i].key;
	}
	free(keyed);
	return site_key;
}

static void process__want_all_stacks(struct process_snap *p)
{
	for (size_t i = 0; i < p->n_threads; i++)
		p->threads[i]->stack_wanted = true;
}

/* Growth and stall verdicts of each process; both want every stack of the process. */
static void monitor__judge_processes(struct monitor *m, struct snapshot *s)
{
	uint64_t window = m->cfg->growth_window_ns, now = s->mono_ns;

	for (size_t i = 0; i < s->n_processes; i++) {
		struct process_snap *p = &s->processes[i];
		struct watched *w = m->of_snap[i];
		bool stalled;

		if (!w)
			continue;
		if (growth__add_sample(&w->growth, now, p->thread_count, window))
			log_debug("pid %" PRIu32 ": a thread count lost (out of memory)", w->pid);
		w->growth_due = growth__new_episode(&w->growth, now, window);
		stalled = stall__found(p, m->cfg->blocked_threshold_ns, &w->stall_provable) > 0;
		w->stall_due = stalled && !w->stalled;
		w->stalled = stalled;
		if (w->growth_due || w->stall_due)
			process__want_all_stacks(p);
	}
}

static int episode__cmp(const void *a, const void *b)
{
	const struct episode *x = a, *y = b;

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

static void monitor__episode_over(struct monitor *m, const struct episode *e, bool exited)
{
	if (e->reported)
		events__unblocked(m->ev, e->tgid, e->comm, e->tid, e->blocked_s, exited);
}

/* The episode of a blocked thread; new ones go after the sorted ones until the next sort. */
static struct episode *monitor__episode(struct monitor *m, const struct process_snap *p,
					const struct thread_snap *th, bool *is_new)
{
	struct episode key = { .tgid = p->pid, .tid = th->tid }, *e, *grown;

	*is_new = false;
	e = m->n_sorted ? bsearch(&key, m->episodes, m->n_sorted, sizeof(*e), episode__cmp) : NULL;
	if (e) {
		if (e->start_ns == th->rec.start_ns &&
		    (e->nvcsw == th->rec.nvcsw ||
		     (th->runtime_since_ns && th->runtime_since_ns == e->runtime_since_ns))) {
			e->nvcsw = th->rec.nvcsw;
			return e;
		}
		/* It slept again, or the tid is another thread's now: a new episode. */
		monitor__episode_over(m, e, e->start_ns != th->rec.start_ns);
		memset(e, 0, sizeof(*e));
		goto fill;
	}
	grown = array__grow(m->episodes, &m->cap_episodes, m->n_episodes, sizeof(*grown));
	if (!grown)
		return NULL;
	m->episodes = grown;
	e = &m->episodes[m->n_episodes++];
	memset(e, 0, sizeof(*e));
fill:
	e->tgid = p->pid;
	e->tid = th->tid;
	e->start_ns = th->rec.start_ns;
	e->nvcsw = th->rec.nvcsw;
	e->runtime_since_ns = th->runtime_since_ns;
	memcpy(e->comm, p->comm, sizeof(e->comm));
	*is_new = true;
	return e;
}

/*
 * The episodes started this tick, after n_sorted, into order: sorted among themselves, then
 * merged from the back. Sorting all of them again each tick cost ~4% of the monitor at rest
 * with 100,000 open episodes.
 */
static void monitor__sort_new_episodes(struct monitor *m)
{
	size_t n_new = m->n_episodes - m->n_sorted, old = m->n_sorted, to = m->n_episodes;
	struct episode *fresh;

	if (!n_new)
		return;
	qsort(&m->episodes[old], n_new, sizeof(*fresh), episode__cmp);
	fresh = malloc(n_new * sizeof(*fresh));
	if (!fresh) {
		qsort(m->episodes, m->n_episodes, sizeof(*fresh), episode__cmp);
		m->n_sorted = m->n_episodes;
		return;
	}
	memcpy(fresh, &m->episodes[old], n_new * sizeof(*fresh));
	while (n_new) {
		if (old && episode__cmp(&m->episodes[old - 1], &fresh[n_new - 1]) > 0)
			m->episodes[--to] = m->episodes[--old];
		else
			m->episodes[--to] = fresh[--n_new];
	}
	free(fresh);
	m->n_sorted = m->n_episodes;
}

/* Threads past the threshold: a new episode wants its stack (hence its reason) read once. */
static void monitor__track_episodes(struct monitor *m, struct snapshot *s)
{
	for (size_t i = 0; i < s->n_processes; i++) {
		if (!m->of_snap[i])
			continue;
		for (size_t j = 0; j < s->processes[i].n_threads; j++) {
			struct thread_snap *th = s->processes[i].threads[j];
			struct episode *e;
			bool is_new;

			if (!th->wait.blocked || !th->has_blocked_ns ||
			    th->blocked_ns < m->cfg->blocked_threshold_ns)
				continue;
			e = monitor__episode(m, &s->processes[i], th, &is_new);
			if (!e)
				continue;
			if (is_new) {
				e->kind = th->wait.kind;
				e->kind_alerted = config__kind_alerted(m->cfg, e->kind);
			}
			e->seen = true;
			e->th = th;
			e->p = &s->processes[i];
			e->w = m->of_snap[i];
			e->blocked_s = (double)th->blocked_ns / 1e9;
			th->stack_wanted |= is_new;
		}
	}
	monitor__sort_new_episodes(m);
}

/*
 * Read the stacks wanted, once for all verdicts of the tick. Episodes remember what their
 * stacks said (reason, group, a runtime's lock and its holder); threads not read again get
 * those back from there.
 */
static int monitor__read_stacks(struct monitor *m, struct snapshot *s)
{
	struct capture_opts opts = { .symbols = m->symbols, .debuginfo = m->cfg->debuginfo };
	size_t wanted = 0;
	int err;

	for (size_t i = 0; i < s->n_threads; i++)
		wanted += s->threads[i].stack_wanted;
	if (!wanted)
		return 0;
	err = capture__wanted(m->t, s, &opts);
	if (err)
		return err;
	for (size_t i = 0; i < m->n_episodes; i++) {
		struct episode *e = &m->episodes[i];

		if (!e->seen)
			continue;
		if (e->th->stack_wanted) {
			e->reason = e->th->reason;
			e->glibc_lock = e->th->glibc_lock;
			e->futex = e->th->wait.futex;
			e->runtime_owner = e->th->runtime_owner;
			e->gil_held = e->th->gil_held;
			e->group_key = thread__group_key(e->th);
			e->kind_alerted = config__kind_alerted(m->cfg, e->reason);
		} else if (e->reason && !e->th->stack.n) {
			e->th->reason = e->reason;
			e->th->glibc_lock = e->glibc_lock;
			e->th->runtime_owner = e->runtime_owner;
			if (e->futex != e->th->wait.futex)
				wait__set_futex(&e->th->wait, e->futex);
		}
	}
	for (size_t i = 0; i < s->n_threads; i++)
		s->threads[i].stack_wanted = false;
	return 0;
}

/*
 * The GIL each episode's thread holds, as its stack said, and its waiters now: asleep in the
 * same wait, the thread cannot have let it go.
 */
static void monitor__count_gil_waiters(struct monitor *m)
{
	for (size_t i = 0; i < m->n_episodes; i++) {
		struct episode *e = &m->episodes[i];

		if (!e->seen || !e->gil_held)
			continue;
		e->th->gil_held = e->gil_held;
		e->th->gil_waiters = capture__gil_waiters(e->p, e->gil_held);
	}
}

/*
 * Whether an episode of this tick is worth an event now: not reported yet, and its wait reason
 * is alerted (--blocked-kinds), or the thread holds the GIL others wait for (whatever its wait:
 * every Python thread of the process is stuck behind it), or it belongs to what is already
 * wrong: the group that grows, a stall, a deadlock.
 */
static bool episode__due(const struct episode *e)
{
	if (!e->seen || e->reported)
		return false;
	return e->kind_alerted || e->th->gil_waiters ||
	       (e->w->growth.alerted && e->group_key && e->group_key == e->w->site_key) ||
	       e->w->stalled || e->th->deadlocked;
}

/* Mark what the tick's events will show without a stack yet; true if any. */
static bool monitor__want_event_stacks(struct monitor *m, const struct deadlock_cycle *cycles,
				       size_t n_cycles)
{
	bool any = false;

	for (size_t i = 0; i < n_cycles; i++) {
		for (size_t k = 0; k < cycles[i].n; k++) {
			struct thread_snap *th = cycles[i].links[k].waiter;

			th->stack_wanted = !th->stack.n;
			any |= th->stack_wanted;
		}
	}
	for (size_t i = 0; i < m->n_episodes; i++) {
		struct episode *e = &m->episodes[i];

		if (episode__due(e) && !e->th->stack.n) {
			e->th->stack_wanted = true;
			any = true;
		}
	}
	return any;
}

/* The pipes the due events wait on, looked up together: one pass over /proc for all. */
static void monitor__find_pipe_holders(struct monitor *m, struct pipe_holders *holders)
{
	uint64_t *inodes = NULL, *grown;
	size_t n = 0, cap = 0;
	int err = 0;

	for (size_t i = 0; i < m->n_episodes; i++) {
		struct episode *e = &m->episodes[i];

		if (!episode__due(e) || !wait__on_pipe(&e->th->wait))
			continue;
		grown = array__grow(inodes, &cap, n, sizeof(*grown));
		if (!grown) {
			err = -ENOMEM;
			break;
		}
		inodes = grown;
		inodes[n++] = e->th->rec.file_ino;
	}
	pipes__look_up(inodes, n, err, holders);
	free(inodes);
}

/*
 * Whether a pipe waiter's own process no longer holds its own end because it closed every
 * descriptor since its threads were read: it exits. Who holds the other end then says nothing
 * of why it waited, and its episode ends at the next pass.
 */
static bool episode__pipe_closed(const struct episode *e, const struct pipe_holders *h)
{
	bool reads = !strcmp(e->th->wait.kind, "pipe_read");
	const struct pipe_holder *first;
	size_t n;

	if (!wait__on_pipe(&e->th->wait))
		return false;
	n = pipes__holders_of(h, e->th->rec.file_ino, !reads, &first);
	for (size_t i = 0; i < n; i++)
		if (first[i].pid == e->p->pid)
			return false;
	return pipes__fds_closed(e->p->pid);
}

static void monitor__report_blocked(struct monitor *m)
{
	struct pipe_holders holders;

	monitor__find_pipe_holders(m, &holders);
	for (size_t i = 0; i < m->n_episodes; i++) {
		struct episode *e = &m->episodes[i];

		if (!episode__due(e) || episode__pipe_closed(e, &holders))
			continue;
		events__blocked(m->ev, e->p, e->th, &holders);
		e->reported = true;
		e->w->said = true;
		m->alerts[METRICS_ALERT_BLOCKED]++;
	}
	pipes__free(&holders);
}

/* Episodes of threads that ran again (or are gone): said once if they had been reported. */
static void monitor__end_episodes(struct monitor *m, struct snapshot *s)
{
	size_t kept = 0;

	for (size_t i = 0; i < m->n_episodes; i++) {
		struct episode *e = &m->episodes[i];

		if (e->seen) {
			e->seen = false;
			m->episodes[kept++] = *e;
		} else {
			struct thread_snap *th = snapshot__find_thread(s, e->tgid, e->tid);

			monitor__episode_over(m, e, !th || th->rec.start_ns != e->start_ns);
		}
	}
	/* Removing keeps the order. */
	m->n_episodes = kept;
	m->n_sorted = kept;
}

/*
 * The lock holders, asleep, whose stacks were not read: a waiter past the threshold may wait
 * for one whose own waits are short (the GIL's waiters wake every 5 ms), and a ring through it
 * is seen only once its wait is named. True if any.
 */
static bool monitor__want_holder_stacks(struct monitor *m, struct snapshot *s)
{
	bool any = false;

	for (size_t i = 0; i < s->n_processes; i++) {
		if (!m->of_snap[i])
			continue;
		for (size_t j = 0; j < s->processes[i].n_threads; j++) {
			const struct thread_snap *th = s->processes[i].threads[j];
			struct thread_snap *holder;

			if (!th->mutex_owner)
				continue;
			holder = process__find_thread(&s->processes[i], th->mutex_owner);
			if (holder && holder->wait.blocked && !holder->stack.n &&
			    !holder->stack.error) {
				holder->stack_wanted = true;
				any = true;
			}
		}
	}
	return any;
}

/* Cycles among the watched processes' waiters. */
static int monitor__find_deadlocks_once(struct monitor *m, struct snapshot *s,
					struct deadlock_cycle **cycles, size_t *n_cycles)
{
	int err = 0;

	for (size_t i = 0; i < s->n_processes && !err; i++)
		if (m->of_snap[i])
			err = deadlocks__find(m->deadlocks, &s->processes[i], cycles, n_cycles);
	return err;
}

/* Looked for again when the first look named holders asleep unread: once they are read. */
static int monitor__find_deadlocks(struct monitor *m, struct snapshot *s,
				   struct deadlock_cycle **cycles, size_t *n_cycles)
{
	int err = monitor__find_deadlocks_once(m, s, cycles, n_cycles);

	if (err || !monitor__want_holder_stacks(m, s))
		return err;
	err = monitor__read_stacks(m, s);
	return err ? err : monitor__find_deadlocks_once(m, s, cycles, n_cycles);
}

/* Looks at which a process's JVM tables are read before it goes without. */
#define MONITOR_JVM_TRIES 5

/* A HotSpot JVM's Java threads, for process pid: its tables found once, through its symbols. */
static struct jvm *monitor__open_jvm(struct monitor *m, pid_t pid)
{
	struct unwinder_opts opts = { .symbols = m->symbols, .no_dwarf = true };
	struct unwinder *u;
	struct jvm *j;

	if (unwinder__new(pid, &opts, &u))
		return NULL;
	j = jvm__new(pid, u, JVM_MODULE);
	unwinder__free(u);
	if (!j)
		log_debug("pid %d maps a JVM whose tables could not be read", (int)pid);
	return j;
}

/* Each watched JVM's Java threads now (none where the read failed): read at every look. */
static void monitor__read_jvms(struct monitor *m, struct snapshot *s)
{
	for (size_t i = 0; i < s->n_processes; i++) {
		struct watched *w = m->of_snap[i];
		pid_t pid = (pid_t)s->processes[i].pid;

		if (!w)
			continue;
		/* Not at a process's first look: a machine's short-lived processes cost no read. */
		if (!w->jvm_looked && s->mono_ns - w->since_ns >= m->cfg->interval_ns) {
			bool mapped = jvm__mapped(pid);

			if (mapped)
				w->jvm = monitor__open_jvm(m, pid);
			/* A JVM starting, or one whose list of threads changed as it was read. */
			w->jvm_looked = !mapped || w->jvm || ++w->jvm_tries == MONITOR_JVM_TRIES;
		}
		if (w->jvm)
			jvm__refresh(w->jvm, s->mono_ns);
	}
}

/*
 * Java threads entering a monitor, as their JVM said at this look: no stack is needed to know
 * the monitor, its owner, or since when the thread has waited for it. Such a thread parks a
 * second at a time (the monitor's "responsible" waiter): by its last sleep alone it would never
 * pass a threshold, nor its ring ever be seen. Said again after stacks are read: a thread that
 * parked again meanwhile has a newer record, whose wait starts anew.
 */
static void monitor__java_waits(struct monitor *m, struct snapshot *s)
{
	for (size_t i = 0; i < s->n_processes; i++) {
		struct watched *w = m->of_snap[i];
		struct process_snap *p = &s->processes[i];

		for (size_t k = 0; w && w->jvm && k < p->n_threads; k++) {
			struct thread_snap *th = p->threads[k];
			const char *reason;
			uint64_t since, monitor;
			uint32_t owner;

			if (!th->wait.blocked || !(since = jvm__entering_since(w->jvm, th->tid)) ||
			    !(reason = jvm__monitor_wait(w->jvm, th->tid, &monitor, &owner)))
				continue;
			th->reason = reason;
			wait__set_futex(&th->wait, monitor);
			th->runtime_owner = owner;
			th->runtime_since_ns = since;
			if (!th->has_blocked_ns || s->mono_ns - since > th->blocked_ns)
				th->blocked_ns = s->mono_ns - since;
			th->has_blocked_ns = true;
		}
	}
}

/*
 * One look: verdicts first (growth, stall, new blocking episodes), then one reading of the
 * stacks they need, then deadlocks among the mutex waiters, then the events. Stacks that only
 * an event needs (an older episode joining a deadlock or a growing group) are read after.
 */
static int monitor__judge(struct monitor *m, struct snapshot *s)
{
	struct deadlock_cycle *cycles = NULL;
	size_t n_cycles = 0;
	int err;

	monitor__read_jvms(m, s);
	monitor__java_waits(m, s);
	monitor__judge_processes(m, s);
	monitor__track_episodes(m, s);
	err = monitor__read_stacks(m, s);
	monitor__java_waits(m, s);
	monitor__count_gil_waiters(m);
	for (size_t i = 0; i < s->n_processes && !err; i++) {
		struct watched *w = m->of_snap[i];
		struct growth_site site;

		if (!w || !w->growth_due)
			continue;
		w->site_key =
			monitor__growth_site(&s->processes[i], w->since_ns,
					     s->mono_ns - 2 * m->cfg->growth_window_ns, &site);
		w->said = true;
		m->alerts[METRICS_ALERT_GROWTH]++;
		events__growth(m->ev, &s->processes[i], w->baseline, w->growth.rate_per_min, &site);
	}
	if (!err)
		err = monitor__find_deadlocks(m, s, &cycles, &n_cycles);
	if (!err && monitor__want_event_stacks(m, cycles, n_cycles))
		err = monitor__read_stacks(m, s);
	if (err)
		goto cleanup;
	m->alerts[METRICS_ALERT_DEADLOCK] += n_cycles;
	for (size_t i = 0; i < n_cycles; i++) {
		struct process_snap *p = snapshot__find_process(s, cycles[i].pid);

		m->of_snap[p - s->processes]->said = true;
		events__deadlock(m->ev, p, &cycles[i]);
	}
	for (size_t i = 0; i < s->n_processes; i++) {
		if (!m->of_snap[i] || !m->of_snap[i]->stall_due)
			continue;
		m->alerts[METRICS_ALERT_STALL]++;
		m->of_snap[i]->said = true;
		events__stall(m->ev, &s->processes[i], m->of_snap[i]->stall_provable);
	}
	monitor__report_blocked(m);
cleanup:
	free(cycles);
	return err;
}

int monitor__tick(struct monitor *m, bool *done)
{
	uint64_t start = clock__mono_ns(), boot_ns = m->started ? 0 : clock__boot_ns();
	struct snapshot *s;
	int err;

	*done = false;
	err = snapshot__take(m->t, &m->snap);
	if (err)
		return err;
	s = m->snap;
	/* What the task iterator hides goes unwatched: said once, at the first look. */
	if (!m->started)
		m->n_hidden = m->cfg->n_pids ? hidden__warn_asked(s, m->cfg->pids, m->cfg->n_pids)
					     : hidden__warn(s, boot_ns, "not watched");
	/* Creators are kept for threads that raise a process to a new high within this window. */
	if (s->mono_ns - m->creators_window_ns >= m->cfg->growth_window_ns) {
		err = tracker__new_creators_window(m->t);
		if (err)
			log_warn("starting a new window of kept creators failed: %s (creators stay "
				 "kept only above the old highs)",
				 strerror(-err));
		m->creators_window_ns = s->mono_ns;
	}
	err = monitor__match_processes(m, s);
	m->drops = s->drops;
	if (!err)
		err = monitor__judge(m, s);
	monitor__end_episodes(m, s);
	*done = m->cfg->n_pids && !m->n_processes;
	m->tick_ns = clock__mono_ns() - start;
	return err;
}

size_t monitor__n_hidden(const struct monitor *m)
{
	return m->n_hidden;
}

size_t monitor__n_watched(const struct monitor *m)
{
	size_t n = 0;

	for (size_t i = 0; i < m->n_processes; i++)
		n += !m->processes[i].ignored;
	return n;
}

void monitor__reconfigure(struct monitor *m)
{
	for (size_t i = 0; i < m->n_processes; i++)
		m->processes[i].ignored = !select__watched(m->cfg, m->processes[i].pid, m->processes[i].comm);
	for (size_t i = 0; i < m->n_episodes; i++) {
		struct episode *e = &m->episodes[i];

		e->kind_alerted = config__kind_alerted(m->cfg, e->reason ? e->reason : e->kind);
	}
}

/* Alerts first, then the most grown, then the largest. */
static int watched__cmp_notable(const void *a, const void *b)
{
	const struct watched *x = *(const struct watched *const *)a;
	const struct watched *y = *(const struct watched *const *)b;
	int64_t cx = growth__latest(&x->growth, 0), cy = growth__latest(&y->growth, 0);
	int ax = x->growth.alerted + x->stalled, ay = y->growth.alerted + y->stalled;

	if (ax != ay)
		return ax > ay ? -1 : 1;
	if (cx - x->baseline != cy - y->baseline)
		return cx - x->baseline > cy - y->baseline ? -1 : 1;
	if (cx != cy)
		return cx > cy ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static void watched__trend(const struct watched *w, uint64_t now, uint64_t span,
			   struct process_trend *tr)
{
	memset(tr, 0, sizeof(*tr));
	tr->pid = w->pid;
	memcpy(tr->comm, w->comm, sizeof(tr->comm));
	tr->baseline = w->baseline;
	tr->count = growth__latest(&w->growth, w->baseline);
	tr->alerted = w->growth.alerted;
	tr->stalled = w->stalled;
	for (size_t c = 0; c < TREND_COLUMNS; c++)
		tr->columns[c] = -1;
	for (size_t k = 0; k < w->growth.n; k++) {
		const struct growth_sample *sample = &w->growth.samples[k];
		uint64_t age = now - sample->t_ns;
		size_t c;

		if (age >= span)
			continue;
		c = TREND_COLUMNS - 1 - (size_t)(age * TREND_COLUMNS / span);
		if (sample->count > tr->columns[c])
			tr->columns[c] = sample->count;
	}
	/* Spans shorter than the interval saw no sample: the count stayed what it was. */
	for (size_t c = 1; c < TREND_COLUMNS; c++)
		if (tr->columns[c] < 0)
			tr->columns[c] = tr->columns[c - 1];
}

size_t monitor__trends(const struct monitor *m, uint64_t now_ns, struct process_trend *out,
		       size_t max)
{
	const struct watched **order = calloc(m->n_processes + 1, sizeof(*order));
	size_t n = 0;

	if (!order)
		return 0;
	for (size_t i = 0; i < m->n_processes; i++)
		if (!m->processes[i].ignored)
			order[n++] = &m->processes[i];
	qsort(order, n, sizeof(*order), watched__cmp_notable);
	n = n < max ? n : max;
	for (size_t i = 0; i < n; i++)
		watched__trend(order[i], now_ns, 2 * m->cfg->growth_window_ns, &out[i]);
	free(order);
	return n;
}

static int metrics_process__cmp(const void *a, const void *b)
{
	const struct metrics_process *x = a, *y = b;

	if (x->alerted != y->alerted)
		return x->alerted ? -1 : 1;
	if (x->threads != y->threads)
		return x->threads > y->threads ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static int metrics_reason__cmp(const void *a, const void *b)
{
	return strcmp(((const struct metrics_reason *)a)->reason,
		      ((const struct metrics_reason *)b)->reason);
}

int monitor__metrics(const struct monitor *m, struct metrics_sample *out)
{
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	out->processes = calloc(m->n_processes + 1, sizeof(*out->processes));
	out->blocked = calloc(m->n_episodes + 1, sizeof(*out->blocked));
	if (!out->processes || !out->blocked)
		return -ENOMEM;
	for (size_t i = 0; i < m->n_processes; i++) {
		const struct watched *w = &m->processes[i];
		struct metrics_process *p = &out->processes[n];

		if (w->ignored)
			continue;
		p->pid = w->pid;
		memcpy(p->comm, w->comm, sizeof(p->comm));
		p->threads = growth__latest(&w->growth, w->baseline);
		p->baseline = w->baseline;
		p->growing = w->growth.alerted;
		p->alerted = w->growth.alerted || w->stalled;
		out->watched_threads += (uint64_t)(p->threads > 0 ? p->threads : 0);
		n++;
	}
	out->watched_processes = n;
	out->hidden_processes = m->n_hidden;
	/* Bounded cardinality: every process with an alert, then the largest. */
	qsort(out->processes, n, sizeof(*out->processes), metrics_process__cmp);
	out->n_processes = 0;
	while (out->n_processes < n &&
	       (out->processes[out->n_processes].alerted || out->n_processes < m->cfg->metrics_top))
		out->n_processes++;
	for (size_t i = 0; i < m->n_episodes; i++) {
		const char *reason =
			m->episodes[i].reason ? m->episodes[i].reason : m->episodes[i].kind;
		size_t k;

		if (!reason)
			continue;
		for (k = 0; k < out->n_blocked && strcmp(out->blocked[k].reason, reason); k++)
			;
		out->blocked[k].reason = reason;
		out->blocked[k].threads++;
		out->n_blocked += k == out->n_blocked;
	}
	qsort(out->blocked, out->n_blocked, sizeof(*out->blocked), metrics_reason__cmp);
	memcpy(out->alerts, m->alerts, sizeof(out->alerts));
	out->drops = m->drops;
	out->tick_seconds = (double)m->tick_ns / 1e9;
	return 0;
}
