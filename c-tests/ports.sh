#!/bin/bash
# make check-ports: p9fd on the other targets plan9port runs on, from this x86_64 Linux machine.
#
#   Linux aarch64, armv7, s390x (big-endian), i686 and x86_64 with musl: the Rust tests (unit,
#   integration, doc) and the whole C suite (c-tests and c-tests/apue; static, and shared
#   where the target builds a shared library), under qemu-user or natively (i686).
#   FreeBSD, OpenBSD, NetBSD, macOS (x86_64, aarch64), illumos: cargo check and cargo clippy
#   -D warnings of the library, default features and no-std capi,apue. Type-checked only.
#
# Uses Debian's Rust 1.96 (rustc-web: std sources for -Zbuild-std), cross gccs, qemu-user and
# musl-tools, installing them with apt-get when missing. Ends with one line per target and
# "N passed, N failed" over all of them. PORTS="target ..." runs a subset.
set -u
cd "$(dirname "$0")/.."
# shellcheck source=c-tests/check.sh
. c-tests/check.sh

LINUX="aarch64-unknown-linux-gnu armv7-unknown-linux-gnueabihf s390x-unknown-linux-gnu
	i686-unknown-linux-gnu x86_64-unknown-linux-musl"
OTHERS="x86_64-unknown-freebsd aarch64-unknown-freebsd x86_64-unknown-openbsd x86_64-unknown-netbsd
	aarch64-unknown-netbsd x86_64-unknown-dragonfly x86_64-apple-darwin aarch64-apple-darwin
	x86_64-unknown-illumos x86_64-pc-solaris"
PORTS=${PORTS:-$LINUX $OTHERS}
OUT=target/ports

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
if [ -n "$need" ]; then
	echo "check-ports: installing$need"
	apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends $need >/dev/null || exit 1
fi

# Debian's toolchain, for -Zbuild-std (rustup's has no other target's std, nor its sources).
export PATH=/usr/bin:$PATH RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1
unset CARGO_TARGET_DIR RUSTFLAGS RUSTDOCFLAGS
cargo=/usr/bin/cargo
SONAME=libp9fd.so.$(sed -n 's/^version = "\([0-9]*\)\..*/\1/p' Cargo.toml | head -n 1)
# Shorter runs under emulation: proptest cases per property, soak passes.
export PROPTEST_CASES=${PROPTEST_CASES:-1000} P9FD_SOAK=${P9FD_SOAK:-100000}

lines=()

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
	check "$t: cargo check, default features" lint check std,panic_abort --features apue
	check "$t: cargo clippy -D warnings, default features" lint clippy std,panic_abort --features apue
	check "$t: cargo check, no std, capi,apue" lint check core --no-default-features \
		--features capi,apue
	check "$t: cargo clippy -D warnings, no std, capi,apue" lint clippy core \
		--no-default-features --features capi,apue
	lines+=("$t: type-checked only (check and clippy, std and no-std capi,apue); $((SECONDS - start)) s")
}

for t in $PORTS; do
	case $t in
	aarch64-unknown-linux-gnu) linux "$t" aarch64-linux-gnu-{gcc,g++} "qemu-aarch64 -L /usr/aarch64-linux-gnu" ;;
	armv7-unknown-linux-gnueabihf) linux "$t" arm-linux-gnueabihf-{gcc,g++} "qemu-arm -L /usr/arm-linux-gnueabihf" ;;
	s390x-unknown-linux-gnu) linux "$t" s390x-linux-gnu-{gcc,g++} "qemu-s390x -L /usr/s390x-linux-gnu" ;;
	i686-unknown-linux-gnu) linux "$t" i686-linux-gnu-{gcc,g++} "" ;;
	# musl's C++ headers do not exist here: the header's C++ check uses the host's g++.
	x86_64-unknown-linux-musl) linux "$t" musl-gcc g++ "" ;;
	*) typecheck "$t" ;;
	esac
done
echo
printf '%s\n' "${lines[@]}"
summary
