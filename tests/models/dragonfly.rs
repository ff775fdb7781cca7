//! DragonFly BSD, modelled from `sys/kern/uipc_usrreq.c` (`unp_internalize`, read at commits
//! 002c1265 and b5523eac: a control area of more than one message refused, EINVAL, E2BIG past
//! 254; `unp_externalize`: EMSGSIZE when `fdalloc` fails, the descriptors disposed of;
//! `msg_controllen` ends at CMSG_LEN; a socketpair records no peer credentials),
//! `sys/kern/uipc_socket.c` (`soreceive`: the stream byte stays queued, a datagram is dropped)
//! and `sys/kern/uipc_syscalls.c` (`sys_recvmsg`: a control buffer too small gets the bytes
//! that fit, raw, MSG_CTRUNC, the rest left installed).

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
        several_rights: SeveralRights::Refused,
        too_small: TooSmall::CopiesRaw,
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

/// The most DragonFly delivers, 254 descriptors, fits p9fd's control buffer, so the kernel
/// never cuts one of its messages: with room for 253, p9fd's own EMSGSIZE, all closed, and
/// the next message is untouched.
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

/// Should a DragonFly kernel pass a sender's [SCM_CREDS][SCM_RIGHTS] through, the rights
/// message would hold the sender's own numbers, untranslated (`unp_internalize` looks at the
/// first message only): p9fd owns none of them, and closes none, here the numbers of this
/// process's standard descriptors and of the model's stand-ins. A rights message first is
/// owned as usual.
#[test]
fn rights_after_credentials_are_not_ours() {
    let l = DragonFly::SYSTEM.layout;
    let decoys = [0, 1, 2, 7];
    let rights = |fds: &[libc::c_int]| {
        let mut m = l.header(l.data + 4 * fds.len(), libc::SOL_SOCKET, libc::SCM_RIGHTS);
        m.extend(fds.iter().flat_map(|fd| fd.to_ne_bytes()));
        m.resize(l.space(4 * fds.len()), 0);
        m
    };
    let mut creds = l.header(l.data + 84, libc::SOL_SOCKET, 3);
    creds.resize(l.space(84), 7);
    let after: Vec<u8> = [creds.clone(), rights(&decoys)].concat();
    let owns = DragonFly::SYSTEM.owns;
    assert_eq!(l.owned(&after, owns).count(), 0);
    let first: Vec<u8> = [rights(&decoys), creds].concat();
    let got: Vec<_> = l.owned(&first, owns).map(|(fd, _)| fd).collect();
    assert_eq!(got, decoys);
}

/// One system call per send (MSG_NOSIGNAL, honoured in `sys/kern/uipc_syscalls.c`) and per
/// receive (MSG_CMSG_CLOEXEC, atomic: `uipc_usrreq.c` `unp_externalize`).
#[test]
fn system_calls_per_pass() {
    let want = super::Calls::one_each(253);
    assert_eq!(super::system_calls::<DragonFly>(u32::MAX), want);
}
