//! DragonFly BSD: FreeBSD's descendant, with its own receive path (`sys/kern/uipc_usrreq.c`:
//! `unp_internalize`, `unp_externalize`; `sys/kern/uipc_socket.c`: `soreceive`). Modelled in
//! `tests/models/dragonfly.rs`; type-checked, never run.
//!
//! - Layout: FreeBSD's (a 12-byte header, data at 16, an 8-byte unit on x86_64).
//! - A send's control area is at most MLEN bytes (`uipc_syscalls.c` `sys_sendmsg`: EINVAL
//!   beyond; MLEN, an mbuf's own room, was not computed here) and exactly one message
//!   (`unp_internalize` refuses, EINVAL, a control area whose first message's CMSG_ALIGN is not
//!   its whole length; read at DragonFlyBSD commits 002c1265 and b5523eac); at most 254
//!   descriptors (E2BIG beyond). p9fd sends one message of at most 253; a send of more than
//!   MLEN allows fails EINVAL, nothing sent (sendfdmsg(3), BUGS).
//! - Ownership (`Owns`): `unp_internalize` translates only the first message; should a kernel
//!   accept more, a rights message after the first would hold the sender's raw numbers, so
//!   p9fd owns the first message's numbers only (`first_only`).
//! - A full table: `unp_externalize` fails with EMSGSIZE, having disposed of the descriptors.
//!   `soreceive` then copies no data; on a PR_ATOMIC socket (datagram, and seqpacket:
//!   `uipc_proto.c`) it drops the rest of the record, on a stream the data stays queued. p9fd
//!   says EMFILE and receives nothing more: the next receive reads a stream's data without
//!   its descriptors.
//! - A control buffer too small (`uipc_syscalls.c` `sys_recvmsg`): the control mbufs, whose
//!   descriptors `soreceive` has installed, are copied raw as far as they fit, MSG_CTRUNC,
//!   `msg_controllen` the bytes copied, the rest left installed (as xnu). The whole numbers
//!   of a cut message are installed ones, so p9fd closes them (`Cut::Partial`); p9fd's buffer
//!   holds 254, the most a message carries, so only a foreign sender's queued stream
//!   messages gathered together could be cut, and those are not (a stream receive stops at a
//!   control message).
//! - MSG_CMSG_CLOEXEC, atomic; MSG_NOSIGNAL.
//! - Credentials: a socketpair has no peer credentials (getpeereid: ENOTCONN on stream and
//!   seqpacket, EINVAL on datagram); a socket connected by name has them, without a pid.
//! - Stream framing: later writes are appended to the record that carried the descriptors.

use super::{Cloexec, Cut, FullTable, Layout, Owns, Records, Sigpipe, System};

pub(crate) const SYSTEM: System = System {
    layout: Layout::socklen(8),
    max_send: 253,
    full_table: FullTable::Fails {
        errno: libc::EMSGSIZE,
    },
    owns: Owns {
        cut: Cut::Partial,
        first_only: true,
    },
    cloexec: Cloexec::Atomic,
    sigpipe: Sigpipe::Flag,
    records: Records::Atomic,
    socketpair_cloexec: true,
    send_nbio: false,
};

/// The most DragonFly delivers in one message fits p9fd's receive buffer.
const _: () = assert!(SYSTEM.layout.space(254 * 4) <= super::RECV_SPACE);

#[cfg(target_os = "dragonfly")]
pub(crate) use imp::*;

#[cfg(target_os = "dragonfly")]
mod imp {
    use core::ffi::c_int;

    pub(crate) use super::super::no_message_creds::*;
    pub(crate) use super::super::peereid::peer_creds;
    pub(in crate::sys) use super::super::usual::*;

    /// The libc crate knows DragonFly's layout.
    pub(in crate::sys) const LIBC_LAYOUT_WRONG: bool = false;

    pub(in crate::sys) unsafe fn errno_location() -> *mut c_int {
        // SAFETY: no precondition; the C library returns this thread's errno.
        unsafe { libc::__errno_location() }
    }

    pub(in crate::sys) const CMSG_CLOEXEC: c_int = libc::MSG_CMSG_CLOEXEC;
    pub(in crate::sys) const SOCK_CLOEXEC: c_int = libc::SOCK_CLOEXEC;
}
