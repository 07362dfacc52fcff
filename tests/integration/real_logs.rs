//! `dockaudit events` and `report` against the real `ausearch` and `aureport` (audit 3.0.9)
//! on logs the real auditd wrote in the VM guests (tests/data/logs/: Debian's kernels 5.10,
//! 6.1 and 6.12, RAW and ENRICHED, the CIS Docker watches loaded; see its README). The
//! generated logs of `events.rs` cover the shapes; these are what kernels and auditd write.
//! Only reads files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::util::{dockaudit_bin, repo_path};

const KERNELS: [&str; 3] = ["5.10", "6.1", "6.12"];
const FORMATS: [&str; 2] = ["raw", "enriched"];

fn tool(name: &str) -> Option<PathBuf> {
    ["/usr/sbin", "/sbin"].iter().map(|d| Path::new(d).join(name)).find(|p| p.is_file())
}

/// Both tools in the same fixed locale and time zone.
fn run(program: &Path, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .env("TZ", "UTC")
        .env("LC_ALL", "C")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()))
}

/// Every captured log; all six must be there, or the comparisons would prove little.
fn logs() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for k in KERNELS {
        for f in FORMATS {
            let p = repo_path(&format!("tests/data/logs/{k}/{f}.log"));
            assert!(p.is_file(), "{} is missing (tests/data/logs/README.md says how to capture it)", p.display());
            out.push(p);
        }
    }
    out
}

/// (our options, ausearch's options): the same selection in both spellings.
const SELECTIONS: &[(&[&str], &[&str])] = &[
    (&["-k", "docker"], &["-k", "docker"]),
    (&["-k", "docker", "--word"], &["-k", "docker", "-w"]),
    (&["-k", "containerd"], &["-k", "containerd"]),
    (&["-k", "docker-missing"], &["-k", "docker-missing"]),
    (&["-k", "no-such-key"], &["-k", "no-such-key"]),
    (&["-f", "/etc/docker"], &["-f", "/etc/docker"]),
    (&["-f", "/etc/docker/key.json"], &["-f", "/etc/docker/key.json"]),
    (&["-f", "/run/containerd", "--word"], &["-f", "/run/containerd", "-w"]),
    (&["-f", "/var/lib/docker/volumes.db"], &["-f", "/var/lib/docker/volumes.db"]),
    (&["-x", "/usr/bin/dockerd"], &["-x", "/usr/bin/dockerd"]),
    (&["-x", "/sbin/auditctl"], &["-x", "/sbin/auditctl"]),
    (&["--success", "no"], &["--success", "no"]),
    (&["--success", "yes", "-k", "docker"], &["--success", "yes", "-k", "docker"]),
    (&["--uid", "1000"], &["-ui", "1000"]),
    (&["--uid", "0", "-k", "docker"], &["-ui", "0", "-k", "docker"]),
    (&["--auid", "4294967295", "-k", "containerd"], &["-ul", "4294967295", "-k", "containerd"]),
    (&["--syscall", "execve"], &["-sc", "execve"]),
    (&["--syscall", "open"], &["-sc", "open"]),
    (&["--syscall", "sendto"], &["-sc", "sendto"]),
    (&["--all"], &[]),
];

/// Runs `dockaudit events --format FORMAT --input LOG OURS` and `ausearch THEIRS -if LOG`:
/// same stdout, same exit status.
fn compare(log: &Path, format: &str, ours: &[&str], theirs: &[&str], ausearch_form: &[&str]) -> Result<(), String> {
    let log = log.to_str().unwrap();
    let mut our_args = vec!["events", "--format", format, "--input", log];
    our_args.extend_from_slice(ours);
    let mut their_args = ausearch_form.to_vec();
    their_args.extend_from_slice(theirs);
    their_args.extend_from_slice(&["-if", log]);
    let a = run(&dockaudit_bin(), &our_args);
    let b = run(&tool("ausearch").expect("checked by the caller"), &their_args);
    let code = |o: &Output| o.status.code().unwrap_or(-1);
    if a.stdout == b.stdout && code(&a) == code(&b) {
        return Ok(());
    }
    let (x, y) = (String::from_utf8_lossy(&a.stdout), String::from_utf8_lossy(&b.stdout));
    let at = x.lines().zip(y.lines()).position(|(p, q)| p != q);
    Err(format!(
        "dockaudit {our_args:?} (exit {}, {} lines) != ausearch {their_args:?} (exit {}, {} lines); first differing line {at:?}:\n ours:   {:?}\n theirs: {:?}\nstderr: {}",
        code(&a),
        x.lines().count(),
        code(&b),
        y.lines().count(),
        at.and_then(|i| x.lines().nth(i)),
        at.and_then(|i| y.lines().nth(i)),
        String::from_utf8_lossy(&a.stderr)
    ))
}

fn skip_without(name: &str) -> bool {
    if tool(name).is_none() {
        eprintln!("SKIPPED: {name} is not installed (apt-get install auditd)");
        return true;
    }
    false
}

/// Whether this dockaudit takes these arguments (clap refuses an unknown flag or value
/// before it reads --help): the formats and commands other work adds.
fn takes(args: &[&str]) -> bool {
    let mut a = args.to_vec();
    a.push("--help");
    Command::new(dockaudit_bin()).args(&a).output().is_ok_and(|o| o.status.success())
}

#[test]
fn raw_output_equals_ausearch_on_the_real_auditd_logs() {
    if skip_without("ausearch") {
        return;
    }
    let (mut cases, mut failures, mut lines) = (0, Vec::new(), 0);
    for log in logs() {
        for (ours, theirs) in SELECTIONS {
            cases += 1;
            if let Err(e) = compare(&log, "raw", ours, theirs, &["--raw"]) {
                failures.push(format!("{}: {e}", log.display()));
            }
        }
        let all = run(&dockaudit_bin(), &["events", "--format", "raw", "--all", "--input", log.to_str().unwrap()]);
        lines += String::from_utf8_lossy(&all.stdout).lines().count();
    }
    eprintln!("real-log oracle: {cases} comparisons with ausearch --raw, {} failed", failures.len());
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(lines > 300, "the captured logs hold too few lines ({lines}) to prove anything");
}

/// ausearch's default form cuts the log into events (`----`, each event's lines last
/// first, enrichment hidden); the JSON form says how many records each of our events
/// has: both must cut the real logs the same way.
#[test]
fn real_logs_are_grouped_as_ausearch_groups_them() {
    if skip_without("ausearch") {
        return;
    }
    let ausearch = tool("ausearch").expect("checked");
    let (mut failures, mut events) = (Vec::new(), 0);
    for log in logs() {
        let file = log.to_str().unwrap();
        for (ours, theirs) in SELECTIONS {
            let with = |format: &str| {
                let mut args = vec!["events", "--format", format, "--input", file];
                args.extend_from_slice(ours);
                run(&dockaudit_bin(), &args).stdout
            };
            let counts: Vec<usize> = String::from_utf8_lossy(&with("json"))
                .lines()
                .map(|l| {
                    let v: serde_json::Value = serde_json::from_str(l).unwrap();
                    v["auditd"]["records"].as_array().map_or(0, Vec::len)
                })
                .collect();
            let raw = String::from_utf8_lossy(&with("raw")).into_owned();
            let mut lines = raw.lines().map(|l| l.split('\x1d').next().unwrap_or(""));
            let ours_events: Vec<Vec<&str>> = counts.iter().map(|&n| lines.by_ref().take(n).collect()).collect();
            let mut args = vec!["-if", file];
            args.extend_from_slice(theirs);
            let text = String::from_utf8_lossy(&run(&ausearch, &args).stdout).into_owned();
            let theirs_events: Vec<Vec<&str>> = text
                .split("----\n")
                .filter(|block| !block.is_empty())
                .map(|block| block.lines().skip(1).collect::<Vec<_>>().into_iter().rev().collect())
                .collect();
            events += theirs_events.len();
            if ours_events != theirs_events {
                let at = ours_events.iter().zip(&theirs_events).position(|(a, b)| a != b);
                failures.push(format!(
                    "{file} {ours:?}: {} events vs ausearch's {}; first differing event {at:?}:\n ours:   {:?}\n theirs: {:?}",
                    ours_events.len(),
                    theirs_events.len(),
                    at.map(|i| &ours_events[i]),
                    at.map(|i| &theirs_events[i]),
                ));
            }
        }
    }
    eprintln!("real-log grouping oracle: {events} events of ausearch, {} selections failed", failures.len());
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(events > 300, "the selections found too few events ({events}) to prove anything");
}

/// `--format interpret` is `ausearch -i`'s text, byte for byte (RAW logs: names from this
/// host's /etc/passwd for both). Skipped while dockaudit lacks that format.
#[test]
fn interpret_equals_ausearch_i_on_the_real_auditd_logs() {
    if skip_without("ausearch") {
        return;
    }
    if !takes(&["events", "--format", "interpret"]) {
        eprintln!("SKIPPED: dockaudit events has no --format interpret yet");
        return;
    }
    let (mut cases, mut failures) = (0, Vec::new());
    for log in logs() {
        for (ours, theirs) in SELECTIONS {
            cases += 1;
            if let Err(e) = compare(&log, "interpret", ours, theirs, &["-i"]) {
                failures.push(format!("{}: {e}", log.display()));
            }
        }
    }
    eprintln!("real-log oracle: {cases} comparisons with ausearch -i, {} failed", failures.len());
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `dockaudit report` counts what `aureport` counts. Skipped while dockaudit lacks it.
#[test]
fn report_equals_aureport_on_the_real_auditd_logs() {
    if skip_without("aureport") {
        return;
    }
    let reports: &[(&[&str], &[&str])] = &[
        (&["--key", "--summary"], &["-k", "--summary"]),
        (&["--exe", "--summary"], &["-x", "--summary"]),
        (&["--file", "--summary"], &["-f", "--summary"]),
        (&["--key"], &["-k"]),
    ];
    let aureport = tool("aureport").expect("checked");
    let (mut cases, mut failures) = (0, Vec::new());
    for (ours, theirs) in reports {
        let mut probe = vec!["report"];
        probe.extend_from_slice(ours);
        if !takes(&probe) {
            eprintln!("SKIPPED: dockaudit does not take {probe:?} yet");
            continue;
        }
        for log in logs() {
            let file = log.to_str().unwrap();
            let mut our_args = probe.clone();
            our_args.extend_from_slice(&["--input", file]);
            let mut their_args = theirs.to_vec();
            their_args.extend_from_slice(&["-if", file]);
            let (a, b) = (run(&dockaudit_bin(), &our_args), run(&aureport, &their_args));
            cases += 1;
            if a.stdout != b.stdout {
                failures.push(format!(
                    "{file}: dockaudit {our_args:?} != aureport {their_args:?}:\n ours:\n{}\n theirs:\n{}\nstderr: {}",
                    String::from_utf8_lossy(&a.stdout),
                    String::from_utf8_lossy(&b.stdout),
                    String::from_utf8_lossy(&a.stderr)
                ));
            }
        }
    }
    eprintln!("real-log oracle: {cases} comparisons with aureport, {} failed", failures.len());
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
