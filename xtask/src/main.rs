//! `cargo xtask TASK`: the project's own build, lint and test tasks.
//!
//! The tasks and their options are derived with clap (`Task`); add a task: one variant
//! of `Task` (its doc comment is its `--help`) and one arm in `main`.

mod arm64_tools;
mod bench;
mod bench_events;
mod bench_follow;
mod bench_logs;
mod compat_program;
mod cpio;
mod dist;
mod docker_guest;
mod docker_roots;
mod fuzz;
mod junit;
mod kernels;
mod lint;
mod parity;
mod tools;
mod vm;

use std::path::PathBuf;
use std::process::{Command, ExitCode};

use clap::{Parser, Subcommand};

pub type XResult<T> = Result<T, String>;

/// The project's own build, lint and test tasks.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask", arg_required_else_help = true)]
#[command(after_help = "`cargo xtask TASK --help` describes a task's options.")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Debug, Subcommand)]
enum Task {
    /// lint, cargo test --workspace, then vm-test on the default kernel matrix (takes vm-test's options)
    ///
    /// Runs `cargo xtask lint`, then `cargo test --workspace`, then vm-test with the
    /// options below. On a fresh Debian machine it first installs what the tests need.
    #[command(after_help = vm::ENVIRONMENT)]
    #[command(verbatim_doc_comment)]
    Test(vm::Options),
    /// boot test kernels in QEMU and run the scenarios of vm-tests/ in them
    ///
    /// Builds dockaudit and the guest init as static binaries, writes an initramfs with
    /// them, the host's auditctl and the scenarios of vm-tests/scenarios, boots each
    /// kernel once in QEMU and reads one result per scenario from the console.
    #[command(after_help = vm::ENVIRONMENT)]
    #[command(verbatim_doc_comment)]
    VmTest(vm::Options),
    /// cargo fmt --check (workspace and fuzz/), fuzz targets build, clippy -D warnings, the module dependency rule
    ///
    /// Checks, in this order: `cargo fmt --all -- --check` and the same for fuzz/ (which
    /// is outside the workspace); `cargo check` of the fuzz targets; `cargo clippy
    /// --workspace --all-targets -- -D warnings`; and the dependency rule: no top-level module of src/ uses a module on
    /// its own line or above it in the layer table below. Adds the rustfmt and clippy
    /// components with rustup when they are missing.
    #[command(after_help = lint::LAYER_HELP)]
    #[command(verbatim_doc_comment)]
    Lint,
    /// dockaudit vs auditctl, docker-bench's method, ausearch and aureport (root; host state saved and restored)
    ///
    /// --part rules: loads N generated rules into the host kernel (as root; the host's
    /// rules are saved and restored) and measures, in the same run, the median wall time
    /// of: a raw netlink dump that decodes nothing (the floor), `dockaudit list`,
    /// `auditctl -l`, `dockaudit check`, and docker-bench-security's method (one
    /// `auditctl -l | grep PATH` per control); plus peak RSS and the size of the stripped
    /// static binary.
    ///
    /// --part events: generated audit logs (--events-size MiB at 80 and 5,000 events/s,
    /// RAW and ENRICHED, cached in target/events-bench/): `dockaudit events` against
    /// `ausearch --raw -k`, `ausearch -k`, `ausearch -i -k`, and `dockaudit report`
    /// against `aureport -k --summary` and `-x --summary`, with peak RSS; then, as root,
    /// `events --follow` on the host kernel's stream at 50,000 records/s and flat out
    /// (audit enabled with one watch for a few seconds; settings and rules saved and
    /// restored; --no-follow leaves it out).
    ///
    /// Prints the ratios against the targets; --markdown writes the tables into
    /// BENCHMARKS.md between their markers, keeping the rest of the file.
    #[command(verbatim_doc_comment)]
    Bench(bench::Options),
    /// run every cargo-fuzz target for --seconds N each, seeded from the kernel captures
    ///
    /// Runs each fuzz target (rule_decoder, netlink_stream, rules_file_parser) for N
    /// seconds, seeded from tests/data/captures/*.capture and the rule files in
    /// tests/data/rules/ and /usr/share/doc/auditd/examples/rules/. Installs cargo-fuzz if
    /// needed; runs on the stable toolchain with RUSTC_BOOTSTRAP=1.
    #[command(verbatim_doc_comment)]
    Fuzz(fuzz::Options),
    /// target/dist/: the static stripped x86_64 and aarch64 binaries + sha256, man pages, bash/zsh/fish completions
    #[command(long_about = DIST_ABOUT)]
    Dist(dist::Options),
    /// target/docker-roots/SUITE/root: Debian's docker.io, containerd, runc, tini unpacked (discovery tests)
    ///
    /// Builds target/docker-roots/SUITE/root/ from Debian's docker.io, containerd, runc
    /// and tini packages of SUITE (default: bookworm trixie sid), laid out as a
    /// merged-/usr system. Cached: a suite already built is left alone unless --refresh.
    #[command(verbatim_doc_comment)]
    DockerRoots(docker_roots::Options),
    /// scenarios comparing dockaudit load with auditctl -R for a directory of rule files (run with vm-test --scenarios-dir)
    ///
    /// Writes OUT/parity.scn: for every rule file given (or in a directory given), a
    /// scenario that loads it with auditctl -R and with dockaudit load in the guest and
    /// compares exit statuses, rules (auditctl -l, dockaudit list --format json) and
    /// listings; files without -i/-c also once with -c added. For public rule sets
    /// fetched by hand: the files are inlined, nothing is written into the repository.
    #[command(verbatim_doc_comment)]
    Parity(parity::Options),
}

const DIST_ABOUT: &str = "\
Writes target/dist/:
  dockaudit, dockaudit.sha256   the static x86_64 release binary (musl, else glibc
                                +crt-static), stripped; check with `sha256sum -c dockaudit.sha256`
  dockaudit-aarch64, .sha256    the same for arm64 (musl, linked by the toolchain's rust-lld;
                                --no-aarch64 skips it)
  man/dockaudit.1               the man page, and man/dockaudit-COMMAND.1 per command
  completions/                  dockaudit.bash, _dockaudit (zsh), dockaudit.fish";

impl Task {
    fn name(&self) -> &'static str {
        match self {
            Task::Test(_) => "test",
            Task::VmTest(_) => "vm-test",
            Task::Lint => "lint",
            Task::Bench(_) => "bench",
            Task::Fuzz(_) => "fuzz",
            Task::Dist(_) => "dist",
            Task::DockerRoots(_) => "docker-roots",
            Task::Parity(_) => "parity",
        }
    }
}

fn main() -> ExitCode {
    let task = Cli::parse().task;
    let result = match &task {
        Task::Test(o) => test(o),
        Task::VmTest(o) => vm::vm_test(o, false),
        Task::Lint => lint::lint(),
        Task::Bench(o) => bench::bench(o),
        Task::Fuzz(o) => fuzz::fuzz(o),
        Task::Dist(o) => dist::dist(o),
        Task::DockerRoots(o) => docker_roots::docker_roots(o),
        Task::Parity(o) => parity::parity(o),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("xtask {}: {e}", task.name());
            ExitCode::FAILURE
        }
    }
}

fn test(o: &vm::Options) -> XResult<bool> {
    // Format, lints and the dependency rule first: CI runs this task.
    if !lint::lint()? {
        eprintln!("xtask test: cargo xtask lint failed; not running the tests");
        return Ok(false);
    }
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
    vm::vm_test(o, true)
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_task_parses_with_its_defaults() {
        for task in ["test", "vm-test", "lint", "bench", "fuzz", "dist"] {
            let cli = Cli::try_parse_from(["xtask", task]).unwrap_or_else(|e| panic!("{task}: {e}"));
            assert_eq!(cli.task.name(), task);
        }
        assert!(Cli::try_parse_from(["xtask"]).is_err());
        assert!(Cli::try_parse_from(["xtask", "nope"]).is_err());
        assert!(Cli::try_parse_from(["xtask", "dist", "--nope"]).is_err());
        let Task::Test(o) = Cli::try_parse_from(["xtask", "test", "--kernel", "6.1"]).unwrap().task else {
            panic!("not test")
        };
        assert_eq!(o.kernels, ["6.1"]);
    }
}
