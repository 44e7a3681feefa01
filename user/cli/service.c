// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <string.h>
#include <systemd/sd-daemon.h>

#include "cli/service.h"
#include "util/log.h"

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
