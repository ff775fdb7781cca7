//! A Rust program that depends on p9fd (default features) and defines its own C symbol
//! `sendfd`, as a program beside lib9 would: it must link, its `sendfd` must be the one the C
//! name reaches, and p9fd's safe API must work beside it.

use std::os::raw::c_int;

/// This program's own `sendfd`, which p9fd must not clash with.
#[unsafe(no_mangle)]
pub extern "C" fn sendfd(socket: c_int, fd: c_int) -> c_int {
    socket + fd + 1000
}

unsafe extern "C" {
    /// The C name, resolved by the linker.
    #[link_name = "sendfd"]
    fn linked_sendfd(socket: c_int, fd: c_int) -> c_int;
}

fn main() {
    // SAFETY: linked_sendfd is this program's sendfd above, which touches no memory.
    assert_eq!(unsafe { linked_sendfd(1, 2) }, 1003, "sendfd is not ours");
    let (a, b) = p9fd::pipe().expect("pipe");
    p9fd::send_fd(&a, std::io::stdout()).expect("send_fd");
    let fd = p9fd::recv_fd(&b, p9fd::RecvFlags::CLOEXEC).expect("recv_fd");
    drop(fd);
    println!("p9fd-dependent: own sendfd linked; p9fd::send_fd and recv_fd work");
}
