// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "config/config.h"
#include "util/log.h"
#include "loader/preflight.h"
#include "unit.h"

static int parse(struct config *cfg, int argc, char **argv)
{
	return config__init(cfg) ?: config__parse_args(cfg, CONFIG_FOR_SNAPSHOT, argc, argv);
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

static int load_missing_file(void *arg)
{
	struct config cfg;

	return config__init(&cfg) ?: config__parse_file(&cfg, arg);
}

static int parse_bad_option(void *arg)
{
	struct config cfg;
	char *argv[] = { "snapshot", "--min-blocked", arg, NULL };

	return parse(&cfg, 3, argv);
}

/* An option of the monitor given to a snapshot. */
static int parse_monitor_option(void *arg)
{
	struct config cfg;
	char *argv[] = { "snapshot", arg, "1s", NULL };

	return parse(&cfg, 3, argv);
}

/* An option of snapshots given to the monitor. */
static int load_snapshot_option(void *arg)
{
	struct config cfg;
	char *argv[] = { "monitor", arg, NULL };

	return config__load(&cfg, CONFIG_FOR_MONITOR, 2, argv) == CONFIG_BAD_ARGS ? -EINVAL : 0;
}

/* Write text to a temporary file and load cfg from it. */
static int load_text(struct config *cfg, const char *text, char *path, size_t size)
{
	int fd;

	snprintf(path, size, "/tmp/leakmon-test-config.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		return -EIO;
	close(fd);
	return config__init(cfg) ?: config__parse_file(cfg, path);
}

static const char *bad_file_text;

static int load_bad_file(void *arg)
{
	struct config cfg;
	int ret = load_text(&cfg, bad_file_text, arg, 64);

	unlink(arg);
	return ret;
}

/* Every bad line: its file and line number, what is wrong; nothing else is applied. */
static void check_bad_files(void)
{
	static const struct {
		const char *text, *error;
	} cases[] = {
		{ "interval = 2s\nbogus = 1\n", ":2: unknown key 'bogus'\n" },
		{ "# ok\n\nblocked-threshold = 3x\n",
		  ":3: blocked-threshold: '3x' is not valid: expected a duration such as 500ms, "
		  "10s, 5m, 1h\n" },
		{ "interval = 2s\n interval=3s\n",
		  ":2: 'interval' is set twice (first on line 1)\n" },
		{ "json = yes\n", ":1: json: 'yes' is not valid: expected true or false\n" },
		{ "metrics = 127.0.0.1\n",
		  ":1: metrics: '127.0.0.1' is not valid: expected ADDRESS:PORT (127.0.0.1:9464, "
		  "[::1]:9464, localhost:9464)\n" },
		{ "watch-names = a, b\n",
		  ":1: watch-names: 'a, b' is not valid: expected patterns separated by commas, no "
		  "spaces\n" },
		{ "config = /etc/other.conf\n", ":1: unknown key 'config'\n" },
		{ "interval 2s\n", ":1: expected 'key = value'\n" },
	};
	char msg[512], want[512], path[64];
	int ret;

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		bad_file_text = cases[i].text;
		capture_stderr(msg, sizeof(msg), load_bad_file, path, &ret);
		snprintf(want, sizeof(want), "leakmon: error: %s%s", path, cases[i].error);
		CHECK(ret != 0, "case %zu accepted", i);
		CHECK_STR(msg, want);
	}
	bad_file_text = "max-processes = 65536\ninterval = 2s\n";
	capture_stderr(msg, sizeof(msg), load_bad_file, path, &ret);
	snprintf(want, sizeof(want),
		 "leakmon: warning: %s:1: 'max-processes' is no longer used (thread counts are the "
		 "kernel's own, with no table to size): ignored\n",
		 path);
	CHECK(ret == 0, "a retired key does not stop a file from loading");
	CHECK_STR(msg, want);
	capture_stderr(msg, sizeof(msg), load_missing_file, "/nonexistent/leakmon.conf", &ret);
	CHECK(ret != 0, "a missing file is an error");
	CHECK_STR(msg, "leakmon: error: /nonexistent/leakmon.conf: cannot read: No such file or "
		       "directory\n");
}

/* What config__print_file writes, NUL-terminated (caller frees); its length into *len. */
static char *generated_file(size_t *len)
{
	char *generated = NULL;
	FILE *f = open_memstream(&generated, len);

	if (!f)
		return NULL;
	config__print_file(f);
	fclose(f);
	return generated;
}

/* The text of a file of the tree, up to 64 KiB, NUL-terminated (caller frees); NULL: missing. */
static char *tree_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *text;

	CHECK(f != NULL, "%s is missing", path);
	if (!f)
		return NULL;
	text = calloc(1, 65536);
	*len = text ? fread(text, 1, 65535, f) : 0;
	fclose(f);
	return text;
}

/* The shipped file lists every key with its default, as the table has them, and loads. */
static void check_shipped_file(void)
{
	const char *shipped = "deploy/leakmon.conf";
	size_t gen_len = 0, len = 0;
	char *generated = generated_file(&gen_len), *text = tree_file(shipped, &len);
	struct config cfg;

	CHECK(generated && text && len >= gen_len && !strncmp(text, generated, gen_len),
	      "%s does not begin with what config__print_file writes: regenerate it with "
	      "build/tests/test_config --write %s",
	      shipped, shipped);
	CHECK(config__init(&cfg) == 0 && config__parse_file(&cfg, shipped) == 0, "it loads");
	free(generated);
	free(text);
}

/* A key as the man page writes its option: roff escapes each of its dashes. */
static void man__option(const char *key, char *out, size_t size)
{
	size_t n = (size_t)snprintf(out, size, "\\-\\-");

	for (const char *c = key; *c && n + 3 < size; c++) {
		if (*c == '-')
			out[n++] = '\\';
		out[n++] = *c;
	}
	out[n] = '\0';
}

/* Whether text names option as a whole: not as the start of a longer one (--pin, --pid). */
static bool text__names_option(const char *text, const char *option)
{
	size_t len = strlen(option);

	for (const char *at = strstr(text, option); at; at = strstr(at + 1, option))
		if (!isalnum((unsigned char)at[len]) && at[len] != '\\')
			return true;
	return false;
}

/* The man page names every setting of the table, as the shipped file lists them. */
static void check_man_page(void)
{
	const char *man = "deploy/leakmon.8";
	size_t gen_len = 0, len = 0, keys = 0;
	char *generated = generated_file(&gen_len), *text = tree_file(man, &len);
	char *line, *save = NULL, option[128];

	for (line = generated && text ? strtok_r(generated, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char key[64];

		if (sscanf(line, "#%63[a-z-] =", key) != 1)
			continue;
		man__option(key, option, sizeof(option));
		CHECK(text__names_option(text, option), "%s does not name the setting %s (%s)", man,
		      key, option);
		keys++;
	}
	CHECK(keys > 20, "only %zu settings found in the generated file", keys);
	free(generated);
	free(text);
}

int main(int argc, char **argv)
{
	struct config cfg;
	char msg[512], path[64];
	int ret;

	if (argc == 3 && !strcmp(argv[1], "--write")) {
		FILE *f = fopen(argv[2], "w");

		if (!f)
			return 1;
		config__print_file(f);
		return fclose(f) ? 1 : 0;
	}

	CHECK(parse(&cfg, 1, (char *[]){ "snapshot", NULL }) == 0, "no options");
	CHECK(cfg.n_pids == 0 && cfg.min_blocked_ns == 0 && cfg.hooks == HOOKS_AUTO && !cfg.json &&
		      !cfg.verbose,
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

	capture_stderr(msg, sizeof(msg), parse_monitor_option, "--interval", &ret);
	CHECK(ret == -EINVAL, "the monitor's option refused by a snapshot: %d", ret);
	CHECK_STR(msg, "leakmon: error: --interval is an option of monitor only\n");
	capture_stderr(msg, sizeof(msg), load_snapshot_option, "--no-stacks", &ret);
	CHECK(ret == -EINVAL, "a snapshot's option refused by the monitor: %d", ret);
	CHECK_STR(msg, "leakmon: error: --no-stacks is an option of snapshot only\n");

	capture_stderr(msg, sizeof(msg), check_missing_btf, "/nonexistent/vmlinux", &ret);
	CHECK(ret == -ENOENT, "missing BTF: %d", ret);
	CHECK_STR(msg, "leakmon: error: kernel has no BTF (/nonexistent/vmlinux: No such file or "
		       "directory): leakmon needs a kernel built with CONFIG_DEBUG_INFO_BTF=y\n");
	/*
	 * A file: comments, blanks, spaces around '=', flags spelled out, keys of every command
	 * (one file serves the service and snapshots); the command line wins.
	 */
	CHECK(load_text(&cfg,
			"# a comment\n\n  interval=250ms  \nblocked-kinds = all\njson = true\n"
			"min-blocked = 1s\n"
			"metrics = [::1]:9464\nwatch-cgroups = /system.slice/a.service,/b\n",
			path, sizeof(path)) == 0,
	      "a good file");
	CHECK(cfg.interval_ns == 250000000ULL && cfg.json && !strcmp(cfg.blocked_kinds, "all") &&
		      !strcmp(cfg.metrics_host, "::1") && cfg.metrics_port == 9464 &&
		      !strcmp(cfg.watch_cgroups, "/system.slice/a.service,/b"),
	      "its values");
	CHECK(config__load(&cfg, CONFIG_FOR_MONITOR, 4,
			   (char *[]){ "monitor", "--config", path, "--interval=3s", NULL }) ==
			      CONFIG_OK &&
		      cfg.interval_ns == 3000000000ULL && cfg.json,
	      "--config FILE, then the command line over it");
	unlink(path);
	CHECK(config__load(&cfg, CONFIG_FOR_MONITOR, 3,
			   (char *[]){ "monitor", "--config", "/nonexistent", NULL }) ==
		      CONFIG_BAD_FILE,
	      "a bad file is not a usage error");
	check_bad_files();
	check_shipped_file();
	check_man_page();

	log__setup(LOG_LEVEL_INFO, true);
	capture_stderr(msg, sizeof(msg), check_missing_btf, "/nonexistent/vmlinux", &ret);
	CHECK(!strncmp(msg, "{\"error\":\"kernel has no BTF", 27), "JSON error: %s", msg);
	return unit__finish("test_config");
}
