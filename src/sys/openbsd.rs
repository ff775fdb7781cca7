//! OpenBSD: how it differs from Linux in descriptor passing, from its kernel's sources
//! (`sys/kern/uipc_usrreq.c` 1.221: `unp_internalize`, `unp_externalize`, `uipc_usrreq`'s
//! PRU_SENSE/peer credentials; `sys/kern/uipc_socket.c`: `soreceive`; `sys/kern/uipc_proto.c`:
//! `unixsw`). Modelled in
//! `tests/models/openbsd.rs`; type-checked, never run.
//!
//! - Layout: a 12-byte header, data at 16 and an 8-byte unit on 64-bit (16 on sparc64);
//!   `msg_controllen` comes back as CMSG_LEN, not CMSG_SPACE.
//! - At most 127 descriptors a message: `unp_internalize` turns each into a 16-byte `struct
//!   fdpass` in one 2048-byte cluster and says E2BIG beyond it. p9fd refuses more with EINVAL,
//!   nothing sent, as it does past 253 elsewhere.
//! - A full table: `unp_externalize` fails with EMSGSIZE, having disposed of the descriptors
//!   (EPERM the same way from `pledge_recvfd`, or for a block device or a directory outside
//!   the chroot). `soreceive` then copies no data; on a PR_ATOMIC socket (datagram, and
//!   seqpacket) it drops the rest of the record, on a stream the data stays queued. p9fd says
//!   EMFILE (EPERM as it is) and receives nothing more: the next receive reads a stream's
//!   data without its descriptors.
//! - MSG_CMSG_CLOEXEC, atomic; MSG_NOSIGNAL.
//! - One SCM_RIGHTS message a send: several are EINVAL. A control buffer too small for what
//!   arrived is EMSGSIZE, its descriptors closed; p9fd's holds more than 127.
//! - Credentials: SO_PEERCRED (`sockpeercred`, with pid) on every socketpair, datagram
//!   included; ENOTCONN on a datagram socket connected by name.
//! - Stream framing: later writes are appended to the record that carried the descriptors.
//! - The in-flight limit is EMFILE, not Linux's ETOOMANYREFS.

use super::{Cloexec, Cut, FullTable, Layout, Owns, Records, Sigpipe, System};

/// The padding unit: `_ALIGNBYTES + 1`.
const UNIT: usize = if cfg!(target_arch = "sparc64") {
    16
} else if cfg!(target_arch = "x86") {
    4
} else {
    8 // `sizeof(long)` on 64-bit, `sizeof(double)` on arm and powerpc
};

pub(crate) const SYSTEM: System = System {
    layout: Layout::socklen(UNIT),
    max_send: 127,
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
    send_nbio: false,
};

/// The most OpenBSD delivers in one message fits p9fd's receive buffer: a buffer too small
/// is an EMSGSIZE there that looks like a full table's.
const _: () = assert!(SYSTEM.layout.space(127 * 4) <= super::RECV_SPACE);

#[cfg(target_os = "openbsd")]
pub(crate) use imp::*;

#[cfg(target_os = "openbsd")]
mod imp {
    use core::ffi::c_int;

    pub(crate) use super::super::no_message_creds::*;
    pub(in crate::sys) use super::super::usual::*;
    use super::super::{Creds, Result, getsockopt};

    /// The libc crate knows OpenBSD's layout.
    pub(in crate::sys) const LIBC_LAYOUT_WRONG: bool = false;

    pub(in crate::sys) unsafe fn errno_location() -> *mut c_int {
        // SAFETY: no precondition; the C library returns this thread's errno.
        unsafe { libc::__errno() }
    }

    pub(in crate::sys) const CMSG_CLOEXEC: c_int = libc::MSG_CMSG_CLOEXEC;
    pub(in crate::sys) const SOCK_CLOEXEC: c_int = libc::SOCK_CLOEXEC;

    /// SO_PEERCRED: uid, gid and pid.
    #[cfg_attr(not(any(feature = "apue", feature = "std")), allow(dead_code))]
    pub(crate) fn peer_creds(sock: c_int) -> Result<Creds> {
        let c: libc::sockpeercred = getsockopt(sock, libc::SOL_SOCKET, libc::SO_PEERCRED)?;
        Ok((c.pid, c.uid, c.gid))
    }
}
