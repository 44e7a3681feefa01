// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdlib.h>
#include <string.h>

#include "monitor/episodes.h"
#include "util/array.h"

/* FNV-1a, over a string's bytes, then over words: the keys of groups of threads. */
#define FNV_OFFSET 1469598103934665603ULL
#define FNV_PRIME 1099511628211ULL

static uint64_t fnv__add(uint64_t key, uint64_t value)
{
	return (key ^ value) * FNV_PRIME;
}

static uint64_t fnv__add_string(uint64_t key, const char *s)
{
	for (; *s; s++)
		key = fnv__add(key, (unsigned char)*s);
	return key;
}

uint64_t thread__group_key(const struct thread_snap *th)
{
	uint64_t key;

	if (!th->start_routine)
		return th->created_by ? th->created_by->pc : 0;
	key = fnv__add_string(FNV_OFFSET, th->start_routine);
	return key ? key : 1;
}

uint64_t thread__wait_key(const struct thread_snap *th)
{
	uint64_t key;

	if (!th->stack.n)
		return 0;
	key = fnv__add_string(FNV_OFFSET, th->reason ? th->reason : "");
	for (size_t i = 0; i < th->stack.n; i++)
		key = fnv__add(key, th->stack.frames[i].pc);
	return key ? key : 1;
}

static int episode__cmp(const void *a, const void *b)
{
	const struct episode *x = a, *y = b;

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

static struct episode *episodes__search(struct episodes *eps, uint32_t tgid, uint32_t tid)
{
	struct episode key = { .tgid = tgid, .tid = tid };

	return eps->n_sorted ? bsearch(&key, eps->list, eps->n_sorted, sizeof(key), episode__cmp)
			     : NULL;
}

struct episode *episodes__find(struct episodes *eps, uint32_t tgid, uint32_t tid)
{
	struct episode *e = episodes__search(eps, tgid, tid);

	return e && e->seen ? e : NULL;
}

/* A re-armed wait may use this share of its time on a CPU between its sleeps, at most. */
#define EPISODE_RE_ARMED_CPU_SHARE 100

/* Whether th can be in a re-armed wait: asleep with a timeout, its registers known. */
static bool thread__may_re_arm(const struct thread_snap *th)
{
	return th->wait.timed == 1 && (th->rec.flags & LEAKMON_TASK_HAS_REGS);
}

/*
 * Whether th, asleep again since e's last look, is still in e's wait: re-armed at the same
 * place (the same syscall from the same call at the same stack depth, on the same object),
 * with next to no CPU used since the wait began.
 */
static bool episode__re_armed(const struct episode *e, const struct thread_snap *th,
			      uint64_t now_ns)
{
	return thread__may_re_arm(th) && th->syscall_nr == e->syscall &&
	       th->rec.regs[LEAKMON_REG_IP] == e->ip && th->rec.regs[LEAKMON_REG_SP] == e->sp &&
	       th->wait.futex_word == e->word && th->rec.cpu_ns >= e->cpu_ns &&
	       (th->rec.cpu_ns - e->cpu_ns) * EPISODE_RE_ARMED_CPU_SHARE <= now_ns - e->since_ns;
}

/* Thread th's episode; new ones go after the sorted ones until the next sort. */
static struct episode *episodes__get(struct episodes *eps, const struct process_snap *p,
				     const struct thread_snap *th, uint64_t now_ns,
				     episode_over_fn over, void *ctx, bool *is_new)
{
	struct episode *e = episodes__search(eps, p->pid, th->tid), *grown;

	*is_new = false;
	if (e) {
		if (e->start_ns == th->rec.start_ns &&
		    (e->nvcsw == th->rec.nvcsw ||
		     (th->runtime_since_ns && th->runtime_since_ns == e->runtime_since_ns) ||
		     episode__re_armed(e, th, now_ns))) {
			e->nvcsw = th->rec.nvcsw;
			e->missed = false;
			return e;
		}
		/* It slept again, or the tid is another thread's now: a new episode. */
		over(ctx, e, e->start_ns != th->rec.start_ns);
		memset(e, 0, sizeof(*e));
		goto fill;
	}
	grown = array__grow(eps->list, &eps->cap, eps->n, sizeof(*grown));
	if (!grown)
		return NULL;
	eps->list = grown;
	e = &eps->list[eps->n++];
	memset(e, 0, sizeof(*e));
fill:
	e->tgid = p->pid;
	e->tid = th->tid;
	e->start_ns = th->rec.start_ns;
	e->nvcsw = th->rec.nvcsw;
	e->since_ns = now_ns - th->blocked_ns;
	e->cpu_ns = th->rec.cpu_ns;
	e->syscall = th->syscall_nr;
	e->ip = th->rec.regs[LEAKMON_REG_IP];
	e->sp = th->rec.regs[LEAKMON_REG_SP];
	e->word = th->wait.futex_word;
	e->runtime_since_ns = th->runtime_since_ns;
	e->may_re_arm = thread__may_re_arm(th) || th->runtime_since_ns;
	memcpy(e->comm, p->comm, sizeof(e->comm));
	*is_new = true;
	return e;
}

/*
 * The episodes begun at this look, after n_sorted, into order: sorted among themselves, then
 * merged from the back. Sorting all of them again each look cost ~4% of the monitor at rest
 * with 100,000 open episodes.
 */
static void episodes__sort_new(struct episodes *eps)
{
	size_t n_new = eps->n - eps->n_sorted, old = eps->n_sorted, to = eps->n;
	struct episode *fresh;

	if (!n_new)
		return;
	qsort(&eps->list[old], n_new, sizeof(*fresh), episode__cmp);
	fresh = malloc(n_new * sizeof(*fresh));
	if (!fresh) {
		qsort(eps->list, eps->n, sizeof(*fresh), episode__cmp);
		eps->n_sorted = eps->n;
		return;
	}
	memcpy(fresh, &eps->list[old], n_new * sizeof(*fresh));
	while (n_new) {
		if (old && episode__cmp(&eps->list[old - 1], &fresh[n_new - 1]) > 0)
			eps->list[--to] = eps->list[--old];
		else
			eps->list[--to] = fresh[--n_new];
	}
	free(fresh);
	eps->n_sorted = eps->n;
}

void episodes__look(struct episodes *eps, struct snapshot *s, uint64_t threshold_ns,
		    const struct config *cfg, episode_over_fn over, void *ctx)
{
	for (size_t i = 0; i < s->n_processes; i++) {
		struct process_snap *p = &s->processes[i];

		for (size_t j = 0; p->runtimes && j < p->n_threads; j++) {
			struct thread_snap *th = p->threads[j];
			struct episode *e;
			bool is_new;

			if (!th->wait.blocked || !th->has_blocked_ns ||
			    (th->blocked_ns < threshold_ns && !thread__may_re_arm(th)))
				continue;
			e = episodes__get(eps, p, th, s->mono_ns, over, ctx, &is_new);
			if (!e)
				continue;
			if (is_new) {
				e->kind = th->wait.kind;
				e->kind_alerted = config__kind_alerted(cfg, e->kind);
			} else if (s->mono_ns - e->since_ns > th->blocked_ns) {
				th->blocked_ns = s->mono_ns - e->since_ns;
			}
			e->seen = true;
			e->th = th;
			e->p = p;
			e->blocked_s = (double)th->blocked_ns / 1e9;
			/* Past the threshold at last: its stack is read, once. */
			if (!e->past && th->blocked_ns >= threshold_ns)
				e->past = th->stack_wanted = true;
		}
	}
	episodes__sort_new(eps);
}

/*
 * Whether an episode raises an event past the threshold on its own: its rule says stuck, or its
 * reason (its kind until its stack is read) is an alerted one and no rule says idle. A rule is
 * what the stack said when it was read: one changed since applies to waits read after.
 */
static bool episode__alerted(const struct episode *e, const struct config *cfg)
{
	return e->rule == WAIT_RULE_STUCK ||
	       (e->rule != WAIT_RULE_IDLE &&
		config__kind_alerted(cfg, e->reason ? e->reason : e->kind));
}

void episodes__stacks_read(struct episodes *eps, const struct config *cfg)
{
	for (size_t i = 0; i < eps->n; i++) {
		struct episode *e = &eps->list[i];

		if (!e->seen)
			continue;
		if (e->th->stack_wanted) {
			e->reason = e->th->reason;
			e->glibc_lock = e->th->glibc_lock;
			e->futex = e->th->wait.futex;
			e->runtime_owner = e->th->runtime_owner;
			e->gil_held = e->th->gil_held;
			e->wait_key = thread__wait_key(e->th);
			e->rule = rules__of_stack(cfg, &e->th->stack);
			e->kind_alerted = episode__alerted(e, cfg);
		} else if (e->reason && !e->th->stack.n) {
			e->th->reason = e->reason;
			e->th->glibc_lock = e->glibc_lock;
			e->th->runtime_owner = e->runtime_owner;
			if (e->futex != e->th->wait.futex)
				wait__set_futex(&e->th->wait, e->futex);
		}
	}
}

void episodes__end_unseen(struct episodes *eps, struct snapshot *s, episode_over_fn over, void *ctx)
{
	size_t kept = 0;

	for (size_t i = 0; i < eps->n; i++) {
		struct episode *e = &eps->list[i];

		if (e->seen) {
			e->seen = false;
			eps->list[kept++] = *e;
		} else {
			struct thread_snap *th = snapshot__find_thread(s, e->tgid, e->tid);
			bool exited = !th || th->rec.start_ns != e->start_ns;

			/*
			 * Awake between two sleeps of a re-armed wait (on a busy machine, a thread
			 * woken from a slice may wait for a CPU across a look): the next look says.
			 */
			if (!exited && e->may_re_arm && !e->missed) {
				e->missed = true;
				eps->list[kept++] = *e;
				continue;
			}
			over(ctx, e, exited);
		}
	}
	/* Removing keeps the order. */
	eps->n = kept;
	eps->n_sorted = kept;
}

void episodes__reconfigure(struct episodes *eps, const struct config *cfg)
{
	for (size_t i = 0; i < eps->n; i++)
		eps->list[i].kind_alerted = episode__alerted(&eps->list[i], cfg);
}

void episodes__free(struct episodes *eps)
{
	free(eps->list);
	memset(eps, 0, sizeof(*eps));
}
