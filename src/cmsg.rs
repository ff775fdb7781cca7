//! Reading the control messages `recvmsg` returned: a pure function of their bytes.
//!
//! Nothing here touches the kernel or a descriptor, so it can be fuzzed with any bytes. It reads
//! only inside the slice it is given (`msg_controllen` bytes), by safe indexing.

use core::ffi::c_int;
use core::mem::size_of;

use crate::sys;
pub use crate::sys::{Cut, Layout, Owns};

/// `SCM_PIDFD` (Linux 6.5): a pidfd of the sender, installed when the receiver set
/// SO_PASSPIDFD. Linux only: elsewhere type 4 is something else (FreeBSD's SCM_BINTIME).
#[cfg(any(target_os = "linux", target_os = "android"))]
const SCM_PIDFD: Option<c_int> = Some(4);
#[cfg(not(any(target_os = "linux", target_os = "android")))]
const SCM_PIDFD: Option<c_int> = None;

/// `SCM_CREDENTIALS` (Linux): the sender's pid, uid and gid. Other systems' credential
/// messages are not read (APUE's receive asks the socket instead).
#[cfg(any(target_os = "linux", target_os = "android"))]
const SCM_CREDENTIALS: Option<c_int> = Some(libc::SCM_CREDENTIALS);
#[cfg(not(any(target_os = "linux", target_os = "android")))]
const SCM_CREDENTIALS: Option<c_int> = None;

/// One control message: its level, its type and its data (`cmsg_len - CMSG_LEN(0)` bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cmsg<'a> {
    /// `cmsg_level`, e.g. `SOL_SOCKET`.
    pub level: c_int,
    /// `cmsg_type`, e.g. `SCM_RIGHTS`.
    pub kind: c_int,
    /// The data after the header, as long as `cmsg_len` says, or as far as the control area
    /// goes where the message was cut.
    pub data: &'a [u8],
    /// Whether the message was cut: its `cmsg_len` runs past the end of the control area.
    pub cut: bool,
}

impl<'a> Cmsg<'a> {
    /// Whether the kernel installed descriptors for this message in the receiver's table, so
    /// that each one must be returned or closed: SCM_RIGHTS and SCM_PIDFD.
    pub fn carries_fds(&self) -> bool {
        self.level == libc::SOL_SOCKET
            && (self.kind == libc::SCM_RIGHTS || Some(self.kind) == SCM_PIDFD)
    }

    /// Whether this is SCM_RIGHTS, the descriptors a peer sent.
    pub fn is_rights(&self) -> bool {
        self.level == libc::SOL_SOCKET && self.kind == libc::SCM_RIGHTS
    }

    /// The descriptor numbers in the data, whole ints only.
    pub fn fds(&self) -> impl Iterator<Item = c_int> + use<'a> {
        Self::ints(self.data)
    }

    /// The whole ints in `data`.
    pub fn ints(data: &[u8]) -> impl Iterator<Item = c_int> + '_ {
        data.chunks_exact(size_of::<c_int>())
            .filter_map(|c| c.try_into().ok().map(c_int::from_ne_bytes))
    }
}

/// Iterates over control messages, as `CMSG_FIRSTHDR`/`CMSG_NXTHDR` do, but bounds-checked: a
/// header that does not fit, or a `cmsg_len` shorter than a header, ends the walk. A last
/// message whose `cmsg_len` runs past the end was cut off by the kernel, which copied out what
/// fit (illumos before 2024 and macOS leave `cmsg_len` at the full length): its data is what
/// came back.
#[derive(Clone, Debug)]
pub struct Messages<'a> {
    layout: Layout,
    rest: &'a [u8],
}

/// Walks the control area `control` in this system's layout: exactly the `msg_controllen`
/// bytes `recvmsg` returned.
pub fn messages(control: &[u8]) -> Messages<'_> {
    sys::NATIVE.messages(control)
}

fn int_at(bytes: &[u8], at: usize) -> Option<c_int> {
    let b = bytes.get(at..at + size_of::<c_int>())?;
    Some(c_int::from_ne_bytes(b.try_into().ok()?))
}

impl<'a> Iterator for Messages<'a> {
    type Item = Cmsg<'a>;

    fn next(&mut self) -> Option<Cmsg<'a>> {
        let (l, rest) = (self.layout, self.rest);
        self.rest = &[];
        let len = l.cmsg_len(rest)?;
        if len < l.data {
            return None;
        }
        let msg = Cmsg {
            level: int_at(rest, l.level_at)?,
            kind: int_at(rest, l.level_at + 4)?,
            data: rest.get(l.data..len.min(rest.len()))?,
            cut: len > rest.len(),
        };
        // a length past the end was the last message (the walk ends)
        self.rest = rest.get(l.align(len.min(rest.len()))..).unwrap_or(&[]);
        Some(msg)
    }
}

/// The sender's credentials from an SCM_CREDENTIALS message, as (pid, uid, gid), in this
/// system's layout. A pid of 0 means the kernel had none to give (nobody had SO_PASSCRED when
/// the message was sent), so it counts as no credentials.
pub fn credentials(control: &[u8]) -> Option<(i32, u32, u32)> {
    sys::NATIVE.credentials(control)
}

/// Whether the control area is exactly one SCM_RIGHTS message, in this system's layout; its
/// data if so. See [`Layout::only_rights`].
#[inline]
pub fn only_rights(control: &[u8]) -> Option<&[u8]> {
    sys::NATIVE.only_rights(control)
}

/// Why a received message is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// MSG_CTRUNC: the kernel dropped descriptors (the receiver's table is full, a security
    /// module said no, or more arrived than the control buffer holds). Reported as EMFILE, or
    /// EMSGSIZE when the buffer came back full.
    Truncated,
    /// MSG_TRUNC: a datagram or record longer than the data buffer, whose rest the kernel
    /// discarded. Reported as EMSGSIZE.
    Cut,
    /// More SCM_RIGHTS descriptors arrived than the caller had room for. Reported as EMSGSIZE
    /// (recvfd: EBADMSG).
    TooMany,
}

/// Which numbers of a control area this system's kernel installs; see [`Owns`].
pub const OWNS: Owns = sys::SYSTEM.owns;

/// Judges a received message in this system's layout; see [`Layout::judge`].
pub fn judge(control: &[u8], flags: c_int, room: usize) -> Result<usize, Refusal> {
    sys::NATIVE.judge(control, flags, room, sys::SYSTEM.owns)
}

/// The descriptors a received control area holds for this call, in this system's layout and
/// by its kernel's [`Owns`]; see [`Layout::owned`].
pub fn owned(control: &[u8]) -> impl Iterator<Item = (c_int, bool)> + '_ {
    sys::NATIVE.owned(control, sys::SYSTEM.owns)
}

/// Routes a received message's descriptors in this system's layout; see [`Layout::route`].
pub fn route(
    control: &[u8],
    flags: c_int,
    room: usize,
) -> (
    Result<usize, Refusal>,
    impl Iterator<Item = (c_int, Option<usize>)> + '_,
) {
    sys::NATIVE.route(control, flags, room, sys::SYSTEM.owns)
}

/// The parser, in any layout: the kernel models read other systems' control messages with it.
impl Layout {
    /// Walks the control area `control`: exactly the `msg_controllen` bytes `recvmsg`
    /// returned.
    pub fn messages(self, control: &[u8]) -> Messages<'_> {
        Messages {
            layout: self,
            rest: control,
        }
    }

    /// See [`credentials`].
    pub fn credentials(self, control: &[u8]) -> Option<(i32, u32, u32)> {
        let m = self
            .messages(control)
            .find(|m| m.level == libc::SOL_SOCKET && Some(m.kind) == SCM_CREDENTIALS)?;
        let word = |i: usize| -> Option<[u8; 4]> { m.data.get(i * 4..i * 4 + 4)?.try_into().ok() };
        let pid = i32::from_ne_bytes(word(0)?);
        let uid = u32::from_ne_bytes(word(1)?);
        let gid = u32::from_ne_bytes(word(2)?);
        (pid != 0).then_some((pid, uid, gid))
    }

    /// The usual shape, recognised from its header alone: a control area of `len` bytes that
    /// starts with `head` (at least the header) is exactly one SCM_RIGHTS message, whose data
    /// ends within `len`, followed by less than one padding unit. Returns its data's length.
    /// Anything else (nothing, several messages, another kind, one cut off) is `None`, for the
    /// general walk.
    #[inline(always)]
    pub fn rights_len(self, head: &[u8], len: usize) -> Option<usize> {
        // The level and type, adjacent ints on every platform, compared as one 8-byte word.
        const RIGHTS: [u8; 8] = {
            let (l, t) = (
                libc::SOL_SOCKET.to_ne_bytes(),
                libc::SCM_RIGHTS.to_ne_bytes(),
            );
            [l[0], l[1], l[2], l[3], t[0], t[1], t[2], t[3]]
        };
        let n = self.cmsg_len(head)?.checked_sub(self.data)?;
        let pad = len.checked_sub(self.data + n)?;
        if *head.get(self.level_at..)?.first_chunk::<8>()? != RIGHTS || pad >= self.align {
            return None;
        }
        Some(n)
    }

    /// [`rights_len`](Self::rights_len) over a whole control area: its one SCM_RIGHTS
    /// message's data.
    #[inline]
    pub fn only_rights(self, control: &[u8]) -> Option<&[u8]> {
        let n = self.rights_len(control, control.len())?;
        control.get(self.data..self.data + n)
    }

    /// The one place that decides which numbers of a received control area are descriptors
    /// the kernel installed for this call, in the order they arrived, each with whether it
    /// came in SCM_RIGHTS (else SCM_PIDFD): every whole, non-negative int of every message for
    /// which [`Cmsg::carries_fds`] holds, but of a cut message only where `owns.cut` is
    /// [`Cut::Partial`], and of the first message only where `owns.first_only` holds. Nothing
    /// else in the control area is a descriptor p9fd owns: every close and every hand-out of a
    /// receive is of a number this yields, each exactly once.
    pub fn owned(self, control: &[u8], owns: Owns) -> impl Iterator<Item = (c_int, bool)> + '_ {
        self.holding(control, owns)
            .flat_map(|m| m.fds().map(move |fd| (fd, m.is_rights())))
            .filter(|&(fd, _)| fd >= 0)
    }

    /// The messages whose non-negative ints [`owned`](Self::owned) yields.
    fn holding(self, control: &[u8], owns: Owns) -> impl Iterator<Item = Cmsg<'_>> + '_ {
        self.messages(control)
            .take_while(move |m| !m.cut || owns.cut == Cut::Partial)
            .take(if owns.first_only { 1 } else { usize::MAX })
            .filter(Cmsg::carries_fds)
    }

    /// Judges a received message: how many SCM_RIGHTS descriptors it hands the caller, who has
    /// `room` for that many, or why it is refused. `flags` is the returned `msg_flags` (less
    /// MSG_TRUNC where the caller takes part of a datagram, as lib9's recvfd does).
    ///
    /// Whatever the verdict, every descriptor [`owned`](Self::owned) yields must then be kept
    /// (SCM_RIGHTS, on `Ok`) or closed.
    pub fn judge(
        self,
        control: &[u8],
        flags: c_int,
        room: usize,
        owns: Owns,
    ) -> Result<usize, Refusal> {
        if flags & libc::MSG_CTRUNC != 0 {
            return Err(Refusal::Truncated);
        }
        if flags & libc::MSG_TRUNC != 0 {
            return Err(Refusal::Cut);
        }
        // as `owned` counts them: its SCM_RIGHTS numbers
        let n = self
            .holding(control, owns)
            .filter(Cmsg::is_rights)
            .map(|m| m.fds().filter(|&fd| fd >= 0).count())
            .sum();
        if n > room {
            return Err(Refusal::TooMany);
        }
        Ok(n)
    }

    /// Where every descriptor [`owned`](Self::owned) yields goes, in the order they arrived:
    /// `Some(i)`, the caller's slot `i`, or `None`, to be closed. Returned with
    /// [`judge`](Self::judge)'s verdict, on which it rests: on `Ok(n)` the SCM_RIGHTS
    /// descriptors fill slots `0, 1, ...` (exactly `n`, so within `room`) and any SCM_PIDFD is
    /// closed; on `Err` every one is closed.
    pub fn route(
        self,
        control: &[u8],
        flags: c_int,
        room: usize,
        owns: Owns,
    ) -> (
        Result<usize, Refusal>,
        impl Iterator<Item = (c_int, Option<usize>)> + '_,
    ) {
        let verdict = self.judge(control, flags, room, owns);
        let keep = verdict.is_ok();
        let mut next = 0;
        let route = self.owned(control, owns).map(move |(fd, rights)| {
            let slot = (keep && rights).then(|| {
                next += 1;
                next - 1
            });
            (fd, slot)
        });
        (verdict, route)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::sys::{DATA, NATIVE, space, test_header};

    fn align(n: usize) -> usize {
        NATIVE.align(n)
    }

    /// One control message as the kernel lays it out: header, data, zero padding.
    fn cmsg(level: c_int, kind: c_int, data: &[u8]) -> Vec<u8> {
        let mut v = test_header(DATA + data.len(), level, kind).to_vec();
        v.extend_from_slice(data);
        v.resize(align(v.len()), 0);
        v
    }

    /// Sets the `cmsg_len` of the message at the start of `m`.
    fn set_len(m: &mut [u8], len: usize) {
        m[..DATA].copy_from_slice(&test_header(len, libc::SOL_SOCKET, libc::SCM_RIGHTS));
    }

    fn ints(fds: &[c_int]) -> Vec<u8> {
        fds.iter().flat_map(|f| f.to_ne_bytes()).collect()
    }

    fn rights(fds: &[c_int]) -> Vec<u8> {
        cmsg(libc::SOL_SOCKET, libc::SCM_RIGHTS, &ints(fds))
    }

    fn all_fds(control: &[u8]) -> Vec<(bool, c_int)> {
        messages(control)
            .filter(Cmsg::carries_fds)
            .flat_map(|m| m.fds().map(move |fd| (m.is_rights(), fd)))
            .collect()
    }

    #[test]
    fn no_control_is_no_message() {
        assert_eq!(messages(&[]).count(), 0);
        assert_eq!(judge(&[], 0, 1), Ok(0));
    }

    #[test]
    fn one_rights_message() {
        let c = rights(&[7]);
        assert_eq!(c.len(), space(4));
        assert_eq!(all_fds(&c), [(true, 7)]);
        assert_eq!(judge(&c, 0, 1), Ok(1));
        assert_eq!(judge(&c, 0, 0), Err(Refusal::TooMany));
    }

    #[test]
    #[cfg(any(target_os = "linux", target_os = "android"))]
    fn credentials_then_rights_then_pidfd() {
        let cred = cmsg(libc::SOL_SOCKET, libc::SCM_CREDENTIALS, &[1; 12]);
        let mut c = cred.clone();
        c.extend(rights(&[5, 6]));
        c.extend(cmsg(libc::SOL_SOCKET, 4, &ints(&[9])));
        assert_eq!(all_fds(&c), [(true, 5), (true, 6), (false, 9)]);
        assert_eq!(judge(&c, 0, 2), Ok(2));
        assert_eq!(judge(&c, 0, 1), Err(Refusal::TooMany));
        // credentials alone carry no descriptor
        assert_eq!(all_fds(&cred), []);
        assert_eq!(judge(&cred, 0, 1), Ok(0));
    }

    #[test]
    #[cfg(any(target_os = "linux", target_os = "android"))]
    fn credentials_are_found_anywhere_and_pid_zero_is_none() {
        let mut c = rights(&[5]);
        let cred = |pid: i32| {
            let mut d = pid.to_ne_bytes().to_vec();
            d.extend(1000u32.to_ne_bytes());
            d.extend(100u32.to_ne_bytes());
            cmsg(libc::SOL_SOCKET, libc::SCM_CREDENTIALS, &d)
        };
        assert_eq!(credentials(&c), None);
        c.extend(cred(42));
        assert_eq!(credentials(&c), Some((42, 1000, 100)));
        assert_eq!(credentials(&cred(0)), None);
        // cut short: no credentials rather than a misread
        assert_eq!(credentials(&cred(42)[..DATA + 8]), None);
    }

    #[test]
    fn only_rights_is_exactly_one_rights_message() {
        let one = rights(&[7, 8]);
        assert_eq!(only_rights(&one), Some(&ints(&[7, 8])[..]));
        assert_eq!(only_rights(&one[..DATA + 8]), Some(&ints(&[7, 8])[..]));
        let mut two = one.clone();
        two.extend(rights(&[9]));
        assert_eq!(only_rights(&two), None);
        assert_eq!(only_rights(&[]), None);
        let other = cmsg(libc::SOL_SOCKET, libc::SCM_RIGHTS + 1, &[1; 12]);
        assert_eq!(only_rights(&other), None);
    }

    #[test]
    fn ctrunc_is_always_refused() {
        assert_eq!(judge(&[], libc::MSG_CTRUNC, 1), Err(Refusal::Truncated));
        assert_eq!(
            judge(&rights(&[3]), libc::MSG_CTRUNC, 9),
            Err(Refusal::Truncated)
        );
    }

    #[test]
    fn whole_ints_only() {
        let c = cmsg(libc::SOL_SOCKET, libc::SCM_RIGHTS, &[1, 0, 0, 0, 2, 0, 0]);
        assert_eq!(all_fds(&c).len(), 1);
    }

    #[test]
    fn other_levels_are_not_descriptors() {
        let c = cmsg(libc::IPPROTO_TCP, libc::SCM_RIGHTS, &ints(&[4]));
        assert_eq!(all_fds(&c), []);
    }

    #[test]
    fn bad_lengths_end_the_walk() {
        let mut c = rights(&[3]);
        // a header that claims more than there is: cut off by the kernel, its whole ints are
        // descriptors (illumos before 2024, macOS)
        let mut long = rights(&[4, 5]);
        set_len(&mut long, 1000);
        c.extend(&long[..long.len() - 2]);
        assert_eq!(all_fds(&c), [(true, 3), (true, 4)]);
        assert_eq!(judge(&c, libc::MSG_CTRUNC, 9), Err(Refusal::Truncated));
        assert_eq!(only_rights(&long), None);
        // a length shorter than a header
        let mut short = rights(&[4]);
        set_len(&mut short, DATA - 1);
        assert_eq!(messages(&short).count(), 0);
        // a header cut short
        assert_eq!(messages(&rights(&[4])[..DATA - 1]).count(), 0);
        // a message cut short of its data: no whole int
        let cut = rights(&[4]);
        assert_eq!(messages(&cut[..DATA + 2]).count(), 1);
        assert_eq!(all_fds(&cut[..DATA + 2]), []);
    }

    #[test]
    fn last_message_without_padding() {
        let c = rights(&[3]);
        assert_eq!(all_fds(&c[..DATA + 4]), [(true, 3)]);
    }
}
