// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stddef.h>

#include "util/syscalls.h"

/* Generated at build time from the installed <asm/unistd_64.h>. */
static const char *const syscall_names[] = {
#include "syscall_names.h"
};

/* Added after the kernel headers Debian 12 ships: numbered the same on every architecture. */
static const char *const newer_syscall_names[] = {
	[451 - 451] = "cachestat",	   [452 - 451] = "fchmodat2",
	[453 - 451] = "map_shadow_stack",  [454 - 451] = "futex_wake",
	[455 - 451] = "futex_wait",	   [456 - 451] = "futex_requeue",
	[457 - 451] = "statmount",	   [458 - 451] = "listmount",
	[459 - 451] = "lsm_get_self_attr", [460 - 451] = "lsm_set_self_attr",
	[461 - 451] = "lsm_list_modules",  [462 - 451] = "mseal",
	[463 - 451] = "setxattrat",	   [464 - 451] = "getxattrat",
	[465 - 451] = "listxattrat",	   [466 - 451] = "removexattrat",
	[467 - 451] = "open_tree_attr",	   [468 - 451] = "file_getattr",
	[469 - 451] = "file_setattr",
};

#define ARRAY_LEN(a) ((long)(sizeof(a) / sizeof((a)[0])))

const char *syscall__name(long nr)
{
	if (nr >= 0 && nr < ARRAY_LEN(syscall_names) && syscall_names[nr])
		return syscall_names[nr];
	if (nr >= 451 && nr - 451 < ARRAY_LEN(newer_syscall_names))
		return newer_syscall_names[nr - 451];
	return NULL;
}
