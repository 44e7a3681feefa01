// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Attach the floor's empty programs (floor.bpf.c) the way leakmon chooses its hooks: typed
 * tracepoints where the kernel takes them (thread creation), raw tracepoints otherwise (none
 * there); at sched_switch only where the scheduler does not date sleeps itself. With
 * --map-read, the thread creation program reads one map value (floor.bpf.c). Prints
 * "attached MODE", then holds them until SIGINT or SIGTERM.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "loader/features.h"
#include "floor.skel.h"

static int floor__start(struct floor_bpf **out, bool btf, bool map_read)
{
	bool stamp_sleeps = !features__sched_info();
	struct floor_bpf *skel;
	int err;

	skel = floor_bpf__open();
	if (!skel)
		return -errno;
	bpf_program__set_autoload(skel->progs.floor_created_btf, btf && !map_read);
	bpf_program__set_autoload(skel->progs.floor_created_btf_map, btf && map_read);
	bpf_program__set_autoload(skel->progs.floor_switched_btf, btf && stamp_sleeps);
	bpf_program__set_autoload(skel->progs.floor_switched_raw, !btf && stamp_sleeps);
	err = floor_bpf__load(skel);
	if (!err)
		err = floor_bpf__attach(skel);
	if (err) {
		floor_bpf__destroy(skel);
		return err;
	}
	*out = skel;
	return 0;
}

static int floor__quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level;
	(void)fmt;
	(void)args;
	return 0;
}

int main(int argc, char **argv)
{
	struct floor_bpf *skel = NULL;
	bool btf = true, map_read;
	sigset_t stop;
	int err, sig;

	if (argc > 2 || (argc == 2 && strcmp(argv[1], "--map-read"))) {
		fprintf(stderr, "usage: floor [--map-read]\n");
		return 2;
	}
	map_read = argc == 2;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	/* Shells start background jobs with SIGINT ignored, and an ignored signal never waits. */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	sigprocmask(SIG_BLOCK, &stop, NULL);
	libbpf_set_print(floor__quiet);
	err = floor__start(&skel, btf, map_read);
	if (err) {
		btf = false;
		err = floor__start(&skel, btf, map_read);
	}
	if (err) {
		fprintf(stderr, "floor: loading the programs failed: %s\n", strerror(-err));
		return 1;
	}
	printf("attached %s%s\n", btf ? "tp_btf" : "raw_tp", map_read ? " map-read" : "");
	fflush(stdout);
	sigwait(&stop, &sig);
	floor_bpf__destroy(skel);
	return 0;
}
