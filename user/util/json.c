// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "util/text.h"

#define JSON_MAX_DEPTH 32

struct json_writer {
	FILE *out;
	int depth;
	bool first[JSON_MAX_DEPTH]; /* nothing written yet at this depth */
	bool after_key;
};

struct json_writer *json_writer__new(FILE *out)
{
	struct json_writer *jw = calloc(1, sizeof(*jw));

	if (!jw)
		return NULL;
	jw->out = out;
	jw->first[0] = true;
	return jw;
}

void json_writer__free(struct json_writer *jw)
{
	if (!jw)
		return;
	fputc('\n', jw->out);
	fflush(jw->out);
	free(jw);
}

/* Separate this value from the previous one at the same depth. */
static void json__value_start(struct json_writer *jw)
{
	if (jw->after_key) {
		jw->after_key = false;
		return;
	}
	if (!jw->first[jw->depth])
		fputc_unlocked(',', jw->out);
	jw->first[jw->depth] = false;
}

static void json__open(struct json_writer *jw, char c)
{
	json__value_start(jw);
	fputc_unlocked(c, jw->out);
	if (jw->depth < JSON_MAX_DEPTH - 1)
		jw->depth++;
	jw->first[jw->depth] = true;
}

static void json__close(struct json_writer *jw, char c)
{
	fputc_unlocked(c, jw->out);
	if (jw->depth > 0)
		jw->depth--;
}

void json__begin_object(struct json_writer *jw)
{
	json__open(jw, '{');
}

void json__end_object(struct json_writer *jw)
{
	json__close(jw, '}');
}

void json__begin_array(struct json_writer *jw)
{
	json__open(jw, '[');
}

void json__end_array(struct json_writer *jw)
{
	json__close(jw, ']');
}

/*
 * Runs of bytes that need no escaping are written whole; the rest one by one. Characters that
 * could steer a terminal (C0, C1, DEL, bidirectional controls) are \u escapes, lossless and ASCII.
 * An invalid UTF-8 byte is U+FFFD followed by the byte as text, \xNN: valid JSON that never
 * reads as a real character (0xFF is not U+00FF).
 */
static void json__write_escaped(struct json_writer *jw, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0, n;
	char esc[6] = { '\\', 'u' };
	uint32_t cp;

	fputc_unlocked('"', jw->out);
	while (i < len) {
		n = utf8__decode(p + i, len - i, &cp);
		if (n && !text__hostile_code_point(cp) && cp != '"' && cp != '\\') {
			i += n;
			continue;
		}
		fwrite_unlocked(p + run, 1, i - run, jw->out);
		if (n && (cp == '"' || cp == '\\')) {
			fputc_unlocked('\\', jw->out);
			fputc_unlocked((int)cp, jw->out);
		} else if (n) {
			for (int k = 0; k < 4; k++)
				esc[2 + k] = hex[(cp >> (12 - 4 * k)) & 15];
			fwrite_unlocked(esc, 1, sizeof(esc), jw->out);
		} else {
			fprintf(jw->out, "\\ufffd\\\\x%c%c", hex[p[i] >> 4], hex[p[i] & 15]);
		}
		i += n ? n : 1;
		run = i;
	}
	fwrite_unlocked(p + run, 1, i - run, jw->out);
	fputc_unlocked('"', jw->out);
}

void json__key(struct json_writer *jw, const char *key)
{
	json__value_start(jw);
	json__write_escaped(jw, key, strlen(key));
	fputc_unlocked(':', jw->out);
	jw->after_key = true;
}

void json__string_bytes(struct json_writer *jw, const char *s, size_t len)
{
	json__value_start(jw);
	json__write_escaped(jw, s, len);
}

void json__string(struct json_writer *jw, const char *s)
{
	json__string_bytes(jw, s, strlen(s));
}

static void json__write_u64(struct json_writer *jw, uint64_t v)
{
	char digits[20];
	size_t n = 0;

	do {
		digits[sizeof(digits) - ++n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	fwrite_unlocked(digits + sizeof(digits) - n, 1, n, jw->out);
}

void json__u64(struct json_writer *jw, uint64_t v)
{
	json__value_start(jw);
	json__write_u64(jw, v);
}

void json__s64(struct json_writer *jw, int64_t v)
{
	json__value_start(jw);
	if (v < 0)
		fputc_unlocked('-', jw->out);
	json__write_u64(jw, v < 0 ? -(uint64_t)v : (uint64_t)v);
}

void json__double(struct json_writer *jw, double v)
{
	json__value_start(jw);
	if (isfinite(v))
		fprintf(jw->out, "%.9g", v);
	else
		fputs("null", jw->out);
}

void json__bool(struct json_writer *jw, bool v)
{
	json__value_start(jw);
	fputs_unlocked(v ? "true" : "false", jw->out);
}

void json__null(struct json_writer *jw)
{
	json__value_start(jw);
	fputs_unlocked("null", jw->out);
}

void json__field_string(struct json_writer *jw, const char *key, const char *s)
{
	json__key(jw, key);
	if (s)
		json__string(jw, s);
	else
		json__null(jw);
}

void json__field_u64(struct json_writer *jw, const char *key, uint64_t v)
{
	json__key(jw, key);
	json__u64(jw, v);
}

void json__field_u64_known(struct json_writer *jw, const char *key, bool known, uint64_t v)
{
	json__key(jw, key);
	if (known)
		json__u64(jw, v);
	else
		json__null(jw);
}

void json__field_s64(struct json_writer *jw, const char *key, int64_t v)
{
	json__key(jw, key);
	json__s64(jw, v);
}

void json__field_bool(struct json_writer *jw, const char *key, bool v)
{
	json__key(jw, key);
	json__bool(jw, v);
}
