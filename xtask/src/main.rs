//! `cargo xtask TASK`: the project's own build and test tasks.
//!
//! Hand-written argument parsing (std only) keeps xtask quick to build.
//! Add a task: one entry in `TASKS` and one arm in `main`.

mod bench;
mod cpio;
mod dist;
mod docker_roots;
mod fuzz;
mod junit;
mod kernels;
mod tools;
mod vm;

use std::path::PathBuf;
use std::process::{Command, ExitCode};

pub type XResult<T> = Result<T, String>;

/// (name, one-line summary) of every task, for `cargo xtask --help`.
const TASKS: &[(&str, &str)] = &[
    ("test", "cargo test --workspace, then vm-test on the default kernel matrix (takes vm-test's options)"),
    ("vm-test", "boot test kernels in QEMU and run the scenarios of vm-tests/ in them"),
    ("bench", "dockaudit vs auditctl and docker-bench's method on the host kernel (root; rules saved and restored)"),
    ("fuzz", "run every cargo-fuzz target for --seconds N each, seeded from the kernel captures"),
    ("dist", "target/dist/: the static stripped binary + sha256, man pages, bash/zsh/fish completions"),
    (
        "docker-roots",
        "target/docker-roots/SUITE/root: Debian's docker.io, containerd, runc, tini unpacked (discovery tests)",
    ),
];

fn usage() -> String {
    let mut s = String::from("usage: cargo xtask TASK [OPTIONS]\n\ntasks:\n");
    for (name, about) in TASKS {
        s.push_str(&format!("  {name:<12} {about}\n"));
    }
    s.push_str("\n`cargo xtask TASK --help` describes a task's options.\n");
    s
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(task) = args.first() else {
        eprint!("{}", usage());
        return ExitCode::from(2);
    };
    let rest = &args[1..];
    let result = match task.as_str() {
        "-h" | "--help" | "help" => {
            print!("{}", usage());
            return ExitCode::SUCCESS;
        }
        "vm-test" => vm::Options::parse(rest).and_then(|o| match o {
            None => {
                print!("{}", vm::HELP);
                Ok(true)
            }
            Some(o) => vm::vm_test(&o),
        }),
        "test" => vm::Options::parse(rest).and_then(|o| match o {
            None => {
                println!("usage: cargo xtask test [VM-TEST OPTIONS]\n\nRuns `cargo test --workspace`, then vm-test.\n");
                print!("{}", vm::HELP);
                Ok(true)
            }
            Some(o) => test(&o),
        }),
        "bench" => bench::Options::parse(rest).and_then(|o| match o {
            None => {
                print!("{}", bench::HELP);
                Ok(true)
            }
            Some(o) => bench::bench(&o),
        }),
        "fuzz" => fuzz::Options::parse(rest).and_then(|o| match o {
            None => {
                print!("{}", fuzz::HELP);
                Ok(true)
            }
            Some(o) => fuzz::fuzz(&o),
        }),
        "dist" => dist::Options::parse(rest).and_then(|o| match o {
            None => {
                print!("{}", dist::HELP);
                Ok(true)
            }
            Some(o) => dist::dist(&o),
        }),
        "docker-roots" => docker_roots::Options::parse(rest).and_then(|o| match o {
            None => {
                print!("{}", docker_roots::HELP);
                Ok(true)
            }
            Some(o) => docker_roots::docker_roots(&o),
        }),
        other => Err(format!("unknown task {other:?}\n\n{}", usage())),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("xtask {task}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn test(o: &vm::Options) -> XResult<bool> {
    // The host tests need auditctl too (the differential test).
    tools::ensure_tools()?;
    // The discovery tests judge roots unpacked from Debian's packages; without them
    // (no archive reachable) those tests say so and skip.
    if let Err(e) = docker_roots::build_all() {
        eprintln!("xtask test: the Debian Docker roots cannot be built ({e}); the discovery tests will skip them");
    }
    let mut cargo_test = Command::new(cargo());
    cargo_test.current_dir(root()).args(["test", "--workspace"]);
    // Kernel-state tests belong in the QEMU guests. The integration tests that borrow
    // the host kernel's rules (locked, saved, restored) run only where the machine is
    // throwaway (CI=true) or when asked (DOCKAUDIT_HOST_TESTS=1), so a developer's
    // `cargo xtask test` leaves the host's rules alone.
    let host_tests =
        std::env::var("CI").is_ok_and(|v| v == "true") || std::env::var("DOCKAUDIT_HOST_TESTS").is_ok_and(|v| v == "1");
    if !host_tests {
        eprintln!("xtask test: skipping the tests that change the host kernel's rules (set DOCKAUDIT_HOST_TESTS=1 to run them)");
        cargo_test.env("DOCKAUDIT_SKIP_HOST_TESTS", "1");
    }
    let status = cargo_test.status().map_err(|e| format!("cargo test: {e}"))?;
    if !status.success() {
        eprintln!("xtask test: cargo test --workspace failed; not starting the VMs");
        return Ok(false);
    }
    vm::vm_test(o)
}

/// The workspace root (xtask lives one level below it).
pub fn root() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    dir.parent().map(PathBuf::from).unwrap_or(dir)
}

pub fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// Run a command; on failure return its command line, status and output.
pub fn run_checked(cmd: &mut Command) -> XResult<String> {
    let shown = format!("{:?}", cmd).replace('"', "");
    let out = cmd.output().map_err(|e| format!("{shown}: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        return Err(format!("`{shown}` failed ({})\n{}{}", out.status, String::from_utf8_lossy(&out.stderr), stdout));
    }
    Ok(stdout)
}
