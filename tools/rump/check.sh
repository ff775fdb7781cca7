#!/bin/sh
# make check-rump: NetBSD's own socket code (7.99.34, 2016), run as a rump kernel in this
# Linux process, answering the sends and receives of tools/rump/shim.c, which spells out
# NetBSD's msghdr, cmsghdr, constants and errno numbers. Nothing is fetched.
#
#	tools/rump/check.sh DEST
#
# DEST: the -d directory of a buildrump.sh fullbuild (DEST/include/rump, DEST/lib/librump*).
# Without it, it says what is missing and how to build it, prints "skip: ..." and exits 0
# having run nothing (never a "passed" line). Environment: CC (cc), OUT (target/rump).
set -u
cd "$(dirname "$0")/../.."
DEST=${1:-}
CC=${CC:-cc}
OUT=${OUT:-target/rump}

skip() {
	echo "skip: check-rump: $1"
	cat <<'E'
	Build NetBSD's rump kernel outside this tree (about 10 minutes on 2 cores), from
	github:rumpkernel/buildrump.sh and github:rumpkernel/src-netbsd (branch buildrump-src):
	  HOST_CFLAGS="-O -fcommon -Wno-error" ./buildrump.sh -s SRC -o OBJ -T TOOLS -d DEST -j2 -q -r \
	      -F CFLAGS="-fcommon -Wno-error" -F CWARNFLAGS="-Wno-error" fullbuild
	then: make check-rump RUMP=DEST
E
	exit 0
}

[ -n "$DEST" ] || skip "RUMP is not set"
[ -f "$DEST/lib/librump.so" ] || [ -f "$DEST/lib/librump.a" ] || skip "no librump in $DEST/lib"
mkdir -p "$OUT" || exit 1
$CC -O -Wall -Wextra -o "$OUT/shim" tools/rump/shim.c -L"$DEST/lib" -Wl,-rpath,"$DEST/lib" \
	-Wl,--no-as-needed -lrumpnet_local -lrumpnet_net -lrumpnet -lrumpvfs -lrump -lrumpuser \
	-Wl,--as-needed -lpthread -ldl || exit 1
"$OUT/shim"
