/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_PINS_H
#define LEAKMON_PINS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct leakmon_bpf;

/*
 * The service's live state, pinned in bpffs for snapshots to share: its thread storage (exact
 * blocked-since times), counts and clock samples, and who owns them. The owner unpins them
 * when it stops; a killed one leaves them stale (7.7 MiB of kernel memory by default), and the
 * next leakmon run as root removes them. Only a directory root made for itself (owner root,
 * mode 0700) is used: on a bpffs any user may write to, another user's directory of that name
 * makes the service keep its state under PINS_DIR-PID instead.
 */
#define PINS_DIR "/sys/fs/bpf/leakmon"

enum pins_state {
	PINS_NONE,	 /* nothing there */
	PINS_LIVE,	 /* a running leakmon keeps them: *owner */
	PINS_STALE,	 /* left by a leakmon that is gone: *owner, proven dead */
	PINS_INCOMPLETE, /* no owner said (one being made, or an older version's): not proven */
};

/*
 * What dir holds. -EPERM when it is not ours to touch (not root's own, or unknown files): said
 * as a warning if report, else as a debug line.
 */
int pins__inspect(const char *dir, bool report, enum pins_state *state, uint32_t *owner);
/*
 * The places a leakmon keeps its state, base and base-PID, looked at once: the state of
 * leakmons proven dead is removed, saying so; the running one's pid is returned with its dir in
 * live_dir (0: none runs).
 */
uint32_t pins__survey(const char *base, char *live_dir, size_t size);
/* Whether pins can be made in dir: its parent must be a BPF file system (else logged). */
int pins__check_place(const char *dir);
/* Remove our pins from dir, and dir. */
int pins__remove(const char *dir);
/* Pin skel's shared maps in dir (made 0700, used only if root's own) with us as their owner. */
int pins__create(struct leakmon_bpf *skel, const char *dir);
/* Before loading skel: use the maps pinned in dir instead of new ones. */
int pins__reuse(struct leakmon_bpf *skel, const char *dir);

#endif /* LEAKMON_PINS_H */
