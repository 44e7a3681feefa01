// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "deadlock.h"
#include "log.h"
#include "monitor.h"
#include "snapshot.h"
#include "stacks.h"

struct sample {
	uint64_t t_ns;
	int64_t count;
};

/* A watched process: its baseline and recent thread counts. */
struct watched {
	uint32_t pid;
	char comm[LEAKMON_COMM_LEN + 1];
	int64_t baseline;
	struct sample *samples;
	size_t n, cap;
	bool alerted; /* a growth event was raised and the count has not drained since */
	bool stalled; /* a stall event was raised and no thread has run since */
	bool seen;
};

/* One thread's blocking episode: the same as long as it has not slept again (nvcsw). */
struct episode {
	uint32_t tgid, tid;
	uint64_t nvcsw;
	char comm[LEAKMON_COMM_LEN + 1];
	const char *reason; /* once its stack was read: mutex, condvar, ... (static strings) */
	double blocked_s;
	bool reported;
	bool seen;
};

struct monitor {
	const struct config *cfg;
	struct tracker *t;
	struct events *ev;
	struct symbolizer *symbols;
	struct watched *procs;
	size_t n_procs, cap_procs;
	struct episode *episodes; /* sorted by (tgid, tid) up to n_sorted; new ones after */
	size_t n_episodes, cap_episodes, n_sorted;
	struct deadlocks *deadlocks;
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
	for (size_t i = 0; i < m->n_procs; i++)
		free(m->procs[i].samples);
	free(m->procs);
	free(m->episodes);
	symbolizer__free(m->symbols);
	deadlocks__free(m->deadlocks);
	free(m);
}

static void *array__grow(void *array, size_t *cap, size_t n, size_t elem)
{
	void *grown;

	if (n < *cap)
		return array;
	grown = realloc(array, (*cap ? *cap * 2 : 64) * elem);
	if (grown)
		*cap = *cap ? *cap * 2 : 64;
	return grown;
}

static struct watched *monitor__watch(struct monitor *m, const struct proc_snap *p)
{
	struct watched *w, *grown;

	for (size_t i = 0; i < m->n_procs; i++)
		if (m->procs[i].pid == p->pid)
			return &m->procs[i];
	grown = array__grow(m->procs, &m->cap_procs, m->n_procs, sizeof(*grown));
	if (!grown)
		return NULL;
	m->procs = grown;
	w = &m->procs[m->n_procs++];
	memset(w, 0, sizeof(*w));
	w->pid = p->pid;
	memcpy(w->comm, p->comm, sizeof(w->comm));
	w->baseline = p->thread_count;
	return w;
}

/* The lowest count in (from, to]: what a burst that drains does not raise. */
static int64_t watched__floor(const struct watched *w, uint64_t from, uint64_t to)
{
	int64_t floor = INT64_MAX;

	for (size_t i = 0; i < w->n; i++)
		if (w->samples[i].t_ns > from && w->samples[i].t_ns <= to &&
		    w->samples[i].count < floor)
			floor = w->samples[i].count;
	return floor;
}

static void watched__add_sample(struct watched *w, uint64_t now, int64_t count, uint64_t keep)
{
	struct sample *grown;
	size_t kept = 0;

	for (size_t i = 0; i < w->n; i++)
		if (now - w->samples[i].t_ns <= keep)
			w->samples[kept++] = w->samples[i];
	w->n = kept;
	grown = array__grow(w->samples, &w->cap, w->n, sizeof(*grown));
	if (!grown)
		return;
	w->samples = grown;
	w->samples[w->n].t_ns = now;
	w->samples[w->n].count = count;
	w->n++;
}

/*
 * Sustained growth: the floor of the count (its lowest value) over the last window is above
 * the floor of the window before, and still rising within the last window (its second half's
 * floor above its first half's). Bursts that drain leave floors alone; a pool that grew once
 * to a new steady size rises once, then stays flat.
 */
static bool watched__growing(const struct watched *w, uint64_t now, uint64_t window,
			     double *rate_per_min)
{
	int64_t prev, recent, early, late;

	if (!w->n || now - w->samples[0].t_ns < 2 * window)
		return false;
	prev = watched__floor(w, now - 2 * window, now - window);
	recent = watched__floor(w, now - window, now);
	early = watched__floor(w, now - window, now - window / 2);
	late = watched__floor(w, now - window / 2, now);
	if (prev == INT64_MAX || early == INT64_MAX || late == INT64_MAX)
		return false;
	*rate_per_min = (double)(recent - prev) * 60e9 / (double)window;
	return recent > prev && late > early;
}

/* Read the stacks of every blocked thread of p, and of no other process. */
static int monitor__read_stacks_of(struct monitor *m, struct snapshot *s,
				   const struct proc_snap *p)
{
	struct stacks_opts opts = { .symbols = m->symbols, .debuginfo = m->cfg->debuginfo };

	for (size_t i = 0; i < s->n_procs; i++)
		for (size_t j = 0; j < s->procs[i].n_threads; j++)
			s->procs[i].threads[j].stack_wanted = &s->procs[i] == p;
	return stacks__capture_wanted(m->t, s, &opts);
}

/* The group of threads that grew: by start routine and creation site, the largest. */
static void monitor__growth_site(struct monitor *m, struct snapshot *s, struct proc_snap *p,
				 struct growth_site *site)
{
	memset(site, 0, sizeof(*site));
	if (monitor__read_stacks_of(m, s, p))
		return;
	for (size_t i = 0; i < p->n_threads; i++) {
		const struct thread_snap *a = &p->threads[i];
		size_t count = 0;

		if (!a->start_routine)
			continue;
		for (size_t j = 0; j < p->n_threads; j++) {
			const struct thread_snap *b = &p->threads[j];

			if (b->start_routine && !strcmp(a->start_routine, b->start_routine) &&
			    (a->created_by ? a->created_by->pc : 0) ==
				    (b->created_by ? b->created_by->pc : 0))
				count++;
		}
		/* Threads created while watched say where they came from: prefer them. */
		if (count > site->count || (count == site->count && a->created_by && !site->created_by)) {
			site->count = count;
			site->start_routine = a->start_routine;
			site->created_by = a->created_by;
			site->example = a;
		}
	}
}

static void monitor__check_growth(struct monitor *m, struct snapshot *s, uint64_t now)
{
	uint64_t window = m->cfg->growth_window_ns;

	for (size_t i = 0; i < s->n_procs; i++) {
		struct proc_snap *p = &s->procs[i];
		struct watched *w = monitor__watch(m, p);
		struct growth_site site;
		double rate = 0;

		if (!w)
			continue;
		w->seen = true;
		watched__add_sample(w, now, p->thread_count, 2 * window + m->cfg->interval_ns);
		if (w->alerted && watched__floor(w, now - window, now) <= w->baseline)
			w->alerted = false;
		if (w->alerted || !watched__growing(w, now, window, &rate))
			continue;
		w->alerted = true;
		monitor__growth_site(m, s, p, &site);
		events__growth(m->ev, p, w->baseline, rate, &site);
	}
}

static int episode__cmp(const void *a, const void *b)
{
	const struct episode *x = a, *y = b;

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

static struct episode *monitor__episode(struct monitor *m, const struct proc_snap *p,
					const struct thread_snap *th, bool *is_new)
{
	struct episode key = { .tgid = p->pid, .tid = th->tid }, *e, *grown;

	*is_new = false;
	e = m->n_sorted ? bsearch(&key, m->episodes, m->n_sorted, sizeof(*e), episode__cmp) : NULL;
	if (e) {
		if (e->nvcsw == th->rec.nvcsw)
			return e;
		/* It slept again: the earlier episode ended; this is a new one. */
		if (e->reported)
			events__unblocked(m->ev, e->tgid, e->comm, e->tid, e->blocked_s);
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
	e->nvcsw = th->rec.nvcsw;
	memcpy(e->comm, p->comm, sizeof(e->comm));
	*is_new = true;
	return e;
}

/* Threads past the threshold: their stacks (hence reasons) are read once per episode. */
static int monitor__check_blocked(struct monitor *m, struct snapshot *s)
{
	struct stacks_opts opts = { .symbols = m->symbols, .debuginfo = m->cfg->debuginfo };
	size_t wanted = 0;
	int err;

	for (size_t i = 0; i < s->n_procs; i++) {
		for (size_t j = 0; j < s->procs[i].n_threads; j++) {
			struct thread_snap *th = &s->procs[i].threads[j];
			struct episode *e;
			bool is_new;

			th->stack_wanted = false;
			if (!th->wait.blocked || !th->has_blocked_ns ||
			    th->blocked_ns < m->cfg->blocked_threshold_ns)
				continue;
			e = monitor__episode(m, &s->procs[i], th, &is_new);
			if (!e)
				continue;
			e->seen = true;
			e->blocked_s = (double)th->blocked_ns / 1e9;
			/* Mutex waiters stay wanted: a deadlock event shows their stacks. */
			th->stack_wanted = is_new || (e->reason && !strcmp(e->reason, "mutex"));
			wanted += th->stack_wanted;
		}
	}
	if (wanted) {
		err = stacks__capture_wanted(m->t, s, &opts);
		if (err)
			return err;
	}
	for (size_t i = 0; i < m->n_episodes; i++) {
		struct episode *e = &m->episodes[i];
		struct thread_snap *th = snapshot__find_thread(s, e->tgid, e->tid);

		if (!e->seen || !th || !th->stack_wanted)
			continue;
		e->reason = th->reason;
		if (e->reported)
			continue;
		if (config__kind_alerted(m->cfg, th->reason ? th->reason : th->wait.kind)) {
			events__blocked(m->ev, snapshot__find_process(s, e->tgid), th);
			e->reported = true;
		}
	}
	return 0;
}

/*
 * A stall: every live thread of the process waits for another one (a futex: mutex, condvar,
 * semaphore, join...) with no timeout, past the threshold. A thread waiting on I/O (a pipe,
 * epoll, a socket) or in pause() can be woken from outside: such a process is idle, not stalled.
 * If every futex is process-private, only the process itself could wake them and none of its
 * threads runs: provably stuck, like Go's "all goroutines are asleep".
 */
static bool proc__stalled(const struct proc_snap *p, uint64_t threshold, bool *provable)
{
	size_t waiting = 0;

	*provable = true;
	for (size_t i = 0; i < p->n_threads; i++) {
		const struct thread_snap *th = &p->threads[i];

		if (th->rec.exit_state)
			continue;
		if (!th->wait.blocked || th->wait.timed != 0 || !th->has_blocked_ns ||
		    th->blocked_ns < threshold || !th->wait.kind || strcmp(th->wait.kind, "futex"))
			return false;
		*provable &= th->wait.private_futex;
		waiting++;
	}
	return waiting > 0;
}

static int monitor__check_stalls(struct monitor *m, struct snapshot *s)
{
	bool provable;
	int err;

	for (size_t i = 0; i < s->n_procs; i++) {
		struct proc_snap *p = &s->procs[i];
		struct watched *w = monitor__watch(m, p);

		if (!w)
			continue;
		if (!proc__stalled(p, m->cfg->blocked_threshold_ns, &provable)) {
			w->stalled = false;
			continue;
		}
		if (w->stalled)
			continue;
		w->stalled = true;
		err = monitor__read_stacks_of(m, s, p);
		if (err)
			return err;
		events__stall(m->ev, p, provable);
	}
	return 0;
}

/* Episodes of threads that ran again (or are gone): said once if they had been reported. */
static void monitor__end_episodes(struct monitor *m)
{
	size_t kept = 0;

	for (size_t i = 0; i < m->n_episodes; i++) {
		struct episode *e = &m->episodes[i];

		if (e->seen) {
			e->seen = false;
			m->episodes[kept++] = *e;
		} else if (e->reported) {
			events__unblocked(m->ev, e->tgid, e->comm, e->tid, e->blocked_s);
		}
	}
	m->n_episodes = kept;
	if (kept)
		qsort(m->episodes, kept, sizeof(*m->episodes), episode__cmp);
	m->n_sorted = m->n_episodes;
}

static void monitor__end_processes(struct monitor *m)
{
	size_t kept = 0;

	for (size_t i = 0; i < m->n_procs; i++) {
		struct watched *w = &m->procs[i];

		if (w->seen) {
			w->seen = false;
			m->procs[kept++] = *w;
		} else {
			events__exit(m->ev, w->pid, w->comm);
			deadlocks__forget(m->deadlocks, w->pid);
			free(w->samples);
		}
	}
	m->n_procs = kept;
}

int monitor__tick(struct monitor *m, bool *done)
{
	struct snapshot *s = NULL;
	int err;

	*done = false;
	err = snapshot__take(m->t, &s);
	if (err)
		return err;
	monitor__check_growth(m, s, s->mono_ns);
	err = monitor__check_blocked(m, s);
	if (!err)
		deadlocks__check(m->deadlocks, s, m->ev);
	if (!err)
		err = monitor__check_stalls(m, s);
	monitor__end_episodes(m);
	monitor__end_processes(m);
	*done = m->cfg->n_pids && !m->n_procs;
	snapshot__free(s);
	return err;
}
