#!/bin/sh
# make plan9port and make plan9port-undo (tools/plan9port.sh) on a small plan9port the test
# makes itself: lib/lib9.a with plan9port's member layout (sendfd.o: sendfd and recvfd; pipe.o:
# p9pipe; one more), built from stand-ins that fail with -2; a 9l that, like plan9port's, puts
# -l9 after the caller's arguments; a mk that builds each src/cmd/**/NAME.c into o.NAME; bin/
# holding two programs that pass descriptors, one that does not, and a script. The real
# plan9port run is in the notes of issue 19. Ends with "N passed, N failed".
#
# POSIX sh. Environment: BUILD (where make put p9fd.o), CC (the tree's compiler, used by its
# 9l), MAKE, NM and AR (the tool flavour), MAKEARGS (more arguments for make plan9port, such as
# a TARGET), and NORUN (set: the tree's programs are for another system, e.g. Mach-O built
# with zig cc here; everything is checked but running them, and that is said as a skip).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-target/release}
CC=${CC:-cc}
MAKE=${MAKE:-make}
MAKEARGS=${MAKEARGS:-}
NORUN=${NORUN:-}
export CC
# shellcheck source=c-tests/check.sh
. c-tests/check.sh
# shellcheck source=tools/portable.sh
. tools/portable.sh
export NM AR
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
		"$AR" rcs ../../lib/lib9.a sendfd.o pipe.o nap.o && rm -f ./*.o) &&
	(cd $P/src/cmd && PLAN9=$P PATH=$P/bin:$PATH mk all) &&
	for o in $(find $P/src/cmd -name 'o.*'); do cp "$o" "$P/bin/${o##*/o.}"; done &&
	(cd $P/src/cmd && PLAN9=$P PATH=$P/bin:$PATH mk clean)
}
check "the test's stock tree builds" stock
cp -pR $P $tmp/pristine

same() {	# the tree is byte for byte the stock one, nothing added, nothing left over
	diff -r $tmp/pristine $P
}
has() {	# has FILE lib9|p9fd: which sendfd FILE defines
	local d
	d=$(texts "$1" | awk '{ print $2 }')
	case $2 in
	p9fd) printf '%s\n' "$d" | grep -qx sendfd && p9fdcode "$1" ;;
	lib9) printf '%s\n' "$d" | grep -qx sendfd && ! p9fdcode "$1" ;;
	esac || { echo "$1: not $2's sendfd: defines" $d; return 1; }
}
# runs PROGRAM...: each program runs and exits 0; with NORUN, not run (another system's)
runs() {
	local p
	for p in "$@"; do "$p" || { echo "$p failed"; return 1; }; done
}
# runcheck NAME PROGRAM...: check NAME runs, or says why not
runcheck() {
	local name=$1
	shift
	if [ -n "$NORUN" ]; then echo "skip	$name: $NORUN"; else check "$name" runs "$@"; fi
}
# fails WANT_MESSAGE COMMAND...: exits non-zero, says WANT_MESSAGE
fails() {
	local want=$1
	shift
	"$@" >$out 2>&1 && { echo "succeeded: $*"; cat $out; return 1; }
	grep -q "$want" $out || { echo "no \"$want\" in:"; cat $out; return 1; }
}
check "stock programs have lib9's code" eval "has $P/bin/passer lib9 && has $P/bin/sender lib9"
stock_fail() {	# the stock stand-ins fail: the programs say so
	! $P/bin/passer && ! $P/bin/sender
}
if [ -n "$NORUN" ]; then echo "skip	stock programs fail with the stand-ins: $NORUN"; else
	check "stock programs fail with the stand-ins" stock_fail; fi

noplan9() {
	(unset PLAN9; $MAKE -s plan9port)
}
check "make plan9port without PLAN9: usage" fails "usage: make plan9port PLAN9=" noplan9
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

# shellcheck disable=SC2086
check "make plan9port PLAN9=..." $MAKE -s plan9port PLAN9=$P $MAKEARGS
switched() {
	local m
	m=$("$AR" t $P/lib/lib9.a | grep -v '^__\.SYMDEF' | tr '\n' ' ')
	[ "$m" = "sendfd.o nap.o " ] || { echo "lib9.a members: $m"; return 1; }
	has $P/lib/lib9.a p9fd && has $P/bin/passer p9fd && has $P/bin/sender p9fd &&
	# relinked whole (no dead stripping): nm shows p9fd's sendfdmsg
	texts $P/bin/passer | grep -q ' sendfdmsg$' &&
	cmp $tmp/pristine/bin/plain $P/bin/plain && cmp $tmp/pristine/bin/ascript $P/bin/ascript &&
	m=$(find $P/src -name 'o.*') && { [ -z "$m" ] || { echo "left: $m"; return 1; }; }
}
check "switched: lib9.a's sendfd.o is p9fd's, pipe.o gone; passers relinked with p9fd's code; the rest untouched" switched
runcheck "switched: the relinked passers run" $P/bin/passer $P/bin/sender
later() {	# a program built afterwards with 9l gets p9fd's code
	(cd $tmp && PLAN9=$P $P/bin/9l -o later $P/src/cmd/passer.c) && has $tmp/later p9fd
}
check "a program linked later with 9l gets p9fd's code" later
runcheck "the program linked later runs" $tmp/later
cp -pR $P $tmp/switched
again() {
	$sw switch $P "$obj" >$out 2>&1 && grep -q "already switched" $out && diff -r $tmp/switched $P
}
check "switch again: nothing to do, nothing changed" again
# shellcheck disable=SC2086
check "make plan9port-undo PLAN9=..." $MAKE -s plan9port-undo PLAN9=$P $MAKEARGS
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
waitpid() {	# until the hanging mk wrote its pid (10 s at most)
	local i=0
	while [ $i -lt 100 ] && [ ! -s $tmp/mk.pid ]; do sleep 0.1; i=$((i + 1)); done
}
interrupted() {	# SIGTERM while mk runs
	local pid
	rm -f $tmp/mk.pid
	FAKE_MK=hang FAKE_MK_PID=$tmp/mk.pid $sw switch $P "$obj" >$out 2>&1 &
	pid=$!
	waitpid
	kill -TERM $pid
	wait $pid && return 1
	alive "$(cat $tmp/mk.pid)" && { echo "mk still running"; return 1; }
	rm -f $tmp/mk.pid
	same
}
check "SIGTERM during the rebuild: mk stopped, tree restored" interrupted
killed() {	# SIGKILL: nothing can run; the next run rolls back what was left
	local pid
	rm -f $tmp/mk.pid
	FAKE_MK=hang FAKE_MK_PID=$tmp/mk.pid $sw switch $P "$obj" >$out 2>&1 &
	pid=$!
	waitpid
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
	$sw switch $P "$obj" >/dev/null && rm -rf $tmp/again && cp -pR $tmp/pristine $tmp/again &&
	cp -pR $P/lib/p9fd $tmp/again/lib/ && rm -rf $P && mv $tmp/again $P &&
	$sw undo $P >$out 2>&1 && grep -q "0 files restored, 3 changed since and left" $out &&
	grep -q "nothing to restore" $out && same
}
check "after a rebuild of plan9port, undo forgets the switch and leaves the new files" rebuilt

summary
