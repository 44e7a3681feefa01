// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <fnmatch.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "monitor/rules.h"

/* The longest name matched without its parameters; a longer one is matched whole only. */
#define RULES_NAME_MAX 512

/*
 * A C++ name without its parameter list and qualifiers: the text before the '(' that opens the
 * last balanced (...) group, into out; false when there is none.
 */
static bool name__without_parameters(const char *name, char *out, size_t size)
{
	size_t len = strlen(name), depth = 0;

	/* " const", " &&", " volatile": what may follow the parameters. */
	while (len && name[len - 1] != ')') {
		if (name[len - 1] != ' ' && name[len - 1] != '&' &&
		    (name[len - 1] < 'a' || name[len - 1] > 'z'))
			return false;
		len--;
	}
	for (size_t i = len; i-- > 0;) {
		if (name[i] == ')')
			depth++;
		else if (name[i] == '(' && !--depth)
			return i && i < size && snprintf(out, size, "%.*s", (int)i, name) > 0;
	}
	return false;
}

/* Whether one of the comma-separated patterns matches name. */
static bool patterns__match(const char *patterns, const char *name)
{
	char pattern[CONFIG_LIST_LEN];

	for (const char *p = patterns; *p;) {
		size_t n = strcspn(p, ",");

		snprintf(pattern, sizeof(pattern), "%.*s", (int)n, p);
		if (!fnmatch(pattern, name, 0))
			return true;
		p += n + (p[n] == ',');
	}
	return false;
}

/* The rule the lists give a function's name, whole or without its parameters. */
static enum wait_rule rules__of_name(const struct config *cfg, const char *name)
{
	char bare[RULES_NAME_MAX];
	bool has_bare = name__without_parameters(name, bare, sizeof(bare));

	if (patterns__match(cfg->idle_functions, name) ||
	    (has_bare && patterns__match(cfg->idle_functions, bare)))
		return WAIT_RULE_IDLE;
	if (patterns__match(cfg->stuck_functions, name) ||
	    (has_bare && patterns__match(cfg->stuck_functions, bare)))
		return WAIT_RULE_STUCK;
	return WAIT_RULE_NONE;
}

enum wait_rule rules__of_stack(const struct config *cfg, const struct stack *st)
{
	enum wait_rule rule;

	if (!*cfg->stuck_functions && !*cfg->idle_functions)
		return WAIT_RULE_NONE;
	for (size_t i = 0; i < st->n; i++)
		if (st->frames[i].func &&
		    (rule = rules__of_name(cfg, st->frames[i].func)) != WAIT_RULE_NONE)
			return rule;
	return WAIT_RULE_NONE;
}
