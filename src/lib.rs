//! Plan 9's descriptor passing for C and Rust: `sendfd`, `recvfd` and `p9pipe`, as
//! plan9port's lib9 has them, without lib9's bugs.
//!
//! A descriptor travels over a Unix-domain socket as an `SCM_RIGHTS` control message attached
//! to data. [`send_fd`] sends lib9's wire format, one data byte of value 0 carrying one
//! descriptor, and [`recv_fd`] receives it from any peer that sends that shape (plan9port,
//! CPython's `socket.send_fds`, a raw `sendmsg`). [`pipe`] is Plan 9's two-way pipe, a
//! `socketpair`, which can carry descriptors.
//!
//! ```
//! use std::io::{Read, Seek, Write};
//! use std::fs::File;
//!
//! let (a, b) = p9fd::pipe()?;
//! let mut file = tempfile()?;
//! file.write_all(b"hello")?;
//! p9fd::send_fd(&a, &file)?;
//! let mut got = File::from(p9fd::recv_fd(&b, p9fd::RecvFlags::CLOEXEC)?);
//! got.rewind()?; // the same open file: the offset is shared with `file`
//! let mut s = String::new();
//! got.read_to_string(&mut s)?;
//! assert_eq!(s, "hello");
//! # fn tempfile() -> std::io::Result<File> {
//! #     File::options().read(true).write(true).truncate(true).create(true)
//! #         .open(std::env::temp_dir().join(format!("p9fd-doc-{}", std::process::id())))
//! # }
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # Names
//!
//! The Rust names are the snake-case forms of lib9's (`sendfd` → [`send_fd`], `recvfd` →
//! [`recv_fd`]), `p9pipe` is [`pipe`] inside this crate, and the message forms that carry
//! several descriptors and a payload are [`send_fds`] and [`recv_fds`], the names CPython's
//! `socket` module uses for the same thing. The C library exports `sendfd`, `recvfd`, `p9pipe`,
//! `sendfdmsg` and `recvfdmsg`, declared in `p9fd.h`; they call these functions.
//!
//! # Conventions
//!
//! - Descriptors go in borrowed ([`AsFd`], [`BorrowedFd`]) and come out owned ([`OwnedFd`]).
//!   A received descriptor is owned from the moment it is parsed, so none can leak: whatever
//!   the caller does not get is closed before the call returns.
//! - Errors are [`io::Error`]s holding an errno ([`io::Error::raw_os_error`] is always `Some`).
//!   Kernel errors pass through unchanged; the library's own are documented per function.
//! - Outputs are written only on success.
//! - Nothing allocates, nothing retries (an `EINTR` is returned), nothing raises `SIGPIPE`,
//!   and no state is shared: every function is safe to call from any thread.

use core::ffi::c_int;
use std::io::{self, IoSlice};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd, RawFd};

#[cfg(feature = "apue")]
pub mod apue;
mod capi;
#[doc(hidden)]
pub mod cmsg;
mod sys;

use cmsg::{Cmsg, Refusal};

/// The most descriptors one message can carry (Linux's `SCM_MAX_FD`).
pub const MAX_FDS: usize = sys::MAXFDS;

/// Options for receiving.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct RecvFlags(c_int);

impl RecvFlags {
    /// No options: received descriptors are inherited across `exec`, as lib9's are.
    pub const EMPTY: RecvFlags = RecvFlags(0);

    /// Received descriptors are close-on-exec, set atomically by the kernel as it installs them
    /// (`MSG_CMSG_CLOEXEC`), so a concurrent `fork`+`exec` in another thread cannot leak them.
    #[doc(alias = "MSG_CMSG_CLOEXEC")]
    pub const CLOEXEC: RecvFlags = RecvFlags(libc::MSG_CMSG_CLOEXEC);

    /// The flags for these `MSG_*` bits, or `None` if a bit is not one of these options.
    pub const fn from_bits(bits: c_int) -> Option<RecvFlags> {
        if bits & !Self::CLOEXEC.0 == 0 {
            Some(RecvFlags(bits))
        } else {
            None
        }
    }

    /// The `MSG_*` bits.
    pub const fn bits(self) -> c_int {
        self.0
    }
}

/// What [`recv_fds`] received.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Received {
    /// Data bytes received.
    pub bytes: usize,
    /// Descriptors received, stored in the first `fds` slots.
    pub fds: usize,
}

fn errno(e: c_int) -> io::Error {
    io::Error::from_raw_os_error(e)
}

/// Sends the descriptor `fd` over the Unix-domain socket `sock`, as lib9's `sendfd` does: one
/// data byte of value 0 carrying it as `SCM_RIGHTS`.
///
/// The peer gets a new descriptor for the same open file (the offset and status flags are
/// shared); `fd` stays open here. It never raises `SIGPIPE`.
///
/// # Errors
///
/// The kernel's: `EBADF`, `ENOTSOCK`, `EPIPE` when the peer is gone, `EAGAIN` on a full
/// non-blocking socket, `EINTR` (nothing sent), `ETOOMANYREFS`, `EPERM` when the receiver
/// refuses descriptors (`SO_PASSRIGHTS`), ... A socket that is not `AF_UNIX` accepts the byte
/// and silently drops the descriptor: its peer's [`recv_fd`] reports `EBADMSG`.
///
/// ```
/// let (a, b) = p9fd::pipe()?;
/// p9fd::send_fd(&a, std::io::stdout())?;
/// let out = p9fd::recv_fd(&b, p9fd::RecvFlags::CLOEXEC)?;
/// # drop(out);
/// # Ok::<(), std::io::Error>(())
/// ```
#[doc(alias = "sendfd")]
#[doc(alias = "SCM_RIGHTS")]
#[inline]
pub fn send_fd(sock: impl AsFd, fd: impl AsFd) -> io::Result<()> {
    send_fds(sock, &[0], &[fd.as_fd()]).map(drop)
}

/// Receives one descriptor from the Unix-domain socket `sock`, as lib9's `recvfd` does: a
/// message of one data byte (of any value) carrying exactly one `SCM_RIGHTS` descriptor.
///
/// Pass [`RecvFlags::EMPTY`] for lib9's behaviour (the descriptor is inherited across `exec`)
/// or [`RecvFlags::CLOEXEC`].
///
/// # Errors
///
/// - `ECONNRESET`: end of file, the peer is gone.
/// - `EBADMSG`: the message carried no descriptor (plain data, a non-`AF_UNIX` peer, an empty
///   datagram) or more than one (all closed). The data byte is consumed.
/// - `EMFILE`: the kernel dropped descriptors (`MSG_CTRUNC`: our descriptor table is full, or
///   a security module refused); whatever arrived is closed.
/// - The kernel's: `EBADF`, `ENOTSOCK`, `EAGAIN`, `EINTR` (nothing consumed), `EINVAL` on an
///   unconnected stream socket, ...
///
/// Credentials (`SO_PASSCRED`) are ignored, and a pidfd (`SO_PASSPIDFD`) is closed. A
/// zero-length datagram carrying a descriptor is a descriptor, not end of file.
///
/// ```
/// let (a, b) = p9fd::pipe()?;
/// drop(a);
/// let err = p9fd::recv_fd(&b, p9fd::RecvFlags::EMPTY).unwrap_err();
/// assert_eq!(err.raw_os_error(), Some(libc::ECONNRESET));
/// # Ok::<(), std::io::Error>(())
/// ```
#[doc(alias = "recvfd")]
#[inline]
pub fn recv_fd(sock: impl AsFd, flags: RecvFlags) -> io::Result<OwnedFd> {
    let sock = sock.as_fd();
    let mut byte = [0u8];
    let mut slot = [None];
    match recv_fds(sock, &mut byte, &mut slot, flags) {
        Ok(got) => match slot {
            [Some(fd)] => Ok(fd),
            [None] if got.bytes == 0 && !is_datagram(sock) => Err(errno(libc::ECONNRESET)),
            [None] => Err(errno(libc::EBADMSG)),
        },
        Err(e) if e.raw_os_error() == Some(libc::EMSGSIZE) => Err(errno(libc::EBADMSG)),
        Err(e) => Err(e),
    }
}

/// On a datagram socket an empty message is not end of file.
fn is_datagram(sock: BorrowedFd<'_>) -> bool {
    sys::socket_type(sock).is_ok_and(|t| t == libc::SOCK_DGRAM)
}

/// Plan 9's `pipe`: a pair of connected Unix-domain stream sockets, each end readable and
/// writable, able to carry descriptors.
///
/// Unlike Rust's own sockets, neither end is close-on-exec, as in lib9: a pipe is made to be
/// inherited. Being sockets, the ends have no message boundaries, and `/dev/fd` cannot reopen
/// them.
///
/// ```
/// use std::{fs::File, io::{Read, Write}};
/// let (a, b) = p9fd::pipe()?;
/// File::from(a).write_all(b"ping")?;
/// let mut buf = [0; 4];
/// File::from(b).read_exact(&mut buf)?;
/// assert_eq!(&buf, b"ping");
/// # Ok::<(), std::io::Error>(())
/// ```
#[doc(alias = "p9pipe")]
#[doc(alias = "socketpair")]
pub fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    sys::socketpair(libc::SOCK_STREAM)
}

/// Sends one message: the bytes `data` carrying the descriptors `fds` (up to [`MAX_FDS`]),
/// and returns how many bytes were sent. It never raises `SIGPIPE`.
///
/// On a stream socket a large `data` may be sent short. The descriptors travel with the
/// first byte sent, so a caller who sends the rest must not send them again.
///
/// # Errors
///
/// - `EINVAL`: `data` is empty (a stream socket silently drops descriptors sent with no byte),
///   or more than [`MAX_FDS`] descriptors. Nothing is sent.
/// - The kernel's, as for [`send_fd`].
///
/// ```
/// use std::os::fd::AsFd;
/// let (a, b) = p9fd::pipe()?;
/// let out = std::io::stdout();
/// let err = std::io::stderr();
/// p9fd::send_fds(&a, b"two", &[out.as_fd(), err.as_fd()])?;
/// let mut buf = [0; 16];
/// let mut fds = [None, None, None];
/// let got = p9fd::recv_fds(&b, &mut buf, &mut fds, p9fd::RecvFlags::CLOEXEC)?;
/// assert_eq!((got.bytes, got.fds), (3, 2));
/// # Ok::<(), std::io::Error>(())
/// ```
#[doc(alias = "sendfdmsg")]
#[doc(alias = "sendmsg")]
#[inline]
pub fn send_fds(sock: impl AsFd, data: &[u8], fds: &[BorrowedFd<'_>]) -> io::Result<usize> {
    if data.is_empty() {
        return Err(errno(libc::EINVAL));
    }
    sys::sendmsg(sock.as_fd(), &[IoSlice::new(data)], fds, None)
}

/// Receives one message: up to `data.len()` bytes into `data`, and its descriptors into the
/// first slots of `fds` (anything already there is closed).
///
/// It returns 0 bytes and 0 descriptors at end of file. A zero-length datagram or seqpacket
/// message returns 0 bytes too, with its descriptors. On a datagram socket, bytes beyond
/// `data.len()` are discarded, as `recv` does.
///
/// # Errors
///
/// - `EINVAL`: `data` is empty. (A zero-length receive on a stream socket would take the
///   descriptors waiting at the head of the queue without their byte, and returns 0, like end
///   of file, when plain data is waiting.)
/// - `EMSGSIZE`: more descriptors arrived than `fds` has slots; all of them are closed.
/// - `EMFILE`: the kernel dropped descriptors (`MSG_CTRUNC`); whatever arrived is closed.
/// - The kernel's, as for [`recv_fd`].
///
/// On error `fds` is untouched; `data` may hold bytes of the refused message.
///
/// ```
/// use std::os::fd::AsFd;
/// let (a, b) = p9fd::pipe()?;
/// p9fd::send_fds(&a, b"hello", &[std::io::stdin().as_fd()])?;
/// let mut buf = [0; 8];
/// let mut fds = [None];
/// let got = p9fd::recv_fds(&b, &mut buf, &mut fds, p9fd::RecvFlags::CLOEXEC)?;
/// assert_eq!(&buf[..got.bytes], b"hello");
/// assert_eq!(got.fds, 1);
/// let [Some(stdin)] = fds else { unreachable!() };
/// # drop(stdin);
/// # Ok::<(), std::io::Error>(())
/// ```
#[doc(alias = "recvfdmsg")]
#[doc(alias = "recvmsg")]
#[inline]
pub fn recv_fds(
    sock: impl AsFd,
    data: &mut [u8],
    fds: &mut [Option<OwnedFd>],
    flags: RecvFlags,
) -> io::Result<Received> {
    recv_impl(sock.as_fd(), data, fds, flags).map(|(got, _)| got)
}

/// The sender's credentials, as (pid, uid, gid).
type Creds = (i32, u32, u32);

/// The one receive: [`recv_fds`], and also the sender's credentials if the message carried
/// them (SCM_CREDENTIALS, with SO_PASSCRED on).
#[inline(always)]
fn recv_impl(
    sock: BorrowedFd<'_>,
    data: &mut [u8],
    fds: &mut [Option<OwnedFd>],
    flags: RecvFlags,
) -> io::Result<(Received, Option<Creds>)> {
    if data.is_empty() {
        return Err(errno(libc::EINVAL));
    }
    let mut control = sys::RecvControl::new();
    let got = sys::recvmsg(sock, data, &mut control, flags.0)?;
    // The usual answer first: exactly one SCM_RIGHTS message that fits (so no credentials).
    if got.flags & libc::MSG_CTRUNC == 0
        && let Some(ints) = control.head(got.control_len).and_then(cmsg::only_rights)
        && ints.len() / size_of::<RawFd>() <= fds.len()
    {
        let mut n = 0;
        for (slot, raw) in fds.iter_mut().zip(Cmsg::ints(ints)) {
            *slot = sys::own(raw);
            n += usize::from(slot.is_some());
        }
        let got = Received {
            bytes: got.bytes,
            fds: n,
        };
        return Ok((got, None));
    }
    recv_general(&mut control, fds, got.bytes, got.flags, got.control_len)
}

/// Every other answer: [`cmsg::judge`] decides, and every descriptor that arrived is either
/// handed out or closed. Out of line, so that the usual answer's code stays small.
#[cold]
#[inline(never)]
fn recv_general(
    control: &mut sys::RecvControl,
    fds: &mut [Option<OwnedFd>],
    bytes: usize,
    flags: c_int,
    control_len: usize,
) -> io::Result<(Received, Option<Creds>)> {
    let control = control.bytes(control_len);
    let (verdict, route) = cmsg::route(control, flags, fds.len());
    let mut n = 0;
    for (raw, slot) in route {
        let fd = sys::own(raw);
        if let Some(slot) = slot.and_then(|i| fds.get_mut(i)) {
            n += usize::from(fd.is_some());
            *slot = fd;
        }
        // Any other descriptor is dropped, so closed, here.
    }
    match verdict {
        Ok(_) => Ok((Received { bytes, fds: n }, cmsg::credentials(control))),
        Err(Refusal::Truncated) => Err(errno(libc::EMFILE)),
        Err(Refusal::TooMany) => Err(errno(libc::EMSGSIZE)),
    }
}
