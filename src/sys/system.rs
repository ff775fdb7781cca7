//! What a kernel does where the receive must know it, as data: the layout of its control
//! messages and the few behaviours that differ between systems. Each family's file
//! (`linux.rs`, `freebsd.rs`, ...) states its own from its kernel's sources; the plumbing and
//! the core read them, and the kernel models (`tests/models/`) run the same core against every
//! system's facts on any host.

use core::ffi::c_int;

/// A control-message layout: where `cmsg_len`, `cmsg_level` and the data lie, and the padding
/// unit (`CMSG_ALIGN`'s).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// `sizeof(struct cmsghdr)`.
    pub hdr: usize,
    /// Where a message's data starts: `CMSG_LEN(0)`.
    pub data: usize,
    /// The padding unit: a message's data is padded to a multiple of it, so the next header
    /// starts at `align(cmsg_len)`.
    pub align: usize,
    /// Where `cmsg_len` lies, and its size as the kernel writes it.
    pub len_at: usize,
    /// 4 (`socklen_t`) or 8 (`size_t`).
    pub len_size: usize,
    /// Where `cmsg_level` lies; `cmsg_type` follows it.
    pub level_at: usize,
}

impl Layout {
    /// The BSDs', macOS's and illumos's header: a `socklen_t` length, then level and type
    /// (12 bytes), its data at the header's size rounded up to `unit`, padded to `unit`.
    pub const fn socklen(unit: usize) -> Layout {
        Layout {
            hdr: 12,
            data: (12 + unit - 1) & !(unit - 1),
            align: unit,
            len_at: 0,
            len_size: 4,
            level_at: 4,
        }
    }

    /// `CMSG_ALIGN`: `n` rounded up to the padding unit.
    pub const fn align(self, n: usize) -> usize {
        (n + self.align - 1) & !(self.align - 1)
    }

    /// `CMSG_SPACE`: room one control message with `n` data bytes takes, padding included.
    pub const fn space(self, n: usize) -> usize {
        self.data + self.align(n)
    }

    /// Whether the layout is one a kernel can have (checked at compile time for every system).
    pub const fn is_sane(self) -> bool {
        self.align.is_power_of_two()
            && self.data.is_multiple_of(self.align)
            && self.data >= self.hdr
            && (self.len_size == 4 || self.len_size == 8)
            && self.len_at + self.len_size <= self.level_at
            && self.level_at + 8 <= self.hdr
    }

    /// The `cmsg_len` of the header at the start of `hdr`; `None` if `hdr` is shorter than a
    /// header.
    #[inline(always)]
    pub fn cmsg_len(self, hdr: &[u8]) -> Option<usize> {
        let b = hdr
            .get(..self.hdr)?
            .get(self.len_at..self.len_at + self.len_size)?;
        match *b {
            [a, b, c, d] => Some(u32::from_ne_bytes([a, b, c, d]) as usize),
            _ => usize::try_from(u64::from_ne_bytes(b.try_into().ok()?)).ok(),
        }
    }

    /// A header in this layout, for tests: `data` bytes, with `cmsg_len`, level and type in
    /// their places and zeros elsewhere.
    #[cfg(test)]
    pub(crate) fn header(self, cmsg_len: usize, level: c_int, kind: c_int) -> Vec<u8> {
        let mut h = vec![0u8; self.data];
        let (at, n) = (self.len_at, self.len_size);
        match n {
            4 => h[at..at + 4].copy_from_slice(&(cmsg_len as u32).to_ne_bytes()),
            _ => h[at..at + 8].copy_from_slice(&(cmsg_len as u64).to_ne_bytes()),
        }
        h[self.level_at..self.level_at + 4].copy_from_slice(&level.to_ne_bytes());
        h[self.level_at + 4..self.level_at + 8].copy_from_slice(&kind.to_ne_bytes());
        h
    }
}

/// How a kernel reports a receive whose descriptors it cannot install (the receiver's table
/// is full).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(dead_code)] // each system has one of them
pub(crate) enum FullTable {
    /// The data arrives, with MSG_CTRUNC and none of the descriptors (Linux).
    Ctrunc,
    /// `recvmsg` fails with `errno`, having disposed of the descriptors; p9fd says EMFILE and
    /// receives nothing more. Whether the message's data is still queued is the kernel's
    /// business, and differs by socket type and path (docs/kernels.md).
    Fails { errno: c_int },
}

/// What a kernel copies out when the control messages it holds for a receive do not all fit
/// the caller's buffer (MSG_CTRUNC), and so which numbers in the bytes it returns are
/// descriptors installed for this call: the fact [`Layout::owned`] reads, the one place that
/// decides what a receive may close or hand out.
///
/// A message "cut" is one whose `cmsg_len` runs past `msg_controllen`. Numbers in whole
/// messages are the kernel's installs on every system; the systems differ only over a cut one.
/// Where a system's kernel (or a compat layer a build cannot tell from it) may leave a cut
/// header over bytes that are not its descriptors, the fact is [`Cut::WholeOnly`]: a number
/// p9fd cannot prove it owns is never closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(dead_code)] // each system has one of them
pub enum Cut {
    /// Only whole messages carry descriptors of this call: a cut message's ints, and all
    /// after it, are not descriptors p9fd owns, and are neither closed nor handed out. The
    /// kernel installs only what it copies whole (Linux's `scm_detach_fds` shortens its one
    /// message to the descriptors it installed), or closes what it does not copy whole
    /// (FreeBSD's `kern_recvit`, NetBSD's `copyout_msg_control`); FreeBSD's 32-bit compat
    /// `freebsd32_copy_msg_out` copies the cut message's header and then later messages whose
    /// descriptors it has already closed.
    WholeOnly,
    /// The message that does not fit is copied as far as the buffer goes, and every whole int
    /// of it within `msg_controllen` is a descriptor installed for this call (xnu's
    /// `copyout_control`; illumos's `recvit`, which closes those past the buffer). The walk
    /// ends with it.
    Partial,
}

/// Which numbers of a received control area are descriptors installed for this call, as a
/// system states it: the facts [`Layout::owned`] reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Owns {
    /// What the kernel leaves of a message that does not fit.
    pub cut: Cut,
    /// Whether only the area's first message can be SCM_RIGHTS the kernel installed: where a
    /// sender's rights message after another control message would travel as the sender's
    /// raw numbers, never installed (DragonFly's `unp_internalize` translates the first
    /// message only, returning at once for SCM_CREDS; the versions read also refuse a second
    /// message, and this fact keeps p9fd safe should one not).
    pub first_only: bool,
}

/// How a received descriptor is made close-on-exec when the caller asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(dead_code)] // each system has one of them
pub(crate) enum Cloexec {
    /// MSG_CMSG_CLOEXEC: atomically, by the kernel as it installs them.
    Atomic,
    /// MSG_CMSG_CLOEXEC, which some releases ignore without an error (illumos before 2024):
    /// asked of the kernel and then set with fcntl as well, so that it always holds, atomically
    /// where the kernel honours the flag.
    AtomicWhereHonoured,
    /// No such flag: fcntl right after receipt, not atomic (a fork and exec in another thread
    /// in between inherits the descriptor).
    AfterReceipt,
}

/// How a send keeps the kernel from raising SIGPIPE when the peer is gone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(dead_code)] // each system has one of them
pub(crate) enum Sigpipe {
    /// MSG_NOSIGNAL on the send: one system call.
    Flag,
    /// MSG_NOSIGNAL from the kernel release `release` on (its major number, as
    /// `kern.osrelease` gives it), found by a check made once per process; on an older
    /// kernel, which ignores the flag, SO_NOSIGPIPE is set on the socket before each send:
    /// two system calls.
    FlagFrom { release: u32 },
}

/// What a seqpacket record is to the kernel, and so how a receive too short for one is told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(dead_code)] // each system has one of them
pub(crate) enum Records {
    /// One send is one record (PR_ATOMIC), and a receive too short for it says MSG_TRUNC and
    /// discards the rest: every system but FreeBSD 15.
    Atomic,
    /// From the kernel release `release` on (FreeBSD 15: `uipc_sosend_stream_or_seqpacket`,
    /// `uipc_soreceive_stream_or_seqpacket`), a seqpacket socket is a stream with record marks:
    /// a record ends where its sender passed MSG_EOR (and nowhere else: unmarked sends run
    /// together), a receive that ends one says MSG_EOR, and one too short for it returns what
    /// fits with neither flag, the rest left queued. p9fd sends with MSG_EOR there (on every
    /// socket type: a stream takes it as the end of a read, a datagram ignores it), and a
    /// receive whose buffer came back full without MSG_EOR on a seqpacket socket is a cut
    /// record: EMSGSIZE as elsewhere, the rest of the record discarded. Before that release
    /// (one record a send, MSG_TRUNC, as [`Records::Atomic`]; a stream refuses MSG_EOR with
    /// EINVAL) nothing is added.
    MarkedFrom { release: u32 },
}

/// One system's facts.
#[derive(Clone, Copy, Debug)]
pub(crate) struct System {
    /// The control-message layout on this architecture.
    pub layout: Layout,
    /// Most descriptors one message may carry: more is EINVAL from p9fd, nothing sent.
    pub max_send: usize,
    /// How a full descriptor table is reported.
    pub full_table: FullTable,
    /// Which numbers of a control area are descriptors this call owns.
    pub owns: Owns,
    /// How close-on-exec on receipt is had.
    pub cloexec: Cloexec,
    /// How a send avoids SIGPIPE.
    pub sigpipe: Sigpipe,
    /// What a seqpacket record is.
    pub records: Records,
    /// Whether `socketpair` takes SOCK_CLOEXEC, making both ends close-on-exec atomically;
    /// where not (macOS), p9fd sets it with fcntl on each end right after, which is not atomic.
    pub socketpair_cloexec: bool,
    /// Whether a send that does not wait (P9FD_DONTWAIT) needs [`MSG_NBIO`](super::MSG_NBIO)
    /// besides MSG_DONTWAIT: NetBSD, whose `sosend` waits for room unless the socket is
    /// non-blocking or the call says MSG_NBIO (`uipc_socket.c`), whatever MSG_DONTWAIT says.
    pub send_nbio: bool,
}
