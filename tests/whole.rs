//! Whole sends and peer credentials, over real sockets: `send_fds_all` with 253 descriptors
//! and a payload far larger than the socket buffer against a slow reader, interrupted by
//! signals all along (EINTR must not lose the framing), and on a non-blocking socket; and
//! `peer_credentials` between two processes with different uids (the child drops to 65534
//! when we are root), and across pid namespaces (no pid); `send_fds_all` to a closed peer
//! (EPIPE, at once). Every descriptor must arrive exactly once (pipe-EOF oracle).

mod common;
use common::{eof, oracle};
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::net::{UnixListener, UnixStream};
use std::time::Duration;

use p9fd::{MAX_FDS, RecvFlags};

/// Reads everything from `sock` slowly until end of file: the bytes, and how many
/// descriptors came (each closed at once).
fn slow_reader(sock: OwnedFd) -> std::thread::JoinHandle<(Vec<u8>, usize)> {
    std::thread::spawn(move || {
        let mut data = Vec::new();
        let mut buf = vec![0u8; 3000];
        let mut slots: Vec<Option<OwnedFd>> = (0..MAX_FDS).map(|_| None).collect();
        let mut nfds = 0;
        loop {
            std::thread::sleep(Duration::from_micros(100));
            let got = p9fd::recv_fds(&sock, &mut buf, &mut slots, RecvFlags::CLOEXEC).unwrap();
            if got.bytes == 0 {
                return (data, nfds);
            }
            nfds += got.fds;
            slots.iter_mut().for_each(|s| drop(s.take()));
            data.extend_from_slice(&buf[..got.bytes]);
        }
    })
}

extern "C" fn interrupted(_: libc::c_int) {}

/// Runs `f` with SIGUSR1 sent to this thread every millisecond, interrupting its system calls
/// (no SA_RESTART); `f`'s result and how many signals were sent.
fn with_signals<T>(f: impl FnOnce() -> T) -> (T, usize) {
    #[allow(unsafe_code)]
    // SAFETY: a handler that does nothing; sigaction reads the struct we pass.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = interrupted as extern "C" fn(libc::c_int) as usize;
        assert_eq!(libc::sigaction(libc::SIGUSR1, &sa, std::ptr::null_mut()), 0);
    }
    #[allow(unsafe_code)]
    // SAFETY: pthread_self has no precondition. Carried as an integer: on musl pthread_t is a
    // pointer, which is not Send.
    let me = unsafe { libc::pthread_self() } as usize;
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop = done.clone();
    let pest = std::thread::spawn(move || {
        let mut sent = 0;
        while !stop.load(std::sync::atomic::Ordering::SeqCst) {
            #[allow(unsafe_code)]
            // SAFETY: `me` is the calling thread, alive until `done` is set.
            unsafe {
                libc::pthread_kill(me as libc::pthread_t, libc::SIGUSR1)
            };
            sent += 1;
            std::thread::sleep(Duration::from_millis(1));
        }
        sent
    });
    let r = f();
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    (r, pest.join().unwrap())
}

#[test]
fn send_fds_all_finishes_short_and_interrupted_sends_without_losing_the_framing() {
    // The sender sees EINTR mid-message.
    let (a, b) = p9fd::pipe().unwrap();
    let (r, w) = oracle();
    let data: Vec<u8> = (0..(4usize << 20)).map(|i| (i % 253) as u8).collect();
    let reader = slow_reader(b);
    let many = vec![w.as_fd(); MAX_FDS];
    let (r1, signals) = with_signals(|| p9fd::send_fds_all(&a, &data, &many));
    r1.unwrap();
    drop(many);
    drop(w);
    drop(a);
    let (got, nfds) = reader.join().unwrap();
    assert!(signals > 0);
    assert_eq!(
        nfds, MAX_FDS,
        "every descriptor arrives once, with the first part"
    );
    assert!(got == data, "the payload arrives whole and in order");
    assert!(eof(r));
}

#[test]
fn send_fds_all_waits_for_room_on_a_non_blocking_socket() {
    let (a, b) = p9fd::pipe().unwrap();
    let a = UnixStream::from(a);
    a.set_nonblocking(true).unwrap();
    let (r, w) = oracle();
    let data = vec![9u8; 1 << 20];
    let reader = slow_reader(b);
    // signals interrupt its waits for room too: an interrupted wait is no error
    let (sent, signals) = with_signals(|| p9fd::send_fds_all(&a, &data, &[w.as_fd()]));
    sent.unwrap();
    drop((w, a));
    let (got, nfds) = reader.join().unwrap();
    assert!(signals > 0);
    assert_eq!((got.len(), nfds), (data.len(), 1));
    assert!(eof(r));
}

#[test]
fn send_fds_all_refuses_empty_data() {
    let (a, _b) = p9fd::pipe().unwrap();
    let err = p9fd::send_fds_all(&a, b"", &[io::stdout().as_fd()]).unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::EINVAL));
}

#[test]
fn peer_credentials_of_a_socketpair_are_ours() {
    let (a, _b) = p9fd::pipe().unwrap();
    let c = p9fd::peer_credentials(&a).unwrap();
    #[allow(unsafe_code)]
    // SAFETY: these calls cannot fail.
    let (uid, gid) = unsafe { (libc::geteuid(), libc::getegid()) };
    assert_eq!((c.uid(), c.gid()), (uid, gid));
    assert_eq!(c.pid(), Some(std::process::id() as libc::pid_t));
}

#[test]
fn peer_credentials_name_a_client_of_another_uid() {
    #[allow(unsafe_code)]
    // SAFETY: getuid cannot fail.
    let root = unsafe { libc::getuid() } == 0;
    let dir = std::env::temp_dir().join(format!("p9fd-peer-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("s");
    let listener = UnixListener::bind(&path).unwrap();
    // uid 65534 must be able to connect: the directory and the socket are open to all.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o777)).unwrap();
    // The child's address, built before fork: after it the child only makes system calls.
    #[allow(unsafe_code)]
    // SAFETY: all zeros is a valid sockaddr_un.
    let mut addr: libc::sockaddr_un = unsafe { std::mem::zeroed() };
    addr.sun_family = libc::AF_UNIX as libc::sa_family_t;
    for (d, s) in addr
        .sun_path
        .iter_mut()
        .zip(path.as_os_str().as_encoded_bytes())
    {
        *d = *s as libc::c_char;
    }
    #[allow(unsafe_code)]
    // SAFETY: the child calls only async-signal-safe functions, then _exit.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        #[allow(unsafe_code)]
        // SAFETY: plain system calls on values prepared before fork.
        unsafe {
            if root && (libc::setgid(65534) != 0 || libc::setuid(65534) != 0) {
                libc::_exit(2);
            }
            let s = libc::socket(libc::AF_UNIX, libc::SOCK_STREAM, 0);
            let len = size_of::<libc::sockaddr_un>() as libc::socklen_t;
            if s < 0 || libc::connect(s, (&raw const addr).cast(), len) != 0 {
                libc::_exit(3);
            }
            let mut b = 0u8;
            libc::read(s, (&raw mut b).cast(), 1); // wait until the parent has asked
            libc::_exit(0);
        }
    }
    assert!(pid > 0);
    let (conn, _) = listener.accept().unwrap();
    let c = p9fd::peer_credentials(&conn).unwrap();
    drop(conn);
    let mut status = 0;
    #[allow(unsafe_code)]
    // SAFETY: waits for our own child.
    unsafe {
        libc::waitpid(pid, &mut status, 0)
    };
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "child: {status}"
    );
    #[allow(unsafe_code)]
    // SAFETY: geteuid cannot fail.
    let me = unsafe { libc::geteuid() };
    #[allow(unsafe_code)]
    // SAFETY: getegid cannot fail.
    let my_gid = unsafe { libc::getegid() };
    assert_eq!(c.uid(), if root { 65534 } else { me });
    assert_eq!(c.gid(), if root { 65534 } else { my_gid });
    assert_eq!(c.pid(), Some(pid));
}

#[test]
fn peer_credentials_of_a_file_is_enotsock() {
    let f = std::fs::File::open("/dev/null").unwrap();
    let err = p9fd::peer_credentials(&f).unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::ENOTSOCK));
}

/// A peer outside the asker's pid namespace has no pid there: Linux's SO_PEERCRED says 0,
/// and `pid()` is `None`, not `Some(0)`. The asker is a grandchild in a new pid namespace
/// (a user namespace too where we are not root); the peer is this process.
#[cfg(target_os = "linux")]
#[test]
fn peer_credentials_have_no_pid_across_pid_namespaces() {
    let (a, b) = p9fd::pipe().unwrap();
    #[allow(unsafe_code)]
    // SAFETY: the children call only async-signal-safe functions and p9fd's
    // peer_credentials (one getsockopt, no allocation), then _exit.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        #[allow(unsafe_code)]
        // SAFETY: as above.
        unsafe {
            if libc::unshare(libc::CLONE_NEWPID) != 0
                && libc::unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWPID) != 0
            {
                libc::_exit(2);
            }
            let inner = libc::fork();
            if inner == 0 {
                let code = match p9fd::peer_credentials(&b) {
                    Ok(c) if c.pid().is_none() => 0,
                    Ok(_) => 4,
                    Err(_) => 5,
                };
                libc::_exit(code);
            }
            let mut status = 0;
            if inner < 0 || libc::waitpid(inner, &mut status, 0) != inner {
                libc::_exit(3);
            }
            libc::_exit(if libc::WIFEXITED(status) {
                libc::WEXITSTATUS(status)
            } else {
                6
            });
        }
    }
    assert!(pid > 0);
    let mut status = 0;
    #[allow(unsafe_code)]
    // SAFETY: waits for our own child.
    unsafe {
        libc::waitpid(pid, &mut status, 0)
    };
    drop((a, b));
    assert!(libc::WIFEXITED(status), "child: {status}");
    match libc::WEXITSTATUS(status) {
        0 => {}
        2 => panic!("unshare(CLONE_NEWPID) failed, with and without a user namespace"),
        4 => panic!("a peer outside the pid namespace was given a pid"),
        e => panic!("child failed: {e}"),
    }
}

/// A peer gone: send_fds_all fails with EPIPE (no SIGPIPE), and does not wait for room that
/// will never come.
#[test]
fn send_fds_all_to_a_closed_peer_is_epipe() {
    let (a, b) = p9fd::pipe().unwrap();
    drop(b);
    let (done, wait) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let r = p9fd::send_fds_all(&a, b"gone", &[io::stdout().as_fd()]);
        done.send(r.map_err(|e| e.raw_os_error())).unwrap();
    });
    let r = wait
        .recv_timeout(Duration::from_secs(10))
        .expect("send_fds_all still trying after 10 s");
    assert_eq!(r, Err(Some(libc::EPIPE)));
}
