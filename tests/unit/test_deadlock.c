// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Mutex owners read from real pthread mutexes of this process, of each kind; a word that is no
 * locked mutex has none; cycles found among waiters whose mutexes are held by real threads.
 */
#include <stdint.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "analysis/deadlock.h"
#include "runtime/glibc.h"
#include "runtime/runtime.h"
#include "util/text.h"
#include "unit.h"

static uint32_t owner_of(const void *addr)
{
	return mutex__owner_at((uint32_t)getpid(), (uint64_t)(uintptr_t)addr);
}

static void check_kind(const char *kind, int type, int protocol, int robust)
{
	pthread_mutexattr_t attr;
	pthread_mutex_t m;

	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, type);
	pthread_mutexattr_setprotocol(&attr, protocol);
	pthread_mutexattr_setrobust(&attr, robust);
	pthread_mutex_init(&m, &attr);
	CHECK(owner_of(&m) == 0, "%s, unlocked: owner %u", kind, owner_of(&m));
	pthread_mutex_lock(&m);
	CHECK(owner_of(&m) == (uint32_t)gettid(), "%s, locked: owner %u, want %d", kind,
	      owner_of(&m), gettid());
	pthread_mutex_unlock(&m);
	pthread_mutex_destroy(&m);
	pthread_mutexattr_destroy(&attr);
}

/*
 * An rwlock found from either word its waiters wait on (readers at 8, writers behind a writer
 * at 12), and its writer: this thread while it writes, none while it reads.
 */
static void check_rwlock(void)
{
	pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
	uint64_t addr = (uint64_t)(uintptr_t)&rw;
	uint32_t pid = (uint32_t)getpid();

	pthread_rwlock_wrlock(&rw);
	CHECK(rwlock__of_futex(pid, addr + 8) == addr, "written: its reader's word is not in it");
	CHECK(rwlock__of_futex(pid, addr + 12) == addr, "written: its writer's word is not in it");
	CHECK(rwlock__writer(pid, addr) == (uint32_t)gettid(), "written: writer %u, want %d",
	      rwlock__writer(pid, addr), gettid());
	pthread_rwlock_unlock(&rw);
	pthread_rwlock_rdlock(&rw);
	CHECK(rwlock__of_futex(pid, addr + 8) == addr, "read: its writer's word is not in it");
	CHECK(rwlock__writer(pid, addr) == 0, "read: writer %u, want none",
	      rwlock__writer(pid, addr));
	pthread_rwlock_unlock(&rw);
	CHECK(rwlock__of_futex(pid, 4) == 0 && rwlock__writer(pid, 0) == 0,
	      "unreadable memory: an rwlock found");
}

/* Two threads, each holding one mutex until told to let go. */
static pthread_mutex_t held[2] = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER };
static pthread_barrier_t holding, let_go;
static pid_t holder_tid[2];

static void *hold(void *arg)
{
	int i = (int)(intptr_t)arg;

	pthread_mutex_lock(&held[i]);
	holder_tid[i] = gettid();
	pthread_barrier_wait(&holding);
	pthread_barrier_wait(&let_go);
	pthread_mutex_unlock(&held[i]);
	return NULL;
}

/* A waiter as the snapshot would see it: asleep on the mutex at addr, its stack said so. */
static void waiter__init(struct thread_snap *th, pid_t tid, const void *addr)
{
	memset(th, 0, sizeof(*th));
	th->tid = (uint32_t)tid;
	th->wait.blocked = true;
	th->wait.kind = "futex";
	th->reason = "mutex";
	th->glibc_lock = true;
	th->wait.futex = (uintptr_t)addr;
	text__hex(th->wait.futex, th->wait.object);
}

static void check_cycles(void)
{
	struct thread_snap a, b, *threads[2] = { &a, &b };
	struct runtime_set runtimes;
	struct process_snap p = {
		.pid = (uint32_t)getpid(), .n_threads = 2, .threads = threads, .runtimes = &runtimes
	};
	struct deadlock_cycle *cycles = NULL;
	static pthread_mutex_t nobodys = PTHREAD_MUTEX_INITIALIZER;
	struct deadlocks *d = deadlocks__new();
	pthread_t t[2];
	size_t n = 0;

	/* glibc's runtime, which reads its locks' owners, is in every process. */
	runtime_set__init(&runtimes, getpid());
	pthread_barrier_init(&holding, NULL, 3);
	pthread_barrier_init(&let_go, NULL, 3);
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, hold, (void *)(intptr_t)i);
	pthread_barrier_wait(&holding);
	/* By tid, as a snapshot keeps a process's threads. */
	if (holder_tid[0] > holder_tid[1]) {
		threads[0] = &b;
		threads[1] = &a;
	}

	/* Each holder said to wait for the other's mutex: a cycle of two. */
	waiter__init(&a, holder_tid[0], &held[1]);
	waiter__init(&b, holder_tid[1], &held[0]);
	CHECK(d && deadlocks__find(d, &p, &cycles, &n) == 0, "deadlocks__find failed");
	CHECK(n == 1 && cycles[0].n == 2, "%zu cycles, want 1 of 2 threads", n);
	CHECK(a.mutex_owner == (uint32_t)holder_tid[1] && b.mutex_owner == (uint32_t)holder_tid[0],
	      "owners %u %u", a.mutex_owner, b.mutex_owner);
	CHECK(a.deadlocked && b.deadlocked, "members marked");
	CHECK(deadlocks__find(d, &p, &cycles, &n) == 0 && n == 1, "a cycle is reported once");

	/* One waits on the other, who waits on a mutex nobody holds: a chain, no cycle. */
	deadlocks__forget(d, p.pid);
	free(cycles);
	cycles = NULL;
	n = 0;
	waiter__init(&b, holder_tid[1], &nobodys);
	CHECK(deadlocks__find(d, &p, &cycles, &n) == 0 && n == 0, "%zu cycles, want none", n);
	CHECK(a.mutex_owner == (uint32_t)holder_tid[1] && b.mutex_owner == 0, "owners %u %u",
	      a.mutex_owner, b.mutex_owner);

	pthread_barrier_wait(&let_go);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	free(cycles);
	deadlocks__free(d);
	runtime_set__release(&runtimes);
}

int main(void)
{
	/* glibc parks a refused priority-inheritance lock on a zero word; stack garbage follows. */
	uint32_t parked[5] = { 0, 0, 4242, 0, 0 };

	check_kind("plain", PTHREAD_MUTEX_NORMAL, PTHREAD_PRIO_NONE, PTHREAD_MUTEX_STALLED);
	check_kind("recursive", PTHREAD_MUTEX_RECURSIVE, PTHREAD_PRIO_NONE, PTHREAD_MUTEX_STALLED);
	check_kind("error-checking", PTHREAD_MUTEX_ERRORCHECK, PTHREAD_PRIO_NONE,
		   PTHREAD_MUTEX_STALLED);
	check_kind("robust", PTHREAD_MUTEX_NORMAL, PTHREAD_PRIO_NONE, PTHREAD_MUTEX_ROBUST);
	check_kind("priority inheritance", PTHREAD_MUTEX_NORMAL, PTHREAD_PRIO_INHERIT,
		   PTHREAD_MUTEX_STALLED);
	CHECK(owner_of(parked) == 0, "a zero word: owner %u, want none", owner_of(parked));
	CHECK(owner_of(NULL) == 0, "unreadable memory: owner %u", owner_of(NULL));
	check_rwlock();
	check_cycles();
	return unit__finish("test_deadlock");
}
