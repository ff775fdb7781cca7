#!/bin/sh
# make check's runner: every step, in order, each one's output shown as it comes; then one
# verdict over all of them. A step's tally is what it prints ("N passed, N failed" from our
# scripts, "test result: ... N passed; N failed" from cargo); a step that prints none (fmt,
# clippy, doc, a build) counts as one check; a step that fails without counting a failure
# (a build error) counts one failure. A failing step does not stop the others. The last line
# is "total: N passed, N failed", the suites' own lines above it.
#
# Called by the Makefile with MAKE, CARGO, BUILD and STATIC_LIBS set. POSIX sh.
set -u
cd "$(dirname "$0")/.."
: "${MAKE:=make}" "${CARGO:=cargo}" "${BUILD:=target/release}"
STATIC_LIBS=${STATIC_LIBS:-$(cat "$BUILD/native-static-libs")}
log=$(mktemp "${TMPDIR:-/tmp}/p9fd-check.XXXXXX")
trap 'rm -f "$log" "$log.rc"' EXIT
passed=0
failed=0
broken=
skipped=

step() {	# step NAME COMMAND...
	local name=$1 rc p f
	shift
	echo "== $name"
	# the command's status, kept through tee without pipefail
	{ "$@" 2>&1; echo $? >"$log.rc"; } | tee "$log"
	rc=$(cat "$log.rc")
	set -- $(awk '
		/^[0-9]+ passed, [0-9]+ failed$/ { p += $1; f += $3; n++ }
		/^test result: / { for(i = 1; i < NF; i++){ if($(i+1) ~ /^passed/) p += $i; if($(i+1) ~ /^failed/) f += $i }; n++ }
		END { if(n) print p + 0, f + 0; else print "-", "-" }' "$log")
	p=$1 f=$2
	if [ "$p" = - ]; then
		if [ "$rc" -eq 0 ]; then p=1 f=0; else p=0 f=1; fi
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	[ "$rc" -eq 0 ] && [ "$f" -eq 0 ] || broken="$broken
$name"
}

step "the C library and the examples" $MAKE --no-print-directory lib examples
step "scripts: POSIX sh ones parse with dash, bash ones are found through env" c-tests/scripts.sh
step "header is what cbindgen generates" $CARGO test --locked --test header
step "cargo fmt --check" $CARGO fmt --check
step "clippy, all features" $CARGO clippy --locked --all-targets --all-features -- -D warnings
# No feature set warns: each the library can be built with (capi is make's C library, capi,apue
# make FEATURES=apue's, std the default a Rust dependent gets).
for f in "" std capi capi,apue std,apue tokio; do
	step "clippy, features '$f' (no default)" \
		$CARGO clippy --locked --lib --no-default-features --features "$f" -- -D warnings
done
step "cargo doc, default features" env RUSTDOCFLAGS=-Dwarnings $CARGO doc --locked --no-deps
step "cargo doc, all features" env RUSTDOCFLAGS=-Dwarnings $CARGO doc --locked --no-deps --all-features
step "Rust tests, all features" $CARGO test --locked --all-features
step "cargo package (builds the packaged crate)" $CARGO package --locked --allow-dirty
# The .crate's own tests, as a packager runs them: offline, from the unpacked package alone.
pkg=target/package/p9fd-$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
step "the packaged crate's tests, offline" $CARGO test --offline --locked --all-features \
	--manifest-path "$pkg/Cargo.toml" --target-dir target
step "the apue C library" $MAKE --no-print-directory lib FEATURES=apue CARGO_TARGET_DIR=target/apue
# skipstep NAME WHY: a step this system cannot run, said so and counted neither way
skipstep() {
	echo "== $1"
	echo "skip: $1: $2"
	skipped="$skipped
$1"
}
# Cargo.toml's rust-version is tested, not only stated: the library, each feature set, built by
# that Rust (rustup installs it; where it cannot, the step says so).
msrv=$(sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml)
if command -v rustup >/dev/null 2>&1 &&
	rustup toolchain install "$msrv" --profile minimal >/dev/null 2>&1; then
	step "the library with Rust $msrv (rust-version), each feature set" sh -c '
		for f in "" std capi capi,apue std,apue tokio; do
			rustup run "$1" cargo check --locked --lib --no-default-features \
				--features "$f" --target-dir target/msrv || exit 1
		done' sh "$msrv"
else
	skipstep "the library with Rust $msrv (rust-version)" "rustup cannot install Rust $msrv here"
fi
if [ "$(uname -s)" = Darwin ]; then
	skipstep "hygiene" "its soname, link and install checks read ELF (readelf, -Bstatic, .so); macOS is Mach-O"
	# hygiene's archive checks, which hold on Mach-O too
	archive() {
		. c-tests/check.sh && . tools/portable.sh && . c-tests/archive.sh &&
		check "libp9fd.a is one object, p9fd.o" one_object "$BUILD" &&
		# shellcheck disable=SC2046
		check "libp9fd.a defines globally exactly c-tests/symbols.txt" static_globals "$BUILD" \
			$(cat c-tests/symbols.txt)
		summary
	}
	step "libp9fd.a: one object, only the exports global" archive
else
	step "hygiene" env MAKE="$MAKE" c-tests/hygiene.sh
fi
step "make plan9port, on a plan9port the test makes" env BUILD="$BUILD" MAKE="$MAKE" c-tests/plan9port.sh
if [ "$(uname -s)" != Linux ] && ! command -v strace >/dev/null 2>&1; then
	skipstep "system calls (strace)" "no strace on this system"
	skipstep "fault injection (strace)" "no strace on this system"
else
	step "system calls (strace)" env STATIC_LIBS="$STATIC_LIBS" c-tests/syscalls.sh
	step "fault injection (strace)" env STATIC_LIBS="$STATIC_LIBS" c-tests/faults.sh "$BUILD"
	step "fault injection, apue build (strace)" \
		env STATIC_LIBS="$(cat target/apue/release/native-static-libs)" c-tests/faults.sh target/apue/release apue
fi
step "C suite, apue build" env STATIC_LIBS="$(cat target/apue/release/native-static-libs)" \
	SRC=c-tests/apue EXTRA_CFLAGS=-DP9FD_APUE OUT=target/c-tests/apue c-tests/run.sh target/apue/release
step "sanitizers and memcheck" $MAKE --no-print-directory check-sanitizers
step "C suite" env STATIC_LIBS="$STATIC_LIBS" c-tests/run.sh "$BUILD"

echo
printf '%s\n' "$skipped" | sed -n 's/^./skipped: &/p'
printf '%s\n' "$broken" | sed -n 's/^./failed: &/p'
echo "total: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
