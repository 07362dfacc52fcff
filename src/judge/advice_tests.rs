//! Judging the file discovery found, on roots laid out as Debian bookworm installs
//! Docker (`shared/reference/docker-layouts.md`), with the CIS lines.

use std::sync::Arc;

use super::super::{evaluate, Benchmark, ControlVerdict, Options, Verdict};
use crate::docker::discover;
use crate::host::FakeFs;
use crate::rule::syscalls::Arch;
use crate::rules_file::test_rules as parse;

const DOCKER_SERVICE: &str = "[Unit]\nDescription=Docker Application Container Engine\n\n[Service]\nType=notify\n\
    EnvironmentFile=-/etc/default/docker\n\
    ExecStart=/usr/sbin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock $DOCKER_OPTS\n";
const CONTAINERD_SERVICE: &str = "[Service]\nExecStartPre=-/sbin/modprobe overlay\nExecStart=/usr/bin/containerd\n";

/// Debian bookworm's docker.io, containerd and runc as installed: merged /usr, dockerd
/// and runc in /usr/sbin, `/usr/bin/runc -> ../sbin/runc`, units under /lib.
fn bookworm() -> FakeFs {
    crate::docker::layout("Debian bookworm").root.dir("/run")
}

/// The CIS remediation lines of 1.6.0, as the benchmark prints them.
const CIS_LINES: &str = "-w /usr/bin/dockerd -k docker\n\
    -a exit,always -F path=/run/containerd -F perm=war -k docker\n\
    -w /var/lib/docker -k docker\n-w /etc/docker -k docker\n\
    -w /lib/systemd/system/docker.service -k docker\n\
    -w /run/containerd/containerd.sock -k docker\n\
    -w /lib/systemd/system/docker.socket -k docker\n\
    -w /etc/default/docker -k docker\n-w /etc/docker/daemon.json -k docker\n\
    -w /etc/containerd/config.toml -k docker\n-w /etc/sysconfig/docker -k docker\n\
    -w /usr/bin/containerd -k docker\n-w /usr/bin/containerd-shim -k docker\n\
    -w /usr/bin/containerd-shim-runc-v1 -k docker\n-w /usr/bin/containerd-shim-runc-v2 -k docker\n\
    -w /usr/bin/runc -k docker\n";

fn opts(fs: &FakeFs, strict: bool) -> Options {
    let mut opts = Options::new(Benchmark::V1_6_0);
    opts.native = Arch::X86_64;
    opts.strict = strict;
    opts.discovery = Some(Arc::new(discover(fs, None)));
    opts
}

fn judge(fs: &FakeFs, rules: &str) -> Vec<ControlVerdict> {
    evaluate(&parse(rules, fs), None, fs, &opts(fs, false)).unwrap().controls
}

#[track_caller]
fn control<'a>(controls: &'a [ControlVerdict], id: &str) -> &'a ControlVerdict {
    controls.iter().find(|c| c.id == id).unwrap()
}

#[track_caller]
fn has_reason(c: &ControlVerdict, part: &str) {
    assert!(c.reasons.iter().any(|r| r.contains(part)), "{} has no reason with {part:?}: {c:#?}", c.id);
}

#[test]
fn the_daemon_is_judged_where_debian_installs_it_and_the_cis_rule_watches_nothing() {
    let fs = bookworm();
    let all = judge(&fs, CIS_LINES);
    let c = control(&all, "1.1.3");
    assert_eq!(c.verdict, Verdict::Fail, "{c:#?}");
    assert_eq!((c.path.as_str(), c.cis_path.as_str()), ("/usr/sbin/dockerd", "/usr/bin/dockerd"));
    assert!(c.found_by.starts_with("docker.service ExecStart (/usr/lib/systemd/system/docker.service:"), "{c:#?}");
    has_reason(c, "no audit rule records changes to /usr/sbin/dockerd");
    has_reason(
        c,
        "`-w /usr/bin/dockerd -p rwxa -k docker` watches /usr/bin/dockerd, a path that does not exist: \
         it records nothing until a file appears there; the daemon is /usr/sbin/dockerd (found by docker.service ExecStart",
    );
    assert_eq!(c.remediation, "-w /usr/sbin/dockerd -k docker");
}

#[test]
fn a_watch_on_the_runc_symlink_is_named_and_runc_is_judged_where_it_is() {
    let all = judge(&bookworm(), CIS_LINES);
    let c = control(&all, "1.1.18");
    assert_eq!(c.verdict, Verdict::Fail);
    assert_eq!((c.path.as_str(), c.cis_path.as_str()), ("/usr/sbin/runc", "/usr/bin/runc"));
    assert_eq!(c.found_by, "PATH of containerd.service");
    has_reason(c, "`-w /usr/bin/runc -p rwxa -k docker` watches the symlink /usr/bin/runc, not the file it points to (/usr/sbin/runc)");
    // The right line passes, whichever spelling of the directory it uses.
    for line in ["-w /usr/sbin/runc -k docker", "-w /sbin/runc -k docker"] {
        let all = judge(&bookworm(), line);
        assert_eq!(control(&all, "1.1.18").verdict, Verdict::Pass, "{line}");
    }
}

#[test]
fn what_the_cis_lines_cover_on_bookworm_and_what_is_not_applicable() {
    let all = judge(&bookworm(), CIS_LINES);
    let got: Vec<(&str, Verdict)> = all.iter().map(|c| (c.id, c.verdict)).collect();
    use Verdict::*;
    assert_eq!(
        got,
        [
            ("1.1.3", Fail),
            ("1.1.4", NotApplicable),
            ("1.1.5", Pass),
            ("1.1.6", Pass),
            ("1.1.7", Pass),
            ("1.1.8", NotApplicable),
            ("1.1.9", Pass),
            ("1.1.10", Pass),
            ("1.1.11", NotApplicable),
            ("1.1.12", Pass),
            ("1.1.13", NotApplicable),
            ("1.1.14", Pass),
            ("1.1.15", Pass),
            ("1.1.16", Pass),
            ("1.1.17", Pass),
            ("1.1.18", Fail),
        ]
    );
    // Units: the file systemd loads, /lib being /usr/lib; the CIS path is the same file.
    let unit = control(&all, "1.1.7");
    assert_eq!(unit.path, "/usr/lib/systemd/system/docker.service");
    assert_eq!(unit.path, unit.cis_path);
    // Not applicable says where discovery looked.
    has_reason(control(&all, "1.1.4"), "looked at");
}

#[test]
fn a_copy_in_usr_local_bin_shadows_usr_sbin_runc_and_the_other_copy_is_named() {
    let fs = bookworm().exe("/usr/local/bin/runc");
    let all = judge(&fs, "-w /usr/sbin/runc -k docker\n");
    let c = control(&all, "1.1.18");
    assert_eq!(c.path, "/usr/local/bin/runc");
    assert_eq!(c.verdict, Verdict::Fail, "{c:#?}");
    has_reason(c, "another runc exists at /usr/sbin/runc");
    has_reason(c, "`-w /usr/sbin/runc -p rwxa -k docker` records that copy, not the judged file");
    let all = judge(&fs, "-w /usr/local/bin/runc -k docker\n");
    assert_eq!(control(&all, "1.1.18").verdict, Verdict::Pass);
}

#[test]
fn drop_ins_of_a_unit_are_advice_with_whether_a_rule_records_them() {
    let fs = bookworm().file_with(
        "/etc/systemd/system/docker.service.d/override.conf",
        "[Service]\nExecStart=\nExecStart=/usr/sbin/dockerd -H unix:///run/docker.sock\n",
    );
    let all = judge(&fs, "-w /lib/systemd/system/docker.service -k docker\n");
    let c = control(&all, "1.1.7");
    assert_eq!(c.verdict, Verdict::Pass, "the verdict stays the unit file's: {c:#?}");
    has_reason(
        c,
        "the drop-in /etc/systemd/system/docker.service.d/override.conf changes docker.service; no rule records changes to it in full",
    );
    let dockerd = control(&all, "1.1.3");
    assert!(dockerd.found_by.contains("/etc/systemd/system/docker.service.d/override.conf:3"), "{dockerd:#?}");
    let rules = "-w /lib/systemd/system/docker.service -k docker\n-w /etc/systemd/system/docker.service.d -k docker\n";
    let all = judge(&fs, rules);
    has_reason(
        control(&all, "1.1.7"),
        "the drop-in /etc/systemd/system/docker.service.d/override.conf changes docker.service; `-w /etc/systemd/system/docker.service.d -p rwxa -k docker` records it",
    );
}

#[test]
fn containerd_2_has_no_v1_shims_and_they_are_not_applicable_saying_where_discovery_looked() {
    // sid: containerd 2.x, only containerd-shim-runc-v2.
    let fs = FakeFs::new()
        .merged_usr()
        .exe("/usr/sbin/dockerd")
        .file_with("/usr/bin/containerd", "\x7fELF...github.com/containerd/containerd/v2/core...")
        .exe("/usr/bin/containerd-shim-runc-v2")
        .exe("/usr/sbin/runc")
        .file_with("/usr/lib/systemd/system/docker.service", DOCKER_SERVICE)
        .file_with("/usr/lib/systemd/system/containerd.service", CONTAINERD_SERVICE);
    let all = judge(&fs, CIS_LINES);
    for id in ["1.1.15", "1.1.16"] {
        let c = control(&all, id);
        assert_eq!(c.verdict, Verdict::NotApplicable, "{c:#?}");
        assert_eq!(c.found_by, "not found");
        has_reason(c, "is not installed (looked at: ");
        has_reason(c, "is 2.x, which has no containerd-shim nor containerd-shim-runc-v1");
    }
    assert_eq!(control(&all, "1.1.17").verdict, Verdict::Pass);
}

#[test]
fn strict_demands_the_cis_permissions_and_key_on_the_judged_file() {
    let fs = bookworm();
    let strict = |rules: &str| {
        let eval = evaluate(&parse(rules, &fs), None, &fs, &opts(&fs, true)).unwrap();
        control(&eval.controls, "1.1.3").verdict
    };
    assert_eq!(strict("-w /usr/sbin/dockerd -k docker"), Verdict::Pass);
    assert_eq!(strict("-w /usr/sbin/dockerd -p wa -k docker"), Verdict::Weak);
    assert_eq!(strict("-w /usr/sbin/dockerd -k other"), Verdict::Weak);
    assert_eq!(strict("-w /usr/bin/dockerd -k docker"), Verdict::Fail);
}

#[test]
fn where_the_host_uses_the_cis_paths_nothing_changes() {
    // The golden files' host, with the units that say so (without containerd.service
    // discovery would take containerd for the one dockerd starts itself, with its state
    // under dockerd's exec-root): every file at its CIS path. Judged with and without
    // discovery, the verdicts, reasons, rules and paths are the same.
    let fs = FakeFs::new()
        .file_with("/usr/lib/systemd/system/containerd.service", "[Service]\nExecStart=/usr/bin/containerd\n")
        .file("/usr/bin/dockerd")
        .file("/usr/bin/containerd")
        .file("/usr/bin/containerd-shim")
        .file("/usr/bin/containerd-shim-runc-v2")
        .file("/usr/bin/runc")
        .file("/run/containerd/containerd.sock")
        .dir("/var/lib/docker/overlay2")
        .file("/etc/docker/daemon.json")
        .file("/etc/default/docker")
        .file_with(
            "/usr/lib/systemd/system/docker.service",
            "[Service]\nExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock\n",
        )
        .symlink("/lib", "usr/lib");
    let rules = parse(include_str!("../../tests/data/rules/mixed-docker.rules"), &fs);
    let mut plain = Options::new(Benchmark::V1_6_0);
    plain.native = Arch::X86_64;
    let without = evaluate(&rules, None, &fs, &plain).unwrap();
    let with = evaluate(&rules, None, &fs, &opts(&fs, false)).unwrap();
    for (a, b) in without.controls.iter().zip(&with.controls) {
        if a.verdict == Verdict::NotApplicable {
            assert_eq!(b.verdict, Verdict::NotApplicable, "{b:#?}");
            continue;
        }
        assert_eq!((&a.path, a.verdict, &a.reasons, &a.rules), (&b.path, b.verdict, &b.reasons, &b.rules));
        assert_eq!(b.path, b.cis_path);
    }
}

#[test]
fn what_discovery_could_not_read_is_a_weak_host_check_only_when_there_is_something() {
    let fs = bookworm();
    let eval = evaluate(&[], None, &fs, &opts(&fs, false)).unwrap();
    assert!(eval.host.is_empty());
    let fs = bookworm().file_with("/etc/docker/daemon.json", "{not json");
    let eval = evaluate(&[], None, &fs, &opts(&fs, false)).unwrap();
    assert_eq!(eval.host.len(), 1);
    let check = &eval.host[0];
    assert_eq!((check.id, check.verdict), ("docker-discovery", Verdict::Weak));
    assert!(check.reasons[0].starts_with("/etc/docker/daemon.json is not valid JSON"), "{check:#?}");
}

#[test]
fn a_file_at_the_cis_path_is_judged_when_discovery_looked_elsewhere() {
    // No containerd.service and no --containerd: discovery takes containerd for the one
    // dockerd starts itself (state under /var/run/docker/containerd), and does not look
    // at /run/containerd. It exists here: judged, never called not applicable.
    let fs = FakeFs::new().merged_usr().exe("/usr/bin/dockerd").exe("/usr/bin/containerd").dir("/run/containerd");
    let all = judge(&fs, "-a exit,always -F path=/run/containerd -F perm=war -k docker\n");
    let c = control(&all, "1.1.4");
    assert_eq!((c.verdict, c.path.as_str(), c.found_by.as_str()), (Verdict::Pass, "/run/containerd", "CIS path"));
    has_reason(c, "discovery found none where the host would use it (/run/containerd does not exist (looked at: containerd started by dockerd");
    has_reason(c, "the CIS path exists and is judged");
}
