//! APUE's descriptor-passing protocol (feature `apue`): the open server of "Advanced
//! Programming in the UNIX Environment", over Unix-domain sockets.
//!
//! Each message is optional error text, a 0 byte and a status byte. Status 0 carries exactly
//! one SCM_RIGHTS descriptor; a nonzero status reports an error. Where APUE's own `recv_fd`
//! aborts on a malformed message, these functions return an error and close whatever arrived.
//!
//! On Linux every message p9fd sends also carries the sender's credentials (SCM_CREDENTIALS:
//! pid, effective uid and gid, which the kernel checks, and can vouch for unless the sender is
//! in a user namespace without a mapping for them), so a receiver learns who sent it however
//! late it turned SO_PASSCRED on.

use core::num::NonZeroU8;
use std::io;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};

use crate::pass::apue as core_apue;

/// What the server answered.
///
/// ```
/// use p9fd::apue::{self, Reply};
/// let (a, b) = p9fd::pipe()?;
/// apue::send_status(&a, std::num::NonZeroU8::new(libc::EACCES as u8).unwrap(), b"")?;
/// match apue::recv(&b, |_| Ok(()))? {
///     (Reply::Status(s), _) => assert_eq!(i32::from(s.get()), libc::EACCES),
///     (Reply::Fd(_), _) => unreachable!(),
/// }
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub enum Reply {
    /// Status 0 and its descriptor.
    Fd(OwnedFd),
    /// A nonzero status: an error, by convention an errno.
    Status(NonZeroU8),
}

/// Sends `fd` with status 0.
///
/// ```
/// let (a, b) = p9fd::pipe()?;
/// p9fd::apue::send_fd(&a, std::io::stdout())?;
/// let (reply, uid) = p9fd::apue::recv(&b, |_| Ok(()))?;
/// assert!(matches!(reply, p9fd::apue::Reply::Fd(_)));
/// assert_eq!(uid, unsafe { libc::geteuid() });
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn send_fd(sock: impl AsFd, fd: impl AsFd) -> io::Result<()> {
    Ok(core_apue::send_fd(
        sock.as_fd().as_raw_fd(),
        fd.as_fd().as_raw_fd(),
    )?)
}

/// Sends a nonzero status, after `text` (which may be empty, and must not hold a 0 byte) in
/// the same message.
///
/// # Errors
///
/// `EINVAL` if `text` holds a 0 byte, which would end it early; the kernel's, as for
/// [`crate::send_fds`]; `EAGAIN` if a non-blocking stream took only part of a long message.
///
/// ```
/// use std::num::NonZeroU8;
/// let (a, b) = p9fd::pipe()?;
/// p9fd::apue::send_status(&a, NonZeroU8::new(libc::ENOENT as u8).unwrap(), b"no such file")?;
/// let mut text = Vec::new();
/// p9fd::apue::recv(&b, |t| Ok(text.extend_from_slice(t)))?;
/// assert_eq!(text, b"no such file");
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn send_status(sock: impl AsFd, status: NonZeroU8, text: &[u8]) -> io::Result<()> {
    Ok(core_apue::send_status(
        sock.as_fd().as_raw_fd(),
        status,
        text,
    )?)
}

/// Receives one reply, handing any text to `text` in pieces as it arrives (also when the call
/// then fails with `EINTR`, `EAGAIN` or at end of file: a retry hands over only what follows),
/// and returns it with
/// the sender's uid: from the credentials the message carried, or else the peer's at connect
/// time (SO_PEERCRED, asked before anything is read, so that its failure leaves the reply
/// queued). SO_PASSCRED is turned on for the socket.
///
/// On a stream it reads the message in pieces of at most two bytes, so that it never consumes
/// a byte of the next message; on datagram and seqpacket sockets a message is one read.
///
/// # Errors
///
/// - `ECONNRESET`: end of file, before or inside a message.
/// - `EBADMSG`: status 0 without a descriptor, more than one descriptor (all closed), or on a
///   datagram socket a message that is not text, 0, status.
/// - `EMFILE`: the kernel dropped descriptors (table full); whatever arrived is closed.
/// - whatever `text` returns, and the kernel's errors.
///
/// A nonzero status that comes with a descriptor is the status; the descriptor is closed.
///
/// ```
/// let (a, b) = p9fd::pipe()?;
/// drop(a);
/// let err = p9fd::apue::recv(&b, |_| Ok(())).unwrap_err();
/// assert_eq!(err.raw_os_error(), Some(libc::ECONNRESET));
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn recv(
    sock: impl AsFd,
    text: impl FnMut(&[u8]) -> io::Result<()>,
) -> io::Result<(Reply, u32)> {
    let (reply, uid) = core_apue::recv_reply(sock.as_fd().as_raw_fd(), true, text)?;
    Ok((reply.into(), uid.unwrap_or_default()))
}

/// Receives one reply as [`recv`] does, without asking who sent it (C's `recv_fd`): so it
/// works on every socket, datagram sockets on FreeBSD, macOS and OpenBSD included, where the
/// system cannot say who the peer is and [`recv`] fails before reading anything.
///
/// # Errors
///
/// As [`recv`].
///
/// ```
/// let (a, b) = p9fd::pipe()?;
/// p9fd::apue::send_fd(&a, &std::io::stdin())?;
/// assert!(matches!(p9fd::apue::recv_reply(&b, |_| Ok(()))?, p9fd::apue::Reply::Fd(_)));
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn recv_reply(sock: impl AsFd, text: impl FnMut(&[u8]) -> io::Result<()>) -> io::Result<Reply> {
    let (reply, _) = core_apue::recv_reply(sock.as_fd().as_raw_fd(), false, text)?;
    Ok(reply.into())
}

impl From<core_apue::Reply> for Reply {
    fn from(r: core_apue::Reply) -> Reply {
        match r {
            core_apue::Reply::Fd(fd) => Reply::Fd(fd.into()),
            core_apue::Reply::Status(s) => Reply::Status(s),
        }
    }
}
