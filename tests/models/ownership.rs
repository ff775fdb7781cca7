//! The ownership rule, as a property: whatever a foreign sender sends (1 to 4 SCM_RIGHTS
//! messages of any sizes) into a control buffer of any size, on every modelled system, cutting
//! behaviour and compat layer, p9fd's receive closes exactly the descriptors the kernel
//! installed for it and did not hand out, hands out only those, and closes nothing else: the
//! process's 0, 1 and 2 and the caller's own descriptors (whose numbers the model kernel
//! writes where it copies out descriptors it has already closed, as if another thread had
//! taken the numbers meanwhile) stay what they were.

use core::ffi::c_int;
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd, OwnedFd};

use proptest::prelude::*;

use super::apple::Apple;
use super::dragonfly::DragonFly;
use super::freebsd::{FreeBsd, FreeBsd32, FreeBsd32Compat};
use super::illumos::{Illumos, Illumos2020, IllumosOld};
use super::linux::Linux;
use super::netbsd::{NetBsd, NetBsdAarch64};
use super::openbsd::OpenBsd;
use super::{LOCK, Model, Spec, TYPES, census, eof, oracle, slots};
use crate::pass::{Part, recv_on};
use crate::sys;

/// What a descriptor number refers to: its file's device and inode, or None where it is
/// closed.
pub(super) fn identity(fd: c_int) -> Option<(libc::dev_t, libc::ino_t)> {
    // SAFETY: fstat writes one struct stat, which we provide.
    let mut st: libc::stat = unsafe { core::mem::zeroed() };
    // SAFETY: as above.
    (unsafe { libc::fstat(fd, &mut st) } == 0).then_some((st.st_dev, st.st_ino))
}

/// The process's standard descriptors, kept aside: a receive that closes one (a bug the cases
/// here look for) has it put back, so that the test run can still report.
pub(super) struct Standard(Vec<OwnedFd>);

impl Standard {
    pub(super) fn keep() -> Standard {
        Standard(
            (0..3)
                .map(|fd| {
                    // SAFETY: a borrow of a standard descriptor for the duplicate alone.
                    let b = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
                    b.try_clone_to_owned().unwrap()
                })
                .collect(),
        )
    }

    /// Puts back any standard descriptor that is no longer what it was.
    pub(super) fn restore(&self) {
        for (fd, old) in self.0.iter().enumerate() {
            if identity(fd as c_int) != identity(old.as_raw_fd()) {
                // SAFETY: puts the process's standard descriptor back.
                unsafe { libc::dup2(old.as_raw_fd(), fd as c_int) };
            }
        }
    }
}

impl Drop for Standard {
    fn drop(&mut self) {
        self.restore();
    }
}

/// One foreign send of `groups` (descriptor counts, one SCM_RIGHTS message each) received by
/// p9fd with `room` slots through a control buffer the kernel sees as `control` bytes.
fn owns_exactly<S: Spec>(
    groups: &[usize],
    control: usize,
    ty: usize,
    room: usize,
    cloexec: bool,
) -> Result<(), TestCaseError> {
    let ty = if S::KERNEL.types[ty] {
        TYPES[ty]
    } else {
        libc::SOCK_STREAM
    };
    let what = format!(
        "{}: {groups:?} into {control} bytes, {room} slots, type {ty}",
        core::any::type_name::<S>()
    );
    let _one = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let before = census();
    // the process's own: 0, 1, 2 (kept aside, to put back if p9fd closes them) and the caller's
    let saved = Standard::keep();
    // the caller's own, as raw numbers: if p9fd closed one, nothing closes it again
    let (mine_r, mine) = oracle(4);
    let mut others: Vec<c_int> = vec![0, 1, 2];
    others.extend(mine.into_iter().map(IntoRawFd::into_raw_fd));
    let ids: Vec<_> = others.iter().map(|&fd| identity(fd)).collect();

    let total = groups.iter().sum();
    let (r, fds) = oracle(total);
    let passed = identity(fds.first().map_or(-1, AsRawFd::as_raw_fd));
    let mut fds = fds.into_iter();
    let rights = groups
        .iter()
        .map(|&n| fds.by_ref().take(n).collect())
        .collect();
    let mut k = Model::<S>::new(ty);
    k.control_room = control;
    k.stand_ins = others.clone();
    k.send(b"x", rights);
    let mut s = slots(room);
    let got = recv_on(&mut k, 3, &mut [0; 1], &mut s, cloexec, Part::Refused);

    let after: Vec<_> = others.iter().map(|&fd| identity(fd)).collect();
    saved.restore();
    prop_assert_eq!(
        &after,
        &ids,
        "{}: p9fd closed a descriptor it did not own",
        what
    );
    let handed: Vec<c_int> = s.iter().flatten().map(sys::Fd::raw).collect();
    for fd in &handed {
        prop_assert!(k.installed.contains(fd), "{}: handed out {}", what, fd);
        prop_assert_eq!(
            identity(*fd),
            passed,
            "{}: {} is not the one passed",
            what,
            fd
        );
    }
    let mut unique = handed.clone();
    unique.sort_unstable();
    unique.dedup();
    prop_assert_eq!(unique.len(), handed.len(), "{}: handed out twice", what);
    prop_assert_eq!(got.map(|g| g.0.fds).unwrap_or(0), handed.len(), "{}", what);
    drop(s);
    for fd in k.leaked.drain(..) {
        // SAFETY: what the kernel left installed unseen (xnu past a small buffer): the
        // caller's to close, not p9fd's.
        unsafe { libc::close(fd) };
    }
    drop(k); // and whatever is still queued
    prop_assert!(eof(r), "{}: an installed descriptor was left open", what);
    for &fd in &others[3..] {
        // SAFETY: the caller's, still what it was (checked above).
        drop(unsafe { OwnedFd::from_raw_fd(fd) });
    }
    drop((mine_r, saved));
    prop_assert_eq!(census(), before, "{}: descriptors leaked", what);
    Ok(())
}

/// Every modelled system, cutting behaviour and compat layer.
fn every_system(
    g: &[usize],
    c: usize,
    ty: usize,
    room: usize,
    x: bool,
) -> Result<(), TestCaseError> {
    owns_exactly::<Linux>(g, c, ty, room, x)?;
    owns_exactly::<FreeBsd>(g, c, ty, room, x)?;
    owns_exactly::<FreeBsd32>(g, c, ty, room, x)?;
    owns_exactly::<FreeBsd32Compat>(g, c, ty, room, x)?;
    owns_exactly::<OpenBsd>(g, c, ty, room, x)?;
    owns_exactly::<NetBsd>(g, c, ty, room, x)?;
    owns_exactly::<NetBsdAarch64>(g, c, ty, room, x)?;
    owns_exactly::<DragonFly>(g, c, ty, room, x)?;
    owns_exactly::<Apple>(g, c, ty, room, x)?;
    owns_exactly::<Illumos>(g, c, ty, room, x)?;
    owns_exactly::<Illumos2020>(g, c, ty, room, x)?;
    owns_exactly::<IllumosOld>(g, c, ty, room, x)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn receive_closes_exactly_what_the_kernel_installed(
        groups in prop::collection::vec(1..=260usize, 1..=4),
        control in 0..=sys::RECV_SPACE,
        ty in 0..3usize,
        room in prop_oneof![Just(253usize), 0..=260usize],
        cloexec in any::<bool>(),
    ) {
        every_system(&groups, control, ty, room, cloexec)?;
    }
}

/// The cuts the property must meet, each run on every system: a foreign sender's messages cut
/// at every byte of the compat path's critical stretch (around the second message), and at
/// the buffer's end.
#[test]
fn receive_closes_exactly_what_the_kernel_installed_at_every_cut() {
    for control in (0..=120).chain(sys::RECV_SPACE - 40..=sys::RECV_SPACE) {
        every_system(&[3, 20, 2, 1], control, 0, 253, false).unwrap();
        every_system(&[250, 250], control, 1, 253, true).unwrap();
    }
}
