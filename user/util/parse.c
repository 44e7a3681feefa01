// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "util/parse.h"

int parse__u32(const char *text, uint32_t min, uint32_t max, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (!text || !isdigit((unsigned char)text[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = (uint32_t)v;
	return 0;
}

static const struct {
	const char *suffix;
	double ns;
} duration_units[] = {
	{ "ns", 1 },	   { "us", 1e3 },	{ "ms", 1e6 },	      { "s", 1e9 },
	{ "m", 60 * 1e9 }, { "h", 3600 * 1e9 }, { "d", 86400 * 1e9 }, { "", 1e9 },
};

int parse__duration(const char *text, uint64_t *out_ns)
{
	double v, ns;
	char *end;
	size_t i;

	if (!text || !(isdigit((unsigned char)text[0]) || text[0] == '.'))
		return -EINVAL;
	errno = 0;
	v = strtod(text, &end);
	/* Plain decimals only: strtod would also take exponents, hex and "inf". */
	if (end == text || errno == ERANGE || !isfinite(v) ||
	    strspn(text, "0123456789.") != (size_t)(end - text))
		return -EINVAL;
	for (i = 0; i < sizeof(duration_units) / sizeof(duration_units[0]); i++) {
		if (strcmp(end, duration_units[i].suffix))
			continue;
		ns = v * duration_units[i].ns;
		/* A year is far beyond any sensible threshold and keeps the value exact. */
		if (ns > 366.0 * 86400 * 1e9)
			return -ERANGE;
		*out_ns = (uint64_t)llround(ns);
		return 0;
	}
	return -EINVAL;
}

int parse__pid_list(const char *text, uint32_t *pids, size_t max_pids, size_t *n_pids)
{
	char item[16];
	const char *p = text, *comma;
	size_t n = 0, len, i;
	uint32_t pid;
	int err;

	if (!text || !*text)
		return -EINVAL;
	for (;;) {
		comma = strchr(p, ',');
		len = comma ? (size_t)(comma - p) : strlen(p);
		if (!len || len >= sizeof(item))
			return len ? -ERANGE : -EINVAL;
		memcpy(item, p, len);
		item[len] = '\0';
		err = parse__u32(item, 1, INT32_MAX, &pid);
		if (err)
			return err;
		for (i = 0; i < n && pids[i] != pid; i++)
			;
		if (i == n) {
			if (n == max_pids)
				return -ERANGE;
			pids[n++] = pid;
		}
		if (!comma)
			break;
		p = comma + 1;
	}
	*n_pids = n;
	return 0;
}

int parse__listen_address(const char *text, char *host, size_t host_size, uint16_t *port)
{
	const char *colon = strrchr(text, ':');
	unsigned char addr[sizeof(struct in6_addr)];
	size_t len = colon ? (size_t)(colon - text) : 0;
	char name[INET6_ADDRSTRLEN + 2];
	uint32_t p;

	if (!colon || !len || len >= sizeof(name) || parse__u32(colon + 1, 1, 65535, &p))
		return -EINVAL;
	memcpy(name, text, len);
	name[len] = '\0';
	if (name[0] == '[' && name[len - 1] == ']') {
		name[len - 1] = '\0';
		if (inet_pton(AF_INET6, name + 1, addr) != 1)
			return -EINVAL;
		memmove(name, name + 1, len - 1);
	} else if (strcmp(name, "localhost") && inet_pton(AF_INET, name, addr) != 1) {
		return -EINVAL;
	}
	if (strlen(name) >= host_size)
		return -ERANGE;
	strcpy(host, name);
	*port = (uint16_t)p;
	return 0;
}

int parse__list(const char *text, char *out, size_t out_size)
{
	size_t len = strlen(text);

	if (len >= out_size)
		return -ERANGE;
	if (!len || text[0] == ',' || text[len - 1] == ',' || strstr(text, ",,"))
		return -EINVAL;
	for (const char *c = text; *c; c++)
		if (*c <= ' ' || *c > '~')
			return -EINVAL;
	memcpy(out, text, len + 1);
	return 0;
}

/* Whether pattern (up to end) is a shell pattern fnmatch() reads as written: every [ closed. */
static bool parse__pattern(const char *pattern, const char *end)
{
	for (const char *c = pattern; c < end; c++) {
		if (*c == '\\') {
			if (++c == end)
				return false;
		} else if (*c == '[') {
			const char *close = c + 1;

			if (close < end && (*close == '!' || *close == '^'))
				close++;
			/* A ] right after the bracket (or its negation) is one of the set. */
			if (close < end && *close == ']')
				close++;
			while (close < end && *close != ']')
				close++;
			if (close == end)
				return false;
			c = close;
		}
	}
	return true;
}

int parse__pattern_list(const char *text, char *out, size_t out_size)
{
	for (const char *item = text; *item;) {
		size_t n = strcspn(item, ",");

		if (!parse__pattern(item, item + n))
			return -EINVAL;
		item += n + (item[n] == ',');
	}
	return parse__list(text, out, out_size);
}
