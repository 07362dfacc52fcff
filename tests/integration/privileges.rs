//! dockaudit keeps only CAP_AUDIT_CONTROL once its socket is open, sets no_new_privs,
//! and never executes another program. Observed from outside with strace.

use crate::util;
use std::process::Command;

fn strace(args: &[&str]) -> Option<String> {
    if Command::new("strace").arg("-V").output().is_err() {
        return None;
    }
    let log = util::tempdir().join("strace.log");
    let out = Command::new("strace")
        .args(["-f", "-e", "trace=execve,execveat,capset,prctl", "-o", log.to_str().unwrap()])
        .arg(util::dockaudit_bin())
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    Some(std::fs::read_to_string(&log).unwrap())
}

#[test]
fn reading_commands_execute_nothing_and_keep_only_audit_control() {
    if !util::is_root() {
        eprintln!("skipped: needs root");
        return;
    }
    for command in [&["list"][..], &["status"][..], &["list", "--format", "json"][..]] {
        let Some(log) = strace(command) else {
            panic!("strace is not installed (cargo xtask test installs it)");
        };
        let execs = log.lines().filter(|l| l.contains("execve(") || l.contains("execveat(")).count();
        assert_eq!(execs, 1, "{command:?} executed something:\n{log}");
        let last_capset = log.lines().rfind(|l| l.contains("capset(")).expect("capset called");
        assert!(
            last_capset.contains("effective=1<<CAP_AUDIT_CONTROL, permitted=1<<CAP_AUDIT_CONTROL, inheritable=0"),
            "{command:?}: {last_capset}"
        );
        assert!(log.contains("PR_SET_NO_NEW_PRIVS, 1"), "{command:?}:\n{log}");
    }
}
