// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * How a snapshot groups a process's blocked threads, as a goroutine dump does: by wait reason,
 * stack and creation site, largest group first; an idle pool as one group whatever its stacks.
 */
#include <stdlib.h>

#include "output/groups.h"
#include "unit.h"

#define SECOND 1000000000ULL
#define MAX_THREADS 16

static struct frame stack_a[] = { { .pc = 0x1000 }, { .pc = 0x2000 } };
static struct frame stack_b[] = { { .pc = 0x1000 }, { .pc = 0x3000 } };
static struct frame site_x = { .pc = 0x9000 };

struct process {
	struct snapshot s;
	struct process_snap p;
	struct thread_snap threads[MAX_THREADS];
	struct thread_snap *by_tid[MAX_THREADS];
	struct group_buffers b;
};

static void process__init(struct process *pr)
{
	memset(pr, 0, sizeof(*pr));
	pr->p.pid = 100;
	pr->p.threads = pr->by_tid;
	pr->s.processes = &pr->p;
	pr->s.n_processes = 1;
}

/* Thread tid (added in tid order), asleep blocked_s on object for reason, with a stack. */
static struct thread_snap *process__add(struct process *pr, const char *reason, const char *object,
					struct frame *frames, double blocked_s)
{
	struct thread_snap *th = &pr->threads[pr->p.n_threads];

	memset(th, 0, sizeof(*th));
	th->tid = 101 + (uint32_t)pr->p.n_threads;
	th->wait.blocked = true;
	th->wait.kind = "futex";
	snprintf(th->wait.object, sizeof(th->wait.object), "%s", object);
	th->reason = reason;
	th->stack.frames = frames;
	th->stack.n = 2;
	th->has_blocked_ns = blocked_s >= 0;
	th->blocked_ns = blocked_s >= 0 ? (uint64_t)(blocked_s * 1e9) : 0;
	pr->by_tid[pr->p.n_threads++] = th;
	return th;
}

static size_t process__group(struct process *pr, uint64_t min_blocked_ns)
{
	group_buffers__free(&pr->b);
	if (group_buffers__init(&pr->b, &pr->s))
		return 0;
	return groups__of_process(&pr->p, min_blocked_ns, &pr->b);
}

/* Same reason and stack: one group; another stack, reason or creator: another; largest first. */
static void check_groups(void)
{
	struct process pr;
	const struct wait_group *g;
	size_t n;

	process__init(&pr);
	process__add(&pr, "mutex", "0x10", stack_a, 2);
	process__add(&pr, "mutex", "0x10", stack_b, 9);
	process__add(&pr, "mutex", "0x10", stack_a, 5)->estimated = true;
	process__add(&pr, "condvar", "0x20", stack_a, 1);
	process__add(&pr, "mutex", "0x30", stack_a, 3);
	process__add(&pr, "mutex", "0x10", stack_a, 4)->created_by = &site_x;
	n = process__group(&pr, 0);
	CHECK(n == 4, "%zu groups, want 4", n);
	g = &pr.b.groups[0];
	CHECK(g->n == 3 && !strcmp(g->reason, "mutex") && !g->same_object,
	      "the largest first: 3 on one stack, two objects (%zu, %s)", g->n, g->reason);
	CHECK(g->members[0]->tid == 101 && g->members[1]->tid == 103 && g->members[2]->tid == 105,
	      "its members in tid order");
	CHECK(g->min_ns == 2 * SECOND && g->max_ns == 5 * SECOND && g->estimated,
	      "its shortest and longest waits, one of them estimated");
	/* Groups of one: the longest blocked first. */
	CHECK(pr.b.groups[1].members[0]->tid == 102, "then the longest blocked: %u",
	      pr.b.groups[1].members[0]->tid);
	CHECK(pr.b.groups[2].members[0]->tid == 106, "a creation site of its own is its own group");
	for (size_t i = 0; i < n; i++)
		CHECK(!group__idle_pool(&pr.b.groups[i]), "group %zu is no pool", i);
	group_buffers__free(&pr.b);
}

/* Threads waiting for work on one object, started alike, are one idle pool whatever the stack. */
static void check_idle_pools(void)
{
	struct process pr;
	const struct wait_group *g;
	size_t n;

	process__init(&pr);
	for (int i = 0; i < 5; i++)
		process__add(&pr, "condvar", "0x40", i % 2 ? stack_a : stack_b, 60)->start_routine =
			"worker";
	/* As many queued on one mutex are stuck, not idle: their stacks still part them. */
	for (int i = 0; i < 4; i++)
		process__add(&pr, "mutex", "0x50", i % 2 ? stack_a : stack_b, 60);
	/* Too few for a pool. */
	for (int i = 0; i < IDLE_POOL_MIN - 1; i++)
		process__add(&pr, "condvar", "0x60", i % 2 ? stack_a : stack_b, 60)->start_routine =
			"worker";
	n = process__group(&pr, 0);
	g = &pr.b.groups[0];
	CHECK(g->n == 5 && group__idle_pool(g) && !strcmp(g->members[0]->wait.object, "0x40"),
	      "one pool of 5 whatever their stacks (%zu, %s)", g->n, g->members[0]->wait.object);
	for (size_t i = 1; i < n; i++) {
		CHECK(!group__idle_pool(&pr.b.groups[i]), "group %zu is no pool", i);
		CHECK(pr.b.groups[i].n == (i < 4 ? 2u : 1u), "group %zu: %zu threads of one stack",
		      i, pr.b.groups[i].n);
	}
	CHECK(n == 5, "%zu groups, want the pool and 4 by stack", n);

	/* Started in two functions: a pool of each, where there are enough of them. */
	group_buffers__free(&pr.b);
	process__init(&pr);
	for (int i = 0; i < 8; i++)
		process__add(&pr, "chan_receive", "0x70", stack_a, 1)->start_routine =
			i < 3 ? "reader" : "writer";
	n = process__group(&pr, 0);
	CHECK(n == 2 && pr.b.groups[0].n == 5 && group__idle_pool(&pr.b.groups[0]) &&
		      pr.b.groups[1].n == 3 && !group__idle_pool(&pr.b.groups[1]),
	      "a pool of 5 writers, then 3 readers (%zu groups)", n);
	group_buffers__free(&pr.b);
}

/* Identical workers each waiting on its own object are one group, whatever sorts between them. */
static void check_objects_apart(void)
{
	struct process pr;
	char object[16];
	size_t n;

	process__init(&pr);
	/* memcached's: 8 workers each in epoll_wait on an fd of its own; another thread on fd:3. */
	for (int i = 0; i < 8; i++) {
		snprintf(object, sizeof(object), "fd:%d", 26 + 2 * i);
		process__add(&pr, "epoll_wait", object, stack_a, 5)->start_routine = "worker";
		if (i == 4)
			process__add(&pr, "epoll_wait", "fd:3", stack_b, 5);
	}
	n = process__group(&pr, 0);
	CHECK(n == 2 && pr.b.groups[0].n == 8 && !pr.b.groups[0].same_object &&
		      !group__idle_pool(&pr.b.groups[0]),
	      "the 8 workers are one group on several objects, no pool (%zu groups, %zu)", n,
	      pr.b.groups[0].n);
	for (size_t i = 1; i < pr.b.groups[0].n; i++)
		CHECK(pr.b.groups[0].members[i - 1]->tid < pr.b.groups[0].members[i]->tid,
		      "its members in tid order at %zu", i);
	group_buffers__free(&pr.b);
}

/* Only the threads listed: blocked, at least min_blocked; an unknown time only when all are. */
static void check_listed(void)
{
	struct process pr;
	size_t n;

	process__init(&pr);
	process__add(&pr, "mutex", "0x10", stack_a, 1);
	process__add(&pr, "mutex", "0x10", stack_a, 10);
	process__add(&pr, "mutex", "0x10", stack_a, -1);
	process__add(&pr, "mutex", "0x10", stack_a, 20)->wait.blocked = false;
	n = process__group(&pr, 5 * SECOND);
	CHECK(n == 1 && pr.b.groups[0].n == 1 && pr.b.groups[0].members[0]->tid == 102,
	      "at 5s, only the thread blocked 10s (%zu groups)", n);
	n = process__group(&pr, 0);
	CHECK(n == 1 && pr.b.groups[0].n == 3 && pr.b.groups[0].unknown_duration,
	      "every blocked thread, one of them of unknown time (%zu)", pr.b.groups[0].n);
	CHECK_STR(thread__label(&pr.threads[0]), "mutex");
	pr.threads[0].reason = NULL;
	CHECK_STR(thread__label(&pr.threads[0]), "futex");
	group_buffers__free(&pr.b);
}

int main(void)
{
	check_groups();
	check_idle_pools();
	check_objects_apart();
	check_listed();
	return unit__finish("test_groups");
}
