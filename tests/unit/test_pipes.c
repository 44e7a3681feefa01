// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Who holds a pipe's ends, read from the real /proc: this process and a child it forks. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc/pipes.h"
#include "unit.h"

static uint64_t fd__ino(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : st.st_ino;
}

/* The descriptor the next open would get. */
static int lowest_free_fd(void)
{
	int fd = dup(0);

	if (fd >= 0)
		close(fd);
	return fd;
}

int main(void)
{
	int only_mine[2], shared[2], sync[2];
	const struct pipe_holder *h;
	struct pipe_holders holders;
	struct rlimit nofile;
	uint64_t inodes[3];
	pid_t child;
	char c;
	size_t n;

	if (pipe(only_mine) || pipe(shared) || pipe(sync))
		return 1;
	/* The child keeps the read end of "shared" and nothing of "only_mine". */
	child = fork();
	if (child == 0) {
		close(only_mine[0]);
		close(only_mine[1]);
		close(shared[1]);
		close(sync[0]);
		(void)!write(sync[1], "r", 1);
		pause();
		_exit(0);
	}
	close(shared[0]);
	close(sync[1]);
	(void)!read(sync[0], &c, 1);

	inodes[0] = fd__ino(shared[1]);
	inodes[1] = fd__ino(only_mine[0]);
	inodes[2] = inodes[0]; /* duplicates are allowed */
	CHECK(pipes__find_holders(inodes, 3, &holders) == 0, "scan failed");

	n = pipes__holders_of(&holders, inodes[0], false, &h);
	CHECK(n == 1 && h[0].pid == (uint32_t)child, "shared's reader: %zu, pid %u", n,
	      n ? h[0].pid : 0);
	CHECK_STR(n ? h[0].comm : "", "test_pipes");
	n = pipes__holders_of(&holders, inodes[0], true, &h);
	CHECK(n == 1 && h[0].pid == (uint32_t)getpid(), "shared's writer: %zu", n);
	n = pipes__holders_of(&holders, inodes[1], true, &h);
	CHECK(n == 1 && h[0].pid == (uint32_t)getpid(), "only_mine's writer: %zu", n);
	n = pipes__holders_of(&holders, inodes[1], false, &h);
	CHECK(n == 1 && h[0].pid == (uint32_t)getpid(), "only_mine's reader: %zu", n);
	n = pipes__holders_of(&holders, fd__ino(sync[0]), false, &h);
	CHECK(n == 0, "a pipe not asked about: %zu holders", n);
	pipes__free(&holders);

	/* Out of descriptors after /proc itself: no process could be read, and that is said. */
	if (getrlimit(RLIMIT_NOFILE, &nofile) == 0) {
		struct rlimit low = { .rlim_cur = lowest_free_fd() + 1,
				      .rlim_max = nofile.rlim_max };

		CHECK(setrlimit(RLIMIT_NOFILE, &low) == 0, "lowering the limit");
		CHECK(pipes__find_holders(inodes, 1, &holders) == 0, "the pass itself succeeds");
		CHECK(holders.n == 0 && holders.unread > 0 && holders.unread_err == EMFILE,
		      "%zu holders, %zu unread, errno %d", holders.n, holders.unread,
		      holders.unread_err);
		pipes__free(&holders);
		CHECK(setrlimit(RLIMIT_NOFILE, &nofile) == 0, "restoring the limit");
	}

	CHECK(pipes__find_holders(NULL, 0, &holders) == 0 && holders.n == 0, "nothing asked");
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return unit__finish("test_pipes");
}
