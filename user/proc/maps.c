// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proc/maps.h"
#include "util/array.h"

static int maps__add(struct maps *m, size_t *cap, uint64_t start, uint64_t end, const char *path)
{
	struct mapping *grown = array__grow(m->maps, cap, m->n, sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	m->maps = grown;
	m->maps[m->n].path = strdup(path);
	if (!m->maps[m->n].path)
		return -ENOMEM;
	m->maps[m->n].start = start;
	m->maps[m->n].end = end;
	m->n++;
	return 0;
}

static int maps__keep_line(struct maps *m, size_t *cap, const char *line, size_t len)
{
	char *grown;

	if (m->text_len + len + 1 > *cap) {
		*cap = (*cap ? *cap * 2 : 4096) + len;
		grown = realloc(m->text, *cap);
		if (!grown)
			return -ENOMEM;
		m->text = grown;
	}
	memcpy(m->text + m->text_len, line, len);
	m->text_len += len;
	m->text[m->text_len] = '\0';
	return 0;
}

int maps__read(FILE *f, struct maps *out)
{
	unsigned long long start, end;
	char *line = NULL, *path;
	size_t cap = 0, alloc = 0, text_cap = 0;
	ssize_t len;
	int pos, err = 0;

	memset(out, 0, sizeof(*out));
	while (!err && (len = getline(&line, &cap, f)) > 0) {
		if (!strchr(line, '/')) {
			if (strstr(line, "[vdso]"))
				err = maps__keep_line(out, &text_cap, line, (size_t)len);
			continue;
		}
		err = maps__keep_line(out, &text_cap, line, (size_t)len);
		if (err)
			break;
		pos = -1;
		if (sscanf(line, "%llx-%llx %*s %*s %*s %*s %n", &start, &end, &pos) != 2 ||
		    pos < 0 || start >= end)
			continue;
		path = line + pos;
		if (path[0] != '/')
			continue;
		path[strcspn(path, "\n")] = '\0';
		err = maps__add(out, &alloc, start, end, path);
	}
	free(line);
	if (err)
		maps__free(out);
	return err;
}

void maps__free(struct maps *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->maps[i].path);
	free(m->maps);
	free(m->text);
	memset(m, 0, sizeof(*m));
}

const struct mapping *maps__find(const struct maps *m, const char *path)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->maps[i].path, path))
			return &m->maps[i];
	return NULL;
}
