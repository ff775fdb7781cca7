#!/bin/bash
# What a system library owes its users beyond working: exported symbols equal to the
# committed list, man pages that render without a warning, a staged install that an outside
# program can build against with pkg-config, shared and static (and that brings none of std's
# machinery), and that uninstalls without a trace; and a Rust dependent that gets no C symbol
# and no C library. Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-target/release}
CC=${CC:-cc}
PKG_CONFIG=${PKG_CONFIG:-pkg-config}
# shellcheck source=c-tests/check.sh
. c-tests/check.sh

symbols() {
	nm -D --defined-only "$BUILD/libp9fd.so" | awk '{ print $3 }' | sort | diff -u c-tests/symbols.txt -
}
check "exported symbols equal c-tests/symbols.txt" symbols

apue_symbols() {	# the apue build adds exactly APUE's four names
	nm -D --defined-only target/apue/release/libp9fd.so | awk '{ print $3 }' | sort |
		diff -u <(printf '%s\n' $(cat c-tests/symbols.txt) recv_fd recv_ufd send_err send_fd | sort) -
}
if [ -e target/apue/release/libp9fd.so ]; then
	check "apue build exports APUE's names too" apue_symbols
fi

no_pipe() {
	! nm --defined-only "$BUILD/libp9fd.a" 2>/dev/null | grep -qE ' [TW] pipe$' &&
	! nm -D --defined-only "$BUILD/libp9fd.so" | grep -qE ' pipe$'
}
check "no symbol named pipe" no_pipe

# libp9fd.a as a C library's: one object (the lib rule's ld -r), defining globally only the
# exports; core's and compiler-builtins' symbols are local, so a C program's own libgcc calls
# and another Rust library's copy of core cannot bind to them.
one_object() {
	local m
	m=$(ar t "$1/libp9fd.a" | tr '\n' ' ')
	[ "$m" = "p9fd.o " ] || { echo "members: $m"; return 1; }
	! nm "$1/libp9fd.a" 2>&1 | grep 'no symbols'
}
static_globals() {	# LIB WANT...: the archive's global definitions are exactly WANT
	local lib=$1
	shift
	nm -g --defined-only "$lib/libp9fd.a" | awk 'NF == 3 { print $3 }' | sort |
		diff -u <(printf '%s\n' "$@" | sort) -
}
if [ "$(uname -s)" = Linux ]; then
	check "libp9fd.a is one object, p9fd.o, and not empty" one_object "$BUILD"
	# shellcheck disable=SC2046
	check "libp9fd.a defines globally exactly c-tests/symbols.txt" static_globals "$BUILD" \
		$(cat c-tests/symbols.txt)
	if [ -e target/apue/release/libp9fd.a ]; then
		# shellcheck disable=SC2046
		check "apue libp9fd.a defines globally exactly the apue exports" static_globals \
			target/apue/release $(cat c-tests/symbols.txt) recv_fd recv_ufd send_err send_fd
	fi
fi

two=$(mktemp -d "${TMPDIR:-/tmp}/p9fd-two.XXXXXX")
cat >"$two/cplx.c" <<'PROG'
#include <complex.h>
#include <p9fd.h>

volatile double complex a = 1.0 + 2.0 * I, b = 3.0 - 1.0 * I;

int
main(void)
{
	double complex c = a * b;	/* __muldc3, from libgcc */

	return creal(c) == 5.0 && cimag(c) == 5.0 && p9pipe != 0 ? 0 : 1;
}
PROG
libgcc_own() {	# the program's __muldc3 is libgcc's, not compiler-builtins' from libp9fd.a
	local trace
	# shellcheck disable=SC2046
	trace=$($CC -std=c99 -O0 -Iinclude -o "$two/cplx" "$two/cplx.c" "$BUILD/libp9fd.a" \
		$(cat "$BUILD/native-static-libs") -lm -Wl,-y,__muldc3 2>&1) && "$two/cplx" || return 1
	grep -q 'libgcc.*definition of __muldc3' <<<"$trace" || { echo "$trace"; return 1; }
}
check "a C program's libgcc calls bind to libgcc, not to libp9fd.a" libgcc_own

cat >"$two/other.rs" <<'RUST'
//! Another Rust static library, with its own core, compiler-builtins and std.
use std::fmt::Write;

/// The number of decimal digits of a * b (core's formatting, a 128-bit multiply).
#[no_mangle]
pub extern "C" fn other_digits(a: u64, b: u64) -> u32 {
    let mut s = String::new();
    let _ = write!(s, "{}", (a as u128) * (b as u128));
    s.len() as u32
}
RUST
cat >"$two/two.c" <<'PROG'
#include <stdio.h>
#include <unistd.h>
#include <p9fd.h>

unsigned other_digits(unsigned long long, unsigned long long);

int
main(void)
{
	int p[2], fd;

	if(p9pipe(p) < 0 || sendfd(p[0], 1) < 0 || (fd = recvfd(p[1])) < 0){
		perror("two");
		return 1;
	}
	close(fd);
	if(other_digits(18446744073709551615ULL, 10) != 21){
		fprintf(stderr, "two: other_digits is wrong\n");
		return 1;
	}
	return 0;
}
PROG
two_rust() {	# both orders on the command line
	local libs
	rustc --edition 2021 -O --crate-type staticlib --print native-static-libs \
		-o "$two/libother.a" "$two/other.rs" 2>"$two/rustc.log" || { cat "$two/rustc.log"; return 1; }
	libs=$(sed -n 's/.*native-static-libs: //p' "$two/rustc.log")
	# shellcheck disable=SC2086
	$CC -std=c99 -Wall -Werror -Iinclude -o "$two/two" "$two/two.c" "$BUILD/libp9fd.a" \
		"$two/libother.a" $libs && "$two/two" &&
	$CC -std=c99 -Wall -Werror -Iinclude -o "$two/owt" "$two/two.c" "$two/libother.a" \
		"$BUILD/libp9fd.a" $libs && "$two/owt"
}
check "a C program with libp9fd.a and another Rust static library links and runs" two_rust
rm -rf "$two"

MAJOR=$(sed -n 's/^version = "\([0-9]*\)\..*/\1/p' Cargo.toml | head -n 1)
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
soname() {
	readelf -d "$BUILD/libp9fd.so" | grep -q "Library soname: \[libp9fd.so.$MAJOR\]"
}
check "soname libp9fd.so.$MAJOR" soname

renders() {	# groff prints warnings on stderr; any output fails
	local w
	w=$(groff -man -ww -z "$1" 2>&1) && [ -z "$w" ] || { echo "$w"; return 1; }
}
for m in man/man3/*.3; do
	check "$m renders without warnings" renders "$m"
done

# example PAGE LIBDIR WANT: the one program in PAGE's EXAMPLES, as printed (troff's \e is a
# backslash), compiles with -Wall -Wextra -Werror, links against p9fd alone, runs, and prints
# what the page says it prints (WANT, a shell pattern) into a file, not a terminal.
example() {
	local page=$1 lib=$2 want=$3 name out=target/man-examples got
	name=$(basename "$page" .3)
	mkdir -p $out
	awk '/^\.SH EXAMPLES/ { on = 1; next } /^\.SH / { on = 0 }
		on && /^\.nf/ { code = 1; blocks++; next } on && /^\.fi/ { code = 0; next }
		on && code && !/^\.ft/ { print } END { exit blocks != 1 }' "$page" |
		sed 's/\\e/\\/g' >$out/$name.c || { echo "$page: want exactly one program"; return 1; }
	# shellcheck disable=SC2046
	$CC -Wall -Wextra -Werror -Iinclude -o $out/$name $out/$name.c "$lib/libp9fd.a" \
		$(cat "$lib/native-static-libs") || return 1
	$out/$name >$out/$name.out || return 1
	got=$(cat $out/$name.out)
	# shellcheck disable=SC2254
	case $got in
	$want) ;;
	*) echo "$page: the example printed '$got', not '$want'"; return 1 ;;
	esac
}
check "man/man3/sendfd.3: EXAMPLES compile, link, run and print" example man/man3/sendfd.3 \
	"$BUILD" hello
check "man/man3/p9pipe.3: EXAMPLES compile, link, run and print" example man/man3/p9pipe.3 \
	"$BUILD" pong
check "man/man3/sendfdmsg.3: EXAMPLES compile, link, run and print" example \
	man/man3/sendfdmsg.3 "$BUILD" 'worker: "GET /" and connection [0-9]*'
if [ -e target/apue/release/libp9fd.a ]; then
	check "man/man3/apue.3: EXAMPLES compile, link, run and print" example man/man3/apue.3 \
		target/apue/release 'got descriptor [0-9]*'
fi

stage=$(mktemp -d "${TMPDIR:-/tmp}/p9fd-stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
prefix=/usr
libdir=$prefix/lib/p9fd-test
check "make install DESTDIR" make -s install DESTDIR="$stage/root" PREFIX=$prefix LIBDIR=$libdir

installed() {
	local f
	for f in $libdir/libp9fd.a $libdir/libp9fd.so $libdir/libp9fd.so.$MAJOR \
		$prefix/include/p9fd.h $libdir/pkgconfig/p9fd.pc \
		$prefix/share/man/man3/sendfd.3 $prefix/share/man/man3/recvfd.3 \
		$prefix/share/man/man3/p9pipe.3 $prefix/share/man/man3/sendfdmsg.3 \
		$prefix/share/man/man3/recvfdmsg.3 $prefix/share/man/man3/apue.3 \
		$prefix/share/man/man3/pipe.3 \
		$prefix/share/man/man3/recv_ufd.3; do
		[ -e "$stage/root$f" ] || { echo "missing $f"; return 1; }
	done
	ls "$stage/root$libdir"/libp9fd.so.*.*.* >/dev/null
}
check "installed files" installed

libdir_only_libraries() {	# no bookkeeping in a system directory: install's state is p9fd's own
	local got
	got=$(cd "$stage/root$libdir" && find . -mindepth 1 | sort | tr '\n' ' ')
	[ "$got" = "./libp9fd.a ./libp9fd.so ./libp9fd.so.$MAJOR ./libp9fd.so.$VERSION ./pkgconfig ./pkgconfig/p9fd.pc " ] ||
		{ echo "LIBDIR holds: $got"; return 1; }
	[ -s "$stage/root$prefix/share/p9fd/installed-dirs" ] ||
		{ echo "no $prefix/share/p9fd/installed-dirs"; return 1; }
}
check "LIBDIR holds the libraries and p9fd.pc only; install's list is in share/p9fd" libdir_only_libraries

cat > "$stage/outside.c" <<'PROG'
#include <stdio.h>
#include <unistd.h>
#include <p9fd.h>

int
main(void)
{
	int p[2], fd;

	if(pipe(p) < 0 || sendfd(p[0], 1) < 0 || (fd = recvfd(p[1])) < 0){
		perror("outside");
		return 1;
	}
	return 0;
}
PROG
pc() {
	PKG_CONFIG_SYSROOT_DIR="$stage/root" PKG_CONFIG_LIBDIR="$stage/root$libdir/pkgconfig" \
		$PKG_CONFIG "$@" p9fd
}
shared() {
	# shellcheck disable=SC2046
	$CC -std=c99 -Wall -Werror -o "$stage/outside-shared" "$stage/outside.c" $(pc --cflags --libs) &&
	LD_LIBRARY_PATH="$stage/root$libdir" "$stage/outside-shared" &&
	readelf -d "$stage/outside-shared" | grep -q "NEEDED.*libp9fd.so.$MAJOR"
}
check "outside program, pkg-config, shared" shared
static() {
	# pkg-config --static gives Libs.private; -Bstatic makes the linker take libp9fd.a
	# shellcheck disable=SC2046
	$CC -std=c99 -Wall -Werror -o "$stage/outside-static" "$stage/outside.c" $(pc --cflags) \
		-Wl,-Bstatic $(pc --libs-only-L) -lp9fd -Wl,-Bdynamic \
		$(pc --static --libs-only-l | sed 's/-lp9fd//') &&
	"$stage/outside-static" &&
	! readelf -d "$stage/outside-static" | grep -q "libp9fd"
}
check "outside program, pkg-config --static, static" static

std_free() {	# the C library is no_std: none of std's panic or backtrace machinery comes along
	local found
	nm -C "$stage/outside-static" | grep -qE ' T sendfd$' || { echo "sendfd not linked in"; return 1; }
	found=$(nm -C "$stage/outside-static" "$BUILD/libp9fd.a" 2>/dev/null |
		grep -E 'std::|gimli|addr2line|backtrace|miniz_oxide|rustc_demangle')
	[ -z "$found" ] || { echo "$found" | head; return 1; }
}
check "no std symbol in libp9fd.a nor in a program linked with it" std_free

check "make uninstall DESTDIR" make -s uninstall DESTDIR="$stage/root" PREFIX=$prefix LIBDIR=$libdir
nothing_left() {	# the stage was empty: every file and directory was install's
	local left
	left=$(find "$stage/root" -mindepth 1)
	[ -z "$left" ] || { echo "left behind: $left"; return 1; }
}
check "nothing left after uninstall, directories included" nothing_left

kept() {	# a directory that was there before install stays, even empty
	mkdir -p "$stage/pre/usr/include" &&
	make -s install DESTDIR="$stage/pre" PREFIX=/usr LIBDIR=/usr/lib >/dev/null &&
	make -s uninstall DESTDIR="$stage/pre" PREFIX=/usr LIBDIR=/usr/lib &&
	[ -d "$stage/pre/usr/include" ] && [ -z "$(find "$stage/pre" -mindepth 1 ! -path "$stage/pre/usr" ! -path "$stage/pre/usr/include")" ] ||
		{ find "$stage/pre"; return 1; }
}
check "uninstall keeps a directory that was there before" kept

dependent() {	# the crate is an rlib without C exports by default
	(cd tests/dependent && CARGO_TARGET_DIR=../../target/dependent ${CARGO:-cargo} run --locked -q) &&
	found=$(find target/dependent -name 'libp9fd.a' -o -name 'libp9fd.so*') &&
	{ [ -z "$found" ] || { echo "built: $found"; return 1; }; }
}
check "a Rust dependent defines its own sendfd, links, and builds no C library" dependent

summary
