#!/bin/sh
# tools/standins.sh DIR: a directory of symlinks holding only tools macOS and the BSDs have,
# each stood in for by this machine's own (a Linux one): sh is dash; nm and ar are llvm-nm and
# llvm-ar (Xcode's); shasum is Perl's (macOS's); make is GNU make (gmake). There is no
# setsid, sha256sum, timeout, readelf, objcopy, ldd or stat. Run the user's path with
# PATH=DIR only, to see that it needs nothing else ("checked with stand-ins", not run there).
set -eu
dir=${1:?usage: tools/standins.sh DIR}
rm -rf "$dir"
mkdir -p "$dir"
link() {	# link NAME TOOL
	p=$(command -v "$2") || { echo "standins: no $2 here" >&2; exit 1; }
	ln -s "$p" "$dir/$1"
}
link sh dash
link nm llvm-nm
link ar llvm-ar
link ranlib llvm-ranlib
link make make
link gmake make
for t in awk basename cat chmod cmp cp cut date diff dirname echo env expr false find grep \
	head id install kill ln ls mkdir mktemp mv od paste printf ps rm rmdir sed sleep sort \
	tail tee test touch tr true uname uniq wc xargs cc c++ ld as shasum cargo rustc strip \
	size pkg-config; do
	link "$t" "$t"
done
