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
	linux-libc-dev jq procps util-linux libc6-dbg elfutils libsystemd-dev
# What the tests use besides: promtool, an HTTP client, a container to boot systemd in, Rust
# and the crates programs take their locks from (built offline from Debian's sources), Python
# (and its library, to embed), GLib, a JDK, and the real servers whose waits the rules name.
TEST_PACKAGES := curl prometheus systemd-container debootstrap rustc cargo \
	librust-parking-lot-dev librust-crossbeam-channel-dev python3 libpython3-dev libglib2.0-dev \
	default-jdk-headless mariadb-server redis-server memcached varnish golang-go
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

ifeq ($(WERROR),1)
CFLAGS += -Werror
endif
LDFLAGS += $(SAN_FLAGS)
# libstdc++ for its C++ demangler.
LDLIBS := $(shell $(PKG_CONFIG) --libs libbpf libdw libelf zlib libsystemd \
	2>/dev/null || echo -lbpf -ldw -lelf -lz -lsystemd) -lstdc++ -lm -lpthread
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Ivmlinux -Ibpf -Wall

# state.bpf.c defines the shared maps: the linker must meet it before their extern uses.
BPF_SRCS := bpf/state.bpf.c $(filter-out bpf/state.bpf.c,$(wildcard bpf/*.bpf.c))
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
# user/ is a folder per layer (docs/design.md): each includes only the layers below it.
LIB_SRCS := $(filter-out user/cli/main.c,$(wildcard user/*/*.c))
LIB_OBJS := $(patsubst user/%.c,$(BUILD)/user/%.o,$(LIB_SRCS))
# Headers each object includes, as the compiler found them (-MMD), read at the next make.
DEPFLAGS = -MMD -MP

.PHONY: all deps test-deps bench-deps run test install-files check bench soak bench-tools fixtures unit-tests fuzz fuzzers install uninstall vmlinux analyze format clean

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

$(BUILD)/syscall_names.h: $(UNISTD_H) user/util/gen-syscalls.awk
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)awk -f user/util/gen-syscalls.awk $< > $@

$(BUILD)/user/%.o: user/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -c $< -o $@

# Generated headers, needed before the first compile of what includes them.
$(BUILD)/user/loader/tracker.o $(BUILD)/user/loader/pins.o: $(BUILD)/leakmon.skel.h
$(BUILD)/user/util/syscalls.o: $(BUILD)/syscall_names.h

$(BUILD)/libleakmon.a: $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $^

$(BUILD)/leakmon: $(BUILD)/user/cli/main.o $(BUILD)/libleakmon.a
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

include tests/tests.mk
-include $(LIB_OBJS:.o=.d) $(BUILD)/user/cli/main.d $(patsubst $(BUILD)/tests/%,$(BUILD)/tests/deps/%.d,$(UNIT_BINS))

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

# npm fetches esbuild's Go binaries: the machine's own where it has one (Debian's package
# conflicts with a nodejs that bundles npm), else Debian's.
test-deps: deps
	$(call install_missing,$(TEST_PACKAGES),--no-install-recommends)
	@command -v npm >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends npm; }

bench-deps: deps
	$(call install_missing,$(BENCH_PACKAGES),--no-install-recommends)

run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(BUILD)/leakmon snapshot

unit-tests: $(UNIT_BINS) $(BUILD)/tests/creator_variants $(BUILD)/tests/gofuncs


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

# Minutes of the system-wide monitor under wear (SOAK_MINUTES, 12): not part of make test.
soak: test-deps
	$(Q)$(MAKE) --no-print-directory all fixtures
	$(Q)BUILD=$(BUILD) tests/soak/soak.sh

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
		$(wildcard user/*/*.c)

format:
	clang-format -i $(wildcard user/*/*.c user/*/*.h bpf/*.c bpf/*.h tests/unit/*.c tests/unit/*.h \
		tests/fixtures/*.c tests/fixtures/*.h tests/bench/*.c)

clean:
	rm -rf build
