#!/bin/sh
# Builds each c-tests/*.c against include/p9fd.h alone, links it twice, with the static and
# with the shared library in LIBDIR, runs both, and ends with "N passed, N failed". A program
# that exits 77 had every case skipped (it printed "skip: why" for each): it is listed as a
# skip and counted neither way.
#
#	c-tests/run.sh [LIBDIR]
#
# Environment: CC, CFLAGS, LDFLAGS, STATIC_LIBS (what libp9fd.a needs, as rustc reports it),
# OUT (build directory), RUN (a wrapper such as valgrind), SRC (where the tests are; c-tests),
# EXTRA_CFLAGS, TESTS (names to run; all by default), KINDS (static,shared by default; static
# alone where the target builds no shared library), TIMEOUT (seconds per program, 120 by
# default), FAILFAST (set: stop at the first failure, as a mutation run wants; the tally then
# counts what ran).
set -u
cd "$(dirname "$0")/.."
LIBDIR=${1:-target/release}
CC=${CC:-cc}
CFLAGS=${CFLAGS:--std=c99 -Wall -Wextra -Werror -g -O1}
LDFLAGS=${LDFLAGS:-}
STATIC_LIBS=${STATIC_LIBS:--lgcc_s -lutil -lrt -lpthread -lm -ldl -lc}
OUT=${OUT:-target/c-tests}
RUN=${RUN:-}
SRC=${SRC:-c-tests}
EXTRA_CFLAGS=${EXTRA_CFLAGS:-}
TESTS=${TESTS:-$(for f in "$SRC"/*.c; do basename "$f" .c; done)}
KINDS=${KINDS:-static,shared}
TIMEOUT=${TIMEOUT:-120}
# timeout(1) is not on every system (macOS has none): there a hung program is not stopped
timeout="timeout $TIMEOUT"
command -v timeout >/dev/null 2>&1 || timeout=
FAILFAST=${FAILFAST:-}

mkdir -p "$OUT/static" "$OUT/shared"
kinds=$(echo "$KINDS" | tr , ' ')
pass=0
fail=0
skip=0
result() {
	if [ "$1" -eq 0 ]; then
		pass=$((pass + 1))
		echo "ok	$2"
	elif [ "$1" -eq 77 ]; then
		skip=$((skip + 1))
		echo "skip	$2"
	else
		fail=$((fail + 1))
		echo "FAIL	$2"
	fi
}
for t in $TESTS; do
	for kind in $kinds; do
		bin=$OUT/$kind/$t
		if [ $kind = static ]; then
			lib="$LIBDIR/libp9fd.a $STATIC_LIBS"
		else
			lib="-L$LIBDIR -Wl,-rpath,$PWD/$LIBDIR -lp9fd"
		fi
		# -pthread: hostile and stress start threads, and on the BSDs pthread_create is
		# not in libc (NetBSD's libpthread, FreeBSD's libthr)
		# shellcheck disable=SC2086
		if $CC $CFLAGS $EXTRA_CFLAGS -Iinclude -o "$bin" "$SRC/$t.c" $LDFLAGS $lib -pthread; then
			# shellcheck disable=SC2086
			case $bin in /*) self=$bin ;; *) self=$PWD/$bin ;; esac
			P9FD_SELF=$self $timeout $RUN "$bin" </dev/null
			result $? "$t ($kind)"
		else
			result 1 "$t ($kind): does not build"
		fi
		[ -z "$FAILFAST" ] || [ "$fail" -eq 0 ] || break 2
	done
done
[ "$skip" -eq 0 ] || echo "($skip programs skipped: each case printed why)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
