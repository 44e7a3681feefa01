/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_REMOTE_H
#define LEAKMON_REMOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

/*
 * Another process's memory, read in place (process_vm_readv): what it holds is its own, and is
 * checked before use. Up to len bytes at addr into buf: how many could be read (an object may end
 * where its mapping does); 0 for addr 0.
 */
size_t remote__read_some(pid_t pid, uint64_t addr, void *buf, size_t len);
/* All len bytes, or false. */
bool remote__read(pid_t pid, uint64_t addr, void *buf, size_t len);

/* A field of a copy read so, at byte offset off: copies are not aligned as their fields are. */
static inline uint64_t remote__u64_at(const unsigned char *copy, uint64_t off)
{
	uint64_t v;

	memcpy(&v, copy + off, sizeof(v));
	return v;
}

static inline uint32_t remote__u32_at(const unsigned char *copy, uint64_t off)
{
	uint32_t v;

	memcpy(&v, copy + off, sizeof(v));
	return v;
}

#endif /* LEAKMON_REMOTE_H */
