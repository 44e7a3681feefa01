// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Both variants of the fork hook, loaded into this kernel and run: leakmon loads only the one
 * the kernel supports, so the other (for kernels without bpf_task_from_pid(), such as Debian
 * 12's 6.1) would otherwise go untested here. With a creators table of one bucket, five threads
 * created in a row: the variant that knows live holders keeps the first four and drops the
 * fifth; the other gives the fifth the oldest's slot. Prints PASS/FAIL lines (tests/e2e/lib.sh).
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "leakmon.h"
#include "leakmon.skel.h"

#define THREADS (LEAKMON_CREATOR_WAYS + 1)

static int failed;

static void check(bool ok, const char *variant, const char *what)
{
	printf("%s test_creator_variants: %s: %s\n", ok ? "PASS" : "FAIL", variant, what);
	failed |= !ok;
}

struct waiters {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool released;
	pid_t tids[THREADS];
	int started;
};

static void *wait_for_release(void *arg)
{
	struct waiters *w = arg;

	pthread_mutex_lock(&w->lock);
	w->tids[w->started++] = gettid();
	pthread_cond_broadcast(&w->cond);
	while (!w->released)
		pthread_cond_wait(&w->cond, &w->lock);
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* Which of the threads have a creator record in the iterator's output: a bit each. */
static int creators_listed(struct leakmon_bpf *skel, const struct waiters *w, unsigned *listed)
{
	static char buf[1 << 20];
	size_t len = 0, off = 0;
	ssize_t n;
	int fd;

	fd = bpf_iter_create(bpf_link__fd(skel->links.dump_task));
	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf + len, sizeof(buf) - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (n < 0)
		return -EIO;
	*listed = 0;
	while (len - off >= 2 * sizeof(__u32)) {
		const __u32 *head = (const __u32 *)(buf + off);

		if (head[0] == LEAKMON_RECORD_CREATOR) {
			const struct creator_record *rec = (const void *)head;

			for (int i = 0; i < THREADS; i++)
				if ((pid_t)rec->tid == w->tids[i])
					*listed |= 1U << i;
		}
		if (!head[1])
			return -EPROTO;
		off += head[1];
	}
	return 0;
}

static void run_variant(bool newest)
{
	const char *name = newest ? "thread_created_btf_newest" : "thread_created_btf";
	struct waiters w = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };
	unsigned listed = 0, expected = newest ? 0x1e : 0x0f;
	__u32 tgid = getpid();
	struct leakmon_bpf *skel;
	pthread_t threads[THREADS];
	struct bpf_program *prog;
	__u8 one = 1;
	int err, made = 0;

	skel = leakmon_bpf__open();
	if (!skel) {
		check(false, name, "the object opens");
		return;
	}
	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, !strcmp(bpf_program__name(prog), name) ||
							!strcmp(bpf_program__name(prog), "dump_task"));
	skel->rodata->filter_by_tgid = 1;
	skel->rodata->filter_creators_by_tgid = 1;
	skel->rodata->creator_bucket_mask = 0;
	err = bpf_map__set_max_entries(skel->maps.creator_tags, 1);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.creators, LEAKMON_CREATOR_WAYS);
	if (!err)
		err = leakmon_bpf__load(skel);
	check(!err, name, "passes the verifier");
	if (!err)
		err = bpf_map_update_elem(bpf_map__fd(skel->maps.tgid_filter), &tgid, &one, BPF_ANY);
	if (!err)
		err = leakmon_bpf__attach(skel);
	check(!err, name, "attaches");
	for (; !err && made < THREADS; made++) {
		/* One at a time: each raises the process to a new high, in tid order. */
		err = pthread_create(&threads[made], NULL, wait_for_release, &w);
		pthread_mutex_lock(&w.lock);
		while (!err && w.started == made)
			pthread_cond_wait(&w.cond, &w.lock);
		pthread_mutex_unlock(&w.lock);
	}
	if (!err)
		err = creators_listed(skel, &w, &listed);
	check(!err && listed == expected, name,
	      newest ? "five threads, one bucket: the four newest keep a creator"
		     : "five threads, one bucket: the four oldest, alive, keep theirs");
	check(skel->bss->creator_dropped == (newest ? 0 : 1), name,
	      newest ? "nothing counted as dropped" : "the fifth is counted as dropped");
	pthread_mutex_lock(&w.lock);
	w.released = true;
	pthread_cond_broadcast(&w.cond);
	pthread_mutex_unlock(&w.lock);
	for (int i = 0; i < made; i++)
		pthread_join(threads[i], NULL);
	leakmon_bpf__destroy(skel);
}

int main(void)
{
	run_variant(false);
	run_variant(true);
	return failed;
}
