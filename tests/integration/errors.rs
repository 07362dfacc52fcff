//! The errors people hit, on the real host kernel: each gives exit code 3 and a
//! message that names the cause. These only read; they change no kernel state.

use crate::util;
use std::process::Command;

fn status_under(wrapper: &[&str]) -> (i32, String) {
    let out = Command::new(wrapper[0])
        .args(&wrapper[1..])
        .arg(util::dockaudit_bin())
        .arg("status")
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", wrapper[0]));
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn skip() -> bool {
    if !util::is_root() {
        eprintln!("skipped: needs root to drop privileges and create namespaces");
        return true;
    }
    false
}

#[test]
fn without_cap_audit_control() {
    if skip() {
        return;
    }
    let (code, stderr) = status_under(&["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("CAP_AUDIT_CONTROL") && stderr.contains("run as root"), "{stderr}");
    // Root whose capability was dropped: the message must be the same, not a bare EPERM.
    let (code, stderr) = status_under(&["setpriv", "--inh-caps=-all", "--bounding-set=-audit_control"]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("CAP_AUDIT_CONTROL"), "{stderr}");
}

#[test]
fn inside_a_new_pid_namespace() {
    if skip() {
        return;
    }
    let (code, stderr) = status_under(&["unshare", "--pid", "--fork"]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("host pid namespace") && stderr.contains("--pid=host"), "{stderr}");
}

#[test]
fn inside_a_new_user_namespace() {
    if skip() {
        return;
    }
    for wrapper in [&["unshare", "--user", "--map-root-user"][..], &["unshare", "--user"][..]] {
        let (code, stderr) = status_under(wrapper);
        assert_eq!(code, 3, "{wrapper:?}: {stderr}");
        assert!(stderr.contains("user namespace"), "{wrapper:?}: {stderr}");
    }
}

#[test]
fn usage_errors_exit_2() {
    let out = util::dockaudit(&["list", "--format", "xml"]);
    assert_eq!(out.status.code(), Some(2));
    let out = util::dockaudit(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
}
