//! Fuzzing the control-message parser, a pure function of the bytes `recvmsg` returned.
//!
//! Inputs are both raw bytes and well-formed layouts bent out of shape (lengths off by a few,
//! wrong levels and types, cut at any point, garbage padding), with any `msg_flags` and any
//! room. The parser's answers are checked against a reference walk written here from the
//! kernel's rules, independently of `src/cmsg.rs`:
//!
//! - every descriptor number in an SCM_RIGHTS or SCM_PIDFD message is routed exactly once,
//!   to a caller's slot or to be closed;
//! - slots are handed out only on success, only for SCM_RIGHTS, as 0, 1, ... within the room;
//! - MSG_CTRUNC is always an error, and so is MSG_TRUNC;
//! - nothing past `msg_controllen` is read: the answers depend only on those bytes;
//! - the fast path (`only_rights`) agrees with the general one (`judge`);
//! - nothing panics.
//!
//! `make check` runs the default number of cases per property (`PROPTEST_CASES`, 10,000 here);
//! `make fuzz` runs a million.

use std::os::fd::RawFd;

use p9fd::cmsg::{self, Refusal};
use proptest::prelude::*;

// The platform's layout, from libc's own struct and CMSG_* macros (16-byte headers with an
// 8-byte cmsg_len on 64-bit glibc; 12 and 4 on 32-bit Linux; a 4-byte cmsg_len in a 16-byte
// header on 64-bit musl).
const HDR: usize = size_of::<libc::cmsghdr>();
// SAFETY: CMSG_LEN and CMSG_SPACE are arithmetic on their argument.
#[allow(unsafe_code)]
const DATA: usize = unsafe { libc::CMSG_LEN(0) } as usize;
// SAFETY: as above.
#[allow(unsafe_code)]
const ALIGN: usize = unsafe { libc::CMSG_SPACE(1) } as usize - DATA;
const LEN_AT: usize = std::mem::offset_of!(libc::cmsghdr, cmsg_len);
const LEVEL_AT: usize = std::mem::offset_of!(libc::cmsghdr, cmsg_level);
const TYPE_AT: usize = std::mem::offset_of!(libc::cmsghdr, cmsg_type);
/// The size of the cmsg_len the kernel writes: what lies before the level (a size_t on Linux,
/// whatever the C library calls it; a socklen_t elsewhere).
const LEN_SIZE: usize = LEVEL_AT - LEN_AT;
const SOL_SOCKET: i32 = libc::SOL_SOCKET;
const SCM_RIGHTS: i32 = libc::SCM_RIGHTS;
/// Linux's SCM_CREDENTIALS and SCM_PIDFD (type 4) are read; elsewhere neither type means
/// anything to p9fd (the numbers still mix into the inputs).
const LINUX: bool = cfg!(any(target_os = "linux", target_os = "android"));
#[cfg(any(target_os = "linux", target_os = "android"))]
const SCM_CREDENTIALS: i32 = libc::SCM_CREDENTIALS;
#[cfg(not(any(target_os = "linux", target_os = "android")))]
const SCM_CREDENTIALS: i32 = 2;
const SCM_PIDFD: i32 = 4;

fn align(n: usize) -> usize {
    n.div_ceil(ALIGN) * ALIGN
}

/// The reference walk: (level, type, data) of each message, stopping where the kernel's layout
/// rules say the area ends (a header that does not fit, or a length below a header). A length
/// past the end is a last message the kernel cut off (illumos before 2020, macOS): its data is
/// what is there.
fn reference(control: &[u8]) -> Vec<(i32, i32, &[u8])> {
    walk(control)
        .into_iter()
        .map(|(l, k, d, _)| (l, k, d))
        .collect()
}

/// [`reference`], with whether each message was cut.
fn walk(control: &[u8]) -> Vec<(i32, i32, &[u8], bool)> {
    let mut out = Vec::new();
    let mut at = 0;
    while control.len() - at >= HDR {
        let word = |i: usize, n: usize| &control[at + i..at + i + n];
        let len = match LEN_SIZE {
            8 => u64::from_ne_bytes(word(LEN_AT, 8).try_into().unwrap()) as usize,
            _ => u32::from_ne_bytes(word(LEN_AT, 4).try_into().unwrap()) as usize,
        };
        if len < DATA || control.len() - at < DATA {
            break;
        }
        let level = i32::from_ne_bytes(word(LEVEL_AT, 4).try_into().unwrap());
        let kind = i32::from_ne_bytes(word(TYPE_AT, 4).try_into().unwrap());
        if len > control.len() - at {
            out.push((level, kind, &control[at + DATA..], true));
            break;
        }
        out.push((level, kind, &control[at + DATA..at + len], false));
        at += align(len);
        if at > control.len() {
            break;
        }
    }
    out
}

/// Whole ints of a message's data.
fn ints(data: &[u8]) -> Vec<RawFd> {
    data.chunks_exact(4)
        .map(|c| RawFd::from_ne_bytes(c.try_into().unwrap()))
        .collect()
}

/// The installed descriptors the reference finds: (number, whether SCM_RIGHTS), in order. A
/// cut message's are installed only where this system's kernel copies what fits of it
/// ([`cmsg::Cut::Partial`]); on the others (Linux among them) they are not p9fd's.
fn installed(control: &[u8]) -> Vec<(RawFd, bool)> {
    walk(control)
        .into_iter()
        .filter(|&(_, _, _, cut)| !cut || cmsg::OWNS.cut == cmsg::Cut::Partial)
        .map(|(l, k, d, _)| (l, k, d))
        .filter(|&(l, k, _)| l == SOL_SOCKET && (k == SCM_RIGHTS || (LINUX && k == SCM_PIDFD)))
        .flat_map(|(_, k, d)| ints(d).into_iter().map(move |fd| (fd, k == SCM_RIGHTS)))
        .filter(|&(fd, _)| fd >= 0)
        .collect()
}

/// One message as the kernel lays it out, then bent: `len_fudge` added to cmsg_len, padding
/// filled with `pad`.
fn message(level: i32, kind: i32, data: &[u8], len_fudge: i64, pad: u8) -> Vec<u8> {
    let len = ((DATA + data.len()) as i64 + len_fudge).max(0) as u64;
    let mut v = vec![0; DATA];
    match LEN_SIZE {
        8 => v[LEN_AT..LEN_AT + 8].copy_from_slice(&len.to_ne_bytes()),
        _ => v[LEN_AT..LEN_AT + 4].copy_from_slice(&(len as u32).to_ne_bytes()),
    }
    v[LEVEL_AT..LEVEL_AT + 4].copy_from_slice(&level.to_ne_bytes());
    v[TYPE_AT..TYPE_AT + 4].copy_from_slice(&kind.to_ne_bytes());
    v.extend(data);
    v.resize(align(v.len()), pad);
    v
}

/// Levels and types worth mixing: the real ones, neighbours and nonsense.
fn level() -> impl Strategy<Value = i32> {
    prop_oneof![6 => Just(SOL_SOCKET), 1 => Just(0), 1 => Just(41), 1 => any::<i32>()]
}

fn kind() -> impl Strategy<Value = i32> {
    prop_oneof![
        6 => Just(SCM_RIGHTS),
        2 => Just(SCM_CREDENTIALS),
        2 => Just(SCM_PIDFD),
        1 => Just(3),
        1 => any::<i32>()
    ]
}

/// Data: descriptor-like ints (small, negative, huge), or any bytes (partial ints included).
fn data() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => prop::collection::vec(prop_oneof![0..64i32, -3..0i32, any::<i32>()], 0..8)
            .prop_map(|v| v.iter().flat_map(|i| i.to_ne_bytes()).collect()),
        1 => prop::collection::vec(0..1024i32, 200..260)
            .prop_map(|v| v.iter().flat_map(|i| i.to_ne_bytes()).collect()),
        2 => prop::collection::vec(any::<u8>(), 0..40),
    ]
}

/// A control area: a few messages, mostly well formed, cut at any point.
fn layout() -> impl Strategy<Value = Vec<u8>> {
    let msg = (
        level(),
        kind(),
        data(),
        prop_oneof![8 => Just(0i64), 1 => -20..20i64, 1 => any::<i64>()],
        prop_oneof![Just(0u8), any::<u8>()],
    )
        .prop_map(|(l, k, d, f, p)| message(l, k, &d, f, p));
    (
        prop::collection::vec(msg, 0..4),
        any::<prop::sample::Index>(),
    )
        .prop_map(|(ms, cut)| {
            let all: Vec<u8> = ms.concat();
            let keep = if all.is_empty() {
                0
            } else if cut.index(4) == 0 {
                cut.index(all.len() + 1)
            } else {
                all.len()
            };
            all[..keep].to_vec()
        })
}

fn control() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![4 => layout(), 1 => prop::collection::vec(any::<u8>(), 0..64)]
}

fn flags() -> impl Strategy<Value = i32> {
    prop_oneof![
        4 => Just(0),
        1 => Just(libc::MSG_CTRUNC),
        1 => Just(libc::MSG_TRUNC),
        1 => any::<i32>()
    ]
}

fn room() -> impl Strategy<Value = usize> {
    prop_oneof![Just(0usize), Just(1), 0..8usize, Just(253), 0..300usize]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn every_descriptor_is_routed_exactly_once(c in control(), f in flags(), room in room()) {
        let (verdict, route) = cmsg::route(&c, f, room);
        let routed: Vec<(RawFd, Option<usize>)> = route.collect();
        let want = installed(&c);
        prop_assert_eq!(
            routed.iter().map(|r| r.0).collect::<Vec<_>>(),
            want.iter().map(|w| w.0).collect::<Vec<_>>()
        );
        let slots: Vec<usize> = routed.iter().filter_map(|r| r.1).collect();
        match verdict {
            Ok(n) => {
                prop_assert!(f & (libc::MSG_CTRUNC | libc::MSG_TRUNC) == 0);
                prop_assert!(n <= room);
                // slots 0, 1, ... for exactly the SCM_RIGHTS descriptors, in order
                prop_assert_eq!(&slots, &(0..slots.len()).collect::<Vec<_>>());
                for (r, w) in routed.iter().zip(&want) {
                    prop_assert_eq!(r.1.is_some(), w.1);
                }
                let rights = installed(&c).iter().filter(|w| w.1).count();
                prop_assert_eq!(n, rights);
            }
            Err(why) => {
                prop_assert!(slots.is_empty(), "a refused message hands out nothing");
                if f & libc::MSG_CTRUNC != 0 {
                    prop_assert_eq!(why, Refusal::Truncated);
                } else if f & libc::MSG_TRUNC != 0 {
                    prop_assert_eq!(why, Refusal::Cut);
                } else {
                    prop_assert_eq!(why, Refusal::TooMany);
                }
            }
        }
    }

    #[test]
    fn msg_ctrunc_is_always_an_error(c in control(), f in flags(), room in room()) {
        prop_assert_eq!(
            cmsg::judge(&c, f | libc::MSG_CTRUNC, room),
            Err(Refusal::Truncated)
        );
    }

    #[test]
    fn nothing_past_controllen_is_read(
        c in control(), tail in prop::collection::vec(any::<u8>(), 1..64),
        f in flags(), room in room(),
    ) {
        // The same control bytes followed by two different tails, passed as the first
        // `controllen` bytes of the buffer: the answers cannot differ.
        let mut a = c.clone();
        a.extend(&tail);
        let mut b = c.clone();
        b.extend(tail.iter().map(|x| !x));
        let (a, b) = (&a[..c.len()], &b[..c.len()]);
        let walk = |x: &[u8]| cmsg::messages(x).map(|m| (m.level, m.kind, m.data.to_vec())).collect::<Vec<_>>();
        prop_assert_eq!(walk(a), walk(b));
        prop_assert_eq!(cmsg::judge(a, f, room), cmsg::judge(b, f, room));
        prop_assert_eq!(cmsg::only_rights(a), cmsg::only_rights(b));
        prop_assert_eq!(cmsg::credentials(a), cmsg::credentials(b));
        // and the walk is the reference's
        prop_assert_eq!(
            walk(&c),
            reference(&c).into_iter().map(|(l, k, d)| (l, k, d.to_vec())).collect::<Vec<_>>()
        );
    }

    #[test]
    fn fast_path_agrees_with_the_general_one(c in control(), room in room()) {
        if let Some(data) = cmsg::only_rights(&c) {
            let msgs = reference(&c);
            prop_assert_eq!(msgs.len(), 1);
            prop_assert_eq!(msgs[0], (SOL_SOCKET, SCM_RIGHTS, data));
            // negative numbers, which no kernel installs, are not descriptors
            let n = ints(data).iter().filter(|&&fd| fd >= 0).count();
            let want = if n <= room { Ok(n) } else { Err(Refusal::TooMany) };
            prop_assert_eq!(cmsg::judge(&c, 0, room), want);
        }
    }

    #[test]
    fn credentials_are_the_first_scm_credentials_with_a_pid(c in control()) {
        let want = reference(&c)
            .into_iter()
            .find(|&(l, k, _)| LINUX && l == SOL_SOCKET && k == SCM_CREDENTIALS)
            .and_then(|(_, _, d)| {
                let w = ints(d);
                (w.len() >= 3 && w[0] != 0).then(|| (w[0], w[1] as u32, w[2] as u32))
            });
        prop_assert_eq!(cmsg::credentials(&c), want);
    }
}

/// Cases per property: PROPTEST_CASES if set (make fuzz), else 10,000.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000)
}

/// The exact layouts of the reference sheet, as seeds the generator may not hit by chance.
#[test]
fn seed_layouts() {
    let rights = |fds: &[i32]| {
        message(
            SOL_SOCKET,
            SCM_RIGHTS,
            &fds.iter().flat_map(|i| i.to_ne_bytes()).collect::<Vec<_>>(),
            0,
            0,
        )
    };
    let cred = message(SOL_SOCKET, SCM_CREDENTIALS, &[7; 12], 0, 0);
    // plan9port's sender: controllen = CMSG_LEN(4) (20 on x86_64), no trailing padding
    let lib9 = &rights(&[5])[..DATA + 4];
    assert_eq!(cmsg::only_rights(lib9), Some(&5i32.to_ne_bytes()[..]));
    // credentials cut by a 24-byte buffer (T28): the header fits, the data is short
    let cut = &cred[..DATA + 8];
    assert_eq!(installed(cut), []);
    assert_eq!(
        cmsg::judge(cut, libc::MSG_CTRUNC, 1),
        Err(Refusal::Truncated)
    );
    // cmsg_len past the end (macOS-style, rustix #1683; illumos before 2020): the message
    // was cut off; its whole ints are descriptors the kernel installed where it copies what
    // fits (macOS, illumos), and numbers p9fd does not own elsewhere (Linux, the BSDs)
    let mut over = rights(&[5, 6])[..DATA + 6].to_vec();
    over[LEN_AT] = 200;
    assert_eq!(cmsg::messages(&over).count(), 1);
    assert!(cmsg::messages(&over).all(|m| m.cut));
    let (want, n) = match cmsg::OWNS.cut {
        cmsg::Cut::Partial => (vec![(5, true)], 1),
        cmsg::Cut::WholeOnly => (vec![], 0),
    };
    assert_eq!(installed(&over), want);
    assert_eq!(cmsg::owned(&over).collect::<Vec<_>>(), want);
    assert_eq!(cmsg::judge(&over, 0, 1), Ok(n));
    assert_eq!(cmsg::only_rights(&over), None);
    // [cred][rights 253][pidfd]: 253 go to slots, the pidfd is closed
    let fds: Vec<i32> = (10..263).collect();
    let mut all = cred.clone();
    all.extend(rights(&fds));
    all.extend(message(SOL_SOCKET, SCM_PIDFD, &3i32.to_ne_bytes(), 0, 0));
    let (v, r) = cmsg::route(&all, 0, 253);
    let r: Vec<_> = r.collect();
    assert_eq!(v, Ok(253));
    if LINUX {
        assert_eq!(r.len(), 254);
        assert_eq!(r[253], (3, None));
    } else {
        assert_eq!(r.len(), 253); // type 4 is no pidfd there
    }
    assert!(r[..253].iter().enumerate().all(|(i, x)| x.1 == Some(i)));
    // an empty and a partial SCM_RIGHTS (T26): nothing installed
    for d in [&[][..], &[1, 2, 3][..]] {
        let m = message(SOL_SOCKET, SCM_RIGHTS, d, 0, 0);
        assert_eq!(cmsg::route(&m, 0, 1).1.count(), 0);
        assert_eq!(cmsg::judge(&m, 0, 1), Ok(0));
    }
}
