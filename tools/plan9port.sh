#!/bin/sh
# make plan9port / make plan9port-undo: put p9fd into an installed, built plan9port, and take it
# out again; make plan9port-dryrun / make plan9port-status: say what a switch would do, and
# whether a tree is switched, changing nothing.
#
#	tools/plan9port.sh switch PLAN9 OBJECT
#	tools/plan9port.sh undo PLAN9
#	tools/plan9port.sh dryrun PLAN9 OBJECT
#	tools/plan9port.sh status PLAN9
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
# dryrun: what switch would do with the same arguments, decided by the same code (plan), read
# from the tree as the switch would find it (after rolling back an interrupted run): lib9.a and
# each program it would relink, one "<tab>FILE<tab>what" line each; or that it would do
# nothing, or its refusal (exit 1). Writes nothing.
#
# status: switched, not switched, half switched (a run interrupted), partly switched (lib9.a
# rebuilt and some programs not, or a program with lib9's code beside a switched lib9.a), or
# inconsistent (a file as the switch wrote it whose original is missing, or a lib9.a with
# p9fd's code and no record of a switch); then a "<tab>FILE<tab>state" line for each file the
# switch wrote. Exits 1 for the last three. Writes nothing.
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
	echo "usage: make plan9port PLAN9=/path/to/plan9port   (or make plan9port-undo, plan9port-dryrun," \
		"plan9port-status PLAN9=...)" >&2
	echo "       tools/plan9port.sh switch PLAN9 OBJECT | undo PLAN9 | dryrun PLAN9 OBJECT | status PLAN9" >&2
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

# look DIR: DIR is a built plan9port, with the files this script reads and writes; sets P (its
# path), state, new and log. Reads only: a dry run and a status stop here.
look() {
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
}
# tree DIR: look, then roll back what a run killed outright left
tree() {
	look "$1"
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
# unchanged FILE [COPY]: FILE (relative to $P; or COPY, which stands for it) is still what the
# switch's manifest says
unchanged() {
	local want
	want=$(awk -v f="$1" '$2 == f { print $1 }' "$state/switched" 2>/dev/null)
	[ -n "$want" ] && [ -f "${2:-$P/$1}" ] && [ "$(digest "${2:-$P/$1}" 2>/dev/null)" = "$want" ]
}

# lib9.a's members defining the four names (members), as plan9port builds it and as switched
layout_stock="pipe.o:p9pipe sendfd.o:recvfd sendfd.o:sendfd "
layout_switched="sendfd.o:p9pipe sendfd.o:recvfd sendfd.o:sendfd sendfd.o:sendfdmsg "

# checkobj OBJECT: OBJECT is p9fd's object; sets obj to its full path
checkobj() {
	local d m
	[ -n "$1" ] || usage
	[ -f "$1" ] || die "$1: no such file (make lib builds it)"
	obj=$(cd "$(dirname "$1")" && pwd -P)/$(basename "$1")
	d=$(defs "$obj")
	for m in sendfd recvfd p9pipe sendfdmsg recvfdmsg; do
		printf '%s\n' "$d" | grep -qx "$m" || die "$obj: not p9fd's object (no $m)"
	done
}

# orig FILE: the file the switch finds at FILE (relative to $P): the original an interrupted
# run kept in $new, which tree's rollback puts back first, or FILE itself. The switch runs
# after the rollback, so for it this is always FILE; a dry run, which rolls nothing back,
# reads the tree through it as the switch will find it.
orig() {
	case $1 in
	lib/lib9.a) [ -f "$new/lib9.a" ] && { echo "$new/lib9.a"; return 0; } ;;
	bin/*) [ -f "$new/$1" ] && { echo "$new/$1"; return 0; } ;;
	esac
	echo "$P/$1"
}
# binnames: the names the switch finds in bin, one a line: bin's (but the rollback's
# leftovers, *.p9fd-tmp), then any only an interrupted run's $new still holds
binnames() {
	local b
	for b in "$P"/bin/*; do
		case $b in *.p9fd-tmp) continue ;; esac
		if [ -e "$b" ] || [ -L "$b" ]; then echo "${b##*/}"; fi
	done
	[ -d "$new/bin" ] || return 0
	for b in "$new"/bin/*; do
		case $b in *.tmp) continue ;; esac
		if [ -f "$b" ] && [ ! -e "$P/bin/${b##*/}" ]; then echo "${b##*/}"; fi
	done
}

# plan: what the switch does to $P, as it will find the tree (orig, binnames). Sets action
# (done: switched already, nothing to do; afresh: lib9.a was rebuilt since a switch, whose
# kept originals are dropped before switching; switch), progs (the programs in bin it relinks:
# those with lib9's code, in bin's order) and nprogs; dies where the switch refuses. The one
# place both the switch and its dry run decide, so that they cannot differ.
plan() {
	local d b f
	action=switch progs=
	if [ -d "$state" ]; then
		# lib9.a still as switched: switched (a program rebuilt since has p9fd's code too);
		# lib9.a rebuilt (./INSTALL): the kept originals are out of date
		if unchanged lib/lib9.a "$(orig lib/lib9.a)"; then
			action=done nprogs=0
			return 0
		fi
		action=afresh
	fi
	# lib9.a as plan9port builds it: sendfd.o defines sendfd and recvfd, pipe.o p9pipe, and
	# no other member defines any of them
	d=$(members "$(orig lib/lib9.a)")
	[ "$d" = "$layout_stock" ] ||
		die "$P/lib/lib9.a: not plan9port's layout (want sendfd.o:recvfd,sendfd and pipe.o:p9pipe; have: ${d:-none})"
	for b in $(binnames); do
		f=$(orig "bin/$b")
		if [ -f "$f" ] && [ ! -L "$f" ] && lib9code "$f"; then progs="$progs $b"; fi
	done
	progs=${progs# }
	nprogs=$(echo $progs | wc -w | tr -d ' ')
}

switch() {
	local start d b c n
	tree "$1"
	checkobj "$2"
	plan
	case $action in
	done)
		echo "$P: already switched to p9fd; nothing to do"
		return 0 ;;
	afresh)
		echo "$prog: $P/lib/lib9.a was rebuilt since the switch (./INSTALL?):" \
			"forgetting the old switch and switching again" >&2
		rm -rf "$state" ;;
	esac

	start=$(date +%s)
	trap 'rollback' EXIT
	trap 'exit 1' INT TERM HUP
	mkdir "$new" "$new/bin" "$new/work"
	: >"$new/programs"
	for b in $progs; do echo "$b" >>"$new/programs"; done

	cp -p "$P/lib/lib9.a" "$new/lib9.a.tmp" && mv "$new/lib9.a.tmp" "$new/lib9.a"
	cp -p "$P/lib/lib9.a" "$new/work/lib9.a"
	cp "$obj" "$new/work/sendfd.o"
	(cd "$new/work" && "$AR" d lib9.a pipe.o && "$AR" r lib9.a sendfd.o && "$AR" s lib9.a)
	d=$(members "$new/work/lib9.a")
	[ "$d" = "$layout_switched" ] ||
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
			b=$(kept "$f")
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

# kept FILE: where the switch keeps FILE's original (FILE as in its manifest)
kept() {
	case $1 in
	lib/lib9.a) echo "$state/lib9.a" ;;
	*) echo "$state/bin/${1#bin/}" ;;
	esac
}
# code FILE: whose descriptor passing FILE (a program or lib9.a) holds
code() {
	if lib9code "$1"; then echo "lib9's code"
	elif p9fdcode "$1"; then echo "p9fd's code"
	else echo "neither lib9's nor p9fd's code"
	fi
}
# row FILE TEXT: a line of a dry run's or a status's report, "<tab>FILE<tab>TEXT", kept in rows
nl='
'
row() {
	rows=$rows$(printf '\t%s\t%s' "$1" "$2")$nl
}

# dryrun PLAN9 OBJECT: what switch PLAN9 OBJECT would do, from the same plan, changing nothing
dryrun() {
	local b f r= rows=
	look "$1"
	checkobj "$2"
	if [ -d "$new" ]; then
		if [ -f "$new/lib9.a" ]; then r=" lib/lib9.a"; fi
		for b in "$new"/bin/*; do
			case $b in *.tmp) continue ;; esac
			if [ -f "$b" ]; then r="$r bin/${b##*/}"; fi
		done
		echo "$P: an earlier run was interrupted: make plan9port would first roll it back," \
			"putting back the originals kept in $new (${r# }) and removing the rest of it"
	fi
	plan
	case $action in
	done)
		echo "$P: already switched to p9fd: make plan9port would do nothing (a dry run: nothing changed)"
		return 0 ;;
	afresh)
		# the programs still as the old switch wrote them: their originals go with it
		r=
		while read -r _ f; do
			if [ "$f" != lib/lib9.a ] && unchanged "$f" "$(orig "$f")"; then r="$r $f"; fi
		done <"$state/switched"
		echo "$P: lib/lib9.a was rebuilt since the switch (./INSTALL?): make plan9port would" \
			"drop the old switch's kept originals ($state) and switch again"
		if [ -n "$r" ]; then
			echo "$P: still as the old switch wrote them, with p9fd's code:${r}; their originals" \
				"would go too (make plan9port-undo first restores them)"
		fi ;;
	esac
	row lib/lib9.a "member sendfd.o (sendfd, recvfd) replaced by p9fd's object, pipe.o (p9pipe) deleted"
	for b in $progs; do
		row "bin/$b" "relinked: it has lib9's $(defs "$(orig "bin/$b")" | grep -xE 'sendfd|recvfd|p9pipe' |
			awk '{ printf "%s%s", (NR > 1 ? ", " : ""), $0 }')"
	done
	echo "$P: make plan9port would write lib/lib9.a and relink $nprogs programs in bin" \
		"(a dry run: nothing changed):"
	printf '%s' "$rows"
	if [ "$nprogs" -gt 0 ]; then
		echo "relinking them with plan9port's mk in $P/src/cmd (mk clean; mk -k all; mk clean)" \
			"and copying only those into bin;"
	fi
	echo "the originals kept in $state; nothing else in the tree changes"
}

# status PLAN9: whether PLAN9 is switched, and whether as the switch left it; changes nothing.
# Exits 0 when it is switched or not, as the switch or the undo left it; 1 when half switched
# (a run interrupted), partly switched, or inconsistent (a file as the switch wrote it whose
# original is missing: undo would refuse).
status() {
	local f b d rows= lib= as=0 bad= part= lib9prog=
	look "$1"
	if [ -d "$new" ]; then
		echo "$P: half switched: a run was interrupted, leaving $new;" \
			"make plan9port or make plan9port-undo rolls it back (make plan9port-dryrun says what then)"
		return 1
	fi
	if [ ! -d "$state" ]; then
		for b in $(binnames); do
			if [ -f "$P/bin/$b" ] && p9fdcode "$P/bin/$b"; then
				row "bin/$b" "p9fd's code (linked while switched? undo leaves such programs)"
			fi
		done
		d=$(members "$P/lib/lib9.a")
		if [ "$d" = "$layout_stock" ]; then
			echo "$P: not switched to p9fd (make plan9port-dryrun says what a switch would do)"
		elif [ "$d" = "$layout_switched" ]; then
			echo "$P: inconsistent: lib/lib9.a has p9fd's code, but $state, the switch's record" \
				"and originals, is missing: make plan9port-undo cannot restore it (./INSTALL rebuilds it)"
			bad=1
		else
			echo "$P: not switched to p9fd, and lib/lib9.a is not plan9port's layout" \
				"(have: ${d:-none}): make plan9port would refuse it"
			bad=1
		fi
		printf '%s' "$rows"
		if [ -n "$bad" ]; then return 1; fi
		return 0
	fi
	if [ ! -f "$state/switched" ]; then
		echo "$P: inconsistent: $state has no record of the files the switch wrote ($state/switched):" \
			"make plan9port-undo cannot restore them"
		return 1
	fi
	while read -r _ f; do
		if unchanged "$f"; then
			if [ "$f" = lib/lib9.a ]; then lib=1; else as=$((as + 1)); fi
			if [ -f "$(kept "$f")" ]; then
				row "$f" "as the switch wrote it; its original kept"
			else
				row "$f" "as the switch wrote it, but its original is missing from $state"
				bad=1
			fi
		elif [ -f "$P/$f" ]; then
			d=$(code "$P/$f")
			row "$f" "changed since the switch (rebuilt?), has $d; undo leaves it"
			if [ "$f" != lib/lib9.a ] && [ "$d" = "lib9's code" ]; then lib9prog=1; fi
		else
			row "$f" "gone since the switch"
		fi
	done <"$state/switched"
	if [ -n "$lib" ]; then
		# every program 9l linked since has p9fd's code; one with lib9's came from elsewhere
		for b in $(binnames); do
			f=$P/bin/$b
			if ! awk -v f="bin/$b" '$2 == f { found = 1 } END { exit !found }' "$state/switched" &&
				[ -f "$f" ] && [ ! -L "$f" ] && lib9code "$f"; then
				row "bin/$b" "lib9's code: not relinked by the switch (installed since?)"
				lib9prog=1
			fi
		done
	fi
	if [ -n "$bad" ]; then
		echo "$P: inconsistent: files as the switch wrote them whose originals are missing from" \
			"$state: make plan9port-undo would refuse (cannot stage) and change nothing;" \
			"plan9port's ./INSTALL rebuilds the tree"
	elif [ -n "$lib" ] && [ -n "$lib9prog" ]; then
		part=1
		echo "$P: partly switched: lib/lib9.a has p9fd's code, but not every program in bin"
	elif [ -n "$lib" ]; then
		echo "$P: switched to p9fd: lib/lib9.a and $as programs as the switch wrote them," \
			"originals kept in $state; make plan9port-undo PLAN9=$P restores them"
	elif [ "$as" -gt 0 ]; then
		part=1
		echo "$P: partly switched: lib/lib9.a was changed since the switch (./INSTALL?), but" \
			"$as programs in bin are still as it wrote them; make plan9port-undo restores those"
	else
		echo "$P: not switched to p9fd: every file the switch wrote was changed since (./INSTALL?);" \
			"$state holds the old originals: make plan9port-undo drops them, make plan9port switches again"
	fi
	printf '%s' "$rows"
	if [ -n "$bad" ] || [ -n "$part" ]; then return 1; fi
	return 0
}

case "${1:-}" in
switch) [ $# -eq 3 ] || usage; switch "$2" "$3" ;;
undo) [ $# -eq 2 ] || usage; undo "$2" ;;
dryrun) [ $# -eq 3 ] || usage; dryrun "$2" "$3" ;;
status) [ $# -eq 2 ] || usage; status "$2" ;;
*) usage ;;
esac
