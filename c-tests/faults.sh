#!/bin/sh
# Fault injection: every system call each C export makes, at every position, failed with each
# errno its Linux man page lists, by strace's inject= (which skips the real call and returns
# the error). c-tests/faults/driver.c runs one scenario per run and checks the answer against
# the export's man page, the descriptor census and the next receive (see its header).
#
#	c-tests/faults.sh [LIBDIR [apue]]	LIBDIR's libp9fd.a (target/release by default); with
#						apue, the APUE exports too (a FEATURES=apue build)
#
# For each scenario: one uninjected run under strace lists the calls between the driver's two
# getppid() markers (the export's own), and must pass; then one run per call, position and
# errno, with -e inject=CALL:error=ERRNO:when=N (N counts that call from the program's start),
# which must pass and must show exactly one injection. Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
LIBDIR=${1:-${BUILD:-target/release}}
CC=${CC:-cc}
STATIC_LIBS=${STATIC_LIBS:-$(cat "$LIBDIR/native-static-libs")}
out=target/c-tests/faults/$(echo "$LIBDIR" | tr / _)
mkdir -p "$out"
# shellcheck source=c-tests/check.sh
. c-tests/check.sh

if [ "$(uname -s)" != Linux ] || ! command -v strace >/dev/null 2>&1; then
	echo "skip: fault injection: strace's inject= is Linux's"
	echo "0 passed, 0 failed"
	exit 0
fi
apue=
[ "${2:-}" = apue ] && apue=-DP9FD_APUE
# shellcheck disable=SC2086
$CC -std=c99 -Wall -Wextra -Werror -g -O1 $apue -Iinclude -o "$out/driver" c-tests/faults/driver.c \
	"$LIBDIR/libp9fd.a" $STATIC_LIBS || exit 1

# What each call can return, from its Linux man page (man-pages 6.x, ERRORS): recv(2) for
# recvmsg; send(2) and unix(7) (EPERM, ETOOMANYREFS) for sendmsg; socketpair(2) and socket(2)
# (ENOBUFS, ENOMEM), and EINTR, for socketpair; getsockopt(2) for both option calls; close(2).
# getpid, geteuid and getegid (APUE's send_fd) cannot fail: nothing to inject.
errnos() {
	case $1 in
	recvmsg) echo EAGAIN EBADF ECONNREFUSED EFAULT EINTR EINVAL ENOMEM ENOTCONN ENOTSOCK ;;
	sendmsg) echo EACCES EAGAIN EALREADY EBADF ECONNRESET EDESTADDRREQ EFAULT EINTR EINVAL \
		EISCONN EMSGSIZE ENOBUFS ENOMEM ENOTCONN ENOTSOCK EOPNOTSUPP EPIPE EPERM ETOOMANYREFS ;;
	socketpair) echo EAFNOSUPPORT EFAULT EMFILE ENFILE EOPNOTSUPP EPROTONOSUPPORT EPROTOTYPE \
		ENOBUFS ENOMEM EINTR ;;
	getsockopt | setsockopt) echo EBADF EFAULT EINVAL ENOPROTOOPT ENOTSOCK ;;
	close) echo EBADF EINTR EIO ENOSPC EDQUOT ;;
	esac
}

# The man page of a scenario's export, and what its ERRORS section documents: the errors it
# names (P9FD_DOC_ERRNOS) and the system calls whose errors it passes on (P9FD_DOC_CALLS:
# those it cites from section 2, as in "Other errors are the kernel's, as sendmsg(2) ...
# reports them"); a page that refers to sendfd(3) or recvfd(3) for the rest (apue.3)
# documents sendfd.3's too.
page() {
	case $1 in
	p9pipe* | p9framedpipe*) echo man/man3/p9pipe.3 ;;
	sendfdmsg* | recvfdmsg*) echo man/man3/sendfdmsg.3 ;;
	sendfd* | recvfd*) echo man/man3/sendfd.3 ;;
	send_* | recv_*) echo man/man3/apue.3 ;;
	esac
}
errors() {	# errors PAGE: the ERRORS section's words, sendfd.3's with it where it refers to it
	local section
	section=$(awk '/^\.SH ERRORS/ { on = 1; next } /^\.SH/ { on = 0 } on' "$1")
	echo "$section"
	if [ "$1" != man/man3/sendfd.3 ] && echo "$section" | grep -Eq '^\.IR (send|recv)fd \(3\)'; then
		errors man/man3/sendfd.3
	fi
}
doc() {	# doc SCENARIO: sets P9FD_DOC_ERRNOS and P9FD_DOC_CALLS
	local words
	words=$(errors "$(page "$1")")
	P9FD_DOC_ERRNOS=" $(echo "$words" | grep -oE '\bE[A-Z0-9]{2,}\b' | sort -u | tr '\n' ' ')"
	P9FD_DOC_CALLS=" $(echo "$words" | sed -n 's/^\.IR \([a-z_]*\) (2).*/\1/p' | sort -u | tr '\n' ' ')"
	export P9FD_DOC_ERRNOS P9FD_DOC_CALLS
}

# run SCENARIO CALL ERRNO WHEN [CLOSED]: one injected run; it must pass, and strace must have
# injected exactly once
run() {
	local log=$out/$1.$2.$4.$3.log
	env P9FD_FAULT="$2:$3" ${5:+P9FD_FAULT_CLOSED="$5"} strace -qq -o "$log" -e trace="$2" \
		-e inject="$2":error="$3":when="$4" "$out/driver" "$1" || return 1
	[ "$(grep -c '(INJECTED)$' "$log")" -eq 1 ] || { echo "injected $(grep -c '(INJECTED)$' "$log") times"; return 1; }
}

uninjected() {
	strace -qq -o "$out/$1.calls" "$out/driver" "$1"
}

for s in $("$out/driver" list); do
	doc "$s"
	echo "$s: $(page "$s") names$P9FD_DOC_ERRNOS; passes on the errors of$P9FD_DOC_CALLS"
	check "$s: uninjected" uninjected "$s"
	# the calls between the markers: name, its count from the start, and close's descriptor
	awk '
		{ name = $0; sub(/\(.*/, "", name) }
		name == "getppid" { inside = !inside; next }
		{ n[name]++ }
		inside && name !~ /^(getpid|geteuid|getegid)$/ {
			arg = ""; if(name == "close"){ arg = $0; sub(/^close\(/, "", arg); sub(/\).*/, "", arg) }
			print name, n[name], arg
		}' "$out/$s.calls" > "$out/$s.points"
	[ -s "$out/$s.points" ] || check "$s: makes system calls" false
	while read -r call when arg; do
		for e in $(errnos "$call"); do
			check "$s: $call #$when $e" run "$s" "$call" "$e" "$when" "$arg"
		done
	done < "$out/$s.points"
done
summary
