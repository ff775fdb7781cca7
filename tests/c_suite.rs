//! The C suite from `cargo test`, so that cargo-mutants sees it: a mutant of the C ABI is
//! caught only if a C program notices, and no Rust test calls a C export.
//!
//! It builds the C libraries from this source tree with the Makefile's own rule (`make lib`,
//! into `target/c-suite/`: the default one and the one with the apue feature), then runs
//! `c-tests/run.sh` against each, static and shared: the whole C suite and the apue suite, as
//! `make check` does. Ignored unless asked for, since `make check` runs the C suite itself:
//! `make mutants` asks (`.cargo/mutants.toml`), and so does
//! `cargo test --test c_suite -- --ignored`. `P9FD_C_SUITE_TESTS` narrows the default suite to
//! some programs (run.sh's `TESTS`), `P9FD_C_SUITE_APUE_TESTS` the apue suite. run.sh's
//! `FAILFAST` and `TIMEOUT` pass through; with `FAILFAST` set the default suite is not run once
//! the apue one failed (a mutation run needs one failure, not all of them).

use std::path::Path;
use std::process::Command;

/// Runs cmd in the crate's root, showing its output; true if it exited 0.
fn run(root: &Path, cmd: &mut Command) -> bool {
    let out = cmd
        .current_dir(root)
        .output()
        .expect("cannot start the command");
    print!("{}", String::from_utf8_lossy(&out.stdout));
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    out.status.success()
}

/// Builds the C library with `make lib` in target/c-suite/NAME and runs the suite in SRC
/// against it; the names of the steps that failed.
fn suite(root: &Path, name: &str, features: &str, src: &str, tests_var: &str) -> Vec<String> {
    let target = format!("target/c-suite/{name}");
    let lib = format!("{target}/release");
    let mut failed = Vec::new();
    let built = run(
        root,
        // the make that runs make mutants (gmake on the BSDs), as its MAKE says
        Command::new(std::env::var("MAKE").unwrap_or_else(|_| "make".into()))
            .args(["--no-print-directory", "lib"])
            .arg(format!("FEATURES={features}"))
            .arg(format!("CARGO_TARGET_DIR={target}")),
    );
    if !built {
        failed.push(format!("make lib FEATURES={features}"));
        return failed;
    }
    let static_libs = std::fs::read_to_string(root.join(&lib).join("native-static-libs"))
        .expect("make lib wrote native-static-libs");
    let mut cmd = Command::new("c-tests/run.sh");
    cmd.arg(&lib)
        .env("STATIC_LIBS", static_libs.trim())
        .env("OUT", format!("{target}/c-tests"))
        .env("SRC", src);
    if features == "apue" {
        cmd.env("EXTRA_CFLAGS", "-DP9FD_APUE");
    }
    match std::env::var(tests_var) {
        Ok(t) => cmd.env("TESTS", t),
        Err(_) => cmd.env_remove("TESTS"),
    };
    if !run(root, &mut cmd) {
        failed.push(format!("the C suite in {src}"));
    }
    failed
}

#[test]
#[ignore = "the whole C suite, which make check runs itself; make mutants asks for it"]
fn c_suite_passes_against_this_source() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // The apue suite first: it is the shorter, and its library holds everything the default
    // one does.
    let mut failed = suite(
        root,
        "apue",
        "apue",
        "c-tests/apue",
        "P9FD_C_SUITE_APUE_TESTS",
    );
    if failed.is_empty() || std::env::var_os("FAILFAST").is_none_or(|v| v.is_empty()) {
        failed.extend(suite(root, "default", "", "c-tests", "P9FD_C_SUITE_TESTS"));
    }
    assert!(failed.is_empty(), "failed: {}", failed.join("; "));
}
