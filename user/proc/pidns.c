// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc/pidns.h"

/*
 * The NSpid line of a /proc status file: how many pid namespaces number the task (0: none
 * read), and its pid in the innermost of them.
 */
static size_t proc_status__ns_pids(const char *path, uint32_t *innermost)
{
	char line[256], *field, *end;
	size_t n = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "NSpid:", 6))
			continue;
		for (field = line + 6;; field = end) {
			unsigned long pid = strtoul(field, &end, 10);

			if (end == field)
				break;
			*innermost = (uint32_t)pid;
			n++;
		}
	}
	fclose(f);
	return n;
}

bool pidns__ours(pid_t pid)
{
	char path[64];
	uint32_t innermost;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	return proc_status__ns_pids(path, &innermost) <= 1;
}

uint32_t pidns__inner_tid(pid_t pid, uint32_t tid)
{
	char path[96];
	uint32_t innermost;

	snprintf(path, sizeof(path), "/proc/%d/task/%u/status", pid, tid);
	return proc_status__ns_pids(path, &innermost) ? innermost : 0;
}

uint32_t pidns__our_tid(pid_t pid, uint32_t inner_tid)
{
	char path[96];
	struct dirent *ent;
	uint32_t innermost, tid = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return 0;
	while (!tid && (ent = readdir(dir))) {
		snprintf(path, sizeof(path), "/proc/%d/task/%.20s/status", pid, ent->d_name);
		if (ent->d_name[0] != '.' && proc_status__ns_pids(path, &innermost) &&
		    innermost == inner_tid)
			tid = (uint32_t)strtoul(ent->d_name, NULL, 10);
	}
	closedir(dir);
	return tid;
}

uint32_t pidns__to_ours(pid_t pid, bool ours, uint32_t inner_tid)
{
	return ours || !inner_tid ? inner_tid : pidns__our_tid(pid, inner_tid);
}
