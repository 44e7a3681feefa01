// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unwind/demangle.h"

/* The C++ runtime's demangler (libstdc++). */
char *__cxa_demangle(const char *mangled, char *buf, size_t *len, int *status);

/* Whether a mangled name is Rust's legacy mangling: C++'s, ending in a hash (17h + 16 digits). */
static bool demangle__is_rust_legacy(const char *mangled)
{
	size_t len = strlen(mangled);

	if (len < 3 + 20 || strncmp(mangled, "_ZN", 3) || strncmp(mangled + len - 20, "17h", 3) ||
	    mangled[len - 1] != 'E')
		return false;
	for (size_t i = len - 17; i < len - 1; i++)
		if (!isxdigit((unsigned char)mangled[i]))
			return false;
	return true;
}

/* A legacy escape ($LT$, $u7b$) at s: the character it stands for, its length in *len; or 0. */
static char demangle__legacy_escape(const char *s, size_t *len)
{
	static const struct {
		const char *code;
		char c;
	} escapes[] = {
		{ "$LT$", '<' }, { "$GT$", '>' }, { "$LP$", '(' }, { "$RP$", ')' },
		{ "$RF$", '&' }, { "$BP$", '*' }, { "$SP$", '@' }, { "$C$", ',' },
	};
	char hex[3] = { 0 };
	unsigned long c;

	for (size_t k = 0; k < sizeof(escapes) / sizeof(escapes[0]); k++) {
		*len = strlen(escapes[k].code);
		if (!strncmp(s, escapes[k].code, *len))
			return escapes[k].c;
	}
	/* $uXX$: a character by its code, printable ASCII only; anything else stays written out. */
	if (s[1] != 'u' || !isxdigit((unsigned char)s[2]) || !isxdigit((unsigned char)s[3]) ||
	    s[4] != '$')
		return 0;
	memcpy(hex, s + 2, 2);
	c = strtoul(hex, NULL, 16);
	if (c < 0x20 || c >= 0x7f)
		return 0;
	*len = 5;
	return (char)c;
}

/*
 * The C++ demangler's reading of a Rust legacy name, as Rust prints it: the hash dropped,
 * $LT$, $u7b$ and the like as the characters they stand for (a part's leading _ before one
 * dropped), ".." as "::". In place: the text only shrinks.
 */
static void demangle__tidy_rust_legacy(char *name)
{
	char *hash = strrchr(name, ':'), *in = name, *out = name, c;
	size_t len;

	if (hash && hash - name >= 1 && hash[-1] == ':' && hash[1] == 'h' && strlen(hash + 2) == 16)
		hash[-1] = '\0';
	while (*in) {
		if (in[0] == '_' && in[1] == '$' && (out == name || out[-1] == ':')) {
			in++; /* a part starting with an escape is written _$ */
		} else if (*in == '$' && (c = demangle__legacy_escape(in, &len))) {
			*out++ = c;
			in += len;
		} else if (in[0] == '.' && in[1] == '.') {
			*out++ = ':';
			*out++ = ':';
			in += 2;
		} else {
			*out++ = *in++;
		}
	}
	*out = '\0';
}

char *demangle__symbol(const char *name)
{
	const char *llvm_copy;
	char *mangled, *demangled;
	int status = -1;

	if (name[0] != '_')
		return NULL;
	if (name[1] == 'R')
		return demangle__rust_v0(name);
	if (name[1] != 'Z')
		return NULL;
	/* LLVM's .llvm.NNN says only that a copy was made: the name is what precedes it. */
	llvm_copy = strstr(name, ".llvm.");
	mangled = strndup(name, llvm_copy ? (size_t)(llvm_copy - name) : strlen(name));
	if (!mangled)
		return NULL;
	demangled = __cxa_demangle(mangled, NULL, NULL, &status);
	if (demangled && !status && demangle__is_rust_legacy(mangled))
		demangle__tidy_rust_legacy(demangled);
	free(mangled);
	if (!demangled || status) {
		free(demangled);
		return NULL;
	}
	return demangled;
}
