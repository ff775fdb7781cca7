#!/bin/sh
# The image's /bundle/run: every program under bin/ on the booted NetBSD, as
# c-tests/ports/run-bundle.sh does on a full system, with only sh's builtins and ./limit (the
# image has no other tools). A program passes if it exits 0; one that exits 77 had every case
# skipped and counts neither way. Each program's output is shown between "=== K NAME" (K its
# place in the list) and its verdict: "ok NAME", "skip NAME" or "FAIL NAME (exit N)" (a space,
# not a tab: the console expands tabs). Ends with "N passed, N failed".
# Environment: FROM (start at the FROM'th program: check.sh boots again after one that
# panicked the kernel), LIMIT (seconds per program), P9FD_SOAK (stress's passes).
cd /bundle || exit 2
FROM=${FROM:-1}
LIMIT=${LIMIT:-600}
pass=0
fail=0
skip=0
k=0
for b in bin/static/* bin/shared/* bin/apue-static/* bin/apue-shared/*; do
	[ -f "$b" ] || continue
	k=$((k + 1))
	[ "$k" -ge "$FROM" ] || continue
	name=${b#bin/}
	echo "=== $k $name"
	P9FD_SELF=/bundle/$b ./limit "$LIMIT" "/bundle/$b" </dev/null 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		pass=$((pass + 1))
		echo "ok $name"
	elif [ "$rc" -eq 77 ]; then
		skip=$((skip + 1))
		echo "skip $name"
	else
		fail=$((fail + 1))
		echo "FAIL $name (exit $rc)"
	fi
done
[ "$skip" -eq 0 ] || echo "($skip programs skipped: each case printed why)"
echo "$pass passed, $fail failed"
