//! The semantics, one rule shape at a time, each from the rule text it came from
//! (parsed by `rules_file::test_rules`, as auditctl builds it).

use super::*;
use crate::host::FakeFs;
use crate::rules_file::test_rules as parse;

/// A Docker host as it looks on disk: merged /usr, /var/run → /run, runc in
/// /usr/bin, no /etc/sysconfig/docker.
fn docker_host() -> FakeFs {
    FakeFs::new()
        .file("/usr/bin/dockerd")
        .file("/usr/bin/containerd")
        .file("/usr/bin/containerd-shim")
        .file("/usr/bin/containerd-shim-runc-v1")
        .file("/usr/bin/containerd-shim-runc-v2")
        .file("/usr/bin/runc")
        .file("/usr/sbin/runc")
        .file("/run/containerd/containerd.sock")
        .dir("/var/lib/docker/overlay2")
        .symlink("/var/run", "../run")
        .file("/etc/docker/daemon.json")
        .file("/etc/default/docker")
        .file("/etc/containerd/config.toml")
        .file("/usr/lib/systemd/system/docker.service")
        .file("/usr/lib/systemd/system/docker.socket")
        .symlink("/lib", "usr/lib")
}

fn enabled() -> Status {
    Status { enabled: 1, pid: 4242, backlog_limit: 8192, ..Status::default() }
}

fn run(rules: &str, fs: &FakeFs, status: Option<&Status>, strict: bool, id: &str) -> ControlVerdict {
    let mut opts = Options::new(Benchmark::V1_6_0);
    opts.strict = strict;
    opts.native = Arch::X86_64;
    opts.only = vec![id.to_string()];
    let parsed = parse(rules, fs);
    let eval = evaluate(&parsed, status, fs, &opts).unwrap();
    eval.controls.into_iter().next().unwrap()
}

/// The verdict for one control on the standard host with audit enabled.
#[track_caller]
fn verdict(rules: &str, id: &str) -> ControlVerdict {
    run(rules, &docker_host(), Some(&enabled()), false, id)
}

#[track_caller]
fn expect(rules: &str, id: &str, want: Verdict, reason_contains: &str) -> ControlVerdict {
    let got = verdict(rules, id);
    assert_eq!(got.verdict, want, "rules:\n{rules}\ncontrol {id}: {got:#?}");
    assert!(
        got.reasons.iter().any(|r| r.contains(reason_contains)),
        "no reason contains {reason_contains:?}:\n{:#?}",
        got.reasons
    );
    got
}

// --- pass shapes ---------------------------------------------------------------

#[test]
fn the_cis_watch_passes_and_names_its_rule() {
    let v = expect("-w /usr/bin/dockerd -k docker", "1.1.3", Verdict::Pass, "watches /usr/bin/dockerd");
    assert_eq!(v.rules, ["-w /usr/bin/dockerd -p rwxa -k docker"]);
    assert_eq!(v.remediation, "-w /usr/bin/dockerd -k docker");
}

#[test]
fn write_and_attribute_are_enough_without_strict() {
    expect("-w /usr/bin/dockerd -p wa", "1.1.3", Verdict::Pass, "watches");
}

#[test]
fn the_cis_path_war_rule_passes_run_containerd_even_strict() {
    let rules = "-a exit,always -F path=/run/containerd -F perm=war -k docker";
    expect(rules, "1.1.4", Verdict::Pass, "watches /run/containerd");
    let v = run(rules, &docker_host(), Some(&enabled()), true, "1.1.4");
    assert_eq!(v.verdict, Verdict::Pass, "{v:#?}");
}

#[test]
fn tree_watches_cover_everything_below_them() {
    expect("-w /var/lib/docker -k docker", "1.1.5", Verdict::Pass, "tree watch on /var/lib/docker");
    expect("-w /var/lib -k docker", "1.1.5", Verdict::Pass, "which contains /var/lib/docker");
    expect("-w /etc/docker -k docker", "1.1.11", Verdict::Pass, "tree watch on /etc/docker");
    expect("-w /run/containerd -p wa", "1.1.8", Verdict::Pass, "tree watch on /run/containerd");
}

#[test]
fn a_symlinked_parent_names_the_same_file() {
    // /var/run -> /run: the kernel resolves the parent, so these are /run/containerd.
    expect("-a always,exit -F path=/var/run/containerd -F perm=war -k docker", "1.1.4", Verdict::Pass, "same file");
    expect("-w /var/run/containerd/containerd.sock -p wa", "1.1.8", Verdict::Pass, "same file");
    // Merged /usr: /lib/systemd/system is /usr/lib/systemd/system.
    expect("-w /lib/systemd/system/docker.service -k docker", "1.1.7", Verdict::Pass, "same file");
}

#[test]
fn a_path_less_all_syscall_rule_records_everything() {
    expect("-a always,exit -S all -k everything", "1.1.3", Verdict::Pass, "no path filter");
}

#[test]
fn a_64_and_a_32_bit_rule_together_cover_both_abis() {
    let rules = "-a always,exit -F arch=b64 -S all -F path=/usr/bin/dockerd -F perm=wa -k docker\n\
                 -a always,exit -F arch=b32 -S all -F path=/usr/bin/dockerd -F perm=wa -k docker";
    expect(rules, "1.1.3", Verdict::Pass, "watches /usr/bin/dockerd");
}

#[test]
fn a_never_rule_after_the_watch_changes_nothing() {
    let rules = "-w /usr/bin/dockerd -k docker\n-a never,exit -S all -F path=/usr/bin/dockerd";
    expect(rules, "1.1.3", Verdict::Pass, "watches");
}

#[test]
fn unrelated_never_rules_do_not_matter() {
    // The shape of the chrony rule in auditd's shipped examples: adjtimex writes no file.
    let rules = "-a never,exit -F arch=b64 -S adjtimex -F auid=unset -F uid=114\n-w /usr/bin/dockerd -k docker";
    expect(rules, "1.1.3", Verdict::Pass, "watches");
    let rules = "-a always,exclude -F msgtype=CWD\n-w /usr/bin/dockerd -k docker";
    expect(rules, "1.1.3", Verdict::Pass, "watches");
}

// --- weak shapes ---------------------------------------------------------------

#[test]
fn missing_write_or_attribute_is_weak() {
    expect(
        "-w /usr/bin/dockerd -p x -k docker",
        "1.1.3",
        Verdict::Weak,
        "-p x does not record writes or attribute changes",
    );
    expect("-w /usr/bin/dockerd -p w -k docker", "1.1.3", Verdict::Weak, "does not record attribute changes");
    expect("-w /usr/bin/dockerd -p r", "1.1.3", Verdict::Weak, "not recorded in full: writes");
}

#[test]
fn one_abi_only_is_weak() {
    let rules = "-a always,exit -F arch=b64 -S all -F path=/usr/bin/dockerd -F perm=wa -k docker";
    expect(rules, "1.1.3", Verdict::Weak, "leaves out 32-bit (i386) system calls");
    let rules = "-a always,exit -F arch=b32 -S all -F path=/usr/bin/dockerd -F perm=wa -k docker";
    expect(rules, "1.1.3", Verdict::Weak, "leaves out 64-bit (x86_64) system calls");
}

#[test]
fn a_syscall_list_is_weak_unless_it_has_every_writing_call() {
    let rules =
        "-a always,exit -F arch=b64 -S openat,unlinkat,renameat -F path=/usr/bin/dockerd -F perm=wa -k docker\n\
                 -a always,exit -F arch=b32 -S all -F path=/usr/bin/dockerd -F perm=wa";
    let v = expect(rules, "1.1.3", Verdict::Weak, "its syscall list misses 64-bit (x86_64) calls");
    assert!(v.reasons.iter().any(|r| r.contains("chmod")), "{:#?}", v.reasons);
}

#[test]
fn rules_that_leave_out_root_or_daemons_are_weak() {
    let rules = "-a always,exit -S all -F path=/usr/bin/dockerd -F perm=wa -F auid>=1000 -F auid!=unset -k docker";
    expect(rules, "1.1.3", Verdict::Weak, "auid!=-1 leaves out processes without a login uid");
    let rules = "-a always,exit -S all -F path=/usr/bin/dockerd -F perm=wa -F uid!=0";
    expect(rules, "1.1.3", Verdict::Weak, "uid!=0 leaves out root (uid 0)");
    // auid>=1000 alone keeps unset (4294967295 >= 1000) but drops root's own logins.
    let rules = "-a always,exit -S all -F path=/usr/bin/dockerd -F perm=wa -F auid>=1000";
    expect(rules, "1.1.3", Verdict::Weak, "auid>=1000 leaves out root's own logins (auid 0)");
}

#[test]
fn other_narrowing_fields_are_weak() {
    let rules = "-a always,exit -S all -F path=/usr/bin/dockerd -F perm=wa -F success=1";
    expect(rules, "1.1.3", Verdict::Weak, "-F success=1 records only the events that match it");
    let rules = "-a always,exit -S all -F path=/usr/bin/dockerd -F perm=wa -F exit=-EACCES";
    expect(rules, "1.1.3", Verdict::Weak, "-F exit=-EACCES records only");
}

#[test]
fn a_never_rule_for_some_users_before_the_watch_is_weak() {
    let rules = "-a never,exit -S all -F auid=unset\n-w /usr/bin/dockerd -k docker";
    expect(rules, "1.1.3", Verdict::Weak, "suppresses some of these events");
    let rules = "-a never,exit -F arch=b32 -S all -F path=/usr/bin/dockerd\n-w /usr/bin/dockerd -k docker";
    expect(rules, "1.1.3", Verdict::Weak, "not recorded in full: writes (32-bit)");
}

#[test]
fn a_never_tree_inside_the_watched_tree_is_weak() {
    let rules = "-a never,exit -S all -F dir=/var/lib/docker/overlay2\n-w /var/lib/docker -k docker";
    expect(rules, "1.1.5", Verdict::Weak, "suppresses some of these events");
}

#[test]
fn a_path_watch_on_a_directory_is_not_the_tree_the_cis_line_asks_for() {
    let rules = "-a always,exit -F path=/etc/docker -F perm=wa -k docker";
    expect(rules, "1.1.6", Verdict::Weak, "not writes to the files below it");
    // And for the file inside it, only entry changes (create, delete, rename).
    expect(rules, "1.1.11", Verdict::Weak, "records creating, deleting and renaming /etc/docker/daemon.json");
}

#[test]
fn exclude_rules_that_drop_path_records_are_weak_and_syscall_records_fail() {
    let rules = "-a always,exclude -F msgtype=PATH\n-w /usr/bin/dockerd -k docker";
    expect(rules, "1.1.3", Verdict::Weak, "drops PATH records");
    let rules = "-a always,exclude -F msgtype=SYSCALL\n-w /usr/bin/dockerd -k docker";
    expect(rules, "1.1.3", Verdict::Fail, "drops SYSCALL records");
    let rules = "-a always,exclude -F msgtype=SYSCALL -F uid=0\n-w /usr/bin/dockerd -k docker";
    expect(rules, "1.1.3", Verdict::Weak, "for the processes it matches");
}

#[test]
fn strict_demands_the_cis_permissions_and_key() {
    let host = docker_host();
    let v = run("-w /usr/bin/dockerd -p wa -k docker", &host, Some(&enabled()), true, "1.1.3");
    assert_eq!(v.verdict, Verdict::Weak, "{v:#?}");
    assert!(v.reasons.iter().any(|r| r.contains("--strict")), "{v:#?}");
    let v = run("-w /usr/bin/dockerd -k dockerd", &host, Some(&enabled()), true, "1.1.3");
    assert_eq!(v.verdict, Verdict::Weak);
    let v = run("-w /usr/bin/dockerd -k docker", &host, Some(&enabled()), true, "1.1.3");
    assert_eq!(v.verdict, Verdict::Pass, "{v:#?}");
    // rwxa is not war: strict wants the CIS line, which for /run/containerd is war.
    let v = run("-w /run/containerd -k docker", &host, Some(&enabled()), true, "1.1.4");
    assert_eq!(v.verdict, Verdict::Weak, "{v:#?}");
}

// --- fail shapes ---------------------------------------------------------------

#[test]
fn no_rule_fails() {
    expect("", "1.1.3", Verdict::Fail, "no audit rule records changes to /usr/bin/dockerd");
}

#[test]
fn substrings_are_not_files() {
    // docker-bench-security's `auditctl -l | grep PATH` passes all three.
    expect(
        "-w /run/containerd/containerd.sock -k docker",
        "1.1.4",
        Verdict::Fail,
        "inside /run/containerd, not /run/containerd itself",
    );
    expect("-w /etc/docker/daemon.json -k docker", "1.1.6", Verdict::Fail, "inside /etc/docker");
    expect(
        "-w /usr/bin/containerd-shim -k docker",
        "1.1.14",
        Verdict::Fail,
        "no audit rule records changes to /usr/bin/containerd",
    );
    expect("-w /usr/bin/dockerd-rootless.sh -k docker", "1.1.3", Verdict::Fail, "no audit rule");
}

#[test]
fn a_never_rule_before_the_watch_shadows_it() {
    let rules = "-a never,exit -S all -F path=/usr/bin/dockerd\n-w /usr/bin/dockerd -k docker";
    let v = expect(rules, "1.1.3", Verdict::Fail, "an earlier never rule matches first");
    assert_eq!(v.rules, ["-a never,exit -S all -F path=/usr/bin/dockerd", "-w /usr/bin/dockerd -p rwxa -k docker"]);
    let rules = "-a never,exit -S all\n-w /usr/bin/dockerd -k docker";
    expect(rules, "1.1.3", Verdict::Fail, "suppresses these events");
}

#[test]
fn a_watch_on_a_symlink_watches_the_link() {
    let host = docker_host().symlink("/usr/bin/runc2", "/usr/sbin/runc");
    let mut opts = Options::new(Benchmark::V1_2_0);
    opts.native = Arch::X86_64;
    opts.only = vec!["1.2.12".into()];
    let rules = parse("-w /usr/bin/runc2 -k docker", &host);
    let v = evaluate(&rules, Some(&enabled()), &host, &opts).unwrap().controls.remove(0);
    assert_eq!(v.verdict, Verdict::Fail, "{v:#?}");
    assert!(v.reasons.iter().any(|r| r.contains("watches the symlink /usr/bin/runc2")), "{v:#?}");
}

#[test]
fn a_tree_watch_on_a_symlink_covers_nothing_below_it() {
    let host = docker_host().symlink("/etc/docker-link", "/etc/docker");
    let v = run("-a always,exit -S all -F dir=/etc/docker-link -F perm=wa", &host, Some(&enabled()), false, "1.1.6");
    assert_eq!(v.verdict, Verdict::Fail, "{v:#?}");
}

#[test]
fn pathless_syscall_rules_for_some_calls_do_not_count() {
    let rules = "-a always,exit -F arch=b64 -S chmod,fchmod,fchmodat -F auid>=1000 -F auid!=unset -k perm_mod";
    expect(rules, "1.1.3", Verdict::Fail, "no audit rule");
}

#[test]
fn audit_disabled_fails_every_applicable_control() {
    let off = Status { enabled: 0, ..enabled() };
    let v = run("-w /usr/bin/dockerd -k docker", &docker_host(), Some(&off), false, "1.1.3");
    assert_eq!(v.verdict, Verdict::Fail);
    assert!(
        v.reasons[0].contains("audit is disabled (enabled 0)") && v.reasons[0].ends_with("would give pass"),
        "{v:#?}"
    );
    // Offline (rules from a file): the rules alone decide.
    let v = run("-w /usr/bin/dockerd -k docker", &docker_host(), None, false, "1.1.3");
    assert_eq!(v.verdict, Verdict::Pass);
    // Not applicable stays not applicable.
    let v = run("", &docker_host(), Some(&off), false, "1.1.13");
    assert_eq!(v.verdict, Verdict::NotApplicable);
}

#[test]
fn a_filesystem_never_rule_for_the_files_filesystem_fails() {
    const TMPFS: u64 = 0x0102_1994;
    let host = docker_host().fs_type("/run", TMPFS);
    let rules =
        "-a never,filesystem -F fstype=0x01021994\n-a always,exit -F path=/run/containerd -F perm=war -k docker";
    let v = run(rules, &host, Some(&enabled()), false, "1.1.4");
    assert_eq!(v.verdict, Verdict::Fail, "{v:#?}");
    assert!(v.reasons.iter().any(|r| r.contains("excludes the filesystem")));
    assert_eq!(run(rules, &host, Some(&enabled()), false, "1.1.3").verdict, Verdict::Pass.max(Verdict::Fail));
}

// --- applicability -------------------------------------------------------------

#[test]
fn missing_paths_and_units_are_not_applicable() {
    expect("", "1.1.13", Verdict::NotApplicable, "/etc/sysconfig/docker does not exist");
    let bare = FakeFs::new();
    let v = run("", &bare, Some(&enabled()), false, "1.1.7");
    assert_eq!(v.verdict, Verdict::NotApplicable);
    assert!(v.reasons[0].contains("no docker.service unit file in /etc/systemd/system"), "{v:#?}");
}

#[test]
fn units_are_found_where_systemd_looks() {
    let host = FakeFs::new().file("/usr/lib/systemd/system/docker.service");
    let v = run("-w /usr/lib/systemd/system/docker.service -k docker", &host, Some(&enabled()), false, "1.1.7");
    assert_eq!((v.verdict, v.path.as_str()), (Verdict::Pass, "/usr/lib/systemd/system/docker.service"));
    let host = host.file("/etc/systemd/system/docker.service");
    let v = run("-w /usr/lib/systemd/system/docker.service -k docker", &host, Some(&enabled()), false, "1.1.7");
    assert_eq!(v.verdict, Verdict::Fail, "the /etc copy overrides and is the one loaded: {v:#?}");
    assert_eq!(v.remediation, "-w /etc/systemd/system/docker.service -k docker");
}

#[test]
fn an_unresolvable_path_is_an_error() {
    let host = docker_host().symlink("/etc/sysconfig", "/etc/sysconfig");
    let v = run("", &host, Some(&enabled()), false, "1.1.13");
    assert_eq!(v.verdict, Verdict::Error, "{v:#?}");
    assert!(v.reasons[0].contains("too many levels of symbolic links"));
}

// --- selection and host checks -------------------------------------------------

#[test]
fn only_and_skip_select_controls_and_reject_unknown_ids() {
    let mut opts = Options::new(Benchmark::V1_6_0);
    opts.only = vec!["1.1.3".into(), "1.1.4".into()];
    opts.skip = vec!["1.1.4".into()];
    assert_eq!(select(&opts).unwrap().iter().map(|c| c.id).collect::<Vec<_>>(), ["1.1.3"]);
    opts.skip = vec!["1.2.3".into()];
    let err = select(&opts).unwrap_err();
    assert!(err.to_string().contains("unknown control id \"1.2.3\""), "{err}");
}

#[test]
fn host_checks_judge_the_status() {
    let eval = |st: Status| evaluate(&[], Some(&st), &FakeFs::new(), &Options::new(Benchmark::V1_6_0)).unwrap().host;
    let good = eval(Status { enabled: 2, pid: 1, backlog_limit: 8192, ..Status::default() });
    assert!(good.iter().all(|h| h.verdict == Verdict::Pass), "{good:#?}");
    let bad = eval(Status { enabled: 0, pid: 0, backlog_limit: 64, lost: 3, ..Status::default() });
    let statuses: Vec<(&str, Verdict)> = bad.iter().map(|h| (h.id, h.verdict)).collect();
    assert_eq!(
        statuses,
        [
            ("audit-enabled", Verdict::Fail),
            ("auditd-running", Verdict::Fail),
            ("rules-locked", Verdict::Weak),
            ("lost-events", Verdict::Weak),
            ("backlog-limit", Verdict::Weak)
        ]
    );
    assert!(evaluate(&[], None, &FakeFs::new(), &Options::new(Benchmark::V1_6_0)).unwrap().host.is_empty());
}

#[test]
fn every_control_of_every_benchmark_passes_with_the_cis_lines() {
    for b in Benchmark::ALL {
        let host = docker_host().file("/etc/sysconfig/docker");
        let mut opts = Options::new(b);
        opts.native = Arch::X86_64;
        opts.strict = true;
        let lines: String = b
            .controls()
            .iter()
            .map(|c| {
                let path = match c.target {
                    Target::Path(p) => p.to_string(),
                    Target::Unit(u) => format!("/usr/lib/systemd/system/{u}"),
                };
                c.remediation_line(&path) + "\n"
            })
            .collect();
        let rules = parse(&lines, &host);
        let eval = evaluate(&rules, Some(&enabled()), &host, &opts).unwrap();
        for v in &eval.controls {
            assert_eq!(v.verdict, Verdict::Pass, "{} {}: {v:#?}", b.version(), v.id);
        }
    }
}

#[test]
fn ten_thousand_rules_cost_rules_times_controls() {
    // The benchmark's shape: many distinct watches and syscall rules, the Docker ones last.
    let host = docker_host();
    let mut text = String::new();
    for i in 0..9_990 {
        if i % 2 == 0 {
            text.push_str(&format!("-w /etc/app{i}/conf -p wa -k k{i}\n"));
        } else {
            text.push_str(&format!("-a always,exit -F arch=b64 -S openat,unlinkat -F uid={i} -k many{i}\n"));
        }
    }
    text.push_str(&crate::report::golden_rules());
    let rules = parse(&text, &host);
    assert!(rules.len() >= 10_000);
    let mut opts = Options::new(Benchmark::V1_6_0);
    opts.native = Arch::X86_64;
    let start = std::time::Instant::now();
    let eval = evaluate(&rules, Some(&enabled()), &host, &opts).unwrap();
    let took = start.elapsed();
    assert_eq!(eval.controls[0].verdict, Verdict::Pass);
    // Generous for debug builds on a loaded 2-core CI machine; release is ~10x faster.
    assert!(took < std::time::Duration::from_secs(5), "{took:?}");
    eprintln!("10,000 rules x 16 controls: {took:?}");
}
