// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <dirent.h>
#include <errno.h>
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

int pins__inspect(const char *dir, bool report, enum pins_state *state, uint32_t *owner)
{
	enum log_level level = report ? LOG_LEVEL_ERR : LOG_LEVEL_DEBUG;
	struct owner_record rec = {};
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	__u32 key = 0;
	int fd, err = 0;
	DIR *d;

	*state = PINS_NONE;
	*owner = 0;
	if (stat(dir, &st))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode) || st.st_uid != 0) {
		log__msg(level, "%s is not a directory of root's: not touching it", dir);
		return -EPERM;
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
	*state = PINS_STALE;
	snprintf(path, sizeof(path), "%s/owner", dir);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	if (!bpf_map_lookup_elem(fd, &key, &rec) && rec.pid && kill((pid_t)rec.pid, 0) == 0 &&
	    process__start_ticks(rec.pid) == rec.start_ticks) {
		*state = PINS_LIVE;
		*owner = rec.pid;
	}
	close(fd);
	return 0;
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
