//! macOS, modelled from xnu-11417.121.6: `bsd/kern/uipc_syscalls.c` (`sockargs`: the doubled
//! control size capped at MCLBYTES, so 254 descriptors; `copyout_control`: what does not fit
//! copied raw, `cmsg_len` left long, MSG_CTRUNC, the rest left installed), `uipc_usrreq.c`
//! (`unp_externalize`: all installed first, EMSGSIZE when `fdalloc` fails with the descriptors
//! disposed of; `unp_connect2`: peer credentials for SOCK_STREAM only, LOCAL_PEERCRED EINVAL
//! on a datagram socket), `uipc_socket.c` (`soreceive`: the data left queued on that error,
//! stream and datagram; without a control buffer the descriptors stay installed) and
//! `uipc_proto.c` (no SOCK_SEQPACKET). No MSG_CMSG_CLOEXEC.

use super::{
    Behaviour, Fate, Model, SeveralRights, Spec, TooSmall, case, common, oracle,
    peer_not_on_datagrams, slots,
};
use crate::pass::{Part, recv_on};
use crate::sys::{self, Errno, System};

pub(super) struct Apple;

impl Spec for Apple {
    const SYSTEM: System = sys::apple::SYSTEM;
    const KERNEL: Behaviour = Behaviour {
        returns_space: true,
        several_rights: SeveralRights::First,
        too_small: TooSmall::CopiesRaw,
        // soreceive_ctl fails, soreceive goes to release: the data stays queued
        full: Some((libc::EMSGSIZE, [Fate::Kept, Fate::Kept, Fate::Dropped])),
        // unp_externalize: kalloc_data (ENOMEM), fdalloc (EMFILE past fdt_available_locked)
        other_failures: &[libc::ENOMEM, libc::EMFILE],
        splits_records: false,
        honours_cloexec: false,
        null_control_leaks: true,
        gathers: true,
        types: [true, true, false],
        peer: peer_not_on_datagrams,
    };
}

#[test]
fn common_cases() {
    common::<Apple>();
}

/// The most xnu delivers, 254 descriptors, fits p9fd's control buffer: nothing is left
/// installed unseen (as `copyout_control` would leave it past a smaller buffer), and with
/// room for 253, EMSGSIZE and all 254 closed.
#[test]
fn the_most_xnu_delivers_fits() {
    case("254", || {
        let (r, fds) = oracle(254);
        let mut k = Model::<Apple>::new(libc::SOCK_STREAM);
        k.send(b"x", vec![fds]);
        let mut s = slots(253);
        let got = recv_on(&mut k, 3, &mut [0; 1], &mut s, true, Part::Refused);
        assert_eq!(got.unwrap_err(), Errno(libc::EMSGSIZE));
        assert!(k.leaked.is_empty());
        vec![r]
    });
}

/// Close-on-exec is asked of nobody (no flag) and set after receipt.
#[test]
fn cloexec_without_the_flag() {
    case("cloexec", || {
        let (r, fds) = oracle(1);
        let mut k = Model::<Apple>::new(libc::SOCK_STREAM);
        k.send(&[0], vec![fds]);
        drop(crate::pass::recv_fd_on(&mut k, 3, true).unwrap());
        assert_eq!(k.flags, [0]);
        vec![r]
    });
}
