// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc/procstat.h"

int procstat__next_pid(DIR *proc, uint32_t *pid)
{
	struct dirent *de;
	unsigned long n;
	char *end;

	for (;;) {
		errno = 0;
		de = readdir(proc);
		if (!de)
			return -errno;
		n = strtoul(de->d_name, &end, 10);
		if (!*end && n && n <= UINT32_MAX) {
			*pid = (uint32_t)n;
			return 1;
		}
	}
}

bool procstat__read(uint32_t pid, struct procstat *out)
{
	char path[32], buf[1024], *name, *end;
	unsigned long long ticks;
	unsigned int flags;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%" PRIu32 "/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* The name, between the first "(" and the last ")", may hold anything, ")" included. */
	name = strchr(buf, '(');
	end = strrchr(buf, ')');
	if (!name || !end || end < name ||
	    sscanf(end + 1,
		   " %*c %*d %*d %*d %*d %*d %u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d "
		   "%llu",
		   &flags, &ticks) != 2)
		return false;
	name++;
	n = (size_t)(end - name) < sizeof(out->comm) - 1 ? (size_t)(end - name)
							 : sizeof(out->comm) - 1;
	memcpy(out->comm, name, n);
	out->comm[n] = '\0';
	out->flags = flags;
	out->start_ticks = ticks;
	return true;
}
