//! Reading the control messages `recvmsg` returned: a pure function of their bytes.
//!
//! Nothing here touches the kernel or a descriptor, so it can be fuzzed with any bytes. It reads
//! only inside the slice it is given (`msg_controllen` bytes), by safe indexing.

use core::ffi::c_int;
use core::mem::{offset_of, size_of};
use std::os::fd::RawFd;

use crate::sys::{HDR, align};

/// `SCM_PIDFD` (Linux 6.5): a pidfd of the sender, installed when the receiver set
/// SO_PASSPIDFD.
pub(crate) const SCM_PIDFD: c_int = 4;

/// One control message: its level, its type and its data (`cmsg_len - HDR` bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cmsg<'a> {
    /// `cmsg_level`, e.g. `SOL_SOCKET`.
    pub level: c_int,
    /// `cmsg_type`, e.g. `SCM_RIGHTS`.
    pub kind: c_int,
    /// The data after the header, as long as `cmsg_len` says.
    pub data: &'a [u8],
}

impl<'a> Cmsg<'a> {
    /// Whether the kernel installed descriptors for this message in the receiver's table, so
    /// that each one must be returned or closed: SCM_RIGHTS and SCM_PIDFD.
    pub fn carries_fds(&self) -> bool {
        self.level == libc::SOL_SOCKET && (self.kind == libc::SCM_RIGHTS || self.kind == SCM_PIDFD)
    }

    /// Whether this is SCM_RIGHTS, the descriptors a peer sent.
    pub fn is_rights(&self) -> bool {
        self.level == libc::SOL_SOCKET && self.kind == libc::SCM_RIGHTS
    }

    /// The descriptor numbers in the data, whole ints only.
    pub fn fds(&self) -> impl Iterator<Item = RawFd> + 'a {
        self.data
            .chunks_exact(size_of::<RawFd>())
            .filter_map(|c| c.try_into().ok().map(RawFd::from_ne_bytes))
    }
}

/// Iterates over control messages, as `CMSG_FIRSTHDR`/`CMSG_NXTHDR` do, but bounds-checked: a
/// header that does not fit, or a `cmsg_len` shorter than a header or longer than what is
/// left, ends the walk.
#[derive(Clone, Debug)]
pub struct Messages<'a> {
    rest: &'a [u8],
}

/// Walks the control area `control`: exactly the `msg_controllen` bytes `recvmsg` returned.
pub fn messages(control: &[u8]) -> Messages<'_> {
    Messages { rest: control }
}

fn int_at(bytes: &[u8], at: usize) -> Option<c_int> {
    let b = bytes.get(at..at + size_of::<c_int>())?;
    Some(c_int::from_ne_bytes(b.try_into().ok()?))
}

fn len_at(bytes: &[u8]) -> Option<usize> {
    // cmsg_len is a size_t (glibc).
    let at = offset_of!(libc::cmsghdr, cmsg_len);
    let b = bytes.get(at..at + size_of::<usize>())?;
    Some(usize::from_ne_bytes(b.try_into().ok()?))
}

impl<'a> Iterator for Messages<'a> {
    type Item = Cmsg<'a>;

    fn next(&mut self) -> Option<Cmsg<'a>> {
        let rest = self.rest;
        self.rest = &[];
        let len = len_at(rest.get(..HDR)?)?;
        if len < HDR || len > rest.len() {
            return None;
        }
        let msg = Cmsg {
            level: int_at(rest, offset_of!(libc::cmsghdr, cmsg_level))?,
            kind: int_at(rest, offset_of!(libc::cmsghdr, cmsg_type))?,
            data: &rest[HDR..len],
        };
        self.rest = rest.get(align(len)..).unwrap_or(&[]);
        Some(msg)
    }
}

/// Why a received message is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// MSG_CTRUNC: the kernel dropped descriptors (the receiver's table is full, or a security
    /// module said no). Reported as EMFILE.
    Truncated,
    /// More SCM_RIGHTS descriptors arrived than the caller had room for. Reported as EMSGSIZE
    /// (recvfd: EBADMSG).
    TooMany,
}

/// Judges a received message: how many SCM_RIGHTS descriptors it hands the caller, who has
/// `room` for that many, or why it is refused. `flags` is the returned `msg_flags`.
///
/// Whatever the verdict, every descriptor of every message for which [`Cmsg::carries_fds`]
/// holds has been installed, and must then be kept (SCM_RIGHTS, on `Ok`) or closed.
pub fn judge(control: &[u8], flags: c_int, room: usize) -> Result<usize, Refusal> {
    if flags & libc::MSG_CTRUNC != 0 {
        return Err(Refusal::Truncated);
    }
    let n: usize = messages(control)
        .filter(Cmsg::is_rights)
        .map(|m| m.fds().count())
        .sum();
    if n > room {
        return Err(Refusal::TooMany);
    }
    Ok(n)
}
