//! `dockaudit events` and `report` against the real `ausearch` and `aureport` (audit 3.0.9)
//! on logs the real auditd wrote in the VM guests (tests/data/logs/: Debian's kernels 5.10,
//! 6.1 and 6.12, RAW and ENRICHED, the CIS Docker watches loaded; see its README). The
//! generated logs of `events.rs` cover the shapes; these are what kernels and auditd write.
//! Only reads files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::oracle_util::{assert_none_failed, compare_grouping, compare_with, run_in, skip_without, tool};
use crate::util::{dockaudit_bin, repo_path};

const KERNELS: [&str; 3] = ["5.10", "6.1", "6.12"];
const FORMATS: [&str; 2] = ["raw", "enriched"];

fn run(program: &Path, args: &[&str]) -> Output {
    run_in(program, args, "UTC", None)
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
    compare_with(log, &our_args, "ausearch", &their_args, "UTC", None).map(drop)
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
                failures.push(e);
            }
        }
        let all = run(&dockaudit_bin(), &["events", "--format", "raw", "--all", "--input", log.to_str().unwrap()]);
        lines += String::from_utf8_lossy(&all.stdout).lines().count();
    }
    assert_none_failed("real-log oracle (ausearch --raw)", cases, &failures);
    assert!(lines > 300, "the captured logs hold too few lines ({lines}) to prove anything");
}

/// The JSON form's record counts cut our events as ausearch's default form cuts the real
/// logs ([`compare_grouping`]).
#[test]
fn real_logs_are_grouped_as_ausearch_groups_them() {
    if skip_without("ausearch") {
        return;
    }
    let (mut cases, mut failures, mut events) = (0, Vec::new(), 0);
    for log in logs() {
        let file = log.to_str().unwrap();
        for (ours, theirs) in SELECTIONS {
            cases += 1;
            match compare_grouping(file, file, ours, theirs) {
                Ok(n) => events += n,
                Err(e) => failures.push(e),
            }
        }
    }
    eprintln!("real-log grouping oracle: {events} events of ausearch");
    assert_none_failed("real-log grouping oracle", cases, &failures);
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
                failures.push(e);
            }
        }
    }
    assert_none_failed("real-log oracle (ausearch -i)", cases, &failures);
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
    assert_none_failed("real-log oracle (aureport)", cases, &failures);
}
