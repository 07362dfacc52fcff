//! What `check` says about the rules a host gets back at boot: whether each control's
//! recording rules are in the persistent rule files, the host-wide drift between the
//! kernel and those files, whether the files load cleanly, and, offline, the host
//! checks that the files' control lines (`-e`, `-b`) can answer.
//!
//! Decisions:
//! - A control recorded now (whatever its verdict: audit may be off) by a rule in no
//!   rule file fails the `persistent-rules` host check: after a reboot it is not. Other drift
//!   (unrelated rules lost or not loaded, another order, a stale `audit.rules`) is
//!   advice (`weak`), like an unlocked rule set.
//! - Offline there is no kernel: `-e 0` in the files fails `audit-enabled`, `-e 2`
//!   passes `rules-locked`, `-b N` is judged like the kernel's backlog limit (no `-b`:
//!   the kernel's default of 64); auditd running and lost events are `not_applicable`
//!   ("not judged offline"), never a finding.

use crate::evaluate::{Evaluation, HostCheck, Persistence, Verdict, MIN_BACKLOG};
use crate::persistent::{drift, RuleSet, Source};
use crate::rule::{text, Rule};
use crate::syscalls::Arch;

/// Most rules listed in one reason; the rest are counted.
const SHOWN: usize = 10;

fn rule_text(rule: &Rule, native: Arch) -> String {
    String::from_utf8_lossy(&text::to_text(rule, native)).into_owned()
}

fn listed(rules: &[Rule], native: Arch) -> String {
    let mut shown: Vec<String> = rules.iter().take(SHOWN).map(|r| format!("`{}`", rule_text(r, native))).collect();
    if rules.len() > SHOWN {
        shown.push(format!("and {} more", rules.len() - SHOWN));
    }
    shown.join(", ")
}

/// Fills each control's `persistence` from the rule set the host loads at boot.
pub fn annotate(eval: &mut Evaluation, disk: &RuleSet, native: Arch) {
    for control in &mut eval.controls {
        if control.recording.is_empty() {
            continue;
        }
        let mut sources = Vec::new();
        let mut lost = Vec::new();
        for rule in &control.recording {
            match disk.find(rule) {
                Some(found) => sources.push(found.origin.to_string()),
                None => lost.push(rule_text(rule, native)),
            }
        }
        control.persistence = Some(Persistence { persistent: lost.is_empty(), sources, lost_at_reboot: lost });
    }
}

/// `persistent-rules`: the kernel's rules against the persistent ones (what
/// `augenrules --check` and a reboot would show). Call after [`annotate`].
pub fn drift_check(eval: &Evaluation, kernel: &[Rule], disk: &RuleSet, native: Arch) -> HostCheck {
    let d = drift(kernel, &disk.plain_rules());
    let mut status = Verdict::Pass;
    let mut reasons = Vec::new();
    for c in &eval.controls {
        // Whatever the verdict now (audit may be off), these rules vanish at reboot.
        if let Some(p) = c.persistence.as_ref().filter(|p| !p.persistent) {
            status = Verdict::Fail;
            reasons.push(format!(
                "{} ({}) rests on {} in no rule file: after a reboot it is not recorded",
                c.id,
                c.path,
                p.lost_at_reboot.iter().map(|r| format!("`{r}`")).collect::<Vec<_>>().join(", ")
            ));
        }
    }
    let mut advise = |reason: String, reasons: &mut Vec<String>| {
        status = status.max(Verdict::Weak);
        reasons.push(reason);
    };
    if !d.not_persistent.is_empty() {
        advise(
            format!("{} rule(s) loaded but in no rule file, lost at reboot: {}", d.not_persistent.len(), listed(&d.not_persistent, native)),
            &mut reasons,
        );
    }
    if !d.not_loaded.is_empty() {
        advise(
            format!(
                "{} rule(s) in the rule files but not loaded (a reboot or augenrules --load brings them): {}",
                d.not_loaded.len(),
                listed(&d.not_loaded, native)
            ),
            &mut reasons,
        );
    }
    if d.order_differs {
        advise(
            "the kernel holds the persistent rules in another order; the first matching rule decides, so verdicts can change at reboot".into(),
            &mut reasons,
        );
    }
    if disk.audit_rules_stale == Some(true) {
        advise(
            "/etc/audit/audit.rules differs from what augenrules merges from rules.d now (augenrules --check: \"Rules have changed and should be updated\")".into(),
            &mut reasons,
        );
    }
    if reasons.is_empty() {
        reasons.push(format!("the kernel's {} rule(s) are exactly the persistent ones, in the same order", kernel.len()));
    }
    HostCheck { id: "persistent-rules", title: "Loaded rules match the persistent rule files", status, reasons }
}

fn source_words(disk: &RuleSet) -> String {
    match &disk.source {
        Source::RulesD { files } => format!("{} file(s) of /etc/audit/rules.d", files.len()),
        Source::AuditRules => "/etc/audit/audit.rules".into(),
        Source::Nothing => "no rule files".into(),
        Source::Given { files } => files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(", "),
    }
}

/// `rule-files`: whether the rule files load without a failing line.
pub fn load_check(disk: &RuleSet) -> HostCheck {
    let title = "The rule files load without errors";
    let (status, reasons) = if disk.source == Source::Nothing {
        (
            Verdict::Weak,
            vec!["neither /etc/audit/rules.d nor /etc/audit/audit.rules exists: no rules are loaded at boot".into()],
        )
    } else if disk.problems.is_empty() {
        (Verdict::Pass, vec![format!("{} load cleanly ({} rule(s))", source_words(disk), disk.rules.len())])
    } else {
        let stops = disk.problems.iter().any(|p| p.contains("the boot load stops"));
        (if stops { Verdict::Fail } else { Verdict::Weak }, disk.problems.clone())
    };
    HostCheck { id: "rule-files", title, status, reasons }
}

/// The host checks of an offline judgement, from the rule files' control lines.
pub fn offline_host_checks(disk: &RuleSet) -> Vec<HostCheck> {
    let check = |id, title, status, reason: String| HostCheck { id, title, status, reasons: vec![reason] };
    let s = &disk.settings;
    let offline = |what: &str| format!("not judged offline: {what} is the running host's state, not the rule files'");
    vec![
        match s.enabled {
            Some(0) => check("audit-enabled", "Audit is enabled", Verdict::Fail, "the rule files set -e 0: audit is disabled after they load, and the kernel records nothing".into()),
            Some(n) => check("audit-enabled", "Audit is enabled", Verdict::Pass, format!("the rule files set -e {n}")),
            None => check("audit-enabled", "Audit is enabled", Verdict::NotApplicable, offline("whether audit is enabled (the files set no -e)")),
        },
        check("auditd-running", "An audit daemon receives events", Verdict::NotApplicable, offline("a running audit daemon")),
        if s.enabled == Some(2) {
            check("rules-locked", "Audit rules are locked", Verdict::Pass, "the rule files end with -e 2: the rules are locked once loaded".into())
        } else {
            check("rules-locked", "Audit rules are locked", Verdict::Weak, "the rule files do not end with -e 2: root can change or delete the rules at run time".into())
        },
        check("lost-events", "No audit events were lost", Verdict::NotApplicable, offline("the count of lost events")),
        match s.backlog_limit {
            Some(b) if b >= MIN_BACKLOG => check("backlog-limit", "The audit backlog is large enough", Verdict::Pass, format!("the rule files set -b {b}")),
            Some(b) => check("backlog-limit", "The audit backlog is large enough", Verdict::Weak, format!("the rule files set -b {b}, below {MIN_BACKLOG}: bursts lose events")),
            None => check("backlog-limit", "The audit backlog is large enough", Verdict::Weak, format!("the rule files set no -b: the kernel's default backlog_limit of 64 applies; set -b {MIN_BACKLOG} or more")),
        },
        load_check(disk),
    ]
}
