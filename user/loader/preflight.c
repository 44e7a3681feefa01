// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "loader/preflight.h"
#include "proc/procstat.h"
#include "util/log.h"
#include "util/text.h"

#define CAP_SYS_PTRACE_BIT 19
#define CAP_SYS_ADMIN_BIT 21
#define CAP_PERFMON_BIT 38
#define CAP_BPF_BIT 39

int preflight__check_btf(const char *path)
{
	if (access(path, R_OK) == 0)
		return 0;
	log_err("kernel has no BTF (%s: %s): leakmon needs a kernel built with "
		"CONFIG_DEBUG_INFO_BTF=y",
		path, strerror(errno));
	return -ENOENT;
}

static int preflight__effective_caps(uint64_t *caps)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "CapEff: %" SCNx64, caps) == 1) {
			err = 0;
			break;
		}
	}
	fclose(f);
	return err;
}

int preflight__check_privileges(void)
{
	uint64_t caps = 0;
	int err = preflight__effective_caps(&caps);

	if (err) {
		log_err("cannot read this process's capabilities from /proc/self/status: %s",
			strerror(-err));
		return err;
	}
	if (caps & (1ULL << CAP_SYS_ADMIN_BIT))
		return 0;
	if ((caps & (1ULL << CAP_BPF_BIT)) && (caps & (1ULL << CAP_PERFMON_BIT)))
		return 0;
	log_err("missing privilege: %s%s%s needed (run as root, e.g. with sudo)",
		caps & (1ULL << CAP_BPF_BIT) ? "" : "CAP_BPF",
		!(caps & (1ULL << CAP_BPF_BIT)) && !(caps & (1ULL << CAP_PERFMON_BIT)) ? " and "
										       : "",
		caps & (1ULL << CAP_PERFMON_BIT) ? "" : "CAP_PERFMON");
	return -EPERM;
}

bool preflight__check_stack_access(void)
{
	uint64_t caps = 0;

	if (!preflight__effective_caps(&caps) && (caps & (1ULL << CAP_SYS_PTRACE_BIT)))
		return true;
	log_warn("no CAP_SYS_PTRACE: stacks of processes of other users will be missing");
	return false;
}

int preflight__check_pids(const uint32_t *pids, size_t n_pids, bool report)
{
	char path[64], line[128], comm[4 * LEAKMON_COMM_LEN];
	struct procstat stat;
	uint32_t tgid;
	FILE *f;

	for (size_t i = 0; i < n_pids; i++) {
		snprintf(path, sizeof(path), "/proc/%" PRIu32 "/status", pids[i]);
		f = fopen(path, "r");
		if (!f) {
			if (report)
				log_err("no such process: %" PRIu32, pids[i]);
			return -ESRCH;
		}
		tgid = 0;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "Tgid: %" SCNu32, &tgid) == 1)
				break;
		fclose(f);
		if (tgid != pids[i]) {
			if (!report)
				return -ESRCH;
			log_err("%" PRIu32 " is a thread of process %" PRIu32 ", not a process",
				pids[i], tgid);
			return -ESRCH;
		}
		/* Kernel threads run no user code: the task iterator's programs leave them out. */
		if (procstat__read(pids[i], &stat) && (stat.flags & PROCSTAT_PF_KTHREAD)) {
			if (report) {
				text__escape(stat.comm, sizeof(stat.comm), comm, sizeof(comm));
				log_err("%" PRIu32 " (%s) is a kernel thread: leakmon watches user "
					"processes only",
					pids[i], comm);
			}
			return -ESRCH;
		}
	}
	return 0;
}
