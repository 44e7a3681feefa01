// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/pipeline.h"
#include "monitor/episodes.h"
#include "monitor/growth.h"
#include "monitor/monitor.h"
#include "monitor/select.h"
#include "output/metrics.h"
#include "runtime/runtime.h"
#include "util/array.h"
#include "util/clock.h"
#include "util/log.h"

/*
 * Threads of one process that wait alike (the same reason and stack, episode.alert_key), said
 * in one blocked event; said again when more have joined, at most once per growth window; and
 * said unblocked once the last of them is.
 */
struct alert_group {
	uint32_t pid;
	uint64_t key;
	uint32_t first_tid; /* the first said of it */
	size_t live;	    /* its threads still in the episode it was said in */
	size_t said;	    /* how many it had when last said */
	uint64_t said_ns;
};

/* A watched process: its baseline and recent thread counts. */
struct watched {
	uint32_t pid;
	uint64_t start_ns; /* tells this process from a later one given the same pid */
	char comm[LEAKMON_COMM_LEN + 1];
	int64_t baseline;
	uint64_t since_ns; /* when watching it began, and the baseline was taken */
	struct growth growth;
	struct growth_site site; /* this look's growth's: its threads are said with it */
	/* Its count rises: each thread it creates keeps its creator (tracker.h) */
	bool every_creator;
	bool stalled; /* a stall event was raised and no thread has run since */
	bool ignored; /* not selected (--watch-*, --ignore-*): kept only to be known */
	bool said;    /* an event was raised about it: its exit is worth saying too */
	struct runtime_set runtimes; /* the language runtimes it runs, each opened once */
	/* This tick's verdicts, acted on once the stacks they need are read. */
	bool growth_due, stall_due, stall_provable;
};

struct monitor {
	const struct config *cfg;
	struct tracker *t;
	struct events *ev;
	struct symbolizer *symbols;
	struct watched *processes; /* by pid */
	size_t n_processes;
	struct watched **of_snap; /* this tick: the watched process of each snapshot process */
	struct episodes episodes;
	struct deadlocks *deadlocks; /* the rings reported: each is reported once */
	struct snapshot *snap;	     /* the last tick's, refilled by the next in its memory */
	struct tracker_drops drops;  /* as last said */
	uint64_t alerts[METRICS_N_ALERTS];
	uint64_t tick_ns;	     /* how long the last tick took */
	uint64_t creators_window_ns; /* when the current window of kept creators began */
	bool started;	 /* the first tick is over: with -p, later pids are reuses, not watched */
	size_t n_hidden; /* processes (asked for, or all) alive but hidden from the iterator */
	struct alert_group *groups; /* the groups of blocked threads said, while one is blocked */
	size_t n_groups, cap_groups;
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
		runtime_set__release(&m->processes[i].runtimes);
	}
	free(m->processes);
	free(m->of_snap);
	free(m->groups);
	episodes__free(&m->episodes);
	symbolizer__free(m->symbols);
	deadlocks__free(m->deadlocks);
	snapshot__free(m->snap);
	free(m);
}

/*
 * Whether every thread a watched process creates keeps its creator: while its count rises and
 * no growth is said yet. A leak's threads beside a pool that churns faster raise no high of their
 * own (the pool's creations do), and its growth would have no creation site to say.
 */
static void monitor__keep_every_creator(struct monitor *m, struct watched *w, bool every)
{
	int err;

	if (w->every_creator == every)
		return;
	err = tracker__keep_every_creator(m->t, w->pid, every);
	/* Not tried again for this process until its count rises anew: said once. */
	if (err)
		log_warn("pid %" PRIu32 ": keeping the creator of each new thread failed: %s (its "
			 "growth may name no creation site)",
			 w->pid, strerror(-err));
	w->every_creator = every;
}

/* Exits are said for processes asked for with -p and those events were raised about. */
static void monitor__process_gone(struct monitor *m, struct watched *w)
{
	if (!w->ignored && (m->cfg->n_pids || w->said))
		events__exit(m->ev, w->pid, w->comm);
	deadlocks__forget(m->deadlocks, w->pid);
	monitor__keep_every_creator(m, w, false);
	growth__free(&w->growth);
	runtime_set__release(&w->runtimes);
}

static void watched__init(struct watched *w, const struct process_snap *p, uint64_t now_ns)
{
	memset(w, 0, sizeof(*w));
	w->pid = p->pid;
	w->start_ns = p->start_ns;
	w->since_ns = now_ns;
	w->baseline = p->thread_count;
	runtime_set__init(&w->runtimes, (pid_t)p->pid);
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
static void monitor__growth_site(const struct process_snap *p, uint64_t since_ns,
				 uint64_t grew_since_ns, struct growth_site *site)
{
	struct keyed_thread *keyed = calloc(p->n_threads + 1, sizeof(*keyed));
	size_t n = 0, site_started = 0;

	memset(site, 0, sizeof(*site));
	if (!keyed)
		return;
	for (size_t i = 0; i < p->n_threads; i++) {
		uint64_t key = thread__group_key(p->threads[i]);

		if (key)
			keyed[n++] = (struct keyed_thread){ key, p->threads[i] };
	}
	qsort(keyed, n, sizeof(*keyed), keyed_thread__cmp);
	for (size_t i = 0, run; i < n; i += run) {
		const struct thread_snap *example = keyed[i].th;
		size_t started = 0, then = 0;

		for (run = 0; i + run < n && keyed[i + run].key == keyed[i].key; run++) {
			const struct thread_snap *th = keyed[i + run].th;

			started += th->rec.start_ns > grew_since_ns;
			then += th->rec.start_ns <= since_ns;
			/* Its example: one whose creation site is known, the latest created. */
			if ((th->created_by && !example->created_by) ||
			    (!th->created_by == !example->created_by &&
			     th->rec.start_ns > example->rec.start_ns))
				example = th;
		}
		/* Threads created while watched say where they came from: prefer them. */
		if (started < site_started ||
		    (started == site_started &&
		     (run < site->count ||
		      (run == site->count && (!example->created_by || site->created_by)))))
			continue;
		site_started = started;
		site->count = run;
		site->count_then = then;
		site->start_routine = example->start_routine;
		site->created_by = example->created_by;
		site->example = example;
	}
	free(keyed);
}

static void process__want_all_stacks(struct process_snap *p)
{
	for (size_t i = 0; i < p->n_threads; i++)
		p->threads[i]->stack_wanted = true;
}

/* The watched process an episode of this look is of. */
static struct watched *monitor__watched_of(const struct monitor *m, const struct episode *e)
{
	return m->of_snap[e->p - m->snap->processes];
}

static struct alert_group *monitor__alert_group(struct monitor *m, uint32_t pid, uint64_t key)
{
	for (size_t i = 0; i < m->n_groups; i++)
		if (m->groups[i].pid == pid && m->groups[i].key == key)
			return &m->groups[i];
	return NULL;
}

/* A reported episode is over: its group is, with its last thread. */
static void monitor__episode_over(void *ctx, const struct episode *e, bool exited)
{
	struct monitor *m = ctx;
	struct alert_group *g;

	if (!e->reported || !(g = monitor__alert_group(m, e->tgid, e->alert_key)) || --g->live)
		return;
	events__unblocked(m->ev, e->tgid, e->comm, g->first_tid, g->said, e->blocked_s, exited);
	*g = m->groups[--m->n_groups];
}

/*
 * The verdicts made without stacks: each watched process's growth and stall (both want every
 * stack of the process), then the episodes of the threads blocked past the threshold (a new
 * one wants its stack, hence its reason, read once).
 */
static void monitor__judge(void *ctx, struct snapshot *s, const struct stall_verdict *stalls)
{
	struct monitor *m = ctx;
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
		monitor__keep_every_creator(
			m, w, !w->growth.alerted && growth__rising(&w->growth, now, window));
		stalled = stalls[i].threads > 0;
		w->stall_provable = stalls[i].provable;
		w->stall_due = stalled && !w->stalled;
		w->stalled = stalled;
		if (w->growth_due || w->stall_due)
			process__want_all_stacks(p);
	}
	episodes__look(&m->episodes, s, m->cfg->blocked_threshold_ns, m->cfg, monitor__episode_over,
		       m);
}

static void monitor__stacks_read(void *ctx, struct snapshot *s)
{
	struct monitor *m = ctx;

	(void)s;
	episodes__stacks_read(&m->episodes, m->cfg);
}

/*
 * The GIL each episode's thread holds, as its stack said, and its waiters now: asleep in the
 * same wait, the thread cannot have let it go.
 */
static void monitor__count_gil_waiters(struct monitor *m)
{
	for (size_t i = 0; i < m->episodes.n; i++) {
		struct episode *e = &m->episodes.list[i];

		if (!e->seen || !e->gil_held)
			continue;
		e->th->gil_held = e->gil_held;
		e->th->gil_waiters = runtime_set__lock_waiters(e->p->runtimes, e->p, e->gil_held);
	}
}

/* The verdicts that need stacks: the GIL's waiters, and where each growth came from. */
static void monitor__judged_with_stacks(void *ctx, struct snapshot *s)
{
	struct monitor *m = ctx;

	monitor__count_gil_waiters(m);
	for (size_t i = 0; i < s->n_processes; i++) {
		struct watched *w = m->of_snap[i];

		if (w && w->growth_due)
			monitor__growth_site(&s->processes[i], w->since_ns,
					     s->mono_ns - 2 * m->cfg->growth_window_ns, &w->site);
	}
}

/*
 * Whether an episode of this look is worth an event now: not reported yet, and its wait is
 * alerted (a stuck rule, or its reason in --blocked-kinds), or the thread holds the GIL others
 * wait for (whatever its wait: every Python thread of the process is stuck behind it), or it
 * belongs to what is already wrong: a stall, a deadlock. A wait an idle rule names is reported
 * only in a deadlock. The threads of a growing group are said with the growth, not one by one.
 */
static bool monitor__episode_due(const struct monitor *m, const struct episode *e)
{
	const struct watched *w;

	if (!e->seen || !e->past || e->reported)
		return false;
	w = monitor__watched_of(m, e);
	if (e->rule == WAIT_RULE_IDLE)
		return e->th->deadlocked;
	return e->kind_alerted || e->th->gil_waiters || w->stalled || e->th->deadlocked;
}

/* Mark what this look's events will show without a stack yet; true if any. */
static bool monitor__want_event_stacks(void *ctx, struct snapshot *s,
				       const struct deadlock_cycle *cycles, size_t n_cycles)
{
	struct monitor *m = ctx;
	bool any = false;

	(void)s;
	for (size_t i = 0; i < n_cycles; i++) {
		for (size_t k = 0; k < cycles[i].n; k++) {
			struct thread_snap *th = cycles[i].links[k].waiter;

			th->stack_wanted = !th->stack.n;
			any |= th->stack_wanted;
		}
	}
	for (size_t i = 0; i < m->episodes.n; i++) {
		struct episode *e = &m->episodes.list[i];

		if (monitor__episode_due(m, e) && !e->th->stack.n) {
			e->th->stack_wanted = true;
			any = true;
		}
	}
	return any;
}

/* The pipes the due events wait on: their threads', and growths' examples'. */
static bool monitor__wants_pipe(void *ctx, const struct thread_snap *th)
{
	struct monitor *m = ctx;
	const struct episode *e = episodes__find(&m->episodes, th->rec.tgid, th->tid);
	const struct process_snap *p = snapshot__find_process(m->snap, th->rec.tgid);
	const struct watched *w = p ? m->of_snap[p - m->snap->processes] : NULL;

	return (e && monitor__episode_due(m, e)) || (w && w->growth_due && w->site.example == th);
}

/* A process's JVM is looked for in its maps from its second look: short-lived ones cost none. */
static bool monitor__runtimes_in_maps(void *ctx, const struct process_snap *p)
{
	struct monitor *m = ctx;
	const struct watched *w = m->of_snap[p - m->snap->processes];

	return m->snap->mono_ns - w->since_ns >= m->cfg->interval_ns;
}

static const struct pipeline_hooks monitor__hooks = {
	.judge = monitor__judge,
	.stacks_read = monitor__stacks_read,
	.judged_with_stacks = monitor__judged_with_stacks,
	.want_event_stacks = monitor__want_event_stacks,
	.wants_pipe = monitor__wants_pipe,
	.runtimes_in_maps = monitor__runtimes_in_maps,
};

/*
 * Whether a pipe waiter's own process no longer holds its own end because it closed every
 * descriptor since its threads were read: it exits. Who holds the other end then says nothing
 * of why it waited, and its episode ends at the next look.
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

static int episode__cmp_alert(const void *a, const void *b)
{
	const struct episode *x = *(const struct episode *const *)a;
	const struct episode *y = *(const struct episode *const *)b;

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	if (x->alert_key != y->alert_key)
		return x->alert_key < y->alert_key ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

/* The tids of a group's threads now, in order: those said before, and those joining it. */
static size_t monitor__group_tids(const struct monitor *m, const struct alert_group *g,
				  uint32_t *tids)
{
	size_t n = 0;

	for (size_t i = 0; i < m->episodes.n; i++) {
		const struct episode *e = &m->episodes.list[i];

		if (e->seen && e->reported && e->tgid == g->pid && e->alert_key == g->key)
			tids[n++] = e->tid;
	}
	return n;
}

/*
 * The due episodes of one process that wait alike (due[0..n), sorted by alert_key: one run): a
 * blocked event for their group where it is new, again where more joined a group said over a
 * growth window ago; otherwise they join it quietly.
 */
static void monitor__report_group(struct monitor *m, struct episode **due, size_t n,
				  const struct pipe_holders *holders, uint64_t now_ns)
{
	struct alert_group *g = monitor__alert_group(m, due[0]->tgid, due[0]->alert_key), *grown;
	struct blocked_group said = {};
	uint32_t *tids;

	if (!g) {
		grown = array__grow(m->groups, &m->cap_groups, m->n_groups, sizeof(*grown));
		if (!grown)
			return;
		m->groups = grown;
		g = &m->groups[m->n_groups++];
		*g = (struct alert_group){ .pid = due[0]->tgid,
					   .key = due[0]->alert_key,
					   .first_tid = due[0]->tid };
	}
	for (size_t i = 0; i < n; i++)
		due[i]->reported = true;
	g->live += n;
	said.update = g->said > 0;
	if (said.update && (g->live <= g->said || now_ns - g->said_ns < m->cfg->growth_window_ns))
		return;
	tids = calloc(m->episodes.n + 1, sizeof(*tids));
	if (!tids)
		return;
	said.tids = tids;
	said.count = monitor__group_tids(m, g, tids);
	events__blocked(m->ev, due[0]->p, due[0]->th, &said, holders);
	free(tids);
	g->said = said.count;
	g->said_ns = now_ns;
	monitor__watched_of(m, due[0])->said = true;
	if (!said.update)
		m->alerts[METRICS_ALERT_BLOCKED]++;
}

/* A run of due episodes that wait alike: its first, and how many. */
struct due_run {
	struct episode **first;
	size_t n;
};

/* Groups in the order of their first threads: a process's main thread before its workers. */
static int due_run__cmp(const void *a, const void *b)
{
	const struct episode *x = *((const struct due_run *)a)->first;
	const struct episode *y = *((const struct due_run *)b)->first;

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

/*
 * The blocked events of this look: the due episodes by process and group of threads waiting
 * alike (the same reason and stack), one event a group.
 */
static void monitor__report_blocked(struct monitor *m, const struct pipe_holders *holders,
				    uint64_t now_ns)
{
	struct episode **due = calloc(m->episodes.n + 1, sizeof(*due));
	struct due_run *runs = calloc(m->episodes.n + 1, sizeof(*runs));
	size_t n = 0, n_runs = 0;

	if (!due || !runs)
		goto cleanup;
	for (size_t i = 0; i < m->episodes.n; i++) {
		struct episode *e = &m->episodes.list[i];

		if (!monitor__episode_due(m, e) || episode__pipe_closed(e, holders))
			continue;
		/* A thread whose stack is unknown waits alike with none but itself. */
		e->alert_key = e->wait_key ? e->wait_key : (1ULL << 63) | e->tid;
		due[n++] = e;
	}
	qsort(due, n, sizeof(*due), episode__cmp_alert);
	for (size_t i = 0; i < n; i += runs[n_runs++].n) {
		runs[n_runs] = (struct due_run){ &due[i], 1 };
		while (i + runs[n_runs].n < n && due[i + runs[n_runs].n]->tgid == due[i]->tgid &&
		       due[i + runs[n_runs].n]->alert_key == due[i]->alert_key)
			runs[n_runs].n++;
	}
	qsort(runs, n_runs, sizeof(*runs), due_run__cmp);
	for (size_t i = 0; i < n_runs; i++)
		monitor__report_group(m, runs[i].first, runs[i].n, holders, now_ns);
cleanup:
	free(runs);
	free(due);
}

/* This look's events, once its findings are in: growths, deadlocks, stalls, blocked threads. */
static void monitor__raise_events(struct monitor *m, struct snapshot *s,
				  const struct findings *found)
{
	for (size_t i = 0; i < s->n_processes; i++) {
		struct watched *w = m->of_snap[i];

		if (!w || !w->growth_due)
			continue;
		w->said = true;
		m->alerts[METRICS_ALERT_GROWTH]++;
		events__growth(m->ev, &s->processes[i], w->baseline, w->growth.rate_per_min,
			       &w->site, &found->pipes);
	}
	m->alerts[METRICS_ALERT_DEADLOCK] += found->n_cycles;
	for (size_t i = 0; i < found->n_cycles; i++) {
		struct process_snap *p = snapshot__find_process(s, found->cycles[i].pid);

		m->of_snap[p - s->processes]->said = true;
		events__deadlock(m->ev, p, &found->cycles[i]);
	}
	for (size_t i = 0; i < s->n_processes; i++) {
		if (!m->of_snap[i] || !m->of_snap[i]->stall_due)
			continue;
		m->alerts[METRICS_ALERT_STALL]++;
		m->of_snap[i]->said = true;
		events__stall(m->ev, &s->processes[i], m->of_snap[i]->stall_provable);
	}
	monitor__report_blocked(m, &found->pipes, s->mono_ns);
}

/*
 * One look at the watched processes (the pipeline, with the monitor's verdicts as its hooks),
 * then its events. At the first, what the task iterator hides goes unwatched: said once.
 */
static int monitor__look(struct monitor *m, struct snapshot *s, bool first, uint64_t boot_ns)
{
	struct pipeline_opts opts = {
		.t = m->t,
		.symbols = m->symbols,
		.debuginfo = m->cfg->debuginfo,
		.stall_min_ns = m->cfg->blocked_threshold_ns,
		.known = m->deadlocks,
		.hooks = &monitor__hooks,
		.ctx = m,
	};
	struct findings found;
	char said[1024];
	int err;

	if (first) {
		opts.asked = m->cfg->pids;
		opts.n_asked = m->cfg->n_pids;
		opts.find_hidden = !m->cfg->n_pids;
		opts.boot_ns = boot_ns;
	}
	for (size_t i = 0; i < s->n_processes; i++)
		s->processes[i].runtimes = m->of_snap[i] ? &m->of_snap[i]->runtimes : NULL;
	err = pipeline__run(s, &opts, &found);
	if (first) {
		m->n_hidden = found.n_hidden;
		if (found.hidden.n) {
			hidden__describe(&found.hidden, "not watched", said, sizeof(said));
			log_warn("%s", said);
		}
	}
	if (!err)
		monitor__raise_events(m, s, &found);
	findings__free(&found);
	return err;
}

int monitor__tick(struct monitor *m, bool *done)
{
	uint64_t start = clock__mono_ns(), boot_ns = m->started ? 0 : clock__boot_ns();
	bool first = !m->started;
	struct snapshot *s;
	int err;

	*done = false;
	err = snapshot__take(m->t, &m->snap);
	if (err)
		return err;
	s = m->snap;
	/* Creators are kept for threads that raise a process to a new high within this window. */
	if (s->mono_ns - m->creators_window_ns >= m->cfg->growth_window_ns) {
		err = tracker__new_creators_window(m->t);
		if (err)
			log_warn("starting a new window of kept creators failed: %s (creators stay "
				 "kept only above the old highs)",
				 strerror(-err));
		/* Every slot is zeroed: a process still rising asks again at this look. */
		for (size_t i = 0; !err && i < m->n_processes; i++)
			m->processes[i].every_creator = false;
		m->creators_window_ns = s->mono_ns;
	}
	err = monitor__match_processes(m, s);
	m->drops = s->drops;
	if (!err)
		err = monitor__look(m, s, first, boot_ns);
	episodes__end_unseen(&m->episodes, s, monitor__episode_over, m);
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
	for (size_t i = 0; i < m->n_processes; i++) {
		struct watched *w = &m->processes[i];

		w->ignored = !select__watched(m->cfg, w->pid, w->comm);
		if (w->ignored)
			monitor__keep_every_creator(m, w, false);
	}
	episodes__reconfigure(&m->episodes, m->cfg);
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
	out->blocked = calloc(m->episodes.n + 1, sizeof(*out->blocked));
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
	for (size_t i = 0; i < m->episodes.n; i++) {
		const struct episode *e = &m->episodes.list[i];
		const char *reason = e->reason ? e->reason : e->kind;
		size_t k;

		if (!e->past || !reason)
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
