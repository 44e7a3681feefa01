// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proc/pipes.h"
#include "proc/procstat.h"
#include "util/array.h"
#include "util/log.h"

struct holders_scan {
	const uint64_t *inodes; /* sorted, unique */
	size_t n_inodes;
	struct pipe_holders *out;
	size_t cap;
};

static int u64__cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int holder__cmp(const void *a, const void *b)
{
	const struct pipe_holder *x = a, *y = b;

	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	if (x->write_end != y->write_end)
		return x->write_end ? 1 : -1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static int holders__add(struct holders_scan *scan, uint64_t ino, bool write_end, uint32_t pid,
			const char *comm)
{
	struct pipe_holders *h = scan->out;
	struct pipe_holder *grown;

	grown = array__grow(h->list, &scan->cap, h->n, sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	h->list = grown;
	h->list[h->n] = (struct pipe_holder){ .ino = ino, .write_end = write_end, .pid = pid };
	memcpy(h->list[h->n].comm, comm, sizeof(h->list[h->n].comm));
	h->n++;
	return 0;
}

/* Whether a failed read is explained by the process's exit or a descriptor's close. */
static bool read_error__is_exit(int err)
{
	return err == ENOENT || err == ESRCH;
}

/* A process's first failed read that its exit does not explain. */
static void read_error__note(int *first, int err)
{
	if (!*first && !read_error__is_exit(err))
		*first = err;
}

static void holders__unread(struct holders_scan *scan, int err)
{
	if (!err || read_error__is_exit(err))
		return;
	if (!scan->out->unread++)
		scan->out->unread_err = err;
}

/* O_ACCMODE of a descriptor, from the "flags:" line of its fdinfo (octal); -errno if unknown. */
static int fd__access_mode(int proc_dir, const char *fd)
{
	char path[sizeof("fdinfo/") + sizeof(((struct dirent *)0)->d_name)], line[128];
	int mode = -EINVAL;
	unsigned int flags;
	FILE *f;
	int dfd;

	snprintf(path, sizeof(path), "fdinfo/%s", fd);
	dfd = openat(proc_dir, path, O_RDONLY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	f = fdopen(dfd, "r");
	if (!f) {
		mode = -errno;
		close(dfd);
		return mode;
	}
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "flags: %o", &flags) == 1) {
			mode = (int)(flags & O_ACCMODE);
			break;
		}
	fclose(f);
	return mode;
}

/* The process name, as the kernel keeps it: up to 15 bytes, anything but NUL. */
static void process__comm(int proc_dir, char *comm, size_t size)
{
	int fd = openat(proc_dir, "comm", O_RDONLY | O_CLOEXEC);
	ssize_t len = fd >= 0 ? read(fd, comm, size - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (len < 0)
		len = 0;
	if (len > 0 && comm[len - 1] == '\n')
		len--;
	comm[len] = '\0';
}

static int holders__scan_process(struct holders_scan *scan, int proc_dir, uint32_t pid)
{
	char comm[LEAKMON_COMM_LEN + 1] = "";
	int fd_dir = openat(proc_dir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int err = 0, read_err = 0;
	struct dirent *de;
	DIR *dir;

	if (fd_dir < 0) {
		read_error__note(&read_err, errno); /* ENOENT: exited, or a kernel thread's */
		goto out;
	}
	dir = fdopendir(fd_dir);
	if (!dir) {
		read_error__note(&read_err, errno);
		close(fd_dir);
		goto out;
	}
	while (!err) {
		struct statx stx;
		uint64_t ino;
		int mode;

		errno = 0;
		de = readdir(dir);
		if (!de) {
			read_error__note(&read_err, errno);
			break;
		}
		if (de->d_name[0] == '.')
			continue;
		/*
		 * Type and inode never change: cached attributes do. A network file system asked
		 * for fresh ones would ask its server, and a hung server would hang us.
		 */
		if (statx(fd_dir, de->d_name, AT_STATX_DONT_SYNC, STATX_TYPE | STATX_INO, &stx)) {
			read_error__note(&read_err, errno); /* ENOENT: closed meanwhile */
			continue;
		}
		if (!S_ISFIFO(stx.stx_mode))
			continue;
		ino = stx.stx_ino;
		if (!bsearch(&ino, scan->inodes, scan->n_inodes, sizeof(ino), u64__cmp))
			continue;
		mode = fd__access_mode(proc_dir, de->d_name);
		if (mode < 0) {
			read_error__note(&read_err, -mode);
			continue;
		}
		if (!*comm)
			process__comm(proc_dir, comm, sizeof(comm));
		if (mode == O_RDONLY || mode == O_RDWR)
			err = holders__add(scan, ino, false, pid, comm);
		if (!err && (mode == O_WRONLY || mode == O_RDWR))
			err = holders__add(scan, ino, true, pid, comm);
	}
	closedir(dir);
out:
	holders__unread(scan, read_err);
	return err;
}

/* Sort the holders and keep each (pipe, end, process) once. */
static void holders__normalize(struct pipe_holders *h)
{
	size_t kept = 0;

	if (!h->n)
		return;
	qsort(h->list, h->n, sizeof(*h->list), holder__cmp);
	for (size_t i = 0; i < h->n; i++)
		if (!kept || holder__cmp(&h->list[kept - 1], &h->list[i]))
			h->list[kept++] = h->list[i];
	h->n = kept;
}

int pipes__find_holders(const uint64_t *inodes, size_t n, struct pipe_holders *out)
{
	struct holders_scan scan = { .out = out };
	uint64_t *sorted = NULL;
	uint32_t pid;
	int err = 0;
	DIR *proc = NULL;

	memset(out, 0, sizeof(*out));
	if (!n)
		return 0;
	sorted = malloc(n * sizeof(*sorted));
	if (!sorted) {
		err = -ENOMEM;
		goto cleanup;
	}
	memcpy(sorted, inodes, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), u64__cmp);
	for (size_t i = 0; i < n; i++)
		if (!scan.n_inodes || sorted[scan.n_inodes - 1] != sorted[i])
			sorted[scan.n_inodes++] = sorted[i];
	scan.inodes = sorted;
	proc = opendir("/proc");
	if (!proc) {
		err = -errno;
		goto cleanup;
	}
	while ((err = procstat__next_pid(proc, &pid)) > 0) {
		char name[16];
		int proc_dir;

		snprintf(name, sizeof(name), "%" PRIu32, pid);
		proc_dir = openat(dirfd(proc), name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (proc_dir < 0) {
			holders__unread(&scan, errno);
			continue;
		}
		err = holders__scan_process(&scan, proc_dir, pid);
		close(proc_dir);
		if (err)
			break;
	}
	holders__normalize(out);
cleanup:
	if (proc)
		closedir(proc);
	free(sorted);
	if (err) {
		pipes__free(out);
		out->unread = 1;
		out->unread_err = -err;
	}
	return err;
}

void pipes__look_up(const uint64_t *inodes, size_t n, int listed_err, struct pipe_holders *out)
{
	int err = listed_err;

	memset(out, 0, sizeof(*out));
	if (!err)
		err = pipes__find_holders(inodes, n, out);
	if (err) {
		out->unread = 1; /* nobody was read */
		log_warn("finding who holds the pipes failed: %s; pipe waits name no holders",
			 strerror(-err));
	} else if (out->unread) {
		log_debug("finding who holds the pipes: %zu processes' descriptors unread (%s)",
			  out->unread, strerror(out->unread_err));
	}
}

void pipes__free(struct pipe_holders *h)
{
	free(h->list);
	memset(h, 0, sizeof(*h));
}

size_t pipes__holders_of(const struct pipe_holders *h, uint64_t ino, bool write_end,
			 const struct pipe_holder **first)
{
	size_t lo = 0, hi = h->n, n = 0;

	/* The first entry not before (ino, write_end). */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct pipe_holder *x = &h->list[mid];

		if (x->ino < ino || (x->ino == ino && x->write_end < write_end))
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = &h->list[lo];
	while (lo + n < h->n && h->list[lo + n].ino == ino &&
	       h->list[lo + n].write_end == write_end)
		n++;
	return n;
}

bool pipes__fds_closed(uint32_t pid)
{
	struct dirent *entry;
	char path[64];
	bool none = true;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%u/fd", pid);
	dir = opendir(path);
	if (!dir)
		return errno == ENOENT || errno == ESRCH;
	while (none && (entry = readdir(dir)))
		none = entry->d_name[0] == '.';
	closedir(dir);
	return none;
}
