// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The monitor's blocking episodes over looks at made-up snapshots: when a wait is one episode,
 * when it is a new one, when it is over, and what a stack read once leaves for the looks after.
 */
#include <stdlib.h>

#include "monitor/episodes.h"
#include "runtime/runtime.h"
#include "unit.h"

#define SECOND 1000000000ULL
#define THRESHOLD (30 * SECOND)
#define MAX_THREADS 8

/* One process's threads at one look, as a snapshot holds them (by tid). */
struct look {
	struct snapshot s;
	struct process_snap p;
	struct thread_snap threads[MAX_THREADS];
	struct thread_snap *by_tid[MAX_THREADS];
	struct runtime_set runtimes;
};

/* A thread of pid 100, asleep on a futex for blocked_s seconds. */
static void look__add(struct look *l, uint32_t tid, uint64_t start_ns, uint64_t nvcsw,
		      double blocked_s)
{
	struct thread_snap *th = &l->threads[l->p.n_threads];

	memset(th, 0, sizeof(*th));
	th->tid = tid;
	th->rec.tgid = 100;
	th->rec.tid = tid;
	th->rec.start_ns = start_ns;
	th->rec.nvcsw = nvcsw;
	th->wait.blocked = true;
	th->wait.kind = "futex";
	th->has_blocked_ns = true;
	th->blocked_ns = (uint64_t)(blocked_s * 1e9);
	th->sleep_ns = th->blocked_ns;
	l->by_tid[l->p.n_threads++] = th;
}

static void look__init(struct look *l)
{
	memset(l, 0, sizeof(*l));
	l->p.pid = 100;
	memcpy(l->p.comm, "server", 7);
	l->p.threads = l->by_tid;
	l->p.runtimes = &l->runtimes;
	l->s.processes = &l->p;
	l->s.n_processes = 1;
}

/* The ends of episodes said, as the monitor would say them. */
struct overs {
	size_t n;
	uint32_t tid[8];
	bool exited[8];
};

static void over(void *ctx, const struct episode *e, bool exited)
{
	struct overs *o = ctx;

	if (o->n < 8) {
		o->tid[o->n] = e->tid;
		o->exited[o->n] = exited;
	}
	o->n++;
}

static void config__blocked_kinds(struct config *cfg, const char *kinds)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->blocked_kinds, sizeof(cfg->blocked_kinds), "%s", kinds);
}

/* A thread asleep for good is one episode across looks; one past the threshold only counts. */
static void check_one_episode(void)
{
	struct episodes eps = {};
	struct overs o = {};
	struct config cfg;
	struct look l;

	config__blocked_kinds(&cfg, "mutex");
	look__init(&l);
	look__add(&l, 101, 5, 7, 31);
	look__add(&l, 102, 5, 7, 2);
	episodes__look(&eps, &l.s, THRESHOLD, &cfg, over, &o);
	CHECK(eps.n == 1 && eps.list[0].tid == 101, "%zu episodes, want only 101's", eps.n);
	CHECK(l.threads[0].stack_wanted && !l.threads[1].stack_wanted,
	      "a new episode wants its stack read, a short wait none");
	CHECK(!eps.list[0].kind_alerted, "a futex is no alerted kind until its stack names it");
	CHECK(episodes__find(&eps, 100, 101) == &eps.list[0], "found by its thread");
	CHECK(episodes__find(&eps, 100, 102) == NULL, "no episode under the threshold");
	episodes__end_unseen(&eps, &l.s, over, &o);

	look__init(&l);
	look__add(&l, 101, 5, 7, 32);
	episodes__look(&eps, &l.s, THRESHOLD, &cfg, over, &o);
	CHECK(eps.n == 1 && !l.threads[0].stack_wanted,
	      "the same episode: its stack is not read again");
	CHECK(eps.list[0].blocked_s > 31.9, "its time is this look's: %.1f", eps.list[0].blocked_s);
	episodes__end_unseen(&eps, &l.s, over, &o);
	CHECK(o.n == 0, "%zu episodes over, want none", o.n);
	episodes__free(&eps);
}

/* Slept again, ran, tid reused, gone: each ends the episode; said if it had been reported. */
static void check_ends(void)
{
	struct episodes eps = {};
	struct overs o = {};
	struct config cfg;
	struct look l;

	config__blocked_kinds(&cfg, "all");
	look__init(&l);
	look__add(&l, 101, 5, 7, 40);
	look__add(&l, 102, 5, 7, 40);
	look__add(&l, 103, 5, 7, 40);
	look__add(&l, 104, 5, 7, 40);
	episodes__look(&eps, &l.s, THRESHOLD, &cfg, over, &o);
	CHECK(eps.n == 4 && eps.list[0].kind_alerted, "4 episodes, alerted with all kinds");
	for (size_t i = 0; i < eps.n; i++)
		eps.list[i].reported = true;
	episodes__end_unseen(&eps, &l.s, over, &o);

	/* 101 slept again (its switches moved); 102's tid is a new thread's; 103 runs; 104 gone. */
	look__init(&l);
	look__add(&l, 101, 5, 8, 31);
	look__add(&l, 102, 9, 1, 31);
	look__add(&l, 103, 5, 7, 0);
	l.threads[2].wait.blocked = false;
	episodes__look(&eps, &l.s, THRESHOLD, &cfg, over, &o);
	CHECK(o.n == 2 && o.tid[0] == 101 && !o.exited[0] && o.tid[1] == 102 && o.exited[1],
	      "slept again: over, not exited; tid reused: exited (%zu said)", o.n);
	CHECK(l.threads[0].stack_wanted && l.threads[1].stack_wanted,
	      "each new episode wants its stack");
	CHECK(!episodes__find(&eps, 100, 101)->reported, "a new episode is not reported yet");
	episodes__end_unseen(&eps, &l.s, over, &o);
	CHECK(o.n == 4 && o.tid[2] == 103 && !o.exited[2] && o.tid[3] == 104 && o.exited[3],
	      "ran: over; gone: exited (%zu said)", o.n);
	CHECK(eps.n == 2, "%zu episodes left, want 2", eps.n);
	episodes__free(&eps);
}

/* A wait its runtime dates across re-armed sleeps (a Java monitor entry) is one episode. */
static void check_runtime_since(void)
{
	struct episodes eps = {};
	struct overs o = {};
	struct config cfg;
	struct look l;

	config__blocked_kinds(&cfg, "mutex");
	look__init(&l);
	look__add(&l, 101, 5, 7, 31);
	l.threads[0].runtime_since_ns = 1234;
	episodes__look(&eps, &l.s, THRESHOLD, &cfg, over, &o);
	episodes__end_unseen(&eps, &l.s, over, &o);
	look__init(&l);
	look__add(&l, 101, 5, 9, 32);
	l.threads[0].runtime_since_ns = 1234;
	episodes__look(&eps, &l.s, THRESHOLD, &cfg, over, &o);
	CHECK(o.n == 0 && !l.threads[0].stack_wanted, "parked again in one wait: one episode");
	episodes__end_unseen(&eps, &l.s, over, &o);
	episodes__free(&eps);
}

/* What a stack said is kept, and given back to the thread at looks that read no stack. */
static void check_stacks_kept(void)
{
	struct episodes eps = {};
	struct overs o = {};
	struct config cfg;
	struct look l;
	struct thread_snap *th;

	config__blocked_kinds(&cfg, "mutex");
	look__init(&l);
	look__add(&l, 101, 5, 7, 31);
	th = &l.threads[0];
	episodes__look(&eps, &l.s, THRESHOLD, &cfg, over, &o);
	th->reason = "mutex";
	th->glibc_lock = true;
	th->runtime_owner = 4242;
	wait__set_futex(&th->wait, 0x5000);
	episodes__stacks_read(&eps, &cfg);
	CHECK(eps.list[0].kind_alerted, "its reason, read, is an alerted kind");
	episodes__end_unseen(&eps, &l.s, over, &o);

	look__init(&l);
	look__add(&l, 101, 5, 7, 32);
	th = &l.threads[0];
	wait__set_futex(&th->wait, 0x5008);
	episodes__look(&eps, &l.s, THRESHOLD, &cfg, over, &o);
	episodes__stacks_read(&eps, &cfg);
	CHECK(th->reason && !strcmp(th->reason, "mutex") && th->glibc_lock &&
		      th->runtime_owner == 4242 && th->wait.futex == 0x5000,
	      "the thread gets back what its stack said: %s, owner %u, futex %#llx",
	      th->reason ? th->reason : "nothing", th->runtime_owner,
	      (unsigned long long)th->wait.futex);
	CHECK_STR(th->wait.object, "0x5000");

	config__blocked_kinds(&cfg, "condvar");
	episodes__reconfigure(&eps, &cfg);
	CHECK(!eps.list[0].kind_alerted, "--blocked-kinds changed: a mutex is no longer alerted");
	episodes__end_unseen(&eps, &l.s, over, &o);
	episodes__free(&eps);
}

/* Thread th sleeps with a timeout at ip, sp, on word, having used cpu_ns of CPU so far. */
static void thread__timed_at(struct thread_snap *th, uint64_t ip, uint64_t sp, uint64_t word,
			     uint64_t cpu_ns)
{
	th->wait.timed = 1;
	th->wait.futex_word = word;
	th->syscall_nr = 202;
	th->rec.flags |= LEAKMON_TASK_HAS_REGS;
	th->rec.regs[LEAKMON_REG_IP] = ip;
	th->rec.regs[LEAKMON_REG_SP] = sp;
	th->rec.cpu_ns = cpu_ns;
}

/*
 * MariaDB's lock waits: a timed wait re-armed each second at the same place, next to no CPU
 * between, is one wait from its first sleep; elsewhere, untimed, or busy between: a new one.
 */
static void check_re_armed(void)
{
	struct episodes eps = {};
	struct overs o = {};
	struct config cfg;
	struct look l;
	uint64_t nvcsw = 7;

	config__blocked_kinds(&cfg, "mutex");
	/* 40 looks a second apart: each sees a sleep of 0.5 s, the thread asleep again. */
	for (int second = 0; second < 40; second++) {
		look__init(&l);
		l.s.mono_ns = 1000 * SECOND + (uint64_t)second * SECOND;
		look__add(&l, 101, 5, nvcsw++, 0.5);
		thread__timed_at(&l.threads[0], 0x4000, 0x7ff0, 0x9000,
				 1000 + (uint64_t)second * 20000);
		/* Woken from a slice and waiting for a CPU at one look: still the same wait. */
		if (second == 20)
			l.threads[0].wait.blocked = false;
		episodes__look(&eps, &l.s, THRESHOLD, &cfg, over, &o);
		if (second == 10)
			CHECK(eps.n == 1 && !eps.list[0].past && !l.threads[0].stack_wanted,
			      "a candidate below the threshold: no stack read");
		if (second == 30)
			CHECK(eps.list[0].past && l.threads[0].stack_wanted &&
				      l.threads[0].blocked_ns >= THRESHOLD &&
				      l.threads[0].sleep_ns == SECOND / 2,
			      "past the threshold as one wait: its stack wanted, %.1f s blocked",
			      (double)l.threads[0].blocked_ns / 1e9);
		if (second == 31)
			CHECK(!l.threads[0].stack_wanted, "its stack is not read again");
		episodes__end_unseen(&eps, &l.s, over, &o);
	}
	CHECK(o.n == 0 && eps.n == 1 && eps.list[0].blocked_s > 39,
	      "40 s of one wait, never over (%zu over, %.1f s)", o.n, eps.list[0].blocked_s);

	/* Asleep again elsewhere (another call site): another wait. */
	look__init(&l);
	l.s.mono_ns = 1041 * SECOND;
	look__add(&l, 101, 5, nvcsw++, 0.5);
	thread__timed_at(&l.threads[0], 0x4100, 0x7ff0, 0x9000, 2000000);
	episodes__look(&eps, &l.s, THRESHOLD, &cfg, over, &o);
	CHECK(o.n == 1 && !eps.list[0].past, "another place: the wait is over, a new one begins");
	episodes__end_unseen(&eps, &l.s, over, &o);

	/* Busy between its sleeps: a second of CPU in three of wall time is work, not a wait. */
	look__init(&l);
	l.s.mono_ns = 1044 * SECOND;
	look__add(&l, 101, 5, nvcsw++, 0.5);
	thread__timed_at(&l.threads[0], 0x4100, 0x7ff0, 0x9000, 2000000 + SECOND);
	episodes__look(&eps, &l.s, THRESHOLD, &cfg, over, &o);
	CHECK(o.n == 2, "busy between: a new wait (%zu over)", o.n);
	episodes__end_unseen(&eps, &l.s, over, &o);

	/*
	 * Without a timeout, a wait that ends was ended by someone: not re-armed. The timed wait
	 * before it, not seen asleep in it at this look, gets one more look.
	 */
	for (int second = 1045; second <= 1046; second++) {
		look__init(&l);
		l.s.mono_ns = (uint64_t)second * SECOND;
		look__add(&l, 101, 5, nvcsw++, 0.5);
		thread__timed_at(&l.threads[0], 0x4100, 0x7ff0, 0x9000, 2000000 + SECOND);
		l.threads[0].wait.timed = 0;
		episodes__look(&eps, &l.s, THRESHOLD, &cfg, over, &o);
		episodes__end_unseen(&eps, &l.s, over, &o);
		if (second == 1045)
			CHECK(o.n == 2 && eps.n == 1, "not in its wait at one look: not over yet");
	}
	CHECK(o.n == 3 && eps.n == 0, "nor at the next: over; untimed and short: no episode (%zu)",
	      eps.n);
	episodes__free(&eps);
}

/* Episodes begun out of order, many at once, are still found by their thread. */
static void check_order(void)
{
	static const uint32_t tids[] = { 150, 120, 180, 110, 170, 130, 160, 140 };
	struct episodes eps = {};
	struct overs o = {};
	struct config cfg;
	struct look l;
	bool all = true;

	config__blocked_kinds(&cfg, "mutex");
	for (size_t round = 0; round < 2; round++) {
		look__init(&l);
		/* By tid, as a snapshot keeps them: half the threads now, all of them next. */
		for (size_t i = 0; i < MAX_THREADS; i++) {
			uint32_t tid = 110 + 10 * (uint32_t)i;

			if (round || tid % 20)
				look__add(&l, tid, 5, 7, 31);
		}
		episodes__look(&eps, &l.s, THRESHOLD, &cfg, over, &o);
		episodes__end_unseen(&eps, &l.s, over, &o);
	}
	look__init(&l);
	for (size_t i = 0; i < MAX_THREADS; i++)
		look__add(&l, 110 + 10 * (uint32_t)i, 5, 7, 33);
	episodes__look(&eps, &l.s, THRESHOLD, &cfg, over, &o);
	for (size_t i = 0; i < sizeof(tids) / sizeof(tids[0]); i++)
		all &= episodes__find(&eps, 100, tids[i]) != NULL;
	CHECK(all && eps.n == MAX_THREADS && o.n == 0, "%zu episodes, every one found", eps.n);
	for (size_t i = 1; i < eps.n; i++)
		CHECK(eps.list[i - 1].tid < eps.list[i].tid, "in order at %zu", i);
	episodes__free(&eps);
}

int main(void)
{
	check_one_episode();
	check_ends();
	check_runtime_since();
	check_re_armed();
	check_stacks_kept();
	check_order();
	return unit__finish("test_episodes");
}
