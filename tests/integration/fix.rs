//! Offline judging (`check --root`, `--rules`) on a root filesystem built here, and
//! `fix`: printing, `--write` on a root, and `--apply`/`--revert` on the host kernel
//! (rules saved and restored by `HostRules`). The locked-kernel and rejected-rule cases
//! of `--apply`/`--revert` run against the in-memory kernel (`src/fix/tests.rs`); the
//! VM harness adds a locked guest.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use crate::check::DockerPaths;
use crate::util::{self, HostRules};
use dockaudit::docker::{discover, ProcFs};
use dockaudit::host::HostFs;
use dockaudit::judge::Benchmark;
use dockaudit::judge::{evaluate, Options, Verdict};
use dockaudit::AuditClient;

/// An image-like root: Docker's files, an /etc/passwd, and rule files the way a
/// distribution leaves them (comments, a disabled file, `-e 2` last).
struct Image(PathBuf);

impl Image {
    fn new() -> Image {
        let root = util::tempdir();
        for d in
            ["etc/audit/rules.d", "etc/docker", "usr/bin", "run/containerd", "var/lib/docker", "usr/lib/systemd/system"]
        {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        // containerd.service: containerd is a service of its own, as every package installs
        // it (without it, discovery takes containerd for one dockerd starts itself).
        for f in [
            "usr/bin/dockerd",
            "usr/bin/containerd",
            "etc/docker/daemon.json",
            "usr/lib/systemd/system/docker.service",
            "usr/lib/systemd/system/containerd.service",
        ] {
            std::fs::write(root.join(f), "").unwrap();
        }
        std::fs::write(root.join("etc/passwd"), "root:x:0:0::/root:/bin/sh\n").unwrap();
        let image = Image(root);
        image.write(
            "etc/audit/rules.d/10-base.rules",
            "## First rule - delete all\n-D\n\n## Increase the buffers\n-b 8192\n",
        );
        image.write(
            "etc/audit/rules.d/50-docker.rules",
            "# CIS 1.1.3\n-w /usr/bin/dockerd -k docker\n   # a tree watch on /etc/docker covers daemon.json (1.1.11)\n-w /etc/docker -k docker\n",
        );
        image.write("etc/audit/rules.d/60-containerd.rules.disabled", "-w /usr/bin/containerd -k docker\n");
        image.write("etc/audit/rules.d/99-finalize.rules", "## Make the configuration immutable\n-e 2\n");
        // World-readable, so the judging below can run as nobody.
        Command::new("chmod").args(["-R", "a+rX"]).arg(&image.0).status().unwrap();
        image
    }

    fn write(&self, path: &str, text: &str) {
        std::fs::write(self.0.join(path), text).unwrap();
    }

    fn root(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for Image {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs dockaudit as nobody with no capabilities when root (proof that offline
/// judging needs none), else as the caller.
fn unprivileged(args: &[&str]) -> Output {
    if util::is_root() && Path::new("/usr/bin/setpriv").exists() {
        let mut all = vec!["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--"];
        let bin = util::dockaudit_bin();
        all.push(bin.to_str().unwrap());
        all.extend_from_slice(args);
        return util::run(Path::new("/usr/bin/setpriv"), &all);
    }
    util::dockaudit(args)
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", util::stdout(out), String::from_utf8_lossy(&out.stderr)))
}

fn control<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["controls"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap_or_else(|| panic!("no {id}"))
}

fn host_check<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["host"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap_or_else(|| panic!("no {id}"))
}

#[test]
fn check_root_judges_an_image_from_its_rule_files_without_kernel_or_capabilities() {
    let image = Image::new();
    let out = unprivileged(&["check", "--root", image.root(), "--format", "json"]);
    let report = json(&out);
    assert_eq!(out.status.code(), Some(1), "containerd is not audited: a finding");
    assert_eq!(report["mode"], "offline");
    assert!(report["audit"].is_null());
    // No kernel was asked: the rules were read with AUDIT_FEATURE_BITMAP_ALL (uapi audit.h).
    assert_eq!(report["assumed_features"]["bitmap"], 0x7f);
    assert_eq!(report["assumed_features"]["names"].as_array().unwrap().len(), 7);
    let dockerd = control(&report, "1.1.3");
    assert_eq!(dockerd["status"], "pass");
    assert_eq!(dockerd["persistence"]["sources"][0], "/etc/audit/rules.d/50-docker.rules:2");
    assert_eq!(dockerd["persistence"]["persistent"], true);
    // The directory watch became a tree watch on the image's /etc/docker and covers the file.
    assert_eq!(control(&report, "1.1.11")["status"], "pass");
    assert_eq!(control(&report, "1.1.11")["rules"][0], "-w /etc/docker -p rwxa -k docker");
    // Only in a disabled file: not loaded at boot.
    assert_eq!(control(&report, "1.1.14")["status"], "fail");
    assert_eq!(control(&report, "1.1.4")["status"], "fail");
    assert_eq!(control(&report, "1.1.7")["path"], "/usr/lib/systemd/system/docker.service");
    assert_eq!(control(&report, "1.1.18")["status"], "not_applicable");
    assert_eq!(host_check(&report, "rules-locked")["status"], "pass", "-e 2 at the end");
    assert_eq!(host_check(&report, "backlog-limit")["status"], "pass", "-b 8192");
    assert_eq!(host_check(&report, "auditd-running")["status"], "not_applicable");
    assert_eq!(host_check(&report, "rule-files")["status"], "pass");

    // A rule file that stops the boot load early is a failed host check.
    image.write("etc/audit/rules.d/20-typo.rules", "-w /usr/bin/dockerd -p rwz\n");
    let report = json(&unprivileged(&["check", "--root", image.root(), "--format", "json"]));
    assert_eq!(host_check(&report, "rule-files")["status"], "fail");
    assert_eq!(control(&report, "1.1.3")["status"], "fail", "the rules after the typo are never loaded");
}

#[test]
fn check_rules_judges_a_given_file_against_a_root_or_the_hosts_files() {
    let image = Image::new();
    let file = image.0.join("candidate.rules");
    std::fs::write(
        &file,
        "-w /usr/bin/containerd -p wa\n-a never,exit -F path=/usr/bin/dockerd\n-w /usr/bin/dockerd -k docker\n",
    )
    .unwrap();
    let out = unprivileged(&[
        "check",
        "--rules",
        file.to_str().unwrap(),
        "--root",
        image.root(),
        "--format",
        "json",
        "--only",
        "1.1.3,1.1.14",
    ]);
    let report = json(&out);
    assert_eq!(control(&report, "1.1.14")["status"], "pass");
    assert_eq!(control(&report, "1.1.3")["status"], "fail", "shadowed by the never rule");
    assert_eq!(control(&report, "1.1.14")["persistence"]["sources"][0], format!("{}:1", file.display()));
    assert_eq!(host_check(&report, "rules-locked")["status"], "weak");
    // Against the host's own files (this host has no Docker): nothing applies, exit 0.
    let out = unprivileged(&["check", "--rules", file.to_str().unwrap()]);
    let text = util::stdout(&out);
    assert!(text.contains("offline: rules judged without the kernel's audit state"), "{text}");
    if !Path::new("/usr/bin/dockerd").exists() && !Path::new("/usr/bin/containerd").exists() {
        assert!(text.contains("0 pass, 0 weak, 0 fail"), "{text}");
    }
    let out = unprivileged(&["check", "--rules", "/nonexistent/x.rules"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read /nonexistent/x.rules"));
}

#[test]
fn fix_write_on_an_image_is_idempotent_and_the_image_then_passes() {
    let image = Image::new();
    let printed = unprivileged(&["fix", "--root", image.root()]);
    let text = util::stdout(&printed);
    assert!(text.contains("# 1.1.14 Ensure auditing is configured for Docker files and directories - /usr/bin/containerd\n-w /usr/bin/containerd -p rwxa -k docker\n"), "{text}");
    assert!(text.contains("-a always,exit -F path=/run/containerd -F perm=war -k docker\n"), "{text}");
    assert_eq!(printed.status.code(), Some(0));

    let dir = image.0.join("etc/audit/rules.d");
    let target = dir.join("50-dockaudit.rules");
    let snapshot = |skip: &str| -> Vec<(String, Vec<u8>, i64)> {
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| !p.ends_with(skip))
            .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap(), std::fs::metadata(&p).unwrap().mtime_nsec()))
            .collect();
        files.sort();
        files
    };
    let others = snapshot("50-dockaudit.rules");
    let out = util::dockaudit(&["fix", "--root", image.root(), "--write", target.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        util::stdout(&out).starts_with(&format!("wrote {}: 4 rule(s)", target.display())),
        "{}",
        util::stdout(&out)
    );
    let written = std::fs::read(&target).unwrap();
    assert_eq!(written, printed.stdout, "--write writes what fix prints");
    let meta = std::fs::metadata(&target).unwrap();
    assert_eq!(meta.mode() & 0o7777, 0o640);

    // Second run: the file's own rules are left out of the judgement, so the same bytes;
    // not rewritten at all.
    let out = util::dockaudit(&["fix", "--root", image.root(), "--write", target.to_str().unwrap()]);
    assert!(util::stdout(&out).contains("is up to date (4 rule(s)); not rewritten"), "{}", util::stdout(&out));
    let again = std::fs::metadata(&target).unwrap();
    assert_eq!((again.ino(), again.mtime_nsec()), (meta.ino(), meta.mtime_nsec()));
    assert_eq!(snapshot("50-dockaudit.rules"), others, "no other file touched");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), others.len() + 1, "no temp file left behind");

    // As the caller: the written file is 0640, readable by its owner only.
    let out = util::dockaudit(&["check", "--root", image.root()]);
    let text = util::stdout(&out);
    assert!(text.contains("Summary: 16 controls: 7 pass, 0 weak, 0 fail, 9 not applicable, 0 error"), "{text}");
    assert_eq!(out.status.code(), Some(0), "{text}");

    let out =
        util::dockaudit(&["fix", "--root", image.root(), "--write", dir.join("50-dockaudit.conf").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "augenrules would ignore it");
    let out = util::dockaudit(&["fix", "--root", image.root(), "--apply"]);
    assert_eq!(out.status.code(), Some(2), "--apply is for the running kernel");
}

fn kernel_listing() -> Vec<String> {
    util::stdout(&util::dockaudit(&["list"])).lines().map(str::to_string).collect()
}

#[test]
fn fix_apply_then_check_passes_and_revert_restores_the_kernels_earlier_rules() {
    if let Some(why) = util::host_kernel_unavailable() {
        eprintln!("skipped: {why}");
        return;
    }
    let host = HostRules::borrow();
    let _paths = DockerPaths::create();
    let state_dir = util::tempdir();
    let state = state_dir.join("applied.rules");
    let state = state.to_str().unwrap();
    host.clear();
    // The user's own rules, one of them a docker-keyed CIS line: revert must keep them.
    let err = host.load_with_auditctl(
        "-w /etc/passwd -p wa -k identity\n-w /etc/docker -p rwxa -k docker\n-w /usr/bin/dockerd -p x -k docker\n\
         -a never,exit -F dir=/var/lib/docker/overlay2\n",
    );
    assert!(!err.contains("Error"), "{err}");
    let before = kernel_listing();

    let printed = util::dockaudit(&["fix"]);
    eprintln!("{}", util::stdout(&printed));
    assert!(util::stdout(&printed).contains("-A always,exit -F dir=/var/lib/docker -F perm=rwxa -k docker"));

    let out = util::dockaudit(&["fix", "--apply", "--state", state]);
    let text = util::stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("rule(s) to the kernel"), "{text}");

    // Every applicable control passes (with the status copy saying enabled: this host
    // keeps audit off, see check.rs).
    let mut client = AuditClient::open().unwrap();
    let mut status = client.status().unwrap();
    status.enabled = 1;
    let rules = client.list_rules().unwrap();
    // Judged as `check` judges: on the files discovery finds (this layout has two runc
    // files; containerd's PATH runs /usr/sbin/runc, and fix added its rule).
    let discovery = discover(&HostFs::new("/"), Some(&ProcFs::new("/proc")));
    let opts = Options { discovery: Some(Arc::new(discovery)), ..Options::new(Benchmark::V1_6_0) };
    let eval = evaluate(&rules, Some(&status), &HostFs::new("/"), &opts).unwrap();
    let left: Vec<_> =
        eval.controls.iter().filter(|c| c.verdict != Verdict::Pass && c.verdict != Verdict::NotApplicable).collect();
    assert!(left.is_empty(), "{left:#?}");
    // And check says the added rules are lost at reboot.
    let report = json(&util::dockaudit(&["check", "--format", "json"]));
    assert_eq!(control(&report, "1.1.14")["persistence"]["persistent"], false);
    assert_eq!(host_check(&report, "persistent-rules")["status"], "fail");
    let text = util::stdout(&util::dockaudit(&["check"]));
    assert!(
        text.contains("      boot: in no rule file, lost at reboot: -w /usr/bin/containerd -p rwxa -k docker\n"),
        "{text}"
    );
    // A second apply adds nothing.
    let out = util::dockaudit(&["fix", "--apply", "--state", state]);
    assert!(util::stdout(&out).contains("nothing to apply: every applicable control passes"), "{}", util::stdout(&out));

    let out = util::dockaudit(&["fix", "--revert", "--state", state]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(kernel_listing(), before, "revert removes exactly what apply added");
    assert!(!Path::new(state).exists());
    let out = util::dockaudit(&["fix", "--revert", "--state", state]);
    assert!(util::stdout(&out).contains("nothing to revert"));
    let _ = std::fs::remove_dir_all(&state_dir);
}

/// An arm64 image: its kernel config says the arch and whether it has the 32-bit compat
/// ABI. The rule files use arm64 syscall names (no `chmod`: arm64's table has only
/// `fchmodat`), which parse there and would not on x86_64; `arch=b64` rules pass where
/// the kernel has no compat ABI and are weak where it has one, and the reasons say so;
/// `fix` prepends the shadowed CIS rule as `arch=b64` alone. Run on x86_64, so the
/// arch comes from the image, not from the machine.
#[test]
fn an_arm64_image_is_judged_in_arm64s_table_and_asks_for_32_bit_only_with_compat() {
    let image = Image::new();
    std::fs::create_dir_all(image.0.join("boot")).unwrap();
    let config = "boot/config-6.1.0-28-arm64";
    image.write(config, "CONFIG_ARM64=y\nCONFIG_64BIT=y\n# CONFIG_COMPAT is not set\nCONFIG_AUDIT=y\n");
    image.write(
        "etc/audit/rules.d/50-docker.rules",
        "-a always,exit -F arch=b64 -S all -F path=/usr/bin/dockerd -F perm=wa -k docker\n\
         -a always,exit -S fchmodat,renameat -F path=/usr/bin/containerd -F perm=wa -k docker\n\
         -a never,exit -F dir=/etc/docker\n-w /etc/docker -k docker\n",
    );
    Command::new("chmod").args(["-R", "a+rX"]).arg(&image.0).status().unwrap();
    let shown = image.0.join(config).display().to_string();

    let report = json(&unprivileged(&["check", "--root", image.root(), "--format", "json"]));
    assert_eq!(host_check(&report, "rule-files")["status"], "pass", "arm64 names parse: {report:#}");
    assert_eq!(report["kernel_abi"]["arch"], "aarch64");
    assert_eq!(report["kernel_abi"]["arch_from"], format!("the kernel config {shown}"));
    assert_eq!(report["kernel_abi"]["compat"], "absent");
    let dockerd = control(&report, "1.1.3");
    assert_eq!(dockerd["status"], "pass", "{dockerd:#}");
    let not_asked =
        format!("32-bit coverage not asked: the kernel has no 32-bit compat ABI (CONFIG_COMPAT is not set in {shown})");
    assert!(dockerd["reasons"].as_array().unwrap().iter().any(|r| r == not_asked.as_str()), "{dockerd:#}");
    let containerd = control(&report, "1.1.14");
    assert_eq!(containerd["status"], "weak");
    let misses = containerd["reasons"][0].as_str().unwrap();
    assert!(misses.contains("misses 64-bit (aarch64) calls") && !misses.contains(" chmod"), "{misses}");
    let printed = util::stdout(&unprivileged(&["fix", "--root", image.root()]));
    assert!(printed.contains("-A always,exit -F arch=b64 -F dir=/etc/docker -F perm=rwxa -k docker\n"), "{printed}");
    assert!(!printed.contains("arch=b32"), "{printed}");

    // --arch overrides the image: judged for x86_64, whose kernel config the image lacks,
    // so 32-bit coverage is assumed, and said to be.
    let report = json(&unprivileged(&["check", "--root", image.root(), "--arch", "x86_64", "--format", "json"]));
    assert_eq!((&report["kernel_abi"]["arch"], &report["kernel_abi"]["compat"]), (&"x86_64".into(), &"unknown".into()));
    let dockerd = control(&report, "1.1.3");
    assert_eq!(dockerd["status"], "weak", "{dockerd:#}");
    let assumed = format!(
        "32-bit coverage asked: whether the kernel has a 32-bit compat ABI is not known (no x86_64 kernel config in {}), so it is assumed",
        image.0.join("boot").display()
    );
    assert!(dockerd["reasons"].as_array().unwrap().iter().any(|r| r == assumed.as_str()), "{dockerd:#}");
    // Live, the running kernel says its arch.
    let refused = util::dockaudit(&["check", "--arch", "aarch64"]);
    assert_eq!(refused.status.code(), Some(2), "{}", String::from_utf8_lossy(&refused.stderr));

    // The same image with a kernel that has the compat ABI: the b64 rule is one ABI only.
    image.write(config, "CONFIG_ARM64=y\nCONFIG_64BIT=y\nCONFIG_COMPAT=y\n");
    let report = json(&unprivileged(&["check", "--root", image.root(), "--format", "json"]));
    let dockerd = control(&report, "1.1.3");
    assert_eq!(dockerd["status"], "weak", "{dockerd:#}");
    let reasons: Vec<&str> = dockerd["reasons"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    assert!(reasons.iter().any(|r| r.contains("leaves out 32-bit (armeb) system calls")), "{reasons:#?}");
    assert!(reasons.contains(
        &format!("32-bit coverage asked: the kernel has a 32-bit compat ABI (CONFIG_COMPAT=y in {shown})").as_str()
    ));
    let printed = util::stdout(&unprivileged(&["fix", "--root", image.root()]));
    assert!(printed.contains("-A always,exit -F arch=b32 -F dir=/etc/docker"), "{printed}");
}
