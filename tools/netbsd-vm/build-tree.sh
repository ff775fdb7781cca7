#!/bin/sh
# Builds, inside an exported NetBSD 6.99.16 source tree, what make check-netbsd-vm needs: the
# cross tools, a GENERIC amd64 kernel, the BIOS boot blocks and a minimal userland (sh, the
# shared libc and ld.elf_so, mount_tmpfs, poweroff) in TREE/obj.
#
#	tools/netbsd-vm/build-tree.sh TREE
#
# TREE: the source of github:fallen/NetBSD6 (a 6.99.16 snapshot of 2012, 279 MB as git),
# exported from a clone (git archive HEAD | tar -x -C TREE; five large blobs absent from some
# stored copies, none needed here, can be left out with ':!path' pathspecs). Writes TREE/obj:
# the objects, obj/destdir.amd64 (the sysroot, with libc.so.12) and obj/tools (tooldir, with
# bin/x86_64--netbsd-gcc, nbmakefs, nbinstallboot). About 6 minutes on 2 cores.
# A step that succeeded is not run again (obj/STEP.log.done): a failed build resumes.
# Environment: JOBS (make -j, default 2).
#
# A 2012 tree on a 2023 host (Debian 12: gcc 12, glibc 2.36) needs three local changes, made
# here once and idempotently:
#  - GNU make 3.81's configure and glob.c use their own glob unless the C library's
#    _GNU_GLOB_INTERFACE_VERSION equals 1; glibc 2.27 made it 2, and make's own copy no longer
#    builds. Accepting any later version uses glibc's.
#  - sys/uvm/uvm_km.c of this snapshot has a debug printf casting a pointer to int, an error
#    under -Werror on amd64: the line is removed.
#  - an export leaves the files' times in archive order, and gcc's build then regenerates
#    sources such as gengtype-lex.c with tools it does not have: every file gets one time.
# The host compilers get flags that accept 2012's C (implicit declarations, K&R).
set -eu
[ $# -eq 1 ] || { echo "usage: $0 TREE" >&2; exit 2; }
TREE=$(cd "$1" && pwd)
JOBS=${JOBS:-2}
[ -x "$TREE/build.sh" ] && [ -f "$TREE/sys/sys/param.h" ] || { echo "$TREE: not a NetBSD source tree" >&2; exit 2; }
grep -q '__NetBSD_Version__.*699001600' "$TREE/sys/sys/param.h" ||
	echo "warning: $TREE is not NetBSD 6.99.16; this script was written for it" >&2
O=$TREE/obj
TD=$O/tools

if [ ! -f "$O/.prepared" ]; then
	for f in gnu/dist/gmake/glob/glob.c gnu/dist/gmake/configure gnu/dist/gmake/configure.in; do
		sed 's/^# if _GNU_GLOB_INTERFACE_VERSION == GLOB_INTERFACE_VERSION/# if _GNU_GLOB_INTERFACE_VERSION >= GLOB_INTERFACE_VERSION/' \
			"$TREE/$f" >"$TREE/$f.new" && mv "$TREE/$f.new" "$TREE/$f"
	done
	grep -v 'printf("kernel_map = &kernel_map_store == 0x%08X\\n", (int)kernel_map);' \
		"$TREE/sys/uvm/uvm_km.c" >"$TREE/sys/uvm/uvm_km.c.new" &&
		mv "$TREE/sys/uvm/uvm_km.c.new" "$TREE/sys/uvm/uvm_km.c"
	find "$TREE" -path "$O" -prune -o -type f -exec touch -t 201301010000 {} +
	mkdir -p "$O"
	touch "$O/.prepared"
fi

HOST_CFLAGS="-O -fcommon -std=gnu89 -Wno-error -Wno-implicit-function-declaration -Wno-implicit-int -Wno-int-conversion -Wno-incompatible-pointer-types"
HOST_CXXFLAGS="-O -std=gnu++98 -fpermissive -Wno-error -Wno-narrowing"
CFLAGS=$HOST_CFLAGS
CXXFLAGS=$HOST_CXXFLAGS
export HOST_CFLAGS HOST_CXXFLAGS CFLAGS CXXFLAGS

cd "$TREE"
step() {	# step NAME COMMAND...: run it, its output into obj/NAME.log; done once
	log=$O/$(echo "$1" | tr / _).log
	shift
	[ -f "$log.done" ] && return 0
	start=$(date +%s)
	if "$@" >"$log" 2>&1; then
		touch "$log.done"
		echo "$log: $(($(date +%s) - start)) s"
	else
		echo "failed: $*; the end of $log:" >&2
		tail -n 30 "$log" >&2
		exit 1
	fi
}
B="./build.sh -U -u -m amd64 -j$JOBS -O $O -T $TD"
step tools $B tools
step kernel $B kernel=GENERIC
MK=$TD/bin/nbmake-amd64
sub() {	# sub DIR MAKEVARS...: obj, dependall and install one directory with the tree's make
	d=$1
	shift
	(cd "$d" && $MK -j"$JOBS" obj && $MK -j"$JOBS" "$@" dependall && $MK "$@" install)
}
stand() {	# the boot blocks are built, not installed: the image takes them from obj
	(cd "$1" && $MK -j"$JOBS" obj && $MK -j"$JOBS" dependall)
}
step bootxx stand sys/arch/i386/stand/bootxx
step boot stand sys/arch/i386/stand/boot
step distrib-dirs $MK do-distrib-dirs
# MKSHARED: lib/lua/Makefile tests it, and nothing in this tree's share/mk defines it
step includes $MK -j"$JOBS" MKSHARED=no includes
for d in lib/csu external/gpl3/gcc/lib/libgcc lib/libc lib/libpthread lib/libm libexec/ld.elf_so \
	external/bsd/flex/lib lib/libutil lib/libterminfo lib/libedit lib/libprop; do
	step "$d" sub "$d" NOMAN=1
done
for d in bin/sh sbin/reboot sbin/mount_tmpfs; do
	step "$d" sub "$d" LDSTATIC=-static NOMAN=1
done
echo "built: $O/destdir.amd64 (sysroot), $TD/bin (tools), $O/sys/arch/amd64/compile/GENERIC/netbsd"
