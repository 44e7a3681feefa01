// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <sys/uio.h>

#include "proc/remote.h"

size_t remote__read_some(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };
	ssize_t got = addr ? process_vm_readv(pid, &local, 1, &remote, 1, 0) : -1;

	return got > 0 ? (size_t)got : 0;
}

bool remote__read(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	return remote__read_some(pid, addr, buf, len) == len;
}
