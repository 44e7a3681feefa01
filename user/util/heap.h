/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_HEAP_H
#define LEAKMON_HEAP_H

/*
 * For a command that runs once and exits: from now on, allocations of up to 32 MiB come from a
 * heap span the kernel may back with 2 MiB pages, and memory freed stays in the process. On
 * hypervisors where each page fault traps to the host (~10 us here), libbpf's parse of the
 * kernel's BTF alone (two 5.5 MB buffers, ~2,800 faults) cost a snapshot ~45 ms.
 * A long-running leakmon keeps glibc's defaults, which give memory back.
 */
void heap__prefer_huge_pages(void);

#endif /* LEAKMON_HEAP_H */
