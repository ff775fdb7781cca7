#!/bin/sh
# make plan9port / make plan9port-undo: put p9fd into an installed, built plan9port, and take it
# out again.
#
#	tools/plan9port.sh switch PLAN9 OBJECT
#	tools/plan9port.sh undo PLAN9
#
# switch: lib9.a's sendfd.o (which defines sendfd and recvfd) is replaced by OBJECT, p9fd's
# single object (sendfd, recvfd, p9pipe, sendfdmsg, recvfdmsg), under the same member name, and
# pipe.o (p9pipe) is deleted. Every plan9port link takes lib9.a statically, after every other
# plan9port library (9l's own ordering), so from then on every program 9l links gets p9fd's
# code. The programs in $PLAN9/bin that hold lib9's code (nm shows sendfd, recvfd or p9pipe
# defined, without p9fd's sendfdmsg) are rebuilt with plan9port's own mk in $PLAN9/src/cmd
# (mk clean, mk -k all, mk clean, as ./INSTALL does) and only those are copied into bin.
# The originals are kept in $PLAN9/lib/p9fd/, with checksums of what the switch wrote.
#
# undo: puts the kept originals back, byte for byte, wherever a file is still what the switch
# wrote, and removes $PLAN9/lib/p9fd/.
#
# Both are idempotent. Work happens in $PLAN9/lib/p9fd.new/, which holds each original before
# the file is touched; a failure, or a signal, restores from it, and a run killed outright is
# rolled back by the next run. Ends with one line saying what was done.
#
# POSIX sh, and the tools every system has; where systems differ (checksums, nm's output, ending
# the build), tools/portable.sh says how, in one place. NM and AR: the nm and ar to use (nm and
# ar by default). SYSPATH: the system's tool directories, put first in PATH as ./INSTALL does
# (/bin:/usr/bin by default).
set -eu
. "$(dirname "$0")/portable.sh"

prog=plan9port.sh
build=	# the process group of a build under way
built=	# set once src/cmd holds objects this run made
usage() {
	echo "usage: make plan9port PLAN9=/path/to/plan9port   (or make plan9port-undo PLAN9=...)" >&2
	echo "       tools/plan9port.sh switch PLAN9 OBJECT | undo PLAN9" >&2
	exit 2
}
die() {
	echo "$prog: $*" >&2
	exit 1
}

# defs FILE: the text symbols FILE defines globally, one a line
defs() {
	texts "$1" | awk '{ print $2 }'
}
# lib9code FILE: FILE defines lib9's sendfd, recvfd or p9pipe (and not p9fd's: p9fdcode, in
# tools/portable.sh)
lib9code() {
	defs "$1" | grep -qxE 'sendfd|recvfd|p9pipe' && ! p9fdcode "$1"
}

# members LIB: which member of LIB defines each of sendfd, recvfd, p9pipe, sendfdmsg, as
# "member:name ..." sorted
members() {
	texts "$1" | awk '$2 ~ /^(sendfd|recvfd|p9pipe|sendfdmsg)$/ { print $1 ":" $2 }' | sort | tr '\n' ' '
}

# restore SAVED DEST: put SAVED back at DEST in one rename, mode and times kept
restore() {
	cp -p "$1" "$2.p9fd-tmp" && mv -f "$2.p9fd-tmp" "$2"
}

# rollback: every original kept in $new goes back; then $new goes. Used on any failure and at
# the start of a run that finds a $new left by a run killed outright.
rollback() {
	local f
	[ -d "$new" ] || return 0
	if [ -n "$build" ]; then	# the build and everything it started
		killtree "$build"
		wait "$build" 2>/dev/null || true
	fi
	[ -f "$new/lib9.a" ] && restore "$new/lib9.a" "$P/lib/lib9.a"
	for f in "$new"/bin/*; do
		case $f in *.tmp) continue ;; esac
		[ -f "$f" ] && restore "$f" "$P/bin/${f##*/}"
	done
	rm -f "$P"/bin/*.p9fd-tmp "$P/lib/lib9.a.p9fd-tmp"
	if [ -n "$built" ]; then
		(cd "$P/src/cmd" && "$P/bin/mk" clean) >/dev/null 2>&1 || true
	fi
	if [ -s "$new/build.log" ]; then
		cp "$new/build.log" "$log"
		echo "$prog: the build's log: $log" >&2
	fi
	rm -rf "$new"
	echo "$prog: $P restored as it was" >&2
}

# the tree: a built plan9port, with the files this script reads and writes
tree() {
	local f
	[ -n "${1:-}" ] || usage
	[ -d "$1" ] || die "$1: no such directory"
	for f in lib/lib9.a bin/9l bin/mk include/libc.h src/lib9/sendfd.c src/lib9/pipe.c src/cmd/mkfile; do
		[ -e "$1/$f" ] || die "$1 is not a built plan9port: it has no $f (build one with ./INSTALL)"
	done
	P=$(cd "$1" && pwd -P)
	state=$P/lib/p9fd
	new=$P/lib/p9fd.new
	log=${TMPDIR:-/tmp}/p9fd-plan9port-build.log
	PLAN9=$P
	PATH=${SYSPATH:-/bin:/usr/bin}:$P/bin:$PATH	# as ./INSTALL has it: the system's tools first
	export PLAN9 PATH
	if [ -d "$new" ]; then
		echo "$prog: $new: an earlier run was interrupted; rolling it back" >&2
		rollback
	fi
}

# manifest FILE...: "DIGEST FILE" for each FILE (relative to $P)
manifest() {
	local f
	for f in "$@"; do
		echo "$(cd "$P" && digest "$f") $f" || return 1
	done
}
# unchanged FILE: FILE is still what the switch's manifest says
unchanged() {
	local want
	want=$(awk -v f="$1" '$2 == f { print $1 }' "$state/switched")
	[ -n "$want" ] && [ -f "$P/$1" ] && [ "$(cd "$P" && digest "$1" 2>/dev/null)" = "$want" ]
}

switch() {
	local obj=$2 start m d progs= nprogs b c n
	tree "$1"
	[ -n "$obj" ] || usage
	[ -f "$obj" ] || die "$obj: no such file (make lib builds it)"
	obj=$(cd "$(dirname "$obj")" && pwd -P)/$(basename "$obj")
	d=$(defs "$obj")
	for m in sendfd recvfd p9pipe sendfdmsg recvfdmsg; do
		printf '%s\n' "$d" | grep -qx "$m" || die "$obj: not p9fd's object (no $m)"
	done
	if [ -d "$state" ]; then
		# lib9.a still as switched: switched (a program rebuilt since has p9fd's code too);
		# lib9.a rebuilt (./INSTALL): the kept originals are out of date
		if unchanged lib/lib9.a; then
			echo "$P: already switched to p9fd; nothing to do"
			return 0
		fi
		echo "$prog: $P/lib/lib9.a was rebuilt since the switch (./INSTALL?):" \
			"forgetting the old switch and switching again" >&2
		rm -rf "$state"
	fi

	# lib9.a as plan9port builds it: sendfd.o defines sendfd and recvfd, pipe.o p9pipe, and
	# no other member defines any of them
	d=$(members "$P/lib/lib9.a")
	[ "$d" = "pipe.o:p9pipe sendfd.o:recvfd sendfd.o:sendfd " ] ||
		die "$P/lib/lib9.a: not plan9port's layout (want sendfd.o:recvfd,sendfd and pipe.o:p9pipe; have: ${d:-none})"

	start=$(date +%s)
	trap 'rollback' EXIT
	trap 'exit 1' INT TERM HUP
	mkdir "$new" "$new/bin" "$new/work"

	# the programs to rebuild, before anything changes
	for b in "$P"/bin/*; do
		if [ -f "$b" ] && [ ! -L "$b" ] && lib9code "$b"; then progs="$progs ${b##*/}"; fi
	done
	progs=${progs# }
	nprogs=$(echo $progs | wc -w | tr -d ' ')
	: >"$new/programs"
	for b in $progs; do echo "$b" >>"$new/programs"; done

	cp -p "$P/lib/lib9.a" "$new/lib9.a.tmp" && mv "$new/lib9.a.tmp" "$new/lib9.a"
	cp -p "$P/lib/lib9.a" "$new/work/lib9.a"
	cp "$obj" "$new/work/sendfd.o"
	(cd "$new/work" && "$AR" d lib9.a pipe.o && "$AR" r lib9.a sendfd.o && "$AR" s lib9.a)
	d=$(members "$new/work/lib9.a")
	[ "$d" = "sendfd.o:p9pipe sendfd.o:recvfd sendfd.o:sendfd sendfd.o:sendfdmsg " ] ||
		die "lib9.a after the change: $d"
	mv "$new/work/lib9.a" "$P/lib/lib9.a.p9fd-tmp" && mv -f "$P/lib/lib9.a.p9fd-tmp" "$P/lib/lib9.a"

	if [ "$nprogs" -gt 0 ]; then
		echo "rebuilding $nprogs programs with lib9's sendfd/recvfd/p9pipe in $P/src/cmd" \
			"(mk clean; mk -k all; log in $new/build.log)"
		built=1
		sh -c 'cd "$1/src/cmd" && "$1/bin/mk" clean && { "$1/bin/mk" -k all || true; }' sh "$P" \
			>"$new/build.log" 2>&1 &
		build=$!
		wait "$build" || { tail -n 20 "$new/build.log" >&2; die "mk failed in $P/src/cmd"; }
		build=
		# each program's new build: the one o.NAME under src/cmd, with p9fd's code
		for b in $progs; do
			c=$(find "$P/src/cmd" -type f -name "o.$b")
			n=$(printf '%s' "$c" | grep -c . || true)
			[ "$n" -eq 1 ] || die "bin/$b: want one o.$b under src/cmd, found $n${c:+:" $c"}"
			p9fdcode "$c" || die "$c: built, but without p9fd's code"
			echo "$c" >>"$new/built"
		done
		paste -d ' ' "$new/programs" "$new/built" | while read -r b c; do
			cp -p "$P/bin/$b" "$new/bin/$b.tmp" && mv "$new/bin/$b.tmp" "$new/bin/$b"
			# the original's mode, without stat (whose options differ per system): a
			# copy of the original, overwritten with the new build's bytes
			cp -p "$P/bin/$b" "$P/bin/$b.p9fd-tmp" && cat "$c" >"$P/bin/$b.p9fd-tmp"
			mv -f "$P/bin/$b.p9fd-tmp" "$P/bin/$b"
		done
		(cd "$P/src/cmd" && "$P/bin/mk" clean) >>"$new/build.log" 2>&1
		built=
	fi
	for b in "$P"/bin/*; do
		[ -f "$b" ] && lib9code "$b" && die "bin/${b##*/} still has lib9's code"
	done

	# shellcheck disable=SC2046
	manifest lib/lib9.a $(for b in $progs; do echo "bin/$b"; done) >"$new/switched"
	rm -rf "$new/work"
	mv "$new" "$state"
	trap - EXIT INT TERM HUP
	echo "$P: switched to p9fd: lib/lib9.a and $nprogs programs" \
		"(${progs:-none}) in $(($(date +%s) - start)) s; make plan9port-undo PLAN9=$P restores them"
}

undo() {
	local f b kept= left= nleft=0 n=0
	tree "$1"
	if [ ! -d "$state" ]; then
		echo "$P: not switched to p9fd; nothing to undo"
		return 0
	fi
	# each file the switch wrote and nobody changed since gets its original back, all staged
	# first so that a failure changes nothing
	while read -r _ f; do
		if unchanged "$f"; then
			b=$state/${f#lib/}
			[ "$f" = lib/lib9.a ] || b=$state/bin/${f#bin/}
			cp -p "$b" "$P/$f.p9fd-tmp" || { rm -f "$P"/bin/*.p9fd-tmp "$P/lib/lib9.a.p9fd-tmp"; die "cannot stage $f"; }
			kept="$kept $f"
		else
			left="$left $f"
			nleft=$((nleft + 1))
		fi
	done <"$state/switched"
	for f in $kept; do
		mv -f "$P/$f.p9fd-tmp" "$P/$f"
		n=$((n + 1))
	done
	if [ "$nleft" -eq "$(wc -l <"$state/switched")" ]; then
		echo "$prog: every file the switch wrote was rebuilt since (./INSTALL?): nothing to restore" >&2
	else
		for f in $left; do
			echo "$prog: $P/$f changed since the switch (rebuilt?); left as it is" >&2
		done
	fi
	rm -rf "$state"
	echo "$P: p9fd taken out: $n files restored, $nleft changed since and left"
}

case "${1:-}" in
switch) [ $# -eq 3 ] || usage; switch "$2" "$3" ;;
undo) [ $# -eq 2 ] || usage; undo "$2" ;;
*) usage ;;
esac
