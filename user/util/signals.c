// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "util/signals.h"

static volatile sig_atomic_t stop_requested, reload_requested;

static void signals__on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_requested = 1;
	else
		stop_requested = 1;
}

int signals__install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = signals__on_signal;
	/* A file being read as one arrives goes on being read; sleeps still end (nanosleep). */
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL) ||
	    sigaction(SIGHUP, &sa, NULL))
		return -errno;
	return 0;
}

bool signals__stop_requested(void)
{
	return stop_requested;
}

bool signals__take_reload(void)
{
	bool requested = reload_requested;

	reload_requested = 0;
	return requested;
}

int signals__sleep(uint64_t ns)
{
	struct timespec left = { .tv_sec = (time_t)(ns / 1000000000ULL),
				 .tv_nsec = (long)(ns % 1000000000ULL) };

	/* The handler interrupts nanosleep; the flags say whether to stop or go on sleeping. */
	while (!stop_requested && !reload_requested && nanosleep(&left, &left))
		if (errno != EINTR)
			return -errno;
	return stop_requested ? -EINTR : 0;
}
