// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/strpool.h"

struct strpool {
	char **slots; /* open addressing, power-of-two size */
	size_t size, used;
};

struct strpool *strpool__new(void)
{
	return calloc(1, sizeof(struct strpool));
}

void strpool__free(struct strpool *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->size; i++)
		free(p->slots[i]);
	free(p->slots);
	free(p);
}

static uint64_t strpool__hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ULL;
	return h;
}

static char **strpool__slot(char **slots, size_t size, const char *s)
{
	size_t i = strpool__hash(s) & (size - 1);

	while (slots[i] && strcmp(slots[i], s))
		i = (i + 1) & (size - 1);
	return &slots[i];
}

static int strpool__grow(struct strpool *p)
{
	size_t size = p->size ? p->size * 2 : 256;
	char **slots = calloc(size, sizeof(*slots));

	if (!slots)
		return -1;
	for (size_t i = 0; i < p->size; i++)
		if (p->slots[i])
			*strpool__slot(slots, size, p->slots[i]) = p->slots[i];
	free(p->slots);
	p->slots = slots;
	p->size = size;
	return 0;
}

const char *strpool__intern(struct strpool *p, const char *s)
{
	char **slot;

	if (!s)
		return NULL;
	if (p->used * 2 >= p->size && strpool__grow(p))
		return NULL;
	slot = strpool__slot(p->slots, p->size, s);
	if (!*slot) {
		*slot = strdup(s);
		if (!*slot)
			return NULL;
		p->used++;
	}
	return *slot;
}
