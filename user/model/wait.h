/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_WAIT_H
#define LEAKMON_WAIT_H

#include <stdbool.h>

#include "leakmon.h"
#include "model/stack.h"

#define WAIT_OBJECT_LEN 48

/* What a thread is doing, read from its task record. */
struct wait_info {
	bool blocked; /* asleep in the kernel, interruptibly or not */
	const char *
		kind; /* futex, pipe_read, pipe_write, a syscall name, fault; NULL if not blocked */
	char object[WAIT_OBJECT_LEN]; /* futex address, pipe:[inode], socket:[inode], fd:N; or "" */
	uint64_t futex;		      /* the futex's address, as in object; 0: not one futex */
	/*
	 * The word the syscall sleeps on: futex, until the stack names what the wait is for (a
	 * Python lock, an rwlock), which each read of the stack starts from again.
	 */
	uint64_t futex_word;
	int timed;	    /* whether the wait has a timeout: 1, 0, or -1 unknown */
	bool private_futex; /* a process-private futex: only the process itself can wake it */
};

/* Asleep, not exiting, not on a CPU: what every wait starts as. */
bool wait__blocked(const struct task_record *rec);
void wait__classify(const struct task_record *rec, struct wait_info *out);
/*
 * The syscall a thread waits in (-1: none). A timed wait stopped and continued (SIGSTOP, a
 * debugger, a ptrace attach) resumes in restart_syscall with its arguments still in the
 * registers: the kernel's restart block says which wait it was (a futex, poll, a sleep).
 */
long wait__syscall(const struct task_record *rec);
/* What a futex wait is for is at addr: futex and object say so. */
void wait__set_futex(struct wait_info *w, uint64_t addr);
/* A read or write on a pipe: its inode is the record's file_ino. */
bool wait__on_pipe(const struct wait_info *w);
/*
 * What the wait is for, read from the stack as Go's dump names it: mutex, rwlock, condvar,
 * semaphore, join, barrier, once, python_lock, chan_receive, chan_send, chan_select; else the
 * wait kind.
 * *glibc_lock: a mutex, rwlock or join of glibc's, whose words name the thread waited for: the
 * mutex's owner, the rwlock's writer, the thread joined (Rust's locks, say, name none).
 */
const char *wait__reason(const struct wait_info *w, const struct stack *st, bool *glibc_lock);
/*
 * Whether a wait reason is how idle threads wait for work (condvar, semaphore, pipe_read,
 * epoll_wait, accept, ...), as opposed to waiting for a lock or for room (mutex, pipe_write).
 */
bool wait__idle(const char *reason);
/*
 * For a wait on a FILE's lock (glibc's private lock wait, called by a stdio function), the
 * frame of that wait (its module is the C library); else NULL.
 */
const struct frame *wait__stdio_lock(const struct stack *st);
/* running, sleeping, disk_sleep, idle, stopped, tracing_stop, parked, zombie, dead */
const char *wait__state_name(const struct task_record *rec);

#endif /* LEAKMON_WAIT_H */
