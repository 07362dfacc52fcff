use super::*;
use crate::rule::syscalls::Arch;
use crate::rules_file::{parse, Resolver};

use crate::kernel::FakeKernel;

fn lines(text: &str) -> Vec<Line> {
    parse(text, "t.rules", &Resolver::new("/nonexistent-root").with_arch(Arch::X86_64)).unwrap()
}

fn rules(text: &str) -> Vec<Rule> {
    lines(text)
        .into_iter()
        .map(|l| match l.entry {
            Entry::Rule { rule, .. } => rule,
            _ => unreachable!(),
        })
        .collect()
}

#[test]
fn a_locked_kernel_is_refused_before_anything_is_sent() {
    let mut kernel = FakeKernel::new(2);
    let err = load(&mut kernel, &lines("-w /etc/hosts\n")).unwrap_err();
    assert!(matches!(err, LoadError::Locked));
    assert!(err.to_string().contains("locked (enabled 2)"), "{err}");
    assert!(kernel.calls.is_empty());
}

#[test]
fn rules_and_settings_are_applied_in_order() {
    let mut kernel = FakeKernel::holding(1, rules("-w /etc/passwd\n"));
    let report =
        load(&mut kernel, &lines("-D\n-b 8192\n-w /etc/hosts -k a\n-A always,exit -F arch=b64 -S open\n-f 2\n"))
            .unwrap();
    assert_eq!((report.added, report.deleted, report.settings), (2, 1, 2));
    assert_eq!(kernel.listing(), vec!["-a always,exit -F arch=b64 -S open", "-w /etc/hosts -p rwxa -k a"]);
    assert_eq!((kernel.status.backlog_limit, kernel.status.failure), (8192, 2));
}

#[test]
fn a_rejected_rule_removes_what_this_load_added_newest_first_and_restores_settings() {
    let mut kernel = FakeKernel::holding(1, rules("-w /etc/passwd\n"));
    let before = kernel.listing();
    let err = load(
        &mut kernel,
        &lines("-b 100\n-w /etc/hosts\n-A always,exit -F arch=b64 -S open\n-w /missing/x\n-w /etc/group\n"),
    )
    .unwrap_err();
    let message = err.to_string();
    assert!(
        message.starts_with("t.rules:4: the kernel rejected AUDIT_ADD_RULE: No such file or directory"),
        "{message}"
    );
    assert!(message.contains("rolled back: removed the 2 rule(s) this load had added"), "{message}");
    assert_eq!(kernel.listing(), before);
    assert_eq!(kernel.status.backlog_limit, 64);
    assert_eq!(
        kernel.calls,
        vec!["set BacklogLimit=100", "add 1", "add 2", "add 3", "delete", "delete", "set BacklogLimit=64"]
    );
}

#[test]
fn after_a_delete_all_the_previous_rules_are_restored() {
    let mut kernel = FakeKernel::holding(1, rules("-w /etc/passwd -k p\n-a always,exit -F arch=b64 -S open -k o\n"));
    let before = kernel.listing();
    let err =
        load(&mut kernel, &lines("-D -k p\n-d always,exit -F arch=b64 -S open -k o\n-w /etc/hosts\n-w /missing/x\n"))
            .unwrap_err();
    assert!(err.to_string().contains("rolled back: restored the 2 rule(s) from before the load"), "{err}");
    assert_eq!(kernel.listing(), before);
}

#[test]
fn irreversible_settings_come_last_and_nothing_may_change_rules_after_a_lock() {
    let mut kernel = FakeKernel::new(1);
    load(&mut kernel, &lines("--loginuid-immutable\n-w /etc/hosts\n-e 2\n")).unwrap();
    assert_eq!(kernel.calls, vec!["add 0", "loginuid-immutable", "set Enabled=2"]);

    let mut kernel = FakeKernel::new(1);
    let err = load(&mut kernel, &lines("-e 2\n-w /etc/hosts\n")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "t.rules:1: -e 2 locks the rules until reboot, but t.rules:2 changes them after it; move -e 2 to the end (nothing was changed)"
    );
    assert!(kernel.calls.is_empty());

    // A failure before the lock means the lock is never sent.
    let mut kernel = FakeKernel::new(1);
    assert!(load(&mut kernel, &lines("--loginuid-immutable\n-w /missing/x\n-e 2\n")).is_err());
    assert!(!kernel.calls.iter().any(|c| c.contains("Enabled=2") || c.contains("loginuid")), "{:?}", kernel.calls);
}

#[test]
fn continue_flags_are_reported_not_obeyed() {
    let mut kernel = FakeKernel::new(1);
    let report = load(&mut kernel, &lines("-c\n-w /etc/hosts\n")).unwrap();
    assert_eq!(report.notes, vec!["t.rules:1: -c ignored: dockaudit load is all or nothing"]);
    let mut kernel = FakeKernel::new(1);
    assert!(load(&mut kernel, &lines("-i\n-w /missing/x\n-w /etc/hosts\n")).is_err());
    assert!(kernel.rules.is_empty());
}
