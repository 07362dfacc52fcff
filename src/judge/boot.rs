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

use super::host_checks::MIN_BACKLOG;
use super::verdict::{Evaluation, HostCheck, Persistence, Verdict};
use crate::kernel::Setting;
use crate::persist::{drift, RuleSet, Source};
use crate::rule::syscalls::Arch;
use crate::rule::{text, Rule};

/// Most rules listed in one reason; the rest are counted.
const SHOWN: usize = 10;

fn rule_text(rule: &Rule, native: Arch) -> String {
    String::from_utf8_lossy(&text::to_text(rule, native)).into_owned()
}

fn listed(rules: &[&Rule], native: Arch) -> String {
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
    let kernel_status = eval.audit_status;
    let disk_rules = disk.plain_rules();
    let d = drift(kernel, &disk_rules);
    let mut verdict = Verdict::Pass;
    let mut reasons = Vec::new();
    for c in &eval.controls {
        // Whatever the verdict now (audit may be off), these rules vanish at reboot.
        if let Some(p) = c.persistence.as_ref().filter(|p| !p.persistent) {
            verdict = Verdict::Fail;
            reasons.push(format!(
                "{} ({}) rests on {} in no rule file: after a reboot it is not recorded",
                c.id,
                c.path,
                p.lost_at_reboot.iter().map(|r| format!("`{r}`")).collect::<Vec<_>>().join(", ")
            ));
        }
    }
    let mut advise = |reason: String, reasons: &mut Vec<String>| {
        verdict = verdict.max(Verdict::Weak);
        reasons.push(reason);
    };
    if !d.not_persistent.is_empty() {
        advise(
            format!(
                "{} rule(s) loaded but in no rule file, lost at reboot: {}",
                d.not_persistent.len(),
                listed(&d.not_persistent, native)
            ),
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
    if let Some(st) = kernel_status {
        // backlog_wait_time is not compared: no control or host check judges it.
        for setting in [Setting::Enabled, Setting::Failure, Setting::BacklogLimit, Setting::RateLimit] {
            let (Some(want), Some(have)) = (disk.settings.get(setting), setting.get(&st)) else { continue };
            if want != have {
                advise(
                    format!(
                        "the rule files set {} {want}, the kernel has {} {have}: a reboot changes it",
                        setting.flag(),
                        setting.name()
                    ),
                    &mut reasons,
                );
            }
        }
    }
    if disk.audit_rules_stale == Some(true) {
        advise(
            "/etc/audit/audit.rules differs from what augenrules merges from rules.d now (augenrules --check: \"Rules have changed and should be updated\")".into(),
            &mut reasons,
        );
    }
    if reasons.is_empty() {
        reasons
            .push(format!("the kernel's {} rule(s) are exactly the persistent ones, in the same order", kernel.len()));
    }
    HostCheck { id: "persistent-rules", title: "Loaded rules match the persistent rule files", verdict, reasons }
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
    let (verdict, reasons) = if disk.source == Source::Nothing {
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
    HostCheck { id: "rule-files", title, verdict, reasons }
}

/// The host checks of an offline judgement, from the rule files' control lines.
pub fn offline_host_checks(disk: &RuleSet) -> Vec<HostCheck> {
    let check = |id, title, verdict, reason: String| HostCheck { id, title, verdict, reasons: vec![reason] };
    let enabled = disk.settings.get(Setting::Enabled);
    let offline = |what: &str| format!("not judged offline: {what} is the running host's state, not the rule files'");
    vec![
        match enabled {
            Some(0) => check("audit-enabled", "Audit is enabled", Verdict::Fail, "the rule files set -e 0: audit is disabled after they load, and the kernel records nothing".into()),
            Some(n) => check("audit-enabled", "Audit is enabled", Verdict::Pass, format!("the rule files set -e {n}")),
            None => check("audit-enabled", "Audit is enabled", Verdict::NotApplicable, offline("whether audit is enabled (the files set no -e)")),
        },
        check("auditd-running", "An audit daemon receives events", Verdict::NotApplicable, offline("a running audit daemon")),
        if enabled == Some(2) {
            check("rules-locked", "Audit rules are locked", Verdict::Pass, "the rule files end with -e 2: the rules are locked once loaded".into())
        } else {
            check("rules-locked", "Audit rules are locked", Verdict::Weak, "the rule files do not end with -e 2: root can change or delete the rules at run time".into())
        },
        check("lost-events", "No audit events were lost", Verdict::NotApplicable, offline("the count of lost events")),
        match disk.settings.get(Setting::BacklogLimit) {
            Some(b) if b >= MIN_BACKLOG => check("backlog-limit", "The audit backlog is large enough", Verdict::Pass, format!("the rule files set -b {b}")),
            Some(b) => check("backlog-limit", "The audit backlog is large enough", Verdict::Weak, format!("the rule files set -b {b}, below {MIN_BACKLOG}: bursts lose events")),
            None => check("backlog-limit", "The audit backlog is large enough", Verdict::Weak, format!("the rule files set no -b: the kernel's default backlog_limit of 64 applies; set -b {MIN_BACKLOG} or more")),
        },
        load_check(disk),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::FakeFs;
    use crate::judge::Benchmark;
    use crate::judge::{evaluate, Options};
    use crate::kernel::Status;
    use crate::rules_file::Resolver;

    fn set(text: &str) -> RuleSet {
        // Parent directories must exist for a watch to load: the host's /etc and /usr/bin do.
        let resolver = Resolver::new("/").with_arch(Arch::X86_64);
        crate::persist::rules_from_files(&[("/etc/audit/rules.d/50-docker.rules".into(), text.into())], &resolver)
    }

    #[test]
    fn a_control_recorded_by_a_rule_in_no_file_fails_the_drift_check_whatever_its_verdict() {
        let fs = FakeFs::new().file("/usr/bin/dockerd").file("/usr/bin/containerd");
        let disk = set("-b 8192\n-w /usr/bin/dockerd -k docker\n-w /etc/hosts -k other\n");
        let kernel = set("-w /usr/bin/dockerd -k docker\n-w /usr/bin/containerd -k docker\n").plain_rules();
        let mut opts = Options::new(Benchmark::V1_6_0);
        opts.native = Arch::X86_64;
        // Audit off: every control fails now, and the loss at reboot still counts.
        let status = Status { enabled: 0, backlog_limit: 64, ..Status::default() };
        let mut eval = evaluate(&kernel, Some(&status), &fs, &opts).unwrap();
        annotate(&mut eval, &disk, Arch::X86_64);
        let dockerd = eval.controls.iter().find(|c| c.id == "1.1.3").unwrap();
        assert_eq!(
            dockerd.persistence,
            Some(Persistence {
                persistent: true,
                sources: vec!["/etc/audit/rules.d/50-docker.rules:2".into()],
                lost_at_reboot: vec![]
            })
        );
        let check = drift_check(&eval, &kernel, &disk, Arch::X86_64);
        assert_eq!(check.verdict, Verdict::Fail);
        assert_eq!(
            check.reasons,
            vec![
                "1.1.14 (/usr/bin/containerd) rests on `-w /usr/bin/containerd -p rwxa -k docker` in no rule file: after a reboot it is not recorded",
                "1 rule(s) loaded but in no rule file, lost at reboot: `-w /usr/bin/containerd -p rwxa -k docker`",
                "1 rule(s) in the rule files but not loaded (a reboot or augenrules --load brings them): `-w /etc/hosts -p rwxa -k other`",
                "the rule files set -b 8192, the kernel has backlog_limit 64: a reboot changes it",
            ]
        );
        // The same rules on both sides: clean.
        let same = set("-w /usr/bin/dockerd -k docker\n");
        let mut eval = evaluate(&same.plain_rules(), None, &fs, &opts).unwrap();
        annotate(&mut eval, &same, Arch::X86_64);
        assert_eq!(drift_check(&eval, &same.plain_rules(), &same, Arch::X86_64).verdict, Verdict::Pass);
    }

    #[test]
    fn offline_host_checks_come_from_the_control_lines() {
        let status = |text: &str| -> Vec<(&'static str, Verdict)> {
            offline_host_checks(&set(text)).into_iter().map(|h| (h.id, h.verdict)).collect()
        };
        assert_eq!(
            status("-b 8192\n-w /etc/hosts\n-e 2\n"),
            vec![
                ("audit-enabled", Verdict::Pass),
                ("auditd-running", Verdict::NotApplicable),
                ("rules-locked", Verdict::Pass),
                ("lost-events", Verdict::NotApplicable),
                ("backlog-limit", Verdict::Pass),
                ("rule-files", Verdict::Pass),
            ]
        );
        assert_eq!(
            status("-e 0\n-w /etc/hosts -p q\n"),
            vec![
                ("audit-enabled", Verdict::Fail),
                ("auditd-running", Verdict::NotApplicable),
                ("rules-locked", Verdict::Weak),
                ("lost-events", Verdict::NotApplicable),
                ("backlog-limit", Verdict::Weak),
                ("rule-files", Verdict::Fail),
            ]
        );
    }
}
