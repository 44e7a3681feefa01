/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_PINS_H
#define LEAKMON_PINS_H

#include <stdbool.h>
#include <stdint.h>

struct leakmon_bpf;

/*
 * The service's live state, pinned in bpffs for snapshots to share: its thread storage (exact
 * blocked-since times), counts and clock samples, and who owns them. The owner unpins them
 * when it stops; a killed one leaves them stale, and the next service replaces them.
 */
#define PINS_DIR "/sys/fs/bpf/leakmon"

enum pins_state {
	PINS_NONE,  /* nothing there */
	PINS_LIVE,  /* a running leakmon keeps them: *owner */
	PINS_STALE, /* left by a leakmon that is gone */
};

/*
 * What dir holds. -EPERM when it is not ours to touch (not root's, or unknown files): said as
 * an error if report, else as a debug line.
 */
int pins__inspect(const char *dir, bool report, enum pins_state *state, uint32_t *owner);
/* Whether pins can be made in dir: its parent must be a BPF file system (else logged). */
int pins__check_place(const char *dir);
/* Remove our pins from dir, and dir. */
int pins__remove(const char *dir);
/* Pin skel's shared maps in dir (made 0700) with this process as their owner. */
int pins__create(struct leakmon_bpf *skel, const char *dir);
/* Before loading skel: use the maps pinned in dir instead of new ones. */
int pins__reuse(struct leakmon_bpf *skel, const char *dir);

#endif /* LEAKMON_PINS_H */
