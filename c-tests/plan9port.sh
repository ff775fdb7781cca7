#!/bin/sh
# make plan9port, make plan9port-undo, make plan9port-dryrun and make plan9port-status
# (tools/plan9port.sh) on a small plan9port the test makes itself (no network, so CI runs it
# as it is): lib/lib9.a with plan9port's member layout (sendfd.o: sendfd and recvfd; pipe.o:
# p9pipe; one more), built from stand-ins that fail with -2; a 9l that, like plan9port's, puts
# -l9 after the caller's arguments; a mk that builds each src/cmd/**/NAME.c into o.NAME; bin/
# holding two programs that pass descriptors, one that does not, and a script. The dry run and
# the status must write nothing (not a byte, no file or directory modified), the dry run must
# list exactly the files the switch then changes, and the status must name each state the
# switch, the undo and their failures can leave. The real plan9port run is in the notes of
# issue 19. Ends with "N passed, N failed".
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
# changed: the files under $P that differ from the stock tree's, or that only one of them has,
# but the switch's record (lib/p9fd/): one a line, sorted
changed() {
	{ (cd $tmp/pristine && find . -type f) && (cd $P && find . -type f); } | sed 's|^\./||' |
		grep -v '^lib/p9fd/' | sort -u | while read -r f; do
		cmp -s "$tmp/pristine/$f" "$P/$f" || echo "$f"
	done
}
# listed FILE: the files a dry run's or a status's report in FILE names ("<tab>FILE<tab>..."),
# sorted
listed() {
	awk 'BEGIN { FS = "\t" } /^\t/ { print $2 }' "$1" | sort
}
# nowrite WANT_STATUS COMMAND...: COMMAND exits WANT_STATUS and writes nothing in $P: not a
# byte (diff -r against a copy taken just before) and no file or directory modified (find
# -newer a stamp made just before). Its output is in $out.
nowrite() {
	local want=$1 got
	shift
	rm -rf $tmp/before && cp -pR $P $tmp/before && touch $tmp/stamp || return 1
	"$@" >$out 2>&1
	got=$?
	[ $got -eq "$want" ] || { echo "exit $got, not $want: $*"; cat $out; return 1; }
	diff -r $tmp/before $P || return 1
	[ -z "$(find $P -newer $tmp/stamp)" ] || { echo "modified:"; find $P -newer $tmp/stamp; return 1; }
}
# says TEXT...: the output in $out has each TEXT (a grep pattern)
says() {
	local t
	for t in "$@"; do grep -q -- "$t" $out || { echo "no \"$t\" in:"; cat $out; return 1; }; done
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
noplan9_preview() {
	(unset PLAN9; $MAKE -s plan9port-dryrun) >$out 2>&1 && return 1
	grep -q "usage: make plan9port PLAN9=" $out || { cat $out; return 1; }
	(unset PLAN9; $MAKE -s plan9port-status) >$out 2>&1 && return 1
	grep -q "usage: make plan9port PLAN9=" $out || { cat $out; return 1; }
}
check "make plan9port-dryrun and plan9port-status without PLAN9: usage" noplan9_preview
check "dryrun and status without their arguments: usage" \
	eval "fails usage: $sw dryrun $P && fails usage: $sw status && fails usage: $sw status $P extra"
check "switch without arguments: usage" fails "usage:" $sw switch
check "unknown verb: usage" fails "usage:" $sw swap $P
check "missing directory refused" fails "no such directory" $sw switch $tmp/nowhere "$obj"
mkdir $tmp/empty
not_p9p() {
	fails "is not a built plan9port: it has no lib/lib9.a" $sw switch $tmp/empty "$obj" &&
	fails "is not a built plan9port" $sw undo $tmp/empty &&
	fails "is not a built plan9port" $sw dryrun $tmp/empty "$obj" &&
	fails "is not a built plan9port" $sw status $tmp/empty &&
	[ -z "$(ls -A $tmp/empty)" ]
}
check "a directory that is not plan9port refused, nothing written" not_p9p
check "an object that is not p9fd's refused, tree unchanged" \
	eval "fails 'not p9fd.s object' $sw switch $P $P/bin/9l && same"

check "a dry run with an object that is not p9fd's: the switch's refusal, nothing written" \
	eval "nowrite 1 $sw dryrun $P $P/bin/9l && says 'not p9fd.s object'"

stock_status() {
	# shellcheck disable=SC2086
	nowrite 0 $MAKE -s plan9port-status PLAN9=$P $MAKEARGS && says "^$P: not switched to p9fd" &&
	[ -z "$(listed $out)" ]
}
check "make plan9port-status on the stock tree: not switched (exit 0), nothing written" stock_status
stock_dryrun() {	# its list in $tmp/listed
	# shellcheck disable=SC2086
	nowrite 0 $MAKE -s plan9port-dryrun PLAN9=$P $MAKEARGS && cp $out $tmp/dry && says "^$P: make plan9port would write lib/lib9.a and relink 2 programs" \
		"a dry run: nothing changed" "	bin/passer	relinked: it has lib9's p9pipe, recvfd, sendfd" &&
	listed $tmp/dry >$tmp/listed &&
	[ "$(tr '\n' ' ' <$tmp/listed)" = "bin/passer bin/sender lib/lib9.a " ] ||
		{ echo "lists:" $(listed $tmp/dry); return 1; }
}
check "make plan9port-dryrun PLAN9=...: lib9.a and the two passers, nothing written byte for byte" stock_dryrun
# the script's own report (make's run has cargo's lines too), for the half-done switch's
check "the dry run again: the same list" \
	eval "nowrite 0 $sw dryrun $P $obj && cp $out $tmp/dry.stock && listed $out | diff - $tmp/listed"

# shellcheck disable=SC2086
check "make plan9port PLAN9=..." $MAKE -s plan9port PLAN9=$P $MAKEARGS
as_dry() {	# the switch changed exactly the files the dry run listed, and recorded those
	changed >$tmp/changed && diff $tmp/listed $tmp/changed &&
	awk '{ print $2 }' $P/lib/p9fd/switched | sort | diff $tmp/listed -
}
check "the switch changed exactly the files the dry run listed (and recorded those)" as_dry
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
switched_status() {
	# shellcheck disable=SC2086
	nowrite 0 $MAKE -s plan9port-status PLAN9=$P $MAKEARGS && says "^$P: switched to p9fd: lib/lib9.a and 2 programs" &&
	listed $out | diff $tmp/listed - &&
	[ "$(grep -c '	as the switch wrote it; its original kept$' $out)" -eq 3 ] || { cat $out; return 1; }
}
check "make plan9port-status on the switched tree: switched, each file as written (exit 0), nothing written" switched_status
check "a dry run on the switched tree: nothing to do, nothing written" \
	eval "nowrite 0 $sw dryrun $P $obj && says 'already switched to p9fd: make plan9port would do nothing' && [ -z \"\$(listed $out)\" ]"
lost_original() {	# an original gone from lib/p9fd: inconsistent; undo refuses, the tree as it was
	local r=0
	mv $P/lib/p9fd/bin/passer $tmp/passer.kept || return 1
	nowrite 1 $sw status $P && says "^$P: inconsistent" "	bin/passer	as the switch wrote it, but its original is missing" &&
	fails "cannot stage bin/passer" $sw undo $P || r=1
	mv $tmp/passer.kept $P/lib/p9fd/bin/passer && diff -r $tmp/switched $P && return $r
}
check "an original missing: status says inconsistent (exit 1), nothing written; undo refuses, changing no file" lost_original
foreign() {	# a program with lib9's code put into bin after the switch: partly switched
	local r=0
	cp -p $tmp/pristine/bin/sender $P/bin/another || return 1
	nowrite 1 $sw status $P && says "^$P: partly switched: lib/lib9.a has p9fd's code, but not every program" \
		"	bin/another	lib9's code: not relinked by the switch" || r=1
	rm $P/bin/another && cp -p $tmp/pristine/bin/sender $P/bin/sender || return 1
	nowrite 1 $sw status $P && says "^$P: partly switched: lib/lib9.a has p9fd's code, but not every program" \
		"	bin/sender	changed since the switch (rebuilt?), has lib9's code; undo leaves it" || r=1
	cp -p $tmp/switched/bin/sender $P/bin/sender && diff -r $tmp/switched $P && return $r
}
check "a program with lib9's code installed since the switch, or over a relinked one: status says partly switched (exit 1)" foreign
# shellcheck disable=SC2086
check "make plan9port-undo PLAN9=..." $MAKE -s plan9port-undo PLAN9=$P $MAKEARGS
check "undo restores the stock tree byte for byte" same
check "make plan9port-status after the undo: not switched" \
	eval "nowrite 0 $MAKE -s plan9port-status PLAN9=$P $MAKEARGS && says '^$P: not switched to p9fd'"
no_record() {	# lib9.a with p9fd's code, no lib/p9fd: inconsistent
	cp -p $tmp/switched/lib/lib9.a $P/lib/lib9.a &&
	nowrite 1 $sw status $P && says "^$P: inconsistent: lib/lib9.a has p9fd's code, but" &&
	cp -p $tmp/pristine/lib/lib9.a $P/lib/lib9.a && same
}
check "a switched lib9.a without the switch's record: status says inconsistent (exit 1)" no_record
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
killed() {	# SIGKILL: nothing can run; the tree is left half-done
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
}
check "SIGKILL during the rebuild: a half-done switch left" killed
check "status of the half-done switch: half switched (exit 1), nothing written" \
	eval "nowrite 1 $sw status $P && says '^$P: half switched: a run was interrupted'"
killed_dryrun() {	# as the switch would find it after its rollback: the stock tree's report
	nowrite 0 $sw dryrun $P "$obj" &&
	says "interrupted: make plan9port would first roll it back, putting back the originals kept in $P/lib/p9fd.new (lib/lib9.a)" &&
	listed $out | diff $tmp/listed - && grep -v interrupted $out | diff $tmp/dry.stock -
}
check "a dry run on the half-done switch: the rollback, then the stock tree's list; nothing written" killed_dryrun
check "after SIGKILL, the next run rolls back" \
	eval "$sw undo $P >$out 2>&1 && says 'interrupted; rolling it back' && same"

one_rebuilt() {	# a program rebuilt while switched: still switched; undo leaves that one
	$sw switch $P "$obj" >$out 2>&1 || { cat $out; return 1; }
	# -O2: other bytes than the switch wrote
	(cd $P/src/cmd && PLAN9=$P PATH=$P/bin:$PATH 9l -O2 -o $P/bin/passer passer.c) || return 1
	$sw switch $P "$obj" >$out 2>&1 && grep -q "already switched" $out || { cat $out; return 1; }
	nowrite 0 $sw status $P && says "^$P: switched to p9fd: lib/lib9.a and 1 programs" \
		"	bin/passer	changed since the switch (rebuilt?), has p9fd's code; undo leaves it" || return 1
	$sw undo $P >$out 2>&1 && grep -q "2 files restored, 1 changed since and left" $out ||
		{ cat $out; return 1; }
	has $P/bin/passer p9fd &&
	nowrite 0 $sw status $P && says "^$P: not switched to p9fd" "	bin/passer	p9fd's code (linked while switched?" &&
	cp -p $tmp/pristine/bin/passer $P/bin/passer && same
}
check "a program rebuilt while switched: switch a no-op, status names it, undo leaves it (status names it again), restores the rest" one_rebuilt

rebuilt() {	# ./INSTALL after the switch rebuilds stock lib9.a and programs: undo leaves them
	$sw switch $P "$obj" >/dev/null && rm -rf $tmp/again && cp -pR $tmp/pristine $tmp/again &&
	cp -pR $P/lib/p9fd $tmp/again/lib/ && rm -rf $P && mv $tmp/again $P &&
	nowrite 0 $sw status $P && says "^$P: not switched to p9fd: every file the switch wrote was changed since" &&
	nowrite 0 $sw dryrun $P "$obj" && says "rebuilt since the switch (./INSTALL?): make plan9port would drop" &&
	listed $out | diff $tmp/listed - &&
	$sw undo $P >$out 2>&1 && grep -q "0 files restored, 3 changed since and left" $out &&
	grep -q "nothing to restore" $out && same
}
check "after a rebuild of plan9port: status not switched, dry run switches afresh, undo forgets the switch" rebuilt
partly() {	# lib9.a rebuilt alone (mk in src/lib9), the programs still switched
	$sw switch $P "$obj" >/dev/null && cp -p $tmp/pristine/lib/lib9.a $P/lib/lib9.a &&
	nowrite 1 $sw status $P && says "^$P: partly switched: lib/lib9.a was changed since the switch" \
		"	lib/lib9.a	changed since the switch (rebuilt?), has lib9's code" &&
	nowrite 0 $sw dryrun $P "$obj" && says "still as the old switch wrote them, with p9fd's code: bin/passer bin/sender;" &&
	[ "$(listed $out)" = lib/lib9.a ] &&
	$sw undo $P >$out 2>&1 && says "2 files restored, 1 changed since and left" && same
}
check "lib9.a rebuilt, the programs not: status partly switched (exit 1), the dry run warns, undo restores them" partly

summary
