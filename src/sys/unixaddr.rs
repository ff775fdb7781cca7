//! A Unix-domain address as the kernel takes it (`struct sockaddr_un`, with `sun_len` on the
//! BSDs and macOS), built on the stack from std's `SocketAddr`: a send's destination.

use core::mem::{offset_of, size_of, zeroed};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::net::SocketAddr;

/// A `sockaddr_un` and the length of its used part.
pub(crate) struct UnixName {
    addr: libc::sockaddr_un,
    len: usize,
}

impl UnixName {
    /// The address of a path (NUL-terminated, as the kernel reads it) or, on Linux and
    /// Android, of an abstract name; `None` for an unnamed address (nothing can be sent to
    /// it) or a name longer than `sun_path` holds.
    pub(crate) fn of(to: &SocketAddr) -> Option<UnixName> {
        // SAFETY: all zeros is a valid sockaddr_un.
        let mut addr: libc::sockaddr_un = unsafe { zeroed() };
        addr.sun_family = libc::AF_UNIX as libc::sa_family_t;
        let (name, nul): (&[u8], usize) = match to.as_pathname() {
            Some(path) => (path.as_os_str().as_bytes(), 1),
            None => abstract_name(to)?,
        };
        let (at, skip) = if nul == 1 { (0, 0) } else { (1, 1) };
        let room = size_of::<libc::sockaddr_un>() - offset_of!(libc::sockaddr_un, sun_path);
        if name.is_empty() || skip + name.len() + nul > room {
            return None;
        }
        for (d, &b) in addr.sun_path[at..].iter_mut().zip(name) {
            *d = b as libc::c_char;
        }
        let len = offset_of!(libc::sockaddr_un, sun_path) + skip + name.len() + nul;
        set_len(&mut addr, len);
        Some(UnixName { addr, len })
    }

    /// The address's bytes, as `msg_name` and `msg_namelen` take them.
    pub(crate) fn bytes(&self) -> &[u8] {
        // SAFETY: `addr` is `size_of::<sockaddr_un>()` initialised bytes and `len` at most that.
        unsafe { core::slice::from_raw_parts((&raw const self.addr).cast::<u8>(), self.len) }
    }
}

/// An abstract name (Linux, Android): its bytes after the leading NUL, and no terminator.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn abstract_name(to: &SocketAddr) -> Option<(&[u8], usize)> {
    use std::os::linux::net::SocketAddrExt;
    to.as_abstract_name().map(|n| (n, 0))
}

/// No abstract names elsewhere.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn abstract_name(_: &SocketAddr) -> Option<(&[u8], usize)> {
    None
}

/// The BSDs and macOS carry the address's length in it.
#[cfg(any(
    target_os = "freebsd",
    target_os = "dragonfly",
    target_os = "openbsd",
    target_os = "netbsd",
    target_vendor = "apple"
))]
fn set_len(addr: &mut libc::sockaddr_un, len: usize) {
    addr.sun_len = len as u8;
}

#[cfg(not(any(
    target_os = "freebsd",
    target_os = "dragonfly",
    target_os = "openbsd",
    target_os = "netbsd",
    target_vendor = "apple"
)))]
fn set_len(_: &mut libc::sockaddr_un, _: usize) {}
