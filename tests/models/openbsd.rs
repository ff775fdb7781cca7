//! OpenBSD, modelled from `sys/kern/uipc_usrreq.c` 1.221 (`unp_internalize`: one SCM_RIGHTS
//! message a send, each descriptor a 16-byte `struct fdpass` in one 2048-byte cluster, E2BIG
//! past 127; `unp_externalize`: EMSGSIZE when `fdalloc` fails, the descriptors disposed of;
//! a control buffer too small is EMSGSIZE too; `msg_controllen` ends at CMSG_LEN) and
//! `sys/kern/uipc_socket.c` 1.385 (`soreceive`: the stream byte stays queued, a datagram is
//! dropped; later writes appended to the record). SO_PEERCRED answers on every socketpair.

use super::{Behaviour, Spec, TooSmall, common, peer_ok};
use crate::sys::{self, Errno, System};

pub(super) struct OpenBsd;

impl Spec for OpenBsd {
    const SYSTEM: System = sys::openbsd::SYSTEM;
    const KERNEL: Behaviour = Behaviour {
        returns_space: false,
        delivers_all_rights: true,
        too_small: TooSmall::Fails,
        full: Some((libc::EMSGSIZE, [true, false, true])),
        honours_cloexec: true,
        null_control_leaks: false,
        gathers: true,
        types: [true, true, true],
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

/// One system call per send (MSG_NOSIGNAL) and per receive (MSG_CMSG_CLOEXEC, atomic).
#[test]
fn system_calls_per_pass() {
    let want = super::Calls {
        first_send: 1,
        send: 1,
        recv: 1,
        recv_cloexec: 1,
        batch: 127,
        batch_send: 1,
        batch_recv_cloexec: 1,
    };
    assert_eq!(super::system_calls::<OpenBsd>(u32::MAX), want);
}
