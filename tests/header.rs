//! `include/p9fd.h` is what cbindgen generates from the sources now.
//!
//! `P9FD_BLESS=1 cargo test --test header` (`make header`) rewrites it.

use std::path::Path;

#[test]
fn header_is_fresh() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let mut generated = Vec::new();
    cbindgen::Builder::new()
        .with_crate(dir)
        .with_config(config)
        .generate()
        .expect("cbindgen failed")
        .write(&mut generated);
    let path = dir.join("include/p9fd.h");
    if std::env::var_os("P9FD_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("write include/p9fd.h");
        return;
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "include/p9fd.h is stale: regenerate it with `make header` \
         (P9FD_BLESS=1 cargo test --test header) and commit it"
    );
}

/// `p9fd.h` compiles on its own, twice, and followed by `<unistd.h>`, as C89, C99, C11 and
/// C++, with and without NOPLAN9DEFINES, and with P9FD_APUE (whose prototypes must be APUE's),
/// under -Wall -Wextra -Wpedantic -Werror; `pipe` is p9pipe exactly when NOPLAN9DEFINES is not
/// defined.
#[test]
fn header_compiles_alone_as_c_and_cxx() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let unit = "#include <p9fd.h>\n\
                #if defined(NOPLAN9DEFINES) == defined(pipe)\n\
                #error pipe macro wrong\n\
                #endif\n\
                int (*p)(int *) = p9pipe;\n\
                long (*s)(int, const void *, long, const int *, int) = sendfdmsg;\n\
                long (*r)(int, void *, long, int *, int *, int) = recvfdmsg;\n\
                int (*sf)(int, int) = sendfd;\n\
                int (*rf)(int) = recvfd;\n\
                int m = P9FD_MAXFDS + P9FD_CLOEXEC;\n\
                #ifdef P9FD_APUE\n\
                int send_fd(int, int);\n\
                int send_err(int, int, const char *);\n\
                int recv_fd(int, ssize_t (*)(int, const void *, size_t));\n\
                int recv_ufd(int, uid_t *, ssize_t (*)(int, const void *, size_t));\n\
                #elif defined(send_fd) || defined(recv_fd)\n\
                #error APUE names without P9FD_APUE\n\
                #endif\n";
    // The same with <unistd.h> (whose pipe the macro renames) included after p9fd.h.
    let after = format!("{unit}#include <unistd.h>\nint (*q)(int *) = pipe;\n");
    // And included twice: the guard must cover the C++ linkage block too.
    let twice = format!("#include <p9fd.h>\n{unit}");
    let mut units = Vec::new();
    for unit in [unit, after.as_str(), twice.as_str()] {
        for std in ["-std=c89", "-std=c99", "-std=c11"] {
            units.push((false, std, unit));
        }
        units.push((true, "-std=c++11", unit));
    }
    for (cpp, std, unit) in units {
        let path = tmp.join(if cpp { "unit.cc" } else { "unit.c" });
        std::fs::write(&path, unit).unwrap();
        for defines in [&[][..], &["-DNOPLAN9DEFINES"], &["-DP9FD_APUE"]] {
            let target = env!("P9FD_TARGET");
            let compiler = cc::Build::new()
                .cpp(cpp)
                .target(target)
                .host(target)
                .opt_level(0)
                .cargo_metadata(false)
                .get_compiler();
            let mut cmd = compiler.to_command();
            cmd.args([
                std,
                "-Wall",
                "-Wextra",
                "-Wpedantic",
                "-Werror",
                "-fsyntax-only",
            ])
            .arg("-I")
            .arg(dir.join("include"))
            .arg(&path);
            cmd.args(defines);
            let out = cmd.output().expect("run the C compiler");
            assert!(
                out.status.success(),
                "{cmd:?}:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}
