//! DragonFly BSD, modelled from `sys/kern/uipc_usrreq.c` (`unp_internalize`: the first of
//! several SCM_RIGHTS messages kept, E2BIG past 254; `unp_externalize`: EMSGSIZE when
//! `fdalloc` fails, the descriptors disposed of; `msg_controllen` ends at CMSG_LEN; a
//! socketpair records no peer credentials), `sys/kern/uipc_socket.c` (`soreceive`: the stream
//! byte stays queued, a datagram is dropped) and CPython issue 154240 (a control buffer too
//! small is EMSGSIZE, not MSG_CTRUNC).

use super::{
    Behaviour, Fate, Model, RecordKind, SeveralRights, Spec, TooSmall, case, common, oracle, slots,
};
use crate::pass::{Part, recv_on};
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
        several_rights: SeveralRights::First,
        too_small: TooSmall::Fails,
        // soreceive: as NetBSD's; seqpacket is PR_ATOMIC in uipc_proto.c
        full: Some((libc::EMSGSIZE, [Fate::Kept, Fate::Dropped, Fate::Dropped])),
        other_failures: &[],
        records: RecordKind::Atomic,
        honours_cloexec: true,
        null_control_leaks: false,
        gathers: true,
        types: [true, true, true],
        socketpair_cloexec: true,
        peer,
    };
}

#[test]
fn common_cases() {
    common::<DragonFly>();
}

/// The most DragonFly delivers, 254 descriptors, fits p9fd's control buffer, so the kernel's
/// EMSGSIZE for a buffer too small (which would look like a full table's) never comes: with
/// room for 253, p9fd's own EMSGSIZE, all closed, and the next message is untouched.
#[test]
fn the_most_dragonfly_delivers_fits() {
    case("254", || {
        let (r, mut fds) = oracle(255);
        let next = fds.split_off(254);
        let mut k = Model::<DragonFly>::new(libc::SOCK_STREAM);
        k.send(b"x", vec![fds]);
        k.send(b"y", vec![next]);
        let mut s = slots(253);
        let got = recv_on(&mut k, 3, &mut [0; 1], &mut s, false, Part::Refused);
        assert_eq!(got.unwrap_err(), Errno(libc::EMSGSIZE));
        assert_eq!(k.queued(), 1);
        let got = recv_on(&mut k, 3, &mut [0; 1], &mut s, false, Part::Refused).unwrap();
        assert_eq!(got.0.fds, 1);
        drop(s);
        vec![r]
    });
}

/// One system call per send (MSG_NOSIGNAL, honoured in `sys/kern/uipc_syscalls.c`) and per
/// receive (MSG_CMSG_CLOEXEC, atomic: `uipc_usrreq.c` `unp_externalize`).
#[test]
fn system_calls_per_pass() {
    let want = super::Calls::one_each(253);
    assert_eq!(super::system_calls::<DragonFly>(u32::MAX), want);
}
