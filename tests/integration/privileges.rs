//! Least privilege, observed from outside with strace: once its socket is open dockaudit
//! keeps only CAP_AUDIT_CONTROL (nothing at all for offline work), sets no_new_privs,
//! never executes another program, asks the kernel only to read, and writes no file.
//! Only `load` and `fix --apply/--revert` change kernel state (their own tests), and
//! only `fix --write` writes a file (the last test here).

use crate::util;
use std::process::Command;

/// Every syscall that could run a program, change a file or send to the kernel.
const TRACED: &str = "trace=execve,execveat,capset,prctl,socket,sendto,sendmsg,open,openat,openat2,creat,\
rename,renameat,renameat2,unlink,unlinkat,mkdir,mkdirat,rmdir,truncate,ftruncate,link,linkat,symlink,symlinkat,\
chmod,fchmod,fchmodat,chown,fchown,fchownat,lchown";

/// The audit requests that only read.
const READ_REQUESTS: [&str; 3] = ["AUDIT_GET", "AUDIT_LIST_RULES", "AUDIT_GET_FEATURE"];

fn strace(args: &[&str]) -> String {
    assert!(
        Command::new("strace").arg("-V").output().is_ok(),
        "strace is not installed (cargo xtask test installs it)"
    );
    let log = util::tempdir().join("strace.log");
    let out = Command::new("strace")
        .args(["-f", "-e", TRACED, "-o", log.to_str().unwrap()])
        .arg(util::dockaudit_bin())
        .args(args)
        .output()
        .unwrap();
    // `check` and `fix` exit 1 when they have findings; anything more is a failure.
    assert!(out.status.code().is_some_and(|c| c <= 1), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    std::fs::read_to_string(&log).unwrap()
}

/// The calls of `log` that change a file (an open for writing, a rename, ...).
fn file_changes(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|l| {
            let opens_for_writing = (l.contains("open(") || l.contains("openat(") || l.contains("openat2("))
                && ["O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC"].iter().any(|f| l.contains(f));
            let changes = [
                "creat(",
                "rename(",
                "renameat(",
                "renameat2(",
                "unlink(",
                "unlinkat(",
                "mkdir(",
                "mkdirat(",
                "rmdir(",
                "truncate(",
                "link(",
                "linkat(",
                "symlink(",
                "symlinkat(",
                "chmod(",
                "fchmod(",
                "fchmodat(",
                "chown(",
                "fchown(",
                "fchownat(",
                "lchown(",
            ]
            .iter()
            .any(|call| l.split_whitespace().nth(1).is_some_and(|c| c.starts_with(call)));
            opens_for_writing || changes
        })
        .collect()
}

/// What every command must show: one execve (strace starting it), no_new_privs, the
/// capabilities it ends with, and nothing written.
fn assert_least_privilege(args: &[&str], log: &str, online: bool) {
    let execs = log.lines().filter(|l| l.contains("execve(") || l.contains("execveat(")).count();
    assert_eq!(execs, 1, "{args:?} executed something:\n{log}");
    let last_capset = log.lines().rfind(|l| l.contains("capset(")).expect("capset called");
    let kept = if online {
        "effective=1<<CAP_AUDIT_CONTROL, permitted=1<<CAP_AUDIT_CONTROL, inheritable=0"
    } else {
        "effective=0, permitted=0, inheritable=0"
    };
    assert!(last_capset.contains(kept), "{args:?}: {last_capset}");
    assert!(log.contains("PR_SET_NO_NEW_PRIVS, 1"), "{args:?}:\n{log}");
    assert_eq!(file_changes(log), Vec::<&str>::new(), "{args:?} changed files");
    let netlink = log.lines().any(|l| l.contains("socket(AF_NETLINK"));
    assert_eq!(netlink, online, "{args:?}: audit socket opened: {netlink}\n{log}");
    for send in log.lines().filter(|l| l.contains("sendto(") || l.contains("sendmsg(")) {
        assert!(
            READ_REQUESTS.iter().any(|r| send.contains(&format!("nlmsg_type={r},"))),
            "{args:?} asked the kernel for more than a read: {send}"
        );
    }
}

#[test]
fn reading_commands_read_keep_only_audit_control_and_execute_nothing() {
    if !util::is_root() {
        eprintln!("skipped: needs root");
        return;
    }
    let commands: [&[&str]; 6] =
        [&["list"], &["list", "--format", "json"], &["status"], &["check"], &["check", "--format", "sarif"], &["fix"]];
    assert_each_least_privileged(&commands, true);
}

fn assert_each_least_privileged(commands: &[&[&str]], online: bool) {
    for args in commands {
        assert_least_privilege(args, &strace(args), online);
    }
}

#[test]
fn offline_commands_hold_no_capability_and_never_open_the_audit_socket() {
    if !util::is_root() {
        eprintln!("skipped: needs root");
        return;
    }
    let rules = util::repo_path("tests/data/rules/mixed-docker.rules");
    let rules = rules.to_str().unwrap();
    let empty_root = util::tempdir();
    let empty_root = empty_root.to_str().unwrap();
    let commands: [&[&str]; 5] = [
        &["check", "--rules", rules],
        &["check", "--root", empty_root, "--format", "json"],
        &["fix", "--rules", rules],
        &["fix", "--root", empty_root],
        &["load", "--dry-run", rules],
    ];
    assert_each_least_privileged(&commands, false);
}

/// `fix --write FILE` writes FILE (through a temporary file beside it, renamed over it)
/// and nothing else, with no capability.
#[test]
fn fix_write_writes_only_its_file() {
    if !util::is_root() {
        eprintln!("skipped: needs root");
        return;
    }
    let dir = util::tempdir();
    let target = dir.join("50-docker.rules");
    let rules = util::repo_path("tests/data/rules/mixed-docker.rules");
    let args = ["fix", "--rules", rules.to_str().unwrap(), "--write", target.to_str().unwrap()];
    let log = strace(&args);
    let changes = file_changes(&log);
    assert!(!changes.is_empty(), "--write wrote nothing:\n{log}");
    let dir_text = format!("\"{}/", dir.display());
    // fchmod/fchown act on a descriptor whose open is checked here too.
    for change in changes.iter().filter(|c| c.contains('"')) {
        assert!(change.contains(&dir_text), "--write touched a file outside {}: {change}", dir.display());
    }
    assert!(
        changes.iter().any(|c| c.contains("rename") && c.contains(&format!("\"{}\"", target.display()))),
        "--write did not rename into place:\n{changes:#?}"
    );
    assert!(target.exists());
    let last_capset = log.lines().rfind(|l| l.contains("capset(")).expect("capset called");
    assert!(last_capset.contains("effective=0, permitted=0, inheritable=0"), "{last_capset}");
    assert!(!log.contains("socket(AF_NETLINK"), "--write with --rules opened the audit socket");
}

/// `events` and `report` read logs with no capability at all: every capability is
/// dropped before the first log is opened, the audit socket is never opened, nothing is
/// executed or written.
#[test]
fn events_drops_every_capability_before_opening_a_log() {
    if !util::is_root() {
        eprintln!("skipped: needs root");
        return;
    }
    let dir = util::tempdir();
    let log = dir.join("audit.log");
    std::fs::write(&log, "type=SYSCALL msg=audit(1.000:1): syscall=2 a0=1 a1=2 key=\"docker\"\n").unwrap();
    let log = log.to_str().unwrap();
    for args in [
        &["events", "--input", log, "-k", "docker"][..],
        &["events", "--input", log, "--format", "json", "-k", "nothing"],
        &["report", "--input", log, "--key", "--summary"],
        &["report", "--input", log, "--exe", "--format", "json"],
    ] {
        let trace = strace(args);
        assert_least_privilege(args, &trace, false);
        let lines: Vec<&str> = trace.lines().collect();
        let dropped = lines.iter().rposition(|l| l.contains("capset(")).expect("capset");
        let opened = lines.iter().position(|l| l.contains("open") && l.contains(log)).expect("the log opened");
        assert!(dropped < opened, "{args:?}: the log was opened before the capabilities were dropped:\n{trace}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `events --follow` keeps CAP_AUDIT_READ only, joins the read-log group and sends the
/// kernel nothing at all (no request, so it can never register as the audit daemon).
#[test]
fn following_keeps_only_audit_read_and_sends_nothing() {
    if let Some(why) = util::host_kernel_unavailable() {
        eprintln!("skipped: {why}");
        return;
    }
    let args = ["events", "--follow", "--duration", "0.5"];
    let log = util::tempdir().join("strace.log");
    let out = Command::new("strace")
        .args(["-f", "-e", &format!("{TRACED},bind,setsockopt"), "-o", log.to_str().unwrap()])
        .arg(util::dockaudit_bin())
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.code().is_some_and(|c| c <= 1), "{}", String::from_utf8_lossy(&out.stderr));
    let trace = std::fs::read_to_string(&log).unwrap();
    let last_capset = trace.lines().rfind(|l| l.contains("capset(")).expect("capset called");
    assert!(
        last_capset.contains("effective=1<<CAP_AUDIT_READ, permitted=1<<CAP_AUDIT_READ, inheritable=0"),
        "{last_capset}"
    );
    assert!(trace.contains("PR_SET_NO_NEW_PRIVS, 1"), "{trace}");
    assert!(trace.lines().any(|l| l.contains("bind(") && l.contains("nl_groups=0x000001")), "{trace}");
    assert!(!trace.lines().any(|l| l.contains("sendto(") || l.contains("sendmsg(")), "{trace}");
    assert_eq!(file_changes(&trace), Vec::<&str>::new());
    assert_eq!(trace.lines().filter(|l| l.contains("execve(")).count(), 1, "{trace}");
}

/// `check --prove` keeps CAP_AUDIT_CONTROL and CAP_AUDIT_READ, nothing else, executes
/// nothing and sends the kernel only reads (its probes are file accesses, no request).
#[test]
fn proving_keeps_audit_control_and_audit_read_only() {
    if let Some(why) = util::host_kernel_unavailable() {
        eprintln!("skipped: {why}");
        return;
    }
    let args = ["check", "--prove"];
    let trace = strace(&args);
    let last_capset = trace.lines().rfind(|l| l.contains("capset(")).expect("capset called");
    assert!(
        last_capset.contains("effective=1<<CAP_AUDIT_CONTROL|1<<CAP_AUDIT_READ, permitted=1<<CAP_AUDIT_CONTROL|1<<CAP_AUDIT_READ, inheritable=0"),
        "{last_capset}"
    );
    assert!(trace.contains("PR_SET_NO_NEW_PRIVS, 1"), "{trace}");
    assert_eq!(trace.lines().filter(|l| l.contains("execve(")).count(), 1, "{trace}");
    for send in trace.lines().filter(|l| l.contains("sendto(") || l.contains("sendmsg(")) {
        assert!(READ_REQUESTS.iter().any(|r| send.contains(&format!("nlmsg_type={r},"))), "{send}");
    }
}
