//! p9fd's core against NetBSD's own socket code: NetBSD 7.99.34 (`sys/sys/param.h` 1.500,
//! 2016-07-11; buildrump.sh with src-netbsd's `buildrump-src` branch) run as a rump kernel in
//! this Linux process. [`Rump`] is the core's one seam, [`Kernel`], over `rump_sys_*`: NetBSD's
//! `msghdr` and `cmsghdr`, constants and errno numbers spelled out here (the host's headers are
//! Linux's), and the rump kernel's own descriptor table, in which every descriptor of a case
//! lives and through which p9fd's `Fd` closes while a case runs ([`close`]).
//!
//! The cases are the NetBSD model's (`tests/models/netbsd.rs`) and those of the common model
//! suite (`tests/models/mod.rs`) that a real kernel can be made to do, both ends through the
//! core (`send_on`, `recv_on`, `recv_fd_on`, `pipe_on`, APUE's `recv_reply_on`); what the model
//! expects is read from the model (`<NetBsd as Spec>::KERNEL`), so a disagreement fails here.
//! Each case runs between two censuses of the rump table and ends with the pipe-EOF oracle.
//!
//! Only in the unit tests, only with P9FD_RUMP (build.rs): `make check-rump RUMP=dest`.

use core::ffi::{c_char, c_int, c_void};
use core::ptr::null_mut;
use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

use super::netbsd::NetBsd;
use super::{Fate, Spec, TYPES};
use crate::pass::{Kernel, Part, pipe_on, recv_fd_on, recv_on, send_on};
use crate::sys::{self, Creds, Errno, Fd, Received, RecvControl, Result, System};

/// NetBSD 7.99.34's numbers and structures, amd64: `sys/sys/socket.h`, `sys/sys/un.h`,
/// `sys/sys/fcntl.h`, `sys/sys/resource.h`, `sys/arch/amd64/include/cdefs.h`.
mod nb {
    use core::ffi::{c_int, c_void};

    pub(super) const AF_UNIX: c_int = 1;
    pub(super) const SOCK_CLOEXEC: c_int = 0x1000_0000;
    pub(super) const SOL_SOCKET: c_int = 0xffff;
    pub(super) const SO_TYPE: c_int = 0x1008;
    pub(super) const SO_NOSIGPIPE: c_int = 0x0800;
    pub(super) const LOCAL_PEEREID: c_int = 3;
    pub(super) const SCM_RIGHTS: c_int = 1;
    pub(super) const MSG_DONTWAIT: c_int = 0x80;
    pub(super) const MSG_NBIO: c_int = 0x1000;
    pub(super) const SO_SNDTIMEO: c_int = 0x100b;
    pub(super) const F_GETFD: c_int = 1;
    pub(super) const F_SETFD: c_int = 2;
    pub(super) const F_SETFL: c_int = 4;
    pub(super) const FD_CLOEXEC: c_int = 1;
    pub(super) const O_NONBLOCK: c_int = 4;
    pub(super) const O_DIRECTORY: c_int = 0x0020_0000;
    pub(super) const RLIMIT_NOFILE: c_int = 8;
    /// `__ALIGNBYTES + 1`, `sizeof(long)`; a `cmsghdr` is 12 bytes, its data at `__CMSG_ALIGN(12)`.
    pub(super) const ALIGN: usize = 8;
    pub(super) const HDR: usize = 12;
    pub(super) const DATA: usize = 16;

    /// The host's `msg_flags` bits and NetBSD's for the same flag.
    pub(super) const MSG: [(c_int, c_int); 9] = [
        (crate::sys::MSG_NBIO, 0x1000),
        (libc::MSG_PEEK, 0x2),
        (libc::MSG_EOR, 0x8),
        (libc::MSG_TRUNC, 0x10),
        (libc::MSG_CTRUNC, 0x20),
        (libc::MSG_WAITALL, 0x40),
        (libc::MSG_DONTWAIT, 0x80),
        (libc::MSG_NOSIGNAL, 0x400),
        (libc::MSG_CMSG_CLOEXEC, 0x800),
    ];

    /// NetBSD's errno numbers (`sys/sys/errno.h`) and the host's for the same name: every
    /// one the calls here can return.
    pub(super) const ERRNO: [(c_int, c_int); 22] = [
        (1, libc::EPERM),
        (4, libc::EINTR),
        (9, libc::EBADF),
        (12, libc::ENOMEM),
        (14, libc::EFAULT),
        (22, libc::EINVAL),
        (23, libc::ENFILE),
        (24, libc::EMFILE),
        (28, libc::ENOSPC),
        (32, libc::EPIPE),
        (35, libc::EAGAIN),
        (38, libc::ENOTSOCK),
        (39, libc::EDESTADDRREQ),
        (40, libc::EMSGSIZE),
        (41, libc::EPROTOTYPE),
        (42, libc::ENOPROTOOPT),
        (43, libc::EPROTONOSUPPORT),
        (45, libc::EOPNOTSUPP),
        (54, libc::ECONNRESET),
        (55, libc::ENOBUFS),
        (57, libc::ENOTCONN),
        (59, libc::ETOOMANYREFS),
    ];

    #[repr(C)]
    pub(super) struct Iovec {
        pub(super) base: *mut c_void,
        pub(super) len: usize,
    }

    #[repr(C)]
    pub(super) struct Msghdr {
        pub(super) name: *mut c_void,
        pub(super) namelen: u32,
        pub(super) iov: *mut Iovec,
        pub(super) iovlen: c_int,
        pub(super) control: *mut c_void,
        pub(super) controllen: u32,
        pub(super) flags: c_int,
    }

    #[repr(C)]
    #[derive(Clone, Copy)]
    pub(super) struct Rlimit {
        pub(super) cur: u64,
        pub(super) max: u64,
    }

    #[repr(C)]
    #[derive(Default)]
    pub(super) struct Unpcbid {
        pub(super) pid: i32,
        pub(super) euid: u32,
        pub(super) egid: u32,
    }
}

// `rump/rump_syscalls.h` renames each call to its implementation; these are those names.
unsafe extern "C" {
    fn rump_init() -> c_int;
    #[link_name = "rump___sysimpl_socketpair"]
    fn rump_socketpair(domain: c_int, ty: c_int, proto: c_int, sv: *mut c_int) -> c_int;
    #[link_name = "rump___sysimpl_sendmsg"]
    fn rump_sendmsg(s: c_int, msg: *const nb::Msghdr, flags: c_int) -> isize;
    #[link_name = "rump___sysimpl_recvmsg"]
    fn rump_recvmsg(s: c_int, msg: *mut nb::Msghdr, flags: c_int) -> isize;
    #[link_name = "rump___sysimpl_close"]
    fn rump_close(fd: c_int) -> c_int;
    #[link_name = "rump___sysimpl_pipe2"]
    fn rump_pipe2(fds: *mut c_int, flags: c_int) -> c_int;
    #[link_name = "rump___sysimpl_fcntl"]
    fn rump_fcntl(fd: c_int, cmd: c_int, ...) -> c_int;
    #[link_name = "rump___sysimpl_write"]
    fn rump_write(fd: c_int, buf: *const c_void, n: usize) -> isize;
    #[link_name = "rump___sysimpl_read"]
    fn rump_read(fd: c_int, buf: *mut c_void, n: usize) -> isize;
    #[link_name = "rump___sysimpl_getsockopt"]
    fn rump_getsockopt(s: c_int, level: c_int, name: c_int, v: *mut c_void, len: *mut u32)
    -> c_int;
    #[link_name = "rump___sysimpl_setsockopt"]
    fn rump_setsockopt(s: c_int, level: c_int, name: c_int, v: *const c_void, len: u32) -> c_int;
    #[link_name = "rump___sysimpl_getrlimit"]
    fn rump_getrlimit(which: c_int, rl: *mut nb::Rlimit) -> c_int;
    #[link_name = "rump___sysimpl_setrlimit"]
    fn rump_setrlimit(which: c_int, rl: *const nb::Rlimit) -> c_int;
    #[link_name = "rump___sysimpl_open"]
    fn rump_open(path: *const c_char, flags: c_int, ...) -> c_int;
    #[link_name = "rump___sysimpl_mkdir"]
    fn rump_mkdir(path: *const c_char, mode: u32) -> c_int;
    #[link_name = "rump___sysimpl_chroot"]
    fn rump_chroot(path: *const c_char) -> c_int;
}

/// The host's errno after a failed rump call, which is NetBSD's number (rumpuser sets it), by
/// name; one with no entry in [`nb::ERRNO`] fails the case.
fn errno() -> Errno {
    let n = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
    match nb::ERRNO.iter().find(|&&(b, _)| b == n) {
        Some(&(_, host)) => Errno(host),
        None => panic!("NetBSD errno {n}, not in the bridge's table"),
    }
}

/// `r`, or the rump call's errno where it is negative.
fn check(r: isize) -> Result<usize> {
    if r < 0 { Err(errno()) } else { Ok(r as usize) }
}

/// Flags from one system's bits to the other's (`to_netbsd`: host to NetBSD); a bit with no
/// counterpart fails the case.
fn flags(from: c_int, to_netbsd: bool) -> c_int {
    let mut out = 0;
    let mut left = from;
    for (host, netbsd) in nb::MSG {
        let (a, b) = if to_netbsd {
            (host, netbsd)
        } else {
            (netbsd, host)
        };
        if left & a != 0 {
            out |= b;
            left &= !a;
        }
    }
    assert_eq!(left, 0, "flags {from:#x}: bits the bridge cannot translate");
    out
}

fn align(n: usize) -> usize {
    (n + nb::ALIGN - 1) & !(nb::ALIGN - 1)
}

/// One send's control bytes in NetBSD's layout: an SCM_RIGHTS message for each group.
fn rights(groups: &[Vec<c_int>]) -> Vec<u8> {
    let mut out = Vec::new();
    for fds in groups {
        out.extend(((nb::DATA + 4 * fds.len()) as u32).to_ne_bytes());
        out.extend(nb::SOL_SOCKET.to_ne_bytes());
        out.extend(nb::SCM_RIGHTS.to_ne_bytes());
        out.resize(out.len() + nb::DATA - nb::HDR, 0);
        out.extend(fds.iter().flat_map(|fd| fd.to_ne_bytes()));
        out.resize(align(out.len()), 0);
    }
    out
}

/// A send of `data` with the control bytes `control` (NetBSD's), not through p9fd: a foreign
/// sender's.
fn raw_send(s: c_int, data: &[u8], control: &[u8], flags: c_int) -> Result<usize> {
    let mut iov = nb::Iovec {
        base: data.as_ptr().cast_mut().cast(),
        len: data.len(),
    };
    let msg = nb::Msghdr {
        name: null_mut(),
        namelen: 0,
        iov: &mut iov,
        iovlen: 1,
        control: if control.is_empty() {
            null_mut()
        } else {
            control.as_ptr().cast_mut().cast()
        },
        controllen: control.len() as u32,
        flags: 0,
    };
    // SAFETY: the kernel reads the message, its one iovec and its control bytes, all alive.
    check(unsafe { rump_sendmsg(s, &msg, flags) })
}

/// NetBSD's `SOL_SOCKET`, 0xffff, rewritten to the host's in each header of the `len` bytes
/// the kernel returned at `base`, so that the core, built for this host, reads the level by
/// its host name: the bridge's one change to what the kernel wrote (every length, type,
/// descriptor number and padding byte stays as written).
///
/// # Safety
/// `base` holds `len` bytes of control messages a NetBSD `recvmsg` just wrote.
unsafe fn levels_to_host(base: *mut u8, len: usize) {
    let mut at = 0;
    while at + nb::HDR <= len {
        // SAFETY: a header the kernel wrote, in bounds.
        let (cmsg_len, level) = unsafe {
            (
                base.add(at).cast::<u32>().read_unaligned() as usize,
                base.add(at + 4).cast::<c_int>().read_unaligned(),
            )
        };
        if level == nb::SOL_SOCKET {
            // SAFETY: as above.
            unsafe {
                base.add(at + 4)
                    .cast::<c_int>()
                    .write_unaligned(libc::SOL_SOCKET)
            };
        }
        if cmsg_len < nb::HDR {
            break;
        }
        at += align(cmsg_len);
    }
}

/// NetBSD 7.99.34 behind p9fd's seam, counting the system calls the core makes of it.
#[derive(Default)]
pub(super) struct Rump {
    /// Every call the core made: recvmsg, sendmsg, getsockopt, setsockopt, fcntl, socketpair.
    pub calls: usize,
    /// The recvmsg calls among them.
    pub recvs: usize,
    /// The control buffer's size as the kernel is told it, where a case cuts the control
    /// messages short of p9fd's `RECV_SPACE` (None: all of it).
    pub room: Option<usize>,
}

// SAFETY: the descriptor numbers in the control messages are what NetBSD's recvmsg wrote: the
// ones `unp_externalize` installed for that call in the rump table, which [`close`] closes.
#[allow(unsafe_code)]
unsafe impl Kernel for Rump {
    const SYSTEM: System = <NetBsd as Spec>::SYSTEM;
    fn recvmsg(
        &mut self,
        sock: c_int,
        data: &mut [u8],
        control: Option<&mut RecvControl>,
        fl: c_int,
    ) -> Result<Received> {
        self.calls += 1;
        self.recvs += 1;
        let mut iov = nb::Iovec {
            base: data.as_mut_ptr().cast(),
            len: data.len(),
        };
        let (base, room) = control.map_or((null_mut(), 0), RecvControl::raw);
        let room = self.room.map_or(room, |r| r.min(room));
        let mut msg = nb::Msghdr {
            name: null_mut(),
            namelen: 0,
            iov: &mut iov,
            iovlen: 1,
            control: base.cast(),
            controllen: room as u32,
            flags: 0,
        };
        // SAFETY: the kernel writes at most `iov.len` bytes of data and `room` of control.
        let n = check(unsafe { rump_recvmsg(sock, &mut msg, flags(fl, true)) })?;
        let len = msg.controllen as usize;
        assert!(len <= room, "msg_controllen {len} past the buffer");
        // SAFETY: the kernel just wrote those `len` bytes at `base`.
        unsafe { levels_to_host(base, len) };
        Ok(Received {
            bytes: n,
            flags: flags(msg.flags, false),
            control_len: len,
        })
    }
    fn socket_type(&mut self, sock: c_int) -> Result<c_int> {
        self.calls += 1;
        let mut ty: c_int = 0;
        let mut len = 4;
        // SAFETY: the kernel writes at most `len` bytes to `ty`.
        let r = unsafe {
            rump_getsockopt(
                sock,
                nb::SOL_SOCKET,
                nb::SO_TYPE,
                (&raw mut ty).cast(),
                &mut len,
            )
        };
        check(r as isize).map(|_| ty) // SOCK_STREAM, _DGRAM, _SEQPACKET: the host's numbers
    }
    fn peer_creds(&mut self, sock: c_int) -> Result<Creds> {
        self.calls += 1;
        let mut id = nb::Unpcbid::default();
        let mut len = size_of::<nb::Unpcbid>() as u32;
        // SAFETY: the kernel writes at most `len` bytes to `id`.
        let r =
            unsafe { rump_getsockopt(sock, 0, nb::LOCAL_PEEREID, (&raw mut id).cast(), &mut len) };
        check(r as isize).map(|_| (id.pid, id.euid, id.egid))
    }
    fn set_passcred(&mut self, _sock: c_int) -> Result<()> {
        Ok(()) // NetBSD has nothing to turn on, and p9fd makes no call there
    }
    /// The core's message, built in this host's layout, sent in NetBSD's: its SCM_RIGHTS
    /// messages rewritten (a credentials message, which p9fd never sends on NetBSD, dropped).
    fn sendmsg(&mut self, sock: c_int, msg: &libc::msghdr, fl: c_int) -> Result<usize> {
        self.calls += 1;
        assert!(
            msg.msg_name.is_null(),
            "an address: not translated to NetBSD's"
        );
        #[allow(clippy::unnecessary_cast)] // size_t on glibc, int and socklen_t on musl
        // SAFETY: `msg` is the message sys::sendmsg built: `msg_controllen` initialised bytes.
        let control = unsafe {
            match msg.msg_controllen as usize {
                0 => &[][..],
                n => std::slice::from_raw_parts(msg.msg_control.cast::<u8>(), n),
            }
        };
        let groups: Vec<Vec<c_int>> = sys::NATIVE
            .messages(control)
            .filter(|m| m.is_rights())
            .map(|m| m.fds().collect())
            .collect();
        let control = rights(&groups);
        let out = nb::Msghdr {
            name: null_mut(),
            namelen: 0,
            iov: msg.msg_iov.cast(), // the same iovec: a pointer and a size_t
            iovlen: msg.msg_iovlen as c_int,
            control: if control.is_empty() {
                null_mut()
            } else {
                control.as_ptr().cast_mut().cast()
            },
            controllen: control.len() as u32,
            flags: 0,
        };
        // SAFETY: the kernel reads the message, the core's iovecs and the control bytes.
        check(unsafe { rump_sendmsg(sock, &out, flags(fl, true)) })
    }
    fn set_nosigpipe(&mut self, sock: c_int) {
        self.calls += 1;
        let on: c_int = 1;
        // SAFETY: the kernel reads 4 bytes of `on`.
        unsafe {
            rump_setsockopt(
                sock,
                nb::SOL_SOCKET,
                nb::SO_NOSIGPIPE,
                (&raw const on).cast(),
                4,
            )
        };
    }
    fn release(&mut self) -> u32 {
        0 // NetBSD's build asks for none
    }
    fn set_cloexec(&mut self, fd: c_int) {
        self.calls += 1;
        // SAFETY: F_SETFD on a rump descriptor; no memory.
        unsafe { rump_fcntl(fd, nb::F_SETFD, nb::FD_CLOEXEC) };
    }
    fn socketpair(&mut self, ty: c_int, cloexec: bool) -> Result<(Fd, Fd)> {
        self.calls += 1;
        let ty = if cloexec { ty | nb::SOCK_CLOEXEC } else { ty };
        let mut sv = [-1; 2];
        // SAFETY: the kernel writes two ints to `sv`.
        check(unsafe { rump_socketpair(nb::AF_UNIX, ty, 0, sv.as_mut_ptr()) } as isize)?;
        Ok((own(sv[0]), own(sv[1])))
    }
}

/// A rump descriptor this side owns, closed through [`close`] when dropped in a case.
fn own(fd: c_int) -> Fd {
    sys::own_installed(&Rump::SYSTEM, fd, false, |_| ())
}

thread_local! {
    /// Whether a bridged case runs on this thread: its descriptors are then the rump table's.
    static ACTIVE: Cell<bool> = const { Cell::new(false) };
}

/// `Fd`'s drop while a case runs on this thread: closes `fd` in the rump kernel's table, and
/// says it did (otherwise false: the host's close).
pub(crate) fn close(fd: c_int) -> bool {
    if !ACTIVE.with(Cell::get) {
        return false;
    }
    // SAFETY: close of a rump descriptor; no memory.
    unsafe { rump_close(fd) };
    true
}

// ---- The harness: the rump table's census, the oracle, the cases' tally. ----

/// The rump table's open numbers below 1024.
fn census() -> Vec<c_int> {
    let open = |fd| {
        // SAFETY: F_GETFD; no memory.
        unsafe { rump_fcntl(fd, nb::F_GETFD) >= 0 }
    };
    (0..1024).filter(|&fd| open(fd)).collect()
}

fn pipe() -> (Fd, Fd) {
    let mut p = [-1; 2];
    // SAFETY: the kernel writes two ints to `p`.
    check(unsafe { rump_pipe2(p.as_mut_ptr(), 0) } as isize).expect("pipe2");
    // SAFETY: F_SETFL; no memory.
    unsafe { rump_fcntl(p[0], nb::F_SETFL, nb::O_NONBLOCK) };
    (own(p[0]), own(p[1]))
}

/// An oracle: a pipe's read end, non-blocking, and its write end to send (and then drop).
fn oracle() -> (Fd, Fd) {
    pipe()
}

/// Whether every copy of the oracle's write end is closed: end of file on its read end.
/// Descriptors the kernel disposed of itself are closed by its collector (`unp_gc`, run when
/// a Unix-domain socket closes or while rights are in flight), so it waits up to 5 s for them.
fn eof(r: &Fd, waited: &mut u32) -> bool {
    for _ in 0..500 {
        let mut b = 0u8;
        // SAFETY: the kernel writes at most one byte to `b`.
        match unsafe { rump_read(r.raw(), (&raw mut b).cast(), 1) } {
            0 => return true,
            n if n < 0 && errno() == Errno(libc::EAGAIN) => {
                *waited += 10;
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            _ => return false,
        }
    }
    false
}

fn is_cloexec(fd: &Fd) -> bool {
    // SAFETY: F_GETFD; no memory.
    unsafe { rump_fcntl(fd.raw(), nb::F_GETFD) & nb::FD_CLOEXEC != 0 }
}

/// What one receive returned, not through p9fd: the data's length, `msg_flags` (NetBSD's)
/// and the control bytes (`room` of them offered; None: no control buffer).
struct Raw {
    data: Vec<u8>,
    flags: c_int,
    control: Vec<u8>,
}

fn raw_recv(s: &Fd, data: usize, room: Option<usize>) -> Result<Raw> {
    let mut buf = vec![0u8; data];
    let mut control = vec![0u8; room.unwrap_or(0)];
    let mut iov = nb::Iovec {
        base: buf.as_mut_ptr().cast(),
        len: buf.len(),
    };
    let mut msg = nb::Msghdr {
        name: null_mut(),
        namelen: 0,
        iov: &mut iov,
        iovlen: 1,
        control: room.map_or(null_mut(), |_| control.as_mut_ptr().cast()),
        controllen: control.len() as u32,
        flags: 0,
    };
    // SAFETY: the kernel writes at most `data` bytes of data and `room` of control.
    let n = check(unsafe { rump_recvmsg(s.raw(), &mut msg, nb::MSG_DONTWAIT) })?;
    control.truncate(msg.controllen as usize);
    buf.truncate(n);
    Ok(Raw {
        data: buf,
        flags: msg.flags,
        control,
    })
}

/// Nothing left to read on `s`: a receive that does not wait fails with EAGAIN.
fn nothing_queued(s: &Fd) -> bool {
    let mut b = [0u8; 16];
    let mut iov = nb::Iovec {
        base: b.as_mut_ptr().cast(),
        len: b.len(),
    };
    let mut msg = nb::Msghdr {
        name: null_mut(),
        namelen: 0,
        iov: &mut iov,
        iovlen: 1,
        control: null_mut(),
        controllen: 0,
        flags: 0,
    };
    // SAFETY: the kernel writes at most 16 bytes of data, and no control.
    let n = unsafe { rump_recvmsg(s.raw(), &mut msg, nb::MSG_DONTWAIT) };
    n < 0 && errno() == Errno(libc::EAGAIN)
}

/// Sets the soft limit on descriptors so that exactly `room` numbers are free below it (the
/// kernel's `fd_alloc` refuses a number at or past it); returns the limit before.
fn set_room(room: usize) -> nb::Rlimit {
    let mut old = nb::Rlimit { cur: 0, max: 0 };
    // SAFETY: the kernel writes one rlimit.
    unsafe { rump_getrlimit(nb::RLIMIT_NOFILE, &mut old) };
    let open = census();
    let mut limit = 0;
    let mut free = 0;
    while free < room || open.contains(&limit) {
        if !open.contains(&limit) {
            free += 1;
        }
        limit += 1;
    }
    set_limit(nb::Rlimit {
        cur: limit as u64,
        max: old.max,
    });
    old
}

fn set_limit(rl: nb::Rlimit) {
    // SAFETY: the kernel reads one rlimit.
    let r = unsafe { rump_setrlimit(nb::RLIMIT_NOFILE, &rl) };
    check(r as isize).expect("setrlimit");
}

fn sockets(ty: c_int) -> (Fd, Fd) {
    Rump::default().socketpair(ty, false).expect("socketpair")
}

fn slots(n: usize) -> Vec<Option<Fd>> {
    (0..n).map(|_| None).collect()
}

/// The cases' tally.
#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
}

impl Tally {
    /// Runs a case with its own kernel handle: the rump table holds the same numbers after
    /// as before, and the case's oracles (returned by it) saw end of file.
    fn case(&mut self, name: &str, f: impl FnOnce(&mut Rump) -> Vec<Fd>) {
        let before = census();
        ACTIVE.with(|a| a.set(true));
        let mut waited = 0;
        let run = catch_unwind(AssertUnwindSafe(|| {
            // The caller's own, the lowest numbers (0 among them): no receive may close them.
            let mine = [pipe(), pipe()];
            let oracles = f(&mut Rump::default());
            for (rd, wr) in &mine {
                assert!(same_pipe(wr.raw(), rd), "{} closed", wr.raw());
            }
            for (i, r) in oracles.iter().enumerate() {
                assert!(
                    eof(r, &mut waited),
                    "oracle {i}: a descriptor leaked or is still in flight"
                );
            }
        }));
        ACTIVE.with(|a| a.set(false));
        let after = census();
        let why = match (run, after == before) {
            (Ok(()), true) => None,
            (Ok(()), false) => Some(format!("rump table {before:?} before, {after:?} after")),
            (Err(e), _) => Some(
                e.downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default(),
            ),
        };
        let gc = if waited > 0 {
            format!(" (the collector closed the last after {waited} ms)")
        } else {
            String::new()
        };
        match why {
            None => {
                self.passed += 1;
                println!("PASS: {name}{gc}");
            }
            Some(why) => {
                self.failed += 1;
                println!("FAIL: {name}: {why}");
            }
        }
    }
}

const KERNEL: super::Behaviour = <NetBsd as Spec>::KERNEL;

/// Every case, one tally; the line `N passed, N failed` last. One test, so that nothing else
/// runs meanwhile in the one rump kernel.
#[test]
fn against_netbsd() {
    static INIT: Once = Once::new();
    // SAFETY: rump_init boots the rump kernel once per process.
    INIT.call_once(|| assert_eq!(unsafe { rump_init() }, 0, "rump_init"));
    // The table takes a batch: the soft limit (128, NOFILE) raised to the hard one, as
    // `ulimit -n` would.
    let mut rl = nb::Rlimit { cur: 0, max: 0 };
    // SAFETY: the kernel writes one rlimit.
    unsafe { rump_getrlimit(nb::RLIMIT_NOFILE, &mut rl) };
    set_limit(nb::Rlimit {
        cur: rl.max.min(1024),
        max: rl.max,
    });
    let mut t = Tally::default();
    facts(&mut t);
    pipes(&mut t);
    one_descriptor(&mut t);
    batch(&mut t);
    full_table(&mut t, false);
    truncated_datagram(&mut t);
    #[cfg(feature = "apue")]
    apue_credentials(&mut t);
    first_rights_message_only(&mut t);
    more_than_the_buffer_holds(&mut t);
    system_calls_per_pass(&mut t);
    empty_rights(&mut t);
    full_stream_send(&mut t);
    send_does_not_wait(&mut t);
    ownership(&mut t);
    full_table(&mut t, true); // last: the process stays in its chroot
    println!("{} passed, {} failed", t.passed, t.failed);
    assert_eq!(t.failed, 0);
}

// ---- The common cases (tests/models/mod.rs), on NetBSD's code. ----

/// `pipes`: a stream and a seqpacket pair, close-on-exec in the one socketpair call.
fn pipes(t: &mut Tally) {
    for (i, ty) in [(0, libc::SOCK_STREAM), (2, libc::SOCK_SEQPACKET)] {
        for cloexec in [false, true] {
            t.case(&format!("pipe: type {ty}, cloexec {cloexec}"), |k| {
                let (a, b) = pipe_on(k, ty, cloexec).expect("pipe");
                assert!(KERNEL.types[i]);
                let atomic = !cloexec || KERNEL.socketpair_cloexec;
                assert_eq!(k.calls, if atomic { 1 } else { 3 }, "system calls");
                assert_eq!(k.socket_type(a.raw()), Ok(ty));
                assert_eq!((is_cloexec(&a), is_cloexec(&b)), (cloexec, cloexec));
                vec![]
            });
        }
    }
}

/// `one_descriptor`: lib9's wire format, sent and received through p9fd, on every type.
fn one_descriptor(t: &mut Tally) {
    for (i, ty) in TYPES.into_iter().enumerate() {
        assert!(KERNEL.types[i]);
        for cloexec in [false, true] {
            t.case(
                &format!("one descriptor: type {ty}, cloexec {cloexec}"),
                |k| {
                    let (s, r) = sockets(ty);
                    let (o, w) = oracle();
                    send_on(k, s.raw(), &[0], &[w.raw()]).expect("sendfd");
                    drop(w);
                    let fd = recv_fd_on(k, r.raw(), cloexec).expect("recvfd");
                    assert_eq!(is_cloexec(&fd), cloexec, "close-on-exec as asked");
                    assert!(nothing_queued(&r));
                    vec![o]
                },
            );
        }
    }
}

/// `batch`: 253 in one message, all handed out with room for them; with one slot fewer,
/// EMSGSIZE and all closed.
fn batch(t: &mut Tally) {
    for room in [253, 252] {
        t.case(&format!("253 descriptors, {room} slots"), |k| {
            let (s, r) = sockets(libc::SOCK_STREAM);
            let (o, w) = oracle();
            send_on(k, s.raw(), b"x", &[w.raw(); 253]).expect("send 253");
            drop(w);
            let mut got = slots(room);
            let n = recv_on(k, r.raw(), &mut [0; 4], &mut got, true, Part::Refused);
            match room {
                253 => {
                    assert_eq!(n.expect("253").0.fds, 253);
                    assert!(got.iter().all(|s| s.as_ref().is_some_and(is_cloexec)));
                }
                _ => assert_eq!(n.unwrap_err(), Errno(libc::EMSGSIZE)),
            }
            drop(got);
            vec![o]
        });
    }
}

/// `full_table`: a receive whose descriptors the table has no room for (or, with `eperm`,
/// which carries a directory outside the receiver's chroot: `unp_externalize`'s EPERM): -1
/// with EMFILE (EPERM), every descriptor gone, one `recvmsg` only; then what the kernel kept
/// of the failed message (the model's fates), then the next message whole. Through `recv` and
/// lib9's `recvfd`. (The model's refilling sender matters only to FreeBSD's fates.)
fn full_table(t: &mut Tally, eperm: bool) {
    let outside = eperm.then(|| {
        // SAFETY: paths are NUL-terminated; the kernel reads them.
        unsafe {
            let dir = rump_open(c"/".as_ptr(), nb::O_DIRECTORY); // O_RDONLY is 0
            assert!(dir >= 0, "open /");
            assert_eq!(rump_mkdir(c"/jail".as_ptr(), 0o755), 0, "mkdir");
            assert_eq!(rump_chroot(c"/jail".as_ptr()), 0, "chroot");
            dir
        }
    });
    let (failure, want) = match outside {
        Some(_) => (Some(libc::EPERM), Errno(libc::EPERM)),
        None => (None, Errno(libc::EMFILE)),
    };
    if let Some(e) = failure {
        assert!(KERNEL.other_failures.contains(&e), "the model has EPERM");
    }
    let fates = KERNEL.full.expect("NetBSD's full table fails").1;
    for (i, ty) in TYPES.into_iter().enumerate() {
        for recvfd in [false, true] {
            let name = format!("full table: type {ty}, failure {failure:?}, recvfd {recvfd}");
            t.case(&name, |k| {
                let (s, r) = sockets(ty);
                let (o1, a) = oracle();
                let (o2, b) = oracle();
                let first = match outside {
                    Some(dir) => vec![a.raw(), dir],
                    None => vec![a.raw(), a.raw()],
                };
                send_on(k, s.raw(), b"a", &first).expect("send a");
                send_on(k, s.raw(), b"b", &[b.raw()]).expect("send b");
                drop((a, b));
                let limit = (outside.is_none()).then(|| set_room(1));
                let recvs = k.recvs;
                if recvfd {
                    assert_eq!(recv_fd_on(k, r.raw(), false).err(), Some(want));
                } else {
                    let mut got = slots(2);
                    let n = recv_on(k, r.raw(), &mut [0; 1], &mut got, false, Part::Refused);
                    assert_eq!(n.unwrap_err(), want);
                    assert!(got.iter().all(Option::is_none));
                }
                assert_eq!(k.recvs - recvs, 1, "one recvmsg, nothing more taken");
                if let Some(l) = limit {
                    set_limit(l);
                }
                if fates[i] == Fate::Kept {
                    if recvfd {
                        let got = recv_fd_on(k, r.raw(), false).err();
                        assert_eq!(got, Some(Errno(libc::EBADMSG)), "the data kept");
                    } else {
                        let mut byte = [0u8];
                        let mut got = slots(2);
                        let n = recv_on(k, r.raw(), &mut byte, &mut got, false, Part::Refused)
                            .expect("the data kept");
                        assert_eq!((n.0.bytes, n.0.fds, byte), (1, 0, *b"a"));
                    }
                }
                if recvfd {
                    drop(recv_fd_on(k, r.raw(), false).expect("the next message"));
                } else {
                    let mut byte = [0u8];
                    let mut got = slots(2);
                    let n = recv_on(k, r.raw(), &mut byte, &mut got, false, Part::Refused)
                        .expect("the next message");
                    assert_eq!((n.0.bytes, n.0.fds, byte), (1, 1, *b"b"));
                }
                assert!(nothing_queued(&r), "nothing more queued");
                vec![o1, o2]
            });
        }
    }
}

/// `truncated_datagram`: a datagram or record longer than the buffer is EMSGSIZE, its
/// descriptors closed, the next received normally; lib9's recvfd takes its one byte.
fn truncated_datagram(t: &mut Tally) {
    for ty in [libc::SOCK_DGRAM, libc::SOCK_SEQPACKET] {
        t.case(&format!("truncated datagram: type {ty}"), |k| {
            let (s, r) = sockets(ty);
            let (o, w) = oracle();
            send_on(k, s.raw(), b"012345", &[w.raw(), w.raw()]).expect("send");
            send_on(k, s.raw(), b"0123", &[w.raw()]).expect("send");
            drop(w);
            let mut got = slots(4);
            let mut buf = [0; 4];
            let n = recv_on(k, r.raw(), &mut buf, &mut got, false, Part::Refused);
            assert_eq!(n.unwrap_err(), Errno(libc::EMSGSIZE));
            let n = recv_on(k, r.raw(), &mut buf, &mut got, false, Part::Refused).expect("next");
            assert_eq!((n.0.bytes, n.0.fds), (4, 1));
            assert!(nothing_queued(&r));
            drop(got);
            vec![o]
        });
        t.case(&format!("recvfd of a long datagram: type {ty}"), |k| {
            let (s, r) = sockets(ty);
            let (o, w) = oracle();
            send_on(k, s.raw(), b"0123456789", &[w.raw()]).expect("send");
            send_on(k, s.raw(), b"a", &[w.raw()]).expect("send");
            drop(w);
            drop(recv_fd_on(k, r.raw(), false).expect("recvfd"));
            drop(recv_fd_on(k, r.raw(), false).expect("the next message's descriptor"));
            assert!(nothing_queued(&r));
            vec![o]
        });
    }
}

/// `apue_credentials`: recv_fd never asks who the peer is; recv_ufd asks first, and where the
/// kernel cannot say (the model: EINVAL on every socketpair), fails before reading anything.
#[cfg(feature = "apue")]
fn apue_credentials(t: &mut Tally) {
    use crate::pass::apue::{Reply, recv_reply_on};
    for ty in TYPES {
        t.case(&format!("APUE credentials: type {ty}"), |k| {
            let (s, r) = sockets(ty);
            let (o, w) = oracle();
            for _ in 0..2 {
                send_on(k, s.raw(), &[0, 0], &[w.raw()]).expect("send_fd");
            }
            drop(w);
            let sink = |_: &[u8]| Ok::<(), Errno>(());
            let (got, uid) = recv_reply_on(k, r.raw(), false, sink).expect("recv_fd");
            assert!(matches!(got, Reply::Fd(_)) && uid.is_none());
            drop(got);
            let model = (KERNEL.peer)(ty);
            let here = peer_7_99_34(ty);
            if model.is_ok() != here.is_ok() {
                println!("info: LOCAL_PEEREID, type {ty}: model {model:?}, 7.99.34 {here:?}");
            }
            match (here, recv_reply_on(k, r.raw(), true, sink)) {
                (Ok(c), Ok((Reply::Fd(_), uid))) => assert_eq!(uid, Some(c.1)),
                (Err(e), Err(got)) => {
                    assert_eq!(got, e, "the kernel's errno");
                    drop(recv_reply_on(k, r.raw(), false, sink).expect("then recv_fd"));
                }
                (want, got) => panic!("peer {want:?} in the model, recv_ufd {got:?}"),
            }
            assert!(nothing_queued(&r));
            vec![o]
        });
    }
}

/// Who the peer of a socketpair's end is, in NetBSD 7.99.34: `uipc_usrreq.c` 1.180
/// `unp_connect1`, which `unp_connect2` calls for `sys_socketpair`'s `soconnect2`, records the
/// calling process's ids on a PR_CONNREQUIRED type (stream, seqpacket) and `unp_connect2` copies
/// them to the other end, so LOCAL_PEEREID names the pair's creator at both ends; a datagram
/// pair has none (EINVAL). Not the model's answer, which is the NetBSD of today's: 10.99.12's
/// `uipc_usrreq.c` 1.207 records ids in `unp_connect` alone (and 6.99.16, booted, said EINVAL).
#[cfg(feature = "apue")]
fn peer_7_99_34(ty: c_int) -> Result<Creds> {
    match ty {
        libc::SOCK_DGRAM => Err(Errno(libc::EINVAL)),
        _ => Ok((1, 0, 0)), // the rump kernel's one process, pid 1, as root
    }
}

// ---- The ownership rule (tests/models/ownership.rs), on NetBSD's code. ----

/// Whether `w` is still the write end of the pipe whose read end is `r` (non-blocking): a
/// byte written through it arrives there, and only there.
fn same_pipe(w: c_int, r: &Fd) -> bool {
    let b = 7u8;
    let mut got = 0u8;
    // SAFETY: the kernel reads one byte of `b` and writes one to `got`.
    unsafe {
        rump_write(w, (&raw const b).cast(), 1) == 1
            && rump_read(r.raw(), (&raw mut got).cast(), 1) == 1
            && got == 7
    }
}

/// One foreign send of `groups` (descriptor counts, an SCM_RIGHTS message each), received by
/// p9fd with `slots` slots through a control buffer the kernel is told is `control` bytes:
/// p9fd hands out only what the kernel installed (the passed pipe, each number once), closes
/// the rest (the oracle), and nothing else (four pipes of the caller's own stay what they
/// were). A send the kernel refuses is nothing to receive.
fn owns_exactly(groups: &[usize], control: usize, ty: c_int, room: usize, cloexec: bool) -> Fd {
    let what = format!("{groups:?} into {control} bytes, {room} slots, type {ty}");
    let mine: Vec<(Fd, Fd)> = (0..4).map(|_| pipe()).collect();
    let (s, r) = sockets(ty);
    let (o, w) = oracle();
    let fds: Vec<Vec<c_int>> = groups.iter().map(|&n| vec![w.raw(); n]).collect();
    let sent = raw_send(s.raw(), b"x", &rights(&fds), 0);
    drop(w);
    if sent.is_err() {
        REFUSED.with(|n| n.set(n.get() + 1));
        return o;
    }
    let mut k = Rump {
        room: Some(control),
        ..Rump::default()
    };
    let mut got = slots(room);
    let n = recv_on(
        &mut k,
        r.raw(),
        &mut [0; 1],
        &mut got,
        cloexec,
        Part::Refused,
    );
    for (rd, wr) in &mine {
        assert!(
            same_pipe(wr.raw(), rd),
            "{what}: p9fd closed one of the caller's own"
        );
    }
    let handed: Vec<c_int> = got.iter().flatten().map(Fd::raw).collect();
    for &fd in &handed {
        assert!(
            same_pipe(fd, &o),
            "{what}: handed out {fd}, not the one passed"
        );
    }
    let mut unique = handed.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), handed.len(), "{what}: handed out twice");
    assert_eq!(n.map_or(0, |g| g.0.fds), handed.len(), "{what}");
    HANDED.with(|n| n.set(n.get() + handed.len()));
    o
}

thread_local! {
    /// The ownership cases' sends the kernel refused, and descriptors p9fd handed out.
    static REFUSED: Cell<usize> = const { Cell::new(0) };
    static HANDED: Cell<usize> = const { Cell::new(0) };
}

/// The property's cuts (`receive_closes_exactly_what_the_kernel_installed_at_every_cut`): a
/// foreign sender's messages cut at every byte around the second message and at the buffer's
/// end, on a stream and on datagrams; then the property's random shapes, from a fixed seed.
fn ownership(t: &mut Tally) {
    let cuts: Vec<usize> = (0..=120)
        .chain(sys::RECV_SPACE - 40..=sys::RECV_SPACE)
        .collect();
    for (groups, ty, cloexec) in [
        (&[3, 20, 2, 1][..], libc::SOCK_STREAM, false),
        (&[250, 250][..], libc::SOCK_DGRAM, true),
    ] {
        t.case(
            &format!("ownership at every cut: {groups:?}, type {ty}"),
            |_| {
                cuts.iter()
                    .map(|&c| owns_exactly(groups, c, ty, 253, cloexec))
                    .collect()
            },
        );
    }
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = |n: usize| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        (seed >> 33) as usize % n
    };
    for round in 0..4 {
        t.case(
            &format!("ownership, 24 random shapes, round {round}"),
            |_| {
                (0..24)
                    .map(|_| {
                        let groups: Vec<usize> = (0..1 + next(4)).map(|_| 1 + next(260)).collect();
                        let control = next(sys::RECV_SPACE + 1);
                        let ty = TYPES[next(3)];
                        let room = if next(2) == 0 { 253 } else { next(261) };
                        owns_exactly(&groups, control, ty, room, next(2) == 0)
                    })
                    .collect()
            },
        );
    }
    let (refused, handed) = (REFUSED.with(Cell::get), HANDED.with(Cell::get));
    println!("info: ownership: {refused} sends refused by the kernel, {handed} handed out");
}

// ---- The model's reading of the kernel, not through p9fd. ----

/// What the model says the kernel does (`Behaviour`), asked of the kernel with sends and
/// receives of NetBSD's own bytes: the facts p9fd's core is built on, checked where they
/// come from.
fn facts(t: &mut Tally) {
    use super::TooSmall;
    let space = |n: usize| nb::DATA + align(n);
    t.case(
        "fact: msg_controllen ends at CMSG_SPACE (returns_space)",
        |_| {
            let (s, r) = sockets(libc::SOCK_DGRAM);
            let (o, w) = oracle();
            raw_send(s.raw(), b"x", &rights(&[vec![w.raw()]]), 0).expect("send");
            drop(w);
            let got = raw_recv(&r, 1, Some(64)).expect("recv");
            let want = if KERNEL.returns_space {
                space(4)
            } else {
                nb::DATA + 4
            };
            assert_eq!(got.control.len(), want);
            let level = c_int::from_ne_bytes(got.control[4..8].try_into().unwrap());
            assert_eq!(level, nb::SOL_SOCKET);
            let fd = c_int::from_ne_bytes(got.control[16..20].try_into().unwrap());
            drop(own(fd));
            vec![o]
        },
    );
    t.case(
        "fact: a rights message that does not fit (too_small)",
        |_| {
            assert!(
                KERNEL.too_small == TooSmall::DropsWhole,
                "the model's reading"
            );
            let (s, r) = sockets(libc::SOCK_STREAM);
            let (o, w) = oracle();
            raw_send(s.raw(), b"x", &rights(&[vec![w.raw(); 3]]), 0).expect("send");
            drop(w);
            // CMSG_SPACE(4) is CMSG_SPACE(8): two descriptors' room, not three
            let got = raw_recv(&r, 1, Some(space(4))).expect("recv");
            assert_eq!(got.flags & 0x20, 0x20, "MSG_CTRUNC");
            assert_eq!(got.control.len(), 0, "nothing copied, all three closed");
            vec![o]
        },
    );
    t.case(
        "fact: a receive without a control buffer (null_control_leaks)",
        |_| {
            const { assert!(!KERNEL.null_control_leaks, "the model's reading") };
            let (s, r) = sockets(libc::SOCK_STREAM);
            let (o, w) = oracle();
            raw_send(s.raw(), b"x", &rights(&[vec![w.raw(); 2]]), 0).expect("send");
            drop(w);
            let got = raw_recv(&r, 1, None).expect("recv");
            assert_eq!(got.data, b"x"); // the descriptors disposed of (the oracle)
            vec![o]
        },
    );
    t.case(
        "fact: a full table's errno and the data's fate (full)",
        |_| {
            let (errno, fates) = KERNEL.full.expect("the model's reading");
            let mut oracles = Vec::new();
            for (i, ty) in TYPES.into_iter().enumerate() {
                let (s, r) = sockets(ty);
                let (o, w) = oracle();
                raw_send(s.raw(), b"a", &rights(&[vec![w.raw(); 2]]), 0).expect("send");
                raw_send(s.raw(), b"b", &[], 0).expect("send");
                drop(w);
                let limit = set_room(1);
                let got = raw_recv(&r, 1, Some(64));
                set_limit(limit);
                assert_eq!(got.err(), Some(Errno(errno)), "type {ty}");
                // what is left: the failed message's byte where the kernel kept it, then "b"
                let kept = fates[i] == Fate::Kept;
                let next = raw_recv(&r, 1, Some(64)).expect("next");
                assert_eq!(
                    next.data,
                    if kept { b"a" } else { b"b" },
                    "type {ty}: kept {kept}"
                );
                assert!(next.control.is_empty());
                if kept {
                    assert_eq!(raw_recv(&r, 1, Some(64)).expect("b").data, b"b");
                }
                assert!(nothing_queued(&r));
                oracles.push(o);
            }
            oracles
        },
    );
    t.case("fact: a stream read gathers later writes (gathers)", |_| {
        let (s, r) = sockets(libc::SOCK_STREAM);
        let (o, w) = oracle();
        raw_send(s.raw(), b"a", &rights(&[vec![w.raw()]]), 0).expect("send");
        raw_send(s.raw(), b"bc", &[], 0).expect("send");
        drop(w);
        let got = raw_recv(&r, 8, Some(64)).expect("recv");
        let fd = c_int::from_ne_bytes(got.control[16..20].try_into().unwrap());
        drop(own(fd));
        assert_eq!(got.data == b"abc", KERNEL.gathers, "read {:?}", got.data);
        vec![o]
    });
}

// ---- The NetBSD model's own cases (tests/models/netbsd.rs). ----

/// Two SCM_RIGHTS messages in one send (a foreign sender's: p9fd sends one): the kernel keeps
/// the first and disposes of the rest; p9fd hands out what arrived.
fn first_rights_message_only(t: &mut Tally) {
    t.case("several SCM_RIGHTS", |k| {
        let (s, r) = sockets(libc::SOCK_STREAM);
        let (o, w) = oracle();
        let control = rights(&[vec![w.raw(); 3], vec![w.raw(); 2]]);
        raw_send(s.raw(), b"x", &control, 0).expect("send");
        drop(w);
        let mut got = slots(5);
        let n = recv_on(k, r.raw(), &mut [0; 1], &mut got, false, Part::Refused).expect("recv");
        assert_eq!(n.0.fds, 3);
        drop(got);
        vec![o]
    });
}

/// 500 descriptors in one datagram (a page of control holds 1020; a foreign sender's): more
/// than p9fd's buffer. The kernel copies none and closes them, MSG_CTRUNC; p9fd says EMSGSIZE.
fn more_than_the_buffer_holds(t: &mut Tally) {
    t.case("500 descriptors", |k| {
        let (s, r) = sockets(libc::SOCK_DGRAM);
        let (o, w) = oracle();
        raw_send(s.raw(), b"x", &rights(&[vec![w.raw(); 500]]), 0).expect("send 500");
        drop(w);
        let mut got = slots(253);
        let n = recv_on(k, r.raw(), &mut [0; 1], &mut got, false, Part::Refused);
        assert_eq!(n.unwrap_err(), Errno(libc::EMSGSIZE));
        vec![o]
    });
}

/// An empty SCM_RIGHTS message (a foreign sender's, `cmsg_len` CMSG_LEN(0)) with its byte, on
/// every type: lib9's recvfd says EBADMSG, `recv` hands out the byte and no descriptor. (It
/// panicked NetBSD 6.99.16's `unp_externalize`, `kmem_alloc(0)`; 7.99.34 returns early.)
fn empty_rights(t: &mut Tally) {
    for ty in TYPES {
        t.case(&format!("empty SCM_RIGHTS: type {ty}"), |k| {
            let (s, r) = sockets(ty);
            let empty = rights(&[vec![]]);
            raw_send(s.raw(), b"x", &empty, 0).expect("send");
            raw_send(s.raw(), b"y", &empty, 0).expect("send");
            assert_eq!(
                recv_fd_on(k, r.raw(), false).err(),
                Some(Errno(libc::EBADMSG))
            );
            let mut got = slots(1);
            let mut byte = [0u8];
            let n = recv_on(k, r.raw(), &mut byte, &mut got, false, Part::Refused).expect("recv");
            assert_eq!((n.0.bytes, n.0.fds, byte), (1, 0, *b"y"));
            assert!(nothing_queued(&r));
            vec![]
        });
    }
}

/// A pair of `ty` whose sender's buffer is full (sends of NetBSD's MSG_NBIO until EAGAIN), its
/// sends given a timeout of 2 s: a send that waits (where it should not) then fails as one
/// that did not, with EAGAIN, but 2 s late, which tells them apart.
fn full(ty: c_int) -> (Fd, Fd) {
    let (s, r) = sockets(ty);
    let two = [2i64, 0]; // NetBSD's struct timeval: tv_sec, then tv_usec (an int) and padding
    // SAFETY: the kernel reads 16 bytes of `two`.
    let r0 = unsafe {
        rump_setsockopt(
            s.raw(),
            nb::SOL_SOCKET,
            nb::SO_SNDTIMEO,
            two.as_ptr().cast(),
            16,
        )
    };
    check(r0 as isize).expect("SO_SNDTIMEO");
    // in 512-byte pieces and then in single bytes: a record longer than the room left is
    // EMSGSIZE on a seqpacket socket, whose room shrinks as its peer's buffer fills
    let mut last = Ok(0);
    for piece in [512, 1] {
        for _ in 0..10_000 {
            last = raw_send(s.raw(), &[0u8; 512][..piece], &[], nb::MSG_NBIO);
            if last.is_err() {
                break;
            }
        }
    }
    println!("info: filling type {ty}: {last:?}");
    assert!(
        matches!(last, Err(Errno(libc::EAGAIN | libc::EMSGSIZE))),
        "full: {last:?}"
    );
    (s, r)
}

/// How long `f` took, and what it returned.
fn timed<T>(f: impl FnOnce() -> T) -> (T, std::time::Duration) {
    let start = std::time::Instant::now();
    let got = f();
    (got, start.elapsed())
}

/// A send of a descriptor on a stream whose peer's buffer is full (`src/sys/netbsd.rs`): not
/// a wait but EMSGSIZE at once, nothing sent.
fn full_stream_send(t: &mut Tally) {
    t.case("sendfd on a full stream: EMSGSIZE at once", |k| {
        let (s, _r) = full(libc::SOCK_STREAM);
        let (o, w) = oracle();
        let (got, took) = timed(|| send_on(k, s.raw(), &[0], &[w.raw()]));
        assert_eq!(got, Err(Errno(libc::EMSGSIZE)));
        assert!(took.as_secs_f64() < 1.0, "it waited {took:?}");
        vec![o]
    });
}

/// A send that does not wait (P9FD_DONTWAIT, `SendFlags::DONTWAIT`) on a full stream: EAGAIN
/// at once; on a full seqpacket socket, the kernel's EMSGSIZE at once, as for any send there.
/// NetBSD's `sosend` (`uipc_socket.c`, 7.99.34 and 10.99.12's 1.313 alike) does not read
/// MSG_DONTWAIT: only a non-blocking socket or MSG_NBIO keeps it from waiting for room, so
/// p9fd says both there (`System::send_nbio`); without it this case waited 2 s.
fn send_does_not_wait(t: &mut Tally) {
    for ty in [libc::SOCK_STREAM, libc::SOCK_SEQPACKET] {
        t.case(
            &format!("a send that does not wait, when full: type {ty}"),
            |k| {
                let (s, _r) = full(ty);
                let (got, took) =
                    timed(|| crate::pass::send_to_on(k, s.raw(), b"x", &[], true, None));
                assert!(took.as_secs_f64() < 1.0, "it waited {took:?} ({got:?})");
                // a full seqpacket socket has no room for even one byte's record: EMSGSIZE
                let want = match ty {
                    libc::SOCK_STREAM => libc::EAGAIN,
                    _ => libc::EMSGSIZE,
                };
                assert_eq!(got, Err(Errno(want)));
                vec![]
            },
        );
    }
}

/// One system call per send and per receive, close-on-exec included (MSG_NOSIGNAL,
/// MSG_CMSG_CLOEXEC), for a pass and for a batch of 253.
fn system_calls_per_pass(t: &mut Tally) {
    t.case("system calls per pass", |k| {
        let (s, r) = sockets(libc::SOCK_STREAM);
        let (o, w) = oracle();
        let count = |k: &mut Rump, f: &mut dyn FnMut(&mut Rump)| {
            let before = k.calls;
            f(k);
            k.calls - before
        };
        let send = count(k, &mut |k| {
            send_on(k, s.raw(), &[0], &[w.raw()]).expect("send");
        });
        let recv = count(k, &mut |k| {
            drop(recv_fd_on(k, r.raw(), false).expect("recv"))
        });
        send_on(k, s.raw(), &[0], &[w.raw()]).expect("send");
        let recv_cloexec = count(k, &mut |k| {
            drop(recv_fd_on(k, r.raw(), true).expect("recv"))
        });
        let batch_send = count(k, &mut |k| {
            send_on(k, s.raw(), b"x", &[w.raw(); 253]).expect("batch send");
        });
        let batch_recv = count(k, &mut |k| {
            let mut got = slots(253);
            let n = recv_on(k, r.raw(), &mut [0; 1], &mut got, true, Part::Refused);
            assert_eq!(n.expect("batch").0.fds, 253);
        });
        let want = super::Calls::one_each(253);
        let got = (send, recv, recv_cloexec, batch_send, batch_recv);
        let expect = (
            want.send,
            want.recv,
            want.recv_cloexec,
            want.batch_send,
            want.batch_recv_cloexec,
        );
        assert_eq!(
            got, expect,
            "(send, recv, recv cloexec, batch send, batch recv)"
        );
        drop(w);
        vec![o]
    });
}
