// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "preflight.h"
#include "unit.h"

static int parse(struct config *cfg, int argc, char **argv)
{
	return config__init(cfg) ?: config__parse_args(cfg, argc, argv);
}

/* Run fn with stderr captured into buf. */
static void capture_stderr(char *buf, size_t size, int (*fn)(void *), void *arg, int *ret)
{
	FILE *tmp = tmpfile();
	int saved = dup(STDERR_FILENO);
	size_t n;

	fflush(stderr);
	dup2(fileno(tmp), STDERR_FILENO);
	*ret = fn(arg);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	n = fread(buf, 1, size - 1, tmp);
	buf[n] = '\0';
	fclose(tmp);
}

static int check_missing_btf(void *arg)
{
	return preflight__check_btf(arg);
}

static int parse_bad_option(void *arg)
{
	struct config cfg;
	char *argv[] = { "snapshot", "--min-blocked", arg, NULL };

	return parse(&cfg, 3, argv);
}

int main(void)
{
	struct config cfg;
	char msg[512];
	int ret;

	CHECK(parse(&cfg, 1, (char *[]){ "snapshot", NULL }) == 0, "no options");
	CHECK(cfg.n_pids == 0 && cfg.min_blocked_ns == 0 && cfg.max_processes == 65536 &&
		      cfg.hooks == HOOKS_AUTO && !cfg.json && !cfg.verbose,
	      "defaults");
	CHECK(parse(&cfg, 8,
		    (char *[]){ "snapshot", "-p", "3,4", "--min-blocked=2s", "--json", "--hooks",
				"raw_tp", "-v", NULL }) == 0,
	      "all options");
	CHECK(cfg.n_pids == 2 && cfg.pids[1] == 4, "pids");
	CHECK(cfg.min_blocked_ns == 2000000000ULL, "min-blocked");
	CHECK(cfg.json && cfg.verbose && cfg.hooks == HOOKS_RAW_TP, "flags");
	CHECK(config__wants_json(3, (char *[]){ "snapshot", "-p", "--json", NULL }), "--json seen");
	CHECK(!config__wants_json(4, (char *[]){ "snapshot", "--", "--json", NULL }), "after --");

	log__setup(LOG_LEVEL_INFO, false);
	capture_stderr(msg, sizeof(msg), parse_bad_option, "soon", &ret);
	CHECK(ret == -ERANGE || ret == -EINVAL, "bad duration rejected: %d", ret);
	CHECK_STR(msg, "leakmon: error: --min-blocked: 'soon' is not valid: expected a duration "
		       "such as 500ms, 10s, 5m, 1h\n");

	capture_stderr(msg, sizeof(msg), check_missing_btf, "/nonexistent/vmlinux", &ret);
	CHECK(ret == -ENOENT, "missing BTF: %d", ret);
	CHECK_STR(msg, "leakmon: error: kernel has no BTF (/nonexistent/vmlinux: No such file or "
		       "directory): leakmon needs a kernel built with CONFIG_DEBUG_INFO_BTF=y\n");
	log__setup(LOG_LEVEL_INFO, true);
	capture_stderr(msg, sizeof(msg), check_missing_btf, "/nonexistent/vmlinux", &ret);
	CHECK(!strncmp(msg, "{\"error\":\"kernel has no BTF", 27), "JSON error: %s", msg);
	return unit__finish("test_config");
}
