// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * One table of settings drives the command-line flags, their defaults and --help, so a knob
 * cannot exist in one place and not in another.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "util/log.h"
#include "util/parse.h"

struct setting_type {
	int (*parse)(const char *text, void *dest);
	const char *expected; /* what a valid value looks like, for errors */
};

struct setting {
	const char *name;
	int short_name;
	const char *arg; /* NULL for flags */
	const struct setting_type *type;
	size_t offset;
	const char *def;
	const char *help;
	unsigned int commands; /* enum config_command */
};

/* A flag given alone is true; --flag=false and files spell it out. */
static int setting__parse_bool(const char *text, void *dest)
{
	if (strcmp(text, "true") && strcmp(text, "false"))
		return -EINVAL;
	*(bool *)dest = !strcmp(text, "true");
	return 0;
}

static int setting__parse_duration(const char *text, void *dest)
{
	return parse__duration(text, dest);
}

static int setting__parse_pids(const char *text, void *dest)
{
	struct config *cfg = (struct config *)((char *)dest - offsetof(struct config, pids));

	if (!*text) {
		cfg->n_pids = 0;
		return 0;
	}
	return parse__pid_list(text, cfg->pids, CONFIG_MAX_PIDS, &cfg->n_pids);
}

/* An enum's value by name: names[] is indexed by the enum. Enums are ints here. */
static int setting__parse_choice(const char *text, const char *const *names, size_t n, void *dest)
{
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(text, names[i])) {
			*(int *)dest = (int)i;
			return 0;
		}
	}
	return -EINVAL;
}

static int setting__parse_hooks(const char *text, void *dest)
{
	static const char *const names[] = {
		[HOOKS_AUTO] = "auto", [HOOKS_TP_BTF] = "tp_btf", [HOOKS_RAW_TP] = "raw_tp"
	};

	return setting__parse_choice(text, names, sizeof(names) / sizeof(names[0]), dest);
}

static int setting__parse_debuginfo(const char *text, void *dest)
{
	static const char *const names[] = { [DEBUGINFO_EMBEDDED] = "embedded",
					     [DEBUGINFO_ALL] = "all",
					     [DEBUGINFO_NONE] = "none" };

	return setting__parse_choice(text, names, sizeof(names) / sizeof(names[0]), dest);
}

/* Patterns separated by commas, or nothing. */
static int setting__parse_list(const char *text, void *dest)
{
	if (!*text) {
		*(char *)dest = '\0';
		return 0;
	}
	return parse__pattern_list(text, dest, CONFIG_LIST_LEN);
}

static int setting__parse_path(const char *text, void *dest)
{
	size_t len = strlen(text);

	if (len >= CONFIG_PATH_LEN)
		return -EINVAL;
	memcpy(dest, text, len + 1);
	return 0;
}

static int setting__parse_address(const char *text, void *dest)
{
	struct config *cfg =
		(struct config *)((char *)dest - offsetof(struct config, metrics_host));

	if (!*text) {
		cfg->metrics_host[0] = '\0';
		cfg->metrics_port = 0;
		return 0;
	}
	return parse__listen_address(text, cfg->metrics_host, sizeof(cfg->metrics_host),
				     &cfg->metrics_port);
}

static int setting__parse_top(const char *text, void *dest)
{
	return parse__u32(text, 0, 10000, dest);
}

/* Up to 64 Ki creators' stacks: 128 MiB of kernel memory. */
static int setting__parse_creator_slots(const char *text, void *dest)
{
	return parse__u32(text, 1, 65536, dest);
}

/* Wait reasons or syscall names: lower-case words separated by commas. */
static int setting__parse_kinds(const char *text, void *dest)
{
	size_t len = strlen(text);

	if (!len || len >= sizeof(((struct config *)0)->blocked_kinds) ||
	    strspn(text, "abcdefghijklmnopqrstuvwxyz0123456789_,") != len || text[0] == ',' ||
	    text[len - 1] == ',' || strstr(text, ",,"))
		return -EINVAL;
	memcpy(dest, text, len + 1);
	return 0;
}

bool config__kind_alerted(const struct config *cfg, const char *reason)
{
	const char *p = cfg->blocked_kinds;
	size_t len = reason ? strlen(reason) : 0;

	if (!len)
		return false;
	while (*p) {
		size_t n = strcspn(p, ",");

		if ((n == 3 && !strncmp(p, "all", 3)) || (n == len && !strncmp(p, reason, n)))
			return true;
		p += n + (p[n] == ',');
	}
	return false;
}

static const struct setting_type type_flag = { setting__parse_bool, "true or false" };
static const struct setting_type type_duration = { setting__parse_duration,
						   "a duration such as 500ms, 10s, 5m, 1h" };
static const struct setting_type type_pids = { setting__parse_pids,
					       "process ids separated by commas" };
static const struct setting_type type_hooks = { setting__parse_hooks, "auto, tp_btf or raw_tp" };
static const struct setting_type type_debuginfo = { setting__parse_debuginfo,
						    "embedded, all or none" };
static const struct setting_type type_list = { setting__parse_list,
					       "patterns separated by commas, no spaces" };
static const struct setting_type type_path = { setting__parse_path, "a file's path" };
static const struct setting_type type_address = {
	setting__parse_address, "ADDRESS:PORT (127.0.0.1:9464, [::1]:9464, localhost:9464)"
};
static const struct setting_type type_top = { setting__parse_top, "a whole number up to 10000" };
static const struct setting_type type_creator_slots = { setting__parse_creator_slots,
							"a whole number from 1 to 65536" };
static const struct setting_type type_kinds = { setting__parse_kinds,
						"wait reasons separated by commas, or all" };

#define CFG(field) offsetof(struct config, field)

static const struct setting settings[] = {
	{ "pid", 'p', "PID[,PID...]", &type_pids, CFG(pids), "",
	  "only these processes (default: every process)", CONFIG_FOR_ALL },
	{ "min-blocked", 0, "DUR", &type_duration, CFG(min_blocked_ns), "0",
	  "list only threads blocked at least this long", CONFIG_FOR_SNAPSHOT },
	{ "delay", 0, "DUR", &type_duration, CFG(delay_ns), "0",
	  "attach, then watch this long before reading: threads created meanwhile get created_by",
	  CONFIG_FOR_SNAPSHOT },
	{ "interval", 0, "DUR", &type_duration, CFG(interval_ns), "1s",
	  "how often threads are read", CONFIG_FOR_MONITOR },
	{ "growth-window", 0, "DUR", &type_duration, CFG(growth_window_ns), "5m",
	  "thread-count growth must persist this long (the rule: leakmon(8))", CONFIG_FOR_MONITOR },
	{ "blocked-threshold", 0, "DUR", &type_duration, CFG(blocked_threshold_ns), "30s",
	  "a wait this long raises a blocked event (for the kinds below)", CONFIG_FOR_MONITOR },
	{ "blocked-kinds", 0, "LIST", &type_kinds, CFG(blocked_kinds), "mutex,rwlock,pipe_write",
	  "wait reasons whose long waits are events on their own; all for every kind",
	  CONFIG_FOR_MONITOR },
	{ "stuck-functions", 0, "LIST", &type_list, CFG(stuck_functions), "",
	  "monitor: a wait under one of these functions (patterns: MDL_wait::*) is stuck: an event "
	  "past the threshold, whatever its kind",
	  CONFIG_FOR_MONITOR },
	{ "idle-functions", 0, "LIST", &type_list, CFG(idle_functions), "",
	  "monitor: a wait under one of these functions is idle: never an event",
	  CONFIG_FOR_MONITOR },
	{ "watch-names", 0, "LIST", &type_list, CFG(watch_names), "",
	  "watch only processes named so (shell patterns: java,*-worker)", CONFIG_FOR_MONITOR },
	{ "watch-executables", 0, "LIST", &type_list, CFG(watch_executables), "",
	  "watch only processes running these files (patterns: /usr/bin/*)", CONFIG_FOR_MONITOR },
	{ "watch-cgroups", 0, "LIST", &type_list, CFG(watch_cgroups), "",
	  "watch only processes in these cgroups or below (/system.slice/nginx.service)",
	  CONFIG_FOR_MONITOR },
	{ "ignore-names", 0, "LIST", &type_list, CFG(ignore_names), "",
	  "never watch processes named so", CONFIG_FOR_MONITOR },
	{ "ignore-executables", 0, "LIST", &type_list, CFG(ignore_executables), "",
	  "never watch processes running these files", CONFIG_FOR_MONITOR },
	{ "ignore-cgroups", 0, "LIST", &type_list, CFG(ignore_cgroups), "",
	  "never watch processes in these cgroups or below", CONFIG_FOR_MONITOR },
	{ "metrics", 0, "ADDR:PORT", &type_address, CFG(metrics_host), "",
	  "serve Prometheus metrics at http://ADDR:PORT/metrics", CONFIG_FOR_MONITOR },
	{ "metrics-top", 0, "N", &type_top, CFG(metrics_top), "20",
	  "processes with a thread-count series (the largest), beside those with alerts",
	  CONFIG_FOR_MONITOR },
	{ "pin", 0, NULL, &type_flag, CFG(pin), "false",
	  "keep the live state in /sys/fs/bpf/leakmon, where snapshots read exact wait "
	  "times (the service)",
	  CONFIG_FOR_MONITOR },
	{ "json", 'j', NULL, &type_flag, CFG(json), "false", "print JSON (errors too, on stderr)",
	  CONFIG_FOR_ALL },
	{ "hooks", 0, "MODE", &type_hooks, CFG(hooks), "auto",
	  "thread hooks: auto (probe), tp_btf (typed tracepoints) or raw_tp", CONFIG_FOR_ALL },
	{ "no-stacks", 0, NULL, &type_flag, CFG(no_stacks), "false",
	  "counts and waits only: no user stacks, nor what they tell, nor pipe holders (fastest)",
	  CONFIG_FOR_SNAPSHOT },
	{ "creator-slots", 0, "N", &type_creator_slots, CFG(creator_slots), "4096",
	  "keep the creating stack (created_by) of this many threads at most: 2 KiB of kernel "
	  "memory each, taken at start",
	  CONFIG_FOR_ALL },
	{ "debuginfo", 0, "MODE", &type_debuginfo, CFG(debuginfo), "embedded",
	  "source lines and inlined frames from: embedded (DWARF in the mapped files), all (also "
	  "separate debug files such as libc6-dbg: slower), none",
	  CONFIG_FOR_ALL },
	{ "verbose", 'v', NULL, &type_flag, CFG(verbose), "false", "also show libbpf's messages",
	  CONFIG_FOR_ALL },
	{ "config", 'c', "FILE", &type_path, CFG(config_path), "",
	  "read settings from FILE first (key = value; options given here win)", CONFIG_FOR_ALL },
	{ "help", 'h', NULL, &type_flag, CFG(help), "false", "show this help", CONFIG_FOR_ALL },
};

#define N_SETTINGS (sizeof(settings) / sizeof(settings[0]))

/*
 * A value the user gave. An empty one is refused: "-p $PIDS" with PIDS unset must not mean
 * every process (defaults, not users, say "nothing" with an empty text).
 */
static int setting__apply(const struct setting *s, struct config *cfg, const char *text)
{
	int err;

	if (!*text) {
		log_err("--%s: no value: expected %s", s->name, s->type->expected);
		return -EINVAL;
	}
	err = s->type->parse(text, (char *)cfg + s->offset);
	if (err)
		log_err("--%s: '%s' is not valid: expected %s", s->name, text, s->type->expected);
	return err;
}

int config__init(struct config *cfg)
{
	int err;

	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < N_SETTINGS; i++) {
		err = settings[i].type->parse(settings[i].def, (char *)cfg + settings[i].offset);
		if (err) {
			log_err("--%s: bad default '%s'", settings[i].name, settings[i].def);
			return err;
		}
	}
	return 0;
}

/* The one command a setting is for, or NULL if it is for every command. */
static const char *setting__command(const struct setting *s)
{
	switch (s->commands) {
	case CONFIG_FOR_MONITOR:
		return "monitor";
	case CONFIG_FOR_SNAPSHOT:
		return "snapshot";
	default:
		return NULL;
	}
}

int config__parse_args(struct config *cfg, enum config_command command, int argc, char **argv)
{
	struct option longopts[N_SETTINGS + 1] = {};
	char shortopts[2 * N_SETTINGS + 2] = ":";
	size_t n_short = 1;
	int opt, index, err;

	for (size_t i = 0; i < N_SETTINGS; i++) {
		longopts[i].name = settings[i].name;
		longopts[i].has_arg = settings[i].arg ? required_argument : optional_argument;
		longopts[i].val = 256 + (int)i;
		if (settings[i].short_name) {
			shortopts[n_short++] = (char)settings[i].short_name;
			if (settings[i].arg)
				shortopts[n_short++] = ':';
		}
	}
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, shortopts, longopts, &index)) != -1) {
		const struct setting *s = NULL;

		if (opt == '?' || opt == ':') {
			if (opt == ':')
				log_err("option '%s' needs a value", argv[optind - 1]);
			else
				log_err("unknown option '%s'", argv[optind - 1]);
			return -EINVAL;
		}
		if (opt >= 256)
			s = &settings[opt - 256];
		for (size_t i = 0; !s && i < N_SETTINGS; i++)
			if (settings[i].short_name == opt)
				s = &settings[i];
		if (!(s->commands & command)) {
			log_err("--%s is an option of %s only", s->name, setting__command(s));
			return -EINVAL;
		}
		err = setting__apply(s, cfg, optarg || s->arg ? optarg : "true");
		if (err)
			return err;
	}
	if (optind < argc) {
		log_err("unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

void config__print_options(FILE *out)
{
	char left[64];

	for (size_t i = 0; i < N_SETTINGS; i++) {
		const struct setting *s = &settings[i];

		if (s->short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", s->short_name, s->name,
				 s->arg ? " " : "", s->arg ? s->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", s->name, s->arg ? " " : "",
				 s->arg ? s->arg : "");
		fprintf(out, "  %-32s ", left);
		if (setting__command(s))
			fprintf(out, "%s: ", setting__command(s));
		fputs(s->help, out);
		if (s->arg && *s->def)
			fprintf(out, " [default: %s]", s->def);
		fputc('\n', out);
	}
}

/* Which file to read, and help, only make sense on a command line. */
static bool setting__in_files(const struct setting *s)
{
	return s->offset != CFG(config_path) && s->offset != CFG(help);
}

void config__print_file(FILE *out)
{
	fprintf(out, "# leakmon's settings (leakmon --config FILE; the service reads "
		     "/etc/leakmon/leakmon.conf).\n"
		     "# One \"key = value\" a line; keys are the long options of leakmon --help, "
		     "flags take true or false.\n"
		     "# Options on the command line win over the file. SIGHUP rereads it.\n"
		     "# Every key, commented out, with its default:\n");
	for (size_t i = 0; i < N_SETTINGS; i++) {
		const struct setting *s = &settings[i];

		if (!setting__in_files(s))
			continue;
		fprintf(out, "\n# %s%s%s\n#%s = %s\n", setting__command(s) ?: "",
			setting__command(s) ? ": " : "", s->help, s->name, s->def);
	}
}

/*
 * Keys that earlier versions took and that mean nothing now: a service's file that still sets
 * one keeps loading, with a warning, instead of failing its start after an upgrade.
 */
static const struct {
	const char *name, *why;
} retired_keys[] = {
	{ "max-processes", "thread counts are the kernel's own, with no table to size" },
};

static const char *config__retired(const char *key)
{
	for (size_t i = 0; i < sizeof(retired_keys) / sizeof(*retired_keys); i++)
		if (!strcmp(retired_keys[i].name, key))
			return retired_keys[i].why;
	return NULL;
}

static const struct setting *setting__find(const char *name)
{
	for (size_t i = 0; i < N_SETTINGS; i++)
		if (!strcmp(settings[i].name, name))
			return &settings[i];
	return NULL;
}

/* Cut the blanks around text, in place. */
static char *text__trim(char *text)
{
	char *end = text + strlen(text);

	while (*text == ' ' || *text == '\t')
		text++;
	while (end > text &&
	       (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	return text;
}

static int config__parse_line(struct config *cfg, const char *path, unsigned int line_no,
			      char *line, unsigned int *seen_at)
{
	char *eq = strchr(line, '='), *key, *value;
	const struct setting *s;
	const char *retired;
	size_t index;
	int err;

	if (!eq) {
		log_err("%s:%u: expected 'key = value'", path, line_no);
		return -EINVAL;
	}
	*eq = '\0';
	key = text__trim(line);
	value = text__trim(eq + 1);
	s = setting__find(key);
	retired = s ? NULL : config__retired(key);
	if (retired) {
		log_warn("%s:%u: '%s' is no longer used (%s): ignored", path, line_no, key,
			 retired);
		return 0;
	}
	if (!s || !setting__in_files(s)) {
		log_err("%s:%u: unknown key '%s'", path, line_no, key);
		return -EINVAL;
	}
	index = (size_t)(s - settings);
	if (seen_at[index]) {
		log_err("%s:%u: '%s' is set twice (first on line %u)", path, line_no, key,
			seen_at[index]);
		return -EINVAL;
	}
	seen_at[index] = line_no;
	if (!*value) {
		log_err("%s:%u: %s: no value: expected %s", path, line_no, key, s->type->expected);
		return -EINVAL;
	}
	err = s->type->parse(value, (char *)cfg + s->offset);
	if (err)
		log_err("%s:%u: %s: '%s' is not valid: expected %s", path, line_no, key, value,
			s->type->expected);
	return err;
}

/* Longer lines are not settings: no value is this long. */
#define CONFIG_LINE_MAX 4096

/* The first byte of a line that text has no place for: C0 controls but tab and CR, and DEL. */
static const char *config__control_byte(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];

		if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f)
			return line + i;
	}
	return NULL;
}

int config__parse_file(struct config *cfg, const char *path)
{
	unsigned int seen_at[N_SETTINGS] = {}, line_no = 0;
	size_t size = 0;
	char *line = NULL;
	const char *bad;
	ssize_t len;
	int err = 0;
	FILE *f;

	f = fopen(path, "re");
	if (!f) {
		log_err("%s: cannot read: %s", path, strerror(errno));
		return -EINVAL;
	}
	while (!err && (len = getline(&line, &size, f)) >= 0) {
		char *text;

		line_no++;
		if ((size_t)len > CONFIG_LINE_MAX) {
			log_err("%s:%u: line longer than %d bytes", path, line_no, CONFIG_LINE_MAX);
			err = -EINVAL;
			break;
		}
		bad = config__control_byte(line, (size_t)len);
		if (bad) {
			log_err("%s:%u: not text: byte 0x%02x at column %zu", path, line_no,
				(unsigned char)*bad, (size_t)(bad - line) + 1);
			err = -EINVAL;
			break;
		}
		text = text__trim(line);
		if (*text && *text != '#')
			err = config__parse_line(cfg, path, line_no, text, seen_at);
	}
	if (!err && ferror(f)) {
		log_err("%s: cannot read: %s", path, strerror(errno));
		err = -EINVAL;
	}
	free(line);
	fclose(f);
	return err;
}

/* Settings the running monitor cannot take over without starting again (attach, outputs). */
static const struct {
	size_t offset, size;
} restart_only[] = {
	{ CFG(pids), sizeof(((struct config *)0)->pids) + sizeof(size_t) },
	{ CFG(hooks), sizeof(enum hook_mode) },
	{ CFG(creator_slots), sizeof(uint32_t) },
	{ CFG(json), sizeof(bool) },
	{ CFG(pin), sizeof(bool) },
	{ CFG(metrics_host), sizeof(((struct config *)0)->metrics_host) + sizeof(uint16_t) },
};

_Static_assert(offsetof(struct config, n_pids) ==
		       offsetof(struct config, pids) + sizeof(((struct config *)0)->pids),
	       "n_pids must follow pids");
_Static_assert(offsetof(struct config, metrics_port) ==
		       offsetof(struct config, metrics_host) +
			       sizeof(((struct config *)0)->metrics_host),
	       "metrics_port must follow metrics_host");

void config__keep_restart_only(struct config *fresh, const struct config *running)
{
	for (size_t i = 0; i < sizeof(restart_only) / sizeof(*restart_only); i++) {
		size_t off = restart_only[i].offset, size = restart_only[i].size;
		const struct setting *s = NULL;

		if (!memcmp((char *)fresh + off, (const char *)running + off, size))
			continue;
		for (size_t k = 0; k < N_SETTINGS && !s; k++)
			if (settings[k].offset == off)
				s = &settings[k];
		log_warn("reload: '%s' changes only when leakmon starts again; keeping the running "
			 "value",
			 s ? s->name : "?");
		memcpy((char *)fresh + off, (const char *)running + off, size);
	}
}

enum config_error config__load(struct config *cfg, enum config_command command, int argc,
			       char **argv)
{
	char path[CONFIG_PATH_LEN];

	if (config__init(cfg) || config__parse_args(cfg, command, argc, argv))
		return CONFIG_BAD_ARGS;
	if (!cfg->config_path[0])
		return CONFIG_OK;
	/* The file under the command line: start again from the defaults. */
	memcpy(path, cfg->config_path, sizeof(path));
	if (config__init(cfg) || config__parse_file(cfg, path))
		return CONFIG_BAD_FILE;
	return config__parse_args(cfg, command, argc, argv) ? CONFIG_BAD_ARGS : CONFIG_OK;
}

bool config__wants_json(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "--json=true") ||
		    !strcmp(argv[i], "-j"))
			return true;
	}
	return false;
}
