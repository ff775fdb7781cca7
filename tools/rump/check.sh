#!/bin/sh
# make check-rump: p9fd's core on NetBSD's own socket code (7.99.34, 2016), run as a rump
# kernel in this Linux process. tools/rump/bridge.rs is the core's Kernel seam over
# rump_sys_* (NetBSD's msghdr, cmsghdr, constants and errno numbers spelled out), built into
# the unit tests when P9FD_RUMP names the rump build (build.rs); it runs the NetBSD model's
# cases, the common ones that apply, the ownership rule and the model's facts asked raw.
# Nothing is fetched.
#
#	tools/rump/check.sh DEST
#
# DEST: the -d directory of a buildrump.sh fullbuild (DEST/lib/librump.so and the rest).
# Without it, it says what is missing and how to build it, prints "skip: ..." and exits 0
# having run nothing (never a "passed" line). Environment: CARGO (cargo), OUT (target/rump:
# the log, and the bridge's own cargo target directory).
set -u
cd "$(dirname "$0")/../.."
DEST=${1:-}
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
log=$OUT/bridge.log
# Its own target directory: P9FD_RUMP changes the build (build.rs), not the usual one.
P9FD_RUMP=$DEST CARGO_TARGET_DIR=$OUT/cargo $CARGO test -q --lib --features apue \
	models::rump::against_netbsd -- --nocapture --test-threads=1 >"$log" 2>&1
rc=$?
grep -E '^(PASS|FAIL|info): ' "$log"
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log")
if [ -z "$line" ]; then
	echo "FAIL: the bridge did not build or run (exit $rc); the end of $log:"
	tail -40 "$log"
	echo "0 passed, 1 failed"
	exit 1
fi
echo "$line"
[ "$rc" -eq 0 ]
