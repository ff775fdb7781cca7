//! FreeBSD: how it differs from Linux in descriptor passing, from its kernel's sources
//! (FreeBSD 15, `sys/kern/uipc_usrreq.c`: `unp_internalize`, `unp_externalize`,
//! `uipc_soreceive_stream_or_seqpacket`, `uipc_soreceive_dgram`, `uipc_ctloutput`;
//! `sys/kern/kern_descrip.c`: `fdallocn`).
//! Modelled in `tests/models/freebsd.rs`; type-checked, never run.
//!
//! - Layout: a 12-byte header, data at 16 and an 8-byte unit on 64-bit (`_ALIGNBYTES` is
//!   `sizeof(long) - 1`, `sizeof(long long) - 1` on arm64 and riscv); 12 and 4 on 32-bit.
//! - A message may carry as many descriptors as their file pointers fit one cluster
//!   (`unp_internalize`: `CMSG_SPACE(n * sizeof(void *)) > MCLBYTES` is EMSGSIZE): 254 on
//!   64-bit, 509 on 32-bit. One send may carry several SCM_RIGHTS messages, delivered as
//!   several; p9fd sends one of at most 253. A receive of more than
//!   its control buffer holds is cut by the kernel, which closes the descriptors of a message
//!   it could not copy whole: MSG_CTRUNC, reported as EMSGSIZE (a full table is not a cut here).
//! - A full table: `unp_externalize` fails with EMFILE, having disposed of the descriptors. A
//!   datagram is gone (`uipc_soreceive_dgram` dequeued it first). On a stream or seqpacket
//!   socket the data was dequeued first too, and is linked back to the head of the queue,
//!   unless the sender refilled the buffer meanwhile ("Losing data!": freed). p9fd says
//!   EMFILE and receives nothing more: the next receive reads that data without its
//!   descriptors, or the next message.
//! - Seqpacket, FreeBSD 15 (`Records::MarkedFrom`): a record ends only where its sender
//!   passed MSG_EOR (`uipc_sosend_stream_or_seqpacket` sets M_EOR then and only then), so
//!   p9fd sends with MSG_EOR from release 15 (`kern.osrelease`, read once a process). A record
//!   longer than the buffer comes back without MSG_TRUNC and without MSG_EOR, the rest left
//!   queued: a receive whose buffer came back full without MSG_EOR asks SO_TYPE (one
//!   getsockopt, on that path only), and on a seqpacket socket drains the record's rest and
//!   says EMSGSIZE, as elsewhere. A foreign sender that does not pass MSG_EOR has no record
//!   boundaries at all there (sendfdmsg(3), BUGS). FreeBSD 14 and older: one record a send,
//!   MSG_TRUNC, as every other system.
//! - The 32-bit compat path (`freebsd32_copy_msg_out`) leaves a cut message's header, and a
//!   later message, inside `msg_controllen`: `Cut::WholeOnly` makes p9fd own nothing from a
//!   cut message on, so it never closes those numbers (docs/kernels.md).
//! - MSG_CMSG_CLOEXEC, atomic; MSG_NOSIGNAL.
//! - Credentials: no message carries the sender's unasked; LOCAL_PEERCRED (`xucred`, with
//!   `cr_pid` since FreeBSD 13) names the peer of a stream or seqpacket socket only: EINVAL on
//!   a datagram socket.
//! - Stream framing: a read gathers bytes up to the next control message, so plain bytes
//!   written after a descriptor can arrive with it.

use super::{Cloexec, Cut, FullTable, Layout, Owns, Records, Sigpipe, System};

/// The layout of a 32-bit process (i386, armv7, powerpc), natively or on a 64-bit kernel's
/// compat path.
#[cfg(test)]
pub(crate) const ILP32: Layout = Layout::socklen(4);

/// The padding unit: `_ALIGNBYTES + 1`.
const UNIT: usize = if cfg!(target_pointer_width = "64") {
    8
} else {
    4
};

pub(crate) const SYSTEM: System = System {
    layout: Layout::socklen(UNIT),
    max_send: 253,
    full_table: FullTable::Fails {
        errno: libc::EMFILE,
    },
    owns: Owns {
        cut: Cut::WholeOnly,
        first_only: false,
    },
    cloexec: Cloexec::Atomic,
    sigpipe: Sigpipe::Flag,
    records: Records::MarkedFrom { release: 15 },
    socketpair_cloexec: true,
    send_nbio: false,
};

#[cfg(target_os = "freebsd")]
pub(crate) use imp::*;

#[cfg(target_os = "freebsd")]
mod imp {
    use core::ffi::c_int;

    pub(crate) use super::super::no_message_creds::*;
    pub(in crate::sys) use super::super::osrelease::release;
    pub(in crate::sys) use super::super::usual::*;
    use super::super::{Creds, Errno, Result, getsockopt};

    /// The libc crate knows FreeBSD's layout.
    pub(in crate::sys) const LIBC_LAYOUT_WRONG: bool = false;

    pub(in crate::sys) unsafe fn errno_location() -> *mut c_int {
        // SAFETY: no precondition; the C library returns this thread's errno.
        unsafe { libc::__error() }
    }

    pub(in crate::sys) const CMSG_CLOEXEC: c_int = libc::MSG_CMSG_CLOEXEC;
    pub(in crate::sys) const SOCK_CLOEXEC: c_int = libc::SOCK_CLOEXEC;

    /// LOCAL_PEERCRED: uid, first group and (FreeBSD 13 and later; 0 before) pid.
    #[cfg_attr(not(any(feature = "apue", feature = "std")), allow(dead_code))]
    pub(crate) fn peer_creds(sock: c_int) -> Result<Creds> {
        let x: libc::xucred = getsockopt(sock, libc::SOL_LOCAL, libc::LOCAL_PEERCRED)?;
        if x.cr_version != libc::XUCRED_VERSION || x.cr_ngroups < 1 {
            return Err(Errno(libc::EINVAL));
        }
        // SAFETY: the union holds the pid since FreeBSD 13 (and a NULL pointer, read as 0,
        // before); either way it is an initialised integer's worth of bytes.
        let pid = unsafe { x.cr_pid__c_anonymous_union.cr_pid };
        Ok((pid, x.cr_uid, x.cr_groups[0]))
    }
}
