//! The blocking API never allocates (send_fd, recv_fd, pipe, send_fds, recv_fds,
//! send_fds_all, peer_credentials, and their error paths): a counting allocator watches this
//! thread.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::os::fd::AsFd;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: defers every call to the system allocator; only counts.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

#[test]
fn passing_descriptors_does_not_allocate() {
    let stdout = std::io::stdout();
    let (a, b) = p9fd::pipe().unwrap();
    let (c, d) = p9fd::pipe().unwrap();
    let mut buf = [0u8; 8];
    let mut slots = [None, None, None];
    let before = allocations();
    for _ in 0..100 {
        p9fd::send_fd(&a, &stdout).unwrap();
        drop(p9fd::recv_fd(&b, p9fd::RecvFlags::EMPTY).unwrap());
        p9fd::send_fds(&a, b"two", &[stdout.as_fd(), c.as_fd()]).unwrap();
        p9fd::recv_fds(&b, &mut buf, &mut slots, p9fd::RecvFlags::CLOEXEC).unwrap();
        p9fd::send_fds_all(&a, b"whole", &[stdout.as_fd()]).unwrap();
        p9fd::recv_fds(&b, &mut buf, &mut slots, p9fd::RecvFlags::CLOEXEC).unwrap();
        assert!(p9fd::peer_credentials(&a).unwrap().pid().is_some());
        // and the error paths
        assert!(p9fd::send_fds(&a, b"", &[]).is_err());
        let (e, f) = p9fd::pipe().unwrap();
        drop(e);
        assert!(p9fd::recv_fd(&f, p9fd::RecvFlags::EMPTY).is_err());
        drop(f);
    }
    let after = allocations();
    drop((c, d, slots));
    assert_eq!(
        after - before,
        0,
        "allocations on the descriptor-passing path"
    );
}
