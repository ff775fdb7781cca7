#!/bin/bash
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
set -euo pipefail

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

# lib9code FILE: FILE defines lib9's sendfd, recvfd or p9pipe; p9fdcode FILE: p9fd's
# (sendfdmsg comes only with p9fd's object).
defs() {
	{ nm --defined-only "$1" 2>/dev/null || true; } | awk '$2 == "T" { print $3 }'
}
p9fdcode() {	# (not `defs | grep -q`: grep's early exit would fail the pipe, under pipefail)
	grep -qx sendfdmsg <<<"$(defs "$1")"
}
lib9code() {
	local d
	d=$(defs "$1")
	grep -qxE 'sendfd|recvfd|p9pipe' <<<"$d" && ! grep -qx sendfdmsg <<<"$d"
}

# members LIB: which member of LIB defines each of sendfd, recvfd, p9pipe, sendfdmsg, as
# "member:name ..." sorted (nm -A names a definition "LIB:member:address T name")
members() {
	nm -A --defined-only "$1" 2>/dev/null |
		awk '$2 == "T" && $3 ~ /^(sendfd|recvfd|p9pipe|sendfdmsg)$/ { n = split($1, a, ":"); print a[n - 1] ":" $3 }' |
		sort | tr '\n' ' '
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
	if [ -n "$build" ]; then	# the build runs in its own process group: end all of it
		kill -TERM -- "-$build" 2>/dev/null || true
		wait "$build" 2>/dev/null || true
		for _ in $(seq 100); do
			kill -0 -- "-$build" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL -- "-$build" 2>/dev/null || true
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
	PATH=/bin:/usr/bin:$P/bin:$PATH	# as ./INSTALL has it: the system's tools first
	export PLAN9 PATH
	if [ -d "$new" ]; then
		echo "$prog: $new: an earlier run was interrupted; rolling it back" >&2
		rollback
	fi
}

# unchanged MANIFEST: every file listed is still what the manifest says
unchanged() {
	(cd "$P" && sha256sum --status -c "$1") 2>/dev/null
}

switch() {
	local obj=$2 start m d progs=() b c n
	tree "$1"
	[ -n "$obj" ] || usage
	[ -f "$obj" ] || die "$obj: no such file (make lib builds it)"
	obj=$(cd "$(dirname "$obj")" && pwd -P)/$(basename "$obj")
	d=$(defs "$obj")
	for m in sendfd recvfd p9pipe sendfdmsg recvfdmsg; do
		grep -qx "$m" <<<"$d" || die "$obj: not p9fd's object (no $m)"
	done
	if [ -d "$state" ]; then
		# lib9.a still as switched: switched (a program rebuilt since has p9fd's code too);
		# lib9.a rebuilt (./INSTALL): the kept originals are out of date
		if unchanged <(grep '  lib/lib9\.a$' "$state/switched"); then
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
		[ -f "$b" ] && [ ! -L "$b" ] && lib9code "$b" && progs+=("${b##*/}")
	done
	printf '%s\n' "${progs[@]}" >"$new/programs"

	cp -p "$P/lib/lib9.a" "$new/lib9.a.tmp" && mv "$new/lib9.a.tmp" "$new/lib9.a"
	cp -p "$P/lib/lib9.a" "$new/work/lib9.a"
	cp "$obj" "$new/work/sendfd.o"
	(cd "$new/work" && ar d lib9.a pipe.o && ar r lib9.a sendfd.o && ar s lib9.a)
	d=$(members "$new/work/lib9.a")
	[ "$d" = "sendfd.o:p9pipe sendfd.o:recvfd sendfd.o:sendfd sendfd.o:sendfdmsg " ] ||
		die "lib9.a after the change: $d"
	mv "$new/work/lib9.a" "$P/lib/lib9.a.p9fd-tmp" && mv -f "$P/lib/lib9.a.p9fd-tmp" "$P/lib/lib9.a"

	if [ ${#progs[@]} -gt 0 ]; then
		echo "rebuilding ${#progs[@]} programs with lib9's sendfd/recvfd/p9pipe in $P/src/cmd" \
			"(mk clean; mk -k all; log in $new/build.log)"
		built=1
		setsid sh -c 'cd "$1/src/cmd" && "$1/bin/mk" clean && { "$1/bin/mk" -k all || true; }' sh "$P" \
			>"$new/build.log" 2>&1 &
		build=$!
		wait "$build" || { tail -n 20 "$new/build.log" >&2; die "mk failed in $P/src/cmd"; }
		build=
		# each program's new build: the one o.NAME under src/cmd, with p9fd's code
		for b in "${progs[@]}"; do
			c=$(find "$P/src/cmd" -type f -name "o.$b")
			n=$(printf '%s' "$c" | grep -c . || true)
			[ "$n" -eq 1 ] || die "bin/$b: want one o.$b under src/cmd, found $n${c:+:" $c"}"
			p9fdcode "$c" || die "$c: built, but without p9fd's code"
			echo "$c" >>"$new/built"
		done
		paste -d ' ' "$new/programs" "$new/built" | while read -r b c; do
			cp -p "$P/bin/$b" "$new/bin/$b.tmp" && mv "$new/bin/$b.tmp" "$new/bin/$b"
			install -m "$(stat -c %a "$P/bin/$b")" "$c" "$P/bin/$b.p9fd-tmp"
			mv -f "$P/bin/$b.p9fd-tmp" "$P/bin/$b"
		done
		(cd "$P/src/cmd" && "$P/bin/mk" clean) >>"$new/build.log" 2>&1
		built=
	fi
	for b in "$P"/bin/*; do
		[ -f "$b" ] && lib9code "$b" && die "bin/${b##*/} still has lib9's code"
	done

	(cd "$P" && sha256sum lib/lib9.a "${progs[@]/#/bin/}") >"$new/switched"
	rm -rf "$new/work"
	mv "$new" "$state"
	trap - EXIT INT TERM HUP
	echo "$P: switched to p9fd: lib/lib9.a and ${#progs[@]} programs" \
		"(${progs[*]:-none}) in $(($(date +%s) - start)) s; make plan9port-undo PLAN9=$P restores them"
}

undo() {
	local f b kept=() left=() n=0
	tree "$1"
	if [ ! -d "$state" ]; then
		echo "$P: not switched to p9fd; nothing to undo"
		return 0
	fi
	# each file the switch wrote and nobody changed since gets its original back, all staged
	# first so that a failure changes nothing
	while read -r _ f; do
		if (cd "$P" && awk -v f="$f" '$2 == f' "$state/switched" | sha256sum --status -c) 2>/dev/null; then
			b=$state/${f#lib/}
			[ "$f" = lib/lib9.a ] || b=$state/bin/${f#bin/}
			cp -p "$b" "$P/$f.p9fd-tmp" || { rm -f "$P"/bin/*.p9fd-tmp "$P/lib/lib9.a.p9fd-tmp"; die "cannot stage $f"; }
			kept+=("$f")
		else
			left+=("$f")
		fi
	done <"$state/switched"
	for f in "${kept[@]}"; do
		mv -f "$P/$f.p9fd-tmp" "$P/$f"
		n=$((n + 1))
	done
	if [ ${#left[@]} -eq "$(wc -l <"$state/switched")" ]; then
		echo "$prog: every file the switch wrote was rebuilt since (./INSTALL?): nothing to restore" >&2
	else
		for f in "${left[@]}"; do
			echo "$prog: $P/$f changed since the switch (rebuilt?); left as it is" >&2
		done
	fi
	rm -rf "$state"
	echo "$P: p9fd taken out: $n files restored, ${#left[@]} changed since and left"
}

case "${1:-}" in
switch) [ $# -eq 3 ] || usage; switch "$2" "$3" ;;
undo) [ $# -eq 2 ] || usage; undo "$2" ;;
*) usage ;;
esac
