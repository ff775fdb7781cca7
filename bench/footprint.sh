#!/bin/bash
# make bench, part 6: what p9fd costs a C program that links libp9fd.a, against the naive C of
# bench/baseline.c, and the size of the libraries. bench/footprint.c is built on each (libc
# shared, as plan9port links), with and without -Wl,--gc-sections, run, and measured with
# size(1): text + data.
set -eu
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
BUILD=${BUILD:-target/release}
CC=${CC:-cc}
out=target/benchmarks/footprint
mkdir -p $out
libs=$(cat "$BUILD/native-static-libs")

textdata() {
	size "$1" | awk 'NR == 2 { print $1 + $2 }'
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
	$out/$name
	textdata $out/$name
}
gain() {
	echo $(($1 - $2))
}
for gc in no gc; do
	ld=
	[ $gc = gc ] && ld=-Wl,--gc-sections
	base=$(prog base-$gc "$ld" -DBASELINE)
	lib9=$(prog lib9-$gc "$ld")
	msg=$(prog msg-$gc "$ld" -DMSG)
	eval "base_$gc=$base lib9_$gc=$lib9 msg_$gc=$msg"
done
strip -o $out/libp9fd.so.stripped "$BUILD/libp9fd.so"
bytes() {
	stat -c %s "$1"
}
# shellcheck disable=SC2154
{
	echo
	echo "| text+data a C program gains over the naive C (bytes) | no gc-sections | -Wl,--gc-sections |"
	echo "|---|---|---|"
	echo "| naive C program itself (sendfd, recvfd, p9pipe) | $base_no | $base_gc |"
	echo "| p9fd: sendfd, recvfd, p9pipe | +$(gain "$lib9_no" "$base_no") | +$(gain "$lib9_gc" "$base_gc") |"
	echo "| p9fd: and sendfdmsg, recvfdmsg | +$(gain "$msg_no" "$base_no") | +$(gain "$msg_gc" "$base_gc") |"
	echo
	echo "| library | bytes |"
	echo "|---|---|"
	echo "| libp9fd.so, stripped | $(bytes $out/libp9fd.so.stripped) |"
	echo "| libp9fd.so, as built | $(bytes "$BUILD/libp9fd.so") |"
	echo "| libp9fd.a | $(bytes "$BUILD/libp9fd.a") |"
} | tee $out/../footprint.md
