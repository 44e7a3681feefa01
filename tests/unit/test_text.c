// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "util/text.h"
#include "unit.h"

static void test_escape_for_terminal(void)
{
	static const struct {
		const char *in;
		size_t len, out_size;
		const char *want;
	} cases[] = {
		{ "plain", 5, 128, "plain" },
		{ "\x1b[31mred", 8, 128, "\\x1b[31mred" },
		{ "a\nb\tc\x7f", 6, 128, "a\\x0ab\\x09c\\x7f" },
		{ "back\\slash", 10, 128, "back\\\\slash" },
		{ "bad\xff\xfe", 5, 128, "bad\\xff\\xfe" },
		{ "\xe2\x82\xac ok", 6, 128, "\xe2\x82\xac ok" },
		/* A sequence cut short, overlong and surrogate forms are not UTF-8. */
		{ "\xe2\x82", 2, 128, "\\xe2\\x82" },
		{ "\xc0\xaf", 2, 128, "\\xc0\\xaf" },
		{ "\xed\xa0\x80", 3, 128, "\\xed\\xa0\\x80" },
		/* Never overflows, never splits an escape or a character. */
		{ "\x01\x02\x03", 3, 9, "\\x01\\x02" },
		{ "ab\xe2\x82\xac", 5, 5, "ab" },
		{ "stops\0here", 10, 128, "stops" },
		/* C1 (U+009B is CSI) and bidirectional controls: valid UTF-8, escaped. */
		{ "\xc2\x9b"
		  "2J\xc2\x85",
		  6, 128, "\\u009b2J\\u0085" },
		{ "\xe2\x80\xae"
		  "evil\xe2\x81\xa6x\xe2\x81\xa9\xe2\x80\x8f",
		  17, 128, "\\u202eevil\\u2066x\\u2069\\u200f" },
		{ "\xc3\xbf \xc2\xa0", 5, 128, "\xc3\xbf \xc2\xa0" },
		{ "\xe2\x80\xae", 3, 6, "" },
	};
	char out[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		text__escape(cases[i].in, cases[i].len, out, cases[i].out_size);
		CHECK_STR(out, cases[i].want);
	}
}

/* A quoted name gets its quotes escaped; a message keeps its backslashes. */
static void test_escape_variants(void)
{
	char out[64];

	text__escape_quoted("say \"hi\\\" \x1b", 11, out, sizeof(out));
	CHECK_STR(out, "say \\\"hi\\\\\\\" \\x1b");
	text__make_safe("a\\x41 \"b\" \x1b\xc2\x9b\xff", 14, out, sizeof(out), false);
	CHECK_STR(out, "a\\x41 \"b\" \\x1b\\u009b\\xff");
	text__make_safe("two\nlines\x1b", 10, out, sizeof(out), true);
	CHECK_STR(out, "two\nlines\\x1b");
	text__make_safe("two\nlines", 9, out, sizeof(out), false);
	CHECK_STR(out, "two\\x0alines");
}

static void test_durations(void)
{
	static const struct {
		unsigned long long ns;
		const char *text;
	} cases[] = {
		{ 0, "0ms" },
		{ 250000000ULL, "250ms" },
		{ 1000000000ULL, "1.0s" },
		{ 12500000000ULL, "12.5s" },
		{ 903000000000ULL, "15m3s" },
		{ 7503000000000ULL, "2h5m3s" },
		{ 273900000000000ULL, "3d4h5m" },
	};
	char out[32];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		text__duration(cases[i].ns, out, sizeof(out));
		CHECK_STR(out, cases[i].text);
	}
}

/* As printf's "0x%llx" writes them: the futex addresses that wait objects are. */
static void test_hex(void)
{
	static const unsigned long long values[] = {
		0, 1, 0xf, 0x10, 0x7f3a1c2b4e50ULL, 0x8000000000000000ULL, ~0ULL,
	};
	char out[TEXT_HEX_LEN], want[32];

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		text__hex(values[i], out);
		snprintf(want, sizeof(want), "0x%llx", values[i]);
		CHECK_STR(out, want);
	}
}

int main(void)
{
	test_escape_for_terminal();
	test_escape_variants();
	test_durations();
	test_hex();
	return unit__finish("test_text");
}
