//! `dockaudit report` against the real `aureport` (audit 3.0.9) on the logs the events
//! tests generate, widened with what the reports read (`Shape::extras`): every report
//! (-k -f -x -s -u), detailed and --summary, with --failed, --success, -nc and -ts/-te,
//! in two time zones; same bytes, same exit status. Only reads files; never touches the
//! host's audit state.

use std::path::Path;
use std::process::Output;

use crate::events::{docker_selection_root, generate, Shape};
use crate::oracle_util::{assert_none_failed, compare_with, run_in, skip_without};
use crate::util::{dockaudit_bin, tempdir};

fn run(program: &Path, args: &[&str], tz: &str) -> Output {
    run_in(program, args, tz, None)
}

/// `dockaudit report OURS` and `aureport THEIRS`: the same bytes and exit status.
fn compare(what: &str, ours: &[&str], theirs: &[&str], tz: &str) -> Result<(), String> {
    let mut our_args = vec!["report"];
    our_args.extend_from_slice(ours);
    compare_with(what, &our_args, "aureport", theirs, tz, None).map(drop)
}

const SHAPES: &[Shape] = &[
    Shape { extras: true, ..Shape::new(21, 1500, 3, 40) },
    Shape { nodes: true, malformed: true, extras: true, ..Shape::new(22, 1500, 8, 5) },
    Shape { enriched: true, extras: true, ..Shape::new(23, 1500, 4, 400) },
    // The events tests' own log, as it is.
    Shape::new(1, 1500, 3, 40),
];

/// (our flag, aureport's) for each report.
const KINDS: &[(&str, &str)] =
    &[("--key", "-k"), ("--file", "-f"), ("--exe", "-x"), ("--syscall", "-s"), ("--user", "-u")];

/// (ours, theirs): the filters crossed with every report.
const FILTERS: &[(&[&str], &[&str])] = &[
    (&[], &[]),
    (&["--failed"], &["--failed"]),
    (&["--success"], &["--success"]),
    (&["--no-config"], &["-nc"]),
    (&["--failed", "--nc"], &["--failed", "-nc"]),
];

/// The same instants in each zone's local time: 2023-11-14 22:13:40 and 22:15:00 UTC.
fn bounds(tz: &str) -> [(&'static str, &'static str); 2] {
    match tz {
        "UTC" => [("11/14/23", "22:13:40"), ("11/14/23", "22:15:00")],
        _ => [("11/15/23", "03:43:40"), ("11/15/23", "03:45:00")],
    }
}

const ZONES: [&str; 2] = ["UTC", "Asia/Kolkata"];

#[test]
fn reports_equal_aureport() {
    if skip_without("aureport") {
        return;
    }
    let dir = tempdir();
    let mut failures = Vec::new();
    let mut cases = 0;
    for shape in SHAPES {
        let file = dir.join(format!("audit-{}.log", shape.seed));
        std::fs::write(&file, generate(shape)).unwrap();
        let file = file.to_str().unwrap();
        for tz in ZONES {
            let [(d0, t0), (d1, t1)] = bounds(tz);
            let (start, end) = (format!("{d0} {t0}"), format!("{d1} {t1}"));
            for (ours_kind, their_kind) in KINDS {
                for summary in [false, true] {
                    let mut runs: Vec<(Vec<&str>, Vec<&str>)> =
                        FILTERS.iter().map(|(o, t)| (o.to_vec(), t.to_vec())).collect();
                    runs.push((vec!["--start", &start], vec!["-ts", d0, t0]));
                    runs.push((vec!["--start", &start, "--end", &end], vec!["-ts", d0, t0, "-te", d1, t1]));
                    for (o, t) in runs {
                        let mut ours = vec!["--input", file, ours_kind];
                        let mut theirs = vec!["-if", file, their_kind];
                        if summary {
                            ours.push("--summary");
                            theirs.push("--summary");
                        }
                        ours.extend(o);
                        theirs.extend(t);
                        cases += 1;
                        if let Err(e) = compare(&format!("shape {}", shape.seed), &ours, &theirs, tz) {
                            failures.push(e);
                        }
                    }
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert_none_failed("report oracle (aureport)", cases, &failures);
    assert!(cases >= 500, "too few comparisons ({cases})");
}

/// A report with nothing in it: aureport's message and exit status (1 detailed, 0 summary).
#[test]
fn empty_reports_equal_aureport() {
    if skip_without("aureport") {
        return;
    }
    let dir = tempdir();
    let file = dir.join("quiet.log");
    std::fs::write(
        &file,
        "type=DAEMON_START msg=audit(1700000000.000:1): op=start ver=3.0.9 format=raw kernel=6.1.0 auid=4294967295 pid=1 uid=0 ses=4294967295 res=success\n",
    )
    .unwrap();
    let file = file.to_str().unwrap();
    let (mut cases, mut failures) = (0, Vec::new());
    for (ours, theirs) in KINDS {
        for summary in [&[][..], &["--summary"][..]] {
            let mut o = vec!["--input", file, ours];
            let mut t = vec!["-if", file, theirs];
            o.extend_from_slice(summary);
            t.extend_from_slice(summary);
            cases += 1;
            if let Err(e) = compare("empty", &o, &t, "UTC") {
                failures.push(e);
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert_none_failed("empty report oracle (aureport)", cases, &failures);
}

/// `--control` counts each control's events by the files and keys `events --control`
/// uses: the planted events of the Docker-selection root (runc by both names, by the
/// rule's key, relatively; daemon.json under /etc/docker for 1.1.6 and 1.1.11).
#[test]
fn control_report_counts_the_docker_selection() {
    let (root, events) = docker_selection_root();
    let root_s = root.to_str().unwrap();
    let out = run(&dockaudit_bin(), &["report", "--root", root_s, "--control", "--summary"], "UTC");
    let runc = events.iter().filter(|e| e.runc || e.lines[0].contains("runc-exec")).count();
    let expected = format!(
        "\nControl Summary Report\n===========================\ntotal  control\n===========================\n{runc}  1.1.18\n1  1.1.6\n1  1.1.11\n"
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected, "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(0));
    let out = run(&dockaudit_bin(), &["report", "--root", root_s, "--control", "--format", "json"], "UTC");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["report"], "control");
    let rows = doc["rows"].as_array().unwrap();
    assert_eq!(rows.len(), runc + 1, "{doc}");
    assert_eq!(rows.last().unwrap()["controls"], serde_json::json!(["1.1.6", "1.1.11"]));
    // A detailed report with no row is exit 1, as aureport's.
    let out = run(&dockaudit_bin(), &["report", "--root", root_s, "--control", "--failed"], "UTC");
    assert_eq!(out.status.code(), Some(1));
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn usage_errors_are_exit_2() {
    for args in [&["report"][..], &["report", "--key", "--file"], &["report", "--key", "--failed", "--success"]] {
        let out = run(&dockaudit_bin(), args, "UTC");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    let out = run(&dockaudit_bin(), &["report", "--key", "--input", "/nonexistent/audit.log"], "UTC");
    assert_eq!(out.status.code(), Some(2));
}
