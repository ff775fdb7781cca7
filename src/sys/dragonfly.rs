//! DragonFly BSD: FreeBSD's descendant, with its own receive path (`sys/kern/uipc_usrreq.c`:
//! `unp_internalize`, `unp_externalize`; `sys/kern/uipc_socket.c`: `soreceive`). Modelled in
//! `tests/models/dragonfly.rs`; type-checked, never run.
//!
//! - Layout: FreeBSD's (a 12-byte header, data at 16, an 8-byte unit on x86_64).
//! - At most 254 descriptors a message (E2BIG beyond); of several SCM_RIGHTS messages in one
//!   send only the first is delivered. p9fd sends one of at most 253.
//! - A full table: `unp_externalize` fails with EMSGSIZE, having disposed of the descriptors.
//!   `soreceive` then copies no data; on a PR_ATOMIC socket (datagram, and seqpacket:
//!   `uipc_proto.c`) it drops the rest of the record, on a stream the data stays queued. p9fd
//!   says EMFILE and receives nothing more: the next receive reads a stream's data without
//!   its descriptors. A control buffer too small is EMSGSIZE too (CPython issue 154240);
//!   p9fd's holds more than 254.
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
        cut: Cut::WholeOnly,
        first_only: false,
    },
    cloexec: Cloexec::Atomic,
    sigpipe: Sigpipe::Flag,
    records: Records::Atomic,
    socketpair_cloexec: true,
};

/// The most DragonFly delivers in one message fits p9fd's receive buffer: a buffer too small
/// is an EMSGSIZE there that looks like a full table's.
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
