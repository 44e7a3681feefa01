// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <dwarf.h>
#include <elfutils/libdw.h>

#include "proc/maps.h"
#include "unwind/scopes.h"
#include "unwind/unwind.h"
#include "util/strpool.h"

/* Copied from the stack pointer up as unwinding needs; deeper reads go to the process directly. */
#define STACK_COPY_BYTES (64 * 1024)
#define PAGE_BYTES 4096
/* Enough for the frames of most blocked threads: their waits sit near the top of the stack. */
#define PREFETCH_BYTES 2048
#define IOV_BATCH 1024

/* The frames a pc resolved to: many threads of a process share the same pcs. */
struct resolved {
	uint64_t key; /* pc << 1 | activation; 0 for an empty slot */
	struct frame *frames;
	size_t n;
};

struct unwinder {
	pid_t pid;
	Dwfl *dwfl;
	Dwfl_Callbacks callbacks;
	char *debuginfo_path;
	struct symbolizer *symbols;
	struct scopes *scopes; /* the Dwfl's functions by address, unit by unit */
	struct strpool *strings;
	bool separate_dwarf, no_dwarf;
	struct frame *scratch; /* STACK_MAX_FRAMES frames to unwind into */
	struct maps maps;
	bool own_mount_ns;	/* the process sees files where we do */
	struct resolved *cache; /* open addressing, power-of-two size */
	size_t cache_size, cache_used;
	/* The thread being unwound. */
	const struct task_record *rec;
	unsigned char *stack; /* a copy of [stack_base, stack_base + stack_len) */
	uint64_t stack_base;
	size_t stack_len;
	bool stack_short; /* the copy cannot grow */
	bool frozen;	  /* the copy is all there is: the memory has moved on since */
	/* Prefetched stack tops: n_prefetched slots of PREFETCH_BYTES, in the order given. */
	unsigned char *prefetched;
	uint32_t *prefetched_tid;
	size_t *prefetched_len;
	size_t n_prefetched, prefetch_cursor;
};

/* File-backed mappings, for opening each file through /proc/PID/map_files. */
static int unwinder__read_maps(struct unwinder *u)
{
	char path[64];
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "/proc/%d/maps", u->pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	err = maps__read(f, &u->maps);
	fclose(f);
	return err;
}

static bool unwinder__same_mount_ns(pid_t pid)
{
	char path[64];
	struct stat self, other;

	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", pid);
	if (stat("/proc/self/ns/mnt", &self) || stat(path, &other))
		return false;
	return self.st_ino == other.st_ino && self.st_dev == other.st_dev;
}

/*
 * libdw's own find_elf opens the module's path on the host: the wrong file for a container or
 * a replaced binary. The mapping itself is opened instead.
 */
static int unwinder__find_elf(Dwfl_Module *mod, void **userdata, const char *name, Dwarf_Addr base,
			      char **file_name, Elf **elfp)
{
	struct unwinder *u = *userdata;
	const struct mapping *m;
	char path[PATH_MAX];
	int fd;

	if (!u || name[0] != '/')
		return dwfl_linux_proc_find_elf(mod, userdata, name, base, file_name, elfp);
	m = maps__find(&u->maps, name);
	fd = -1;
	if (m) {
		snprintf(path, sizeof(path), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, u->pid,
			 m->start, m->end);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0) {
		snprintf(path, sizeof(path), "/proc/%d/root%s", u->pid, name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0)
		return -1;
	/* The name libdw searches debuginfo by: the host path only when it means the same file. */
	if (u->own_mount_ns)
		*file_name = strdup(name);
	else
		*file_name = strdup(path);
	*elfp = NULL;
	return fd;
}

static int unwinder__claim_module(Dwfl_Module *mod, void **userdata, const char *name,
				  Dwarf_Addr start, void *arg)
{
	(void)mod;
	(void)name;
	(void)start;
	*userdata = arg;
	return DWARF_CB_OK;
}

/*
 * Report the modules from the lines already read: /proc/PID/maps of a process with thousands
 * of threads is mostly their stacks, and libdw's own reader would parse every line again.
 */
static int unwinder__report_modules(struct unwinder *u)
{
	FILE *f;
	int err;

	if (!u->maps.text_len)
		return -ESRCH;
	f = fmemopen(u->maps.text, u->maps.text_len, "r");
	if (!f)
		return -errno;
	err = dwfl_linux_proc_maps_report(u->dwfl, f);
	fclose(f);
	return err;
}

static pid_t unwinder__next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
	(void)dwfl;
	(void)arg;
	(void)thread_argp;
	return 0;
}

static bool unwinder__get_thread(Dwfl *dwfl, pid_t tid, void *arg, void **thread_argp)
{
	struct unwinder *u = arg;

	(void)dwfl;
	if (!u->rec || (pid_t)u->rec->tid != tid)
		return false;
	*thread_argp = (void *)u->rec;
	return true;
}

/*
 * Make the copy of the stack cover [sp, upto): pages are read on demand, since most blocked
 * threads need only the first one or two. One iovec per page, so a read that runs off the
 * stack's end still returns the pages before it.
 */
static bool unwinder__extend_stack(struct unwinder *u, uint64_t upto)
{
	struct iovec remote[STACK_COPY_BYTES / PAGE_BYTES + 1], local;
	uint64_t addr = u->stack_base + u->stack_len, end;
	size_t n = 0;
	ssize_t got;

	/* Offsets from the base, never sums near 2^64: registers are the process's to choose. */
	if (upto < u->stack_base || upto - u->stack_base > STACK_COPY_BYTES || u->stack_short ||
	    u->stack_base > UINT64_MAX - STACK_COPY_BYTES - PAGE_BYTES)
		return false;
	end = (upto + PAGE_BYTES - 1) / PAGE_BYTES * PAGE_BYTES + PAGE_BYTES;
	if (end > u->stack_base + STACK_COPY_BYTES)
		end = u->stack_base + STACK_COPY_BYTES;
	while (addr < end) {
		uint64_t next = (addr / PAGE_BYTES + 1) * PAGE_BYTES;

		if (next > end)
			next = end;
		remote[n].iov_base = (void *)(uintptr_t)addr;
		remote[n].iov_len = next - addr;
		n++;
		addr = next;
	}
	local.iov_base = u->stack + u->stack_len;
	local.iov_len = STACK_COPY_BYTES - u->stack_len;
	got = process_vm_readv(u->pid, &local, 1, remote, n, 0);
	if (got > 0)
		u->stack_len += (size_t)got;
	/* Short: the stack ends here (or the thread is gone); do not ask again. */
	if (got < 0 || u->stack_base + u->stack_len < end)
		u->stack_short = true;
	return u->stack_base + u->stack_len >= upto;
}

static bool unwinder__memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	struct unwinder *u = arg;
	struct iovec local = { result, sizeof(*result) };
	struct iovec remote = { (void *)(uintptr_t)addr, sizeof(*result) };

	(void)dwfl;
	/* addr is the process's to choose: offsets checked before they are added to. */
	if (addr >= u->stack_base && addr - u->stack_base < STACK_COPY_BYTES &&
	    (addr - u->stack_base + sizeof(*result) <= u->stack_len ||
	     unwinder__extend_stack(u, addr + sizeof(*result)))) {
		memcpy(result, u->stack + (addr - u->stack_base), sizeof(*result));
		return true;
	}
	if (u->frozen)
		return false;
	return process_vm_readv(u->pid, &local, 1, &remote, 1, 0) == (ssize_t)sizeof(*result);
}

static bool unwinder__set_initial_registers(Dwfl_Thread *thread, void *thread_arg)
{
	const struct task_record *rec = thread_arg;
	Dwarf_Word regs[LEAKMON_NREGS];

	for (int i = 0; i < LEAKMON_NREGS; i++)
		regs[i] = rec->regs[i];
	return dwfl_thread_state_registers(thread, 0, LEAKMON_NREGS, regs);
}

static const Dwfl_Thread_Callbacks unwinder_thread_callbacks = {
	.next_thread = unwinder__next_thread,
	.get_thread = unwinder__get_thread,
	.memory_read = unwinder__memory_read,
	.set_initial_registers = unwinder__set_initial_registers,
};

int unwinder__new(pid_t pid, const struct unwinder_opts *opts, struct unwinder **out)
{
	struct unwinder *u;
	int err;

	u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	u->pid = pid;
	u->symbols = opts->symbols;
	u->strings = opts->strings;
	u->separate_dwarf = opts->separate_dwarf;
	u->no_dwarf = opts->no_dwarf;
	u->stack = malloc(STACK_COPY_BYTES);
	u->scratch = calloc(STACK_MAX_FRAMES, sizeof(*u->scratch));
	u->scopes = scopes__new();
	if (!u->stack || !u->scratch || !u->scopes) {
		err = -ENOMEM;
		goto cleanup;
	}
	u->own_mount_ns = unwinder__same_mount_ns(pid);
	err = unwinder__read_maps(u);
	if (err)
		goto cleanup;
	u->callbacks.find_elf = unwinder__find_elf;
	u->callbacks.find_debuginfo = dwfl_standard_find_debuginfo;
	u->callbacks.debuginfo_path = &u->debuginfo_path;
	u->dwfl = dwfl_begin(&u->callbacks);
	if (!u->dwfl) {
		err = -ENOMEM;
		goto cleanup;
	}
	dwfl_report_begin(u->dwfl);
	err = unwinder__report_modules(u);
	if (dwfl_report_end(u->dwfl, NULL, NULL) || err) {
		err = err > 0 ? -err : err ? err : -ESRCH;
		goto cleanup;
	}
	dwfl_getmodules(u->dwfl, unwinder__claim_module, u, 0);
	if (!dwfl_attach_state(u->dwfl, NULL, pid, &unwinder_thread_callbacks, u)) {
		err = -EINVAL;
		goto cleanup;
	}
	*out = u;
	return 0;
cleanup:
	unwinder__free(u);
	return err;
}

static struct resolved *unwinder__cache_slot(struct unwinder *u, uint64_t key)
{
	size_t mask = u->cache_size - 1, i = (key * 0x9e3779b97f4a7c15ULL >> 20) & mask;

	while (u->cache[i].key && u->cache[i].key != key)
		i = (i + 1) & mask;
	return &u->cache[i];
}

static void unwinder__cache_grow(struct unwinder *u)
{
	struct resolved *old = u->cache;
	size_t old_size = u->cache_size;

	u->cache_size = old_size ? old_size * 2 : 256;
	u->cache = calloc(u->cache_size, sizeof(*u->cache));
	if (!u->cache) {
		u->cache = old;
		u->cache_size = old_size;
		return;
	}
	for (size_t i = 0; i < old_size; i++)
		if (old[i].key)
			*unwinder__cache_slot(u, old[i].key) = old[i];
	free(old);
}

/* Remember the frames out[first..] that pc resolved to. */
static void unwinder__cache_put(struct unwinder *u, uint64_t key, const struct stack *out,
				size_t first)
{
	struct resolved *slot;
	size_t n = out->n - first;

	if (u->cache_used * 2 >= u->cache_size)
		unwinder__cache_grow(u);
	if (u->cache_used * 2 >= u->cache_size)
		return;
	slot = unwinder__cache_slot(u, key);
	slot->frames = malloc((n ? n : 1) * sizeof(*slot->frames));
	if (!slot->frames)
		return;
	memcpy(slot->frames, out->frames + first, n * sizeof(*slot->frames));
	slot->key = key;
	slot->n = n;
	u->cache_used++;
}

void unwinder__free(struct unwinder *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->cache_size; i++)
		free(u->cache[i].frames);
	free(u->cache);
	free(u->scratch);
	scopes__free(u->scopes);
	if (u->dwfl)
		dwfl_end(u->dwfl);
	maps__free(&u->maps);
	free(u->stack);
	free(u->prefetched);
	free(u->prefetched_tid);
	free(u->prefetched_len);
	free(u);
}

void unwinder__prefetch(struct unwinder *u, const struct task_record *const *recs, size_t n)
{
	struct iovec local[IOV_BATCH], remote[IOV_BATCH];
	size_t done = 0;

	free(u->prefetched);
	free(u->prefetched_tid);
	free(u->prefetched_len);
	u->n_prefetched = u->prefetch_cursor = 0;
	u->prefetched = malloc(n * PREFETCH_BYTES);
	u->prefetched_tid = calloc(n, sizeof(*u->prefetched_tid));
	u->prefetched_len = calloc(n, sizeof(*u->prefetched_len));
	if (!u->prefetched || !u->prefetched_tid || !u->prefetched_len)
		return;
	for (size_t i = 0; i < n; i++) {
		uint64_t sp = recs[i]->regs[LEAKMON_REG_SP];
		uint64_t page_end = (sp / PAGE_BYTES + 1) * PAGE_BYTES;

		u->prefetched_tid[i] = recs[i]->tid;
		/* Never across a page: each read then succeeds or fails whole. */
		u->prefetched_len[i] =
			page_end - sp < PREFETCH_BYTES ? page_end - sp : PREFETCH_BYTES;
	}
	while (done < n) {
		size_t batch = n - done < IOV_BATCH ? n - done : IOV_BATCH, ok = 0, read = 0;
		ssize_t got;

		/* Each stack top straight into its own slot. */
		for (size_t k = 0; k < batch; k++) {
			remote[k].iov_base =
				(void *)(uintptr_t)recs[done + k]->regs[LEAKMON_REG_SP];
			remote[k].iov_len = u->prefetched_len[done + k];
			local[k].iov_base = u->prefetched + (done + k) * PREFETCH_BYTES;
			local[k].iov_len = remote[k].iov_len;
		}
		got = process_vm_readv(u->pid, local, batch, remote, batch, 0);
		/* The read stops at the first stack it cannot read: skip that one, go on after it.
		 */
		while (got > 0 && ok < batch && read + remote[ok].iov_len <= (size_t)got)
			read += remote[ok++].iov_len;
		if (ok < batch)
			u->prefetched_len[done + ok++] = 0;
		done += ok;
	}
	u->n_prefetched = n;
}

/* The prefetched top of tid's stack; threads come in the order they were prefetched. */
static bool unwinder__take_prefetched(struct unwinder *u, uint32_t tid)
{
	size_t i = u->prefetch_cursor;

	if (i >= u->n_prefetched || u->prefetched_tid[i] != tid) {
		for (i = 0; i < u->n_prefetched && u->prefetched_tid[i] != tid; i++)
			;
		if (i == u->n_prefetched)
			return false;
	}
	u->prefetch_cursor = i + 1;
	if (!u->prefetched_len[i])
		return false;
	memcpy(u->stack, u->prefetched + i * PREFETCH_BYTES, u->prefetched_len[i]);
	u->stack_len = u->prefetched_len[i];
	return true;
}

struct unwind_walk {
	struct unwinder *u;
	struct stack *out;
};

static const char *path__base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/*
 * Separate debug files (distributions' -dbg packages) keep their DWARF compressed: inflating
 * libc's alone costs more than unwinding a thousand threads. Their symbol tables still name
 * every function; source lines come from them only when asked.
 */
static bool unwinder__wants_dwarf(struct unwinder *u, Dwfl_Module *mod)
{
	const char *main_file = NULL, *debug_file = NULL;

	if (u->no_dwarf)
		return false;
	if (u->separate_dwarf)
		return true;
	/* The symbol table lookup has already searched for a debug file, if any. */
	dwfl_module_getsymtab(mod);
	dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, &main_file, &debug_file);
	return !debug_file || (main_file && !strcmp(main_file, debug_file));
}

static const char *die__name(struct unwinder *u, Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	const char *name, *pooled;
	char *display;

	name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &attr));
	if (!name)
		name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &attr));
	display = name ? symbolizer__display_name(name) : NULL;
	pooled = strpool__intern(u->strings, display);
	free(display);
	return pooled;
}

static struct frame *stack__push(struct stack *out, uint64_t pc)
{
	if (out->n == STACK_MAX_FRAMES) {
		out->truncated = true;
		return NULL;
	}
	/* The scratch frames are reused from thread to thread. */
	memset(&out->frames[out->n], 0, sizeof(out->frames[out->n]));
	out->frames[out->n].pc = pc;
	return &out->frames[out->n++];
}

/*
 * The frames of one pc, innermost first: the functions inlined there (from the DWARF scopes,
 * each called from the file and line of the next), then the function the code belongs to.
 */
static void unwinder__describe(struct unwinder *u, struct stack *out, uint64_t pc,
			       uint64_t lookup_pc)
{
	Dwfl_Module *mod = dwfl_addrmodule(u->dwfl, lookup_pc);
	const char *name, *src = NULL, *module = NULL;
	Dwarf_Die *cu = NULL, scopes[SCOPES_MAX];
	struct symbol_info sym;
	Dwarf_Files *files = NULL;
	Dwarf_Addr bias = 0;
	GElf_Addr load_bias = 0;
	size_t n_files = 0;
	Dwfl_Line *line;
	int lineno = 0, n_scopes = 0;
	struct frame *f;

	if (mod) {
		dwfl_module_getelf(mod, &load_bias);
		name = dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
		if (name && name[0] == '/')
			module = path__base(name);
		else if (name && !strncmp(name, "[vdso", 5))
			module = "[vdso]";
	}
	if (mod && unwinder__wants_dwarf(u, mod)) {
		line = dwfl_module_getsrc(mod, lookup_pc);
		src = line ? dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL) : NULL;
		cu = dwfl_module_addrdie(mod, lookup_pc, &bias);
	}
	if (cu) {
		/* Out of memory (< 0): the frame without the functions inlined into it. */
		n_scopes = scopes__at(u->scopes, cu, lookup_pc - bias, scopes);
		dwarf_getsrcfiles(cu, &files, &n_files);
	}
	for (int i = n_scopes; i-- > 0;) {
		Dwarf_Attribute attr;
		Dwarf_Word call_file = 0, call_line = 0;

		if (dwarf_tag(&scopes[i]) == DW_TAG_subprogram)
			break;
		if (dwarf_tag(&scopes[i]) != DW_TAG_inlined_subroutine)
			continue;
		f = stack__push(out, pc);
		if (!f)
			break;
		f->inlined = true;
		f->func = die__name(u, &scopes[i]);
		f->module = strpool__intern(u->strings, module);
		f->module_offset = pc - load_bias;
		f->file = strpool__intern(u->strings, src);
		f->line = src ? lineno : 0;
		dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_file, &attr), &call_file);
		dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_line, &attr), &call_line);
		src = files ? dwarf_filesrc(files, call_file, NULL, NULL) : NULL;
		lineno = (int)call_line;
	}
	f = stack__push(out, pc);
	if (!f)
		return;
	f->module = strpool__intern(u->strings, module);
	f->module_offset = pc - load_bias;
	f->file = strpool__intern(u->strings, src);
	f->line = src ? lineno : 0;
	if (mod && !symbolizer__lookup(u->symbols, mod, lookup_pc, &sym)) {
		f->func = strpool__intern(u->strings, sym.name);
		f->offset = pc - (lookup_pc - sym.offset);
		f->outermost = sym.outermost;
	}
}

static int unwinder__frame(Dwfl_Frame *state, void *arg)
{
	struct unwind_walk *walk = arg;
	struct stack *out = walk->out;
	const struct resolved *hit;
	bool activation = false;
	size_t first = out->n;
	Dwarf_Addr pc;
	uint64_t key;

	if (!dwfl_frame_pc(state, &pc, &activation))
		return DWARF_CB_ABORT;
	key = pc << 1 | activation;
	hit = walk->u->cache_size ? unwinder__cache_slot(walk->u, key) : NULL;
	if (hit && hit->key == key) {
		size_t n = hit->n;

		if (out->n + n > STACK_MAX_FRAMES) {
			n = STACK_MAX_FRAMES - out->n;
			out->truncated = true;
		}
		memcpy(out->frames + out->n, hit->frames, n * sizeof(*hit->frames));
		out->n += n;
	} else {
		/* A return address points after the call: look up the call itself. */
		unwinder__describe(walk->u, out, pc, activation ? pc : pc - 1);
		if (!out->truncated)
			unwinder__cache_put(walk->u, key, out, first);
	}
	/* Past a root function (Go's, where frame pointers lead on into another stack): done. */
	if (first && out->n > first && out->frames[out->n - 1].outermost)
		return DWARF_CB_ABORT;
	return out->truncated ? DWARF_CB_ABORT : DWARF_CB_OK;
}

/* Unwind from rec's registers over the stack copy already in place. */
static void unwinder__walk(struct unwinder *u, const struct task_record *rec, struct stack *out)
{
	struct unwind_walk walk = { u, out };

	out->frames = u->scratch;
	u->rec = rec;
	/* Unwinding ends in an error at the outermost frame as a rule: only say so when early. */
	if (dwfl_getthread_frames(u->dwfl, (pid_t)rec->tid, unwinder__frame, &walk) && !out->n &&
	    !out->error)
		out->error = dwfl_errmsg(-1);
	u->rec = NULL;
	/* Unwound into the scratch frames, then kept at their exact size. */
	out->frames = out->n ? malloc(out->n * sizeof(*out->frames)) : NULL;
	if (out->frames)
		memcpy(out->frames, u->scratch, out->n * sizeof(*out->frames));
	else if (out->n)
		out->error = "out of memory";
	if (!out->frames)
		out->n = 0;
}

void unwinder__unwind(struct unwinder *u, const struct task_record *rec, struct stack *out)
{
	memset(out, 0, sizeof(*out));
	if (!(rec->flags & LEAKMON_TASK_HAS_REGS)) {
		out->error = "no saved registers";
		return;
	}
	u->frozen = false;
	u->stack_base = rec->regs[LEAKMON_REG_SP];
	u->stack_len = 0;
	u->stack_short = false;
	/* The registers still give the frame it waits in. */
	if (!unwinder__take_prefetched(u, rec->tid) &&
	    !unwinder__extend_stack(u, u->stack_base + sizeof(uint64_t)))
		out->error = "stack unreadable";
	unwinder__walk(u, rec, out);
}

/* Whether pc is in the C library's clone or clone3 wrapper (any alias: __clone3, ...). */
static bool unwinder__in_clone(struct unwinder *u, uint64_t pc)
{
	Dwfl_Module *mod = dwfl_addrmodule(u->dwfl, pc);
	struct symbol_info sym;
	const char *name;

	if (!mod || symbolizer__lookup(u->symbols, mod, pc, &sym) || !sym.name)
		return false;
	name = sym.name;
	while (*name == '_' || !strncmp(name, "GI_", 3))
		name += *name == '_' ? 1 : 3;
	return !strcmp(name, "clone") || !strcmp(name, "clone3");
}

void unwinder__unwind_creator(struct unwinder *u, const struct creator_record *c, struct stack *out)
{
	struct task_record rec = { .tid = c->tid, .flags = LEAKMON_TASK_HAS_REGS };
	uint64_t ret;

	memset(out, 0, sizeof(*out));
	if (c->stack_len < sizeof(ret)) {
		out->error = "creator's stack not copied";
		return;
	}
	memcpy(rec.regs, c->regs, sizeof(rec.regs));
	memcpy(u->stack, c->stack, c->stack_len);
	u->stack_base = c->regs[LEAKMON_REG_SP];
	u->stack_len = c->stack_len;
	u->stack_short = true;
	u->frozen = true;
	/*
	 * glibc's clone and clone3 end their CFI before the syscall (the child's frame would be
	 * wrong), and push nothing: step out through [sp]. Asking libdw first would send it looking
	 * for CFI in separate debug files, inflating them, for every creator.
	 */
	if (!unwinder__in_clone(u, rec.regs[LEAKMON_REG_IP]))
		unwinder__walk(u, &rec, out);
	if (out->n <= 1) {
		stack__free(out);
		memset(out, 0, sizeof(*out));
		memcpy(&ret, c->stack, sizeof(ret));
		rec.regs[LEAKMON_REG_IP] = ret;
		rec.regs[LEAKMON_REG_SP] += sizeof(ret);
		u->stack_base += sizeof(ret);
		u->stack_len -= sizeof(ret);
		memmove(u->stack, u->stack + sizeof(ret), u->stack_len);
		unwinder__walk(u, &rec, out);
	}
	u->frozen = false;
}

struct symbol_query {
	const char *module;
	const char *const *names;
	uint64_t *addrs;
	size_t n;
	bool found;
};

static int unwinder__query_module(Dwfl_Module *mod, void **userdata, const char *name,
				  Dwarf_Addr start, void *arg)
{
	struct symbol_query *q = arg;
	size_t missing = q->n;
	int n_syms;

	(void)userdata;
	(void)start;
	if (strcmp(path__base(name), q->module))
		return DWARF_CB_OK;
	memset(q->addrs, 0, q->n * sizeof(*q->addrs));
	n_syms = dwfl_module_getsymtab(mod);
	for (int i = 1; i < n_syms && missing; i++) {
		GElf_Addr addr;
		GElf_Sym sym;
		const char *sym_name =
			dwfl_module_getsym_info(mod, i, &sym, &addr, NULL, NULL, NULL);

		if (!sym_name || sym.st_shndx == SHN_UNDEF || !addr)
			continue;
		for (size_t k = 0; k < q->n; k++) {
			if (!q->addrs[k] && !strcmp(sym_name, q->names[k])) {
				q->addrs[k] = addr;
				missing--;
			}
		}
	}
	q->found = !missing;
	return q->found ? DWARF_CB_ABORT : DWARF_CB_OK;
}

int unwinder__module_symbols(struct unwinder *u, const char *module, const char *const *names,
			     uint64_t *addrs, size_t n)
{
	struct symbol_query q = { module, names, addrs, n, false };

	/* Its result says only where the walk stopped: the query holds what was found. */
	dwfl_getmodules(u->dwfl, unwinder__query_module, &q, 0);
	return q.found ? 0 : -ENOENT;
}
