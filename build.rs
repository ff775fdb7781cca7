//! Tells the tests which target they are built for (they drive the C compiler through the cc
//! crate). Writes nothing anywhere. The C libraries' soname is set by the Makefile, which
//! builds them (`cargo rustc --crate-type staticlib,cdylib`).

fn main() {
    let target = std::env::var("TARGET").unwrap_or_default();
    println!("cargo:rustc-env=P9FD_TARGET={target}");
    println!("cargo:rerun-if-changed=build.rs");
    rump();
}

/// `make check-rump` (tools/rump/check.sh) sets P9FD_RUMP to a buildrump.sh build's -d
/// directory: the unit tests then include the rump bridge (`cfg(p9fd_rump)`,
/// tools/rump/bridge.rs) and link NetBSD's rump kernel, its networking and Unix-domain
/// sockets, which register themselves when loaded (so linked whether or not referenced).
fn rump() {
    println!("cargo::rustc-check-cfg=cfg(p9fd_rump)");
    println!("cargo:rerun-if-env-changed=P9FD_RUMP");
    let Some(dest) = std::env::var_os("P9FD_RUMP") else {
        return;
    };
    let lib = std::path::Path::new(&dest).join("lib");
    let lib = lib.display();
    println!("cargo:rustc-cfg=p9fd_rump");
    println!("cargo:rustc-link-arg=-L{lib}");
    println!("cargo:rustc-link-arg=-Wl,-rpath,{lib}");
    println!("cargo:rustc-link-arg=-Wl,--no-as-needed");
    for l in [
        "rumpnet_local",
        "rumpnet_net",
        "rumpnet",
        "rumpvfs",
        "rump",
        "rumpuser",
    ] {
        println!("cargo:rustc-link-arg=-l{l}");
    }
    println!("cargo:rustc-link-arg=-Wl,--as-needed");
}
