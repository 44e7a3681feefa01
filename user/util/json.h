/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_JSON_H
#define LEAKMON_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * The one JSON writer: compact output, commas placed for the caller, every string escaped so
 * that any bytes (control characters, invalid UTF-8) come out as valid JSON.
 */
struct json_writer;

struct json_writer *json_writer__new(FILE *out);
/* Ends the document with a newline and flushes it. NULL-safe. */
void json_writer__free(struct json_writer *jw);

void json__begin_object(struct json_writer *jw);
void json__end_object(struct json_writer *jw);
void json__begin_array(struct json_writer *jw);
void json__end_array(struct json_writer *jw);
void json__key(struct json_writer *jw, const char *key);
void json__string(struct json_writer *jw, const char *s);
void json__string_bytes(struct json_writer *jw, const char *s, size_t len);
void json__u64(struct json_writer *jw, uint64_t v);
void json__s64(struct json_writer *jw, int64_t v);
void json__double(struct json_writer *jw, double v);
void json__bool(struct json_writer *jw, bool v);
void json__null(struct json_writer *jw);

/* A key and its value in one call. A NULL string comes out as null. */
void json__field_string(struct json_writer *jw, const char *key, const char *s);
void json__field_u64(struct json_writer *jw, const char *key, uint64_t v);
/* v, or null where it is not known. */
void json__field_u64_known(struct json_writer *jw, const char *key, bool known, uint64_t v);
void json__field_s64(struct json_writer *jw, const char *key, int64_t v);
void json__field_bool(struct json_writer *jw, const char *key, bool v);

#endif /* LEAKMON_JSON_H */
