/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_TEXT_H
#define LEAKMON_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Length of the valid UTF-8 sequence starting at s (1-4), or 0 if the byte there starts none. */
size_t utf8__seq_len(const unsigned char *s, size_t len);

/*
 * Make untrusted bytes (thread names, paths) safe for a terminal: control characters, DEL,
 * backslash and invalid UTF-8 become \xNN or \\. Always NUL-terminates; truncates to fit.
 */
void text__escape(const char *s, size_t len, char *out, size_t out_size);

/* Whether s (NULL: no text) ends with suffix. */
bool text__ends_with(const char *s, const char *suffix);

/* v as "0x" and lowercase hex digits, NUL-terminated: out has room for TEXT_HEX_LEN bytes. */
#define TEXT_HEX_LEN 19
void text__hex(uint64_t v, char *out);

/* Durations as people read them: 250ms, 12.5s, 15m3s, 2h5m3s, 3d4h5m. */
void text__duration(uint64_t ns, char *out, size_t out_size);

#endif /* LEAKMON_TEXT_H */
