// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/hidden.h"
#include "loader/preflight.h"
#include "model/snapshot.h"
#include "util/array.h"
#include "util/log.h"
#include "util/text.h"

/* Of the processes hidden from the task iterator, how many are named. */
#define HIDDEN_NAMED 10

void hidden__find(struct snapshot *s, uint64_t boot_ns, struct hidden_processes *out)
{
	long ticks_per_s = sysconf(_SC_CLK_TCK);
	uint64_t tick_ns = ticks_per_s > 0 ? 1000000000ULL / (uint64_t)ticks_per_s : 10000000;
	struct hidden_process *grown;
	struct procstat st;
	uint32_t pid;
	int err;
	DIR *proc;

	memset(out, 0, sizeof(*out));
	proc = opendir("/proc");
	if (!proc) {
		err = -errno;
		goto cleanup;
	}
	while ((err = procstat__next_pid(proc, &pid)) > 0) {
		if (snapshot__find_process(s, pid))
			continue;
		/* Gone, a kernel thread, or perhaps started after the pass began: not hidden. */
		if (!procstat__read(pid, &st) || (st.flags & PROCSTAT_PF_KTHREAD) ||
		    (st.start_ticks + 1) * tick_ns > boot_ns)
			continue;
		grown = array__grow(out->processes, &out->cap, out->n, sizeof(*out->processes));
		if (!grown) {
			err = -ENOMEM;
			break;
		}
		out->processes = grown;
		out->processes[out->n].pid = pid;
		memcpy(out->processes[out->n].comm, st.comm, sizeof(st.comm));
		out->n++;
	}
	closedir(proc);
cleanup:
	if (err)
		log_warn("listing /proc for processes the task iterator missed failed: %s",
			 strerror(-err));
}

void hidden__free(struct hidden_processes *h)
{
	free(h->processes);
	memset(h, 0, sizeof(*h));
}

void hidden__describe(const struct hidden_processes *h, const char *what, char *buf, size_t size)
{
	char comm[4 * LEAKMON_COMM_LEN + 1];
	size_t named = h->n < HIDDEN_NAMED ? h->n : HIDDEN_NAMED, len;

	len = (size_t)snprintf(buf, size,
			       "%zu process%s hidden from BPF task iterators by this kernel, %s: ",
			       h->n, h->n == 1 ? "" : "es", what);
	for (size_t i = 0; i < named && len < size; i++) {
		text__escape(h->processes[i].comm, strlen(h->processes[i].comm), comm,
			     sizeof(comm));
		len += (size_t)snprintf(buf + len, size - len, "%s%" PRIu32 " %s", i ? ", " : "",
					h->processes[i].pid, comm);
	}
	if (h->n > named && len < size)
		snprintf(buf + len, size - len, ", and %zu more", h->n - named);
}

size_t hidden__warn(struct snapshot *s, uint64_t boot_ns, const char *what)
{
	struct hidden_processes h;
	char said[1024];
	size_t n;

	hidden__find(s, boot_ns, &h);
	n = h.n;
	if (n) {
		hidden__describe(&h, what, said, sizeof(said));
		log_warn("%s", said);
	}
	hidden__free(&h);
	return n;
}

size_t hidden__warn_asked(struct snapshot *s, const uint32_t *pids, size_t n)
{
	size_t hidden = 0;

	for (size_t i = 0; i < n; i++) {
		if (snapshot__find_process(s, pids[i]))
			continue;
		if (preflight__check_pids(&pids[i], 1, false)) {
			log_warn("process %" PRIu32 " exited before it was read", pids[i]);
			continue;
		}
		log_warn("process %" PRIu32 " is alive but hidden from BPF task iterators by this "
			 "kernel",
			 pids[i]);
		hidden++;
	}
	return hidden;
}
