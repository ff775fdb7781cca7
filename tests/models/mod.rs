//! Kernel models: how each other system's kernel answers a receive, written from its sources,
//! run here against the core that ships (`pass::recv_on`, `pass::recv_fd_on`, APUE's
//! `recv_reply_on`) through its one seam, the [`Kernel`] trait.
//!
//! A model is a queue of messages whose descriptors are real ones, in flight: duplicates of a
//! pipe's write end, owned by the model as the kernel holds them. It writes the control bytes
//! its system's `recvmsg` would, in that system's layout ([`Layout`]), only where that kernel
//! writes (headers and data, not padding), with that kernel's `msg_controllen`; it installs,
//! closes or leaves descriptors where that kernel does, and fails where it fails. Flags and
//! errno values are this host's names for the same things (MSG_CTRUNC, EMSGSIZE, ...): the
//! bytes are modelled, the symbols are not.
//!
//! Every case runs between two censuses of `/proc/self/fd` and ends with the pipe-EOF oracle:
//! every descriptor the modelled kernel installed was handed out (and then closed by the test)
//! or closed by p9fd, and none is left in flight. Each system's file names the kernel file and
//! function each behaviour comes from; the cases common to every system are here, run by
//! each file for its system.

#![allow(unsafe_code)]

mod apple;
mod dragonfly;
mod freebsd;
mod illumos;
mod linux;
mod netbsd;
mod openbsd;
mod ownership;
/// The rump bridge (`make check-rump`), not part of the C header.
/// cbindgen:ignore
#[cfg(p9fd_rump)]
#[path = "../../tools/rump/bridge.rs"]
pub(crate) mod rump;

use core::ffi::c_int;
use core::marker::PhantomData;
use std::collections::VecDeque;
use std::fs::File;
use std::io::Read;
use std::os::fd::{AsRawFd, IntoRawFd, OwnedFd};
use std::sync::Mutex;

use crate::pass::Received as Got;
use crate::pass::{Kernel, Part, pipe_on, recv_fd_on, recv_on};
use crate::sys::{self, Creds, Errno, Fd, Received, RecvControl, Result, System};

/// One message queued in a model kernel: its data, and the descriptors in flight with it, in
/// SCM_RIGHTS messages (a sender may attach several to one send).
pub(super) struct Msg {
    pub data: Vec<u8>,
    pub rights: Vec<Vec<OwnedFd>>,
    /// Control messages the kernel adds before the rights (FreeBSD's SCM_CREDS, ...): type and
    /// data, at level SOL_SOCKET.
    pub extra: Vec<(c_int, Vec<u8>)>,
    /// Whether the sender passed MSG_EOR: the message ends a record ([`RecordKind::Marked`]).
    pub eor: bool,
}

/// What a kernel does at receipt, as its model states it from the source, independently of
/// the facts p9fd's `src/sys/` files hold (which the core then has to get right).
pub(super) struct Behaviour {
    /// `msg_controllen` ends at the last message's CMSG_SPACE (true) or CMSG_LEN (false).
    pub returns_space: bool,
    /// What the kernel does with several SCM_RIGHTS messages in one send.
    pub several_rights: SeveralRights,
    /// A control buffer too small for what arrived.
    pub too_small: TooSmall,
    /// A full table: the errno (None: MSG_CTRUNC, data delivered, as Linux), and what then
    /// becomes of the message's data on a stream, a datagram and a seqpacket socket.
    pub full: Option<(c_int, [Fate; 3])>,
    /// The other errors with which the kernel's externalizing can fail, disposing of the
    /// descriptors as for a full table, the data's fate the same (xnu's ENOMEM, OpenBSD's
    /// and NetBSD's EPERM, ...).
    pub other_failures: &'static [c_int],
    /// What a seqpacket record is, and what MSG_EOR does.
    pub records: RecordKind,
    /// Whether MSG_CMSG_CLOEXEC is honoured (false: ignored without an error, or absent).
    pub honours_cloexec: bool,
    /// A receive without a control buffer leaves the descriptors installed (xnu).
    pub null_control_leaks: bool,
    /// A stream read gathers later plain writes into the same read (the BSDs, xnu).
    pub gathers: bool,
    /// The socket types this system has: stream, datagram, seqpacket.
    pub types: [bool; 3],
    /// Whether `socketpair` takes SOCK_CLOEXEC in its type (false: a type with that bit is one
    /// the kernel does not know, EPROTONOSUPPORT, as for a type it lacks).
    pub socketpair_cloexec: bool,
    /// Who the peer of a socketpair of this type is: the answer or the errno.
    pub peer: fn(c_int) -> Result<Creds>,
}

/// What a kernel does with several SCM_RIGHTS messages in one send.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum SeveralRights {
    /// All delivered, as several messages (FreeBSD).
    All,
    /// All delivered, merged into one message (Linux's `__scm_send` appends each to one list,
    /// `scm_fp_copy`: EINVAL past SCM_MAX_FD in all).
    Merged,
    /// The first delivered, the rest disposed of (NetBSD, illumos).
    First,
    /// The send refused with EINVAL, nothing queued (OpenBSD's, xnu's and DragonFly's
    /// `unp_internalize`).
    Refused,
}

/// What a kernel makes of seqpacket records and of MSG_EOR.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum RecordKind {
    /// One send is one record (PR_ATOMIC): a receive too short for it says MSG_TRUNC and the
    /// rest is discarded; MSG_EOR is taken on every socket type and changes nothing.
    Atomic,
    /// As `Atomic`, and a stream send with MSG_EOR is refused, EINVAL (FreeBSD 14 and older:
    /// `uipc_socket.c` `sosend_generic`).
    AtomicStreamRefusesEor,
    /// FreeBSD 15 (`uipc_usrreq.c` `uipc_sosend_stream_or_seqpacket`,
    /// `uipc_soreceive_stream_or_seqpacket`): seqpacket is a stream with record marks. A record
    /// ends where its sender passed MSG_EOR, and nowhere else (unmarked sends run together, as
    /// a stream's plain writes do); a receive stops before the next message's control, or
    /// after a mark it consumed whole, and then says MSG_EOR; one too short for the record
    /// returns what fits with neither MSG_TRUNC nor MSG_EOR, the rest queued without its
    /// descriptors. A stream takes the marks the same way.
    Marked,
}

/// What becomes of a message's data when the kernel could not install its descriptors and
/// failed the receive.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Fate {
    /// It stays at the head of the queue, without its descriptors: the next receive reads it.
    Kept,
    /// Kept, unless the sender refilled the buffer while the kernel was failing; then freed
    /// (FreeBSD's `uipc_soreceive_stream_or_seqpacket`, "Losing data!").
    KeptUnlessRefilled,
    /// Gone with its descriptors.
    Dropped,
}

/// What a kernel does with descriptors that do not fit the receiver's control buffer.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum TooSmall {
    /// A message that does not fit whole is not copied, and its descriptors (and those of
    /// every message after it) are closed before recvmsg returns; MSG_CTRUNC (FreeBSD's
    /// `kern_recvit` and `m_dispose_extcontrolm`, NetBSD's `copyout_msg_control` and
    /// `free_control_mbuf`). The kernels test the message's CMSG_SPACE (its mbuf's `m_len`),
    /// the model its CMSG_LEN: the same, as p9fd's buffer is a sum of CMSG_SPACEs, a multiple
    /// of the padding unit (1600 bytes on the 64-bit hosts the models run on: 16 divides it).
    DropsWhole,
    /// All are installed, those lying past the buffer closed, the bytes that fit copied out,
    /// MSG_CTRUNC; the cut-off header's `cmsg_len` shortened to what was copied (illumos since
    /// 12824) or left at the full length (before it).
    ClosesRest { shortens: bool },
    /// All are installed, the bytes that fit copied raw (`cmsg_len` left long), MSG_CTRUNC,
    /// and the rest left installed, unseen (xnu's `copyout_control`).
    CopiesRaw,
    /// recvmsg fails with EMSGSIZE, the descriptors closed (OpenBSD, DragonFly).
    Fails,
    /// FreeBSD's 32-bit compat path (`freebsd32_copy_msg_out`): messages are copied header,
    /// then data, each padded to 4 bytes; where the data does not fit, the header has been
    /// copied (its `cmsg_len` full), the descriptors of that message and of every later one
    /// are closed (`m_dispose_extcontrolm`), MSG_CTRUNC, and the copy goes on with the next
    /// message at the next byte: its header and, if it fits, its data (numbers already
    /// closed). `msg_controllen` counts the whole messages copied, not the cut header.
    Compat32,
}

/// A system as a model: its facts as p9fd holds them (which the core reads), and its
/// kernel's behaviour.
pub(super) trait Spec {
    /// p9fd's facts for the system (`src/sys/<system>.rs`).
    const SYSTEM: System;
    /// The model's own reading of the kernel.
    const KERNEL: Behaviour;
    /// The kernel's release, as `kern.osrelease` gives it, unless a case sets another.
    const RELEASE: u32 = u32::MAX;
}

/// A socket of a modelled kernel, and the process table's room as that kernel sees it.
pub(super) struct Model<S: Spec> {
    ty: c_int,
    queue: VecDeque<Msg>,
    /// How many more descriptors the receiver's table takes (`usize::MAX`: plenty).
    pub table_room: usize,
    /// Descriptors the kernel left installed where no control message shows them.
    pub leaked: Vec<c_int>,
    /// The flags each recvmsg was called with.
    pub flags: Vec<c_int>,
    /// The control buffer's size as this kernel sees it (p9fd's, `RECV_SPACE`, unless a case
    /// makes it smaller, to cut the control messages anywhere).
    pub control_room: usize,
    /// Numbers the kernel writes where it copies out descriptors it has already closed: the
    /// numbers, free again, that another thread of the process has taken meanwhile (the
    /// ownership property's decoys); none (the closed numbers themselves) unless set.
    pub stand_ins: Vec<c_int>,
    /// Every number the kernel installed for the last receive and left installed: the ones
    /// p9fd owns.
    pub installed: Vec<c_int>,
    /// Whether a foreign sender ([`Model::send`]) passes MSG_EOR, as p9fd does where it
    /// matters; a case sets false for one that does not.
    pub marks: bool,
    /// Whether the sender refills the buffer while the kernel fails to externalize.
    pub refilled: bool,
    /// The next externalizing fails with this errno, whatever the table's room (one of
    /// [`Behaviour::other_failures`]).
    pub fails_with: Option<c_int>,
    /// System calls made of this kernel: every method of [`Kernel`] is one (recvmsg, sendmsg,
    /// getsockopt, setsockopt, fcntl, sysctl), but the release, which the process asks once.
    pub calls: usize,
    /// The kernel's release (its major number: Darwin 20 is macOS 11), for
    /// [`Sigpipe::FlagFrom`](crate::sys::Sigpipe).
    pub release: u32,
    /// What the process was told when it asked (it asks once).
    release_asked: Option<u32>,
    /// The flags each sendmsg was called with, and whether SO_NOSIGPIPE was set before it.
    pub sends: Vec<(c_int, bool)>,
    nosigpipe: bool,
    _spec: PhantomData<S>,
}

impl<S: Spec> Model<S> {
    pub fn new(ty: c_int) -> Self {
        Model {
            ty,
            queue: VecDeque::new(),
            table_room: usize::MAX,
            leaked: Vec::new(),
            flags: Vec::new(),
            control_room: sys::RECV_SPACE,
            stand_ins: Vec::new(),
            installed: Vec::new(),
            marks: true,
            refilled: false,
            fails_with: None,
            calls: 0,
            release: S::RELEASE,
            release_asked: None,
            sends: Vec::new(),
            nosigpipe: false,
            _spec: PhantomData,
        }
    }

    /// A sender's sendmsg: `data` with `rights` (one Vec per SCM_RIGHTS message). A send the
    /// kernel refuses queues nothing (the sender keeps, here closes, its descriptors).
    pub fn send(&mut self, data: &[u8], rights: Vec<Vec<OwnedFd>>) {
        if rights.len() > 1 && S::KERNEL.several_rights == SeveralRights::Refused {
            return; // EINVAL
        }
        let merged = S::KERNEL.several_rights == SeveralRights::Merged;
        if merged && rights.iter().map(Vec::len).sum::<usize>() > sys::MAXFDS {
            return; // EINVAL
        }
        self.queue.push_back(Msg {
            data: data.to_vec(),
            rights,
            extra: Vec::new(),
            eor: self.marks,
        });
    }

    /// A send to which the kernel adds the control message `kind` with `bytes` before the
    /// rights.
    pub fn send_with(&mut self, data: &[u8], kind: c_int, bytes: &[u8], rights: Vec<OwnedFd>) {
        self.queue.push_back(Msg {
            data: data.to_vec(),
            rights: vec![rights],
            extra: vec![(kind, bytes.to_vec())],
            eor: self.marks,
        });
    }

    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    fn install(&mut self, fd: OwnedFd, flags: c_int) -> c_int {
        let cloexec = S::KERNEL.honours_cloexec && flags & libc::MSG_CMSG_CLOEXEC != 0;
        // SAFETY: F_SETFD on a descriptor we own.
        unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETFD, i32::from(cloexec)) };
        let raw = fd.into_raw_fd();
        self.installed.push(raw);
        raw
    }

    /// Closes descriptors the kernel installed (as it disposes of them), and returns the
    /// numbers it then copies out in their place: the stand-ins, in turn, or the closed
    /// numbers themselves.
    fn dispose(&mut self, group: Vec<OwnedFd>) -> Vec<c_int> {
        let raws: Vec<c_int> = group.into_iter().map(IntoRawFd::into_raw_fd).collect();
        for &fd in &raws {
            // SAFETY: the model owned it until now.
            unsafe { libc::close(fd) };
        }
        match self.stand_ins.len() {
            0 => raws,
            n => (0..raws.len()).map(|i| self.stand_ins[i % n]).collect(),
        }
    }

    fn deliver(
        &mut self,
        data: &mut [u8],
        control: Option<&mut RecvControl>,
        flags: c_int,
    ) -> Result<Received> {
        self.flags.push(flags);
        self.installed.clear();
        let k = &S::KERNEL;
        let stream = self.ty == libc::SOCK_STREAM;
        let Some(mut msg) = self.queue.pop_front() else {
            return if stream {
                Ok(Received {
                    bytes: 0,
                    flags: 0,
                    control_len: 0,
                })
            } else {
                Err(Errno(libc::EAGAIN))
            };
        };
        let rights: Vec<Vec<OwnedFd>> = match k.several_rights {
            SeveralRights::All => std::mem::take(&mut msg.rights),
            SeveralRights::Merged => {
                vec![
                    std::mem::take(&mut msg.rights)
                        .into_iter()
                        .flatten()
                        .collect(),
                ]
            }
            _ => std::mem::take(&mut msg.rights)
                .into_iter()
                .take(1)
                .collect(),
        }; // any rest is disposed of here, by the kernel
        let count: usize = rights.iter().map(Vec::len).sum();
        let fails = count > 0 && (count > self.table_room || self.fails_with.is_some());
        if fails && let Some((full_errno, fates)) = k.full {
            let errno = self.fails_with.take().unwrap_or(full_errno);
            drop(rights); // disposed of
            let i = [libc::SOCK_STREAM, libc::SOCK_DGRAM, libc::SOCK_SEQPACKET]
                .iter()
                .position(|&t| t == self.ty)
                .unwrap();
            let kept = match fates[i] {
                Fate::Kept => true,
                Fate::KeptUnlessRefilled => !self.refilled,
                Fate::Dropped => false,
            };
            if kept {
                self.queue.push_front(msg); // its data, the rights gone
            }
            return Err(Errno(errno));
        }
        if fails {
            // Linux's answer: the data, MSG_CTRUNC, no descriptors.
            drop(rights);
            return Ok(self.copy_data(data, msg, libc::MSG_CTRUNC, stream));
        }
        let Some(control) = control else {
            for fd in rights.into_iter().flatten() {
                if k.null_control_leaks {
                    let raw = self.install(fd, 0);
                    self.leaked.push(raw);
                }
            }
            return Ok(self.copy_data(data, msg, 0, stream));
        };
        let layout = S::SYSTEM.layout;
        let room = self.control_room.min(sys::RECV_SPACE);
        let mut at = 0;
        let mut out_flags = 0;
        let mut last_end = 0;
        for (kind, bytes) in std::mem::take(&mut msg.extra) {
            let len = layout.data + bytes.len();
            control.fill_at(at, &layout.header(len, libc::SOL_SOCKET, kind));
            control.fill_at(at + layout.data, &bytes);
            last_end = at + len;
            at = layout.align(at + len);
        }
        if k.too_small == TooSmall::Compat32 {
            let len = self.compat32(control, rights, room, at, flags, &mut out_flags);
            let mut got = self.copy_data(data, msg, out_flags, stream);
            got.control_len = len;
            return Ok(got);
        }
        let mut rights = rights.into_iter();
        for group in rights.by_ref() {
            let want = layout.data + 4 * group.len();
            // The BSDs copy a message's mbuf, CMSG_SPACE long, where the rest of the buffer
            // holds it; the others its CMSG_LEN.
            let fits = match k.too_small {
                TooSmall::DropsWhole => at + layout.space(4 * group.len()) <= room,
                _ => at + want <= room,
            };
            if !fits && k.too_small == TooSmall::Fails {
                self.installed.clear();
                return Err(Errno(libc::EMSGSIZE)); // `group` and the rest closed
            }
            if !fits && k.too_small == TooSmall::DropsWhole {
                out_flags |= libc::MSG_CTRUNC;
                break; // this message and those after it closed
            }
            let fds: Vec<c_int> = group
                .into_iter()
                .map(|fd| self.install(fd, flags))
                .collect();
            let mut bytes = layout.header(want, libc::SOL_SOCKET, libc::SCM_RIGHTS);
            bytes.extend(fds.iter().flat_map(|fd| fd.to_ne_bytes()));
            if fits {
                control.fill_at(at, &bytes);
                last_end = at + want;
                at = layout.align(at + want);
                continue;
            }
            out_flags |= libc::MSG_CTRUNC;
            let copied = room - at;
            let whole = copied.saturating_sub(layout.data) / 4;
            match k.too_small {
                TooSmall::ClosesRest { shortens } => {
                    // so_closefds: every descriptor lying wholly or partly past the buffer
                    for &fd in &fds[whole..] {
                        // SAFETY: the model installed it and owns it until now.
                        unsafe { libc::close(fd) };
                    }
                    self.installed.retain(|fd| !fds[whole..].contains(fd));
                    if shortens {
                        bytes[..layout.data].copy_from_slice(&layout.header(
                            copied,
                            libc::SOL_SOCKET,
                            libc::SCM_RIGHTS,
                        ));
                    }
                }
                TooSmall::CopiesRaw => {
                    self.leaked.extend(&fds[whole..]);
                    self.installed.retain(|fd| !fds[whole..].contains(fd));
                }
                _ => unreachable!(),
            }
            control.fill_at(at, &bytes[..copied]);
            last_end = room;
            at = room;
            break;
        }
        // what was not copied: closed by the kernel (or, past a cut, never installed)
        drop(rights);
        let control_len = match (at, k.returns_space) {
            (0, _) => 0,
            (_, true) => at.min(room),
            (_, false) => last_end,
        };
        let mut got = self.copy_data(data, msg, out_flags, stream);
        got.control_len = control_len;
        Ok(got)
    }

    /// [`TooSmall::Compat32`]'s copy of the rights messages from `at` in a buffer of `room`
    /// bytes, and the `msg_controllen` it returns.
    fn compat32(
        &mut self,
        control: &mut RecvControl,
        rights: Vec<Vec<OwnedFd>>,
        room: usize,
        mut at: usize,
        flags: c_int,
        out_flags: &mut c_int,
    ) -> usize {
        let layout = S::SYSTEM.layout;
        let mut len = at;
        let mut disposed = false;
        for group in rights {
            let want = layout.data + 4 * group.len();
            if room - at < layout.hdr {
                *out_flags |= libc::MSG_CTRUNC;
                break; // this message and the rest closed; the copy ends
            }
            control.fill_at(at, &layout.header(want, libc::SOL_SOCKET, libc::SCM_RIGHTS));
            at += layout.align(layout.hdr);
            let fits = 4 * group.len() <= room - at;
            if !fits {
                *out_flags |= libc::MSG_CTRUNC;
                disposed = true; // this message and every later one
            }
            let fds = if disposed {
                self.dispose(group)
            } else {
                group
                    .into_iter()
                    .map(|fd| self.install(fd, flags))
                    .collect()
            };
            if !fits {
                continue; // the next message, after the cut header
            }
            let bytes: Vec<u8> = fds.iter().flat_map(|fd| fd.to_ne_bytes()).collect();
            control.fill_at(at, &bytes);
            at += layout.align(bytes.len());
            len += layout.space(bytes.len());
        }
        len
    }

    /// The data part of a receive: a datagram or record is cut (MSG_TRUNC) and its rest
    /// discarded; a stream's rest stays queued, and where the kernel gathers, later plain
    /// writes join the read. Where records are marked ([`RecordKind::Marked`]) a seqpacket
    /// socket reads as a stream, and both stop after the end of a record, saying MSG_EOR.
    fn copy_data(&mut self, data: &mut [u8], mut msg: Msg, flags: c_int, stream: bool) -> Received {
        let mut n = msg.data.len().min(data.len());
        data[..n].copy_from_slice(&msg.data[..n]);
        let mut flags = flags;
        let marked =
            S::KERNEL.records == RecordKind::Marked && (stream || self.ty == libc::SOCK_SEQPACKET);
        if stream || marked {
            if n < msg.data.len() {
                msg.data.drain(..n);
                msg.rights.clear();
                msg.extra.clear();
                self.queue.push_front(msg);
            } else if marked && msg.eor {
                flags |= libc::MSG_EOR;
            } else if S::KERNEL.gathers || marked {
                while n < data.len() {
                    let Some(next) = self.queue.front_mut() else {
                        break;
                    };
                    if !next.rights.is_empty() {
                        break;
                    }
                    let m = next.data.len().min(data.len() - n);
                    data[n..n + m].copy_from_slice(&next.data[..m]);
                    next.data.drain(..m);
                    n += m;
                    if next.data.is_empty() {
                        let ends = next.eor;
                        self.queue.pop_front();
                        if marked && ends {
                            flags |= libc::MSG_EOR;
                            break;
                        }
                    }
                }
            }
        } else if n < msg.data.len() {
            flags |= libc::MSG_TRUNC;
        }
        Received {
            bytes: n,
            flags,
            control_len: 0,
        }
    }
}

// SAFETY: every descriptor number the model writes into a control message is one it installed
// (`into_raw_fd` of a descriptor it owned) for that receive alone.
unsafe impl<S: Spec> Kernel for Model<S> {
    const SYSTEM: System = S::SYSTEM;
    fn recvmsg(
        &mut self,
        _sock: c_int,
        data: &mut [u8],
        control: Option<&mut RecvControl>,
        flags: c_int,
    ) -> Result<Received> {
        self.calls += 1;
        self.deliver(data, control, flags)
    }
    fn socket_type(&mut self, _sock: c_int) -> Result<c_int> {
        self.calls += 1;
        Ok(self.ty)
    }
    fn peer_creds(&mut self, _sock: c_int) -> Result<Creds> {
        self.calls += 1;
        (S::KERNEL.peer)(self.ty)
    }
    fn set_passcred(&mut self, _sock: c_int) -> Result<()> {
        self.calls += 1;
        Ok(()) // Linux's; the other systems have nothing to turn on
    }
    /// A peer's send: its data, and the SCM_RIGHTS descriptors of the control bytes p9fd built
    /// (in this host's layout, as `sys::sendmsg` builds them), put in flight as the kernel
    /// does (duplicates, which the model now owns).
    fn sendmsg(&mut self, _sock: c_int, msg: &libc::msghdr, flags: c_int) -> Result<usize> {
        self.calls += 1;
        self.sends.push((flags, self.nosigpipe));
        #[allow(clippy::unnecessary_cast)] // size_t on glibc, int and socklen_t on musl
        // SAFETY: `msg` is the message sys::sendmsg built: `msg_iovlen` iovecs of live bytes,
        // and `msg_controllen` initialised control bytes (or none).
        let (data, control) = unsafe {
            let iov = std::slice::from_raw_parts(msg.msg_iov, msg.msg_iovlen as usize);
            let data: Vec<u8> = iov
                .iter()
                .flat_map(|v| std::slice::from_raw_parts(v.iov_base.cast::<u8>(), v.iov_len))
                .copied()
                .collect();
            let control = match msg.msg_controllen {
                0 => Vec::new(),
                n => std::slice::from_raw_parts(msg.msg_control.cast::<u8>(), n as usize).to_vec(),
            };
            (data, control)
        };
        let rights = sys::NATIVE
            .messages(&control)
            .filter(|m| m.is_rights())
            .map(|m| {
                m.fds()
                    .map(|fd| {
                        // SAFETY: a descriptor the caller lent for the send, open for its
                        // duration; the kernel takes its own reference (here a duplicate).
                        let fd = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
                        fd.try_clone_to_owned().expect("dup")
                    })
                    .collect()
            })
            .collect();
        let eor = flags & libc::MSG_EOR != 0;
        let stream = self.ty == libc::SOCK_STREAM;
        if eor && stream && S::KERNEL.records == RecordKind::AtomicStreamRefusesEor {
            return Err(Errno(libc::EINVAL));
        }
        let marks = std::mem::replace(&mut self.marks, eor);
        self.send(&data, rights);
        self.marks = marks;
        Ok(data.len())
    }
    fn set_nosigpipe(&mut self, _sock: c_int) {
        self.calls += 1;
        self.nosigpipe = true;
    }
    fn release(&mut self) -> u32 {
        *self.release_asked.get_or_insert_with(|| {
            self.calls += 1; // sysctl, once per process
            self.release
        })
    }
    fn set_cloexec(&mut self, fd: c_int) {
        self.calls += 1;
        sys::set_cloexec(fd)
    }
    /// A pair of this host's sockets where the modelled kernel makes one (so that the ends'
    /// close-on-exec can be read), its error where it does not: a type it lacks, or the
    /// SOCK_CLOEXEC bit where it has none (xnu's `socreate_internal` finds no protocol for
    /// either: EPROTONOSUPPORT).
    fn socketpair(&mut self, ty: c_int, cloexec: bool) -> Result<(Fd, Fd)> {
        self.calls += 1;
        let known = TYPES
            .iter()
            .position(|&t| t == ty)
            .map(|i| S::KERNEL.types[i]);
        if known != Some(true) || (cloexec && !S::KERNEL.socketpair_cloexec) {
            return Err(Errno(libc::EPROTONOSUPPORT));
        }
        sys::socketpair(ty, cloexec)
    }
}

// ---- The harness: census, oracle, one lock. ----

/// The models count this process's descriptors, so they run one at a time.
static LOCK: Mutex<()> = Mutex::new(());

fn census() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

/// A pipe's read end (non-blocking, so that a leak fails rather than hangs) and `n` copies
/// of its write end to send.
pub(super) fn oracle(n: usize) -> (File, Vec<OwnedFd>) {
    let (r, w) = std::io::pipe().unwrap();
    // SAFETY: F_SETFL on a descriptor we own.
    unsafe { libc::fcntl(r.as_raw_fd(), libc::F_SETFL, libc::O_NONBLOCK) };
    let fds = (0..n)
        .map(|_| OwnedFd::from(w.try_clone().unwrap()))
        .collect();
    (File::from(OwnedFd::from(r)), fds)
}

/// Whether every copy of the oracle's write end is closed.
pub(super) fn eof(mut r: File) -> bool {
    matches!(r.read(&mut [0u8]), Ok(0))
}

/// Runs a case: the table holds as many descriptors after as before, and the case's oracles
/// (returned by it) saw end of file.
pub(super) fn case(name: &str, f: impl FnOnce() -> Vec<File>) {
    let _one = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let before = census();
    let oracles = f();
    for (i, r) in oracles.into_iter().enumerate() {
        assert!(
            eof(r),
            "{name}: oracle {i}: a descriptor leaked or is still in flight"
        );
    }
    assert_eq!(census(), before, "{name}: descriptors leaked");
}

pub(super) fn slots(n: usize) -> Vec<Option<Fd>> {
    (0..n).map(|_| None).collect()
}

fn is_cloexec(fd: &Fd) -> bool {
    // SAFETY: F_GETFD on a descriptor the slot owns.
    unsafe { libc::fcntl(fd.raw(), libc::F_GETFD) & libc::FD_CLOEXEC != 0 }
}

// ---- The cases every system runs. ----

const TYPES: [c_int; 3] = [libc::SOCK_STREAM, libc::SOCK_DGRAM, libc::SOCK_SEQPACKET];

/// lib9's wire format, one descriptor, on every socket type the system has; close-on-exec
/// holds when asked, whatever the kernel does with MSG_CMSG_CLOEXEC, and not when not.
pub(super) fn one_descriptor<S: Spec>() {
    for (i, ty) in TYPES.into_iter().enumerate() {
        if !S::KERNEL.types[i] {
            continue;
        }
        for cloexec in [false, true] {
            case("one descriptor", || {
                let (r, fds) = oracle(1);
                let mut k = Model::<S>::new(ty);
                k.send(&[0], vec![fds]);
                let fd = recv_fd_on(&mut k, 3, cloexec).expect("recvfd");
                assert_eq!(is_cloexec(&fd), cloexec, "close-on-exec as asked");
                assert_eq!(k.queued(), 0);
                vec![r]
            });
        }
    }
}

/// 253 descriptors in one message: all handed out with room for them; with one slot fewer,
/// EMSGSIZE and all closed.
pub(super) fn batch<S: Spec>() {
    for room in [253, 252] {
        case("253 descriptors", || {
            let (r, fds) = oracle(253);
            let mut k = Model::<S>::new(libc::SOCK_STREAM);
            k.send(b"x", vec![fds]);
            let mut s = slots(room);
            let got = recv_on(&mut k, 3, &mut [0; 4], &mut s, true, Part::Refused);
            match room {
                253 => {
                    assert_eq!(got.unwrap().0.fds, 253);
                    assert!(s.iter().all(|s| s.as_ref().is_some_and(is_cloexec)));
                }
                _ => assert_eq!(got.unwrap_err(), Errno(libc::EMSGSIZE)),
            }
            vec![r]
        });
    }
}

/// A receive whose descriptors the kernel cannot install (a full table, or another failure of
/// its externalizing): -1 with EMFILE for a full table (the kernel's errno otherwise), every
/// descriptor gone, and one `recvmsg` only: p9fd receives nothing more, so the next message
/// is never taken. The next receives then see what the kernel left, its data without
/// descriptors where it kept it, and then the next message whole. Run on every socket type
/// the system has, with the sender refilling the buffer meanwhile and not, through `recv` and
/// through lib9's `recvfd`.
pub(super) fn full_table<S: Spec>() {
    let k = &S::KERNEL;
    let failures = core::iter::once(None).chain(k.other_failures.iter().copied().map(Some));
    for fails_with in failures {
        for (i, ty) in TYPES.into_iter().enumerate() {
            if !k.types[i] {
                continue;
            }
            for (refilled, recvfd) in [(false, false), (true, false), (false, true)] {
                case("full table", || {
                    full_table_once::<S>(i, ty, fails_with, refilled, recvfd)
                });
            }
        }
    }
}

fn full_table_once<S: Spec>(
    i: usize,
    ty: c_int,
    fails_with: Option<c_int>,
    refilled: bool,
    recvfd: bool,
) -> Vec<File> {
    let what = format!("type {ty}, failure {fails_with:?}, refilled {refilled}");
    let (r1, a) = oracle(2);
    let (r2, b) = oracle(1);
    let mut k = Model::<S>::new(ty);
    k.send(b"a", vec![a]);
    k.send(b"b", vec![b]);
    k.table_room = 1;
    k.refilled = refilled;
    k.fails_with = fails_with;
    let kept = match S::KERNEL.full {
        None => false, // Linux: the data arrives, MSG_CTRUNC
        Some((_, fates)) => match fates[i] {
            Fate::Kept => true,
            Fate::KeptUnlessRefilled => !refilled,
            Fate::Dropped => false,
        },
    };
    let want = match (fails_with, S::SYSTEM.full_table) {
        (Some(e), sys::FullTable::Fails { errno }) if e != errno => Errno(e),
        _ => Errno(libc::EMFILE),
    };
    let mut s = slots(2);
    if recvfd {
        let got = recv_fd_on(&mut k, 3, false);
        let want = if want == Errno(libc::EMFILE) && S::KERNEL.full.is_none() {
            Errno(libc::EBADMSG) // Linux: a byte came, with MSG_CTRUNC
        } else {
            want
        };
        assert_eq!(got.err(), Some(want), "{what}");
    } else {
        let got = recv_on(&mut k, 3, &mut [0; 1], &mut s, false, Part::Refused);
        assert_eq!(got.unwrap_err(), want, "{what}");
        assert!(s.iter().all(Option::is_none));
    }
    assert_eq!(k.flags.len(), 1, "{what}: one recvmsg, nothing more taken");
    assert_eq!(
        k.queued(),
        1 + usize::from(kept),
        "{what}: the next message untouched"
    );
    k.table_room = usize::MAX;
    if kept {
        // The failed message's data, its descriptors gone.
        if recvfd {
            assert_eq!(
                recv_fd_on(&mut k, 3, false).err(),
                Some(Errno(libc::EBADMSG))
            );
        } else {
            let mut byte = [0u8];
            let got = recv_on(&mut k, 3, &mut byte, &mut s, false, Part::Refused).unwrap();
            assert_eq!((got.0.bytes, got.0.fds, byte), (1, 0, *b"a"), "{what}");
        }
    }
    // Then the next message, whole.
    if recvfd {
        drop(recv_fd_on(&mut k, 3, false).expect("the next message's descriptor"));
    } else {
        let mut byte = [0u8];
        let got = recv_on(&mut k, 3, &mut byte, &mut s, false, Part::Refused).unwrap();
        assert_eq!((got.0.bytes, got.0.fds, byte), (1, 1, *b"b"), "{what}");
    }
    assert_eq!(k.queued(), 0, "{what}");
    assert!(k.leaked.is_empty());
    drop(s);
    vec![r1, r2]
}

/// A datagram (or record) longer than the buffer: EMSGSIZE, its descriptors closed, its rest
/// discarded, the next message received normally; lib9's recvfd takes its one byte and
/// descriptor as lib9 does, the rest discarded. Where records end only where their senders
/// mark them (FreeBSD 15), p9fd's own mark them, and the kernel leaves a cut record's rest
/// queued, p9fd tells the cut from the missing MSG_EOR and discards the rest itself.
pub(super) fn truncated_datagram<S: Spec>() {
    for (i, ty) in TYPES.into_iter().enumerate().skip(1) {
        if !S::KERNEL.types[i] {
            continue;
        }
        case("truncated datagram", || {
            let (r, fds) = oracle(3);
            let mut fds = fds.into_iter();
            let mut k = Model::<S>::new(ty);
            k.send(b"012345", vec![fds.by_ref().take(2).collect()]);
            k.send(b"0123", vec![fds.by_ref().take(1).collect()]);
            let mut s = slots(4);
            let mut buf = [0; 4];
            let got = recv_on(&mut k, 3, &mut buf, &mut s, false, Part::Refused);
            assert_eq!(got.unwrap_err(), Errno(libc::EMSGSIZE));
            let got = recv_on(&mut k, 3, &mut buf, &mut s, false, Part::Refused).unwrap();
            assert_eq!(got.0, Got { bytes: 4, fds: 1 });
            assert_eq!(k.queued(), 0);
            drop(s);
            vec![r]
        });
        case("recvfd of a long datagram", || {
            let (r, fds) = oracle(2);
            let mut fds = fds.into_iter();
            let mut k = Model::<S>::new(ty);
            k.send(b"0123456789", vec![fds.by_ref().take(1).collect()]);
            k.send(b"a", vec![fds.by_ref().take(1).collect()]);
            drop(recv_fd_on(&mut k, 3, false).expect("recvfd"));
            drop(recv_fd_on(&mut k, 3, false).expect("the next message's descriptor"));
            assert_eq!(k.queued(), 0);
            vec![r]
        });
    }
}

/// APUE on every socket type: recv_fd (no uid) never asks who the peer is and gets its
/// descriptor; recv_ufd asks first, and where the system cannot say, fails with its errno
/// before reading anything: the message is still there for the next receive.
#[cfg(feature = "apue")]
pub(super) fn apue_credentials<S: Spec>() {
    use crate::pass::apue::{Reply, recv_reply_on};
    for (i, ty) in TYPES.into_iter().enumerate() {
        if !S::KERNEL.types[i] {
            continue;
        }
        case("APUE credentials", || {
            let (r, fds) = oracle(2);
            let mut k = Model::<S>::new(ty);
            for fd in fds {
                k.send(&[0, 0], vec![vec![fd]]); // no text, 0, status 0
            }
            let sink = |_: &[u8]| Ok::<(), Errno>(());
            let (got, uid) = recv_reply_on(&mut k, 3, false, sink).expect("recv_fd");
            assert!(matches!(got, Reply::Fd(_)) && uid.is_none());
            drop(got);
            let before = k.queued();
            match ((S::KERNEL.peer)(ty), recv_reply_on(&mut k, 3, true, sink)) {
                (Ok(c), Ok((Reply::Fd(_), uid))) => assert_eq!(uid, Some(c.1)),
                (Err(e), Err(got)) => {
                    assert_eq!(got, e, "the kernel's errno");
                    assert_eq!(k.queued(), before, "nothing read");
                    drop(recv_reply_on(&mut k, 3, false, sink).expect("then recv_fd"));
                }
                (want, got) => panic!("type {ty}: peer {want:?}, recv_ufd {got:?}"),
            }
            vec![r]
        });
    }
}

/// The pipes: a stream pipe, inherited or close-on-exec, and a framed (seqpacket) one where the
/// system has the type, its error where not; close-on-exec on both ends when asked, in one
/// system call where `socketpair` takes SOCK_CLOEXEC, with an fcntl per end where it does not.
pub(super) fn pipes<S: Spec>() {
    for (ty, has) in [
        (libc::SOCK_STREAM, S::KERNEL.types[0]),
        (libc::SOCK_SEQPACKET, S::KERNEL.types[2]),
    ] {
        for cloexec in [false, true] {
            case("pipe", || {
                let mut k = Model::<S>::new(ty);
                match pipe_on(&mut k, ty, cloexec) {
                    Ok((a, b)) => {
                        assert!(has, "a pair of a type the system lacks");
                        assert_eq!(sys::socket_type(a.raw()), Ok(ty));
                        assert_eq!((is_cloexec(&a), is_cloexec(&b)), (cloexec, cloexec));
                        let atomic = !cloexec || S::KERNEL.socketpair_cloexec;
                        assert_eq!(k.calls, if atomic { 1 } else { 3 }, "system calls");
                    }
                    Err(e) => {
                        assert!(!has, "a pair the system makes failed: {e:?}");
                        assert_eq!(e, Errno(libc::EPROTONOSUPPORT));
                        assert_eq!(k.calls, 1, "nothing after the failed socketpair");
                    }
                }
                vec![]
            });
        }
    }
}

/// Every case above, for one system.
pub(super) fn common<S: Spec>() {
    pipes::<S>();
    one_descriptor::<S>();
    batch::<S>();
    full_table::<S>();
    truncated_datagram::<S>();
    #[cfg(feature = "apue")]
    apue_credentials::<S>();
}

/// A peer whose every socket type answers with these credentials.
pub(super) fn peer_ok(_ty: c_int) -> Result<Creds> {
    Ok((42, 1000, 100))
}

/// A peer that connection-oriented sockets name, and a datagram socket refuses with EINVAL
/// (FreeBSD's, NetBSD's and xnu's LOCAL_PEERCRED / LOCAL_PEEREID).
pub(super) fn peer_not_on_datagrams(ty: c_int) -> Result<Creds> {
    match ty {
        libc::SOCK_DGRAM => Err(Errno(libc::EINVAL)),
        _ => peer_ok(ty),
    }
}

/// System calls a pass and a batch take, counted by the model kernel (`Model::calls`), in
/// the steady state: after a first send, which on some systems also asks the kernel's release
/// once per process (`first_send`, that send's own count).
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Calls {
    /// The first send of the process.
    pub first_send: usize,
    /// lib9's pass: the send (`send_fd`) and the receive (`recv_fd`), without and with
    /// close-on-exec.
    pub send: usize,
    pub recv: usize,
    pub recv_cloexec: usize,
    /// A batch of `batch` descriptors (the most one message may carry: `max_send`): the send,
    /// and the receive with close-on-exec.
    pub batch: usize,
    pub batch_send: usize,
    pub batch_recv_cloexec: usize,
}

impl Calls {
    /// One system call each way, for lib9's pass and for a batch of `batch` descriptors, with
    /// close-on-exec or without: a send with MSG_NOSIGNAL, a receive with MSG_CMSG_CLOEXEC
    /// honoured by the kernel: every system but Apple's and illumos, whose counts say how they
    /// differ from it.
    pub(super) const fn one_each(batch: usize) -> Calls {
        Calls {
            first_send: 1,
            send: 1,
            recv: 1,
            recv_cloexec: 1,
            batch,
            batch_send: 1,
            batch_recv_cloexec: 1,
        }
    }
}

/// Counts [`Calls`] on a stream socket of `S`'s kernel at release `release`.
pub(super) fn system_calls<S: Spec>(release: u32) -> Calls {
    let mut calls = None;
    case("system calls", || {
        let n = S::SYSTEM.max_send;
        let (r, fds) = oracle(1);
        let mut k = Model::<S>::new(libc::SOCK_STREAM);
        k.release = release;
        let count = |k: &mut Model<S>, f: &mut dyn FnMut(&mut Model<S>)| {
            let before = k.calls;
            f(k);
            k.calls - before
        };
        let fd = fds[0].as_raw_fd();
        let pass = |k: &mut Model<S>, cloexec: bool| {
            drop(recv_fd_on(k, 3, cloexec).expect("recv_fd"));
        };
        let first_send = count(&mut k, &mut |k| {
            crate::pass::send_on(k, 3, &[0], &[fd]).expect("first send");
        });
        count(&mut k, &mut |k| pass(k, false));
        let send = count(&mut k, &mut |k| {
            crate::pass::send_on(k, 3, &[0], &[fd]).expect("send");
        });
        let recv = count(&mut k, &mut |k| pass(k, false));
        crate::pass::send_on(&mut k, 3, &[0], &[fd]).expect("send");
        let recv_cloexec = count(&mut k, &mut |k| pass(k, true));
        let many = vec![fd; n];
        let batch_send = count(&mut k, &mut |k| {
            crate::pass::send_on(k, 3, b"x", &many).expect("batch send");
        });
        let batch_recv_cloexec = count(&mut k, &mut |k| {
            let mut s = slots(n);
            let got = recv_on(k, 3, &mut [0; 1], &mut s, true, Part::Refused).expect("batch");
            assert_eq!(got.0.fds, n);
        });
        assert!(k.leaked.is_empty() && k.queued() == 0);
        calls = Some(Calls {
            first_send,
            send,
            recv,
            recv_cloexec,
            batch: n,
            batch_send,
            batch_recv_cloexec,
        });
        drop(fds);
        vec![r]
    });
    calls.unwrap()
}
