#!/bin/sh
# make check-netbsd-vm: p9fd's C suite on a booted NetBSD kernel (6.99.16, 2012), under qemu's
# software emulation. Builds the C libraries for x86_64-unknown-netbsd, links every c-tests
# and c-tests/apue program with the tree's own cross compiler against its own sysroot (static
# and shared, as make check-ports bundles them), makes an FFS disk image holding that tree's
# kernel, a minimal userland and the programs, boots it, and reads the serial console: each
# program's verdict, then "N passed, N failed". Nothing is fetched.
#
#	tools/netbsd-vm/check.sh TREE
#
# TREE: a NetBSD source tree built by tools/netbsd-vm/build-tree.sh (obj/destdir.amd64, the
# sysroot with the 2012 libc.so.12; obj/tools, the cross tools; the kernel and boot blocks).
# Without it, or without qemu or Debian's Rust, it says what is missing and how to get it,
# prints "skip: ..." and exits 0 having run nothing (never a "passed" line).
# Environment: NETBSD_OBJ (TREE/obj), NETBSD_TOOLS (NETBSD_OBJ/tools), QEMU
# (qemu-system-x86_64), OUT (target/netbsd-vm), LIMIT (seconds per program in the guest, 600),
# VM_TIMEOUT (seconds for the whole boot, 3600), TESTS (the programs to run, by name, from
# c-tests and c-tests/apue; all by default), P9FD_SOAK (stress's passes, 100000: a tenth
# of the default, as make check-ports gives emulated targets).
set -u
cd "$(dirname "$0")/../.."
TREE=${1:-}
OBJ=${NETBSD_OBJ:-${TREE:+$TREE/obj}}
TOOLS=${NETBSD_TOOLS:-${OBJ:+$OBJ/tools}}
QEMU=${QEMU:-qemu-system-x86_64}
OUT=${OUT:-target/netbsd-vm}
LIMIT=${LIMIT:-600}
VM_TIMEOUT=${VM_TIMEOUT:-3600}
P9FD_SOAK=${P9FD_SOAK:-100000}
TESTS=$(echo ${TESTS:-})
T=x86_64-unknown-netbsd

skip() {
	echo "skip: check-netbsd-vm: $1"
	shift
	for l in "$@"; do
		echo "	$l"
	done
	exit 0
}
HOWTO="to build one (about 6 minutes on 2 cores, 2 GB): bring github:fallen/NetBSD6 (a NetBSD
	6.99.16 snapshot), export it (git archive HEAD | tar -x -C TREE), run
	tools/netbsd-vm/build-tree.sh TREE, then make check-netbsd-vm NETBSD_TREE=TREE"
[ -n "$TREE" ] || skip "no NetBSD tree given (NETBSD_TREE)" "$HOWTO"
D=$OBJ/destdir.amd64
KERNEL=$OBJ/sys/arch/amd64/compile/GENERIC/netbsd
BOOT=$OBJ/sys/arch/i386/stand/boot/biosboot/boot
BOOTXX=$OBJ/sys/arch/i386/stand/bootxx/bootxx_ffsv1/bootxx_ffsv1
missing=
for f in "$D/lib/libc.so.12" "$D/libexec/ld.elf_so" "$D/bin/sh" "$D/sbin/mount_tmpfs" \
	"$D/sbin/poweroff" "$TOOLS/bin/x86_64--netbsd-gcc" "$TOOLS/bin/x86_64--netbsd-ar" \
	"$TOOLS/bin/nbmakefs" "$TOOLS/bin/nbdisklabel-amd64" "$TOOLS/bin/nbinstallboot" \
	"$KERNEL" "$BOOT" "$BOOTXX" "$TREE/etc/master.passwd"; do
	[ -e "$f" ] || missing="$missing $f"
done
[ -z "$missing" ] || skip "$TREE is not a built tree: missing$missing" "$HOWTO"
command -v "$QEMU" >/dev/null 2>&1 ||
	skip "no $QEMU" "Debian's qemu-system-x86 has it: apt-get install qemu-system-x86"
for f in /usr/bin/cargo /usr/bin/rustc /usr/lib/rustlib/src/rust; do
	[ -e "$f" ] || skip "no $f (Debian's Rust, whose library sources -Zbuild-std needs)" \
		"apt-get install rustc-web cargo-web rust-web-src"
done

rm -rf "$OUT/bundle" "$OUT/root" "$OUT"/console-*
mkdir -p "$OUT/bundle" "$OUT/stubs" || exit 1
OUT=$(cd "$OUT" && pwd)
B=$OUT/bundle
CC=$OUT/cc
# The tree's own gcc (4.5.4) and binutils (2.21.1), with its sysroot.
printf '#!/bin/sh\nexec "%s" --sysroot="%s" "$@"\n' "$TOOLS/bin/x86_64--netbsd-gcc" "$D" >"$CC"
chmod +x "$CC"
fail() {
	echo "check-netbsd-vm: $1"
	[ $# -lt 2 ] || tail -n 30 "$2"
	echo "0 passed, 1 failed"
	exit 1
}

# The libc crate names, for std's sake, libraries this 2012 sysroot may lack (libexecinfo
# came with NetBSD 7). p9fd's object calls only libc (socketpair, sendmsg, recvmsg,
# getsockopt, close, __errno, memcpy, memset): an empty stand-in satisfies -l, and rustc's
# --as-needed leaves it out of what the shared library records (checked below).
echo 'int p9fd_stub_;' >"$OUT/stubs/empty.c"
for l in util m rt pthread execinfo; do
	[ -e "$D/usr/lib/lib$l.so" ] || [ -e "$D/lib/lib$l.so" ] ||
		"$CC" -shared -o "$OUT/stubs/lib$l.so" "$OUT/stubs/empty.c" ||
		fail "cannot make a stand-in lib$l.so"
done
stubs=$(cd "$OUT/stubs" && ls lib*.so 2>/dev/null | tr '\n' ' ')

# The C libraries, by the project's Makefile (make lib), as make check-ports builds them.
clib() {	# clib FEATURES DIR
	env PATH="/usr/bin:$PATH" RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1 \
		CARGO_TARGET_X86_64_UNKNOWN_NETBSD_LINKER="$CC" \
		RUSTFLAGS="-L native=$OUT/stubs" CARGO_PROFILE_RELEASE_STRIP=false \
		"${MAKE:-make}" --no-print-directory lib TARGET=$T UNAME=NetBSD CC="$CC" \
		CARGO=/usr/bin/cargo CARGOFLAGS=-Zbuild-std=core CARGO_TARGET_DIR="$OUT/$2" \
		FEATURES="$1" AR="$TOOLS/bin/x86_64--netbsd-ar" >"$OUT/$2.log" 2>&1 ||
		fail "make lib FEATURES=$1 for $T failed; the end of $OUT/$2.log:" "$OUT/$2.log"
	mkdir -p "$B/lib${1:+-$1}"
	r=$OUT/$2/$T/release
	cp "$r/libp9fd.a" "$r/libp9fd.so" "$B/lib${1:+-$1}/" || exit 1
	so=$(sed -n 's/^version = "\([0-9]*\)\..*/libp9fd.so.\1/p' Cargo.toml | head -n 1)
	cp "$r/libp9fd.so" "$B/lib${1:+-$1}/$so" || exit 1
	for s in $stubs; do
		s=${s%.so}
		"$TOOLS/bin/x86_64--netbsd-readelf" -d "$r/libp9fd.so" | grep "NEEDED.*\[$s\." &&
			fail "libp9fd.so records the stand-in $s"
	done
}
echo "check-netbsd-vm: the C libraries for $T (make lib, -Zbuild-std=core)"
clib "" lib
clib apue apue

# Every program twice, as make check-ports links them: with libp9fd.a (which needs only libc;
# rustc's native-static-libs list names the libc crate's libraries, some absent here) and with
# the shared library, found through $ORIGIN. -pthread: hostile and stress start threads, and
# NetBSD's pthread_create is in libpthread, not libc.
: >"$OUT/cc.log"
suite() {	# suite SRC LIBDIR PREFIX EXTRA-CFLAGS
	mkdir -p "$B/bin/${3}static" "$B/bin/${3}shared"
	for f in "$1"/*.c; do
		n=$(basename "$f" .c)
		case " $TESTS " in "  ") ;; *" $n "*) ;; *) continue ;; esac
		"$CC" -std=c99 -Wall -Wextra -Werror -g -O1 $4 -Iinclude -o "$B/bin/${3}static/$n" \
			"$f" "$B/$2/libp9fd.a" -lc -pthread >>"$OUT/cc.log" 2>&1 ||
			fail "$n (static) does not build; the end of $OUT/cc.log:" "$OUT/cc.log"
		"$CC" -std=c99 -Wall -Wextra -Werror -g -O1 $4 -Iinclude -o "$B/bin/${3}shared/$n" \
			"$f" -L"$B/$2" -Wl,-rpath,'$ORIGIN/../../'"$2" -lp9fd -pthread >>"$OUT/cc.log" 2>&1 ||
			fail "$n (shared) does not build; the end of $OUT/cc.log:" "$OUT/cc.log"
	done
}
echo "check-netbsd-vm: the C suite, linked against $D"
suite c-tests lib "" ""
suite c-tests/apue lib-apue apue- -DP9FD_APUE
"$CC" -std=c99 -Wall -Wextra -Werror -O1 -o "$B/limit" tools/netbsd-vm/limit.c >>"$OUT/cc.log" 2>&1 ||
	fail "tools/netbsd-vm/limit.c does not build" "$OUT/cc.log"
cp tools/netbsd-vm/run.sh "$B/run" && chmod +x "$B/run" || exit 1

# The image: the boot blocks, the kernel, sh, ld.elf_so and the shared libraries the
# programs need, mount_tmpfs and poweroff, /bundle; /sbin/init is a script that runs the
# bundle from its FROM'th program and powers off.
R=$OUT/root
mkdir -p "$R/bin" "$R/sbin" "$R/lib" "$R/libexec" "$R/usr/lib" "$R/usr/libexec" "$R/dev" \
	"$R/tmp" "$R/bundle" || exit 1
cp "$BOOT" "$R/boot" && cp "$KERNEL" "$R/netbsd" && cp "$D/bin/sh" "$R/bin/sh" &&
	cp "$D/sbin/mount_tmpfs" "$D/sbin/poweroff" "$R/sbin/" &&
	cp "$D/libexec/ld.elf_so" "$R/libexec/" && ln -s /libexec/ld.elf_so "$R/usr/libexec/ld.elf_so" ||
	exit 1
for l in lib/libc.so.12 lib/libm.so.0 lib/libgcc_s.so.1 usr/lib/libpthread.so.1; do
	[ -e "$D/$l" ] || continue
	cp -L "$D/$l" "$R/$l" || exit 1
	case $l in lib/*) ln -s "/$l" "$R/usr/$l" ;; esac
done
cp -R "$B/." "$R/bundle/" || exit 1
# the device nodes (NetBSD's major numbers on amd64: cons 0, mem 2; null is minor 2); /tmp
# open to all, as the tmpfs mounted on it then is (a test's child drops to uid 65534)
cat >"$OUT/spec" <<EOF
/set type=dir uname=root gname=wheel mode=0755
.
./dev
./dev/console type=char mode=0600 device=netbsd,0,0
./dev/null type=char mode=0666 device=netbsd,2,2
..
./tmp type=dir mode=01777
EOF
# 64 MiB: one FFS partition over the whole disk (a), d the raw disk; the kernel finds its
# root on wd0a
sectors=131072
cat >"$OUT/label" <<EOF
type: ESDI
disk: p9fd
label: p9fd
bytes/sector: 512
sectors/track: 32
tracks/cylinder: 64
sectors/cylinder: 2048
cylinders: $((sectors / 2048))
total sectors: $sectors
rpm: 3600
interleave: 1

4 partitions:
 a: $sectors 0 4.2BSD 1024 8192 16
 d: $sectors 0 unused 0 0
EOF
IMG=$OUT/disk.img
image() {	# image FROM
	cat >"$R/sbin/init" <<EOF
#!/bin/sh
exec </dev/console >/dev/console 2>&1
PATH=/bin:/sbin
export PATH
echo "init: NetBSD userland reached"
/sbin/mount_tmpfs tmpfs /tmp
FROM=$1 LIMIT=$LIMIT P9FD_SOAK=$P9FD_SOAK /bin/sh /bundle/run
echo "init: bundle finished, powering off"
/sbin/poweroff -lq
EOF
	chmod 755 "$R/sbin/init"
	rm -f "$IMG"
	{
		"$TOOLS/bin/nbmakefs" -t ffs -B le -o version=1 -s $((sectors * 512)) -N "$TREE/etc" \
			-F "$OUT/spec" "$IMG" "$R" &&
		"$TOOLS/bin/nbdisklabel-amd64" -R -F "$IMG" "$OUT/label" &&
		"$TOOLS/bin/nbinstallboot" -m amd64 -o console=com0,speed=115200,timeout=0 "$IMG" "$BOOTXX"
	} >"$OUT/image.log" 2>&1 || fail "the image could not be made" "$OUT/image.log"
}

# Boot, under TCG (KVM cannot run it here), the serial console into LOG; the guest powers
# itself off. A kernel that panics stops in its debugger (ddb's prompt, "db{0}>"): qemu is
# stopped, that program counted failed, and the guest booted again from the next one. A boot
# that outlives VM_TIMEOUT is stopped: a failure.
boot() {	# boot LOG
	rm -f "$1"
	"$QEMU" -m 512 -display none -monitor none -serial "file:$1" -no-reboot -net none \
		-drive "file=$IMG,format=raw,if=ide" &
	qemu=$!
	waited=0
	while kill -0 $qemu 2>/dev/null; do
		if [ $waited -ge "$VM_TIMEOUT" ]; then
			kill $qemu
			echo "check-netbsd-vm: the guest ran past $VM_TIMEOUT s; stopped"
			break
		fi
		if grep -q 'db{[0-9]*}> ' "$1" 2>/dev/null; then
			sleep 2
			kill $qemu
			break
		fi
		sleep 2
		waited=$((waited + 2))
	done
	wait $qemu
}
echo "check-netbsd-vm: booting $KERNEL under $QEMU (TCG)"
from=1
n=0
: >"$OUT/verdicts"
while :; do
	n=$((n + 1))
	LOG=$OUT/console-$n.log
	image $from
	boot "$LOG"
	tr -d '\r' <"$LOG" >"$LOG.txt"
	[ $n -gt 1 ] || grep -E '^NetBSD [0-9]' "$LOG.txt" | head -n 1
	grep -E '^(ok|FAIL|skip) |^skip: ' "$LOG.txt" | tee -a "$OUT/verdicts"
	grep -qE '^[0-9]+ passed, [0-9]+ failed$' "$LOG.txt" && break
	last=$(grep '^=== [0-9]* ' "$LOG.txt" | tail -n 1)
	if [ -z "$last" ] || ! grep -q '^panic: ' "$LOG.txt"; then
		echo "check-netbsd-vm: the guest did not finish the bundle (boot $n); the end of $LOG.txt:"
		tail -n 30 "$LOG.txt"
		echo "FAIL the rest of the bundle (the guest stopped)" >>"$OUT/verdicts"
		break
	fi
	k=$(echo "$last" | cut -d' ' -f2)
	echo "FAIL $(echo "$last" | cut -d' ' -f3) (the kernel panicked: $(sed -n '/^panic: /{s///p;q;}' "$LOG.txt"))" |
		tee -a "$OUT/verdicts"
	from=$((k + 1))
done
pass=$(grep -c '^ok ' "$OUT/verdicts")
failed=$(grep -c '^FAIL ' "$OUT/verdicts")
skipped=$(grep -c '^skip ' "$OUT/verdicts")
[ "$skipped" -eq 0 ] || echo "($skipped programs skipped: each case printed why)"
echo "check-netbsd-vm: $n boot(s); consoles in $OUT/console-*.log"
echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
