// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <string.h>

#include "runtime/runtime.h"
#include "util/log.h"

/* Every runtime leakmon reads, in the order each is asked about a thread. */
static const struct runtime_ops *const runtimes[RUNTIME_KINDS] = {
	&cpython_runtime,
	&hotspot_runtime,
	&glibc_runtime,
};

void runtime_set__init(struct runtime_set *set, pid_t pid)
{
	memset(set, 0, sizeof(*set));
	set->pid = pid;
}

void runtime_set__release(struct runtime_set *set)
{
	for (size_t k = 0; k < RUNTIME_KINDS; k++) {
		if (set->slots[k].state == RUNTIME_OPEN)
			runtimes[k]->close(set->slots[k].rt);
		set->slots[k] = (struct runtime_slot){};
	}
}

/* Open runtime k in module; a failure is one try of RUNTIME_OPEN_TRIES. */
static void runtime_set__open(struct runtime_set *set, size_t k, const struct runtime_context *ctx,
			      const char *module)
{
	struct runtime_slot *slot = &set->slots[k];
	int err = runtimes[k]->open(ctx, module, &slot->rt);

	if (!err) {
		slot->state = RUNTIME_OPEN;
		return;
	}
	slot->rt = NULL;
	slot->state = ++slot->tries < RUNTIME_OPEN_TRIES ? RUNTIME_FAILED : RUNTIME_ABSENT;
	log_debug("pid %d: its %s would not open (%s)%s", (int)set->pid, runtimes[k]->name,
		  strerror(-err),
		  slot->state == RUNTIME_ABSENT ? ", and is not looked for again" : "");
}

/*
 * Runtime k of the process, opened if th's stack shows it runs it (or k is in every process),
 * or NULL: the process does not run it, or it will not open.
 */
static struct runtime *runtime_set__for_thread(struct runtime_set *set, size_t k,
					       const struct runtime_context *ctx,
					       const struct thread_snap *th)
{
	struct runtime_slot *slot = &set->slots[k];
	const char *module = NULL;

	if (slot->state == RUNTIME_UNSEEN &&
	    (!runtimes[k]->in_stack ||
	     (ctx->unwinder && (module = runtimes[k]->in_stack(&th->stack)))))
		runtime_set__open(set, k, ctx, module);
	return slot->state == RUNTIME_OPEN ? slot->rt : NULL;
}

/* Runtime k, looked for in the process's maps: opened with an unwinder of its own for symbols. */
static void runtime_set__look_in_maps(struct runtime_set *set, size_t k,
				      const struct runtime_context *ctx)
{
	struct unwinder_opts opts = { .symbols = ctx->symbols, .no_dwarf = true };
	struct runtime_context own = *ctx;
	const char *module = runtimes[k]->in_maps(set->pid);
	int err;

	if (!module) {
		set->not_in_maps |= 1u << k;
		return;
	}
	if (!own.unwinder) {
		err = unwinder__new(set->pid, &opts, &own.unwinder);
		if (err) {
			log_debug("pid %d: its modules could not be read for its %s: %s",
				  (int)set->pid, runtimes[k]->name, strerror(-err));
			return;
		}
	}
	runtime_set__open(set, k, &own, module);
	if (own.unwinder != ctx->unwinder)
		unwinder__free(own.unwinder);
}

void runtime_set__begin_look(struct runtime_set *set, const struct runtime_context *ctx,
			     bool look_in_maps)
{
	if (!set)
		return;
	for (size_t k = 0; k < RUNTIME_KINDS; k++) {
		struct runtime_slot *slot = &set->slots[k];

		if (slot->state == RUNTIME_FAILED)
			slot->state = RUNTIME_UNSEEN;
		if (slot->state == RUNTIME_UNSEEN && look_in_maps && runtimes[k]->in_maps &&
		    !(set->not_in_maps & (1u << k)))
			runtime_set__look_in_maps(set, k, ctx);
		else if (slot->state == RUNTIME_OPEN && runtimes[k]->begin_look)
			runtimes[k]->begin_look(slot->rt, ctx);
	}
}

void runtime_set__annotate_records(struct runtime_set *set, const struct runtime_context *ctx,
				   struct process_snap *p)
{
	for (size_t k = 0; set && k < RUNTIME_KINDS; k++) {
		if (set->slots[k].state != RUNTIME_OPEN || !runtimes[k]->annotate_record)
			continue;
		for (size_t i = 0; i < p->n_threads; i++)
			if (p->threads[i]->wait.blocked)
				runtimes[k]->annotate_record(set->slots[k].rt, ctx, p->threads[i]);
	}
}

void runtime_set__annotate_frames(struct runtime_set *set, const struct runtime_context *ctx,
				  struct thread_snap *th)
{
	struct runtime *rt;

	for (size_t k = 0; set && k < RUNTIME_KINDS; k++)
		if (runtimes[k]->annotate_frames && (rt = runtime_set__for_thread(set, k, ctx, th)))
			runtimes[k]->annotate_frames(rt, ctx, th);
}

void runtime_set__annotate_wait(struct runtime_set *set, const struct runtime_context *ctx,
				struct thread_snap *th)
{
	const char *reason;
	struct runtime *rt;

	for (size_t k = 0; set && k < RUNTIME_KINDS; k++) {
		if (!runtimes[k]->annotate_wait || !(rt = runtime_set__for_thread(set, k, ctx, th)))
			continue;
		reason = runtimes[k]->annotate_wait(rt, ctx, th);
		if (reason) {
			th->reason = reason;
			return;
		}
	}
}

uint32_t runtime_set__lock_owner(struct runtime_set *set, struct thread_snap *th, bool *refused)
{
	const struct runtime_context ctx = { .pid = set ? set->pid : 0 };
	struct runtime *rt;
	uint32_t owner;

	*refused = false;
	for (size_t k = 0; set && k < RUNTIME_KINDS; k++) {
		if (!runtimes[k]->lock_owner || !(rt = runtime_set__for_thread(set, k, &ctx, th)))
			continue;
		owner = runtimes[k]->lock_owner(rt, th, refused);
		if (owner || *refused)
			return owner;
	}
	return 0;
}

uint32_t runtime_set__lock_waiters(const struct runtime_set *set, const struct process_snap *p,
				   uint64_t lock)
{
	uint32_t n = 0;

	for (size_t k = 0; set && k < RUNTIME_KINDS; k++) {
		if (set->slots[k].state != RUNTIME_OPEN || !runtimes[k]->waits_for_lock)
			continue;
		for (size_t i = 0; i < p->n_threads; i++) {
			const struct wait_info *w = &p->threads[i]->wait;

			n += w->blocked && w->futex_word &&
			     runtimes[k]->waits_for_lock(lock, w->futex_word);
		}
	}
	return n;
}
