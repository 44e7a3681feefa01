// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>

#include "log.h"
#include "service.h"

void service__ready(const char *status)
{
	int err = sd_notifyf(0, "READY=1\nSTATUS=%s", status);

	if (err < 0)
		log_warn("telling systemd we are ready failed: %s", strerror(-err));
}

void service__reloading(void)
{
	sd_notify(0, "RELOADING=1\nSTATUS=reloading the configuration");
}

void service__stopping(void)
{
	sd_notify(0, "STOPPING=1\nSTATUS=detaching");
}

bool service__journal_stream(int fd)
{
	const char *stream = getenv("JOURNAL_STREAM");
	uintmax_t dev, ino;
	struct stat st;

	if (!stream || sscanf(stream, "%ju:%ju", &dev, &ino) != 2 || fstat(fd, &st))
		return false;
	return st.st_dev == dev && st.st_ino == ino;
}
