// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdlib.h>

#include "util/json.h"
#include "unit.h"

/* Write with fn into memory and return what came out. */
static char *json_output(void (*fn)(struct json_writer *jw))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json_writer *jw = json_writer__new(f);

	fn(jw);
	json_writer__free(jw);
	fclose(f);
	return buf;
}

static void write_nested(struct json_writer *jw)
{
	json__begin_object(jw);
	json__key(jw, "a");
	json__u64(jw, 1);
	json__key(jw, "list");
	json__begin_array(jw);
	json__s64(jw, -2);
	json__null(jw);
	json__bool(jw, true);
	json__begin_object(jw);
	json__end_object(jw);
	json__begin_array(jw);
	json__end_array(jw);
	json__end_array(jw);
	json__key(jw, "x");
	json__double(jw, 12.5);
	json__key(jw, "nan");
	json__double(jw, 0.0 / 0.0);
	json__end_object(jw);
}

static void write_hostile(struct json_writer *jw)
{
	json__begin_object(jw);
	json__key(jw, "k\"\n");
	json__string_bytes(jw, "\x1b]0;x\x07\xff\0z", 9);
	json__end_object(jw);
}

static void write_escapes(struct json_writer *jw)
{
	json__begin_array(jw);
	json__string(jw, "q\"b\\");
	json__string(jw, "\n\x1b\x7f\t");
	json__string(jw, "\xff\xe2\x82\xac\xe2\x82");
	json__string(jw, "\xc0\xaf\xed\xa0\x80\xf0\x9f\x98\x80");
	/* C1 (CSI), a right-to-left override, an isolate: valid UTF-8 that steers terminals. */
	json__string(jw, "\xc2\x9b"
			 "2J\xe2\x80\xae"
			 "evil\xe2\x81\xa6\xc3\xbf");
	json__s64(jw, -9223372036854775807LL - 1);
	json__u64(jw, 18446744073709551615ULL);
	json__u64(jw, 0);
	json__end_array(jw);
}

/*
 * An empty name is a name: "", not null; only a missing string is null. A known 0 is 0, an
 * unknown value null.
 */
static void write_fields(struct json_writer *jw)
{
	json__begin_object(jw);
	json__field_string(jw, "comm", "");
	json__field_string(jw, "object", NULL);
	json__field_u64_known(jw, "owner", true, 0);
	json__field_u64_known(jw, "line", false, 7);
	json__end_object(jw);
}

int main(void)
{
	char *out;

	out = json_output(write_nested);
	CHECK_STR(out, "{\"a\":1,\"list\":[-2,null,true,{},[]],\"x\":12.5,\"nan\":null}\n");
	free(out);
	out = json_output(write_hostile);
	CHECK_STR(out, "{\"k\\\"\\u000a\":\"\\u001b]0;x\\u0007\\ufffd\\\\xff\\u0000z\"}\n");
	free(out);
	/* Overlong and surrogate forms are not UTF-8; a 4-byte emoji is. */
	out = json_output(write_escapes);
	CHECK_STR(out, "[\"q\\\"b\\\\\",\"\\u000a\\u001b\\u007f\\u0009\","
		       "\"\\ufffd\\\\xff\xe2\x82\xac\\ufffd\\\\xe2\\ufffd\\\\x82\","
		       "\"\\ufffd\\\\xc0\\ufffd\\\\xaf\\ufffd\\\\xed\\ufffd\\\\xa0"
		       "\\ufffd\\\\x80\xf0\x9f\x98\x80\","
		       "\"\\u009b2J\\u202eevil\\u2066\xc3\xbf\","
		       "-9223372036854775808,18446744073709551615,0]\n");
	free(out);
	out = json_output(write_fields);
	CHECK_STR(out, "{\"comm\":\"\",\"object\":null,\"owner\":0,\"line\":null}\n");
	free(out);
	return unit__finish("test_json");
}
