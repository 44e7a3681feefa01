// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdint.h>

#include "util/parse.h"
#include "unit.h"

static void test_durations(void)
{
	static const struct {
		const char *text;
		uint64_t ns;
	} good[] = {
		{ "0", 0 },
		{ "1", 1000000000ULL },
		{ "1.5s", 1500000000ULL },
		{ "250ms", 250000000ULL },
		{ "10us", 10000ULL },
		{ "7ns", 7ULL },
		{ "5m", 300000000000ULL },
		{ "2h", 7200000000000ULL },
		{ "1d", 86400000000000ULL },
		{ ".5s", 500000000ULL },
	};
	static const char *const bad[] = { "",	  "s",	 "5x",	   "-1s",  "1s2", " 1s",  "1 s",
					   "nan", "inf", "1e400s", "400d", "+1s", "0x10s" };
	uint64_t ns;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ns = 12345;
		CHECK(parse__duration(good[i].text, &ns) == 0 && ns == good[i].ns, "'%s' -> %llu",
		      good[i].text, (unsigned long long)ns);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ns = 12345;
		CHECK(parse__duration(bad[i], &ns) < 0 && ns == 12345, "'%s' accepted", bad[i]);
	}
}

static void test_u32(void)
{
	uint32_t v = 7;

	CHECK(parse__u32("42", 1, 100, &v) == 0 && v == 42, "42");
	CHECK(parse__u32("0", 1, 100, &v) == -ERANGE && v == 42, "below min");
	CHECK(parse__u32("101", 1, 100, &v) == -ERANGE, "above max");
	CHECK(parse__u32("99999999999999999999", 1, UINT32_MAX, &v) == -ERANGE, "overflow");
	CHECK(parse__u32("4x", 1, 100, &v) == -EINVAL, "trailing junk");
	CHECK(parse__u32("-4", 0, 100, &v) == -EINVAL, "negative");
	CHECK(parse__u32(" 4", 0, 100, &v) == -EINVAL, "leading space");
}

static void test_pid_lists(void)
{
	uint32_t pids[3];
	size_t n = 0;

	CHECK(parse__pid_list("12", pids, 3, &n) == 0 && n == 1 && pids[0] == 12, "one");
	CHECK(parse__pid_list("1,2,1,3", pids, 3, &n) == 0 && n == 3 && pids[2] == 3,
	      "duplicates dropped");
	CHECK(parse__pid_list("1,2,3,4", pids, 3, &n) == -ERANGE, "too many");
	CHECK(parse__pid_list("1,,2", pids, 3, &n) == -EINVAL, "empty item");
	CHECK(parse__pid_list("1,", pids, 3, &n) == -EINVAL, "trailing comma");
	CHECK(parse__pid_list("0", pids, 3, &n) == -ERANGE, "pid 0");
	CHECK(parse__pid_list("2147483648", pids, 3, &n) == -ERANGE, "past pid range");
	CHECK(parse__pid_list("abc", pids, 3, &n) == -EINVAL, "not a number");
	CHECK(parse__pid_list("12345678901234567890", pids, 3, &n) < 0, "long item");
}

int main(void)
{
	test_durations();
	test_u32();
	test_pid_lists();
	/* Listen addresses: numeric or localhost, a port from 1 to 65535. */
	{
		char host[64] = "unset";
		uint16_t port = 0;

		CHECK(parse__listen_address("127.0.0.1:9464", host, sizeof(host), &port) == 0 &&
			      !strcmp(host, "127.0.0.1") && port == 9464,
		      "IPv4");
		CHECK(parse__listen_address("[::1]:80", host, sizeof(host), &port) == 0 &&
			      !strcmp(host, "::1") && port == 80,
		      "IPv6 in brackets");
		CHECK(parse__listen_address("localhost:1", host, sizeof(host), &port) == 0 &&
			      !strcmp(host, "localhost"),
		      "localhost");
		CHECK(parse__listen_address("::1:80", host, sizeof(host), &port) == -EINVAL,
		      "IPv6 without brackets");
		CHECK(parse__listen_address("example.com:80", host, sizeof(host), &port) == -EINVAL,
		      "names other than localhost");
		CHECK(parse__listen_address("127.0.0.1:65536", host, sizeof(host), &port) ==
			      -EINVAL,
		      "port too large");
		CHECK(parse__listen_address(":80", host, sizeof(host), &port) == -EINVAL,
		      "no host");
	}
	/* Lists: items separated by single commas, no blanks or control bytes. */
	{
		char out[16] = "";

		CHECK(parse__list("a*,/b/c", out, sizeof(out)) == 0 && !strcmp(out, "a*,/b/c"),
		      "ok");
		CHECK(parse__list("a,,b", out, sizeof(out)) == -EINVAL, "empty item");
		CHECK(parse__list("a b", out, sizeof(out)) == -EINVAL, "blank");
		CHECK(parse__list("a,\x1b", out, sizeof(out)) == -EINVAL, "control byte");
		CHECK(parse__list("0123456789abcdef", out, sizeof(out)) == -ERANGE, "too long");
	}
	/* Pattern lists: each item a shell pattern fnmatch() reads as written. */
	{
		char out[64] = "kept";

		CHECK(parse__pattern_list("MDL_wait::*,ha_[!x]*,[]a],a\\[b", out, sizeof(out)) ==
				      0 &&
			      !strcmp(out, "MDL_wait::*,ha_[!x]*,[]a],a\\[b"),
		      "brackets closed, a ] first in a set, an escaped [: %s", out);
		strcpy(out, "kept");
		CHECK(parse__pattern_list("ok,ha_[x*", out, sizeof(out)) == -EINVAL &&
			      !strcmp(out, "kept"),
		      "a [ never closed: refused, out untouched");
		CHECK(parse__pattern_list("a\\", out, sizeof(out)) == -EINVAL, "a trailing \\");
		CHECK(parse__pattern_list("[!]", out, sizeof(out)) == -EINVAL, "[!] is not closed");
	}
	return unit__finish("test_parse");
}
