//! The core: the one send and the one receive, over `core` and `libc` only.
//!
//! Sockets and descriptors to send are descriptor numbers the caller lends for the call;
//! received descriptors come out as [`Fd`]s, owned from the moment they are parsed, so that any
//! the caller does not get is closed before the call returns. Errors are [`Errno`] values.
//! Nothing here allocates or raises a signal, and nothing retries but [`send_all`], whose job
//! it is. The C ABI and the std API both sit on these functions.

use core::ffi::c_int;

use crate::cmsg::{Cmsg, Refusal};
use crate::sys::{self, Creds, Errno, Fd, FullTable, Records, Result, Sigpipe, System};

#[cfg(feature = "apue")]
pub(crate) mod apue;

/// p9fd's receive flag for close-on-exec, the same on every platform (`P9FD_CLOEXEC`,
/// `RecvFlags::CLOEXEC`); the plumbing maps it to the system's own means.
pub(crate) const CLOEXEC: c_int = 1 << 30;

/// p9fd's flag for one call that does not wait (`P9FD_DONTWAIT`, `RecvFlags::DONTWAIT`,
/// `SendFlags::DONTWAIT`): the system's MSG_DONTWAIT, for that call only (and on a send,
/// MSG_NBIO where the system needs it: [`System::send_nbio`]).
pub(crate) const DONTWAIT: c_int = 1 << 29;

/// Where a receive puts each descriptor it hands the caller: an `Option<Fd>`, an
/// `Option<OwnedFd>` (std API) or a C `int` (C ABI). Slots are written only on success.
pub(crate) trait Slot: Sized {
    /// Stores `fd`, which the slot now owns (an owning slot closes what it held).
    fn put(&mut self, fd: Fd);

    /// The receive's usual answer, its last check and its stores: unless a number in `ints`
    /// (the whole ints of one SCM_RIGHTS message that `recvmsg` installed, no more than there
    /// are `slots`) is negative, which the kernel never installs, stores them in the first
    /// slots in order, as [`put`](Self::put) does, and returns true; otherwise stores nothing
    /// and returns false. The signs are checked in one pass, the sign of their union. A slot
    /// type may do it in bulk.
    #[inline(always)]
    fn try_put_all<K: Kernel>(slots: &mut [Self], ints: &[u8], k: &mut K, cloexec: bool) -> bool {
        if Cmsg::ints(ints).fold(0, |all, fd| all | fd) < 0 {
            return false;
        }
        for (slot, raw) in slots.iter_mut().zip(Cmsg::ints(ints)) {
            slot.put(sys::own_installed(&K::SYSTEM, raw, cloexec, |fd| {
                k.set_cloexec(fd)
            }));
        }
        true
    }
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
    send_on(&mut Os, sock, data, fds)
}

/// [`send`] on any kernel.
#[inline(always)]
pub(crate) fn send_on<K: Kernel>(
    k: &mut K,
    sock: c_int,
    data: &[u8],
    fds: &[c_int],
) -> Result<usize> {
    if data.is_empty() {
        return Err(Errno(libc::EINVAL));
    }
    sendmsg_on(k, sock, [data], fds, None)
}

/// A send as [`send`], and without waiting for this call where `dontwait` (MSG_DONTWAIT:
/// EAGAIN, nothing sent, when there is no room), to the address `to` (a `sockaddr` of
/// `to.len()` bytes) where given: an unconnected datagram socket's destination.
#[inline(always)]
pub(crate) fn send_to(
    sock: c_int,
    data: &[u8],
    fds: &[c_int],
    dontwait: bool,
    to: Option<&[u8]>,
) -> Result<usize> {
    send_to_on(&mut Os, sock, data, fds, dontwait, to)
}

/// [`send_to`] on any kernel.
#[inline(always)]
pub(crate) fn send_to_on<K: Kernel>(
    k: &mut K,
    sock: c_int,
    data: &[u8],
    fds: &[c_int],
    dontwait: bool,
    to: Option<&[u8]>,
) -> Result<usize> {
    if data.is_empty() {
        return Err(Errno(libc::EINVAL));
    }
    let wait = match (dontwait, K::SYSTEM.send_nbio) {
        (false, _) => 0,
        (true, false) => libc::MSG_DONTWAIT,
        (true, true) => libc::MSG_DONTWAIT | sys::MSG_NBIO,
    };
    sendmsg_flags_on(k, sock, [data], fds, None, wait, to)
}

/// The one send: the message [`sys::sendmsg`] builds, sent without raising SIGPIPE, in one
/// system call where the kernel honours MSG_NOSIGNAL ([`Sigpipe`]), and with MSG_EOR where a
/// seqpacket record ends only where its sender says so ([`Records::MarkedFrom`]).
#[inline(always)]
pub(crate) fn sendmsg_on<K: Kernel, const N: usize>(
    k: &mut K,
    sock: c_int,
    data: [&[u8]; N],
    fds: &[c_int],
    creds: Option<Creds>,
) -> Result<usize> {
    sendmsg_flags_on(k, sock, data, fds, creds, 0, None)
}

/// [`sendmsg_on`] with the caller's `extra` flags and destination `to`.
#[inline(always)]
pub(crate) fn sendmsg_flags_on<K: Kernel, const N: usize>(
    k: &mut K,
    sock: c_int,
    data: [&[u8]; N],
    fds: &[c_int],
    creds: Option<Creds>,
    extra: c_int,
    to: Option<&[u8]>,
) -> Result<usize> {
    sys::sendmsg(data, fds, creds, |msg| {
        let flag = match K::SYSTEM.sigpipe {
            Sigpipe::Flag => true,
            Sigpipe::FlagFrom { release } => k.release() >= release,
        };
        if !flag {
            k.set_nosigpipe(sock);
        }
        let eor = match K::SYSTEM.records {
            Records::MarkedFrom { release } if k.release() >= release => libc::MSG_EOR,
            _ => 0,
        };
        let nosignal = if flag { libc::MSG_NOSIGNAL } else { 0 };
        let flags = nosignal | eor | extra;
        match to {
            None => k.sendmsg(sock, msg, flags),
            Some(name) => {
                let mut named = *msg;
                named.msg_name = name.as_ptr().cast_mut().cast();
                named.msg_namelen = name.len() as libc::socklen_t;
                k.sendmsg(sock, &named, flags)
            }
        }
    })
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
/// EBADMSG for no descriptor or more than one (all closed). On a datagram socket it reads one
/// byte of the message, as lib9 does: the rest is discarded and not an error.
#[inline(always)]
pub(crate) fn recv_fd(sock: c_int, cloexec: bool) -> Result<Fd> {
    recv_fd_on(&mut Os, sock, cloexec)
}

/// [`recv_fd`] on any kernel.
#[inline(always)]
pub(crate) fn recv_fd_on<K: Kernel>(k: &mut K, sock: c_int, cloexec: bool) -> Result<Fd> {
    let mut byte = [0u8];
    let mut slot = [None];
    match recv_on(k, sock, &mut byte, &mut slot, cloexec, Part::Allowed) {
        Ok((got, _)) => match slot {
            [Some(fd)] => Ok(fd),
            [None] => Err(no_fd(k, sock, got.bytes)),
        },
        Err(Errno(libc::EMSGSIZE)) => Err(Errno(libc::EBADMSG)),
        Err(e) => Err(e),
    }
}

/// Why a byte came without a descriptor: end of file (ECONNRESET; only where the socket says
/// it is not a datagram socket, on which an empty message is a message) or a message without
/// one (EBADMSG). Where the socket cannot say (SO_TYPE failed: the socket was closed meanwhile,
/// say), EBADMSG, which cannot mislead: an empty message is gone, as EBADMSG says, and at end
/// of file the next receive says ECONNRESET. Out of line, so that the usual answer keeps its
/// registers.
#[cold]
#[inline(never)]
fn no_fd<K: Kernel>(k: &mut K, sock: c_int, bytes: usize) -> Errno {
    if bytes == 0 && matches!(k.socket_type(sock), Ok(ty) if ty != libc::SOCK_DGRAM) {
        Errno(libc::ECONNRESET)
    } else {
        Errno(libc::EBADMSG)
    }
}

/// [`pipe_on`] this system: `pipe(libc::SOCK_STREAM, false)` is Plan 9's pipe, a connected
/// pair of Unix-domain stream sockets, inherited across exec.
pub(crate) fn pipe(ty: c_int, cloexec: bool) -> Result<(Fd, Fd)> {
    pipe_on(&mut Os, ty, cloexec)
}

/// A connected pair of Unix-domain sockets of type `ty` (SOCK_STREAM, or SOCK_SEQPACKET for a
/// pipe that keeps message boundaries), close-on-exec if `cloexec`: atomically where the
/// system's `socketpair` takes SOCK_CLOEXEC, with fcntl on each end right after where not
/// ([`System::socketpair_cloexec`]). A type the system lacks is the kernel's error
/// (EPROTONOSUPPORT for SOCK_SEQPACKET on macOS); nothing is left open on an error.
pub(crate) fn pipe_on<K: Kernel>(k: &mut K, ty: c_int, cloexec: bool) -> Result<(Fd, Fd)> {
    let atomic = cloexec && K::SYSTEM.socketpair_cloexec;
    let (a, b) = k.socketpair(ty, atomic)?;
    if cloexec && !atomic {
        k.set_cloexec(a.raw());
        k.set_cloexec(b.raw());
    }
    Ok((a, b))
}

/// The kernel as the receive sees it: `recvmsg`, the socket's type and the peer's
/// credentials, with the facts of its system. [`Os`] is this system's; the kernel models
/// (`tests/models/`) are others, run on this one.
///
/// # Safety
/// Every descriptor number in an SCM_RIGHTS or SCM_PIDFD message that `recvmsg` writes is one
/// installed in this process's table for that call alone: the receive owns it and closes it
/// unless it hands it out.
#[allow(unsafe_code)] // a contract only: the trait has no unsafe code
pub(crate) unsafe trait Kernel {
    /// The system's facts.
    const SYSTEM: System;
    /// `recvmsg(2)`; see [`sys::recvmsg`].
    fn recvmsg(
        &mut self,
        sock: c_int,
        data: &mut [u8],
        control: Option<&mut sys::RecvControl>,
        flags: c_int,
    ) -> Result<sys::Received>;
    /// `SO_TYPE`.
    fn socket_type(&mut self, sock: c_int) -> Result<c_int>;
    /// Who the peer is, as (pid, uid, gid); see [`sys::peer_creds`]. APUE's.
    #[cfg_attr(not(feature = "apue"), allow(dead_code))]
    fn peer_creds(&mut self, sock: c_int) -> Result<Creds>;
    /// Asks for the sender's credentials with every message; see [`sys::set_passcred`]. APUE's.
    #[cfg_attr(not(feature = "apue"), allow(dead_code))]
    fn set_passcred(&mut self, sock: c_int) -> Result<()>;
    /// `sendmsg(2)` of a message [`sys::sendmsg`] built; see [`sys::send_raw`].
    fn sendmsg(&mut self, sock: c_int, msg: &libc::msghdr, flags: c_int) -> Result<usize>;
    /// SO_NOSIGPIPE on the socket; see [`sys::set_nosigpipe`].
    fn set_nosigpipe(&mut self, sock: c_int);
    /// The kernel's release, asked once per process; see [`sys::release`].
    fn release(&mut self) -> u32;
    /// Close-on-exec on a received descriptor, after receipt; see [`sys::set_cloexec`].
    fn set_cloexec(&mut self, fd: c_int);
    /// `socketpair(2)` of two Unix-domain sockets of type `ty`, with SOCK_CLOEXEC if
    /// `cloexec`; see [`sys::socketpair`].
    fn socketpair(&mut self, ty: c_int, cloexec: bool) -> Result<(Fd, Fd)>;
}

/// This system's kernel.
pub(crate) struct Os;

// SAFETY: descriptors in the control messages the real recvmsg returns were installed for
// that call alone.
#[allow(unsafe_code)]
unsafe impl Kernel for Os {
    const SYSTEM: System = sys::SYSTEM;
    #[inline(always)]
    fn recvmsg(
        &mut self,
        sock: c_int,
        data: &mut [u8],
        control: Option<&mut sys::RecvControl>,
        flags: c_int,
    ) -> Result<sys::Received> {
        sys::recvmsg(sock, data, control, flags)
    }
    fn socket_type(&mut self, sock: c_int) -> Result<c_int> {
        sys::socket_type(sock)
    }
    fn peer_creds(&mut self, sock: c_int) -> Result<Creds> {
        sys::peer_creds(sock)
    }
    fn set_passcred(&mut self, sock: c_int) -> Result<()> {
        sys::set_passcred(sock)
    }
    #[inline(always)]
    fn sendmsg(&mut self, sock: c_int, msg: &libc::msghdr, flags: c_int) -> Result<usize> {
        sys::send_raw(sock, msg, flags)
    }
    fn set_nosigpipe(&mut self, sock: c_int) {
        sys::set_nosigpipe(sock)
    }
    fn release(&mut self) -> u32 {
        sys::release()
    }
    fn set_cloexec(&mut self, fd: c_int) {
        sys::set_cloexec(fd)
    }
    fn socketpair(&mut self, ty: c_int, cloexec: bool) -> Result<(Fd, Fd)> {
        sys::socketpair(ty, cloexec)
    }
}

/// Whether a receive takes part of a datagram or record longer than its buffer.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// No: MSG_TRUNC is EMSGSIZE, every descriptor closed (the message is gone either way).
    Refused,
    /// Yes, as lib9's recvfd reads one byte of whatever came.
    Allowed,
}

/// The one receive: up to `data.len()` bytes into `data` (EINVAL if empty) and the message's
/// descriptors into the first slots of `fds`, and the sender's credentials if the message
/// carried them (SCM_CREDENTIALS, with SO_PASSCRED on). EMSGSIZE if more descriptors arrived
/// than `fds` has slots or than the control buffer holds, or (unless `part` allows it) the
/// message was longer than `data`; EMFILE if the kernel could not install them (a full
/// table): all closed and `fds` untouched. After an error nothing more is received: what the
/// kernel left queued (on some systems the failed message's data, without its descriptors) is
/// what the next receive sees (docs/kernels.md).
///
/// Without waiting for this call only where `dontwait` (MSG_DONTWAIT: EAGAIN when nothing is
/// queued).
#[inline(always)]
pub(crate) fn recv_with<S: Slot>(
    sock: c_int,
    data: &mut [u8],
    fds: &mut [S],
    cloexec: bool,
    dontwait: bool,
) -> Result<(Received, Option<Creds>)> {
    recv_on_with(&mut Os, sock, data, fds, cloexec, Part::Refused, dontwait)
}

/// [`recv_with`] on any kernel, with the choice of [`Part`], waiting.
#[inline(always)]
pub(crate) fn recv_on<K: Kernel, S: Slot>(
    k: &mut K,
    sock: c_int,
    data: &mut [u8],
    fds: &mut [S],
    cloexec: bool,
    part: Part,
) -> Result<(Received, Option<Creds>)> {
    recv_on_with(k, sock, data, fds, cloexec, part, false)
}

/// [`recv_on`], and without waiting where `dontwait`.
#[inline(always)]
pub(crate) fn recv_on_with<K: Kernel, S: Slot>(
    k: &mut K,
    sock: c_int,
    data: &mut [u8],
    fds: &mut [S],
    cloexec: bool,
    part: Part,
    dontwait: bool,
) -> Result<(Received, Option<Creds>)> {
    if data.is_empty() {
        return Err(Errno(libc::EINVAL));
    }
    let system = K::SYSTEM;
    let mut control = sys::RecvControl::new();
    let wait = if dontwait { libc::MSG_DONTWAIT } else { 0 };
    let flags = sys::recv_flags(&system, cloexec) | wait;
    let mut got = match k.recvmsg(sock, data, Some(&mut control), flags) {
        Ok(got) => got,
        Err(e) => return Err(refused(&system, e)),
    };
    if let Records::MarkedFrom { release } = system.records
        && got.bytes == data.len()
        && got.flags & libc::MSG_EOR == 0
        && record_cut(k, sock, release)
        && part == Part::Refused
    {
        got.flags |= libc::MSG_TRUNC;
    }
    let refuse = match part {
        Part::Refused => libc::MSG_CTRUNC | libc::MSG_TRUNC,
        Part::Allowed => libc::MSG_CTRUNC,
    };
    // The usual answer first: exactly one SCM_RIGHTS message, of any size, that fits (so no
    // credentials), whose numbers are all descriptors.
    if got.flags & refuse == 0
        && let Some(ints) = control.only_rights(system.layout, got.control_len)
        && ints.len() / size_of::<c_int>() <= fds.len()
        && S::try_put_all(fds, ints, k, cloexec)
    {
        let got = Received {
            bytes: got.bytes,
            fds: ints.len() / size_of::<c_int>(),
        };
        return Ok((got, None));
    }
    let room = fds.len();
    let mut put = |i: usize, fd: Fd| match fds.get_mut(i) {
        Some(slot) => slot.put(fd),
        None => drop(fd), // never: the route stays within the room
    };
    let flags = got.flags & (refuse | !(libc::MSG_CTRUNC | libc::MSG_TRUNC));
    let (bytes, len) = (got.bytes, got.control_len);
    recv_general(
        &system,
        &mut control,
        room,
        &mut put,
        &mut |fd| k.set_cloexec(fd),
        cloexec,
        bytes,
        flags,
        len,
    )
}

/// A receive whose buffer came back full without MSG_EOR, where records end only where their
/// senders say ([`Records::MarkedFrom`]: FreeBSD 15): whether it is a record cut short, which
/// it is where the kernel is of that release or later and the socket is a seqpacket socket
/// (asked only now: one getsockopt). If so the rest of the record is discarded, as MSG_TRUNC
/// discards it elsewhere: read without waiting and dropped, up to the record's end (a rest
/// still in flight, from a send the kernel had to split, is not waited for, and the next
/// receive reads it), one recvmsg per 2 KiB of it. Out of line: no other system has it, and
/// there it is rare.
#[cold]
#[inline(never)]
fn record_cut<K: Kernel>(k: &mut K, sock: c_int, release: u32) -> bool {
    if k.release() < release || k.socket_type(sock) != Ok(libc::SOCK_SEQPACKET) {
        return false;
    }
    // A read that ends the record says MSG_EOR; one that comes back short of the buffer
    // without it stopped before the next message's control (or at what has come so far), so
    // the next would take that message: either ends the discarding.
    let mut rest = [0u8; 2048];
    while let Ok(got) = k.recvmsg(sock, &mut rest, None, libc::MSG_DONTWAIT) {
        if got.flags & libc::MSG_EOR != 0 || got.bytes < rest.len() {
            break;
        }
    }
    true
}

/// The sender's credentials in a received message (Linux's SCM_CREDENTIALS), read where a
/// caller uses them: APUE's receive (feature `apue`). Elsewhere nobody asks, and the C
/// library without APUE does not carry the reading.
#[inline(always)]
fn credentials(layout: sys::Layout, control: &[u8]) -> Option<Creds> {
    if cfg!(feature = "apue") {
        layout.credentials(control)
    } else {
        None
    }
}

/// A `recvmsg` that failed. Where the system reports a full table as an error
/// ([`FullTable::Fails`]: the BSDs, macOS, illumos), that error is EMFILE, as on Linux; any
/// other is the kernel's. Nothing more is received: the kernel has disposed of the descriptors,
/// and what it did with the message's data (kept at the head of the queue, or dropped) depends
/// on the system, the socket type and the path (docs/kernels.md). A second receive here could
/// only guess, and where the kernel dropped the record it would take the next message, which
/// the caller never saw.
#[cold]
#[inline(never)]
fn refused(system: &System, e: Errno) -> Errno {
    match system.full_table {
        FullTable::Fails { errno } if e.0 == errno => Errno(libc::EMFILE),
        _ => e,
    }
}

/// Every other answer: [`Layout::route`](crate::cmsg::Layout::route) decides, and every
/// descriptor that arrived is either handed out (`put` into the caller's slot `i`, `i < room`)
/// or closed. Out of line, so that the usual answer's code stays small, and not generic, so
/// that there is one copy of it.
#[cold]
#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn recv_general(
    system: &System,
    control: &mut sys::RecvControl,
    room: usize,
    put: &mut dyn FnMut(usize, Fd),
    set_cloexec: &mut dyn FnMut(c_int),
    cloexec: bool,
    bytes: usize,
    flags: c_int,
    control_len: usize,
) -> Result<(Received, Option<Creds>)> {
    // The fields one by one, not the struct: by value they stay in registers on the fast path.
    let layout = system.layout;
    let control = control.bytes(layout, control_len);
    let (verdict, route) = layout.route(control, flags, room, system.owns);
    let mut n = 0;
    for (raw, slot) in route {
        let Some(fd) = sys::own(system, raw, cloexec, &mut *set_cloexec) else {
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
        Ok(_) => Ok((Received { bytes, fds: n }, credentials(layout, control))),
        // The kernel cut the control messages: on Linux because it could not install the
        // descriptors (a full table), unless the buffer came back with no room for another
        // one; elsewhere a full table is an error, and a cut is always a buffer too small.
        Err(Refusal::Truncated)
            if system.full_table == FullTable::Ctrunc
                && control_len + size_of::<c_int>() <= sys::RECV_SPACE =>
        {
            Err(Errno(libc::EMFILE))
        }
        Err(Refusal::Truncated) => Err(Errno(libc::EMSGSIZE)),
        Err(Refusal::Cut | Refusal::TooMany) => Err(Errno(libc::EMSGSIZE)),
    }
}
