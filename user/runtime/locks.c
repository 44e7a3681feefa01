// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "runtime/locks.h"
#include "proc/remote.h"

/* pthread_mutex_t: __lock at 0, __owner at 8, __kind at 16. */
#define MUTEX_KIND_ROBUST 16
#define MUTEX_KIND_PI 32
#define FUTEX_TID_MASK 0x3fffffff
/* pthread_rwlock_t: __wrphase_futex at 8, __writers_futex at 12, __cur_writer at 24. */
#define RWLOCK_WRPHASE_FUTEX 8
#define RWLOCK_WRITERS_FUTEX 12
#define RWLOCK_CUR_WRITER 24
/* A FILE's _IO_lock_t: its lock word, its recursion count, its owner's struct pthread at 8. */
#define FILE_LOCK_WORDS 4
/* libthread_db's descriptor of a field (_thread_db_pthread_tid): its bits, count, offset. */
#define TD_FIELD_WORDS 3
#define TD_TID_BITS 32

static bool words__read(uint32_t pid, uint64_t addr, uint32_t *words, size_t n)
{
	return remote__read((pid_t)pid, addr, words, n * sizeof(*words));
}

bool mutex__read(uint32_t pid, uint64_t addr, uint32_t words[MUTEX_WORDS])
{
	return words__read(pid, addr, words, MUTEX_WORDS);
}

uint32_t mutex__owner(const uint32_t words[MUTEX_WORDS])
{
	if (!words[0])
		return 0;
	if (words[4] & (MUTEX_KIND_PI | MUTEX_KIND_ROBUST))
		return words[0] & FUTEX_TID_MASK;
	return words[2];
}

uint32_t mutex__owner_at(uint32_t pid, uint64_t addr)
{
	uint32_t words[MUTEX_WORDS];

	return mutex__read(pid, addr, words) ? mutex__owner(words) : 0;
}

uint64_t rwlock__of_futex(uint32_t pid, uint64_t futex)
{
	uint32_t writer_if_writers_futex;

	if (futex < RWLOCK_WRITERS_FUTEX ||
	    !words__read(pid, futex + RWLOCK_CUR_WRITER - RWLOCK_WRITERS_FUTEX,
			 &writer_if_writers_futex, 1))
		return 0;
	return futex - (writer_if_writers_futex ? RWLOCK_WRITERS_FUTEX : RWLOCK_WRPHASE_FUTEX);
}

uint32_t rwlock__writer(uint32_t pid, uint64_t addr)
{
	uint32_t writer;

	return words__read(pid, addr + RWLOCK_CUR_WRITER, &writer, 1) ? writer : 0;
}

uint64_t pthread__tid_offset(uint32_t pid, uint64_t descriptor)
{
	uint32_t field[TD_FIELD_WORDS];

	return descriptor && words__read(pid, descriptor, field, TD_FIELD_WORDS) &&
			       field[0] == TD_TID_BITS && field[1] == 1
		       ? field[2]
		       : 0;
}

uint32_t file_lock__owner(uint32_t pid, uint64_t futex, uint64_t tid_offset)
{
	uint32_t words[FILE_LOCK_WORDS], tid;
	uint64_t owner;

	if (!tid_offset || !words__read(pid, futex, words, FILE_LOCK_WORDS) || !words[0])
		return 0;
	owner = words[2] | (uint64_t)words[3] << 32;
	return owner && words__read(pid, owner + tid_offset, &tid, 1) ? tid : 0;
}

uint32_t join__thread(uint32_t pid, uint64_t futex)
{
	uint32_t tid;

	return futex && words__read(pid, futex, &tid, 1) ? tid : 0;
}
