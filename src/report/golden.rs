//! Golden files: every report format of one fixed evaluation (a mixed rule set on a
//! fake Docker host). `DOCKAUDIT_BLESS=1 cargo test --lib golden` rewrites them after
//! an intended change; review the diff before committing.

use std::path::PathBuf;

use super::{render, Format};
use crate::host::FakeFs;
use crate::judge::Benchmark;
use crate::judge::{evaluate, Evaluation, Options};
use crate::kernel::Status;
use crate::rule::syscalls::Arch;
use crate::rules_file::test_rules as parse;

pub const MIXED_RULES: &str = include_str!("../../tests/data/rules/mixed-docker.rules");

pub fn golden_host() -> FakeFs {
    FakeFs::new()
        .file("/usr/bin/dockerd")
        .file("/usr/bin/containerd")
        .file("/usr/bin/containerd-shim")
        .file("/usr/bin/containerd-shim-runc-v2")
        .file("/usr/bin/runc")
        .file("/run/containerd/containerd.sock")
        .dir("/var/lib/docker/overlay2")
        .file("/etc/docker/daemon.json")
        .file("/etc/default/docker")
        .file("/usr/lib/systemd/system/docker.service")
        .symlink("/lib", "usr/lib")
}

pub fn golden_evaluation() -> Evaluation {
    let fs = golden_host();
    let rules = parse(MIXED_RULES, &fs);
    let status = Status { enabled: 1, pid: 0, backlog_limit: 64, ..Status::default() };
    let mut opts = Options::new(Benchmark::V1_6_0);
    opts.native = Arch::X86_64;
    evaluate(&rules, Some(&status), &fs, &opts).unwrap()
}

#[test]
fn report_formats_match_their_golden_files() {
    let eval = golden_evaluation();
    let bless = std::env::var_os("DOCKAUDIT_BLESS").is_some_and(|v| v == "1");
    let mut stale = Vec::new();
    for format in Format::ALL {
        let path =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/data/golden/check.{}", format.extension()));
        let got = render(&eval, format, false);
        if bless {
            std::fs::write(&path, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_default();
        if got != want {
            stale.push(format!("{}:\n{got}", path.display()));
        }
    }
    assert!(stale.is_empty(), "golden files differ (DOCKAUDIT_BLESS=1 re-blesses):\n{}", stale.join("\n"));
}

#[test]
fn color_appears_only_when_asked() {
    let eval = golden_evaluation();
    assert!(!render(&eval, Format::Text, false).contains('\x1b'));
    assert!(render(&eval, Format::Text, true).contains("\x1b[31;1mFAIL\x1b[0m"));
}

#[test]
fn every_format_carries_the_judged_path_and_text_and_junit_say_how_it_was_found() {
    let mut eval = golden_evaluation();
    let c = eval.controls.iter_mut().find(|c| c.id == "1.1.18").unwrap();
    c.path = "/usr/sbin/runc".into();
    c.found_by = "PATH of containerd.service".into();
    c.reasons = vec!["no audit rule records changes to /usr/sbin/runc".into()];
    let shown = "path: /usr/sbin/runc (found by PATH of containerd.service; the CIS text names /usr/bin/runc)\n";
    let text = render(&eval, Format::Text, false);
    assert!(text.contains(&format!("      {shown}      why:  no audit rule")), "{text}");
    assert!(!text.contains("path: /usr/bin/runc"), "{text}");
    assert!(render(&eval, Format::Junit, false).contains(shown));
    let json = render(&eval, Format::Json, false);
    assert!(json.contains(
        "\"path\": \"/usr/sbin/runc\",\n      \"cis_path\": \"/usr/bin/runc\",\n      \"found_by\": \"PATH of containerd.service\","
    ));
    assert!(render(&eval, Format::Prometheus, false).contains("id=\"1.1.18\",path=\"/usr/sbin/runc\""));
    assert!(render(&eval, Format::Sarif, false).contains("file:///usr/sbin/runc"));
}
