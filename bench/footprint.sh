#!/bin/sh
# make bench, part 6: what p9fd costs a C program that links libp9fd.a, against the naive C of
# bench/baseline.c, and the size of the libraries. bench/footprint.c is built on each (libc
# shared, as plan9port links), with and without -Wl,--gc-sections, run, and measured with
# size(1): text + data (the first two numbers it prints: text and data on Linux and the BSDs,
# __TEXT and __DATA on macOS). POSIX sh. A failure inside $(...) is checked by hand: sh does
# not carry set -e into command substitutions.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-target/release}
CC=${CC:-cc}
out=target/benchmarks/footprint
mkdir -p $out
libs=$(cat "$BUILD/native-static-libs")

textdata() {
	size "$1" | awk 'NR == 2 { print $1 + $2; ok = 1 } END { exit !ok }'
}
# prog NAME LDFLAGS CFLAGS... : build, run, print text+data
prog() {
	local name=$1 ld=$2
	shift 2
	if [ "${name%%-*}" = base ]; then
		# shellcheck disable=SC2086
		$CC -O2 -Ibench "$@" -o $out/$name bench/footprint.c bench/baseline.c $ld
	else
		# shellcheck disable=SC2086
		$CC -O2 -Iinclude "$@" -o $out/$name bench/footprint.c "$BUILD/libp9fd.a" $libs $ld
	fi
	$out/$name || exit 1
	textdata $out/$name
}
# the linker's flag that drops unused sections: ld64's -dead_strip on macOS
case $(uname -s) in Darwin) gcflag=-Wl,-dead_strip ;; *) gcflag=-Wl,--gc-sections ;; esac
gain() {
	echo $(($1 - $2))
}
for gc in no gc; do
	ld=
	[ $gc = gc ] && ld=$gcflag
	base=$(prog base-$gc "$ld" -DBASELINE) || exit 1
	lib9=$(prog lib9-$gc "$ld") || exit 1
	msg=$(prog msg-$gc "$ld" -DMSG) || exit 1
	eval "base_$gc=$base lib9_$gc=$lib9 msg_$gc=$msg"
done
# the shared library's name per system, as the Makefile has it
case $(uname -s) in Darwin) so=libp9fd.dylib ;; *) so=libp9fd.so ;; esac
cp "$BUILD/$so" $out/$so.stripped && chmod u+w $out/$so.stripped && strip $out/$so.stripped
bytes() {	# (not stat: its options differ per system)
	wc -c <"$1" | tr -d ' '
}
# shellcheck disable=SC2154
{
	echo
	echo "| text+data a C program gains over the naive C (bytes) | no gc-sections | $gcflag |"
	echo "|---|---|---|"
	echo "| naive C program itself (sendfd, recvfd, p9pipe) | $base_no | $base_gc |"
	echo "| p9fd: sendfd, recvfd, p9pipe | +$(gain "$lib9_no" "$base_no") | +$(gain "$lib9_gc" "$base_gc") |"
	echo "| p9fd: and sendfdmsg, recvfdmsg | +$(gain "$msg_no" "$base_no") | +$(gain "$msg_gc" "$base_gc") |"
	echo
	echo "| library | bytes |"
	echo "|---|---|"
	echo "| $so, stripped | $(bytes $out/$so.stripped) |"
	echo "| $so, as built | $(bytes "$BUILD/$so") |"
	echo "| libp9fd.a | $(bytes "$BUILD/libp9fd.a") |"
} | tee $out/../footprint.md
