/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_RULES_H
#define LEAKMON_RULES_H

#include "config/config.h"
#include "model/stack.h"

/*
 * Rules by frame (--stuck-functions, --idle-functions), goleak's IgnoreTopFunction turned
 * around: what a stack's functions say of its wait, whatever its kind.
 */
enum wait_rule {
	WAIT_RULE_NONE,	 /* neither list names a frame: the wait's kind decides */
	WAIT_RULE_STUCK, /* a lock wait: an event past the threshold */
	WAIT_RULE_IDLE,	 /* waiting for work: never an event */
};

/*
 * The rule of the frame nearest the wait (innermost first) that either list names: a function
 * matches a pattern by its full name or by its name without its parameters
 * ("MDL_wait::timed_wait" for "MDL_wait::timed_wait(MDL_context_owner*, ...)").
 */
enum wait_rule rules__of_stack(const struct config *cfg, const struct stack *st);

#endif /* LEAKMON_RULES_H */
