// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "leakmon.skel.h"
#include "loader/features.h"
#include "loader/pins.h"
#include "loader/tracker.h"
#include "util/log.h"

#define TRACKER_READ_BUF (256 * 1024)

struct tracker {
	struct leakmon_bpf *skel;
	enum hook_mode hooks;
	bool creators_newest;	/* the fork hook variant for kernels without bpf_task_from_pid() */
	bool shared;		/* reading a running service's maps */
	bool per_process;	/* the kernel iterates one process's threads (6.1) */
	char pin_dir[PATH_MAX]; /* where the state is shared from, or pinned */
	bool pinned;		/* our maps are pinned there: unpin on the way out */
	uint32_t *tgids;	/* -p: the only processes read */
	size_t n_tgids;
};

/* The initial pid namespace's inode (PROC_PID_INIT_INO): leakmon runs on the host. */
#define PID_NS_INIT_INO 0xEFFFFFFCU
/*
 * Leakmon's pid namespace, if it runs in one of its own (a container): ids must be translated.
 * False on the host, or when it cannot tell.
 */
static bool tracker__pid_namespace(struct stat *ns)
{
	return !stat("/proc/self/ns/pid", ns) && ns->st_ino != PID_NS_INIT_INO;
}

static void tracker__select_programs(struct tracker *t)
{
	struct leakmon_bpf *skel = t->skel;
	bool btf = t->hooks == HOOKS_TP_BTF;
	bool raw = t->hooks == HOOKS_RAW_TP;
	bool ns = t->skel->rodata->pid_ns_ino != 0;
	bool stamp_sleeps = !features__sched_info();

	bpf_program__set_autoload(skel->progs.thread_created_btf, btf && !t->creators_newest);
	bpf_program__set_autoload(skel->progs.thread_created_btf_newest, btf && t->creators_newest);
	bpf_program__set_autoload(skel->progs.thread_switched_btf, btf && stamp_sleeps);
	bpf_program__set_autoload(skel->progs.thread_switched_raw, raw && stamp_sleeps);
	bpf_program__set_autoload(skel->progs.dump_task, !ns);
	bpf_program__set_autoload(skel->progs.dump_task_ns, ns);
}

static const char *tracker__hooks_name(enum hook_mode hooks)
{
	switch (hooks) {
	case HOOKS_TP_BTF:
		return "tp_btf";
	case HOOKS_RAW_TP:
		return "raw_tp";
	default:
		return "none";
	}
}

/*
 * Size the fork hook's high-water slots (bpf/threads.bpf.c) by pid_max: pids are numbered below
 * it, so each process has a slot of its own. The object's size is the most there are; beyond
 * it, processes may share a slot.
 */
static int tracker__size_proc_highs(struct tracker *t)
{
	struct bpf_map *map = t->skel->maps.proc_highs;
	uint32_t most = bpf_map__max_entries(map), slots = 1;
	unsigned long pid_max = 0;
	FILE *f;

	if (t->hooks != HOOKS_TP_BTF)
		return bpf_map__set_autocreate(map, false);
	f = fopen("/proc/sys/kernel/pid_max", "r");
	if (!f || fscanf(f, "%lu", &pid_max) != 1)
		pid_max = most;
	if (f)
		fclose(f);
	while (slots < pid_max && slots < most)
		slots <<= 1;
	return bpf_map__set_max_entries(map, slots);
}

/*
 * Size the creators tables (bpf/shared.bpf.h): opts->creator_slots rounded up to whole buckets,
 * a power of 2 of them, where our own fork hook keeps creators; a shared snapshot reads the
 * service's tables as they are; elsewhere nothing writes them, so one bucket.
 */
static int tracker__size_creators(struct tracker *t, const struct tracker_opts *opts)
{
	struct bpf_map *tags = t->skel->maps.creator_tags;
	uint32_t buckets = 1;
	int err;

	if (t->shared) {
		t->skel->rodata->creator_bucket_mask = bpf_map__max_entries(tags) - 1;
		return 0;
	}
	while (t->hooks == HOOKS_TP_BTF &&
	       (uint64_t)buckets * LEAKMON_CREATOR_WAYS < opts->creator_slots)
		buckets <<= 1;
	err = bpf_map__set_max_entries(tags, buckets);
	if (!err)
		err = bpf_map__set_max_entries(t->skel->maps.creators,
					       buckets * LEAKMON_CREATOR_WAYS);
	t->skel->rodata->creator_bucket_mask = buckets - 1;
	return err;
}

/* Zero every entry of an array map with one call. */
static int array_map__zero(const struct bpf_map *map)
{
	uint32_t n = bpf_map__max_entries(map);
	void *zeroes = NULL;
	uint32_t *keys;
	int err = 0;

	keys = malloc(n * sizeof(*keys));
	if (keys)
		zeroes = calloc(n, bpf_map__value_size(map));
	if (!keys || !zeroes) {
		err = -ENOMEM;
		goto cleanup;
	}
	for (uint32_t i = 0; i < n; i++)
		keys[i] = i;
	if (bpf_map_update_batch(bpf_map__fd(map), keys, zeroes, &n, NULL))
		err = -errno;
cleanup:
	free(zeroes);
	free(keys);
	return err;
}

/* Whether our own fork hook keeps creators (not a shared snapshot's, not raw_tp's). */
static bool tracker__keeps_creators(const struct tracker *t)
{
	return bpf_program__autoload(t->skel->progs.thread_created_btf) ||
	       bpf_program__autoload(t->skel->progs.thread_created_btf_newest);
}

/* The iterator's link: of whichever variant was loaded. */
static struct bpf_link *tracker__iterator(const struct tracker *t)
{
	return t->skel->links.dump_task ? t->skel->links.dump_task : t->skel->links.dump_task_ns;
}

/* The iterator's program: the variant tracker__iterator() is a link of. */
static struct bpf_program *tracker__iterator_program(const struct tracker *t)
{
	return t->skel->links.dump_task ? t->skel->progs.dump_task : t->skel->progs.dump_task_ns;
}

/* An iterator over the threads of process tgid only, or NULL (errno set). */
static struct bpf_link *tracker__process_iterator(const struct tracker *t, uint32_t tgid)
{
	LIBBPF_OPTS(bpf_iter_attach_opts, opts);
	union bpf_iter_link_info linfo = {};

	linfo.task.pid = tgid;
	opts.link_info = &linfo;
	opts.link_info_len = sizeof(linfo);
	return bpf_program__attach_iter(tracker__iterator_program(t), &opts);
}

/*
 * Whether passes over some processes can visit only their threads: the whole machine's took
 * ~0.5 us a thread in the kernel alone (~50 ms a tick at 100,000 threads) for -p on one.
 * Kernels before 6.1 refuse the link (its task fields are unknown to them: E2BIG).
 */
static bool tracker__probe_per_process(const struct tracker *t)
{
	struct bpf_link *link = tracker__process_iterator(t, (uint32_t)getpid());

	if (!link) {
		log_debug("iterators over one process's threads unavailable (%s): every pass "
			  "visits every thread",
			  strerror(errno));
		return false;
	}
	bpf_link__destroy(link);
	return true;
}

static int tracker__fill_filter(struct tracker *t, const struct tracker_opts *opts)
{
	int fd = bpf_map__fd(t->skel->maps.tgid_filter);
	__u8 one = 1;

	for (size_t i = 0; i < opts->n_tgids; i++) {
		if (bpf_map_update_elem(fd, &opts->tgids[i], &one, BPF_ANY)) {
			log_err("filling the process filter failed: %s", strerror(errno));
			return -errno;
		}
	}
	return 0;
}

static int tracker__attach(struct tracker *t, enum log_level level)
{
	struct leakmon_bpf *skel = t->skel;
	struct {
		struct bpf_program *prog;
		struct bpf_link **link;
	} order[] = {
		{ skel->progs.thread_created_btf, &skel->links.thread_created_btf },
		{ skel->progs.thread_created_btf_newest, &skel->links.thread_created_btf_newest },
		{ skel->progs.thread_switched_btf, &skel->links.thread_switched_btf },
		{ skel->progs.thread_switched_raw, &skel->links.thread_switched_raw },
		{ skel->progs.dump_task, &skel->links.dump_task },
		{ skel->progs.dump_task_ns, &skel->links.dump_task_ns },
	};
	char msg[256];
	int err;

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (!bpf_program__autoload(order[i].prog))
			continue;
		*order[i].link = bpf_program__attach(order[i].prog);
		if (!*order[i].link) {
			err = -errno;
			libbpf_strerror(err, msg, sizeof(msg));
			log__msg(level, "attaching BPF program %s failed: %s",
				 bpf_program__name(order[i].prog), msg);
			return err;
		}
	}
	return 0;
}

/*
 * Open, size, load and attach with one variant of the thread hooks. A failure is an error, or
 * only worth a debug line when another variant will be tried (level). Shared: a snapshot
 * beside a running service, on its pinned maps (thread storage, creators) with
 * only our own iterator; the service's hooks keep the maps, so none of ours are loaded.
 */
static int tracker__start(struct tracker *t, const struct tracker_opts *opts, enum hook_mode hooks,
			  bool shared, enum log_level level)
{
	const char *name = tracker__hooks_name(hooks);
	struct stat ns;
	char msg[256];
	int err;

	t->hooks = hooks;
	t->shared = shared;
	t->skel = leakmon_bpf__open();
	if (!t->skel) {
		err = -errno;
		log__msg(level, "opening the BPF object failed: %s", strerror(-err));
		return err;
	}
	if (tracker__pid_namespace(&ns)) {
		t->skel->rodata->pid_ns_dev = ns.st_dev;
		t->skel->rodata->pid_ns_ino = ns.st_ino;
	}
	t->skel->rodata->filter_by_tgid = opts->n_tgids > 0;
	/* The fork hook sees the initial namespace's tgids, the filter holds ours. */
	t->skel->rodata->filter_creators_by_tgid =
		opts->n_tgids > 0 && !t->skel->rodata->pid_ns_ino;
	err = bpf_map__set_max_entries(t->skel->maps.tgid_filter,
				       opts->n_tgids ? (__u32)opts->n_tgids : 1);
	if (!err && shared)
		err = pins__reuse(t->skel, t->pin_dir);
	if (!err)
		err = tracker__size_proc_highs(t);
	if (!err)
		err = tracker__size_creators(t, opts);
	if (err) {
		log__msg(level, "sizing the BPF maps failed: %s", strerror(-err));
		return err;
	}
	tracker__select_programs(t);
	err = leakmon_bpf__load(t->skel);
	if (err) {
		libbpf_strerror(err, msg, sizeof(msg));
		log__msg(
			level,
			"loading the BPF programs (%s hooks) failed: %s (kernel 5.15 or newer with "
			"BTF needed; -v shows the verifier's reasons)",
			name, msg);
		return err;
	}
	err = tracker__fill_filter(t, opts);
	if (err)
		return err;
	/*
	 * Written once before the fork hook is attached, the creators tables are written by it at
	 * ~0.8 us a creation here instead of ~5: a page's first write is what costs (this machine's
	 * memory is backed by its host at first touch; a zeroed page was not yet touched).
	 */
	if (tracker__keeps_creators(t)) {
		err = array_map__zero(t->skel->maps.creators);
		if (!err)
			err = array_map__zero(t->skel->maps.creator_tags);
		if (err)
			log_warn("writing the creators tables at start failed: %s", strerror(-err));
	}
	return tracker__attach(t, level);
}

/*
 * Typed tracepoints, with the fork hook that lets a live thread keep its creator's slot where the
 * kernel has bpf_task_from_pid() (6.2), else the one where the newest creation takes it. Loading
 * is the probe: looking the function up in the kernel's BTF took ~50 ms here.
 */
static int tracker__start_btf(struct tracker *t, const struct tracker_opts *opts,
			      enum log_level level)
{
	t->creators_newest = false;
	if (!tracker__start(t, opts, HOOKS_TP_BTF, false, LOG_LEVEL_DEBUG))
		return 0;
	log_debug("the fork hook for bpf_task_from_pid() did not load: trying the one for kernels "
		  "without it (the newest thread creation takes a creator's slot)");
	leakmon_bpf__destroy(t->skel);
	t->skel = NULL;
	t->creators_newest = true;
	return tracker__start(t, opts, HOOKS_TP_BTF, false, level);
}

/*
 * What the pins say before starting: share a live service's, refuse a second service, take
 * another name where the usual one is not root's own. Any leakmon clears what killed ones left.
 */
static int tracker__check_pins(struct tracker *t, const struct tracker_opts *opts)
{
	char live_dir[PATH_MAX];
	enum pins_state state;
	uint32_t owner;
	int err;

	owner = pins__survey(opts->pin_dir, live_dir, sizeof(live_dir));
	snprintf(t->pin_dir, sizeof(t->pin_dir), "%s", opts->pin_dir);
	if (opts->pins == TRACKER_PINS_NONE)
		return 0;
	if (opts->pins == TRACKER_PINS_SHARE) {
		/* A snapshot can always do without: it loads its own programs. */
		if (!owner)
			return 0;
		snprintf(t->pin_dir, sizeof(t->pin_dir), "%s", live_dir);
		if (!tracker__start(t, opts, HOOKS_NONE, true, LOG_LEVEL_DEBUG)) {
			log_debug("reading the state of the leakmon service (pid %u) in %s", owner,
				  t->pin_dir);
			return 0;
		}
		log_debug("the service's state could not be shared: loading our own programs");
		leakmon_bpf__destroy(t->skel);
		t->skel = NULL;
		t->shared = false;
		return 0;
	}
	err = pins__check_place(opts->pin_dir);
	if (err)
		return err;
	if (owner) {
		log_err("another leakmon (pid %u) keeps its state in %s: one service at a time",
			owner, live_dir);
		return -EBUSY;
	}
	err = pins__inspect(opts->pin_dir, true, &state, &owner);
	if (err == -EPERM) {
		snprintf(t->pin_dir, sizeof(t->pin_dir), "%s-%d", opts->pin_dir, (int)getpid());
		log_warn("keeping the state in %s instead", t->pin_dir);
		return 0;
	}
	if (err || state == PINS_NONE)
		return err;
	log_info("replacing the state a stopped leakmon left in %s", t->pin_dir);
	err = pins__remove(t->pin_dir);
	if (err)
		log_err("removing %s failed: %s", t->pin_dir, strerror(-err));
	return err;
}

int tracker__new_creators_window(struct tracker *t)
{
	if (!tracker__keeps_creators(t))
		return 0;
	return array_map__zero(t->skel->maps.proc_highs);
}

int tracker__keep_every_creator(struct tracker *t, uint32_t tgid, bool every)
{
	struct bpf_map *map = t->skel->maps.proc_highs;
	struct proc_high high = { .threads = every ? LEAKMON_EVERY_CREATION : 0 };
	uint32_t slot = tgid & LEAKMON_PROC_HIGH_SLOT_MASK & (bpf_map__max_entries(map) - 1);

	if (!tracker__keeps_creators(t))
		return 0;
	return bpf_map_update_elem(bpf_map__fd(map), &slot, &high, BPF_ANY) ? -errno : 0;
}

/* Load and attach our own programs (not a shared snapshot's), pinned where asked. */
static int tracker__start_own(struct tracker *t, const struct tracker_opts *opts)
{
	int err;

	if (opts->read_at_once) {
		err = tracker__start(t, opts, HOOKS_NONE, false, LOG_LEVEL_ERR);
	} else if (opts->hooks == HOOKS_AUTO) {
		/* The probe is the real thing: typed tracepoints where the kernel allows them. */
		err = tracker__start_btf(t, opts, LOG_LEVEL_DEBUG);
		if (err) {
			log_debug("typed tracepoints unavailable: falling back to raw tracepoints");
			leakmon_bpf__destroy(t->skel);
			t->skel = NULL;
			err = tracker__start(t, opts, HOOKS_RAW_TP, false, LOG_LEVEL_ERR);
		}
	} else if (opts->hooks == HOOKS_TP_BTF) {
		err = tracker__start_btf(t, opts, LOG_LEVEL_ERR);
	} else {
		err = tracker__start(t, opts, opts->hooks, false, LOG_LEVEL_ERR);
	}
	if (err)
		return err;
	log_debug("thread hooks: %s; attached; sleeps dated by %s", tracker__hooks_name(t->hooks),
		  t->skel->links.thread_switched_btf || t->skel->links.thread_switched_raw
			  ? "a sched_switch hook"
		  : features__sched_info() ? "the scheduler's own timestamps"
					   : "nothing (no CONFIG_SCHED_INFO)");
	if (opts->pins != TRACKER_PINS_CREATE)
		return 0;
	err = pins__create(t->skel, t->pin_dir);
	t->pinned = !err;
	return err;
}

int tracker__new(const struct tracker_opts *opts, struct tracker **out)
{
	struct tracker *t;
	int err;

	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	if (opts->n_tgids) {
		t->tgids = malloc(opts->n_tgids * sizeof(*t->tgids));
		if (!t->tgids) {
			err = -ENOMEM;
			goto cleanup;
		}
		memcpy(t->tgids, opts->tgids, opts->n_tgids * sizeof(*t->tgids));
		t->n_tgids = opts->n_tgids;
	}
	err = tracker__check_pins(t, opts);
	if (err)
		goto cleanup;
	if (!t->shared) {
		err = tracker__start_own(t, opts);
		if (err)
			goto cleanup;
	}
	t->per_process = tracker__probe_per_process(t);
	*out = t;
	return 0;
cleanup:
	tracker__free(t);
	return err;
}

void tracker__free(struct tracker *t)
{
	if (!t)
		return;
	if (t->pinned)
		pins__remove(t->pin_dir);
	leakmon_bpf__destroy(t->skel);
	free(t->tgids);
	free(t);
}

struct record_handlers {
	tracker_task_fn task;
	tracker_creator_fn creator;
	void *ctx;
};

/* The size a record of this type must have, or 0 for a type we do not know. */
static size_t record__expected_size(uint32_t type)
{
	switch (type) {
	case LEAKMON_RECORD_TASK:
		return sizeof(struct task_record);
	case LEAKMON_RECORD_CREATOR:
		return sizeof(struct creator_record);
	default:
		return 0;
	}
}

/* Hand out whole records; a read may end inside one, so the tail is kept for the next. */
static int tracker__consume(char *buf, size_t *len, const struct record_handlers *h)
{
	size_t off = 0, size;
	int ret = 0;

	while (*len - off >= 2 * sizeof(uint32_t)) {
		const uint32_t *head = (const uint32_t *)(buf + off);

		size = record__expected_size(head[0]);
		if (!size || head[1] != size) {
			log_err("task iterator record of type %u size %u: BPF object and loader "
				"disagree",
				head[0], head[1]);
			return -EPROTO;
		}
		if (*len - off < size)
			break;
		if (head[0] == LEAKMON_RECORD_TASK)
			ret = h->task((const struct task_record *)head, h->ctx);
		else if (h->creator)
			ret = h->creator((const struct creator_record *)head, h->ctx);
		off += size;
		if (ret)
			break;
	}
	memmove(buf, buf + off, *len - off);
	*len -= off;
	return ret;
}

/* One pass of an iterator, its records handed out as they come; buf: TRACKER_READ_BUF bytes. */
static int tracker__read_iterator(struct bpf_link *link, const struct record_handlers *h, char *buf)
{
	size_t len = 0;
	ssize_t n;
	int fd, err = 0;

	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		err = -errno;
		log_err("starting the task iterator failed: %s", strerror(-err));
		return err;
	}
	/*
	 * The pass dates sleeps by this CPU's run-queue clock, which every scheduler event on it
	 * updates: yielding is one, a microsecond before the pass begins (bpf/tasks.bpf.c).
	 */
	sched_yield();
	for (;;) {
		n = read(fd, buf + len, TRACKER_READ_BUF - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			log_err("reading the task iterator failed: %s", strerror(-err));
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		err = tracker__consume(buf, &len, h);
		if (err)
			break;
	}
	close(fd);
	return err;
}

/* A pass over processes tgids (none: the machine), one iterator each where the kernel can. */
static int tracker__read(struct tracker *t, const uint32_t *tgids, size_t n_tgids,
			 const struct record_handlers *h)
{
	struct bpf_link *link;
	char *buf;
	int err = 0;

	buf = malloc(TRACKER_READ_BUF);
	if (!buf)
		return -ENOMEM;
	if (!n_tgids || !t->per_process) {
		err = tracker__read_iterator(tracker__iterator(t), h, buf);
		goto cleanup;
	}
	for (size_t i = 0; i < n_tgids && !err; i++) {
		link = tracker__process_iterator(t, tgids[i]);
		if (!link) {
			err = -errno;
			log_err("starting the task iterator of process %u failed: %s", tgids[i],
				strerror(-err));
			break;
		}
		err = tracker__read_iterator(link, h, buf);
		bpf_link__destroy(link);
	}
cleanup:
	free(buf);
	return err;
}

int tracker__for_each_record(struct tracker *t, tracker_task_fn task_fn,
			     tracker_creator_fn creator_fn, void *ctx)
{
	struct record_handlers h = { task_fn, creator_fn, ctx };

	return tracker__read(t, t->tgids, t->n_tgids, &h);
}

int tracker__for_each_task(struct tracker *t, tracker_task_fn fn, void *ctx)
{
	return tracker__for_each_record(t, fn, NULL, ctx);
}

int tracker__for_each_task_of(struct tracker *t, const uint32_t *tgids, size_t n_tgids,
			      tracker_task_fn fn, void *ctx)
{
	struct record_handlers h = { fn, NULL, ctx };

	return tracker__read(t, tgids, n_tgids, &h);
}

void tracker__drops(struct tracker *t, struct tracker_drops *out)
{
	out->blocked_state =
		__atomic_load_n(&t->skel->bss->blocked_state_dropped, __ATOMIC_RELAXED);
	out->creator = __atomic_load_n(&t->skel->bss->creator_dropped, __ATOMIC_RELAXED);
}
