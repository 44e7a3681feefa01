/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_PREFLIGHT_H
#define LEAKMON_PREFLIGHT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KERNEL_BTF_PATH "/sys/kernel/btf/vmlinux"

/*
 * Checks made before anything is loaded, each logging one line that names the problem.
 * Return 0 or a negative errno.
 */
int preflight__check_btf(const char *path);
int preflight__check_privileges(void);
/* Whether stacks of other users' processes can be read (CAP_SYS_PTRACE); says so if not. */
bool preflight__check_stack_access(void);
/*
 * Every pid names a live user process (a thread group leader, not a kernel thread): -ESRCH
 * otherwise, said if report.
 */
int preflight__check_pids(const uint32_t *pids, size_t n_pids, bool report);

#endif /* LEAKMON_PREFLIGHT_H */
