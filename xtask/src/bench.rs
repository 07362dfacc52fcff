//! `cargo xtask bench`: dockaudit against auditctl and docker-bench-security's method,
//! measured in the same run on the host kernel with 1,000 and 10,000 rules loaded.
//!
//! The host's rules are saved (as kernel rules, over netlink) and restored afterwards,
//! also when a measurement fails, under the lock every host test takes. Refused when
//! the rules are locked (`enabled 2`).

use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::{cargo, root, run_checked, XResult};

/// The control paths docker-bench-security greps for (CIS 1.6.0, 1.1.3-1.1.18).
const DOCKER_BENCH_PATHS: &[&str] = &[
    "/usr/bin/dockerd",
    "/run/containerd",
    "/var/lib/docker",
    "/etc/docker",
    "docker.service",
    "containerd.sock",
    "docker.socket",
    "/etc/default/docker",
    "/etc/docker/daemon.json",
    "/etc/containerd/config.toml",
    "/etc/sysconfig/docker",
    "/usr/bin/containerd",
    "/usr/bin/containerd-shim",
    "/usr/bin/containerd-shim-runc-v1",
    "/usr/bin/containerd-shim-runc-v2",
    "/usr/bin/runc",
];

/// Which measurements to take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Part {
    /// list and check against auditctl and docker-bench's method (root)
    Rules,
    /// events and report against ausearch and aureport on generated logs; --follow (root)
    Events,
    /// both
    All,
}

/// bench's options.
#[derive(Debug, clap::Args)]
pub struct Options {
    /// What to measure
    #[arg(long, value_enum, default_value = "all")]
    part: Part,
    /// Runs per command; the median is reported
    #[arg(long, value_name = "N", default_value_t = 15)]
    runs: usize,
    /// Rule counts to load and measure, comma-separated
    #[arg(long, value_name = "N,N", value_delimiter = ',', default_values_t = [1000, 10_000])]
    sizes: Vec<usize>,
    /// Size of each generated audit log of the events part, in MiB
    #[arg(long, value_name = "MiB", default_value_t = 200)]
    events_size: u64,
    /// Runs per command of the events part (after a warm-up run); the median is reported
    #[arg(long, value_name = "N", default_value_t = 5)]
    events_runs: usize,
    /// Runs in all of an events command whose first run took over 5 s (ausearch, aureport on dense logs)
    #[arg(long, value_name = "N", default_value_t = 3)]
    slow_runs: usize,
    /// Leave out the events part's --follow measurement (it enables the host kernel's audit for a few seconds)
    #[arg(long)]
    no_follow: bool,
    /// Events per second of the generated logs of the events part, comma-separated
    #[arg(long, value_name = "N,N", value_delimiter = ',', default_values_t = [80, 5000])]
    events_rates: Vec<u64>,
    /// Write the tables as markdown (BENCHMARKS.md): the sections measured are replaced, the rest kept
    #[arg(long, value_name = "FILE")]
    markdown: Option<PathBuf>,
}

/// Holds the host rules lock; on drop puts the saved rules back.
pub struct HostRules {
    saved: Vec<dockaudit::Rule>,
    _lock: File,
}

impl HostRules {
    pub fn borrow() -> XResult<HostRules> {
        let lock = File::create("/run/dockaudit-host-rules.lock").map_err(|e| format!("lock file: {e}"))?;
        // SAFETY: flock takes an fd and a flag word, no pointers; the fd is `lock`'s, open
        // for the whole call (and afterwards: the lock lives as long as `HostRules`).
        if unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX) } != 0 {
            return Err("flock /run/dockaudit-host-rules.lock failed".into());
        }
        let mut client = dockaudit::AuditClient::open().map_err(|e| e.to_string())?;
        if client.status().map_err(|e| e.to_string())?.is_locked() {
            return Err("the host's audit rules are locked (enabled 2); nothing to measure with".into());
        }
        let saved = client.list_rules().map_err(|e| e.to_string())?;
        Ok(HostRules { saved, _lock: lock })
    }
}

impl Drop for HostRules {
    fn drop(&mut self) {
        let restored = dockaudit::AuditClient::open()
            .map_err(|e| e.to_string())
            .and_then(|mut client| dockaudit::persist::restore_and_verify(&mut client, &self.saved));
        match restored {
            Ok(()) => eprintln!("bench: host rules restored ({} rules)", self.saved.len()),
            Err(why) => eprintln!("bench: WARNING: restoring host rules failed: {why}"),
        }
    }
}

/// A realistic mix: syscall rules with fields, watches, never rules, both arches, and
/// the CIS Docker watches at the end so `check` has real work to do.
fn generated_rules(count: usize) -> String {
    let mut out = String::new();
    // The kernel refuses a watch whose parent directory is missing (ENOENT).
    let docker: Vec<&str> = DOCKER_BENCH_PATHS
        .iter()
        .copied()
        .filter(|p| p.starts_with('/') && Path::new(p).parent().is_some_and(Path::exists))
        .collect();
    let filler = count.saturating_sub(docker.len());
    for i in 0..filler {
        out.push_str(&match i % 4 {
            0 => format!("-a always,exit -F arch=b64 -S openat,open,creat -F uid={i} -k bench{i}\n"),
            1 => format!("-w /tmp/dockaudit-bench-{i} -p wa -k bench{i}\n"),
            2 => format!("-a always,exit -F arch=b32 -S chmod,fchmod -F auid>={i} -F exit=-EACCES\n"),
            _ => format!("-a never,exit -F arch=b64 -S all -F path=/var/dockaudit-bench-{i} -F perm=wa\n"),
        });
    }
    for path in docker {
        out.push_str(&format!("-w {path} -p rwxa -k docker\n"));
    }
    out
}

/// Runs `program args` to completion with output discarded; its wall time.
fn run_once(program: &Path, args: &[&str]) -> XResult<Duration> {
    let started = Instant::now();
    let status = Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("{}: {e}", program.display()))?;
    let wall = started.elapsed();
    // `check` exits 1 when it has findings; anything above is a failure.
    if status.code().is_none_or(|c| c > 1) {
        return Err(format!("{} {args:?} failed ({status})", program.display()));
    }
    Ok(wall)
}

/// Peak RSS in KiB, from GNU time. Not from our own wait4: Rust spawns children with
/// vfork, and the kernel counts the parent's memory, shared until exec, as the
/// child's peak (xtask's 5.7 MB showed up as every command's RSS).
fn peak_rss_kib(program: &Path, args: &[&str]) -> XResult<u64> {
    let report = std::env::temp_dir().join(format!("dockaudit-bench-rss-{}", std::process::id()));
    let status = Command::new("/usr/bin/time")
        .args(["-f", "%M", "-o"])
        .arg(&report)
        .arg(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("/usr/bin/time (apt-get install time): {e}"))?;
    if status.code().is_none_or(|c| c > 1) {
        return Err(format!("time {} {args:?} failed ({status})", program.display()));
    }
    let text = std::fs::read_to_string(&report).map_err(|e| format!("{}: {e}", report.display()))?;
    let _ = std::fs::remove_file(&report);
    text.lines()
        .rev()
        .find_map(|l| l.trim().parse().ok())
        .ok_or_else(|| format!("no peak RSS in GNU time's output {text:?}"))
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

struct Measured {
    median: Duration,
    max_rss_kib: u64,
}

fn measure(runs: usize, program: &Path, args: &[&str]) -> XResult<Measured> {
    run_once(program, args)?; // warm the page cache
    let mut walls = Vec::with_capacity(runs);
    for _ in 0..runs {
        walls.push(run_once(program, args)?);
    }
    Ok(Measured { median: median(walls), max_rss_kib: peak_rss_kib(program, args)? })
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

pub fn bench(options: &Options) -> XResult<bool> {
    let rules = matches!(options.part, Part::Rules | Part::All);
    let events = matches!(options.part, Part::Events | Part::All);
    let root_user = dockaudit::kernel::has_audit_control();
    if rules && !root_user {
        return Err("bench's rules part loads rules into the host kernel: run it as root (or --part events)".into());
    }
    crate::tools::ensure_tools()?;
    let root = root();
    let mut build = Command::new(cargo());
    build.current_dir(&root).args(["build", "--release", "-p", "dockaudit", "--bin", "dockaudit"]);
    if rules {
        build.args(["--example", "raw_dump"]);
    }
    run_checked(&mut build)?;
    let dockaudit_bin = root.join("target/release/dockaudit");
    let machine = machine_description();
    let mut sections = Vec::new();
    if rules {
        let table = bench_rules(options, &root, &dockaudit_bin, &machine)?;
        print!("{table}");
        sections.push(("rules", format!("Measured by `cargo xtask bench` (median of {} runs per command, each command a fresh process; docker-bench's method: the 16 `auditctl -l | grep PATH` of CIS 1.6.0 in sequence).\n\n{table}", options.runs)));
    }
    if events {
        let section = crate::bench_events::bench_events(
            &root,
            &dockaudit_bin,
            &crate::bench_events::EventsOptions {
                mib: options.events_size,
                runs: options.events_runs,
                slow_runs: options.slow_runs,
                follow: root_user && !options.no_follow,
                rates: options.events_rates.clone(),
            },
        )?;
        let text = format!("Measured by `cargo xtask bench --part events` on: {machine}\n\n{}", section.markdown);
        print!("\n{text}");
        sections.push(("events", text));
    }
    if let Some(path) = &options.markdown {
        let old = std::fs::read_to_string(path).unwrap_or_default();
        std::fs::write(path, splice_sections(&old, &sections)).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(true)
}

/// The rules part: its markdown table and targets.
fn bench_rules(options: &Options, root: &Path, dockaudit_bin: &Path, machine: &str) -> XResult<String> {
    let raw_dump = root.join("target/release/examples/raw_dump");
    let static_size = crate::tools::build_static("dockaudit", "dockaudit")
        .and_then(|path| {
            let stripped = root.join("target/dockaudit-stripped");
            run_checked(Command::new("strip").arg("-o").arg(&stripped).arg(&path))?;
            std::fs::metadata(&stripped).map(|m| m.len()).map_err(|e| e.to_string())
        })
        .map_err(|e| format!("static build: {e}"))?;
    let auditctl = PathBuf::from(if Path::new("/sbin/auditctl").exists() { "/sbin/auditctl" } else { "auditctl" });
    let sh = PathBuf::from("/bin/sh");
    let docker_bench_script: String =
        DOCKER_BENCH_PATHS.iter().map(|p| format!("auditctl -l | grep {p} >/dev/null;")).collect();

    let host = HostRules::borrow()?;
    let mut table = String::new();
    table.push_str(&format!("Machine: {machine}\n\n"));
    table.push_str("| rules | raw dump (floor) ms | dockaudit list ms | auditctl -l ms | dockaudit check ms | docker-bench method ms | list / floor | auditctl / list | docker-bench / check | list peak RSS KiB | check peak RSS KiB |\n");
    table.push_str("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    let mut verdicts = Vec::new();
    for &size in &options.sizes {
        run_checked(Command::new(&auditctl).arg("-D"))?;
        let file = root.join(format!("target/bench-{size}.rules"));
        std::fs::write(&file, generated_rules(size)).map_err(|e| e.to_string())?;
        run_checked(Command::new(&auditctl).arg("-R").arg(&file))?;
        let loaded = run_checked(&mut Command::new(&raw_dump))?.trim().parse::<usize>().unwrap_or(0);
        if loaded != size {
            return Err(format!("loaded {loaded} rules, wanted {size}"));
        }
        let floor = measure(options.runs, &raw_dump, &[])?;
        let list = measure(options.runs, dockaudit_bin, &["list"])?;
        let theirs = measure(options.runs, &auditctl, &["-l"])?;
        let check = measure(options.runs, dockaudit_bin, &["check"])?;
        let docker_bench = measure(options.runs.min(5), &sh, &["-c", &docker_bench_script])?;
        let list_vs_floor = list.median.as_secs_f64() / floor.median.as_secs_f64();
        let auditctl_vs_list = theirs.median.as_secs_f64() / list.median.as_secs_f64();
        let bench_vs_check = docker_bench.median.as_secs_f64() / check.median.as_secs_f64();
        table.push_str(&format!(
            "| {size} | {} | {} | {} | {} | {} | {list_vs_floor:.2}x | {auditctl_vs_list:.2}x | {bench_vs_check:.1}x | {} | {} |\n",
            ms(floor.median),
            ms(list.median),
            ms(theirs.median),
            ms(check.median),
            ms(docker_bench.median),
            list.max_rss_kib,
            check.max_rss_kib,
        ));
        if size == 10_000 {
            let peak = list.max_rss_kib.max(check.max_rss_kib);
            verdicts.push(target(
                "list within 1.3x of the floor",
                list_vs_floor <= 1.3,
                format!("{list_vs_floor:.2}x"),
            ));
            verdicts.push(target(
                "list at least 2x faster than auditctl -l",
                auditctl_vs_list >= 2.0,
                format!("{auditctl_vs_list:.2}x"),
            ));
            verdicts.push(target(
                "check at least 20x faster than docker-bench",
                bench_vs_check >= 20.0,
                format!("{bench_vs_check:.1}x"),
            ));
            verdicts.push(target("peak RSS under 16 MiB", peak < 16 * 1024, format!("{peak} KiB")));
        }
    }
    drop(host);
    verdicts.push(target(
        "stripped static binary under 3 MiB",
        static_size < 3 * 1024 * 1024,
        format!("{static_size} bytes"),
    ));
    table.push_str(&format!(
        "\nStripped static binary (x86_64 musl): {static_size} bytes.\n\nTargets at 10,000 rules:\n\n"
    ));
    for line in &verdicts {
        table.push_str(&format!("- {line}\n"));
    }
    Ok(table)
}

/// BENCHMARKS.md with each measured section put between its markers
/// (`<!-- bench:NAME -->` … `<!-- /bench:NAME -->`), replacing what was there; what is
/// outside the markers (the commentary) is kept. A section without markers yet is added
/// at the end under its heading.
fn splice_sections(old: &str, sections: &[(&str, String)]) -> String {
    let mut text = if old.trim().is_empty() { "# Benchmarks\n".to_string() } else { old.to_string() };
    for (name, body) in sections {
        let (open, close) = (format!("<!-- bench:{name} -->\n"), format!("<!-- /bench:{name} -->"));
        let found = text.find(&open).and_then(|a| text[a..].find(&close).map(|b| (a + open.len(), a + b)));
        match found {
            Some((from, to)) => text.replace_range(from..to, body),
            None => {
                let heading = if *name == "rules" { "Rules" } else { "Events" };
                text = format!("{}\n\n## {heading}\n\n{open}{body}{close}\n", text.trim_end());
            }
        }
    }
    text
}

fn target(what: &str, met: bool, value: String) -> String {
    format!("{} {what}: {value}", if met { "met:" } else { "MISSED:" })
}

fn machine_description() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    format!("{cpu}, {cores} cores, Linux {}", kernel.trim())
}

#[cfg(test)]
mod tests {
    use super::splice_sections;

    #[test]
    fn sections_replace_only_their_markers() {
        let once = splice_sections("", &[("events", "table 1\n".into())]);
        assert_eq!(once, "# Benchmarks\n\n## Events\n\n<!-- bench:events -->\ntable 1\n<!-- /bench:events -->\n");
        let edited = once.replace("<!-- /bench:events -->\n", "<!-- /bench:events -->\nprose\n");
        let twice = splice_sections(&edited, &[("events", "table 2\n".into())]);
        assert_eq!(twice, edited.replace("table 1", "table 2"));
        let both = splice_sections(&twice, &[("rules", "r\n".into())]);
        assert!(
            both.starts_with(&twice.trim_end().to_string())
                && both.contains("<!-- bench:rules -->\nr\n<!-- /bench:rules -->")
        );
    }
}
