//! The core: the one send and the one receive, over `core` and `libc` only.
//!
//! Sockets and descriptors to send are descriptor numbers the caller lends for the call;
//! received descriptors come out as [`Fd`]s, owned from the moment they are parsed, so that any
//! the caller does not get is closed before the call returns. Errors are [`Errno`] values.
//! Nothing here allocates or raises a signal, and nothing retries but [`send_all`], whose job
//! it is. The C ABI and the std API both sit on these functions.

use core::ffi::c_int;

use crate::cmsg::{self, Cmsg, Refusal};
use crate::sys::{self, Creds, Errno, Fd, Result};

#[cfg(feature = "apue")]
pub(crate) mod apue;

/// p9fd's receive flag for close-on-exec, the same on every platform (`P9FD_CLOEXEC`,
/// `RecvFlags::CLOEXEC`); the plumbing maps it to the system's own means.
pub(crate) const CLOEXEC: c_int = 1 << 30;

/// Where a receive puts each descriptor it hands the caller: an `Option<Fd>`, an
/// `Option<OwnedFd>` (std API) or a C `int` (C ABI). Slots are written only on success.
pub(crate) trait Slot {
    /// Stores `fd`, which the slot now owns (an owning slot closes what it held).
    fn put(&mut self, fd: Fd);
}

impl Slot for Option<Fd> {
    #[inline(always)]
    fn put(&mut self, fd: Fd) {
        *self = Some(fd);
    }
}

/// What [`recv_fds`](crate::recv_fds) received.
///
/// ```
/// let (a, b) = p9fd::pipe()?;
/// drop(a);
/// let got = p9fd::recv_fds(&b, &mut [0; 4], &mut [None], p9fd::RecvFlags::CLOEXEC)?;
/// assert_eq!(got, p9fd::Received { bytes: 0, fds: 0 }); // end of file
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Received {
    /// Data bytes received.
    pub bytes: usize,
    /// Descriptors received, stored in the first `fds` slots.
    pub fds: usize,
}

/// Sends one message: the bytes `data` carrying the descriptors `fds` (up to
/// [`sys::MAXFDS`]), and returns how many bytes were sent. EINVAL, with nothing sent, for an
/// empty `data` (a stream drops descriptors sent with no byte) or too many descriptors.
#[inline(always)]
pub(crate) fn send(sock: c_int, data: &[u8], fds: &[c_int]) -> Result<usize> {
    if data.is_empty() {
        return Err(Errno(libc::EINVAL));
    }
    sys::sendmsg(sock, [data], fds, None)
}

/// Sends all of `data`, the descriptors `fds` with its first part only, finishing short sends.
/// An EINTR is retried (the interrupted call sent nothing), and on a non-blocking socket an
/// EAGAIN waits for room, so the framing is never lost: it returns when everything went, or
/// with the first real error (and then an unknown prefix of `data` went, with the descriptors
/// if anything did).
#[cfg_attr(not(feature = "std"), allow(dead_code))]
pub(crate) fn send_all(sock: c_int, data: &[u8], fds: &[c_int]) -> Result<()> {
    if data.is_empty() {
        return Err(Errno(libc::EINVAL));
    }
    let (mut sent, mut fds) = (0, fds);
    while sent < data.len() {
        match send(sock, &data[sent..], fds) {
            Ok(n) => {
                sent += n;
                fds = &[];
            }
            Err(Errno(libc::EINTR)) => {}
            Err(Errno(e)) if e == libc::EAGAIN || e == libc::EWOULDBLOCK => {
                sys::wait_writable(sock)?
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Who is on the other end of a connected Unix-domain socket, as (pid, uid, gid); pid 0
/// where the system does not say.
#[cfg_attr(not(feature = "std"), allow(dead_code))]
pub(crate) fn peer(sock: c_int) -> Result<Creds> {
    sys::peer_creds(sock)
}

/// lib9's sendfd: one zero byte carrying `fd`.
#[inline(always)]
pub(crate) fn send_fd(sock: c_int, fd: c_int) -> Result<()> {
    send(sock, &[0], &[fd]).map(drop)
}

/// lib9's recvfd: one byte carrying exactly one descriptor. ECONNRESET at end of file;
/// EBADMSG for no descriptor or more than one (all closed).
#[inline(always)]
pub(crate) fn recv_fd(sock: c_int, cloexec: bool) -> Result<Fd> {
    let mut byte = [0u8];
    let mut slot = [None];
    match recv(sock, &mut byte, &mut slot, cloexec) {
        Ok((got, _)) => match slot {
            [Some(fd)] => Ok(fd),
            [None] if got.bytes == 0 && !is_datagram(sock) => Err(Errno(libc::ECONNRESET)),
            [None] => Err(Errno(libc::EBADMSG)),
        },
        Err(Errno(libc::EMSGSIZE)) => Err(Errno(libc::EBADMSG)),
        Err(e) => Err(e),
    }
}

/// On a datagram socket an empty message is not end of file.
fn is_datagram(sock: c_int) -> bool {
    sys::socket_type(sock).is_ok_and(|t| t == libc::SOCK_DGRAM)
}

/// Plan 9's pipe: a connected pair of Unix-domain stream sockets, inherited across exec.
pub(crate) fn pipe() -> Result<(Fd, Fd)> {
    sys::socketpair(libc::SOCK_STREAM)
}

/// The one receive: up to `data.len()` bytes into `data` (EINVAL if empty) and the message's
/// descriptors into the first slots of `fds`, and the sender's credentials if the message
/// carried them (SCM_CREDENTIALS, with SO_PASSCRED on). EMSGSIZE if more descriptors arrived
/// than `fds` has slots, EMFILE if the kernel dropped some (MSG_CTRUNC): all closed, and
/// `fds` untouched.
#[inline(always)]
pub(crate) fn recv<S: Slot>(
    sock: c_int,
    data: &mut [u8],
    fds: &mut [S],
    cloexec: bool,
) -> Result<(Received, Option<Creds>)> {
    if data.is_empty() {
        return Err(Errno(libc::EINVAL));
    }
    let mut control = sys::RecvControl::new();
    let got = sys::recvmsg(sock, data, &mut control, cloexec)?;
    // The usual answer first: exactly one SCM_RIGHTS message that fits (so no credentials).
    if got.flags & libc::MSG_CTRUNC == 0
        && let Some(ints) = control.head(got.control_len).and_then(cmsg::only_rights)
        && ints.len() / size_of::<c_int>() <= fds.len()
    {
        let mut n = 0;
        for (slot, fd) in fds
            .iter_mut()
            .zip(Cmsg::ints(ints).filter_map(|raw| sys::own(raw, cloexec)))
        {
            slot.put(fd);
            n += 1;
        }
        let got = Received {
            bytes: got.bytes,
            fds: n,
        };
        return Ok((got, None));
    }
    let room = fds.len();
    let mut put = |i: usize, fd: Fd| match fds.get_mut(i) {
        Some(slot) => slot.put(fd),
        None => drop(fd), // never: the route stays within the room
    };
    let (bytes, flags, len) = (got.bytes, got.flags, got.control_len);
    recv_general(&mut control, room, &mut put, cloexec, bytes, flags, len)
}

/// Every other answer: [`cmsg::route`] decides, and every descriptor that arrived is either
/// handed out (`put` into the caller's slot `i`, `i < room`) or closed. Out of line, so that
/// the usual answer's code stays small, and not generic, so that there is one copy of it.
#[cold]
#[inline(never)]
fn recv_general(
    control: &mut sys::RecvControl,
    room: usize,
    put: &mut dyn FnMut(usize, Fd),
    cloexec: bool,
    bytes: usize,
    flags: c_int,
    control_len: usize,
) -> Result<(Received, Option<Creds>)> {
    // The fields one by one, not the struct: by value they stay in registers on the fast path.
    let control = control.bytes(control_len);
    let (verdict, route) = cmsg::route(control, flags, room);
    let mut n = 0;
    for (raw, slot) in route {
        let Some(fd) = sys::own(raw, cloexec) else {
            continue;
        };
        match slot {
            Some(i) => {
                put(i, fd);
                n += 1;
            }
            None => drop(fd), // closed here
        }
    }
    match verdict {
        Ok(_) => Ok((Received { bytes, fds: n }, cmsg::credentials(control))),
        Err(Refusal::Truncated) => Err(Errno(libc::EMFILE)),
        Err(Refusal::TooMany) => Err(Errno(libc::EMSGSIZE)),
    }
}
