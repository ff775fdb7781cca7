//! DragonFly BSD, modelled from `sys/kern/uipc_usrreq.c` (`unp_internalize`: the first of
//! several SCM_RIGHTS messages kept, E2BIG past 254; `unp_externalize`: EMSGSIZE when
//! `fdalloc` fails, the descriptors disposed of; `msg_controllen` ends at CMSG_LEN; a
//! socketpair records no peer credentials), `sys/kern/uipc_socket.c` (`soreceive`: the stream
//! byte stays queued, a datagram is dropped) and CPython issue 154240 (a control buffer too
//! small is EMSGSIZE, not MSG_CTRUNC).

use super::{Behaviour, Spec, TooSmall, common};
use crate::sys::{self, Creds, Errno, Result, System};

pub(super) struct DragonFly;

fn peer(ty: libc::c_int) -> Result<Creds> {
    match ty {
        libc::SOCK_DGRAM => Err(Errno(libc::EINVAL)),
        _ => Err(Errno(libc::ENOTCONN)),
    }
}

impl Spec for DragonFly {
    const SYSTEM: System = sys::dragonfly::SYSTEM;
    const KERNEL: Behaviour = Behaviour {
        returns_space: false,
        delivers_all_rights: false,
        too_small: TooSmall::Fails,
        full: Some((libc::EMSGSIZE, [true, false, true])),
        honours_cloexec: true,
        null_control_leaks: false,
        gathers: true,
        types: [true, true, true],
        peer,
    };
}

#[test]
fn common_cases() {
    common::<DragonFly>();
}
