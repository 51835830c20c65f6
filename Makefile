# sockleak build: `make` builds, `make run` runs the main job, `make check` runs every test.
#
# New source files need no edit here: every src/**/*.c is part of the program, every
# tests/unit/test_*.c is a cmocka test linked against the program's objects (minus main.c).

PREFIX ?= /usr/local
DESTDIR ?=
MANDIR ?= $(PREFIX)/share/man
# Where bash-completion looks for a command's completion (it also reads XDG_DATA_DIRS).
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
BUILD ?= build
CC ?= cc

VERSION := 0.1.0

WARN := -Wall -Wextra -Wshadow -Wformat=2 -Wno-missing-field-initializers
ifeq ($(CI),true)
WARN += -Werror
endif

PKGS := libmnl jansson ncursesw liburing
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lmnl -ljansson -lncursesw -ltinfo -luring)

CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=gnu11 $(WARN) -D_GNU_SOURCE -DSOCKLEAK_VERSION='"$(VERSION)"' -pthread \
	     -Isrc $(PKG_CFLAGS) $(BPF_CFLAGS) $(CFLAGS) $(EXTRA_CFLAGS)
LDLIBS = $(PKG_LIBS) -lm -pthread $(EXTRA_LDFLAGS)

# --attribute (eBPF): bpf/attribute.bpf.c compiled with clang against a vmlinux.h dumped from the
# running kernel's BTF, and its libbpf skeleton, all generated in the build tree. Without BTF, clang,
# bpftool or libbpf the program builds without attribution, and says so once here and at run time.
BTF_VMLINUX ?= /sys/kernel/btf/vmlinux
BPFTOOL ?= $(or $(shell command -v bpftool 2>/dev/null),$(wildcard /usr/sbin/bpftool))
BPF_CLANG ?= clang
BPF_STRIP ?= $(or $(shell command -v llvm-strip 2>/dev/null),$(wildcard /usr/bin/llvm-strip-*))
BPF_ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/ppc64le/powerpc/' \
	-e 's/s390x/s390/' -e 's/riscv64/riscv/')
BPF_WHY := $(strip \
	$(if $(wildcard $(BTF_VMLINUX)),,no kernel BTF ($(BTF_VMLINUX));) \
	$(if $(BPFTOOL),,no bpftool;) \
	$(if $(shell command -v $(BPF_CLANG) 2>/dev/null),,no clang;) \
	$(if $(shell pkg-config --exists libbpf 2>/dev/null && echo y),,no libbpf-dev;))
BPF_DIR := $(BUILD)/bpf
BPF_SKEL := $(BPF_DIR)/attribute.skel.h
ifeq ($(BPF_WHY),)
PKGS += libbpf
BPF_CFLAGS := -DSOCKLEAK_BPF -I$(BPF_DIR) -Ibpf
else
BPF_WHY_TEXT := $(shell echo '$(BPF_WHY)' | sed 's/;$$//')
BPF_CFLAGS := -DSOCKLEAK_BPF_WHY='"this build has no eBPF support ($(BPF_WHY_TEXT)); rebuild \
	after scripts/deps.sh on a kernel with BTF"'
# run and check install the packages first; the make they start then says it, if still true.
ifeq ($(filter clean format format-check deps run check,$(MAKECMDGOALS)),)
$(info sockleak: building without --attribute (eBPF): $(BPF_WHY_TEXT))
endif
endif

SRCS := $(shell find src -name '*.c' -not -path '*/win/*' | sort)
OBJS := $(SRCS:%.c=$(BUILD)/%.o)
LIB_OBJS := $(filter-out $(BUILD)/src/main.o,$(OBJS))
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_SRCS := $(sort $(wildcard bench/*.c))
BENCH_BINS := $(BENCH_SRCS:bench/%.c=$(BUILD)/bench/%)

BIN := $(BUILD)/sockleak

# Man pages and completion: prose in doc/, commands, options, presets, transports and socket
# options filled in by tools/gendoc from the program's own tables.
GENDOC := $(BUILD)/tools/gendoc
MAN_SRCS := $(sort $(wildcard doc/*.1.scd))
MANS := $(MAN_SRCS:doc/%.scd=$(BUILD)/man/%)
COMPLETION := $(BUILD)/completion/sockleak
DOCS := $(MANS) $(COMPLETION)
# The pages' date: the last commit's, so that a build is the same twice.
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || date +%s)
export SOURCE_DATE_EPOCH

.PHONY: all deps run check check-build check-unit check-integration asan fault fuzz fuzz-build fuzz-targets bench install uninstall clean format \
	format-check windows windows-build check-windows

all: $(BIN) $(DOCS)

$(BIN): $(OBJS)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/unit -MMD -MP -o $@ $< $(LIB_OBJS) -lcmocka $(LDLIBS)

# Bench programs may use the program's code: linked from an archive, only what they reference.
LIB_A := $(BUILD)/libsockleak.a
$(LIB_A): $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/bench/%: bench/%.c $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB_A) $(LDLIBS)

$(GENDOC): tools/gendoc.c $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -o $@ $< $(LIB_A) $(LDLIBS)

$(BUILD)/man/%: doc/%.scd $(GENDOC)
	@mkdir -p $(@D)
	@command -v scdoc >/dev/null || { echo "sockleak: the man pages need scdoc:" \
		"run 'make deps' (or apt-get install scdoc)" >&2; exit 1; }
	$(GENDOC) man $< >$@.scd
	scdoc <$@.scd >$@.tmp
	@mv $@.tmp $@ && rm -f $@.scd

$(COMPLETION): doc/completion.bash $(GENDOC)
	@mkdir -p $(@D)
	$(GENDOC) completion $< >$@.tmp
	@bash -n $@.tmp && mv $@.tmp $@

# libFuzzer targets (fuzz/*_fuzz.c) against the program's code, built with clang, AddressSanitizer
# and UBSan in a tree of their own. `make check` builds them so that they cannot rot; `make fuzz`
# also runs each for FUZZ_SECONDS (fuzz/run.sh: seeds, corpus and crashes under fuzz/out/).
FUZZ_SRCS := $(sort $(wildcard fuzz/*_fuzz.c))
FUZZ_BINS := $(FUZZ_SRCS:fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_SECONDS ?= 300
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined

$(BUILD)/fuzz/%: fuzz/%.c $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -MMD -MP -o $@ $< $(LIB_A) $(LDLIBS)

# The eBPF side: vmlinux.h from this kernel's BTF, the object, and its skeleton (none in git).
$(BPF_DIR)/vmlinux.h: $(BTF_VMLINUX)
	@mkdir -p $(@D)
	$(BPFTOOL) btf dump file $< format c > $@.tmp && mv $@.tmp $@

$(BPF_DIR)/attribute.bpf.o: bpf/attribute.bpf.c bpf/attribute.h $(BPF_DIR)/vmlinux.h
	$(BPF_CLANG) -g -O2 -Wall -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -I$(BPF_DIR) -Ibpf \
		-c $< -o $@
	$(if $(BPF_STRIP),$(firstword $(BPF_STRIP)) -g $@)

$(BPF_SKEL): $(BPF_DIR)/attribute.bpf.o
	$(BPFTOOL) gen skeleton $< name attribute_bpf > $@.tmp && mv $@.tmp $@

ifeq ($(BPF_WHY),)
$(BUILD)/src/attr/loader.o $(BUILD)/src/attr/collect.o: $(BPF_SKEL)
endif

-include $(OBJS:.o=.d) $(UNIT_BINS:=.d) $(GENDOC).d $(FUZZ_BINS:=.d)

# Installs missing Debian packages when root; otherwise says what to install.
deps:
	@scripts/deps.sh

# The main job: the KB Q171996 sequence against sockleak's own local server, with its verdict.
# Exit 1 is a verdict (BACKLOG or LEAK), not a failure of the job: the report says which.
RUN_ARGS ?= run
run:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory all
	@$(BIN) $(RUN_ARGS); rc=$$?; [ $$rc -le 1 ] || exit $$rc

# make check compiles each build tree on every core (CI calls it without -j), then runs the tests
# one at a time: they measure, and must not share the machine with each other.
CHECK_JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CHECK_J = $(if $(findstring j,$(firstword -$(MAKEFLAGS)))$(findstring jobserver,$(MAKEFLAGS)),,-j$(CHECK_JOBS))
check:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory $(CHECK_J) check-build
	@$(MAKE) --no-print-directory check-unit check-integration
	@$(MAKE) --no-print-directory $(CHECK_J) windows-build
	@$(MAKE) --no-print-directory check-windows
	@$(MAKE) --no-print-directory asan
	@$(MAKE) --no-print-directory $(CHECK_J) fuzz-build

# What check-unit and check-integration run, built.
check-build: $(BIN) $(DOCS) $(UNIT_BINS)

check-unit: $(UNIT_BINS)
	@tests/unit/run.sh $(UNIT_BINS)

check-integration: $(BIN) $(DOCS)
	@tests/integration/run.sh $(BIN)

# The same tests under AddressSanitizer and UndefinedBehaviorSanitizer, in a build tree of their own.
# The sweep test is left out there: it is two minutes of run_measure, which the run tests already
# cover under the sanitizers, and its own logic has unit tests that run here. t_run_netns_kb*
# depend on the loop's speed, and t_run_scm_* are verdict runs side by side whose ops test_engine
# runs there.
# The VM tests (t_vm, t_vm_run, t_sweep_kernels, t_run_kernels) are software-emulated boots; their host side has
# unit tests run there.
# t_attr_leak, t_attr_sample, t_attr_clean and t_sweep_attr judge stacks over timed runs; t_attr_lost runs
# --attribute there.
# t_run_stop_signals and t_run_stop_term are trials timed to the millisecond, and t_fault_quick and
# t_exit_codes signal runs at chosen moments of their phases; t_run_stop_phases covers the same
# code under the sanitizers, and test_common the exit code's order.
# t_run_confirm, t_compare, t_run_fail_on, t_html, t_run_transports, t_run_kb and t_run_linger are
# the longest verdict runs (3.2 minutes together in the plain pass; t_run_transports' udp verdict
# has missed under the sanitizers' slowdown): their paths run there through t_run_leak, t_run_signal,
# t_run_guard, t_run_stop_phases and the unit tests of compare, html and verdict.
# t_run_host_drift judges a run beside a background opener paced in time; test_drift covers its
# analysis under the sanitizers. t_run_exact_open's two verdict runs judge a couple of sockets
# against the quiesce tail's samples; test_verdict covers the rule under the sanitizers.
# t_run_server_rst is a verdict run of a server that resets (test_server_seq covers its sequence);
# t_repro's time goes to the C compiler building each reproducer, not to sockleak; t_churn_options
# runs one churn per socket option, whose parsing and setting test_engine_opts and test_engine cover
# under the sanitizers (each over 10 s there).
ASAN_SKIP ?= t_sweep t_run_server_rst t_repro t_churn_options t_run_pid t_attr_sample t_run_host_drift t_server_leak t_server_clean t_server_never_closes t_sweep_server_cmd t_server_nginx t_server_redis t_server_memcached t_run_netns_kb t_run_netns_kb_rate t_run_scm_self t_run_scm_cross \
	t_run_scm_triangle t_vm t_vm_run t_attr_leak t_attr_clean t_run_stop_signals t_sweep_attr \
	t_run_stop_term t_fault_quick t_exit_codes t_run_confirm t_compare t_run_fail_on t_html \
	t_run_transports t_run_kb t_run_linger t_run_tw_purge t_sweep_kernels t_run_kernels t_run_exact_open t_run_quiesce_max
ASAN_MAKE = $(MAKE) --no-print-directory BUILD=build-asan CFLAGS='-O1 -g -fno-omit-frame-pointer' \
	EXTRA_CFLAGS='-fsanitize=address,undefined -fno-sanitize-recover=undefined'
asan:
	@$(ASAN_MAKE) $(CHECK_J) check-build
	@SKIP_TESTS="$(ASAN_SKIP)" $(ASAN_MAKE) check-unit check-integration

# Fault trials (tests/fault/run.sh): FAULT_TRIALS (30) signals at random moments of every phase,
# SIGKILL and the run after it; nothing of a run may stay. About five minutes; make check runs
# the bounded version (t_fault_quick).
FAULT_TRIALS ?= 30
fault: $(BIN)
	@FAULT_TRIALS=$(FAULT_TRIALS) tests/fault/run.sh $(BIN)

fuzz-targets: $(FUZZ_BINS)

fuzz-build:
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang \
		CFLAGS='-O1 -g -fno-omit-frame-pointer' \
		EXTRA_CFLAGS='-fsanitize=fuzzer-no-link $(FUZZ_SAN)' fuzz-targets

fuzz: fuzz-build $(BIN)
	@fuzz/run.sh build-fuzz/fuzz $(FUZZ_SECONDS) $(BIN)

bench: $(BIN) $(BENCH_BINS)
	@bench/run.sh $(BIN) $(BUILD)/bench

install: $(BIN) $(DOCS)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR)
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/sockleak
	install -m 0644 $(MANS) $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 $(COMPLETION) $(DESTDIR)$(BASHCOMPDIR)/sockleak

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/sockleak $(DESTDIR)$(BASHCOMPDIR)/sockleak
	rm -f $(patsubst $(BUILD)/man/%,$(DESTDIR)$(MANDIR)/man1/%,$(MANS))

format:
	clang-format -i $$(find src tests bench fuzz bpf tools -name '*.[ch]' 2>/dev/null)

format-check:
	clang-format --dry-run --Werror $$(find src tests bench fuzz bpf tools -name '*.[ch]' 2>/dev/null)

clean:
	rm -rf build build-asan build-fuzz $(WIN_BUILD)

# The Windows build: sockleak.exe with mingw-w64 (the -posix compiler: winpthreads), linked
# statically, tested under Wine. The shared code (model, analysis, report, cli, orchestration)
# is the Linux build's; src/**/win/ holds the Winsock engine, the Windows probes and the POSIX
# bits the shared code uses (src/win/compat.h, force-included). jansson and cmocka are built
# for mingw from Debian's source packages by scripts/win-libs.sh, into the build tree.
# --attribute is eBPF, Linux only: Windows builds src/attr/nobpf.c, which says so at run time.
WIN_BUILD ?= build-win
WIN_CC ?= x86_64-w64-mingw32-gcc-posix
WIN_DEPS := $(WIN_BUILD)/deps
WIN_LINUX_ONLY := src/engine/engine.c src/engine/client.c src/engine/server.c \
	src/engine/netns.c src/run/cgroup.c src/run/listen.c src/run/server_cmd.c src/run/nsbatch.c src/probe/meminfo.c \
	src/probe/slabinfo.c src/probe/sockstat.c src/probe/netstat.c src/probe/sockdiag.c src/probe/memcg.c \
	src/probe/proc.c src/probe/linux.c src/probe/diag.c src/probe/port.c src/probe/server.c \
	src/report/live.c src/report/out.c src/run/sweep.c \
	src/engine/worker.c src/engine/uring.c src/spawn.c src/cli/repro.c src/cli/vm.c \
	$(wildcard src/repro/*.c) $(wildcard src/vm/*.c) \
	src/cli/sweep.c src/report/sweep_report.c src/probe/tcpstate.c src/attr/loader.c \
	src/attr/collect.c src/attr/ksym.c src/cli/merge.c src/report/sweep_json.c \
	src/report/sweep_merge.c src/cli/run_kernels.c
WIN_SRCS := $(filter-out $(WIN_LINUX_ONLY),$(SRCS)) $(sort $(shell find src -path '*/win/*' -name '*.c'))
WIN_OBJS := $(WIN_SRCS:%.c=$(WIN_BUILD)/%.o)
WIN_LIB_OBJS := $(filter-out $(WIN_BUILD)/src/main.o,$(WIN_OBJS))
WIN_CFLAGS = -std=gnu11 -Wall -Wextra -Wshadow -Wformat=2 -Wno-missing-field-initializers -Werror \
	-D__USE_MINGW_ANSI_STDIO=1 -DSOCKLEAK_VERSION='"$(VERSION)"' -include src/win/compat.h \
	-Isrc/win/include -Isrc -I$(WIN_DEPS)/include -O2 -g
WIN_LDLIBS = -static -L$(WIN_DEPS)/lib -ljansson -lws2_32 -liphlpapi -lpsapi -lntdll -lm -pthread
# The shared code's unit tests (model, analysis, reports) built for Windows, and the Windows parts'.
WIN_SHARED_TESTS := stats series verdict settle confirm lag verdict_real golden compare reason \
	csv fmt html json jw svg text junit wrap escape names opt engine_opts engine_core seq server_seq \
	sampler common
WIN_UNIT_BINS := $(WIN_SHARED_TESTS:%=$(WIN_BUILD)/tests/test_%.exe) \
	$(patsubst tests/windows/%.c,$(WIN_BUILD)/tests/%.exe,$(sort $(wildcard tests/windows/test_*.c)))
WIN_EXE := $(WIN_BUILD)/sockleak.exe

windows: $(WIN_EXE)

$(WIN_DEPS)/.built:
	@scripts/win-libs.sh $(WIN_DEPS) $(WIN_CC)

$(WIN_EXE): $(WIN_OBJS)
	$(WIN_CC) $(WIN_CFLAGS) -o $@ $^ $(WIN_LDLIBS)

$(WIN_BUILD)/%.o: %.c | $(WIN_DEPS)/.built
	@mkdir -p $(@D)
	$(WIN_CC) $(WIN_CFLAGS) -MMD -MP -c -o $@ $<

# The recorded runs of test_golden, decompressed here: the Windows test has no gzip to call.
WIN_GOLDEN_DIR := $(WIN_BUILD)/tests/golden
WIN_GOLDEN := $(patsubst tests/data/golden/%.json.gz,$(WIN_GOLDEN_DIR)/%.json,\
	$(wildcard tests/data/golden/*.json.gz))
WIN_TEST_BUILD = @mkdir -p $(@D); $(WIN_CC) $(WIN_CFLAGS) -DGOLDEN_JSON_DIR='"$(WIN_GOLDEN_DIR)"' \
	-Itests/unit -Itests/windows -MMD -MP -o $@ $< $(WIN_LIB_OBJS) -lcmocka-static $(WIN_LDLIBS)
$(WIN_GOLDEN_DIR)/%.json: tests/data/golden/%.json.gz
	@mkdir -p $(@D)
	gzip -dc $< >$@.tmp && mv $@.tmp $@
$(WIN_BUILD)/tests/%.exe: tests/windows/%.c $(WIN_LIB_OBJS)
	$(WIN_TEST_BUILD)
$(WIN_BUILD)/tests/%.exe: tests/unit/%.c $(WIN_LIB_OBJS)
	$(WIN_TEST_BUILD)

-include $(WIN_OBJS:.o=.d) $(WIN_UNIT_BINS:.exe=.d)

# Unit tests of the shared code and the Windows parts as Windows programs, then the Winsock
# engine against its own IOCP server on loopback; all under Wine.
windows-build: $(WIN_EXE) $(WIN_UNIT_BINS) $(WIN_GOLDEN)

check-windows: windows-build
	@tests/windows/run.sh $(WIN_EXE) $(WIN_UNIT_BINS)
