//! OpenBSD, modelled from `sys/kern/uipc_usrreq.c` 1.221 (`unp_internalize`: one SCM_RIGHTS
//! message a send, each descriptor a 16-byte `struct fdpass` in one 2048-byte cluster, E2BIG
//! past 127; `unp_externalize`: EMSGSIZE when `fdalloc` fails, the descriptors disposed of;
//! a control buffer too small is EMSGSIZE too; `msg_controllen` ends at CMSG_LEN) and
//! `sys/kern/uipc_socket.c` 1.385 (`soreceive`: the stream byte stays queued, a datagram is
//! dropped; later writes appended to the record). SO_PEERCRED answers on every socketpair.

use super::{
    Behaviour, Fate, Model, RecordKind, SeveralRights, Spec, TooSmall, case, common, oracle,
    peer_ok,
};
use crate::sys::{self, Errno, System};

pub(super) struct OpenBsd;

impl Spec for OpenBsd {
    const SYSTEM: System = sys::openbsd::SYSTEM;
    const KERNEL: Behaviour = Behaviour {
        returns_space: false,
        several_rights: SeveralRights::Refused,
        too_small: TooSmall::Fails,
        // soreceive: as NetBSD's; seqpacket is PR_ATOMIC in uipc_proto.c
        full: Some((libc::EMSGSIZE, [Fate::Kept, Fate::Dropped, Fate::Dropped])),
        // unp_externalize: pledge_recvfd, a block device or a directory outside the chroot
        other_failures: &[libc::EPERM],
        records: RecordKind::Atomic,
        honours_cloexec: true,
        null_control_leaks: false,
        gathers: true,
        types: [true, true, true],
        socketpair_cloexec: true,
        peer: peer_ok,
    };
}

#[test]
fn common_cases() {
    common::<OpenBsd>();
}

/// 127 descriptors go; 128 are refused by p9fd with EINVAL before the kernel's E2BIG.
#[test]
fn at_most_127_a_message() {
    assert_eq!(sys::check_send(&OpenBsd::SYSTEM, 127), Ok(()));
    assert_eq!(
        sys::check_send(&OpenBsd::SYSTEM, 128),
        Err(Errno(libc::EINVAL))
    );
    assert_eq!(
        sys::check_send(&OpenBsd::SYSTEM, 253),
        Err(Errno(libc::EINVAL))
    );
}

/// Two SCM_RIGHTS messages in one send: `unp_internalize` takes exactly one (its `cmsg_len`
/// must span the whole control) and refuses the send with EINVAL, so nothing is queued. p9fd
/// sends one, always.
#[test]
fn one_rights_message_a_send() {
    case("several SCM_RIGHTS", || {
        let (r, mut fds) = oracle(3);
        let two = fds.split_off(1);
        let mut k = Model::<OpenBsd>::new(libc::SOCK_STREAM);
        k.send(b"x", vec![fds, two]);
        assert_eq!(k.queued(), 0);
        vec![r]
    });
}

/// One system call per send (MSG_NOSIGNAL: `uipc_syscalls.c` `sendit` raises no SIGPIPE with
/// it) and per receive (MSG_CMSG_CLOEXEC, atomic: `uipc_usrreq.c` `unp_externalize`).
#[test]
fn system_calls_per_pass() {
    let want = super::Calls::one_each(127);
    assert_eq!(super::system_calls::<OpenBsd>(u32::MAX), want);
}
