/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_TEXT_H
#define LEAKMON_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Length of the valid UTF-8 sequence starting at s (1-4) with its code point in *code_point, or
 * 0 if the byte there starts none.
 */
size_t utf8__decode(const unsigned char *s, size_t len, uint32_t *code_point);
size_t utf8__seq_len(const unsigned char *s, size_t len);

/*
 * Characters no name may send to a terminal as they are: C0 and C1 controls (U+009B is CSI), DEL,
 * and the bidirectional marks, overrides and isolates that reorder what a line shows.
 */
bool text__hostile_code_point(uint32_t cp);

/*
 * Make untrusted bytes (thread names, paths) safe for a terminal: hostile characters become
 * \xNN (below U+0080) or \uNNNN, invalid UTF-8 bytes \xNN, a backslash \\. Always
 * NUL-terminates; truncates to fit, never inside an escape or a character.
 */
void text__escape(const char *s, size_t len, char *out, size_t out_size);
/* The same, and a double quote as \": for a name printed between quotes. */
void text__escape_quoted(const char *s, size_t len, char *out, size_t out_size);
/*
 * Only what a terminal must not see escaped, backslashes kept: for messages that hold text
 * already escaped beside text that is not (an option's value in an error). With keep_lines,
 * newlines stay (a message of several lines).
 */
void text__make_safe(const char *s, size_t len, char *out, size_t out_size, bool keep_lines);

/* Whether s (NULL: no text) ends with suffix. */
bool text__ends_with(const char *s, const char *suffix);

/* v as "0x" and lowercase hex digits, NUL-terminated: out has room for TEXT_HEX_LEN bytes. */
#define TEXT_HEX_LEN 19
void text__hex(uint64_t v, char *out);

/* Durations as people read them: 250ms, 12.5s, 15m3s, 2h5m3s, 3d4h5m. */
void text__duration(uint64_t ns, char *out, size_t out_size);

#endif /* LEAKMON_TEXT_H */
