// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Which processes are watched, decided on this very process through the real /proc. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "monitor/select.h"
#include "unit.h"

static void set(char *field, const char *value)
{
	size_t len = strlen(value);

	if (len >= CONFIG_LIST_LEN)
		len = CONFIG_LIST_LEN - 1;
	memcpy(field, value, len);
	field[len] = '\0';
}

int main(void)
{
	char exe[4096] = "", cgroup[4096] = "", line[4096], pattern[4200];
	uint32_t me = (uint32_t)getpid();
	struct config cfg;
	ssize_t n;
	FILE *f;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	f = fopen("/proc/self/cgroup", "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "0::", 3))
			snprintf(cgroup, sizeof(cgroup), "%.*s", (int)strcspn(line + 3, "\n"),
				 line + 3);
	if (f)
		fclose(f);

	config__init(&cfg);
	CHECK(!select__any(&cfg) && select__watched(&cfg, me, "test_select"), "no lists: all");
	set(cfg.watch_names, "nginx,test_*");
	CHECK(select__watched(&cfg, me, "test_select"), "a name pattern");
	CHECK(!select__watched(&cfg, me, "other"), "a name not listed");
	config__init(&cfg);
	snprintf(pattern, sizeof(pattern), "/nowhere,%s", exe);
	set(cfg.watch_executables, pattern);
	CHECK(select__watched(&cfg, me, "x"), "its executable: %s", exe);
	set(cfg.ignore_names, "x");
	CHECK(!select__watched(&cfg, me, "x"), "ignored beats watched");
	config__init(&cfg);
	set(cfg.watch_cgroups, cgroup);
	CHECK(select__watched(&cfg, me, "x"), "its cgroup: %s", cgroup);
	set(cfg.watch_cgroups, "/");
	CHECK(select__watched(&cfg, me, "x"), "the root cgroup holds every cgroup");
	snprintf(pattern, sizeof(pattern), "%s-not", cgroup);
	set(cfg.watch_cgroups, pattern);
	CHECK(!select__watched(&cfg, me, "x"), "a cgroup is a path, not a prefix of a name");
	config__init(&cfg);
	set(cfg.ignore_cgroups, cgroup);
	CHECK(!select__watched(&cfg, me, "x"), "an ignored cgroup");
	return unit__finish("test_select");
}
