/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_PIPES_H
#define LEAKMON_PIPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leakmon.h"

/*
 * Who holds the ends of some pipes, from every process's fd table: one pass over /proc for a
 * set of pipes, done only for threads about to be reported.
 */
/* A process holding one end of a pipe (a read-write descriptor holds both: two entries). */
struct pipe_holder {
	uint64_t ino;
	bool write_end;
	uint32_t pid;
	char comm[LEAKMON_COMM_LEN + 1];
};

struct pipe_holders {
	struct pipe_holder *list; /* by inode, end and pid; each once */
	size_t n;
	/* Processes whose descriptors could not all be read, not for having exited (another
	 * user namespace's, a hardened init's): any may hold an end too. 1 if the whole pass
	 * failed. The first failure's errno. */
	size_t unread;
	int unread_err;
};

/*
 * Find the holders of the pipes with these inodes (any order, duplicates allowed). A failure
 * of the whole pass (-errno) leaves no holders, and one unread.
 */
int pipes__find_holders(const uint64_t *inodes, size_t n, struct pipe_holders *out);
/*
 * The same, for callers that go on without holders: listed_err, the caller's failure to list
 * the inodes, or the pass's own is said as a warning, and counts as one unread.
 */
void pipes__look_up(const uint64_t *inodes, size_t n, int listed_err, struct pipe_holders *out);
void pipes__free(struct pipe_holders *h);
/* The processes holding one end of pipe ino: *first and how many (a run of h->list). */
size_t pipes__holders_of(const struct pipe_holders *h, uint64_t ino, bool write_end,
			 const struct pipe_holder **first);

/*
 * Whether process pid has no descriptors left, or is gone: it is exiting. (One whose
 * descriptors cannot be read is not said to be.)
 */
bool pipes__fds_closed(uint32_t pid);

#endif /* LEAKMON_PIPES_H */
