// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Rust's v0 symbol mangling (RFC 2603), read after its specification and written as Rust prints
 * it. leakmon's own reader, not libiberty's: that one was measured to turn a 219-byte hostile
 * name into 100 MB of output in 1.5 s, and a root daemon reads other people's binaries. Every
 * bound below holds whatever the name says.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unwind/demangle.h"

/* What a v0 name may make the reader do: nesting, text written, characters of one identifier. */
#define V0_MAX_DEPTH 256
#define V0_MAX_OUT (64 * 1024)
#define V0_MAX_PUNYCODE 128

/* The characters of a v0 name; anything after them is a suffix (.llvm.123, .0, .cold). */
#define V0_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"

struct v0_reader {
	const char *sym; /* after "_R": backrefs are offsets from here */
	size_t len, pos;
	char *out;
	size_t out_len, out_cap;
	int silent; /* > 0: read to skip, not to print (an impl's location) */
	unsigned int depth;
	uint64_t bound_lifetimes; /* by the binders (for<'a>) around the position */
	bool failed;
};

struct v0_ident {
	const char *ascii, *punycode;
	size_t ascii_len, punycode_len;
};

/* What a backref stands for: the same kind of node as where it appears. */
enum v0_node {
	V0_VALUE_PATH,
	V0_TYPE_PATH,
	V0_TRAIT_PATH,
	V0_TYPE,
	V0_CONST,
};

static bool v0__path(struct v0_reader *r, bool in_value);
static bool v0__type(struct v0_reader *r);
static bool v0__const(struct v0_reader *r);
static bool v0__trait_path(struct v0_reader *r, bool *open);

static bool v0__fail(struct v0_reader *r)
{
	r->failed = true;
	return false;
}

static char v0__peek(const struct v0_reader *r)
{
	return r->pos < r->len ? r->sym[r->pos] : '\0';
}

static char v0__next(struct v0_reader *r)
{
	return r->pos < r->len ? r->sym[r->pos++] : '\0';
}

static bool v0__eat(struct v0_reader *r, char c)
{
	if (v0__peek(r) != c)
		return false;
	r->pos++;
	return true;
}

static bool v0__is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static bool v0__is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool v0__print(struct v0_reader *r, const char *s, size_t n)
{
	char *out;
	size_t cap;

	if (r->silent)
		return true;
	if (n >= V0_MAX_OUT - r->out_len)
		return v0__fail(r);
	if (r->out_len + n >= r->out_cap) {
		for (cap = r->out_cap ? r->out_cap : 256; cap <= r->out_len + n; cap *= 2)
			;
		out = realloc(r->out, cap);
		if (!out)
			return v0__fail(r);
		r->out = out;
		r->out_cap = cap;
	}
	memcpy(r->out + r->out_len, s, n);
	r->out_len += n;
	r->out[r->out_len] = '\0';
	return true;
}

static bool v0__puts(struct v0_reader *r, const char *s)
{
	return v0__print(r, s, strlen(s));
}

static bool v0__print_u64(struct v0_reader *r, uint64_t v)
{
	char digits[20];
	size_t i = sizeof(digits);

	do
		digits[--i] = (char)('0' + v % 10);
	while (v /= 10);
	return v0__print(r, digits + i, sizeof(digits) - i);
}

/* <base-62-number>: "_" is 0; digits (0-9a-zA-Z) then "_" are their value + 1. */
static bool v0__base62(struct v0_reader *r, uint64_t *value)
{
	uint64_t v = 0;
	char c;

	if (v0__eat(r, '_')) {
		*value = 0;
		return true;
	}
	while ((c = v0__next(r)) != '_') {
		unsigned int d;

		if (v0__is_digit(c))
			d = (unsigned int)(c - '0');
		else if (v0__is_lower(c))
			d = (unsigned int)(c - 'a') + 10;
		else if (c >= 'A' && c <= 'Z')
			d = (unsigned int)(c - 'A') + 36;
		else
			return v0__fail(r);
		if (v > (UINT64_MAX - d) / 62)
			return v0__fail(r);
		v = v * 62 + d;
	}
	if (v == UINT64_MAX)
		return v0__fail(r);
	*value = v + 1;
	return true;
}

/* A number after a tag that may be absent (disambiguators, binders): absent 0, else value + 1. */
static bool v0__opt_base62(struct v0_reader *r, char tag, uint64_t *value)
{
	*value = 0;
	if (!v0__eat(r, tag))
		return true;
	if (!v0__base62(r, value) || *value == UINT64_MAX)
		return v0__fail(r);
	(*value)++;
	return true;
}

/* <decimal-number>: "0", or digits without a leading zero. */
static bool v0__decimal(struct v0_reader *r, size_t *value)
{
	size_t v = 0;

	if (!v0__is_digit(v0__peek(r)))
		return v0__fail(r);
	if (v0__eat(r, '0')) {
		*value = 0;
		return true;
	}
	while (v0__is_digit(v0__peek(r))) {
		size_t d = (size_t)(v0__next(r) - '0');

		if (v > (SIZE_MAX - d) / 10)
			return v0__fail(r);
		v = v * 10 + d;
	}
	*value = v;
	return true;
}

/* <undisambiguated-identifier> = ["u"] <decimal-number> ["_"] <bytes>; "u": Punycode. */
static bool v0__ident(struct v0_reader *r, struct v0_ident *id)
{
	bool punycode = v0__eat(r, 'u');
	const char *bytes, *sep;
	size_t len;

	memset(id, 0, sizeof(*id));
	if (!v0__decimal(r, &len))
		return false;
	v0__eat(r, '_');
	if (len > r->len - r->pos)
		return v0__fail(r);
	bytes = r->sym + r->pos;
	r->pos += len;
	if (!punycode) {
		id->ascii = bytes;
		id->ascii_len = len;
		return true;
	}
	/* The identifier's ASCII characters, "_", then the insertions; no "_": insertions only. */
	sep = memrchr(bytes, '_', len);
	id->ascii = bytes;
	id->ascii_len = sep ? (size_t)(sep - bytes) : 0;
	id->punycode = sep ? sep + 1 : bytes;
	id->punycode_len = len - (size_t)(id->punycode - bytes);
	return id->punycode_len || v0__fail(r);
}

static bool v0__ident_empty(const struct v0_ident *id)
{
	return !id->ascii_len && !id->punycode_len;
}

static bool v0__print_utf8(struct v0_reader *r, uint32_t cp)
{
	char b[4];

	if (cp < 0x80) {
		b[0] = (char)cp;
		return v0__print(r, b, 1);
	}
	if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3f));
		return v0__print(r, b, 2);
	}
	if (cp < 0x10000) {
		b[0] = (char)(0xe0 | cp >> 12);
		b[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		return v0__print(r, b, 3);
	}
	b[0] = (char)(0xf0 | cp >> 18);
	b[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	b[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	b[3] = (char)(0x80 | (cp & 0x3f));
	return v0__print(r, b, 4);
}

/* RFC 3492's bias adaptation, with its constants (base 36, tmin 1, tmax 26, skew 38, damp 700). */
static uint32_t punycode__adapt(uint32_t delta, uint32_t points, bool first)
{
	uint32_t k = 0;

	delta /= first ? 700 : 2;
	delta += delta / points;
	while (delta > 35 * 26 / 2) {
		delta /= 35;
		k += 36;
	}
	return k + 36 * delta / (delta + 38);
}

/* An identifier with non-ASCII characters: RFC 3492's decoding, written out as UTF-8. */
static bool v0__print_punycode(struct v0_reader *r, const struct v0_ident *id)
{
	uint32_t chars[V0_MAX_PUNYCODE], cp = 128, bias = 72, i = 0, n = 0;
	const char *p = id->punycode, *end = id->punycode + id->punycode_len;

	if (id->ascii_len > V0_MAX_PUNYCODE)
		return v0__fail(r);
	for (; n < id->ascii_len; n++)
		chars[n] = (unsigned char)id->ascii[n];
	while (p < end) {
		uint32_t start = i, w = 1;

		for (uint32_t k = 36;; k += 36) {
			uint32_t d, t;

			if (p == end)
				return v0__fail(r);
			if (v0__is_lower(*p))
				d = (uint32_t)(*p - 'a');
			else if (v0__is_digit(*p))
				d = (uint32_t)(*p - '0') + 26;
			else
				return v0__fail(r);
			p++;
			if (d > (UINT32_MAX - i) / w)
				return v0__fail(r);
			i += d * w;
			t = k <= bias ? 1 : k >= bias + 26 ? 26 : k - bias;
			if (d < t)
				break;
			if (w > UINT32_MAX / (36 - t))
				return v0__fail(r);
			w *= 36 - t;
		}
		if (n == V0_MAX_PUNYCODE)
			return v0__fail(r);
		bias = punycode__adapt(i - start, n + 1, n == id->ascii_len);
		if (i / (n + 1) > 0x10ffff - cp)
			return v0__fail(r);
		cp += i / (n + 1);
		i %= n + 1;
		if (cp >= 0xd800 && cp <= 0xdfff)
			return v0__fail(r);
		memmove(chars + i + 1, chars + i, (n - i) * sizeof(chars[0]));
		chars[i++] = cp;
		n++;
	}
	for (uint32_t k = 0; k < n; k++)
		if (!v0__print_utf8(r, chars[k]))
			return false;
	return true;
}

static bool v0__print_ident(struct v0_reader *r, const struct v0_ident *id)
{
	if (r->silent)
		return true;
	if (!id->punycode)
		return v0__print(r, id->ascii, id->ascii_len);
	return v0__print_punycode(r, id);
}

/* A lifetime by its binder index: 0 is '_, then 'a for the innermost bound, 'b... */
static bool v0__print_lifetime(struct v0_reader *r, uint64_t index)
{
	uint64_t depth;
	char name[2] = { '\'' };

	if (!index)
		return v0__puts(r, "'_");
	if (index > r->bound_lifetimes)
		return v0__fail(r);
	depth = r->bound_lifetimes - index;
	if (depth >= 26)
		return v0__puts(r, "'_") && v0__print_u64(r, depth);
	name[1] = (char)('a' + depth);
	return v0__print(r, name, 2);
}

/* <binder> = "G" <base-62-number>: lifetimes bound from here on, printed for<'a, 'b> . */
static bool v0__binder(struct v0_reader *r)
{
	uint64_t n;

	if (!v0__opt_base62(r, 'G', &n))
		return false;
	if (!n)
		return true;
	if (n > UINT32_MAX)
		return v0__fail(r);
	if (r->silent) {
		r->bound_lifetimes += n;
		return true;
	}
	if (!v0__puts(r, "for<"))
		return false;
	for (uint64_t k = 0; k < n; k++) {
		r->bound_lifetimes++;
		if ((k && !v0__puts(r, ", ")) || !v0__print_lifetime(r, 1))
			return false;
	}
	return v0__puts(r, "> ");
}

/* Items up to "E", sep between them; count (when asked) is how many. */
static bool v0__list(struct v0_reader *r, bool (*item)(struct v0_reader *), const char *sep,
		     size_t *count)
{
	size_t n = 0;

	while (!v0__eat(r, 'E')) {
		if (r->pos >= r->len || (n && !v0__puts(r, sep)) || !item(r))
			return v0__fail(r);
		n++;
	}
	if (count)
		*count = n;
	return true;
}

static bool v0__node(struct v0_reader *r, enum v0_node node, bool *open)
{
	switch (node) {
	case V0_VALUE_PATH:
		return v0__path(r, true);
	case V0_TYPE_PATH:
		return v0__path(r, false);
	case V0_TRAIT_PATH:
		return v0__trait_path(r, open);
	case V0_TYPE:
		return v0__type(r);
	case V0_CONST:
		return v0__const(r);
	}
	return v0__fail(r);
}

/* <backref> = "B" <base-62-number>: the node at that earlier offset, read again to print it. */
static bool v0__backref(struct v0_reader *r, enum v0_node node, bool *open)
{
	size_t tag = r->pos - 1, resume;
	uint64_t target;
	bool ok;

	if (!v0__base62(r, &target))
		return false;
	if (target >= tag || r->depth >= V0_MAX_DEPTH)
		return v0__fail(r);
	if (r->silent)
		return true;
	resume = r->pos;
	r->pos = target;
	r->depth++;
	ok = v0__node(r, node, open);
	r->depth--;
	r->pos = resume;
	return ok;
}

static bool v0__generic_arg(struct v0_reader *r)
{
	uint64_t lifetime;

	if (v0__eat(r, 'L'))
		return v0__base62(r, &lifetime) && v0__print_lifetime(r, lifetime);
	if (v0__eat(r, 'K'))
		return v0__const(r);
	return v0__type(r);
}

/* <impl-path> = [<disambiguator>] <path>: where an impl is, read past and not printed. */
static bool v0__impl_path(struct v0_reader *r)
{
	uint64_t disambiguator;
	bool ok;

	r->silent++;
	ok = v0__opt_base62(r, 's', &disambiguator) && v0__path(r, false);
	r->silent--;
	return ok;
}

/* A nested path's namespace in capitals: {closure#0}, {shim:vtable#0}. */
static bool v0__print_special(struct v0_reader *r, char ns, const struct v0_ident *id,
			      uint64_t disambiguator)
{
	char letter[2] = { ns };

	if (!v0__puts(r, "::{") || !v0__puts(r, ns == 'C'   ? "closure"
						: ns == 'S' ? "shim"
							    : letter))
		return false;
	if (!v0__ident_empty(id) && (!v0__puts(r, ":") || !v0__print_ident(r, id)))
		return false;
	return v0__puts(r, "#") && v0__print_u64(r, disambiguator) && v0__puts(r, "}");
}

static bool v0__path_body(struct v0_reader *r, bool in_value)
{
	uint64_t disambiguator;
	struct v0_ident id;
	char tag = v0__next(r), ns;

	switch (tag) {
	case 'C': /* a crate; its disambiguator is the crate's hash, left out */
		return v0__opt_base62(r, 's', &disambiguator) && v0__ident(r, &id) &&
		       v0__print_ident(r, &id);
	case 'N':
		ns = v0__next(r);
		if (!v0__is_lower(ns) && !(ns >= 'A' && ns <= 'Z'))
			return v0__fail(r);
		if (!v0__path(r, in_value) || !v0__opt_base62(r, 's', &disambiguator) ||
		    !v0__ident(r, &id))
			return false;
		if (!v0__is_lower(ns))
			return v0__print_special(r, ns, &id, disambiguator);
		return v0__ident_empty(&id) || (v0__puts(r, "::") && v0__print_ident(r, &id));
	case 'M': /* <T> */
		return v0__impl_path(r) && v0__puts(r, "<") && v0__type(r) && v0__puts(r, ">");
	case 'X': /* <T as Trait> */
		return v0__impl_path(r) && v0__puts(r, "<") && v0__type(r) && v0__puts(r, " as ") &&
		       v0__path(r, false) && v0__puts(r, ">");
	case 'Y': /* <T as Trait>, the trait's own item */
		return v0__puts(r, "<") && v0__type(r) && v0__puts(r, " as ") &&
		       v0__path(r, false) && v0__puts(r, ">");
	case 'I': /* generic arguments: path::<T> in a value, path<T> in a type */
		return v0__path(r, in_value) && v0__puts(r, in_value ? "::<" : "<") &&
		       v0__list(r, v0__generic_arg, ", ", NULL) && v0__puts(r, ">");
	case 'B':
		return v0__backref(r, in_value ? V0_VALUE_PATH : V0_TYPE_PATH, NULL);
	}
	return v0__fail(r);
}

static bool v0__path(struct v0_reader *r, bool in_value)
{
	bool ok = ++r->depth <= V0_MAX_DEPTH && v0__path_body(r, in_value);

	r->depth--;
	return ok || v0__fail(r);
}

static const char *v0__basic_type(char tag)
{
	switch (tag) {
	case 'a':
		return "i8";
	case 'b':
		return "bool";
	case 'c':
		return "char";
	case 'd':
		return "f64";
	case 'e':
		return "str";
	case 'f':
		return "f32";
	case 'h':
		return "u8";
	case 'i':
		return "isize";
	case 'j':
		return "usize";
	case 'l':
		return "i32";
	case 'm':
		return "u32";
	case 'n':
		return "i128";
	case 'o':
		return "u128";
	case 'p':
		return "_";
	case 's':
		return "i16";
	case 't':
		return "u16";
	case 'u':
		return "()";
	case 'v':
		return "...";
	case 'x':
		return "i64";
	case 'y':
		return "u64";
	case 'z':
		return "!";
	}
	return NULL;
}

/* <abi> = "C" | <undisambiguated-identifier>, its "_" written "-": extern "C" , extern "sysv64" */
static bool v0__abi(struct v0_reader *r)
{
	struct v0_ident id;

	if (!v0__puts(r, "extern \""))
		return false;
	if (v0__eat(r, 'C')) {
		if (!v0__puts(r, "C"))
			return false;
	} else {
		if (!v0__ident(r, &id) || id.punycode)
			return v0__fail(r);
		for (size_t i = 0; i < id.ascii_len; i++)
			if (!v0__print(r, id.ascii[i] == '_' ? "-" : id.ascii + i, 1))
				return false;
	}
	return v0__puts(r, "\" ");
}

/* <fn-sig> = [<binder>] ["U"] ["K" <abi>] {<type>} "E" <type> */
static bool v0__fn_sig(struct v0_reader *r)
{
	uint64_t outer = r->bound_lifetimes;
	bool ok = v0__binder(r) && (!v0__eat(r, 'U') || v0__puts(r, "unsafe ")) &&
		  (!v0__eat(r, 'K') || v0__abi(r)) && v0__puts(r, "fn(") &&
		  v0__list(r, v0__type, ", ", NULL) && v0__puts(r, ")") &&
		  (v0__eat(r, 'u') || (v0__puts(r, " -> ") && v0__type(r)));

	r->bound_lifetimes = outer;
	return ok;
}

/* A trait's path with its generic arguments left open, for associated types to follow. */
static bool v0__trait_path(struct v0_reader *r, bool *open)
{
	*open = false;
	if (v0__eat(r, 'B'))
		return v0__backref(r, V0_TRAIT_PATH, open);
	if (!v0__eat(r, 'I'))
		return v0__path(r, false);
	*open = true;
	return v0__path(r, false) && v0__puts(r, "<") && v0__list(r, v0__generic_arg, ", ", NULL);
}

/* <dyn-trait> = <path> {"p" <undisambiguated-identifier> <type>}: Trait<A, Item = T> */
static bool v0__dyn_trait(struct v0_reader *r)
{
	struct v0_ident id;
	bool open;

	if (!v0__trait_path(r, &open))
		return false;
	while (v0__eat(r, 'p')) {
		if (!v0__puts(r, open ? ", " : "<") || !v0__ident(r, &id) ||
		    !v0__print_ident(r, &id) || !v0__puts(r, " = ") || !v0__type(r))
			return false;
		open = true;
	}
	return !open || v0__puts(r, ">");
}

/* "D" <dyn-bounds> <lifetime>: dyn for<'a> Trait + Send + 'a */
static bool v0__dyn(struct v0_reader *r)
{
	uint64_t outer = r->bound_lifetimes, lifetime;
	bool ok = v0__puts(r, "dyn ") && v0__binder(r) && v0__list(r, v0__dyn_trait, " + ", NULL);

	r->bound_lifetimes = outer;
	if (!ok || !v0__eat(r, 'L') || !v0__base62(r, &lifetime))
		return v0__fail(r);
	return !lifetime || (v0__puts(r, " + ") && v0__print_lifetime(r, lifetime));
}

/* "R"/"Q" [<lifetime>] <type>: &T, &'a mut T */
static bool v0__reference(struct v0_reader *r, bool mut)
{
	uint64_t lifetime = 0;

	if (!v0__puts(r, "&") || (v0__eat(r, 'L') && !v0__base62(r, &lifetime)))
		return false;
	if (lifetime && (!v0__print_lifetime(r, lifetime) || !v0__puts(r, " ")))
		return false;
	return (!mut || v0__puts(r, "mut ")) && v0__type(r);
}

static bool v0__type_body(struct v0_reader *r)
{
	char tag = v0__next(r);
	const char *basic = v0__basic_type(tag);
	size_t n;

	if (basic)
		return v0__puts(r, basic);
	switch (tag) {
	case '\0':
		return v0__fail(r);
	case 'A':
		return v0__puts(r, "[") && v0__type(r) && v0__puts(r, "; ") && v0__const(r) &&
		       v0__puts(r, "]");
	case 'S':
		return v0__puts(r, "[") && v0__type(r) && v0__puts(r, "]");
	case 'T': /* a tuple of one is written (T,) */
		return v0__puts(r, "(") && v0__list(r, v0__type, ", ", &n) &&
		       v0__puts(r, n == 1 ? ",)" : ")");
	case 'R':
	case 'Q':
		return v0__reference(r, tag == 'Q');
	case 'P':
		return v0__puts(r, "*const ") && v0__type(r);
	case 'O':
		return v0__puts(r, "*mut ") && v0__type(r);
	case 'F':
		return v0__fn_sig(r);
	case 'D':
		return v0__dyn(r);
	case 'B':
		return v0__backref(r, V0_TYPE, NULL);
	}
	r->pos--;
	return v0__path(r, false);
}

static bool v0__type(struct v0_reader *r)
{
	bool ok = ++r->depth <= V0_MAX_DEPTH && v0__type_body(r);

	r->depth--;
	return ok || v0__fail(r);
}

/* <const-data> = ["n"] {<hex-digit>} "_": the digits without leading zeros. */
static bool v0__const_hex(struct v0_reader *r, const char **digits, size_t *n)
{
	size_t start = r->pos;

	while (v0__is_digit(v0__peek(r)) || (v0__peek(r) >= 'a' && v0__peek(r) <= 'f'))
		r->pos++;
	*n = r->pos - start;
	*digits = r->sym + start;
	if (!v0__eat(r, '_'))
		return v0__fail(r);
	while (*n && **digits == '0') {
		(*digits)++;
		(*n)--;
	}
	return true;
}

static uint64_t v0__hex_value(const char *digits, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 16 +
		    (uint64_t)(v0__is_digit(digits[i]) ? digits[i] - '0' : digits[i] - 'a' + 10);
	return v;
}

/* An integer: decimal, or 0x... past 64 bits (i128, u128). */
static bool v0__const_int(struct v0_reader *r, bool is_signed)
{
	bool negative = is_signed && v0__eat(r, 'n');
	const char *digits;
	size_t n;

	if (!v0__const_hex(r, &digits, &n) || (negative && !v0__puts(r, "-")))
		return false;
	if (n > 16)
		return v0__puts(r, "0x") && v0__print(r, digits, n);
	return v0__print_u64(r, v0__hex_value(digits, n));
}

/* A char constant, quoted; anything but printable ASCII as '\u{...}'. */
static bool v0__const_char(struct v0_reader *r)
{
	const char *digits;
	char quoted[3] = { '\'', '\\', '\'' };
	uint64_t cp;
	size_t n;

	if (!v0__const_hex(r, &digits, &n) || n > 6)
		return v0__fail(r);
	cp = v0__hex_value(digits, n);
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return v0__fail(r);
	if (cp == '\'' || cp == '\\') {
		quoted[2] = (char)cp;
		return v0__print(r, quoted, 3) && v0__puts(r, "'");
	}
	if (cp >= 0x20 && cp < 0x7f) {
		quoted[1] = (char)cp;
		return v0__print(r, quoted, 3);
	}
	return v0__puts(r, "'\\u{") && v0__print(r, digits, n) && v0__puts(r, "}'");
}

static bool v0__const_body(struct v0_reader *r)
{
	const char *digits;
	size_t n;
	char tag = v0__next(r);

	switch (tag) {
	case 'B':
		return v0__backref(r, V0_CONST, NULL);
	case 'p':
		return v0__puts(r, "_");
	case 'h':
	case 't':
	case 'm':
	case 'y':
	case 'o':
	case 'j':
		return v0__const_int(r, false);
	case 'a':
	case 's':
	case 'l':
	case 'x':
	case 'n':
	case 'i':
		return v0__const_int(r, true);
	case 'b':
		if (!v0__const_hex(r, &digits, &n) || n > 1 || (n && *digits != '1'))
			return v0__fail(r);
		return v0__puts(r, n ? "true" : "false");
	case 'c':
		return v0__const_char(r);
	}
	/* Strings, references, arrays and structs as constants: not read here. */
	return v0__fail(r);
}

static bool v0__const(struct v0_reader *r)
{
	bool ok = ++r->depth <= V0_MAX_DEPTH && v0__const_body(r);

	r->depth--;
	return ok || v0__fail(r);
}

char *demangle__rust_v0(const char *name)
{
	struct v0_reader r = { .sym = name + 2 };
	const char *suffix;

	/* A leading number is an encoding version after the first: not known here. */
	if (v0__is_digit(r.sym[0]))
		return NULL;
	r.len = strspn(r.sym, V0_CHARS);
	suffix = r.sym + r.len;
	if (*suffix && *suffix != '.' && *suffix != '$')
		return NULL;
	if (v0__path(&r, true) && r.pos < r.len) {
		r.silent++;
		v0__path(&r, false);
		r.silent--;
	}
	/* LLVM's .llvm.NNN says only that a copy was made; .cold, .0 and the like stay. */
	if (!r.failed && r.pos == r.len && strncmp(suffix, ".llvm.", 6))
		v0__puts(&r, suffix);
	if (r.failed || r.pos != r.len || !r.out) {
		free(r.out);
		return NULL;
	}
	return r.out;
}
