/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_GLIBC_H
#define LEAKMON_GLIBC_H

#include <stdbool.h>
#include <stdint.h>

/*
 * glibc's locks as another process keeps them (x86_64, glibc 2.36; DESIGN.md section 5): who
 * holds a mutex, who writes an rwlock, whom a join waits for, who holds a FILE. Read with
 * process_vm_readv: nothing is stopped. The runtime glibc_runtime (runtime.h) reads them for the
 * waits a stack names as glibc's; these are its readers, for the tests.
 */
#define MUTEX_WORDS 5

/* The first words of the mutex at addr in process pid; false if they cannot be read. */
bool mutex__read(uint32_t pid, uint64_t addr, uint32_t words[MUTEX_WORDS]);
/*
 * The owner the words name. A mutex waited on is locked. A word that is not (glibc parks a
 * thread on a zero word of its own stack when the kernel refuses its priority-inheritance lock)
 * is no mutex: what follows it is not an owner.
 */
uint32_t mutex__owner(const uint32_t words[MUTEX_WORDS]);
/* The owner of the mutex at addr in process pid, or 0 if none or unknown. */
uint32_t mutex__owner_at(uint32_t pid, uint64_t addr);
/*
 * The rwlock a waiter's futex at futex is in, or 0 if unreadable: readers, and writers while
 * readers hold it, wait on its word at 8; writers while a writer holds it on its word at 12,
 * with that writer's tid 12 bytes further on, where the word 8 is padding, always 0.
 */
uint64_t rwlock__of_futex(uint32_t pid, uint64_t futex);
/* The tid of the thread that writes the rwlock at addr (__cur_writer), or 0: none, or unknown. */
uint32_t rwlock__writer(uint32_t pid, uint64_t addr);
/*
 * The thread a pthread_join() waiting on the futex at futex joins: it waits on that thread's
 * tid, in its struct pthread, which the kernel clears when the thread exits. 0: gone, unknown.
 */
uint32_t join__thread(uint32_t pid, uint64_t futex);
/*
 * Where a struct pthread keeps its tid, from libthread_db's descriptor of that field in the
 * process's libc (the symbol _thread_db_pthread_tid, at descriptor); 0: unknown.
 */
uint64_t pthread__tid_offset(uint32_t pid, uint64_t descriptor);
/*
 * The thread holding the FILE lock (glibc's _IO_lock_t) at futex, read through its owner's
 * struct pthread, whose tid is at tid_offset; 0: free, or unknown. As the process numbers it.
 */
uint32_t file_lock__owner(uint32_t pid, uint64_t futex, uint64_t tid_offset);

#endif /* LEAKMON_GLIBC_H */
