# Sourced by the bash check scripts: `check NAME COMMAND...` runs COMMAND, prints "ok NAME" or
# "FAIL NAME" with its output indented, and counts; `summary` prints "N passed, N failed" and
# returns non-zero if anything failed.
pass=0
fail=0
check() {
	local name=$1 output
	shift
	if output=$("$@" 2>&1); then
		pass=$((pass + 1))
		echo "ok	$name"
	else
		fail=$((fail + 1))
		echo "FAIL	$name"
		printf '%s\n' "$output" | sed 's/^/	/'
	fi
}
summary() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
