// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Rules by frame: what --stuck-functions and --idle-functions make of a stack's functions. */
#include "monitor/rules.h"
#include "unit.h"

static struct config cfg;

static void rules(const char *stuck, const char *idle)
{
	snprintf(cfg.stuck_functions, sizeof(cfg.stuck_functions), "%s", stuck);
	snprintf(cfg.idle_functions, sizeof(cfg.idle_functions), "%s", idle);
}

/* A stack of the given functions, innermost first (NULL: a frame without a symbol). */
static enum wait_rule rule_of(const char *const *funcs, size_t n)
{
	struct frame frames[16] = {};
	struct stack st = { .frames = frames, .n = n };

	for (size_t i = 0; i < n; i++)
		frames[i].func = funcs[i];
	return rules__of_stack(&cfg, &st);
}

int main(void)
{
	/* MariaDB's metadata-lock wait, and a connection's thread under it. */
	static const char *const mdl[] = {
		"__futex_abstimed_wait_common",
		"pthread_cond_timedwait",
		"MDL_wait::timed_wait(MDL_context_owner*, timespec*, bool, PSI_stage_info_v1 "
		"const*)",
		"MDL_context::acquire_lock(MDL_request*, double)",
		NULL,
		"do_handle_one_connection(CONNECT*, bool)",
	};
	/* InnoDB's row-lock wait: unnamed functions under a storage engine call. */
	static const char *const row[] = { "pthread_cond_timedwait", NULL, NULL,
					   "handler::ha_index_read_map(unsigned char*, unsigned "
					   "char const*, unsigned long, ha_rkey_function)" };
	static const char *const redis[] = { "__GI___lll_lock_wait", "pthread_mutex_lock",
					     "IOThreadMain" };
	static const char *const member[] = { "pthread_cond_wait", "Queue::pop() const &&" };

	rules("", "");
	CHECK(rule_of(mdl, 6) == WAIT_RULE_NONE, "no rules: the kind decides");
	rules("MDL_wait::timed_wait,handler::ha_*", "IOThreadMain,do_handle_one_connection");
	CHECK(rule_of(mdl, 6) == WAIT_RULE_STUCK,
	      "a function named without its parameters; the frame nearest the wait decides");
	CHECK(rule_of(row, 4) == WAIT_RULE_STUCK, "a pattern, past frames without names");
	CHECK(rule_of(redis, 3) == WAIT_RULE_IDLE, "an idle rule");
	CHECK(rule_of(mdl + 4, 2) == WAIT_RULE_IDLE, "the outer frame alone: idle");
	rules("Queue::pop", "");
	CHECK(rule_of(member, 2) == WAIT_RULE_STUCK, "qualifiers after the parameters");
	rules("MDL_wait::timed_wait(*", "");
	CHECK(rule_of(mdl, 6) == WAIT_RULE_STUCK, "or the full name");
	rules("MDL_wait", "");
	CHECK(rule_of(mdl, 6) == WAIT_RULE_NONE, "a pattern matches a whole name, not a part");
	return unit__finish("test_rules");
}
