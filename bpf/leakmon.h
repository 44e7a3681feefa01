/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Records shared by the BPF programs and userspace. Fixed-width types only, every record starts
 * with its type and size, and sizes are pinned so both sides agree on the layout.
 */
#ifndef LEAKMON_H
#define LEAKMON_H

/* BPF programs get the fixed-width types from vmlinux.h; userspace from the UAPI. */
#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define LEAKMON_COMM_LEN 16

/* Saved user registers in DWARF x86_64 numbering: 0 rax ... 15 r15, 16 rip. */
#define LEAKMON_NREGS 17
#define LEAKMON_REG_DX 1
#define LEAKMON_REG_BX 3
#define LEAKMON_REG_SI 4
#define LEAKMON_REG_DI 5
#define LEAKMON_REG_BP 6
#define LEAKMON_REG_SP 7
#define LEAKMON_REG_R8 8
#define LEAKMON_REG_R9 9
#define LEAKMON_REG_R10 10
#define LEAKMON_REG_IP 16

/*
 * The top of a thread creator's user stack, copied when the thread was created. A record is then
 * just under 2 KiB, the size --creator-slots promises per slot; the copy takes ~0.3 us of a
 * creation (BENCHMARKS.md). Chosen when records lived in task storage, where 2 KiB of stack
 * pushed each into the 4 KiB allocation class.
 */
#define LEAKMON_CREATOR_STACK 1792
/* Slots in a bucket of the creators table (bpf/shared.bpf.h) */
#define LEAKMON_CREATOR_WAYS 4

/*
 * A process's highest live thread count since userspace last zeroed the slots (a new creators
 * window): the fork hook keeps the creator of a thread that raises it. Slots are picked by pid
 * (pid & LEAKMON_PROC_HIGH_SLOT_MASK), with no entry to create or delete: a lookup in an array
 * is a few instructions. Another process in the same slot (a pid that maps there, or a reused
 * one) takes the slot over.
 */
struct proc_high {
	/*
	 * The low bits of its signal_struct's address: which process holds the slot. Its tgid and
	 * start time would say so too, at the cost of more loads at every creation.
	 */
	__u32 tag;
	/*
	 * Its high; or LEAKMON_EVERY_CREATION, written by userspace for a process whose count
	 * rises: each of its creations keeps its creator until userspace zeroes the slot. A leak
	 * beside a pool that churns faster sets no high of its own: the pool's creations do.
	 */
	__s32 threads;
};

#define LEAKMON_PROC_HIGH_SLOT_MASK 0xffff
#define LEAKMON_EVERY_CREATION (-2147483647 - 1)

enum leakmon_record_type {
	LEAKMON_RECORD_TASK = 1,
	LEAKMON_RECORD_CREATOR = 2,
};

/* task_record.flags */
#define LEAKMON_TASK_ON_CPU (1U << 0)	   /* running on a CPU when read */
#define LEAKMON_TASK_HAS_REGS (1U << 1)	   /* regs[] and syscall_nr are valid */
#define LEAKMON_TASK_HAS_FILE (1U << 2)	   /* file_ino/file_mode describe fd arg0 */
#define LEAKMON_TASK_SINCE_ROUGH (1U << 3) /* blocked_since_ns only to within its last run */

/*
 * One thread, written by the task iterator. tid and tgid are as leakmon's own pid namespace
 * numbers them (what its /proc shows); threads outside that namespace are not written.
 */
struct task_record {
	__u32 type;
	__u32 size;
	__u32 tid;
	__u32 tgid;
	__u32 state;	  /* task->__state */
	__u32 exit_state; /* task->exit_state */
	__u32 flags;	  /* LEAKMON_TASK_* */
	__u32 cpu;
	char comm[LEAKMON_COMM_LEN];
	char group_comm[LEAKMON_COMM_LEN]; /* the thread group leader's comm: the process name */
	__s64 syscall_nr;		   /* pending syscall, -1 when not in one */
	__u64 regs[LEAKMON_NREGS];
	__u64 blocked_since_ns; /* CLOCK_MONOTONIC when it last left a CPU; 0: unknown */
	__u64 nvcsw;
	__u64 nivcsw;
	__u64 file_ino; /* inode of the file behind fd arg0 of the pending syscall */
	__u32 file_mode;
	__s32 group_threads; /* its process's threads not yet exiting: the kernel's count */
	__u64 start_ns;	     /* CLOCK_MONOTONIC when the thread started: tells a reused tid apart */
	__u64 group_start_ns; /* when its process started: tells a reused pid apart */
	/*
	 * While syscall_nr is restart_syscall (a timed wait stopped and continued: SIGSTOP, a
	 * debugger), the first 16 bytes of the kernel's restart block: what the wait was (a futex's
	 * address, value and flags; poll's fds, their count and whether it has a timeout; a sleep's
	 * clock, kind and remainder pointer). The registers still hold its arguments.
	 */
	__u64 restart_args[2];
	__u64 cpu_ns; /* CPU time the thread has used: a wait re-armed without work between */
};

/*
 * Where a thread was created: its creator's registers and the top of its stack at clone time,
 * for userspace to unwind ("created by"). Follows the task record of the thread it describes
 * (whose ids count: tid and tgid here are the initial namespace's; creator_tid is numbered as the
 * namespace of the leakmon that loaded the programs numbers it, as task records are).
 */
struct creator_record {
	__u32 type;
	__u32 size;
	__u32 tid;	   /* the thread created */
	__u32 creator_tid; /* the thread that created it */
	__u32 stack_len;   /* valid bytes of stack[] */
	__u32 tgid;	   /* its process */
	__u64 regs[LEAKMON_NREGS];
	__u8 stack[LEAKMON_CREATOR_STACK];
};

/* Who keeps the pinned maps alive: a running leakmon, until it stops (userspace only). */
struct owner_record {
	__u32 pid;
	__u32 pad;
	__u64 start_ticks; /* its start time, /proc/PID/stat field 22: tells a reused pid */
};

_Static_assert(sizeof(struct task_record) == 288, "task_record layout changed");
_Static_assert(sizeof(struct proc_high) == 8, "proc_high layout changed");
_Static_assert(sizeof(struct creator_record) == 24 + 8 * LEAKMON_NREGS + LEAKMON_CREATOR_STACK,
	       "creator_record layout changed");

#endif /* LEAKMON_H */
