use super::*;
use crate::rule::syscalls::Arch;
use crate::rules_file::{parse, parse_lines, ParseError, Resolver};

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

/// Each line parsed on its own, as `dockaudit load` reads files: parse errors stay in place.
fn parsed(text: &str) -> Vec<Result<Line, ParseError>> {
    parse_lines(text, "t.rules", &Resolver::new("/nonexistent-root").with_arch(Arch::X86_64))
}

fn skipped(report: &LoadReport) -> Vec<String> {
    report.skipped.iter().map(ToString::to_string).collect()
}

// The -i/-c tests follow auditctl 3.0.9's fileopt (src/auditctl.c): any failing line,
// parse error or kernel refusal, is skipped once `ignore` is set; exit 1 only when one
// failed after -c (`continue_error = -1`). vm-tests/scenarios/43-load-go-on.scn checks
// the same files against the real auditctl.

#[test]
fn under_i_parse_errors_and_kernel_refusals_are_skipped_with_file_and_line_and_the_rest_loads() {
    let mut kernel = FakeKernel::new(1);
    let report = load_parsed(
        &mut kernel,
        &parsed(
            "-i\n-w /etc/hosts\n-a always,exit -S all -F auid=chrony\n-w /missing/x\n-w /etc/hosts\n-w /etc/group\n",
        ),
    )
    .unwrap();
    assert_eq!(kernel.listing(), vec!["-w /etc/hosts -p rwxa", "-w /etc/group -p rwxa"]);
    let skipped = skipped(&report);
    assert_eq!(skipped.len(), 3, "{skipped:?}");
    assert!(skipped[0].starts_with("t.rules:3:") && skipped[0].contains("unknown user \"chrony\""), "{skipped:?}");
    assert!(skipped[1].starts_with("t.rules:4: the kernel rejected AUDIT_ADD_RULE"), "{skipped:?}");
    assert!(skipped[2].starts_with("t.rules:5:") && skipped[2].ends_with("(skipped: -i)"), "{skipped:?}");
    assert_eq!(report.exit_status, 0);
}

#[test]
fn under_c_the_same_lines_are_skipped_and_the_exit_status_is_1() {
    let mut kernel = FakeKernel::new(1);
    let report = load_parsed(&mut kernel, &parsed("-c\n-w /etc/hosts\n-w /missing/x\n-w /etc/group\n")).unwrap();
    assert_eq!(kernel.listing(), vec!["-w /etc/hosts -p rwxa", "-w /etc/group -p rwxa"]);
    assert_eq!(skipped(&report).len(), 1);
    assert_eq!(report.exit_status, 1);
    let mut kernel = FakeKernel::new(1);
    let report = load_parsed(&mut kernel, &parsed("-c\n-w /etc/hosts\n")).unwrap();
    assert_eq!((report.exit_status, report.skipped.len()), (0, 0), "-c with nothing failing");
}

#[test]
fn a_failure_before_i_still_rolls_everything_back() {
    let mut kernel = FakeKernel::new(1);
    let err = load_parsed(&mut kernel, &parsed("-w /etc/hosts\n-w /missing/x\n-i\n-w /etc/group\n")).unwrap_err();
    assert!(matches!(err, LoadError::Rejected { .. }), "{err}");
    assert!(kernel.rules.is_empty());
}

#[test]
fn a_parse_error_before_i_or_c_is_refused_before_anything_is_sent() {
    let mut kernel = FakeKernel::new(1);
    let err =
        load_parsed(&mut kernel, &parsed("-w /etc/hosts\n-a always,exit -F pth=/x\n-c\n-w /etc/group\n")).unwrap_err();
    assert!(matches!(&err, LoadError::Parse(e) if e.line == 2), "{err}");
    assert!(kernel.calls.is_empty(), "{:?}", kernel.calls);
}

#[test]
fn a_failure_under_i_before_c_does_not_make_the_exit_status_1() {
    let mut kernel = FakeKernel::new(1);
    let report = load_parsed(&mut kernel, &parsed("-i\n-w /missing/x\n-c\n-w /etc/hosts\n")).unwrap();
    assert_eq!((report.exit_status, report.skipped.len()), (0, 1));
    let mut kernel = FakeKernel::new(1);
    let report = load_parsed(&mut kernel, &parsed("-c\n-i\n-w /missing/x\n")).unwrap();
    assert_eq!(report.exit_status, 1, "a later -i does not undo -c");
}

#[test]
fn under_i_changes_after_a_lock_are_skipped_unsent_and_the_lock_still_goes_last() {
    let mut kernel = FakeKernel::new(1);
    let report = load_parsed(&mut kernel, &parsed("-i\n-w /etc/hosts\n-e 2\n-w /etc/group\n-b 100\n")).unwrap();
    assert_eq!(kernel.calls, vec!["add 0", "set Enabled=2"]);
    let skipped = skipped(&report);
    assert_eq!(skipped.len(), 2);
    assert!(skipped[0].starts_with("t.rules:4: the rules are locked by -e 2 at t.rules:3"), "{skipped:?}");
    // Without -i, -b after -e 2 is refused up front like a rule (the kernel says EPERM).
    let mut kernel = FakeKernel::new(1);
    assert!(matches!(load_parsed(&mut kernel, &parsed("-e 2\n-b 100\n")), Err(LoadError::ChangeAfterLock { .. })));
    assert!(kernel.calls.is_empty());
}
