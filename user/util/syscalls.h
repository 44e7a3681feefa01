/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_SYSCALLS_H
#define LEAKMON_SYSCALLS_H

/* The name of syscall nr on this architecture, or NULL if unknown. */
const char *syscall__name(long nr);

#endif /* LEAKMON_SYSCALLS_H */
