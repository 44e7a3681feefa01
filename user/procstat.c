// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "procstat.h"

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
