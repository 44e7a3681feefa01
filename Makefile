# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# leakmon: .bpf.c -> .bpf.o -> linked BPF object -> skeleton -> objects -> build/leakmon
.DELETE_ON_ERROR:
.DEFAULT_GOAL := all

CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= cc
CXX ?= c++
RUSTC ?= rustc
CARGO ?= cargo
AR ?= ar
PKG_CONFIG ?= pkg-config
PREFIX ?= /usr/local
DESTDIR ?=
V ?= 0
SANITIZE ?= 0
WERROR ?= 0
BUILD ?= build
ARCH := x86
UNISTD_H ?= /usr/include/x86_64-linux-gnu/asm/unistd_64.h
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

# What a fresh Debian 12 needs to build and test leakmon.
# libc6-dbg names libc's internal functions in stacks; elfutils' eu-stack is the tests' oracle.
DEB_PACKAGES := clang make gcc g++ pkg-config libbpf-dev bpftool libelf-dev zlib1g-dev libdw-dev \
	linux-libc-dev jq procps util-linux libc6-dbg elfutils libsystemd-dev libmicrohttpd-dev
# What the tests use besides: promtool, an HTTP client, a container to boot systemd in, Rust
# and the crates programs take their locks from (built offline from Debian's sources), Python
# (and its library, to embed), GLib.
TEST_PACKAGES := curl prometheus systemd-container debootstrap rustc cargo \
	librust-parking-lot-dev librust-crossbeam-channel-dev python3 libpython3-dev libglib2.0-dev \
	default-jdk-headless
# What the benchmarks measure against: perf's workloads, the reference tool offcputime.
BENCH_PACKAGES := linux-perf libbpf-tools python3

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-9s %s\n' $(1) $(2)
endif

ifeq ($(SANITIZE),1)
BUILD := build/sanitize
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
endif

CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Wformat=2 -Wshadow -iquote $(BUILD) -iquote bpf -iquote user \
	-DLEAKMON_VERSION='"$(VERSION)"' $(SAN_FLAGS)
# Fuzzers: clang's libFuzzer with ASan/UBSan, the library instrumented for coverage; undefined
# behaviour stops the run like a crash does, not a line in the log.
ifeq ($(FUZZ),1)
BUILD := build/fuzz
CC := clang
SAN_FLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
endif
FUZZ_SECONDS ?= 30
FUZZERS := $(patsubst tests/fuzz/%.c,$(BUILD)/%,$(wildcard tests/fuzz/fuzz_*.c))

ifeq ($(WERROR),1)
CFLAGS += -Werror
endif
LDFLAGS += $(SAN_FLAGS)
# libstdc++ for its C++ demangler.
LDLIBS := $(shell $(PKG_CONFIG) --libs libbpf libdw libelf zlib libsystemd libmicrohttpd \
	2>/dev/null || echo -lbpf -ldw -lelf -lz -lsystemd -lmicrohttpd) -lstdc++ -lm -lpthread
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Ivmlinux -Ibpf -Wall

# state.bpf.c defines the shared maps: the linker must meet it before their extern uses.
BPF_SRCS := bpf/state.bpf.c $(filter-out bpf/state.bpf.c,$(wildcard bpf/*.bpf.c))
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
LIB_SRCS := $(filter-out user/main.c,$(wildcard user/*.c))
LIB_OBJS := $(patsubst user/%.c,$(BUILD)/user/%.o,$(LIB_SRCS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
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
		abba_deadlock_static) \
	$(RUST_FIXTURE_BINS) $(PYTHON_FIXTURE_BINS) $(JAVA_FIXTURE_BINS)
# What the benchmarks run: no Rust toolchain, Python library, GLib or JDK needed.
BENCH_FIXTURE_BINS := $(filter-out $(RUST_FIXTURE_BINS) $(JAVA_FIXTURE_BINS) \
	$(BUILD)/fixtures/embedded_python $(BUILD)/fixtures/glib_threads,$(FIXTURE_BINS))
FIXTURE_CFLAGS := -g -Wall -Werror -D_GNU_SOURCE -pthread -iquote tests/fixtures

.PHONY: all deps test-deps bench-deps run test install-files check bench bench-tools fixtures unit-tests fuzz fuzzers install uninstall vmlinux analyze format clean

all: $(BUILD)/leakmon

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c bpf/shared.bpf.h bpf/leakmon.h vmlinux/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/leakmon.bpf.o: $(BPF_OBJS)
	$(call msg,LINK-BPF,$@)
	$(Q)$(BPFTOOL) gen object $@ $^

$(BUILD)/leakmon.skel.h: $(BUILD)/leakmon.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name leakmon_bpf > $@

$(BUILD)/syscall_names.h: $(UNISTD_H) user/gen-syscalls.awk
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)awk -f user/gen-syscalls.awk $< > $@

$(BUILD)/user/%.o: user/%.c $(wildcard user/*.h) bpf/leakmon.h $(BUILD)/leakmon.skel.h \
		$(BUILD)/syscall_names.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libleakmon.a: $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $^

$(BUILD)/leakmon: $(BUILD)/user/main.o $(BUILD)/libleakmon.a
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/%: tests/unit/%.c tests/unit/unit.h $(BUILD)/libleakmon.a
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -iquote tests/unit $< $(BUILD)/libleakmon.a $(LDFLAGS) $(LDLIBS) -o $@

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

# Install the packages of $(1) that are missing, with apt options $(2) (root); a no-op when
# everything is there.
define install_missing
	@missing=$$(for p in $(1); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "  DEPS      installing:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) \
			$$missing; \
	fi
endef

deps:
	$(call install_missing,$(DEB_PACKAGES))

test-deps: deps
	$(call install_missing,$(TEST_PACKAGES),--no-install-recommends)

bench-deps: deps
	$(call install_missing,$(BENCH_PACKAGES),--no-install-recommends)

run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(BUILD)/leakmon snapshot

unit-tests: $(UNIT_BINS) $(BUILD)/tests/creator_variants

$(BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(BUILD)/libleakmon.a
	$(call msg,FUZZER,$@)
	$(Q)$(CC) $(CFLAGS) -fsanitize=fuzzer $< $(BUILD)/libleakmon.a $(LDFLAGS) $(LDLIBS) -o $@

fuzzers: $(FUZZERS)

fuzz: fixtures
	$(Q)$(MAKE) --no-print-directory FUZZ=1 fuzzers
	$(Q)FUZZ_SECONDS=$(FUZZ_SECONDS) FIXTURES=$(BUILD)/fixtures tests/fuzz/test_fuzz.sh

# Every test, against the release build and an ASan/UBSan build.
test: test-deps
	$(Q)$(MAKE) --no-print-directory WERROR=1 all fixtures unit-tests bench-tools
	$(Q)$(MAKE) --no-print-directory WERROR=1 SANITIZE=1 all unit-tests
	$(Q)$(MAKE) --no-print-directory FUZZ=1 fuzzers
	$(Q)BUILDS="$(BUILD) build/sanitize" FIXTURES=$(BUILD)/fixtures FUZZ_SECONDS=10 tests/run.sh

# Benchmarks: ratios against a baseline measured in the same run (see BENCHMARKS.md).
bench: bench-deps
	$(Q)$(MAKE) --no-print-directory all $(BENCH_FIXTURE_BINS) bench-tools
	$(Q)status=0; for b in $(filter-out tests/bench/lib.sh,$(wildcard tests/bench/*.sh)); do \
		BUILD=$(BUILD) $$b || status=1; done; exit $$status

# The tests of this build only, without installing anything.
check: all fixtures unit-tests bench-tools
	$(Q)BUILDS=$(BUILD) FIXTURES=$(BUILD)/fixtures tests/run.sh

# The binary, the unit, the configuration (an edited one is kept) and the man page.
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= /etc
MANDIR ?= $(PREFIX)/share/man
CONF := $(DESTDIR)$(SYSCONFDIR)/leakmon/leakmon.conf

install: $(BUILD)/leakmon install-files

# What install copies, from a build made before (the service test installs into a container).
install-files:
	install -D -m 0755 $(BUILD)/leakmon $(DESTDIR)$(PREFIX)/sbin/leakmon
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|/usr/local/sbin/leakmon|$(PREFIX)/sbin/leakmon|' deploy/leakmon.service \
		>$(DESTDIR)$(UNITDIR)/leakmon.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/leakmon.service
	install -D -m 0644 deploy/leakmon.8 $(DESTDIR)$(MANDIR)/man8/leakmon.8
	@if [ -e $(CONF) ] && ! cmp -s deploy/leakmon.conf $(CONF); then \
		install -m 0644 deploy/leakmon.conf $(CONF).new; \
		echo "  KEPT      $(CONF) (edited); the shipped one is $(CONF).new"; \
	else \
		install -D -m 0644 deploy/leakmon.conf $(CONF); \
	fi

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/sbin/leakmon $(DESTDIR)$(UNITDIR)/leakmon.service \
		$(DESTDIR)$(MANDIR)/man8/leakmon.8 $(CONF).new
	@if cmp -s deploy/leakmon.conf $(CONF); then rm -f $(CONF); rmdir $(dir $(CONF)) 2>/dev/null; \
	elif [ -e $(CONF) ]; then echo "  KEPT      $(CONF) (edited)"; fi

vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux/vmlinux.h

analyze: $(BUILD)/leakmon.skel.h $(BUILD)/syscall_names.h
	$(CLANG) --analyze -Xanalyzer -analyzer-output=text $(filter-out $(SAN_FLAGS),$(CFLAGS)) \
		$(wildcard user/*.c)

format:
	clang-format -i $(wildcard user/*.c user/*.h bpf/*.c bpf/*.h tests/unit/*.c tests/unit/*.h \
		tests/fixtures/*.c tests/fixtures/*.h tests/bench/*.c)

clean:
	rm -rf build
