/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_JOURNAL_H
#define LEAKMON_JOURNAL_H

#include <stdbool.h>
#include <stdint.h>

/*
 * One event as one journal entry: the first line of its text for people is MESSAGE (with the
 * next one when the first ends in ':', so pid, tid, comm and wait kind are on one greppable
 * line); the lines after it (stacks) are the field LEAKMON_DETAILS. Alerts have priority
 * warning, the rest info; LEAKMON_EVENT, _PID, _COMM, _TID and _WAIT are fields of their own.
 */
struct journal_entry {
	const char *event;
	bool alert;
	const char *comm; /* NULL when the event is about no process */
	uint32_t pid;
	uint32_t tid; /* 0 when about no single thread */
	const char *wait;
	char *text; /* as the text output writes it, without the time; cut up in place */
};

int journal__send(struct journal_entry *e);

#endif /* LEAKMON_JOURNAL_H */
