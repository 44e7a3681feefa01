// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "monitor/select.h"

/* Whether value matches an item of list (comma-separated); cgroups match by path prefix. */
static bool list__matches(const char *list, const char *value, bool cgroup)
{
	char item[CONFIG_LIST_LEN];

	if (!value)
		return false;
	while (*list) {
		size_t n = strcspn(list, ",");

		memcpy(item, list, n);
		item[n] = '\0';
		if (cgroup ? !strncmp(value, item, n) && (value[n] == '\0' || value[n] == '/' ||
							  (n == 1 && item[0] == '/'))
			   : !fnmatch(item, value, 0))
			return true;
		list += n + (list[n] == ',');
	}
	return false;
}

/* The file the process runs, or NULL (exited, or a kernel thread). */
static const char *process__exe(uint32_t pid, char *buf, size_t size)
{
	char path[32];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%u/exe", pid);
	n = readlink(path, buf, size - 1);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return buf;
}

/* The process's cgroup (v2: the "0::" line of /proc/PID/cgroup), or NULL. */
static const char *process__cgroup(uint32_t pid, char *buf, size_t size)
{
	const char *found = NULL;
	char path[32];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/cgroup", pid);
	f = fopen(path, "re");
	if (!f)
		return NULL;
	while (!found && fgets(buf, (int)size, f)) {
		if (strncmp(buf, "0::", 3))
			continue;
		buf[strcspn(buf, "\n")] = '\0';
		found = buf + 3;
	}
	fclose(f);
	return found;
}

bool select__any(const struct config *cfg)
{
	return cfg->watch_names[0] || cfg->watch_executables[0] || cfg->watch_cgroups[0] ||
	       cfg->ignore_names[0] || cfg->ignore_executables[0] || cfg->ignore_cgroups[0];
}

bool select__watched(const struct config *cfg, uint32_t pid, const char *comm)
{
	bool any_watch = cfg->watch_names[0] || cfg->watch_executables[0] || cfg->watch_cgroups[0];
	char exe_buf[4096], cgroup_buf[4096];
	const char *exe = NULL, *cgroup = NULL;

	if (!select__any(cfg))
		return true;
	if (cfg->watch_executables[0] || cfg->ignore_executables[0])
		exe = process__exe(pid, exe_buf, sizeof(exe_buf));
	if (cfg->watch_cgroups[0] || cfg->ignore_cgroups[0])
		cgroup = process__cgroup(pid, cgroup_buf, sizeof(cgroup_buf));
	if (list__matches(cfg->ignore_names, comm, false) ||
	    list__matches(cfg->ignore_executables, exe, false) ||
	    list__matches(cfg->ignore_cgroups, cgroup, true))
		return false;
	return !any_watch || list__matches(cfg->watch_names, comm, false) ||
	       list__matches(cfg->watch_executables, exe, false) ||
	       list__matches(cfg->watch_cgroups, cgroup, true);
}
