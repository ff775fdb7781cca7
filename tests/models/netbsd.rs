//! NetBSD, modelled from `sys/kern/uipc_usrreq.c` (`unp_internalize`: of several SCM_RIGHTS
//! messages the first is kept; `unp_externalize`: EMSGSIZE when `fdalloc` fails, the
//! descriptors disposed of; a rights message that does not fit the control buffer is not
//! copied, its descriptors closed, MSG_CTRUNC; `unp_ctloutput`: LOCAL_PEEREID only where
//! `unp_connect` recorded ids, so EINVAL on every socketpair, whose `unp_connect2` records
//! none: what NetBSD 6.99.16 did under qemu, `make check-netbsd-vm`, and 10.99.12's source
//! says; 7.99.34, run as a rump kernel, `make check-rump`, named the creator, docs/kernels.md),
//! `sys/kern/uipc_syscalls.c` (a page of control a send) and
//! `sys/arch/arm/include/cdefs.h` (`__ALIGNBYTES` 15 on aarch64).

use super::{
    Behaviour, Fate, Model, RecordKind, SeveralRights, Spec, TooSmall, case, common, oracle, slots,
};
use crate::pass::{Part, recv_on};
use crate::sys::{self, Creds, Errno, Result, System};

pub(super) struct NetBsd;

/// NetBSD on aarch64: the same kernel, in the layout the libc crate gets wrong.
pub(super) struct NetBsdAarch64;

/// A socketpair has no peer ids, whatever its type.
fn peer(_ty: libc::c_int) -> Result<Creds> {
    Err(Errno(libc::EINVAL))
}

const KERNEL: Behaviour = Behaviour {
    returns_space: true,
    several_rights: SeveralRights::First,
    too_small: TooSmall::DropsWhole,
    // soreceive copies no data after dom_externalize fails, and on a PR_ATOMIC socket
    // (datagram; seqpacket, uipc_proto.c) drops the rest of the record (sbdroprecord).
    full: Some((libc::EMSGSIZE, [Fate::Kept, Fate::Dropped, Fate::Dropped])),
    // unp_externalize: a directory outside the receiver's chroot
    other_failures: &[libc::EPERM],
    records: RecordKind::Atomic,
    honours_cloexec: true,
    null_control_leaks: false,
    gathers: true,
    types: [true, true, true],
    socketpair_cloexec: true,
    peer,
};

impl Spec for NetBsd {
    const SYSTEM: System = sys::netbsd::SYSTEM;
    const KERNEL: Behaviour = KERNEL;
}

impl Spec for NetBsdAarch64 {
    const SYSTEM: System = System {
        layout: sys::netbsd::AARCH64,
        ..sys::netbsd::SYSTEM
    };
    const KERNEL: Behaviour = KERNEL;
}

#[test]
fn common_cases() {
    common::<NetBsd>();
}

#[test]
fn common_cases_aarch64() {
    common::<NetBsdAarch64>();
}

/// Two SCM_RIGHTS messages in one send: the kernel keeps the first and disposes of the rest;
/// p9fd hands out what arrived.
#[test]
fn first_rights_message_only() {
    case("several SCM_RIGHTS", || {
        let (r, mut fds) = oracle(5);
        let two = fds.split_off(3);
        let mut k = Model::<NetBsd>::new(libc::SOCK_STREAM);
        k.send(b"x", vec![fds, two]);
        let mut s = slots(5);
        let got = recv_on(&mut k, 3, &mut [0; 1], &mut s, false, Part::Refused).unwrap();
        assert_eq!(got.0.fds, 3);
        drop(s);
        vec![r]
    });
}

/// 500 descriptors in one message (a page of control takes 1020): more than p9fd's buffer.
/// The kernel copies nothing of it and closes them, MSG_CTRUNC; p9fd says EMSGSIZE.
#[test]
fn more_than_the_buffer_holds() {
    case("500", || {
        let (r, fds) = oracle(500);
        let mut k = Model::<NetBsd>::new(libc::SOCK_DGRAM);
        k.send(b"x", vec![fds]);
        let mut s = slots(253);
        let got = recv_on(&mut k, 3, &mut [0; 1], &mut s, false, Part::Refused);
        assert_eq!(got.unwrap_err(), Errno(libc::EMSGSIZE));
        vec![r]
    });
}

/// One system call per send (MSG_NOSIGNAL: `uipc_syscalls.c` `do_sys_sendmsg_so` raises no
/// SIGPIPE with it) and per receive (MSG_CMSG_CLOEXEC, atomic: `uipc_usrreq.c`
/// `unp_externalize`).
#[test]
fn system_calls_per_pass() {
    let want = super::Calls::one_each(253);
    assert_eq!(super::system_calls::<NetBsd>(u32::MAX), want);
}

/// A send that does not wait (P9FD_DONTWAIT) says MSG_NBIO besides MSG_DONTWAIT, and only that
/// send: NetBSD's `sosend` (`uipc_socket.c`) waits for room unless the socket is non-blocking
/// or the call says MSG_NBIO, whatever MSG_DONTWAIT says (NetBSD 7.99.34 did so, run as a rump
/// kernel, `make check-rump`; 10.99.12's 1.313 reads the same).
#[test]
fn a_send_that_does_not_wait_says_nbio() {
    case("MSG_NBIO", || {
        let (r, fds) = oracle(1);
        let fd = std::os::fd::AsRawFd::as_raw_fd(&fds[0]);
        let mut k = Model::<NetBsd>::new(libc::SOCK_STREAM);
        crate::pass::send_to_on(&mut k, 3, &[0], &[fd], true, None).expect("send");
        crate::pass::send_to_on(&mut k, 3, &[0], &[fd], false, None).expect("send");
        let said = |f: libc::c_int| (f & libc::MSG_DONTWAIT != 0, f & sys::MSG_NBIO != 0);
        let got: Vec<_> = k.sends.iter().map(|&(f, _)| said(f)).collect();
        assert_eq!(got, [(true, true), (false, false)]);
        vec![r]
    });
}
