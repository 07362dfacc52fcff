//! The events reader against `ausearch`, on a generated log (issue 12's benchmark,
//! the first piece of it):
//!
//! ```sh
//! cargo run --release --example events_bench -- [--mib 200] [--rate 80] [--enriched] [--runs 3]
//! ```
//!
//! Writes `target/events-bench/audit-<MiB>-<rate>[-enriched].log` once (SYSCALL, CWD,
//! PATH, PROCTITLE, EOE events, two interleaved at a time, one in ten keyed `docker`,
//! `rate` events per second of log time), then times in the same run, warm cache, best
//! of `runs`: the library's search writing `--format raw -k docker` to a sink (in
//! process), the release binary `dockaudit events --format raw -k docker --input F` if built,
//! and `ausearch --raw -k docker -if F`; prints MiB/s and the ratio, and peak RSS when
//! GNU time is installed. Runs nothing that touches the audit state.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use dockaudit::events::{search, Format, Input, Labels, Names, Options, Query};

struct Args {
    mib: u64,
    rate: u64,
    enriched: bool,
    runs: usize,
}

fn args() -> Args {
    let mut args = Args { mib: 200, rate: 80, enriched: false, runs: 3 };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().and_then(|v| v.parse().ok()).expect("a number after the option");
        match arg.as_str() {
            "--mib" => args.mib = value(),
            "--rate" => args.rate = value(),
            "--runs" => args.runs = value() as usize,
            "--enriched" => args.enriched = true,
            other => panic!("unknown option {other}"),
        }
    }
    args
}

/// The log, generated once per shape.
fn generate(path: &Path, args: &Args) -> std::io::Result<()> {
    if path.is_file() {
        return Ok(());
    }
    std::fs::create_dir_all(path.parent().expect("a parent"))?;
    let tmp = path.with_extension("tmp");
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&tmp)?);
    let limit = args.mib << 20;
    let (mut written, mut serial, mut ms) = (0u64, 1u64, 1_700_000_000_000u64);
    let step_us = 1_000_000 / args.rate.max(1);
    let mut acc_us = 0u64;
    let enrich = |text: &str| if args.enriched { format!("\x1d{text}") } else { String::new() };
    let mut pending: Vec<String> = Vec::new();
    while written < limit {
        acc_us += step_us;
        ms += acc_us / 1000;
        acc_us %= 1000;
        serial += 1;
        let stamp = format!("msg=audit({}.{:03}:{serial}):", ms / 1000, ms % 1000);
        let key = if serial % 10 == 0 { "\"docker\"" } else { "\"other-rules\"" };
        let pid = 1000 + serial % 300;
        let lines = [
            format!("type=SYSCALL {stamp} arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=7ffc2f1e3e10 a2=80000 a3=0 items=1 ppid=1 pid={pid} auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=3 comm=\"cat\" exe=\"/usr/bin/cat\" subj=unconfined key={key}{}", enrich("ARCH=x86_64 SYSCALL=openat AUID=\"alice\" UID=\"root\" GID=\"root\" EUID=\"root\" SUID=\"root\" FSUID=\"root\" EGID=\"root\" SGID=\"root\" FSGID=\"root\"")),
            format!("type=CWD {stamp} cwd=\"/root\""),
            format!("type=PATH {stamp} item=0 name=\"/etc/docker/daemon.json\" inode=393231 dev=fd:00 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0{}", enrich("OUID=\"root\" OGID=\"root\"")),
            format!("type=PROCTITLE {stamp} proctitle=636174002F6574632F646F636B65722F6461656D6F6E2E6A736F6E"),
            format!("type=EOE {stamp} "),
        ];
        // Two events interleave: the previous one's last records after this one's first.
        let mut block = String::new();
        block.push_str(&lines[0]);
        block.push('\n');
        for line in pending.drain(..) {
            block.push_str(&line);
            block.push('\n');
        }
        for line in &lines[1..3] {
            block.push_str(line);
            block.push('\n');
        }
        pending.extend(lines[3..].iter().cloned());
        written += block.len() as u64;
        out.write_all(block.as_bytes())?;
    }
    for line in pending {
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    drop(out);
    std::fs::rename(tmp, path)
}

fn best(runs: usize, mut f: impl FnMut() -> Duration) -> Duration {
    (0..runs).map(|_| f()).min().unwrap_or_default()
}

fn time_command(program: &Path, args: &[&str]) -> Duration {
    let start = Instant::now();
    let status = Command::new(program).args(args).stdout(Stdio::null()).stderr(Stdio::null()).status();
    assert!(status.is_ok(), "cannot run {}", program.display());
    start.elapsed()
}

/// Peak RSS in KiB from GNU time, if installed.
fn peak_rss(program: &Path, args: &[&str]) -> Option<u64> {
    let out = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%M")
        .arg(program)
        .args(args)
        .stdout(Stdio::null())
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stderr).lines().last()?.trim().parse().ok()
}

fn main() {
    let args = args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let name = format!("audit-{}-{}{}.log", args.mib, args.rate, if args.enriched { "-enriched" } else { "" });
    let log = root.join("target/events-bench").join(name);
    generate(&log, &args).expect("write the log");
    let size = std::fs::metadata(&log).expect("the log").len() as f64 / (1 << 20) as f64;
    let file = log.to_str().expect("a UTF-8 path");
    // Warm the cache.
    let _ = std::fs::read(&log);
    let mib_s = |d: Duration| size / d.as_secs_f64();
    println!(
        "log: {file} ({size:.0} MiB, {} events/s of log time, {})",
        args.rate,
        if args.enriched { "ENRICHED" } else { "RAW" }
    );

    let query = Query { key: Some("docker".into()), ..Query::default() };
    let options = Options { format: Format::Raw, eoe_timeout: 2, names: Names::default(), labels: Labels::default() };
    let sources = dockaudit::events::resolve(Path::new("/"), &[Input::Path(PathBuf::from(file))]).expect("resolve");
    let mut selected = 0;
    let lib = best(args.runs, || {
        let start = Instant::now();
        selected = search(&query, &sources, &options, &mut std::io::sink()).expect("search").selected;
        start.elapsed()
    });
    println!(
        "library search (-k docker, raw, to a sink): {:>8.3} s  {:>7.1} MiB/s  ({selected} events)",
        lib.as_secs_f64(),
        mib_s(lib)
    );

    let ours = root.join("target/release/dockaudit");
    let our_args = ["events", "--format", "raw", "-k", "docker", "--input", file];
    let bin = ours.is_file().then(|| best(args.runs, || time_command(&ours, &our_args)));
    if let Some(bin) = bin {
        println!(
            "dockaudit events --format raw -k docker:     {:>8.3} s  {:>7.1} MiB/s",
            bin.as_secs_f64(),
            mib_s(bin)
        );
        if let Some(kib) = peak_rss(&ours, &our_args) {
            println!("  peak RSS {:.1} MiB", kib as f64 / 1024.0);
        }
    } else {
        println!("(build target/release/dockaudit to time the binary too)");
    }
    let ausearch = ["/usr/sbin/ausearch", "/sbin/ausearch"].iter().map(PathBuf::from).find(|p| p.is_file());
    let Some(ausearch) = ausearch else {
        println!("ausearch is not installed: no comparison");
        return;
    };
    let their_args = ["--raw", "-k", "docker", "-if", file];
    let theirs = best(args.runs.min(2), || time_command(&ausearch, &their_args));
    println!(
        "ausearch --raw -k docker:                    {:>8.3} s  {:>7.1} MiB/s",
        theirs.as_secs_f64(),
        mib_s(theirs)
    );
    if let Some(kib) = peak_rss(&ausearch, &their_args) {
        println!("  peak RSS {:.1} MiB", kib as f64 / 1024.0);
    }
    let reference = bin.unwrap_or(lib);
    println!("speed-up: {:.1}x", theirs.as_secs_f64() / reference.as_secs_f64());
}
