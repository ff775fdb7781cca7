//! The safe Rust API (feature `std`): `AsFd` in, `OwnedFd` out, `io::Error` for errors. Each
//! function converts its arguments, calls the core ([`crate::pass`]) and converts the result.

use core::ffi::c_int;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};

use crate::pass::{self, Kernel, Slot};
use crate::sys::{self, Errno, Fd};

/// The most descriptors one message can carry (Linux's `SCM_MAX_FD`; p9fd's limit everywhere).
///
/// ```
/// use std::os::fd::AsFd;
/// let (a, _b) = p9fd::pipe()?;
/// let out = std::io::stdout();
/// let too_many = vec![out.as_fd(); p9fd::MAX_FDS + 1];
/// let err = p9fd::send_fds(&a, b"x", &too_many).unwrap_err();
/// assert_eq!(err.raw_os_error(), Some(libc::EINVAL)); // and nothing was sent
/// # Ok::<(), std::io::Error>(())
/// ```
pub const MAX_FDS: usize = sys::MAXFDS;

/// Options for receiving.
///
/// ```
/// use std::os::fd::AsRawFd;
/// let (a, b) = p9fd::pipe()?;
/// p9fd::send_fd(&a, std::io::stdout())?;
/// let fd = p9fd::recv_fd(&b, p9fd::RecvFlags::CLOEXEC)?;
/// let flags = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFD) };
/// assert_ne!(flags & libc::FD_CLOEXEC, 0);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct RecvFlags(c_int);

impl RecvFlags {
    /// No options: received descriptors are inherited across `exec`, as lib9's are.
    ///
    /// ```
    /// assert_eq!(p9fd::RecvFlags::EMPTY.bits(), 0);
    /// assert_eq!(p9fd::RecvFlags::default(), p9fd::RecvFlags::EMPTY);
    /// ```
    pub const EMPTY: RecvFlags = RecvFlags(0);

    /// Received descriptors are close-on-exec, set atomically by the kernel as it installs them
    /// (`MSG_CMSG_CLOEXEC`), so a concurrent `fork`+`exec` in another thread cannot leak them.
    /// On macOS, which has no `MSG_CMSG_CLOEXEC`, the flag is set with `fcntl` right after
    /// receipt, which is not atomic.
    ///
    /// ```
    /// assert_eq!(p9fd::RecvFlags::CLOEXEC.bits(), 1 << 30); // P9FD_CLOEXEC in p9fd.h
    /// ```
    #[doc(alias = "MSG_CMSG_CLOEXEC")]
    pub const CLOEXEC: RecvFlags = RecvFlags(pass::CLOEXEC);

    /// This call only does not wait: `MSG_DONTWAIT`, `EAGAIN` (`ErrorKind::WouldBlock`) when
    /// nothing is queued, on a blocking socket too, without changing the socket's own mode.
    ///
    /// ```
    /// let (a, b) = p9fd::pipe()?;
    /// let mut fds = [None];
    /// let err = p9fd::recv_fds(&b, &mut [0; 1], &mut fds, p9fd::RecvFlags::DONTWAIT).unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
    /// # drop(a);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[doc(alias = "MSG_DONTWAIT")]
    pub const DONTWAIT: RecvFlags = RecvFlags(pass::DONTWAIT);

    /// Both sets of options.
    ///
    /// ```
    /// use p9fd::RecvFlags;
    /// let f = RecvFlags::CLOEXEC.union(RecvFlags::DONTWAIT);
    /// assert_eq!(f.bits(), (1 << 30) | (1 << 29));
    /// ```
    pub const fn union(self, other: RecvFlags) -> RecvFlags {
        RecvFlags(self.0 | other.0)
    }

    fn cloexec(self) -> bool {
        self.0 & Self::CLOEXEC.0 != 0
    }

    fn dontwait(self) -> bool {
        self.0 & Self::DONTWAIT.0 != 0
    }

    /// The flags for these bits (p9fd's own, the same on every platform and the same as the C
    /// header's `P9FD_CLOEXEC`), or `None` if a bit is not one of these options.
    ///
    /// ```
    /// use p9fd::RecvFlags;
    /// assert_eq!(RecvFlags::from_bits(1 << 30), Some(RecvFlags::CLOEXEC));
    /// assert_eq!(RecvFlags::from_bits(libc::MSG_PEEK), None);
    /// ```
    pub const fn from_bits(bits: c_int) -> Option<RecvFlags> {
        if bits & !(Self::CLOEXEC.0 | Self::DONTWAIT.0) == 0 {
            Some(RecvFlags(bits))
        } else {
            None
        }
    }

    /// The bits (p9fd's, as `from_bits` takes them).
    ///
    /// ```
    /// let f = p9fd::RecvFlags::CLOEXEC;
    /// assert_eq!(p9fd::RecvFlags::from_bits(f.bits()), Some(f));
    /// ```
    pub const fn bits(self) -> c_int {
        self.0
    }
}

pub use crate::pass::Received;

/// Options of one send ([`send_fds_with`]), p9fd's own bits, the same on every platform.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct SendFlags(c_int);

impl SendFlags {
    /// No options: the send waits for room, as every send of a blocking socket does.
    pub const EMPTY: SendFlags = SendFlags(0);

    /// This call only does not wait: `MSG_DONTWAIT` (and on NetBSD, whose sends ignore it,
    /// `MSG_NBIO`), `EAGAIN` (`ErrorKind::WouldBlock`) and nothing sent when there is no
    /// room, without changing the socket's own mode. The same
    /// bit as [`RecvFlags::DONTWAIT`] and the C header's `P9FD_DONTWAIT`.
    #[doc(alias = "MSG_DONTWAIT")]
    pub const DONTWAIT: SendFlags = SendFlags(pass::DONTWAIT);

    /// The flags for these bits, or `None` if a bit is not one of these options.
    ///
    /// ```
    /// assert_eq!(p9fd::SendFlags::from_bits(1 << 29), Some(p9fd::SendFlags::DONTWAIT));
    /// assert_eq!(p9fd::SendFlags::from_bits(libc::MSG_OOB), None);
    /// ```
    pub const fn from_bits(bits: c_int) -> Option<SendFlags> {
        if bits & !Self::DONTWAIT.0 == 0 {
            Some(SendFlags(bits))
        } else {
            None
        }
    }

    /// The bits.
    pub const fn bits(self) -> c_int {
        self.0
    }
}

/// [`send_fds`] with options for this call and, for an unconnected datagram socket, the
/// destination: `to`, a Unix-domain address (a path, or on Linux an abstract name), as
/// systemd's `$NOTIFY_SOCKET` and CPython's `socket.send_fds(..., address)` take one.
///
/// # Errors
///
/// As [`send_fds`]; with [`SendFlags::DONTWAIT`], `EAGAIN` (`ErrorKind::WouldBlock`) and
/// nothing sent when the socket has no room; `EINVAL` for an unnamed `to` (a socketpair's
/// end: it cannot be sent to); `EISCONN` (Linux: the kernel ignores the address on a
/// connected stream) as the kernel says.
///
/// ```
/// use std::os::fd::AsFd;
/// use std::os::unix::net::UnixDatagram;
/// let dir = std::env::temp_dir().join(format!("p9fd-doc-{}", std::process::id()));
/// let _ = std::fs::remove_file(&dir);
/// let rx = UnixDatagram::bind(&dir)?;
/// let tx = UnixDatagram::unbound()?;
/// let to = rx.local_addr()?;
/// p9fd::send_fds_with(&tx, b"x", &[std::io::stdout().as_fd()], p9fd::SendFlags::EMPTY, Some(&to))?;
/// let mut fds = [None];
/// let got = p9fd::recv_fds(&rx, &mut [0; 1], &mut fds, p9fd::RecvFlags::CLOEXEC)?;
/// assert_eq!((got.bytes, got.fds), (1, 1));
/// # std::fs::remove_file(&dir)?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[doc(alias = "sendfdmsgto")]
#[doc(alias = "sendto")]
pub fn send_fds_with(
    sock: impl AsFd,
    data: &[u8],
    fds: &[BorrowedFd<'_>],
    flags: SendFlags,
    to: Option<&std::os::unix::net::SocketAddr>,
) -> io::Result<usize> {
    let dontwait = flags.0 & SendFlags::DONTWAIT.0 != 0;
    let fds = sys::raw_fds(fds);
    let Some(to) = to else {
        return Ok(pass::send_to(raw(sock), data, fds, dontwait, None)?);
    };
    let name =
        crate::sys::UnixName::of(to).ok_or_else(|| io::Error::from_raw_os_error(libc::EINVAL))?;
    Ok(pass::send_to(
        raw(sock),
        data,
        fds,
        dontwait,
        Some(name.bytes()),
    )?)
}

impl From<Errno> for io::Error {
    #[inline]
    fn from(e: Errno) -> io::Error {
        io::Error::from_raw_os_error(e.0)
    }
}

impl Slot for Option<OwnedFd> {
    #[inline(always)]
    fn put(&mut self, fd: Fd) {
        *self = fd.into_owned();
    }

    /// The same pass that checks the signs asks whether the slots to fill hold nothing (the
    /// AND of their numbers, None's being -1, is -1): into such slots (a fresh array of
    /// `None`, as callers make) the descriptors are stored with no look at what each held, a
    /// copy, which the compiler vectorises. Otherwise one by one, each old descriptor closed.
    #[inline(always)]
    fn try_put_all<K: Kernel>(slots: &mut [Self], ints: &[u8], k: &mut K, cloexec: bool) -> bool {
        let (raws, _) = ints.as_chunks::<{ size_of::<c_int>() }>();
        let held = |s: &Self| s.as_ref().map_or(-1, AsRawFd::as_raw_fd);
        let (signs, all) = raws
            .iter()
            .zip(&*slots)
            .fold((0, -1), |(signs, all), (raw, s)| {
                (signs | c_int::from_ne_bytes(*raw), all & held(s))
            });
        if signs < 0 {
            return false;
        }
        for (slot, raw) in slots.iter_mut().zip(raws) {
            let fd = sys::own_installed(&K::SYSTEM, c_int::from_ne_bytes(*raw), cloexec, |fd| {
                k.set_cloexec(fd)
            });
            match all {
                // the slot holds None: nothing to close
                -1 => core::mem::forget(core::mem::replace(slot, fd.into_owned())),
                _ => slot.put(fd),
            }
        }
        true
    }
}

fn raw(fd: impl AsFd) -> c_int {
    fd.as_fd().as_raw_fd()
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
/// refuses descriptors (`SO_PASSRIGHTS`), ... On Linux a connected TCP or UDP socket accepts
/// the byte and silently drops the descriptor: its peer's [`recv_fd`] reports `EBADMSG`
/// (FreeBSD's TCP refuses the send, `EINVAL`; sendfd(3), BUGS).
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
    Ok(pass::send_fd(raw(sock), raw(fd))?)
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
/// - `EMFILE`: our descriptor table is full (Linux says so with `MSG_CTRUNC`, where a
///   security module's refusal looks the same; the BSDs, macOS and illumos with an error),
///   or the kernel could not install them; whatever arrived is closed. On Linux and illumos
///   the message is gone; on the BSDs and macOS the kernel may have left its data queued,
///   and the next receive then reads it without a descriptor (`EBADMSG`): p9fd never
///   receives again on its own, so it never takes a message you did not ask for
///   (docs/kernels.md).
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
    Ok(pass::recv_fd(raw(sock), flags.cloexec())?.into())
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
    let (a, b) = pass::pipe(libc::SOCK_STREAM, false)?;
    Ok((a.into(), b.into()))
}

/// [`pipe`] with both ends close-on-exec: a pair of connected Unix-domain stream sockets that
/// no child inherits across `exec` unless given one. Atomic (SOCK_CLOEXEC) wherever the
/// system has it; on macOS, which has none, the flag is set with `fcntl` right after, so a
/// `fork`+`exec` in another thread in between may inherit the ends.
///
/// [`pipe`] keeps lib9's inherited ends: a program ported from Plan 9 relies on them.
///
/// ```
/// use std::os::fd::AsRawFd;
/// let (a, b) = p9fd::pipe_cloexec()?;
/// for end in [&a, &b] {
///     let flags = unsafe { libc::fcntl(end.as_raw_fd(), libc::F_GETFD) };
///     assert_ne!(flags & libc::FD_CLOEXEC, 0);
/// }
/// # Ok::<(), std::io::Error>(())
/// ```
#[doc(alias = "SOCK_CLOEXEC")]
pub fn pipe_cloexec() -> io::Result<(OwnedFd, OwnedFd)> {
    let (a, b) = pass::pipe(libc::SOCK_STREAM, true)?;
    Ok((a.into(), b.into()))
}

/// A pipe that keeps message boundaries: a pair of connected Unix-domain `SOCK_SEQPACKET`
/// sockets, both ends close-on-exec (as for [`pipe_cloexec`]). Each [`send_fds`] is one
/// record, and each [`recv_fds`] takes one whole record with its descriptors (a record
/// longer than the buffer is `EMSGSIZE`, not a silent cut), so messages never run together
/// and descriptors never arrive with another message's bytes.
///
/// Send with p9fd's functions: on FreeBSD 15 a record ends only where its sender marks it
/// (MSG_EOR, which p9fd's sends pass), so plain `write`s there run together.
///
/// # Errors
///
/// `socketpair`'s: `EPROTONOSUPPORT` on macOS, which has no Unix-domain `SOCK_SEQPACKET`
/// (use [`pipe_cloexec`] there, with a framing of your own: sendfdmsg(3), Framing); `EMFILE`,
/// `ENFILE`, `ENOMEM`, ...
///
/// ```
/// use std::os::fd::AsFd;
/// let (a, b) = match p9fd::pipe_framed() {
///     Ok(ends) => ends,
///     Err(e) if e.raw_os_error() == Some(libc::EPROTONOSUPPORT) => return Ok(()), // macOS
///     Err(e) => return Err(e),
/// };
/// p9fd::send_fds(&a, b"one", &[std::io::stdout().as_fd()])?;
/// p9fd::send_fds(&a, b"two", &[])?;
/// let (mut buf, mut fds) = ([0; 16], [None]);
/// let got = p9fd::recv_fds(&b, &mut buf, &mut fds, p9fd::RecvFlags::CLOEXEC)?;
/// assert_eq!((&buf[..got.bytes], got.fds), (&b"one"[..], 1)); // not "onetwo"
/// let got = p9fd::recv_fds(&b, &mut buf, &mut fds, p9fd::RecvFlags::CLOEXEC)?;
/// assert_eq!((&buf[..got.bytes], got.fds), (&b"two"[..], 0));
/// # Ok::<(), std::io::Error>(())
/// ```
#[doc(alias = "SOCK_SEQPACKET")]
#[doc(alias = "p9framedpipe")]
pub fn pipe_framed() -> io::Result<(OwnedFd, OwnedFd)> {
    let (a, b) = pass::pipe(libc::SOCK_SEQPACKET, true)?;
    Ok((a.into(), b.into()))
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
    Ok(pass::send(raw(sock), data, sys::raw_fds(fds))?)
}

/// Sends all of `data`, the descriptors `fds` (up to [`MAX_FDS`]) with its first part only,
/// finishing the short sends a stream makes of a large message.
///
/// An `EINTR` is retried (the interrupted call sent nothing, so the framing holds), and on a
/// non-blocking socket it waits for room (`poll`) rather than failing with `EAGAIN` after part
/// of the message went. It never raises `SIGPIPE`. Nothing allocates.
///
/// # Errors
///
/// `EINVAL` for an empty `data` or too many descriptors (nothing sent), and the kernel's, as
/// for [`send_fd`]. After an error an unknown prefix of `data` may have gone (with the
/// descriptors, if any of it did): the stream's framing is then the caller's to give up.
///
/// ```
/// use std::os::fd::AsFd;
/// let (a, b) = p9fd::pipe()?;
/// let reader = std::thread::spawn(move || {
///     let mut buf = vec![0; 1 << 16];
///     let mut fds = [None];
///     let (mut total, mut nfds) = (0, 0);
///     while total < 1 << 20 {
///         let got = p9fd::recv_fds(&b, &mut buf, &mut fds, p9fd::RecvFlags::CLOEXEC)?;
///         (total, nfds) = (total + got.bytes, nfds + got.fds);
///     }
///     Ok::<_, std::io::Error>((total, nfds))
/// });
/// // more than the socket holds: sent in parts, the descriptor with the first
/// p9fd::send_fds_all(&a, &vec![0; 1 << 20], &[std::io::stdout().as_fd()])?;
/// assert_eq!(reader.join().unwrap()?, (1 << 20, 1));
/// # Ok::<(), std::io::Error>(())
/// ```
#[doc(alias = "sendmsg")]
pub fn send_fds_all(sock: impl AsFd, data: &[u8], fds: &[BorrowedFd<'_>]) -> io::Result<()> {
    Ok(pass::send_all(raw(sock), data, sys::raw_fds(fds))?)
}

/// Who is on the other end of a connected Unix-domain socket, as the kernel knows it: the
/// peer's credentials when it connected (or made the socket pair). Linux and OpenBSD:
/// `SO_PEERCRED`; FreeBSD: `LOCAL_PEERCRED` (with a pid since FreeBSD 13); NetBSD:
/// `LOCAL_PEEREID`; macOS: `LOCAL_PEERCRED` and `LOCAL_PEERPID` (whose pid is the last
/// process that used the peer's socket, not the one that connected); DragonFly: `getpeereid`
/// (no pid); illumos: `getpeerucred`. Nothing allocates (but on illumos, where the system call
/// allocates its answer).
///
/// A server that hands out descriptors refuses a client of another uid:
///
/// ```
/// let (server_end, _client) = p9fd::pipe()?;
/// let me = unsafe { libc::geteuid() };
/// let peer = p9fd::peer_credentials(&server_end)?;
/// if peer.uid() != me {
///     return Err(std::io::Error::from_raw_os_error(libc::EPERM));
/// }
/// if let Some(pid) = peer.pid() {
///     assert_eq!(pid, std::process::id() as libc::pid_t);
/// }
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// The system's: `ENOTSOCK`, `ENOTCONN` (not connected), `EBADF`, ... Only Linux and OpenBSD
/// name the peer of a datagram socket: FreeBSD, NetBSD and macOS say `EINVAL`, illumos
/// `ENOTSUP`; DragonFly names no socketpair's peer (`ENOTCONN`).
#[doc(alias = "SO_PEERCRED")]
#[doc(alias = "getpeereid")]
pub fn peer_credentials(sock: impl AsFd) -> io::Result<Credentials> {
    let (pid, uid, gid) = pass::peer(raw(sock))?;
    Ok(Credentials {
        pid: (pid > 0).then_some(pid),
        uid,
        gid,
    })
}

/// A peer's credentials, from [`peer_credentials`].
///
/// ```
/// let (a, _b) = p9fd::pipe()?;
/// let c = p9fd::peer_credentials(&a)?;
/// println!("uid {} gid {} pid {:?}", c.uid(), c.gid(), c.pid());
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Credentials {
    pid: Option<libc::pid_t>,
    uid: libc::uid_t,
    gid: libc::gid_t,
}

impl Credentials {
    /// The peer's effective user id.
    ///
    /// ```
    /// let (a, _b) = p9fd::pipe()?;
    /// assert_eq!(p9fd::peer_credentials(&a)?.uid(), unsafe { libc::geteuid() });
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn uid(&self) -> libc::uid_t {
        self.uid
    }

    /// The peer's effective group id.
    ///
    /// ```
    /// let (a, _b) = p9fd::pipe()?;
    /// assert_eq!(p9fd::peer_credentials(&a)?.gid(), unsafe { libc::getegid() });
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn gid(&self) -> libc::gid_t {
        self.gid
    }

    /// The peer's process id, or `None` where the system does not report one (DragonFly,
    /// FreeBSD before 13, and Linux for a peer outside this process's pid namespace). On macOS
    /// it is the last process that used the peer's socket (xnu's `last_pid`), which need not
    /// be the one that connected: a socket passed on or inherited changes it.
    ///
    /// ```
    /// let (a, _b) = p9fd::pipe()?;
    /// let pid = p9fd::peer_credentials(&a)?.pid();
    /// assert!(pid.is_none() || pid == Some(std::process::id() as libc::pid_t));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn pid(&self) -> Option<libc::pid_t> {
        self.pid
    }
}

/// Receives one message: up to `data.len()` bytes into `data`, and its descriptors into the
/// first slots of `fds`. After it every slot past them is `None`: whatever any slot held
/// before is closed, so a reused array never shows the previous message's descriptors.
///
/// It returns 0 bytes and 0 descriptors at end of file. A zero-length datagram or seqpacket
/// message returns 0 bytes too, with its descriptors. A datagram or seqpacket message longer
/// than `data` is an error (`EMSGSIZE`), not a silent cut.
///
/// # Errors
///
/// - `EINVAL`: `data` is empty. (A zero-length receive on a stream socket would take the
///   descriptors waiting at the head of the queue without their byte, and returns 0, like end
///   of file, when plain data is waiting.)
/// - `EMSGSIZE`: more descriptors arrived than `fds` has slots, or than the kernel could hand
///   over at once (FreeBSD, NetBSD and illumos take more than 253 a send); or a datagram or
///   seqpacket message was longer than `data` (the kernel discarded its rest; FreeBSD's
///   seqpacket sockets do not say, and keep the rest as the next message). All its
///   descriptors are closed and the message is consumed; the next receive gets the next one.
/// - `EMFILE`: our descriptor table is full; whatever arrived is closed. The message's data
///   is gone on Linux and illumos; on the BSDs and macOS the kernel may have left it queued
///   for the next receive, without descriptors (docs/kernels.md).
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
    let (got, _) = pass::recv_with(raw(sock), data, fds, flags.cloexec(), flags.dontwait())?;
    // the slots past the message's: only those that hold one are written (a fresh array, or
    // one the message filled, costs a look at each)
    for slot in fds.get_mut(got.fds..).unwrap_or_default() {
        if slot.is_some() {
            *slot = None;
        }
    }
    Ok(got)
}
