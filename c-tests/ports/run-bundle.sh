#!/bin/sh
# p9fd's tests for one system, as make check-ports bundled them: run this on that system.
#
#	tar xzf p9fd-tests-TARGET.tar.gz && p9fd-tests-TARGET/run
#
# Runs every program under bin/: the C suite linked with lib/libp9fd.a (bin/static) and with
# the shared library in lib/ (bin/shared, found through the program's relative rpath), the
# APUE suite the same way against lib-apue/ (bin/apue-static, bin/apue-shared), and the Rust
# test binaries (bin/rust). A program passes if it exits 0; one that exits 77 had every case
# skipped and counts neither way; "skip: why" lines are shown. Each program's output is kept
# in log/. Ends with "N passed, N failed". Environment: P9FD_SOAK (stress's passes).
cd "$(dirname "$0")" || exit 2
here=$(pwd)
TIMEOUT=
command -v timeout >/dev/null 2>&1 && TIMEOUT="timeout 600"
mkdir -p log
pass=0
fail=0
skip=0
for b in bin/static/* bin/shared/* bin/apue-static/* bin/apue-shared/* bin/rust/*; do
	[ -f "$b" ] || continue
	name=$(echo "$b" | sed 's|^bin/||')
	log=log/$(echo "$name" | tr / _).log
	P9FD_SELF=$here/$b $TIMEOUT "$here/$b" </dev/null >"$log" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		pass=$((pass + 1))
		echo "ok	$name"
	elif [ "$rc" -eq 77 ]; then
		skip=$((skip + 1))
		echo "skip	$name"
	else
		fail=$((fail + 1))
		echo "FAIL	$name (exit $rc)"
		tail -n 20 "$log" | sed 's/^/	/'
	fi
	grep '^skip: ' "$log" | sed 's/^/	/'
done
[ "$skip" -eq 0 ] || echo "($skip programs skipped: each case printed why)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
