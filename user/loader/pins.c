// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "leakmon.h"
#include "leakmon.skel.h"
#include "loader/pins.h"
#include "proc/procstat.h"
#include "util/log.h"

/*
 * The maps a snapshot shares with the service, by name: also the names of their pins. After
 * them, what earlier versions also pinned: a crashed one's are stale pins like ours.
 */
static const char *const pin_names[] = { "task_info", "creator_tags", "creators",
					 "owner",     "proc_counts",  "clock_samples" };

#define N_PINS 4 /* ours; the rest are retired */
#define N_KNOWN_PINS (sizeof(pin_names) / sizeof(*pin_names))

static bool pins__known_name(const char *name)
{
	for (size_t i = 0; i < N_KNOWN_PINS; i++)
		if (!strcmp(name, pin_names[i]))
			return true;
	return false;
}

/* A process's start time in clock ticks since boot, or 0: it is gone. */
static uint64_t process__start_ticks(uint32_t pid)
{
	struct procstat st;

	return procstat__read(pid, &st) ? st.start_ticks : 0;
}

/*
 * 0 if dir, opened without following a link, is a directory root made for itself: owned by
 * root, mode 0700; -EPERM if not, -errno if it cannot be opened. Checked on the open directory,
 * so what is checked is what is used.
 */
static int pins__check_roots(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	bool ok;

	if (fd < 0)
		return -errno;
	ok = !fstat(fd, &st) && st.st_uid == 0 && (st.st_mode & 07777) == 0700;
	close(fd);
	return ok ? 0 : -EPERM;
}

int pins__inspect(const char *dir, bool report, enum pins_state *state, uint32_t *owner)
{
	enum log_level level = report ? LOG_LEVEL_WARN : LOG_LEVEL_DEBUG;
	struct owner_record rec = {};
	char path[PATH_MAX];
	struct dirent *de;
	__u32 key = 0;
	int fd, err = 0;
	DIR *d;

	*state = PINS_NONE;
	*owner = 0;
	err = pins__check_roots(dir);
	if (err) {
		if (err == -ENOENT)
			return 0;
		if (err == -EPERM)
			log__msg(level,
				 "%s is not a directory root made for itself (owner root, mode "
				 "0700): not using it",
				 dir);
		return err;
	}
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && !pins__known_name(de->d_name)) {
			log__msg(level, "%s holds '%s', which is not leakmon's: not touching it",
				 dir, de->d_name);
			err = -EPERM;
			break;
		}
	closedir(d);
	if (err)
		return err;
	*state = PINS_INCOMPLETE;
	snprintf(path, sizeof(path), "%s/owner", dir);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	if (!bpf_map_lookup_elem(fd, &key, &rec) && rec.pid) {
		*owner = rec.pid;
		*state = kill((pid_t)rec.pid, 0) == 0 &&
					 process__start_ticks(rec.pid) == rec.start_ticks
				 ? PINS_LIVE
				 : PINS_STALE;
	}
	close(fd);
	return 0;
}

/* A name a leakmon keeps its state under: base, or base-PID (bpffs takes no dots). */
static bool pins__is_state_name(const char *name, const char *base)
{
	size_t len = strlen(base);

	if (strncmp(name, base, len))
		return false;
	if (!name[len])
		return true;
	return name[len] == '-' && name[len + 1] &&
	       strspn(name + len + 1, "0123456789") == strlen(name + len + 1);
}

uint32_t pins__survey(const char *base, char *live_dir, size_t size)
{
	char parent[PATH_MAX], path[PATH_MAX + NAME_MAX + 2];
	const char *name = strrchr(base, '/');
	enum pins_state state;
	uint32_t owner, live = 0;
	struct dirent *de;
	int err;
	DIR *d;

	if (!name || name == base)
		return 0;
	snprintf(parent, sizeof(parent), "%.*s", (int)(name - base), base);
	d = opendir(parent);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (!pins__is_state_name(de->d_name, name + 1))
			continue;
		snprintf(path, sizeof(path), "%s/%s", parent, de->d_name);
		if (pins__inspect(path, false, &state, &owner))
			continue;
		if (state == PINS_LIVE && !live) {
			live = owner;
			snprintf(live_dir, size, "%s", path);
		} else if (state == PINS_STALE) {
			err = pins__remove(path);
			if (err)
				log_warn("removing the state a killed leakmon (pid %u) left in %s "
					 "failed: %s",
					 owner, path, strerror(-err));
			else
				log_info("removed the state a killed leakmon (pid %u) left in %s",
					 owner, path);
		}
	}
	closedir(d);
	return live;
}

int pins__remove(const char *dir)
{
	char path[PATH_MAX];

	for (size_t i = 0; i < N_KNOWN_PINS; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, pin_names[i]);
		if (unlink(path) && errno != ENOENT)
			return -errno;
	}
	if (rmdir(dir) && errno != ENOENT)
		return -errno;
	return 0;
}

int pins__check_place(const char *dir)
{
	char parent[PATH_MAX];
	struct statfs fs;
	char *slash;

	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	if (slash && slash != parent)
		*slash = '\0';
	if (!statfs(parent, &fs) && fs.f_type == BPF_FS_MAGIC)
		return 0;
	log_err("keeping the state needs a BPF file system at %s (mount -t bpf bpf %s; systemd "
		"mounts it at boot)",
		parent, parent);
	return -ENOTSUP;
}

int pins__create(struct leakmon_bpf *skel, const char *dir)
{
	struct owner_record rec = { .pid = (uint32_t)getpid() };
	char path[PATH_MAX];
	__u32 key = 0;
	int err;

	rec.start_ticks = process__start_ticks(rec.pid);
	if (mkdir(dir, 0700) && errno != EEXIST) {
		err = -errno;
		goto fail;
	}
	/* Made by us just now, or by someone else in between: only root's own is used. */
	err = pins__check_roots(dir);
	if (err) {
		log_err("%s is not a directory root made for itself (owner root, mode 0700)", dir);
		return err;
	}
	for (size_t i = 0; i < N_PINS; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, pin_names[i]);
		err = bpf_map__pin(bpf_object__find_map_by_name(skel->obj, pin_names[i]), path);
		if (err)
			goto fail;
	}
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.owner), &key, &rec, BPF_ANY)) {
		err = -errno;
		goto fail;
	}
	return 0;
fail:
	log_err("pinning the state in %s failed: %s", dir, strerror(-err));
	pins__remove(dir);
	return err;
}

int pins__reuse(struct leakmon_bpf *skel, const char *dir)
{
	char path[PATH_MAX];
	int fd, err;

	for (size_t i = 0; i < N_PINS; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, pin_names[i]);
		fd = bpf_obj_get(path);
		if (fd < 0)
			return -errno;
		err = bpf_map__reuse_fd(bpf_object__find_map_by_name(skel->obj, pin_names[i]), fd);
		close(fd);
		if (err)
			return err;
	}
	return 0;
}
