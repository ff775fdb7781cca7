//! The one place that talks to the kernel: `msghdr` and `cmsghdr` plumbing, errno, and the
//! owning descriptor type.
//!
//! Every `unsafe` block of the crate's socket code lives here. What comes out is safe: byte
//! slices the kernel wrote, counts, errno values, and [`Fd`]s for descriptors the kernel
//! installed. It needs `core` and `libc` only.

#![allow(unsafe_code)]

use core::ffi::c_int;
use core::mem::{MaybeUninit, offset_of, size_of, zeroed};
use core::ptr;

mod system;
#[cfg(feature = "std")]
mod unixaddr;
pub(crate) use system::{Cloexec, FullTable, Records, Sigpipe, System};
#[cfg_attr(
    all(not(test), any(target_os = "linux", target_os = "android")),
    allow(unused_imports)
)]
pub use system::{Cut, Layout, Owns};
#[cfg(feature = "std")]
pub(crate) use unixaddr::UnixName;

// One file per system family, with every way it differs: its facts (compiled on every host
// for the tests, which model each kernel on this one) and its calls (on that system only).
#[cfg(any(target_os = "linux", target_os = "android"))]
mod linux;
#[cfg(any(target_os = "linux", target_os = "android"))]
use linux as os;
#[cfg(any(test, target_os = "freebsd"))]
pub(crate) mod freebsd;
#[cfg(target_os = "freebsd")]
use freebsd as os;
#[cfg(any(test, target_os = "dragonfly"))]
pub(crate) mod dragonfly;
#[cfg(target_os = "dragonfly")]
use dragonfly as os;
#[cfg(any(test, target_os = "openbsd"))]
pub(crate) mod openbsd;
#[cfg(target_os = "openbsd")]
use openbsd as os;
#[cfg(any(test, target_os = "netbsd"))]
pub(crate) mod netbsd;
#[cfg(target_os = "netbsd")]
use netbsd as os;
#[cfg(any(test, target_vendor = "apple"))]
pub(crate) mod apple;
#[cfg(target_vendor = "apple")]
use apple as os;
#[cfg(any(test, target_os = "illumos", target_os = "solaris"))]
pub(crate) mod illumos;
#[cfg(any(target_os = "illumos", target_os = "solaris"))]
use illumos as os;

/// The system this is built for.
pub(crate) const SYSTEM: System = os::SYSTEM;
use os::{CMSG_CLOEXEC, SCM_CREDS, SOCK_CLOEXEC, errno_location, raw_sendmsg};
// APUE's alone (peer_creds is also std's peer_credentials).
#[cfg_attr(not(feature = "apue"), allow(unused_imports))]
pub(crate) use os::{peer_creds, send_creds, set_passcred};

/// An errno value: how every failure is reported inside the crate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Errno(pub(crate) c_int);

/// A result whose error is an errno value.
pub(crate) type Result<T> = core::result::Result<T, Errno>;

impl Errno {
    /// The calling thread's errno, as the call that just failed left it.
    #[cold]
    pub(crate) fn last() -> Errno {
        // SAFETY: errno_location returns a valid pointer to this thread's errno.
        Errno(unsafe { *errno_location() })
    }

    /// Sets the calling thread's errno to this value.
    #[cfg_attr(not(feature = "capi"), allow(dead_code))]
    pub(crate) fn set(self) {
        // SAFETY: as in `last`.
        unsafe { *errno_location() = self.0 };
    }
}

/// A descriptor this process owns: closed when dropped, unless given away by
/// [`Fd::into_raw`]. Made only here, from a descriptor the kernel just installed for us.
#[derive(Debug)]
pub(crate) struct Fd(c_int);

impl Fd {
    /// The descriptor number, still owned by this Fd.
    pub(crate) fn raw(&self) -> c_int {
        self.0
    }

    /// The descriptor number, which the caller now owns.
    pub(crate) fn into_raw(self) -> c_int {
        let fd = self.0;
        core::mem::forget(self);
        fd
    }
}

impl Drop for Fd {
    fn drop(&mut self) {
        // The rump bridge (`make check-rump`, tools/rump/bridge.rs): while one of its cases runs
        // on this thread, descriptors are the rump kernel's, closed in its table.
        #[cfg(all(test, p9fd_rump))]
        if crate::models::rump::close(self.0) {
            return;
        }
        // SAFETY: we own the descriptor (see `own`), and nothing uses it after this. An error
        // from close (EINTR, EIO) still leaves it closed on every system we build for.
        unsafe { libc::close(self.0) };
    }
}

#[cfg(feature = "std")]
impl From<Fd> for std::os::fd::OwnedFd {
    fn from(fd: Fd) -> Self {
        use std::os::fd::FromRawFd;
        // SAFETY: an Fd owns its descriptor, and into_raw hands that ownership over.
        unsafe { Self::from_raw_fd(fd.into_raw()) }
    }
}

#[cfg(feature = "std")]
impl Fd {
    /// The descriptor as `Some(OwnedFd)`. Written so that the compiler sees it is the same
    /// bits (an `Option<OwnedFd>` is the number, `None` being -1, which no Fd holds): storing
    /// many is then a copy, with no per-descriptor check.
    #[inline(always)]
    pub(crate) fn into_owned(self) -> Option<std::os::fd::OwnedFd> {
        use std::os::fd::FromRawFd;
        let raw = self.into_raw();
        // SAFETY: an Fd owns its descriptor, and into_raw hands that ownership over; -1 is
        // never a descriptor.
        (raw != -1).then(|| unsafe { std::os::fd::OwnedFd::from_raw_fd(raw) })
    }
}

/// Borrowed descriptors as the numbers the kernel reads.
#[cfg(feature = "std")]
pub(crate) fn raw_fds<'a>(fds: &'a [std::os::fd::BorrowedFd<'_>]) -> &'a [c_int] {
    // SAFETY: BorrowedFd is repr(transparent) over a c_int (RawFd), so the slice is that many
    // ints, borrowed for as long as `fds` is.
    unsafe { core::slice::from_raw_parts(fds.as_ptr().cast::<c_int>(), fds.len()) }
}

/// Ends the process at once, as a panic in the C library must: nothing may unwind into C.
#[cfg(all(feature = "capi", not(feature = "std"), not(test)))]
pub(crate) fn abort() -> ! {
    // SAFETY: abort has no precondition.
    unsafe { libc::abort() }
}

/// Most descriptors one message can carry: Linux's `SCM_MAX_FD`, p9fd's limit everywhere (and
/// lower where the system's is: [`System::max_send`]).
pub(crate) const MAXFDS: usize = 253;

/// This system's control-message layout, as its family's file states it. Where the libc crate
/// knows the same layout (everywhere but NetBSD on aarch64, see `netbsd.rs`), its `cmsghdr`
/// and CMSG_* macros must agree, or the build fails.
pub(crate) const NATIVE: Layout = SYSTEM.layout;

/// Size of a `cmsghdr`.
pub(crate) const HDR: usize = NATIVE.hdr;
/// Where a control message's data starts, from its header: `CMSG_LEN(0)`.
pub(crate) const DATA: usize = NATIVE.data;
/// `CMSG_ALIGN`'s unit.
pub(crate) const ALIGN: usize = NATIVE.align;

// SAFETY: CMSG_LEN and CMSG_SPACE are arithmetic on their argument; the libc crate declares
// them unsafe only because it declares all the CMSG_* macros alike.
const LIBC_DATA: usize = unsafe { libc::CMSG_LEN(0) } as usize;
// SAFETY: as above.
const LIBC_ALIGN: usize = unsafe { libc::CMSG_SPACE(1) } as usize - LIBC_DATA;
const _: () = assert!(NATIVE.is_sane() && HDR == size_of::<libc::cmsghdr>());
const _: () = assert!(NATIVE.len_at == offset_of!(libc::cmsghdr, cmsg_len));
const _: () = assert!(NATIVE.level_at == offset_of!(libc::cmsghdr, cmsg_level));
const _: () = assert!(NATIVE.level_at + 4 == offset_of!(libc::cmsghdr, cmsg_type));
const _: () = assert!(os::LIBC_LAYOUT_WRONG || (DATA == LIBC_DATA && ALIGN == LIBC_ALIGN));
const _: () = assert!(SYSTEM.max_send <= MAXFDS);

/// `CMSG_SPACE` in this system's layout.
pub(crate) const fn space(n: usize) -> usize {
    NATIVE.space(n)
}

/// The sender's credentials, as (pid, uid, gid).
pub(crate) type Creds = (i32, u32, u32);

/// NetBSD's MSG_NBIO, which a send that does not wait takes there ([`System::send_nbio`]).
/// No other system's send is given it: elsewhere it is a bit no kernel sees, by which the
/// NetBSD model and the rump bridge, run on this host, see it.
#[cfg(target_os = "netbsd")]
pub(crate) const MSG_NBIO: c_int = libc::MSG_NBIO;
#[cfg(not(target_os = "netbsd"))]
pub(crate) const MSG_NBIO: c_int = 1 << 28;

/// The most a receive can be handed: credentials (Linux's SCM_CREDENTIALS is 12 bytes,
/// FreeBSD's SCM_CREDS about 84, NetBSD's with groups about 90), an SCM_SECURITY label (a
/// context string; 256 bytes is far above what SELinux or AppArmor produce), SCM_RIGHTS with
/// `MAXFDS` descriptors and an SCM_PIDFD. The library never truncates anything itself.
pub(crate) const RECV_SPACE: usize =
    space(256) + space(256) + space(MAXFDS * size_of::<c_int>()) + space(size_of::<c_int>());

/// A control buffer aligned as a `cmsghdr` must be (on every platform: 4 or 8).
#[repr(C, align(8))]
struct Aligned<T>(T);

const _: () = assert!(align_of::<libc::cmsghdr>() <= 8);

/// Where `recvmsg` writes control messages. It starts uninitialised (zeroing 1.3 KiB on every
/// receive would cost more than the rest of the library's work); only its head is zeroed, and
/// [`RecvControl::bytes`] zeroes the padding the kernel skipped in a longer answer.
pub(crate) struct RecvControl(Aligned<[MaybeUninit<u8>; RECV_SPACE]>);

/// How much of a receive's control buffer is zeroed beforehand: enough for the usual
/// answers (one SCM_RIGHTS message with up to four descriptors, or credentials alone), which
/// [`RecvControl::head`] then hands out with no work at all.
const PREZEROED: usize = 32;
const _: () = assert!(PREZEROED >= 16 && PREZEROED <= RECV_SPACE); // a whole header, any layout

impl RecvControl {
    #[inline(always)]
    pub(crate) fn new() -> Self {
        let mut buf = [MaybeUninit::uninit(); RECV_SPACE];
        for b in &mut buf[..PREZEROED] {
            b.write(0);
        }
        RecvControl(Aligned(buf))
    }

    /// The data of the one SCM_RIGHTS message the kernel returned in its `len` bytes, if that
    /// is all it returned (see [`Layout::rights_len`]), of any size: the receive's usual
    /// answer, found without the padding walk.
    #[inline(always)]
    pub(crate) fn only_rights(&self, layout: Layout, len: usize) -> Option<&[u8]> {
        // SAFETY: the first PREZEROED bytes were zeroed in `new`, and the kernel writes only
        // initialised bytes over them. (Where `len` is shorter than a header, `rights_len`
        // answers None whatever those bytes are.)
        let head = unsafe { &*self.0.0.as_ptr().cast::<[u8; PREZEROED]>() };
        let n = layout.rights_len(head, len)?;
        let data = self.0.0.get(layout.data..layout.data + n)?;
        // SAFETY: the kernel wrote the header it returned and the `cmsg_len` bytes that header
        // says, which `rights_len` checked lie within the `len` it returned: the data bytes
        // are initialised.
        Some(unsafe { &*(ptr::slice_from_raw_parts(data.as_ptr().cast::<u8>(), n)) })
    }

    /// The `len` bytes `recvmsg` returned (at most the buffer), every one of them initialised,
    /// read in `layout`.
    ///
    /// The kernel writes each control message's header and data, then skips the padding that
    /// aligns the next one. This walks the headers as the kernel laid them out and zeroes each
    /// padding. A last header whose `cmsg_len` runs past `len` was cut off by the kernel (which
    /// copied out `len` bytes of it): those bytes are its. Where a header is inconsistent
    /// (which the kernel never writes), the rest is zeroed, and the parser, which applies the
    /// same rules, ends its walk there too.
    pub(crate) fn bytes(&mut self, layout: Layout, len: usize) -> &[u8] {
        let buf = &mut self.0.0[..len.min(RECV_SPACE)];
        let len = buf.len();
        let mut at = 0;
        while at < len {
            let end = if at + layout.hdr <= len {
                // SAFETY: a whole header lies at `at`, and the kernel writes headers whole, at
                // exactly these offsets, so its bytes are initialised.
                let hdr =
                    unsafe { &*ptr::slice_from_raw_parts(buf.as_ptr().add(at).cast(), layout.hdr) };
                match layout.cmsg_len(hdr) {
                    Some(n) if n >= layout.data => at + n.min(len - at),
                    _ => at,
                }
            } else {
                at
            };
            let next = if end == at {
                len
            } else {
                layout.align(end).min(len)
            };
            // `end <= next` always (both within `len`, `next` the larger); `get_mut` rather
            // than indexing, so that no panic path is compiled in
            for b in buf.get_mut(end..next).unwrap_or_default() {
                b.write(0);
            }
            if end == at {
                break;
            }
            at = next;
        }
        // SAFETY: every byte below `len` is one the kernel wrote (headers and data) or one we
        // just zeroed (padding, and any rest after an inconsistent header).
        unsafe { &*(ptr::slice_from_raw_parts(buf.as_ptr().cast::<u8>(), len)) }
    }

    /// The buffer and its size, for the rump bridge's NetBSD `recvmsg` (`make check-rump`).
    #[cfg(all(test, p9fd_rump))]
    pub(crate) fn raw(&mut self) -> (*mut u8, usize) {
        (self.0.0.as_mut_ptr().cast(), RECV_SPACE)
    }

    /// Writes `bytes` at the start of the buffer as a kernel would, for the tests.
    #[cfg(test)]
    pub(crate) fn fill(&mut self, bytes: &[u8]) {
        self.fill_at(0, bytes);
    }

    /// Writes `bytes` at `at`, as a kernel writes one header or one message's data (and skips
    /// the padding), for the kernel models.
    #[cfg(test)]
    pub(crate) fn fill_at(&mut self, at: usize, bytes: &[u8]) {
        for (b, v) in self.0.0.iter_mut().skip(at).zip(bytes) {
            b.write(*v);
        }
    }
}

/// What one `recvmsg` returned.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Received {
    /// Data bytes received.
    pub bytes: usize,
    /// `msg_flags`: MSG_CTRUNC, MSG_TRUNC, ...
    pub flags: c_int,
    /// `msg_controllen`: how much of the control buffer the kernel filled.
    pub control_len: usize,
}

/// `recvmsg(2)` into `data`, with room in `control` for every control message the kernel can
/// deliver (or none: the kernel then disposes of any descriptors the message carried).
#[inline(always)]
pub(crate) fn recvmsg(
    sock: c_int,
    data: &mut [u8],
    control: Option<&mut RecvControl>,
    flags: c_int,
) -> Result<Received> {
    let mut iov = libc::iovec {
        iov_base: data.as_mut_ptr().cast(),
        iov_len: data.len(),
    };
    // SAFETY: msghdr is plain data (pointers and integers, some private padding on some
    // targets) for which all zeros is valid.
    let mut msg: libc::msghdr = unsafe { zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    if let Some(control) = control {
        let buf = &mut control.0.0;
        msg.msg_control = buf.as_mut_ptr().cast();
        msg.msg_controllen = buf.len() as _;
    }
    // SAFETY: the kernel writes at most `iov_len` bytes to `data` and at most
    // `msg_controllen` bytes to the control buffer; both borrows outlive the call.
    let n = unsafe { libc::recvmsg(sock, &mut msg, flags) };
    if n < 0 {
        return Err(Errno::last());
    }
    Ok(Received {
        bytes: n as usize,
        flags: msg.msg_flags,
        control_len: msg.msg_controllen as usize,
    })
}

/// Takes ownership of a descriptor number found in a control message from `recvmsg`, which
/// was asked to install it close-on-exec or not ([`recv_flags`]); where the system cannot be
/// relied on for that ([`System::cloexec`]), close-on-exec is set here.
///
/// Returns `None` for a negative number, which the kernel never installs.
/// `set_cloexec` is how: [`set_cloexec`], or a kernel model's.
#[inline(always)]
pub(crate) fn own(
    system: &System,
    raw: c_int,
    cloexec: bool,
    set_cloexec: impl FnOnce(c_int),
) -> Option<Fd> {
    if raw < 0 {
        return None;
    }
    Some(own_installed(system, raw, cloexec, set_cloexec))
}

/// [`own`] of a number known not to be negative.
#[inline(always)]
pub(crate) fn own_installed(
    system: &System,
    raw: c_int,
    cloexec: bool,
    set_cloexec: impl FnOnce(c_int),
) -> Fd {
    if cloexec && system.cloexec != Cloexec::Atomic {
        set_cloexec(raw);
    }
    // Ownership, not memory: `raw` was read from an SCM_RIGHTS or SCM_PIDFD message that
    // recvmsg just returned: the kernel installed it in our table for this call alone, so
    // nothing else owns it, and the parser hands each such number out exactly once.
    Fd(raw)
}

/// Close-on-exec, set after receipt (fcntl: one system call per descriptor).
#[cold]
pub(crate) fn set_cloexec(fd: c_int) {
    // SAFETY: F_SETFD on a descriptor we own; it touches no memory.
    unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) };
}

/// Control buffer for sending: credentials (Linux's 12-byte SCM_CREDENTIALS), then
/// SCM_RIGHTS with up to `MAXFDS` descriptors.
const SEND_SPACE: usize = space(12) + space(MAXFDS * size_of::<c_int>());
type SendControl = Aligned<[MaybeUninit<u8>; SEND_SPACE]>;

/// Writes one SOL_SOCKET control message of type `kind` carrying `data` at `base + at`,
/// padding included, and returns where the next one starts.
///
/// # Safety
/// `base + at` has room for `space(data.len())` bytes.
#[inline(always)]
unsafe fn put_cmsg(base: *mut u8, at: usize, kind: c_int, data: &[u8]) -> usize {
    // SAFETY: all zeros is a valid cmsghdr (integers, some private padding on some targets).
    let mut hdr: libc::cmsghdr = unsafe { zeroed() };
    hdr.cmsg_len = (DATA + data.len()) as _;
    hdr.cmsg_level = libc::SOL_SOCKET;
    hdr.cmsg_type = kind;
    let (end, tail) = (at + space(data.len()), at + DATA + data.len());
    // SAFETY: by the caller's contract everything up to `end` is in bounds: the header (written
    // unaligned, so no alignment is assumed), zeros in any gap before the data (HDR < DATA on
    // some systems; none on Linux), the data, and zeroed padding; so every byte the kernel
    // reads is initialised. The padding (less than a unit) of a long message, whose length is
    // not known when compiling, is had by zeroing the message's last unit before the data
    // goes in, a store of constant size rather than a call to memset (that unit lies past the
    // header, as such data is at least a unit long); a short one's is written after it.
    unsafe {
        base.add(at).cast::<libc::cmsghdr>().write_unaligned(hdr);
        ptr::write_bytes(base.add(at + HDR), 0, DATA - HDR);
        if data.len() >= ALIGN {
            ptr::write_bytes(base.add(end - ALIGN), 0, ALIGN);
        }
        ptr::copy_nonoverlapping(data.as_ptr(), base.add(at + DATA), data.len());
        if data.len() < ALIGN {
            ptr::write_bytes(base.add(tail), 0, end - tail);
        }
    }
    end
}

/// More descriptors than one message of `system` may carry: EINVAL, before anything is sent.
#[inline(always)]
pub(crate) fn check_send(system: &System, n: usize) -> Result<()> {
    if n > system.max_send {
        return Err(Errno(libc::EINVAL));
    }
    Ok(())
}

/// The message of the byte slices in `data` (gathered, as one message) with `fds` attached as
/// one SCM_RIGHTS message, and `creds` as SCM_CREDENTIALS (Linux; elsewhere `creds` is always
/// `None`, see [`send_creds`]), handed to `send`, which sends it ([`send_raw`], never raising
/// SIGPIPE: `pass::send_on`). More than `MAXFDS` descriptors is EINVAL, as Linux's kernel
/// says, with nothing sent; so is more than this system's limit ([`check_send`]).
#[inline(always)]
pub(crate) fn sendmsg<const N: usize>(
    data: [&[u8]; N],
    fds: &[c_int],
    creds: Option<Creds>,
    send: impl FnOnce(&libc::msghdr) -> Result<usize>,
) -> Result<usize> {
    check_send(&SYSTEM, fds.len())?;
    let mut control: SendControl = Aligned([MaybeUninit::uninit(); SEND_SPACE]);
    let base = control.0.as_mut_ptr().cast::<u8>();
    let mut len = 0;
    if let Some((pid, uid, gid)) = creds {
        let bytes = [pid.to_ne_bytes(), uid.to_ne_bytes(), gid.to_ne_bytes()];
        // SAFETY: SEND_SPACE has room for the 12 bytes of credentials first.
        len = unsafe { put_cmsg(base, len, SCM_CREDS, bytes.as_flattened()) };
    }
    if !fds.is_empty() {
        // SAFETY: `fds` is that many initialised ints.
        let ints =
            unsafe { core::slice::from_raw_parts(fds.as_ptr().cast::<u8>(), size_of_val(fds)) };
        // SAFETY: `len` is 0 or space(12), and as `fds.len() <= MAXFDS` the rest of SEND_SPACE
        // has room for them.
        len = unsafe { put_cmsg(base, len, libc::SCM_RIGHTS, ints) };
    }
    let mut iov = data.map(|d| libc::iovec {
        iov_base: d.as_ptr().cast_mut().cast(),
        iov_len: d.len(),
    });
    // SAFETY: all zeros is a valid msghdr (and zero is what any private padding must hold).
    let mut msg: libc::msghdr = unsafe { zeroed() };
    msg.msg_iov = iov.as_mut_ptr();
    msg.msg_iovlen = N as _;
    if len > 0 {
        msg.msg_control = base.cast();
        msg.msg_controllen = len as _;
    }
    // the message points at the slices of `data` through `iov`, and at `msg_controllen`
    // initialised bytes of the control buffer; all outlive the call
    send(&msg)
}

/// `sendmsg(2)` of a message [`sendmsg`] built, with `flags`.
#[inline(always)]
pub(crate) fn send_raw(sock: c_int, msg: &libc::msghdr, flags: c_int) -> Result<usize> {
    // SAFETY: the kernel only reads `msg` and what it points to, which the caller keeps
    // alive and initialised for the call (see `sendmsg`).
    let n = unsafe { raw_sendmsg(sock, msg, flags) };
    if n < 0 {
        return Err(Errno::last());
    }
    Ok(n as usize)
}

/// SO_NOSIGPIPE on the socket ([`Sigpipe::FlagFrom`], Apple's kernels before MSG_NOSIGNAL);
/// if it fails (not a socket, ...), the send that follows reports why.
#[inline(always)]
pub(crate) fn set_nosigpipe(sock: c_int) {
    os_set_nosigpipe(sock)
}

/// The kernel's release, as [`Sigpipe::FlagFrom`] and [`Records::MarkedFrom`] compare it: asked
/// once per process (0 where no system needs it, 1 where it could not be read, which counts as
/// old).
#[inline(always)]
pub(crate) fn release() -> u32 {
    os_release()
}

/// Waits until `sock` has room to send (poll, POLLOUT). An interrupted wait returns as if
/// woken: the caller tries again.
#[cfg_attr(not(feature = "std"), allow(dead_code))]
pub(crate) fn wait_writable(sock: c_int) -> Result<()> {
    let mut p = libc::pollfd {
        fd: sock,
        events: libc::POLLOUT,
        revents: 0,
    };
    // SAFETY: the kernel reads and writes the one pollfd we pass.
    if unsafe { libc::poll(&mut p, 1, -1) } < 0 {
        let e = Errno::last();
        if e.0 != libc::EINTR {
            return Err(e);
        }
    }
    Ok(())
}

/// `socketpair(AF_UNIX, ty, 0)`, with SOCK_CLOEXEC if `cloexec` (where the system has it:
/// [`System::socketpair_cloexec`]).
pub(crate) fn socketpair(ty: c_int, cloexec: bool) -> Result<(Fd, Fd)> {
    let ty = if cloexec { ty | SOCK_CLOEXEC } else { ty };
    let mut sv: [c_int; 2] = [-1; 2];
    // SAFETY: the kernel writes two ints to `sv`, which has room for them.
    if unsafe { libc::socketpair(libc::AF_UNIX, ty, 0, sv.as_mut_ptr()) } < 0 {
        return Err(Errno::last());
    }
    // On success the kernel installed both descriptors for us alone.
    Ok((Fd(sv[0]), Fd(sv[1])))
}

/// `setsockopt(2)` of a SOL_SOCKET option whose value is an int.
#[cfg_attr(
    not(any(
        all(feature = "apue", any(target_os = "linux", target_os = "android")),
        target_vendor = "apple"
    )),
    allow(dead_code)
)]
pub(crate) fn set_int_option(sock: c_int, opt: c_int, value: c_int) -> Result<()> {
    // SAFETY: the kernel reads `size_of::<c_int>()` bytes of `value`.
    let r = unsafe {
        libc::setsockopt(
            sock,
            libc::SOL_SOCKET,
            opt,
            (&raw const value).cast(),
            size_of::<c_int>() as libc::socklen_t,
        )
    };
    if r < 0 {
        return Err(Errno::last());
    }
    Ok(())
}

/// `getsockopt(2)` of an option whose value is a plain `T` (an int, a ucred).
pub(crate) fn getsockopt<T: Copy>(sock: c_int, level: c_int, opt: c_int) -> Result<T> {
    let mut v = MaybeUninit::<T>::zeroed();
    let mut len = size_of::<T>() as libc::socklen_t;
    // SAFETY: the kernel writes at most `len` bytes to `v`, which has that many.
    let r = unsafe { libc::getsockopt(sock, level, opt, v.as_mut_ptr().cast(), &mut len) };
    if r < 0 {
        return Err(Errno::last());
    }
    // SAFETY: T is plain integers (callers use c_int and ucred): zeroed, then partly or wholly
    // written by the kernel, it is initialised either way.
    Ok(unsafe { v.assume_init() })
}

/// The socket's type (`SO_TYPE`): SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET.
pub(crate) fn socket_type(sock: c_int) -> Result<c_int> {
    getsockopt(sock, libc::SOL_SOCKET, libc::SO_TYPE)
}

/// The systems whose messages never carry the sender's credentials (all but Linux): APUE's
/// sender attaches none, and its receiver asks the socket who its peer is.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
mod no_message_creds {
    use core::ffi::c_int;

    use super::{Creds, Result};

    /// No credentials message: never sent.
    pub(in crate::sys) const SCM_CREDS: c_int = -1;

    /// Nothing to attach.
    #[cfg_attr(not(feature = "apue"), allow(dead_code))]
    pub(crate) fn send_creds() -> Option<Creds> {
        None
    }

    /// Nothing to turn on.
    #[cfg_attr(not(feature = "apue"), allow(dead_code))]
    pub(crate) fn set_passcred(_sock: c_int) -> Result<()> {
        Ok(())
    }
}

/// What every system but Linux and macOS does the same way: libc's sendmsg.
#[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
mod usual {
    pub(in crate::sys) use libc::sendmsg as raw_sendmsg;
}

/// Every system but Apple's avoids SIGPIPE with MSG_NOSIGNAL alone ([`Sigpipe::Flag`]): this is
/// never called there.
#[cfg(not(target_vendor = "apple"))]
mod flag_only {
    use core::ffi::c_int;

    pub(in crate::sys) fn set_nosigpipe(_sock: c_int) {}
}
/// The systems that never ask their release ([`Sigpipe::FlagFrom`], [`Records::MarkedFrom`]).
#[cfg(not(any(target_vendor = "apple", target_os = "freebsd")))]
mod no_release {
    pub(in crate::sys) fn release() -> u32 {
        0
    }
}
#[cfg(not(target_vendor = "apple"))]
use flag_only::set_nosigpipe as os_set_nosigpipe;
#[cfg(not(any(target_vendor = "apple", target_os = "freebsd")))]
use no_release::release as os_release;
#[cfg(any(target_vendor = "apple", target_os = "freebsd"))]
use os::release as os_release;
#[cfg(target_vendor = "apple")]
use os::set_nosigpipe as os_set_nosigpipe;

/// `kern.osrelease`'s major number, read with sysctl on the first call and kept: one system
/// call per process (Apple's and FreeBSD's, which both name it so). 1 if it cannot be read,
/// which counts as an old kernel.
#[cfg(any(target_vendor = "apple", target_os = "freebsd"))]
mod osrelease {
    pub(in crate::sys) fn release() -> u32 {
        use core::sync::atomic::{AtomicU32, Ordering::Relaxed};
        static RELEASE: AtomicU32 = AtomicU32::new(0);
        let known = RELEASE.load(Relaxed);
        if known != 0 {
            return known;
        }
        let mut name = [libc::CTL_KERN, libc::KERN_OSRELEASE];
        let mut buf = [0u8; 32];
        let mut len = buf.len();
        // SAFETY: the kernel writes at most `len` bytes to `buf`, and reads the two ints of
        // `name`; nothing is set (no new value).
        let r = unsafe {
            libc::sysctl(
                name.as_mut_ptr(),
                2,
                buf.as_mut_ptr().cast(),
                &mut len,
                core::ptr::null_mut(),
                0,
            )
        };
        let major = match r {
            0 => buf[..len.min(buf.len())]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .fold(0u32, |n, b| {
                    n.saturating_mul(10).saturating_add(u32::from(b - b'0'))
                }),
            _ => 0,
        };
        let major = major.max(1);
        RELEASE.store(major, Relaxed);
        major
    }
}

/// getpeereid: uid and gid, no pid (DragonFly).
#[cfg(target_os = "dragonfly")]
mod peereid {
    use core::ffi::c_int;

    use super::{Creds, Errno, Result};

    #[cfg_attr(not(any(feature = "apue", feature = "std")), allow(dead_code))]
    pub(crate) fn peer_creds(sock: c_int) -> Result<Creds> {
        let (mut uid, mut gid) = (0, 0);
        // SAFETY: the system writes one uid_t and one gid_t, which we provide.
        if unsafe { libc::getpeereid(sock, &mut uid, &mut gid) } < 0 {
            return Err(Errno::last());
        }
        Ok((0, uid, gid))
    }
}

/// recvmsg's flags for a receive that wants close-on-exec or not.
#[inline(always)]
pub(crate) fn recv_flags(system: &System, cloexec: bool) -> c_int {
    match system.cloexec {
        Cloexec::Atomic | Cloexec::AtomicWhereHonoured if cloexec => CMSG_CLOEXEC,
        _ => 0,
    }
}

/// A control-message header as this platform lays it out, for tests: `DATA` bytes, with
/// `cmsg_len`, level and type in their places and zeros elsewhere.
#[cfg(test)]
pub(crate) fn test_header(cmsg_len: usize, level: c_int, kind: c_int) -> Vec<u8> {
    NATIVE.header(cmsg_len, level, kind)
}

/// Every system's layout on this architecture, and NetBSD's on aarch64 (a larger unit), for the
/// tests that must hold in each.
#[cfg(test)]
pub(crate) fn all_layouts() -> [Layout; 8] {
    [
        NATIVE,
        freebsd::SYSTEM.layout,
        openbsd::SYSTEM.layout,
        netbsd::SYSTEM.layout,
        netbsd::AARCH64,
        apple::SYSTEM.layout,
        illumos::SYSTEM.layout,
        dragonfly::SYSTEM.layout,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What `bytes` must give for a buffer whose first `len` bytes are `raw` where the kernel
    /// wrote (headers and data) and garbage elsewhere: the headers and data, with every other
    /// byte zero; a last header cut off by `len` kept as far as it goes; an inconsistent
    /// header and all after it zero.
    fn expected(l: Layout, raw: &[u8]) -> Vec<u8> {
        let mut out = vec![0; raw.len()];
        let mut at = 0;
        while raw.len() - at >= l.hdr {
            let cmsg_len = l.cmsg_len(&raw[at..]).unwrap();
            if cmsg_len < l.data {
                break;
            }
            // `cmsg_len` may be any 32-bit value (garbage read as a header): no `at + cmsg_len`
            let end = at + cmsg_len.min(raw.len() - at);
            out[at..end].copy_from_slice(&raw[at..end]);
            at = l.align(end);
            if at >= raw.len() {
                break;
            }
        }
        out
    }

    proptest! {
        /// The padding walk zeroes exactly what the kernel skipped, whatever the layout and
        /// whatever the garbage, and never reads or writes past the length it is given.
        #[test]
        fn bytes_zeroes_exactly_the_padding(
            which in 0..8usize,
            msgs in prop::collection::vec((0..300usize, -3..3i64, any::<u8>()), 0..6),
            garbage in any::<u8>(),
            cut in any::<prop::sample::Index>(),
        ) {
            let l = all_layouts()[which];
            let mut raw = Vec::new();
            for (n, fudge, fill) in msgs {
                let len = ((l.data + n) as i64 + fudge).max(0) as usize;
                let start = raw.len();
                raw.extend(l.header(len, i32::from(fill), i32::from(fill)));
                raw.extend(std::iter::repeat_n(fill, n));
                raw.resize(start + l.space(n), garbage);
            }
            let len = cut.index(raw.len().min(RECV_SPACE) + 1);
            let mut c = RecvControl::new();
            c.fill(&raw);
            for b in &mut c.0.0[raw.len().min(RECV_SPACE)..] {
                b.write(garbage);
            }
            let want = expected(l, &raw[..len]);
            let got = c.bytes(l, len).to_vec();
            prop_assert_eq!(got, want);
        }
    }

    /// A header whose `cmsg_len` is shorter than a header's data offset (which no kernel
    /// writes) ends the walk: it and everything after it read as zeros, in every layout.
    #[test]
    fn bytes_zeroes_an_inconsistent_header_and_the_rest() {
        for l in all_layouts() {
            for short in 1..l.data {
                let mut raw = l.header(short, libc::SOL_SOCKET, libc::SCM_RIGHTS);
                raw.extend(l.header(l.data + 4, libc::SOL_SOCKET, libc::SCM_RIGHTS));
                raw.extend([7; 4]);
                let mut c = RecvControl::new();
                c.fill(&raw);
                assert_eq!(
                    c.bytes(l, raw.len()),
                    vec![0; raw.len()],
                    "{l:?} cmsg_len {short}"
                );
            }
        }
    }

    /// Each rule of `is_sane`, broken alone, is refused.
    #[test]
    fn an_impossible_layout_is_not_sane() {
        let l = Layout::socklen(8); // 12 / 16 / 8, cmsg_len at 0, level at 4
        assert!(l.is_sane());
        let broken = [
            Layout { align: 12, ..l },   // not a power of two
            Layout { data: 20, ..l },    // data not on the unit
            Layout { hdr: 24, ..l },     // data inside the header
            Layout { len_size: 2, ..l }, // cmsg_len neither 4 nor 8 bytes
            Layout { len_at: 2, ..l },   // cmsg_len running into the level
            Layout { level_at: 6, ..l }, // level and type past the header
            Layout { len_size: 8, ..l }, // an 8-byte cmsg_len in a 12-byte header
        ];
        for b in broken {
            assert!(!b.is_sane(), "{b:?}");
        }
    }

    #[test]
    fn every_layout_is_sane() {
        for l in all_layouts() {
            assert!(l.is_sane(), "{l:?}");
        }
        // what the kernels' headers say, on this architecture's pointer width
        let bsd = if cfg!(target_pointer_width = "64") {
            24
        } else {
            16
        };
        assert_eq!(freebsd::SYSTEM.layout.space(4), bsd);
        assert_eq!(apple::SYSTEM.layout.space(4), 16);
        assert_eq!(illumos::SYSTEM.layout.space(4), 16);
        assert_eq!(netbsd::AARCH64.data, 16);
        assert_eq!(netbsd::AARCH64.space(4), 32);
    }
}
