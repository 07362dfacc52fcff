//! `bench`'s events part: `dockaudit events` and `report` against `ausearch` and
//! `aureport` on generated logs (bench_logs), and `--follow`'s throughput on the host
//! kernel (bench_follow), measured in the same run on the same machine.
//!
//! Every command runs under GNU time (`%M`, peak RSS) with TZ=UTC LC_ALL=C and its output
//! to /dev/null, from a warm page cache. Each is run once first; when that run took under
//! SLOW it was a warm-up, and `runs` more give the median; a slower command (ausearch and
//! aureport on the dense logs take tens of seconds) gets `slow_runs` runs in all, the
//! first included. The table says how many runs each median is of.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::bench_follow::{bench_follow, FollowRun};
use crate::bench_logs::{ensure_log, LogSpec};
use crate::XResult;

const SLOW: Duration = Duration::from_secs(5);
/// Records per second `--follow` must take.
const FOLLOW_TARGET: u64 = 50_000;
const RSS_TARGET_KIB: u64 = 32 * 1024;

pub struct EventsOptions {
    pub mib: u64,
    pub runs: usize,
    pub slow_runs: usize,
    /// Also measure `--follow` (root: it borrows the host kernel's audit).
    pub follow: bool,
    /// Events per second of the logs measured (80 and 5,000 by default).
    pub rates: Vec<u64>,
}

/// The events section of BENCHMARKS.md: the table and the targets.
pub struct EventsSection {
    pub markdown: String,
}

/// One command measured.
struct Timed {
    median: Duration,
    runs: usize,
    max_rss_kib: u64,
}

/// Runs `program args` under GNU time; wall time and peak RSS.
fn run_once(program: &Path, args: &[&str]) -> XResult<(Duration, u64)> {
    let report = std::env::temp_dir().join(format!("dockaudit-bench-events-rss-{}", std::process::id()));
    let started = Instant::now();
    let status = Command::new("/usr/bin/time")
        .args(["-f", "%M", "-o"])
        .arg(&report)
        .arg(program)
        .args(args)
        .env("TZ", "UTC")
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("/usr/bin/time {}: {e}", program.display()))?;
    let wall = started.elapsed();
    // ausearch and dockaudit events exit 1 when nothing matched; above is a failure.
    if status.code().is_none_or(|c| c > 1) {
        return Err(format!("{} {} failed ({status})", program.display(), args.join(" ")));
    }
    let text = std::fs::read_to_string(&report).map_err(|e| format!("{}: {e}", report.display()))?;
    let _ = std::fs::remove_file(&report);
    let rss = text.lines().rev().find_map(|l| l.trim().parse().ok()).ok_or(format!("no RSS in {text:?}"))?;
    Ok((wall, rss))
}

fn measure(options: &EventsOptions, program: &Path, args: &[&str]) -> XResult<Timed> {
    let (first, rss) = run_once(program, args)?;
    let mut max_rss_kib = rss;
    let (mut walls, more) = if first >= SLOW {
        (vec![first], options.slow_runs.saturating_sub(1))
    } else {
        (Vec::new(), options.runs.max(1))
    };
    for _ in 0..more {
        let (wall, rss) = run_once(program, args)?;
        walls.push(wall);
        max_rss_kib = max_rss_kib.max(rss);
    }
    walls.sort();
    Ok(Timed { median: walls[walls.len() / 2], runs: walls.len(), max_rss_kib })
}

/// A comparison: theirs and ours, on one log.
struct Row {
    rate: u64,
    format: &'static str,
    theirs: String,
    ours: String,
    /// None: not measured, with the reason.
    result: Result<(Timed, Timed), String>,
}

impl Row {
    fn ratio(&self) -> Option<f64> {
        self.result.as_ref().ok().map(|(t, o)| t.median.as_secs_f64() / o.median.as_secs_f64())
    }
}

fn tool(name: &str) -> XResult<PathBuf> {
    ["/usr/sbin", "/sbin", "/usr/bin"]
        .iter()
        .map(|d| Path::new(d).join(name))
        .find(|p| p.is_file())
        .ok_or(format!("{name} is missing (apt-get install auditd)"))
}

fn report_available(dockaudit: &Path) -> bool {
    Command::new(dockaudit)
        .args(["report", "--help"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

pub fn bench_events(root: &Path, dockaudit: &Path, options: &EventsOptions) -> XResult<EventsSection> {
    let ausearch = tool("ausearch")?;
    let aureport = tool("aureport")?;
    let has_report = report_available(dockaudit);
    let mut rows = Vec::new();
    for &rate in &options.rates {
        for enriched in [false, true] {
            let spec = LogSpec { mib: options.mib, rate, enriched };
            let log = ensure_log(root, spec)?;
            let file = log.to_str().ok_or("a non-UTF-8 path")?.to_string();
            warm(&log)?;
            let format = spec.format_name();
            // (theirs, their args, our args, needs `report`)
            let cases: [(&Path, Vec<&str>, Vec<&str>, bool); 5] = [
                (
                    &ausearch,
                    vec!["--raw", "-k", "docker", "-if", &file],
                    vec!["events", "--format", "raw", "-k", "docker", "--input", &file],
                    false,
                ),
                (
                    &ausearch,
                    vec!["-k", "docker", "-if", &file],
                    vec!["events", "--format", "raw", "-k", "docker", "--input", &file],
                    false,
                ),
                (
                    &ausearch,
                    vec!["-i", "-k", "docker", "-if", &file],
                    vec!["events", "--format", "interpret", "-k", "docker", "--input", &file],
                    false,
                ),
                (
                    &aureport,
                    vec!["-k", "--summary", "-if", &file],
                    vec!["report", "--key", "--summary", "--input", &file],
                    true,
                ),
                (
                    &aureport,
                    vec!["-x", "--summary", "-if", &file],
                    vec!["report", "--exe", "--summary", "--input", &file],
                    true,
                ),
            ];
            for (program, theirs, our_args, needs_report) in cases {
                let name = program.file_name().and_then(|n| n.to_str()).unwrap_or("?");
                let shown =
                    |args: &[&str]| args.iter().filter(|a| **a != file.as_str()).copied().collect::<Vec<_>>().join(" ");
                let theirs_shown = format!("{name} {} F", shown(&theirs));
                let ours_shown = format!("dockaudit {} F", shown(&our_args));
                eprintln!("bench: {rate} ev/s {format}: {theirs_shown} vs {ours_shown}");
                let result = if needs_report && !has_report {
                    eprintln!("bench: not measured: dockaudit report missing");
                    Err("not measured: dockaudit report missing".to_string())
                } else {
                    let t = measure(options, program, &theirs)?;
                    let o = measure(options, dockaudit, &our_args)?;
                    eprintln!(
                        "bench:   {:.3} s vs {:.3} s = {:.1}x, dockaudit peak RSS {} KiB",
                        t.median.as_secs_f64(),
                        o.median.as_secs_f64(),
                        t.median.as_secs_f64() / o.median.as_secs_f64(),
                        o.max_rss_kib
                    );
                    Ok((t, o))
                };
                rows.push(Row { rate, format, theirs: theirs_shown, ours: ours_shown, result });
            }
        }
    }
    let follow = if options.follow { Some(bench_follow(dockaudit, &[FOLLOW_TARGET, 0])) } else { None };
    Ok(EventsSection { markdown: render(options, &rows, follow) })
}

/// Reads the log once so every command starts from the page cache.
fn warm(log: &Path) -> XResult<()> {
    let mut file = std::fs::File::open(log).map_err(|e| format!("{}: {e}", log.display()))?;
    std::io::copy(&mut file, &mut std::io::sink()).map_err(|e| format!("{}: {e}", log.display()))?;
    Ok(())
}

fn secs(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64())
}

fn mib(kib: u64) -> String {
    format!("{:.1}", kib as f64 / 1024.0)
}

fn render(options: &EventsOptions, rows: &[Row], follow: Option<XResult<Vec<FollowRun>>>) -> String {
    let mut md = format!(
        "Generated logs of {} MiB (xtask/src/bench_logs.rs; cached in target/events-bench/), warm page cache, \
         TZ=UTC LC_ALL=C, output to /dev/null, every command under GNU time. Median of {} runs after a warm-up; \
         commands whose first run took over {} s: {} run(s) in all, the first included, and their median (the runs \
         column: theirs/ours). `ausearch --raw` prints the lines as logged, what `dockaudit events --format raw` prints; \
         plain `ausearch` prints them per event, last record first, after a `----` and a `time->` line \
         (different bytes, compared with the same dockaudit command).\n\n",
        options.mib,
        options.runs,
        SLOW.as_secs(),
        options.slow_runs
    );
    md.push_str("| events/s | log | theirs | dockaudit | theirs s | dockaudit s | ratio | dockaudit peak RSS MiB | theirs peak RSS MiB | runs |\n");
    md.push_str("|---:|---|---|---|---:|---:|---:|---:|---:|---:|\n");
    for row in rows {
        match &row.result {
            Ok((t, o)) => md.push_str(&format!(
                "| {} | {} | `{}` | `{}` | {} | {} | {:.1}x | {} | {} | {}/{} |\n",
                row.rate,
                row.format,
                row.theirs,
                row.ours,
                secs(t.median),
                secs(o.median),
                row.ratio().unwrap_or(0.0),
                mib(o.max_rss_kib),
                mib(t.max_rss_kib),
                t.runs,
                o.runs
            )),
            Err(why) => md.push_str(&format!(
                "| {} | {} | `{}` | `{}` | {why} | | | | | |\n",
                row.rate, row.format, row.theirs, row.ours
            )),
        }
    }
    let mut targets = Vec::new();
    let worst = |pick: &dyn Fn(&Row) -> bool| {
        rows.iter().filter(|r| pick(r)).filter_map(|r| r.ratio().map(|x| (x, r))).min_by(|a, b| a.0.total_cmp(&b.0))
    };
    for (rate, want) in [(80u64, 2.0), (5000, 20.0)] {
        let what = format!("at least {want}x faster than ausearch at {rate} events/s (slowest of its rows)");
        targets.push(match worst(&|r: &Row| r.rate == rate && r.theirs.starts_with("ausearch")) {
            Some((x, r)) => verdict(&what, x >= want, format!("{x:.1}x ({}, {})", r.theirs, r.format)),
            None => format!("not measured: {what}"),
        });
    }
    let what = "at least 10x faster than aureport's summaries";
    targets.push(match worst(&|r: &Row| r.theirs.starts_with("aureport")) {
        Some((x, r)) => verdict(what, x >= 10.0, format!("{x:.1}x ({}, {} events/s {})", r.theirs, r.rate, r.format)),
        None => format!("not measured: {what} (dockaudit report missing)"),
    });
    let mut peak = rows.iter().filter_map(|r| r.result.as_ref().ok().map(|(_, o)| o.max_rss_kib)).max().unwrap_or(0);
    md.push('\n');
    match follow {
        None => {
            md.push_str("`--follow`: not measured (--no-follow, or not root: it borrows the host kernel's audit).\n")
        }
        Some(Err(why)) => md.push_str(&format!("`--follow`: not measured: {why}\n")),
        Some(Ok(runs)) => {
            md.push_str(&format!(
                "`dockaudit events --follow --all --format raw` on the host kernel (audit enabled for the run, one \
                 watch on a temporary file, rate limit 0, backlog {}; the host's settings and rules restored \
                 afterwards), stdout read and counted by xtask, records made by {} threads opening the watched \
                 file (5 records an open) for {} s; \"missing\" counted by xtask (opens made minus SYSCALL records \
                 of the watch's key received), \"reported\" by dockaudit on stderr. Lines written: all records of \
                 the host dockaudit printed (it prints no EOE line when following; other processes' records \
                 count too):\n\n",
                crate::bench_follow::BACKLOG,
                crate::bench_follow::THREADS,
                crate::bench_follow::GENERATE.as_secs(),
            ));
            md.push_str("| asked rec/s | generated rec/s | events generated | events received | lines written | missing records | reported lost records (+ events) | kernel lost | peak RSS MiB |\n");
            md.push_str("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for run in &runs {
                md.push_str(&format!(
                    "| {} | {:.0} | {} | {} | {} | {} | {} (+{}) | {} | {} |\n",
                    if run.asked == 0 { "as fast as possible".to_string() } else { run.asked.to_string() },
                    run.generated_rate(),
                    run.generated_events,
                    run.received_events,
                    run.received_records,
                    run.missing_records,
                    run.reported_records,
                    run.reported_events,
                    run.kernel_lost,
                    run.rss_kib.map_or("?".into(), mib),
                ));
                peak = peak.max(run.rss_kib.unwrap_or(0));
            }
            md.push_str(&format!("\n({}.)\n", runs.first().map_or(String::new(), |r| r.buffer_note.clone())));
            let what = format!("--follow takes {FOLLOW_TARGET} records/s without loss, or reports every lost record");
            targets.push(match runs.iter().find(|r| r.asked == FOLLOW_TARGET) {
                Some(r) if r.generated_rate() < FOLLOW_TARGET as f64 * 0.95 => format!(
                    "not measured: {what}: this machine generated only {:.0} records/s ({}, {})",
                    r.generated_rate(),
                    if r.missing_records == 0 { "none lost" } else { "with loss" },
                    if r.loss_reported() { "every loss reported" } else { "loss NOT all reported" }
                ),
                Some(r) => verdict(
                    &what,
                    r.missing_records == 0 || r.loss_reported(),
                    format!(
                        "{:.0} records/s generated, {} missing, {} reported",
                        r.generated_rate(),
                        r.missing_records,
                        r.reported_records + r.reported_events * 5
                    ),
                ),
                None => format!("not measured: {what}"),
            });
        }
    }
    targets.push(verdict(
        "dockaudit's peak RSS under 32 MiB",
        peak < RSS_TARGET_KIB,
        format!("{} MiB at most", mib(peak)),
    ));
    md.push_str("\nTargets:\n\n");
    for t in targets {
        md.push_str(&format!("- {t}\n"));
    }
    md
}

fn verdict(what: &str, met: bool, value: String) -> String {
    format!("{} {what}: {value}", if met { "met:" } else { "MISSED:" })
}
