#!/bin/sh
# What a system library owes its users beyond working: exported symbols equal to the
# committed list, man pages that render without a warning, a staged install that an outside
# program can build against with pkg-config, shared and static (and that brings none of std's
# machinery), and that uninstalls without a trace; and a Rust dependent that gets no C symbol
# and no C library. Ends with "N passed, N failed". POSIX sh; ELF only (make check names the
# skip on macOS); the tools that differ per system come from tools/portable.sh.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-target/release}
CC=${CC:-cc}
MAKE=${MAKE:-make}
PKG_CONFIG=${PKG_CONFIG:-pkg-config}
# shellcheck source=c-tests/check.sh
. c-tests/check.sh
# shellcheck source=tools/portable.sh
. tools/portable.sh
# exports FILE: the global text and data symbols a shared library defines, sorted
exports() {
	"$NM" -D -P "$1" | awk 'NF >= 3 && $2 ~ /^[TDBRVW]$/ { print $1 }' | sort
}

symbols() {
	exports "$BUILD/libp9fd.so" | diff -u c-tests/symbols.txt -
}
check "exported symbols equal c-tests/symbols.txt" symbols

apue_symbols() {	# the apue build adds exactly APUE's four names
	# shellcheck disable=SC2046
	printf '%s\n' $(cat c-tests/symbols.txt) recv_fd recv_ufd send_err send_fd | sort >"$BUILD/apue-want"
	exports target/apue/release/libp9fd.so | diff -u "$BUILD/apue-want" -
}
if [ -e target/apue/release/libp9fd.so ]; then
	check "apue build exports APUE's names too" apue_symbols
fi

no_pipe() {
	! texts "$BUILD/libp9fd.a" | grep -q ' pipe$' && ! exports "$BUILD/libp9fd.so" | grep -qx pipe
}
check "no symbol named pipe" no_pipe

# libp9fd.a as a C library's: one object (rustc's, after LTO), defining globally only the
# exports; core's and compiler-builtins' symbols are local, so a C program's own libgcc calls
# and another Rust library's copy of core cannot bind to them.
# shellcheck source=c-tests/archive.sh
. c-tests/archive.sh
check "libp9fd.a is one object, p9fd.o, and not empty" one_object "$BUILD"
# shellcheck disable=SC2046
check "libp9fd.a defines globally exactly c-tests/symbols.txt" static_globals "$BUILD" \
	$(cat c-tests/symbols.txt)
if [ -e target/apue/release/libp9fd.a ]; then
	# shellcheck disable=SC2046
	check "apue libp9fd.a defines globally exactly the apue exports" static_globals \
		target/apue/release $(cat c-tests/symbols.txt) recv_fd recv_ufd send_err send_fd
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
libgcc_own() {	# the program's __muldc3 is its compiler runtime's, not compiler-builtins' from libp9fd.a
	local trace
	# shellcheck disable=SC2046
	trace=$($CC -std=c99 -O0 -Iinclude -o "$two/cplx" "$two/cplx.c" "$BUILD/libp9fd.a" \
		$(cat "$BUILD/native-static-libs") -lm -Wl,-y,__muldc3 2>&1) && "$two/cplx" || return 1
	# libgcc's, or compiler-rt's (clang's runtime on the BSDs): anything's but libp9fd.a's
	printf '%s\n' "$trace" | grep 'definition of __muldc3' | grep -qv 'libp9fd' || { echo "$trace"; return 1; }
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
	dynamic "$BUILD/libp9fd.so" | grep -q "soname.*libp9fd\.so\.$MAJOR"
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
check "make install DESTDIR (CARGO=false: install builds nothing)" $MAKE -s install DESTDIR="$stage/root" \
	PREFIX=$prefix LIBDIR=$libdir CARGO=false

installed() {
	local f
	for f in $libdir/libp9fd.a $libdir/libp9fd.so $libdir/libp9fd.so.$MAJOR \
		$prefix/include/p9fd.h $libdir/pkgconfig/p9fd.pc \
		$prefix/share/man/man3/sendfd.3 $prefix/share/man/man3/recvfd.3 \
		$prefix/share/man/man3/p9pipe.3 $prefix/share/man/man3/sendfdmsg.3 \
		$prefix/share/man/man3/recvfdmsg.3 $prefix/share/man/man3/p9framedpipe.3 \
		$prefix/share/man/man3/sendfdmsgall.3 $prefix/share/man/man3/sendfdmsgto.3; do
		[ -e "$stage/root$f" ] || { echo "missing $f"; return 1; }
	done
	ls "$stage/root$libdir"/libp9fd.so.*.*.* >/dev/null
}
check "installed files" installed

# the whole staged install, file by file: the library's own files and nothing else (no
# pipe.3, which would shadow pipe(2); no APUE page from a build without apue; no bookkeeping)
only_files() {	# STAGE WANT...
	local stage=$1 got
	shift
	got=$(cd "$stage" && find . -type f -o -type l | sed 's|^\.||' | sort | tr '\n' ' ')
	[ "$got" = "$(printf '%s\n' "$@" | sort | tr '\n' ' ')" ] || { echo "staged: $got"; return 1; }
}
m3=$prefix/share/man/man3
# shellcheck disable=SC2086
check "a staged install holds the library's files only" only_files "$stage/root" \
	$libdir/libp9fd.a $libdir/libp9fd.so $libdir/libp9fd.so.$MAJOR $libdir/libp9fd.so.$VERSION \
	$libdir/pkgconfig/p9fd.pc $prefix/include/p9fd.h $m3/sendfd.3 $m3/recvfd.3 $m3/p9pipe.3 \
	$m3/sendfdmsg.3 $m3/recvfdmsg.3 $m3/p9framedpipe.3 $m3/sendfdmsgall.3 $m3/sendfdmsgto.3
if [ -e target/apue/release/libp9fd.a ]; then
	apue_install() {
		$MAKE -s install DESTDIR="$stage/apue" PREFIX=$prefix LIBDIR=$libdir CARGO=false \
			CARGO_TARGET_DIR=target/apue &&
		only_files "$stage/apue" $libdir/libp9fd.a $libdir/libp9fd.so $libdir/libp9fd.so.$MAJOR \
			$libdir/libp9fd.so.$VERSION $libdir/pkgconfig/p9fd.pc $prefix/include/p9fd.h \
			$m3/sendfd.3 $m3/recvfd.3 $m3/p9pipe.3 $m3/sendfdmsg.3 $m3/recvfdmsg.3 \
			$m3/p9framedpipe.3 $m3/sendfdmsgall.3 $m3/sendfdmsgto.3 $m3/apue.3 $m3/send_fd.3 $m3/send_err.3 $m3/recv_fd.3 $m3/recv_ufd.3
	}
	check "the apue build's staged install adds apue.3 and its four names" apue_install
fi
unbuilt() {	# nothing built: install says to run make first, and builds nothing
	local out
	out=$($MAKE -s install DESTDIR="$stage/none" CARGO=false CARGO_TARGET_DIR="$stage/nothing" 2>&1) &&
		{ echo "install succeeded with nothing built"; return 1; }
	printf '%s\n' "$out" | grep -q "run make first" || { echo "$out"; return 1; }
	[ ! -e "$stage/none" ] && [ ! -e "$stage/nothing" ] || { echo "install wrote something"; return 1; }
}
check "make install with nothing built: says to run make first, writes nothing" unbuilt

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
	dynamic "$stage/outside-shared" | grep -q "NEEDED.*libp9fd\.so\.$MAJOR"
}
check "outside program, pkg-config, shared" shared
static() {
	# pkg-config --static gives Libs.private; -Bstatic makes the linker take libp9fd.a
	# shellcheck disable=SC2046
	$CC -std=c99 -Wall -Werror -o "$stage/outside-static" "$stage/outside.c" $(pc --cflags) \
		-Wl,-Bstatic $(pc --libs-only-L) -lp9fd -Wl,-Bdynamic \
		$(pc --static --libs-only-l | sed 's/-lp9fd//') &&
	"$stage/outside-static" &&
	! dynamic "$stage/outside-static" | grep -q "libp9fd"
}
check "outside program, pkg-config --static, static" static

std_free() {	# the C library is no_std: none of std's panic or backtrace machinery comes along
	local found
	texts "$stage/outside-static" | grep -q ' sendfd$' || { echo "sendfd not linked in"; return 1; }
	found=$("$NM" -C "$stage/outside-static" "$BUILD/libp9fd.a" 2>/dev/null |
		grep -E 'std::|gimli|addr2line|backtrace|miniz_oxide|rustc_demangle')
	[ -z "$found" ] || { echo "$found" | head; return 1; }
}
check "no std symbol in libp9fd.a nor in a program linked with it" std_free

check "make uninstall DESTDIR" $MAKE -s uninstall DESTDIR="$stage/root" PREFIX=$prefix LIBDIR=$libdir
no_file_left() {	# every file install wrote is gone; directories stay (uninstall removes none)
	local left
	left=$(find "$stage/root" ! -type d)
	[ -z "$left" ] || { echo "left behind: $left"; return 1; }
}
check "no file left after uninstall (directories stay)" no_file_left

kept() {	# a directory that was there before install stays, with what else it held
	mkdir -p "$stage/pre/usr/include" && echo keep >"$stage/pre/usr/include/other.h" &&
	$MAKE -s install DESTDIR="$stage/pre" PREFIX=/usr LIBDIR=/usr/lib CARGO=false >/dev/null &&
	$MAKE -s uninstall DESTDIR="$stage/pre" PREFIX=/usr LIBDIR=/usr/lib &&
	[ "$(find "$stage/pre" ! -type d)" = "$stage/pre/usr/include/other.h" ] || { find "$stage/pre"; return 1; }
}
check "uninstall keeps another package's file in a directory it shares" kept

dependent() {	# the crate is an rlib without C exports by default
	(cd tests/dependent && CARGO_TARGET_DIR=../../target/dependent ${CARGO:-cargo} run --locked -q) &&
	found=$(find target/dependent -name 'libp9fd.a' -o -name 'libp9fd.so*') &&
	{ [ -z "$found" ] || { echo "built: $found"; return 1; }; }
}
check "a Rust dependent defines its own sendfd, links, and builds no C library" dependent

summary
