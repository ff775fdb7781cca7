#!/bin/sh
# What the library asks of the kernel, seen with strace: every sendmsg has MSG_NOSIGNAL, no
# recvmsg peeks, MSG_CMSG_CLOEXEC only when asked; and faults injected deterministically
# (strace skips the real call, so nothing is lost): EINTR on recvmsg, EAGAIN on sendmsg.
# Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-target/release}
CC=${CC:-cc}
STATIC_LIBS=${STATIC_LIBS:-$(cat "$BUILD/native-static-libs")}
out=target/c-tests/syscalls
mkdir -p $out
# shellcheck source=c-tests/check.sh
. c-tests/check.sh
# shellcheck disable=SC2086
$CC -std=c99 -Wall -Wextra -Werror -Iinclude -o $out/probe c-tests/syscalls/probe.c \
	"$BUILD/libp9fd.a" $STATIC_LIBS || exit 1

audit() {
	strace -qq -e trace=sendmsg,recvmsg -o $out/calls.log $out/probe calls || return 1
	cat $out/calls.log
	[ "$(grep -c '^sendmsg(' $out/calls.log)" -eq 2 ] &&
		[ "$(grep '^sendmsg(' $out/calls.log | grep -c 'MSG_NOSIGNAL')" -eq 2 ] &&
		[ "$(grep -c '^recvmsg(' $out/calls.log)" -eq 2 ] &&
		! grep -q 'MSG_PEEK' $out/calls.log &&
		[ "$(grep '^recvmsg(' $out/calls.log | grep -c 'MSG_CMSG_CLOEXEC) = ')" -eq 1 ]
}
check "sendmsg always MSG_NOSIGNAL; recvmsg never MSG_PEEK; MSG_CMSG_CLOEXEC when asked" audit
# The pass and the batch above make no other call (docs/benchmarks.md, "System calls"): no
# setsockopt, getsockopt or fcntl, so one sendmsg and one recvmsg each.
only() {
	strace -qq -e trace=setsockopt,getsockopt,fcntl -o $out/others.log $out/probe calls || return 1
	cat $out/others.log
	[ ! -s $out/others.log ]
}
check "a pass and a batch: no setsockopt, getsockopt or fcntl" only
check "injected EINTR on recvmsg: EINTR, then the descriptor" \
	strace -qq -o /dev/null -e trace=recvmsg -e inject=recvmsg:error=EINTR:when=1 $out/probe eintr
check "injected EAGAIN on sendmsg: EAGAIN, then exactly one sent" \
	strace -qq -o /dev/null -e trace=sendmsg -e inject=sendmsg:error=EAGAIN:when=1 $out/probe eagain
summary
