# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Included by the Makefile: what the tests and benchmarks build besides leakmon itself. The unit
# tests and fuzzers link the library; fixtures are the real programs the end-to-end tests watch.

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
FUZZERS := $(patsubst tests/fuzz/%.c,$(BUILD)/%,$(wildcard tests/fuzz/fuzz_*.c))
FIXTURE_SRCS := $(wildcard tests/fixtures/*.c)
# stack_shapes again with other code generation: stacks must not depend on frame pointers.
FIXTURE_VARIANTS := stack_shapes_O2_nofp stack_shapes_fp stack_shapes_O0 stack_shapes_nopie \
	stack_shapes_stripped
# Rust's, each built again in the v0 mangling, the one newer releases give the standard library.
RUST_FIXTURE_BINS := $(foreach f,$(patsubst tests/fixtures/%.rs,$(BUILD)/fixtures/%,\
	$(wildcard tests/fixtures/*.rs)),$(f) $(f)_v0) \
	$(BUILD)/fixtures/rust_crates $(BUILD)/fixtures/rust_crates_v0
# Python's, run by Debian's python3, beside the module they share.
PYTHON_FIXTURE_BINS := $(patsubst tests/fixtures/%.py,$(BUILD)/fixtures/%,\
	$(wildcard tests/fixtures/*.py)) $(BUILD)/fixtures/zoo.py
# Java's: a launcher beside its compiled class, run by the JDK's java.
JAVA_FIXTURE_BINS := $(BUILD)/fixtures/java_monitors
FIXTURE_BINS := $(patsubst tests/fixtures/%.c,$(BUILD)/fixtures/%,$(FIXTURE_SRCS)) \
	$(addprefix $(BUILD)/fixtures/,$(FIXTURE_VARIANTS) cxx_threads libdlworker.so \
		abba_deadlock_static thread_leak_stripped) \
	$(RUST_FIXTURE_BINS) $(PYTHON_FIXTURE_BINS) $(JAVA_FIXTURE_BINS)
# What the benchmarks run: no Rust toolchain, Python library, GLib or JDK needed.
BENCH_FIXTURE_BINS := $(filter-out $(RUST_FIXTURE_BINS) $(JAVA_FIXTURE_BINS) \
	$(BUILD)/fixtures/embedded_python $(BUILD)/fixtures/glib_threads,$(FIXTURE_BINS))
FIXTURE_CFLAGS := -g -Wall -Werror -D_GNU_SOURCE -pthread -iquote tests/fixtures

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libleakmon.a
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)/deps
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -MF $(@D)/deps/$(@F).d -iquote tests/unit $< $(BUILD)/libleakmon.a \
		$(LDFLAGS) $(LDLIBS) -o $@

# The end-to-end tests' view of leakmon's reader of Go's function table.
$(BUILD)/tests/gofuncs: tests/e2e/gofuncs.c $(BUILD)/libleakmon.a
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $< $(BUILD)/libleakmon.a $(LDFLAGS) $(LDLIBS) -o $@

# The end-to-end tests' own loader of leakmon's BPF object (program variants this kernel would
# not be given).
$(BUILD)/tests/creator_variants: tests/e2e/creator_variants.c $(BUILD)/leakmon.skel.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $< $(LDFLAGS) $(LDLIBS) -o $@

# Fixtures keep their symbols: they are what tests unwind and name.
$(BUILD)/fixtures/%: tests/fixtures/%.c tests/fixtures/fixture.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O1 $(FIXTURE_CFLAGS) $< -o $@ -ldl

$(BUILD)/fixtures/stack_shapes_O2_nofp: FIXTURE_OPT := -O2 -fomit-frame-pointer
$(BUILD)/fixtures/stack_shapes_fp: FIXTURE_OPT := -O2 -fno-omit-frame-pointer
$(BUILD)/fixtures/stack_shapes_O0: FIXTURE_OPT := -O0
$(BUILD)/fixtures/stack_shapes_nopie: FIXTURE_OPT := -O2 -fno-pie -no-pie
$(BUILD)/fixtures/stack_shapes_stripped: FIXTURE_OPT := -O2
$(addprefix $(BUILD)/fixtures/,$(FIXTURE_VARIANTS)): tests/fixtures/stack_shapes.c \
		tests/fixtures/fixture.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(FIXTURE_OPT) $(FIXTURE_CFLAGS) $< -o $@
	$(Q)if [ $(@F) = stack_shapes_stripped ]; then strip --strip-all $@; fi

# A server stripped as distributions ship them: its functions have no names, only addresses.
# Built otherwise than thread_leak, whose build id (and so its symbols) it would share.
$(BUILD)/fixtures/thread_leak_stripped: tests/fixtures/thread_leak.c tests/fixtures/fixture.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O2 $(FIXTURE_CFLAGS) $< -o $@
	$(Q)strip --strip-all $@

$(BUILD)/fixtures/cxx_threads: tests/fixtures/cxx_threads.cpp
	$(call msg,CXX,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CXX) -std=c++20 -O2 -g -Wall -Werror -pthread $< -o $@

# A Rust fixture; $(1): rustc's flags besides these.
define rust_fixture
	$(call msg,RUSTC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)MAKEFLAGS= $(RUSTC) -O -g -D warnings $(1) $< -o $@
endef

$(BUILD)/fixtures/%: tests/fixtures/%.rs tests/fixtures/rust/zoo.rs
	$(call rust_fixture)

# A deadlock in a static binary: glibc linked into the program, its functions in no libc module.
$(BUILD)/fixtures/abba_deadlock_static: tests/fixtures/abba_deadlock.c tests/fixtures/fixture.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O1 -static $(FIXTURE_CFLAGS) $< -o $@

# GLib's, with its headers and library.
$(BUILD)/fixtures/glib_threads: tests/fixtures/glib_threads.c tests/fixtures/fixture.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O1 $(FIXTURE_CFLAGS) $(shell $(PKG_CONFIG) --cflags glib-2.0) $< -o $@ \
		$(shell $(PKG_CONFIG) --libs glib-2.0)

# CPython linked in, as a program that embeds it may have it: Debian's static library (not built
# for PIE), its symbols exported as for extension modules.
$(BUILD)/fixtures/embedded_python: tests/fixtures/embedded_python.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O1 -no-pie $(FIXTURE_CFLAGS) $(shell $(PKG_CONFIG) --cflags python3-embed) $< \
		-o $@ -Wl,--export-dynamic -Wl,-Bstatic \
		$(filter -lpython%,$(shell $(PKG_CONFIG) --libs python3-embed)) -Wl,-Bdynamic \
		-ldl -lm -lz -lexpat

# A Rust fixture that uses crates: built by cargo in a copy of its project (cargo writes its
# Cargo.lock there) beside the Rust fixtures' shared module, offline; $(1): rustc's flags
# besides these.
RUST_CRATES_SRCS := $(shell find tests/fixtures/rust_crates -type f) tests/fixtures/rust/zoo.rs
define cargo_fixture
	$(call msg,CARGO,$@)
	$(Q)rm -rf $@.project && mkdir -p $@.project
	$(Q)cp -r tests/fixtures/rust_crates tests/fixtures/rust $@.project/
	$(Q)cd $@.project/rust_crates && MAKEFLAGS= RUSTC=$(RUSTC) RUSTFLAGS="-D warnings $(1)" \
		$(CARGO) build --offline --release --quiet
	$(Q)cp $@.project/rust_crates/target/release/rust_crates $@
endef

$(BUILD)/fixtures/rust_crates: $(RUST_CRATES_SRCS)
	$(call cargo_fixture)

$(BUILD)/fixtures/rust_crates_v0: $(RUST_CRATES_SRCS)
	$(call cargo_fixture,-C symbol-mangling-version=v0)

$(BUILD)/fixtures/%: tests/fixtures/%.py
	$(call msg,INSTALL,$@)
	$(Q)install -D -m 0755 $< $@

$(BUILD)/fixtures/JavaMonitors.class: tests/fixtures/java/JavaMonitors.java
	$(call msg,JAVAC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)javac -d $(@D) $<

$(BUILD)/fixtures/java_monitors: $(BUILD)/fixtures/JavaMonitors.class
	$(call msg,GEN,$@)
	$(Q)printf '#!/bin/sh\nexec java -Xmx64m -cp "$$(dirname "$$0")" JavaMonitors "$$@"\n' >$@
	$(Q)chmod +x $@

$(BUILD)/fixtures/zoo.py: tests/fixtures/python/zoo.py
	$(call msg,INSTALL,$@)
	$(Q)install -D -m 0644 $< $@

$(BUILD)/fixtures/%_v0: tests/fixtures/%.rs tests/fixtures/rust/zoo.rs
	$(call rust_fixture,-C symbol-mangling-version=v0)

$(BUILD)/fixtures/libdlworker.so: tests/fixtures/plugin/dlworker.c tests/fixtures/fixture.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O1 -shared -fPIC $(FIXTURE_CFLAGS) $< -o $@

fixtures: $(FIXTURE_BINS)

# The benchmarks' own programs: the floor (empty BPF programs on leakmon's hooks), what each read
# a thread creation hook makes costs (fork_reads), their loaders, and thread churn as a throughput.
BENCH_BPF_TOOLS := floor fork_reads
.SECONDARY: $(BENCH_BPF_TOOLS:%=$(BUILD)/bench/%.bpf.o) $(BENCH_BPF_TOOLS:%=$(BUILD)/bench/%.skel.h)

$(BUILD)/bench/%.bpf.o: tests/bench/%.bpf.c vmlinux/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bench/%.skel.h: $(BUILD)/bench/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $*_bpf > $@

# fork_reads measures leakmon's own fork hook beside its reads: the very object code, linked in.
$(BUILD)/bench/fork_reads.skel.h: $(BUILD)/bench/fork_reads.bpf.o $(BUILD)/bpf/state.bpf.o \
		$(BUILD)/bpf/threads.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen object $(@:.skel.h=.linked.bpf.o) $^
	$(Q)$(BPFTOOL) gen skeleton $(@:.skel.h=.linked.bpf.o) name fork_reads_bpf > $@

$(addprefix $(BUILD)/bench/,$(BENCH_BPF_TOOLS)): $(BUILD)/bench/%: tests/bench/%.c \
		$(BUILD)/bench/%.skel.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -iquote $(BUILD)/bench $< $(LDFLAGS) $(LDLIBS) -o $@

$(BUILD)/bench/churn_rate: tests/bench/churn_rate.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -pthread $< -o $@

bench-tools: $(addprefix $(BUILD)/bench/,$(BENCH_BPF_TOOLS)) $(BUILD)/bench/churn_rate

$(BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(BUILD)/libleakmon.a
	$(call msg,FUZZER,$@)
	$(Q)$(CC) $(CFLAGS) -fsanitize=fuzzer $< $(BUILD)/libleakmon.a $(LDFLAGS) $(LDLIBS) -o $@

fuzzers: $(FUZZERS)

# CPython's layouts against its own internal headers: built as CPython builds itself.
$(BUILD)/tests/test_cpython_layout: private CFLAGS += $(shell $(PKG_CONFIG) --cflags python3)
