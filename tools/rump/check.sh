#!/bin/sh
# make check-rump: NetBSD's own socket code (7.99.34, 2016), run as a rump kernel in this
# Linux process. Two parts, one tally:
#   - tools/rump/shim.c: NetBSD's ABI by hand (msghdr, cmsghdr, constants, errno numbers),
#     the kernel's raw answers;
#   - tools/rump/bridge.rs: p9fd's core (the unit tests' `pass::*_on`) on that kernel through
#     its one seam, the NetBSD model's cases and the common ones that apply.
# Nothing is fetched.
#
#	tools/rump/check.sh DEST
#
# DEST: the -d directory of a buildrump.sh fullbuild (DEST/include/rump, DEST/lib/librump*).
# Without it, it says what is missing and how to build it, prints "skip: ..." and exits 0
# having run nothing (never a "passed" line). Environment: CC (cc), CARGO (cargo), OUT
# (target/rump: the shim, and the bridge's own cargo target directory).
set -u
cd "$(dirname "$0")/../.."
DEST=${1:-}
CC=${CC:-cc}
CARGO=${CARGO:-cargo}
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
[ -f "$DEST/lib/librump.so" ] || skip "no librump.so in $DEST/lib"
DEST=$(cd "$DEST" && pwd) || exit 1
mkdir -p "$OUT" || exit 1
log=$OUT/check.log
: >"$log"
$CC -O -Wall -Wextra -o "$OUT/shim" tools/rump/shim.c -L"$DEST/lib" -Wl,-rpath,"$DEST/lib" \
	-Wl,--no-as-needed -lrumpnet_local -lrumpnet_net -lrumpnet -lrumpvfs -lrump -lrumpuser \
	-Wl,--as-needed -lpthread -ldl || exit 1
echo "== shim.c (NetBSD's ABI by hand)"
"$OUT/shim" | tee -a "$log" | grep -v ' passed, '
echo "== bridge.rs (p9fd's core through its Kernel seam)"
# Its own target directory: P9FD_RUMP changes the build (build.rs), not the usual one.
P9FD_RUMP=$DEST CARGO_TARGET_DIR=$OUT/cargo $CARGO test -q --lib --features apue \
	models::rump::against_netbsd -- --nocapture --test-threads=1 >"$OUT/bridge.log" 2>&1
rc=$?
grep -E '^(PASS|FAIL|info): ' "$OUT/bridge.log" | tee -a "$log"
if ! grep -q ' passed, .* failed$' "$OUT/bridge.log"; then
	echo "FAIL: bridge.rs did not build or run (exit $rc); its output:"
	tail -40 "$OUT/bridge.log"
	echo "FAIL: bridge" >>"$log"
fi
p=$(grep -c '^PASS: ' "$log")
f=$(grep -c '^FAIL: ' "$log")
echo "$p passed, $f failed"
[ "$f" -eq 0 ]
