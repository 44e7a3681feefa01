// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <string.h>

#include "util/text.h"

size_t utf8__decode(const unsigned char *s, size_t len, uint32_t *code_point)
{
	size_t need, i;
	uint32_t cp;

	if (s[0] < 0x80) {
		*code_point = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		need = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len < need)
		return 0;
	for (i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8. */
	if ((need == 3 && cp < 0x800) || (need == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	*code_point = cp;
	return need;
}

size_t utf8__seq_len(const unsigned char *s, size_t len)
{
	uint32_t cp;

	return utf8__decode(s, len, &cp);
}

bool text__hostile_code_point(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x61c || cp == 0x200e ||
	       cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Append n bytes if they fit with room for the NUL; 0 once they do not. */
static int text__append(char *out, size_t out_size, size_t *o, const char *bytes, size_t n)
{
	if (*o + n >= out_size)
		return 0;
	memcpy(out + *o, bytes, n);
	*o += n;
	return 1;
}

/* What is written as it is besides printable text, or escaped besides hostile characters. */
enum text_escapes {
	TEXT_ESCAPE_BACKSLASH = 1, /* so that every escape reads back as one */
	TEXT_ESCAPE_QUOTE = 2,	   /* inside a quoted name */
	TEXT_KEEP_NEWLINES = 4,	   /* a message of several lines */
};

/* Whether an ASCII character is written as it is. */
static bool text__kept_ascii(unsigned char c, unsigned int escapes)
{
	if (c == '\n')
		return escapes & TEXT_KEEP_NEWLINES;
	if (c < 0x20 || c == 0x7f)
		return false;
	if (c == '\\')
		return !(escapes & TEXT_ESCAPE_BACKSLASH);
	if (c == '"')
		return !(escapes & TEXT_ESCAPE_QUOTE);
	return true;
}

static void text__escape_with(const char *s, size_t len, char *out, size_t out_size,
			      unsigned int escapes)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, o = 0, n;
	char esc[8];
	uint32_t cp;
	int fits = 1;

	if (!out_size)
		return;
	while (fits && i < len && p[i]) {
		n = utf8__decode(p + i, len - i, &cp);
		if (n > 1 && text__hostile_code_point(cp))
			fits = text__append(out, out_size, &o, esc,
					    (size_t)snprintf(esc, sizeof(esc), "\\u%04x", cp));
		else if (n > 1 || (n == 1 && text__kept_ascii(p[i], escapes)))
			fits = text__append(out, out_size, &o, s + i, n);
		else if (n == 1 && (p[i] == '\\' || p[i] == '"'))
			fits = text__append(out, out_size, &o, esc,
					    (size_t)snprintf(esc, sizeof(esc), "\\%c", p[i]));
		else
			fits = text__append(out, out_size, &o, esc,
					    (size_t)snprintf(esc, sizeof(esc), "\\x%02x", p[i]));
		if (fits)
			i += n ? n : 1;
	}
	out[o] = '\0';
}

void text__escape(const char *s, size_t len, char *out, size_t out_size)
{
	text__escape_with(s, len, out, out_size, TEXT_ESCAPE_BACKSLASH);
}

void text__escape_quoted(const char *s, size_t len, char *out, size_t out_size)
{
	text__escape_with(s, len, out, out_size, TEXT_ESCAPE_BACKSLASH | TEXT_ESCAPE_QUOTE);
}

void text__make_safe(const char *s, size_t len, char *out, size_t out_size, bool keep_lines)
{
	text__escape_with(s, len, out, out_size, keep_lines ? TEXT_KEEP_NEWLINES : 0);
}

bool text__ends_with(const char *s, const char *suffix)
{
	size_t len = s ? strlen(s) : 0;

	return len >= strlen(suffix) && !strcmp(s + len - strlen(suffix), suffix);
}

void text__hex(uint64_t v, char *out)
{
	static const char digits[] = "0123456789abcdef";
	int n = 1;

	while (n < 16 && v >> (4 * n))
		n++;
	*out++ = '0';
	*out++ = 'x';
	while (n--)
		*out++ = digits[(v >> (4 * n)) & 15];
	*out = '\0';
}

void text__duration(uint64_t ns, char *out, size_t out_size)
{
	uint64_t s = ns / 1000000000ULL;

	if (ns < 1000000000ULL)
		snprintf(out, out_size, "%llums", (unsigned long long)(ns / 1000000));
	else if (s < 60)
		snprintf(out, out_size, "%llu.%llus", (unsigned long long)s,
			 (unsigned long long)(ns % 1000000000ULL / 100000000ULL));
	else if (s < 3600)
		snprintf(out, out_size, "%llum%llus", (unsigned long long)(s / 60),
			 (unsigned long long)(s % 60));
	else if (s < 86400)
		snprintf(out, out_size, "%lluh%llum%llus", (unsigned long long)(s / 3600),
			 (unsigned long long)(s % 3600 / 60), (unsigned long long)(s % 60));
	else
		snprintf(out, out_size, "%llud%lluh%llum", (unsigned long long)(s / 86400),
			 (unsigned long long)(s % 86400 / 3600),
			 (unsigned long long)(s % 3600 / 60));
}
