#!/bin/bash
# make plan9port and make plan9port-undo (tools/plan9port.sh) on a small plan9port the test
# makes itself: lib/lib9.a with plan9port's member layout (sendfd.o: sendfd and recvfd; pipe.o:
# p9pipe; one more), built from stand-ins that fail with -2; a 9l that, like plan9port's, puts
# -l9 after the caller's arguments; a mk that builds each src/cmd/**/NAME.c into o.NAME; bin/
# holding two programs that pass descriptors, one that does not, and a script. The real
# plan9port run is in the notes of issue 19. Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-target/release}
CC=${CC:-cc}
# shellcheck source=c-tests/check.sh
. c-tests/check.sh
sw=$PWD/tools/plan9port.sh
obj=$PWD/$BUILD/p9fd.o
tmp=$(mktemp -d "${TMPDIR:-/tmp}/p9fd-p9p.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
P=$tmp/plan9
out=$tmp/out

mkdir -p $P/bin $P/lib $P/include $P/src/lib9 $P/src/cmd/sub $P/src/cmd/other
touch $P/include/libc.h $P/src/cmd/mkfile
cat >$P/src/lib9/sendfd.c <<'EOF'
int sendfd(int s, int fd) { (void)s; (void)fd; return -2; }
int recvfd(int s) { (void)s; return -2; }
EOF
cat >$P/src/lib9/pipe.c <<'EOF'
int p9pipe(int fd[2]) { (void)fd; return -2; }
EOF
cat >$P/src/lib9/nap.c <<'EOF'
int lib9nap(void) { return 0; }
EOF
cat >$P/bin/9l <<'EOF'
#!/bin/sh
exec ${CC:-cc} -L"$PLAN9/lib" "$@" -l9
EOF
# mk clean | mk [-k] all; FAKE_MK=fail fails, FAKE_MK=hang waits to be killed
cat >$P/bin/mk <<'EOF'
#!/bin/sh
case "$*" in
clean)	find . -name 'o.*' -exec rm -f {} + ;;
*all)	case "${FAKE_MK:-}" in
	fail)	echo "mk: simulated failure"; exit 1 ;;
	hang)	echo $$ >"$FAKE_MK_PID"; sleep 60; exit 1 ;;
	esac
	for c in $(find . -name '*.c'); do
		n=$(basename "$c" .c)
		(cd "$(dirname "$c")" && 9l -o "o.$n" "$n.c") || exit 1
	done ;;
*)	echo "mk: $*: not in this fake"; exit 1 ;;
esac
EOF
chmod +x $P/bin/9l $P/bin/mk
# passers: p9pipe, then sendfd and recvfd over it; exits 0 only with p9fd's code
passer='#include <unistd.h>
int sendfd(int, int); int recvfd(int); int p9pipe(int*);
int main(void){ int p[2], fd; if(p9pipe(p) < 0 || sendfd(p[0], 1) < 0 || (fd = recvfd(p[1])) < 0) return 1; close(fd); return 0; }'
echo "$passer" >$P/src/cmd/passer.c
echo "#include <sys/socket.h>
$passer" | sed 's/p9pipe(p) < 0/socketpair(AF_UNIX, SOCK_STREAM, 0, p) < 0/' >$P/src/cmd/sub/sender.c
echo 'int lib9nap(void); int main(void){ return lib9nap(); }' >$P/src/cmd/other/plain.c
printf '#!/bin/sh\necho a script\n' >$P/bin/ascript
chmod +x $P/bin/ascript
stock() {	# build the stock tree: lib9.a, then bin/ with mk and 9l
	(cd $P/src/lib9 && for f in *.c; do $CC -c -o "${f%.c}.o" "$f" || exit 1; done &&
		ar rcs ../../lib/lib9.a sendfd.o pipe.o nap.o && rm -f ./*.o) &&
	(cd $P/src/cmd && PLAN9=$P PATH=$P/bin:$PATH mk all) &&
	for o in $(find $P/src/cmd -name 'o.*'); do cp "$o" "$P/bin/${o##*/o.}"; done &&
	(cd $P/src/cmd && PLAN9=$P PATH=$P/bin:$PATH mk clean)
}
check "the test's stock tree builds" stock
cp -a $P $tmp/pristine

same() {	# the tree is byte for byte the stock one, nothing added, nothing left over
	diff -r $tmp/pristine $P
}
has() {	# has FILE lib9|p9fd: which sendfd FILE defines
	local d
	d=$(nm --defined-only "$1" | awk '$2 == "T" { print $3 }')
	case $2 in
	p9fd) grep -qx sendfd <<<"$d" && grep -qx sendfdmsg <<<"$d" ;;
	lib9) grep -qx sendfd <<<"$d" && ! grep -qx sendfdmsg <<<"$d" ;;
	esac || { echo "$1: not $2's sendfd"; nm "$1" | grep -E 'sendfd|p9pipe'; return 1; }
}
# fails WANT_MESSAGE COMMAND...: exits non-zero, says WANT_MESSAGE
fails() {
	local want=$1
	shift
	"$@" >$out 2>&1 && { echo "succeeded: $*"; cat $out; return 1; }
	grep -q "$want" $out || { echo "no \"$want\" in:"; cat $out; return 1; }
}
stock_runs() {	# the stock stand-ins fail: the programs say so
	has $P/bin/passer lib9 && has $P/bin/sender lib9 && ! $P/bin/passer && ! $P/bin/sender
}
check "stock programs have lib9's code (and fail with the stand-ins)" stock_runs

check "make plan9port without PLAN9: usage" fails "usage: make plan9port PLAN9=" \
	env -u PLAN9 make -s plan9port
check "switch without arguments: usage" fails "usage:" $sw switch
check "unknown verb: usage" fails "usage:" $sw swap $P
check "missing directory refused" fails "no such directory" $sw switch $tmp/nowhere "$obj"
mkdir $tmp/empty
not_p9p() {
	fails "is not a built plan9port: it has no lib/lib9.a" $sw switch $tmp/empty "$obj" &&
	fails "is not a built plan9port" $sw undo $tmp/empty &&
	[ -z "$(ls -A $tmp/empty)" ]
}
check "a directory that is not plan9port refused, nothing written" not_p9p
check "an object that is not p9fd's refused, tree unchanged" \
	eval "fails 'not p9fd.s object' $sw switch $P $P/bin/9l && same"

check "make plan9port PLAN9=..." make -s plan9port PLAN9=$P
switched() {
	local m
	m=$(ar t $P/lib/lib9.a | tr '\n' ' ')
	[ "$m" = "sendfd.o nap.o " ] || { echo "lib9.a members: $m"; return 1; }
	has $P/lib/lib9.a p9fd && has $P/bin/passer p9fd && has $P/bin/sender p9fd &&
	cmp $tmp/pristine/bin/plain $P/bin/plain && cmp $tmp/pristine/bin/ascript $P/bin/ascript &&
	{ $P/bin/passer || { echo "bin/passer failed"; return 1; }; } &&
	{ $P/bin/sender || { echo "bin/sender failed"; return 1; }; } &&
	m=$(find $P/src -name 'o.*') && { [ -z "$m" ] || { echo "left: $m"; return 1; }; }
}
check "switched: lib9.a's sendfd.o is p9fd's, pipe.o gone; passers relinked and run; the rest untouched" switched
later() {	# a program built afterwards with 9l gets p9fd's code
	(cd $tmp && PLAN9=$P $P/bin/9l -o later $P/src/cmd/passer.c) && has $tmp/later p9fd && $tmp/later
}
check "a program linked later with 9l gets p9fd" later
cp -a $P $tmp/switched
again() {
	$sw switch $P "$obj" >$out 2>&1 && grep -q "already switched" $out && diff -r $tmp/switched $P
}
check "switch again: nothing to do, nothing changed" again
check "make plan9port-undo PLAN9=..." make -s plan9port-undo PLAN9=$P
check "undo restores the stock tree byte for byte" same
undo_again() {
	$sw undo $P >$out 2>&1 && grep -q "not switched" $out && same
}
check "undo again: nothing to do" undo_again

mk_fails() {
	FAKE_MK=fail $sw switch $P "$obj" >$out 2>&1 && { cat $out; return 1; }
	grep -q "restored as it was" $out && same
}
check "mk failing midway (lib9.a already replaced): tree restored" mk_fails
ambiguous() {	# two o.sender: the script cannot tell which to install, after lib9.a changed
	cp $P/src/cmd/sub/sender.c $P/src/cmd/other/sender.c &&
	fails "want one o.sender under src/cmd, found 2" $sw switch $P "$obj" &&
	rm $P/src/cmd/other/sender.c && same
}
check "two candidate builds for one program: refused, tree restored" ambiguous
interrupted() {	# SIGTERM while mk runs
	local pid
	rm -f $tmp/mk.pid
	FAKE_MK=hang FAKE_MK_PID=$tmp/mk.pid $sw switch $P "$obj" >$out 2>&1 &
	pid=$!
	for _ in $(seq 100); do [ -s $tmp/mk.pid ] && break; sleep 0.1; done
	kill -TERM $pid
	wait $pid && return 1
	kill -0 "$(cat $tmp/mk.pid)" 2>/dev/null && { echo "mk still running"; return 1; }
	rm -f $tmp/mk.pid
	same
}
check "SIGTERM during the rebuild: mk stopped, tree restored" interrupted
killed() {	# SIGKILL: nothing can run; the next run rolls back what was left
	local pid
	rm -f $tmp/mk.pid
	FAKE_MK=hang FAKE_MK_PID=$tmp/mk.pid $sw switch $P "$obj" >$out 2>&1 &
	pid=$!
	for _ in $(seq 100); do [ -s $tmp/mk.pid ] && break; sleep 0.1; done
	kill -KILL $pid
	wait $pid
	kill -TERM "$(cat $tmp/mk.pid)"
	rm -f $tmp/mk.pid
	[ -d $P/lib/p9fd.new ] && ! cmp -s $P/lib/lib9.a $tmp/pristine/lib/lib9.a || {
		echo "expected a half-done switch to recover from"; return 1; }
	$sw undo $P >$out 2>&1 && grep -q "interrupted; rolling it back" $out && same
}
check "SIGKILL during the rebuild: the next run rolls back" killed

one_rebuilt() {	# a program rebuilt while switched: still switched; undo leaves that one
	$sw switch $P "$obj" >$out 2>&1 || { cat $out; return 1; }
	# -O2: other bytes than the switch wrote
	(cd $P/src/cmd && PLAN9=$P PATH=$P/bin:$PATH 9l -O2 -o $P/bin/passer passer.c) || return 1
	$sw switch $P "$obj" >$out 2>&1 && grep -q "already switched" $out || { cat $out; return 1; }
	$sw undo $P >$out 2>&1 && grep -q "2 files restored, 1 changed since and left" $out ||
		{ cat $out; return 1; }
	has $P/bin/passer p9fd && cp -p $tmp/pristine/bin/passer $P/bin/passer && same
}
check "a program rebuilt while switched: switch a no-op, undo leaves it, restores the rest" one_rebuilt

rebuilt() {	# ./INSTALL after the switch rebuilds stock lib9.a and programs: undo leaves them
	$sw switch $P "$obj" >/dev/null && rm -rf $tmp/again && cp -a $tmp/pristine $tmp/again &&
	cp -a $P/lib/p9fd $tmp/again/lib/ && rm -rf $P && mv $tmp/again $P &&
	$sw undo $P >$out 2>&1 && grep -q "0 files restored, 3 changed since and left" $out &&
	grep -q "nothing to restore" $out && same
}
check "after a rebuild of plan9port, undo forgets the switch and leaves the new files" rebuilt

summary
