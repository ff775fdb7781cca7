//! p9fd's own failures, told apart without libc: [`failure`] names the errno of an
//! [`io::Error`] that p9fd documents as its answer to a condition, where std's
//! [`io::ErrorKind`] has no name for it (EBADMSG and EMSGSIZE are `Uncategorized`).

use std::io;

/// What went wrong, for the errors p9fd's functions document (see each function's
/// `# Errors`). Read from the errno alone, so a kernel error of the same number is classed the
/// same way, as the kernel means the same by it (EMSGSIZE from `sendmsg` is a message too big
/// to send, EINVAL a call the kernel refuses).
///
/// ```
/// use p9fd::Failure;
/// let (a, b) = p9fd::pipe()?;
/// std::io::Write::write_all(&mut std::fs::File::from(a), b"plain")?;
/// let err = p9fd::recv_fd(&b, p9fd::RecvFlags::CLOEXEC).unwrap_err();
/// assert_eq!(p9fd::failure(&err), Some(Failure::NoDescriptor));
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Failure {
    /// `EBADMSG`: [`recv_fd`](crate::recv_fd) got a message with no descriptor (plain data,
    /// a peer that is not `AF_UNIX`, an empty datagram) or with more than one (all closed).
    NoDescriptor,
    /// `EMSGSIZE`: a receive got more descriptors than it has slots (or than the kernel could
    /// hand over at once), or a datagram or seqpacket record longer than its buffer; all its
    /// descriptors were closed and the message consumed. (One errno for both: the message is
    /// too big for the receive either way, and a caller who wants to know which has the
    /// sizes it passed.) From a send, the kernel's: the message is too big to send.
    TooBig,
    /// `EMFILE`: this process's descriptor table is full (p9fd says so for every system's
    /// way of reporting it); whatever arrived was closed.
    TableFull,
    /// `ECONNRESET`: [`recv_fd`](crate::recv_fd) at end of file, the peer gone.
    PeerGone,
    /// `EINVAL`: an argument p9fd refuses before any system call (empty data, an empty
    /// buffer, too many descriptors to send), or a call the kernel refuses.
    Invalid,
    /// `EPROTONOSUPPORT`: the system lacks the socket type ([`pipe_framed`](crate::pipe_framed)
    /// on macOS, which has no Unix-domain `SOCK_SEQPACKET`).
    Unsupported,
}

/// The [`Failure`] an error is, or `None` for one that is not among them (another errno, or
/// an error without one).
///
/// ```
/// use p9fd::Failure;
/// use std::os::fd::AsFd;
/// let (a, b) = p9fd::pipe()?;
/// let out = std::io::stdout();
/// p9fd::send_fds(&a, b"x", &[out.as_fd(), out.as_fd()])?;
/// let err = p9fd::recv_fds(&b, &mut [0; 1], &mut [None], p9fd::RecvFlags::CLOEXEC).unwrap_err();
/// match p9fd::failure(&err) {
///     Some(Failure::TooBig) => {} // more descriptors than slots: closed, the message gone
///     _ => return Err(err),
/// }
/// assert_eq!(p9fd::failure(&std::io::Error::other("not p9fd's")), None);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn failure(e: &io::Error) -> Option<Failure> {
    Some(match e.raw_os_error()? {
        libc::EBADMSG => Failure::NoDescriptor,
        libc::EMSGSIZE => Failure::TooBig,
        libc::EMFILE => Failure::TableFull,
        libc::ECONNRESET => Failure::PeerGone,
        libc::EINVAL => Failure::Invalid,
        libc::EPROTONOSUPPORT => Failure::Unsupported,
        _ => return None,
    })
}
