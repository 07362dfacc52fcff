//! Never rules that name particular processes, one shape at a time, with the rule
//! lines that open Neo23x0's widely used audit.rules (github.com/Neo23x0/auditd) as
//! the motivating case. The truth is the kernel's: the fields of a rule all have to
//! hold (`audit_filter_rules`), `exe=` compares the running program's inode with the
//! one the path named at load time (`audit_exe_compare`), and an SELinux field has no
//! LSM rule to match without SELinux (`security_audit_rule_init` leaves it empty).

use super::super::catalog::Benchmark;
use super::super::evaluate;
use super::super::verdict::{ControlVerdict, Options, Verdict};
use crate::host::FakeFs;
use crate::kernel::Status;
use crate::rule::syscalls::Arch;
use crate::rules_file::test_rules as parse;

fn host() -> FakeFs {
    FakeFs::new()
        .file("/usr/bin/dockerd")
        .file("/etc/docker/daemon.json")
        .file("/usr/lib/systemd/system/docker.service")
        .file("/usr/bin/crond")
        .file_with("/etc/passwd", "root:x:0:0:root:/root:/bin/sh\nchrony:x:101:101::/var/lib/chrony:/bin/false\n")
        .symlink("/usr/bin/vmtoolsd-link", "crond")
}

/// The CIS line for /etc/docker with every permission and the key: it passes under
/// `--strict` too, so only the never rules before it can make it weak there.
const ETC_DOCKER: &str = "-w /etc/docker -p rwxa -k docker\n";

fn judge(rules: &str, strict: bool, selinux: Option<bool>, id: &str) -> ControlVerdict {
    let fs = host();
    let mut opts = Options::new(Benchmark::V1_6_0);
    opts.native = Arch::X86_64;
    opts.strict = strict;
    opts.selinux = selinux;
    opts.only = vec![id.to_string()];
    let status = Status { enabled: 1, pid: 1, backlog_limit: 8192, ..Status::default() };
    let eval = evaluate(&parse(rules, &fs), Some(&status), &fs, &opts).unwrap();
    eval.controls.into_iter().next().unwrap()
}

#[track_caller]
fn etc_docker(never: &str, strict: bool) -> ControlVerdict {
    judge(&format!("{never}\n{ETC_DOCKER}"), strict, None, "1.1.6")
}

#[test]
fn neo23x0s_opening_never_rules_are_noise_control_pass_with_notes_and_weak_under_strict() {
    // Lines 81-91 of Neo23x0's audit.rules, then the Docker watch.
    let never = "-a never,user -F subj_type=crond_t\n\
                 -a never,exit -F subj_type=crond_t\n\
                 -a never,exit -F arch=b64 -S adjtimex -F auid=-1 -F uid=chrony -F subj_type=chronyd_t\n\
                 -a exit,never -F arch=b64 -S all -F exe=/usr/bin/vmtoolsd\n";
    let v = etc_docker(never, false);
    assert_eq!(v.verdict, Verdict::Pass, "{v:#?}");
    // The user-list rule sees no system call, and adjtimex writes no file: two notes.
    assert_eq!(v.notes.len(), 2, "{:#?}", v.notes);
    assert!(v.notes[0].starts_with("`-a never,exit -S all -F subj_type=crond_t` comes earlier"), "{}", v.notes[0]);
    assert!(v.notes[0].contains("(subj_type=crond_t): noise control, not a gap"), "{}", v.notes[0]);
    assert!(v.notes[1].contains("(exe=/usr/bin/vmtoolsd)"), "{}", v.notes[1]);
    // The rules the verdict rests on still name them.
    assert!(v.rules.iter().any(|r| r.contains("subj_type=crond_t")), "{:#?}", v.rules);
    let strict = etc_docker(never, true);
    assert_eq!(strict.verdict, Verdict::Weak, "{strict:#?}");
    assert!(strict.reasons.iter().any(|r| r.contains("which --strict does not accept")), "{:#?}", strict.reasons);
    assert_eq!(strict.notes.len(), 2);
}

#[test]
fn each_process_field_with_equals_is_noise_control() {
    for field in ["exe=/usr/bin/crond", "subj_type=crond_t", "pid=4242", "ppid=4242"] {
        let v = etc_docker(&format!("-a never,exit -S all -F {field}"), false);
        assert_eq!(v.verdict, Verdict::Pass, "{field}: {v:#?}");
        assert_eq!(v.notes.len(), 1, "{field}");
    }
}

#[test]
fn a_negated_or_ranged_process_field_hides_nearly_everything_and_stays_weak() {
    // exe!= hides every program but one, pid>= every process above a number.
    for field in ["exe!=/usr/bin/crond", "pid!=4242", "pid>=300", "ppid<1000"] {
        let v = etc_docker(&format!("-a never,exit -S all -F {field}"), false);
        assert_eq!(v.verdict, Verdict::Weak, "{field}: {v:#?}");
        assert!(v.notes.is_empty(), "{field}");
    }
}

#[test]
fn classes_of_processes_are_not_particular_processes() {
    // system_u, system_r and s0 are every daemon's context, dockerd's included; ppid=1
    // is every service init started.
    for field in ["subj_user=system_u", "subj_role=system_r", "subj_sen=s0", "ppid=1"] {
        let v = etc_docker(&format!("-a never,exit -S all -F {field}"), false);
        assert_eq!(v.verdict, Verdict::Weak, "{field}: {v:#?}");
        assert!(v.notes.is_empty(), "{field}");
    }
}

#[test]
fn a_process_field_with_user_or_path_fields_still_names_only_that_process() {
    // All fields must hold: exe= and uid=0 hide that program's runs as root only.
    let v = etc_docker("-a never,exit -S all -F uid=0 -F exe=/usr/bin/crond", false);
    assert_eq!((v.verdict, v.notes.len()), (Verdict::Pass, 1), "{v:#?}");
    let v = etc_docker("-a never,exit -F dir=/etc/docker -F subj_type=crond_t", false);
    assert_eq!((v.verdict, v.notes.len()), (Verdict::Pass, 1), "{v:#?}");
}

#[test]
fn exclusions_of_users_paths_or_everyone_keep_their_verdicts() {
    // Root is who runs Docker: hiding root is a gap, not noise.
    let v = etc_docker("-a never,exit -S all -F uid=0", false);
    assert_eq!((v.verdict, v.notes.len()), (Verdict::Weak, 0), "{v:#?}");
    // The file's own tree, and every process: nothing is recorded.
    let v = etc_docker("-a never,exit -F dir=/etc/docker", false);
    assert_eq!((v.verdict, v.notes.len()), (Verdict::Fail, 0), "{v:#?}");
    let v = etc_docker("-a never,exit -S all", false);
    assert_eq!((v.verdict, v.notes.len()), (Verdict::Fail, 0), "{v:#?}");
}

#[test]
fn a_never_rule_after_the_recording_rule_never_sees_the_events_and_gets_no_note() {
    let v = judge(&format!("{ETC_DOCKER}-a never,exit -S all -F exe=/usr/bin/crond\n"), true, None, "1.1.6");
    assert_eq!((v.verdict, v.notes.len()), (Verdict::Pass, 0), "{v:#?}");
}

#[test]
fn an_exe_that_is_absent_or_a_symlink_on_the_judged_files_matches_nothing() {
    let present = etc_docker("-a never,exit -S all -F exe=/usr/bin/crond", false);
    assert!(!present.notes[0].contains("matches no process"), "{}", present.notes[0]);
    let absent = etc_docker("-a never,exit -S all -F exe=/usr/bin/vmtoolsd", false);
    assert!(
        absent.notes[0].ends_with(
            "; /usr/bin/vmtoolsd does not exist, so it matches no process until a program is installed there"
        ),
        "{}",
        absent.notes[0]
    );
    let link = etc_docker("-a never,exit -S all -F exe=/usr/bin/vmtoolsd-link", false);
    assert!(link.notes[0].contains("/usr/bin/vmtoolsd-link is a symlink"), "{}", link.notes[0]);
}

#[test]
fn an_selinux_type_matches_nothing_only_where_selinux_is_known_to_be_off() {
    let rules = format!("-a never,exit -S all -F subj_type=crond_t\n{ETC_DOCKER}");
    let off = judge(&rules, false, Some(false), "1.1.6");
    assert!(off.notes[0].contains("SELinux is not enabled on this kernel"), "{}", off.notes[0]);
    for known in [Some(true), None] {
        let v = judge(&rules, false, known, "1.1.6");
        assert!(!v.notes[0].contains("SELinux"), "{known:?}: {}", v.notes[0]);
    }
}

#[test]
fn a_pid_is_said_to_name_whatever_process_has_it_now() {
    let v = etc_docker("-a never,exit -S all -F pid=4242", false);
    assert!(v.notes[0].contains("another one after a reboot"), "{}", v.notes[0]);
}
