//! The words of a verdict: the reasons an auditor reads, and the rules the verdict
//! rests on in `auditctl -l` form and kernel order. Reads the walk's [`Coverage`] and
//! the [`Decision`]; decides nothing.

use std::collections::BTreeSet;
use std::path::Path;

use super::decide::{Decision, Demand};
use super::prepare::{holds, narrowing_fields, target_text, user_limiting_fields, Context, Prep, RuleTarget};
use super::syscall_classes::{abi_label, class_names, sysno, Cov, PERMS};
use super::verdict::Verdict;
use super::walk::{Coverage, FileToJudge, Relation, Role};
use crate::kernel::Compat;
use crate::rule::syscalls::Arch;
use crate::rule::{perm, text, FieldType, Rule};

/// A verdict's reasons and the rules it rests on.
pub(super) struct Explanation {
    pub(super) reasons: Vec<String>,
    pub(super) rules: Vec<String>,
    /// A note per process-specific never rule that bears on the file (`noise`).
    pub(super) notes: Vec<String>,
}

impl Context<'_, '_> {
    /// Says why the file got its verdict, in this order: what records it and what each
    /// recording rule lacks, what suppresses it, what never fires, what only looks as
    /// if it watched the file, what is not recorded in full, then the stages after the
    /// exit list (`--strict`, dropped records, audit disabled, which comes first).
    pub(super) fn explain(
        &self,
        file: &FileToJudge,
        coverage: &Coverage,
        demand: &Demand,
        decision: &Decision,
    ) -> Explanation {
        let mut reasons = Vec::new();
        let shown_path = file.path.display().to_string();

        if decision.exit_list == Verdict::Fail && coverage.recorders().next().is_none() {
            reasons.push(format!("no audit rule records changes to {shown_path}"));
        }
        for hit in coverage.recorders() {
            let how = self.describe(hit.prep, hit.relation, file);
            let lacks = self.lacks(hit.prep, demand);
            if lacks.is_empty() {
                reasons.push(how);
            } else {
                reasons.push(format!("{how}, but {}", lacks.join("; ")));
            }
        }
        for hit in coverage.with(|r| matches!(r, Role::Suppresses { .. })) {
            reasons.push(format!(
                "`{}` comes earlier in the exit list and suppresses {} (the first matching rule decides){}",
                self.text(hit.prep.rule),
                if hit.role == (Role::Suppresses { full: true }) { "these events" } else { "some of these events" },
                if hit.prep.noise { "; it names particular processes, which --strict does not accept" } else { "" }
            ));
        }
        let notes = coverage
            .hits
            .iter()
            .filter(|h| h.prep.noise && matches!(h.role, Role::Exempts | Role::Suppresses { .. }))
            .map(|h| self.noise_note(h.prep.rule))
            .collect();
        for hit in coverage.with(|r| r == Role::Preempted) {
            reasons.push(format!(
                "`{}` would record {shown_path}, but an earlier never rule matches first, so it never fires",
                self.text(hit.prep.rule)
            ));
        }
        for hit in coverage.with(|r| r == Role::Misses) {
            let p = hit.prep;
            let (rtext, target) = match &p.target {
                RuleTarget::Watch { link, .. } | RuleTarget::Dir { link, .. } => {
                    (target_text(p.rule), link.as_ref().map(|l| l.path.display().to_string()).unwrap_or_default())
                }
                RuleTarget::Any => continue,
            };
            reasons.push(match hit.relation {
                Relation::Inside => {
                    format!("`{}` watches {rtext}, which is inside {shown_path}, not {shown_path} itself", self.text(p.rule))
                }
                _ => format!(
                    "`{}` watches the symlink {rtext}, not the file it points to ({target}): the kernel does not follow a watch's last component",
                    self.text(p.rule)
                ),
            });
        }
        if decision.exit_list == Verdict::Weak {
            let mut not_full: Vec<String> = Vec::new();
            for (class, (bit, _, word)) in PERMS.iter().enumerate() {
                if demand.classes & bit == 0 {
                    continue;
                }
                let abis: Vec<&str> = (0..self.abis.len())
                    .filter(|&a| coverage.recorded[a][class] != Cov::Full)
                    .map(|a| abi_label(self.abis[a]))
                    .collect();
                if !abis.is_empty() {
                    not_full.push(format!("{word} ({})", abis.join(", ")));
                }
            }
            reasons.push(format!("not recorded in full: {}", not_full.join(", ")));
        }
        if let Some(letters) = demand.cis_perm.filter(|_| decision.with_strict != decision.exit_list) {
            reasons
                .push(format!("--strict: no recording rule has the CIS permissions -p {letters} and the key docker"));
        }

        let mut rules: Vec<String> = coverage.hits.iter().map(|h| self.text(h.prep.rule)).collect();
        if matches!(decision.with_strict, Verdict::Pass | Verdict::Weak) {
            for rule in &coverage.fs_never {
                let t = self.text(rule);
                reasons.push(format!(
                    "`{t}` excludes the filesystem {shown_path} is on: the kernel records no path of it, so no watch on it fires"
                ));
                rules.push(t);
            }
            if let Some(ex) = coverage.exclude {
                reasons.push(ex.reason.clone());
                rules.push(ex.rule.clone());
            }
        }

        if let Some(reason) = self.compat_reason(&reasons, coverage.recorders().next().is_some()) {
            reasons.push(reason);
        }
        if decision.audit_disabled {
            reasons.insert(
                0,
                format!(
                    "audit is disabled (enabled 0): the kernel records nothing; with audit enabled these rules would give {}",
                    decision.if_enabled.as_str()
                ),
            );
        }
        Explanation { reasons, rules, notes }
    }

    /// Why 32-bit calls are or are not asked for, where it bears on the verdict: when
    /// the kernel has no compat ABI, beside any rule that records the file (a 64-bit
    /// rule is enough); when it has one or nobody knows, beside a reason about 32-bit
    /// calls. Only when the evidence is known.
    fn compat_reason(&self, reasons: &[String], recorded: bool) -> Option<String> {
        let compat = &self.opts.compat;
        let label = abi_label(Arch::bits_for(self.opts.native, false));
        if !self.opts.native.is_64bit() || compat.how().is_empty() {
            return None;
        }
        match compat {
            Compat::Absent(how) => recorded
                .then(|| format!("{label} coverage not asked: the kernel has no {label} compat ABI ({how})")),
            Compat::Unknown(how) => reasons.iter().any(|r| r.contains(label)).then(|| {
                format!(
                    "{label} coverage asked: whether the kernel has a {label} compat ABI is not known ({how}), so it is assumed"
                )
            }),
            Compat::Present(how) => reasons
                .iter()
                .any(|r| r.contains(label))
                .then(|| format!("{label} coverage asked: the kernel has a {label} compat ABI ({how})")),
        }
    }

    /// What a recording rule's path filter takes of the file, in a sentence.
    fn describe(&self, p: &Prep, rel: Relation, file: &FileToJudge) -> String {
        let rule = self.text(p.rule);
        let shown = file.path.display();
        let text = target_text(p.rule);
        match (&p.target, rel) {
            (RuleTarget::Any, _) => format!("`{rule}` has no path filter and records every system call"),
            (RuleTarget::Watch { .. }, Relation::DirEntryOnly) => format!(
                "`{rule}` watches the directory {text} itself: it records creating, deleting and renaming entries in it, not writes to the files below it (the CIS line `-w {shown}` is a tree watch)"
            ),
            (RuleTarget::Watch { .. }, Relation::ParentEntry) => format!(
                "`{rule}` watches the directory {text}: it records creating, deleting and renaming {shown}, not writes to it"
            ),
            (RuleTarget::Watch { .. }, _) if Path::new(&text) == file.path => format!("`{rule}` watches {shown}"),
            (RuleTarget::Watch { .. }, _) => format!(
                "`{rule}` watches {text}, which is the same file as {shown} (the kernel resolves a watch's parent directories through symlinks)"
            ),
            (RuleTarget::Dir { at, .. }, _) if at.path == file.at.path => {
                format!("`{rule}` is a tree watch on {text}")
            }
            (RuleTarget::Dir { .. }, _) => {
                format!("`{rule}` is a tree watch on {text}, which contains {shown}")
            }
        }
    }

    /// What a recording rule leaves out of what a pass demands: classes its `-p` lacks,
    /// ABIs its arch filter drops, calls its syscall list misses, users and other
    /// events its fields filter out.
    fn lacks(&self, p: &Prep, demand: &Demand) -> Vec<String> {
        let required = demand.classes;
        let mut lacks = Vec::new();
        let missing: String =
            PERMS.iter().filter(|(bit, _, _)| required & bit != 0 && p.perm & bit == 0).map(|(_, l, _)| *l).collect();
        if !missing.is_empty() {
            let words: Vec<&str> = PERMS.iter().filter(|(_, l, _)| missing.contains(*l)).map(|(_, _, w)| *w).collect();
            let strict = match demand.cis_perm {
                Some(letters) => format!(" (--strict demands the CIS -p {letters})"),
                None => String::new(),
            };
            lacks.push(format!("-p {} does not record {}{strict}", perm::letters(p.perm), words.join(" or ")));
        }
        for (abi, &ok) in self.abis.iter().zip(&p.arch_ok) {
            if !ok {
                lacks.push(format!("its arch filter leaves out {} ({}) system calls", abi_label(*abi), abi.name()));
            }
        }
        for (a, abi) in self.abis.iter().enumerate() {
            if !p.arch_ok[a] || p.rule.mask.is_all() {
                continue;
            }
            let missing: Vec<&str> = PERMS
                .iter()
                .filter(|(bit, _, _)| required & bit != 0 && p.perm & bit != 0)
                .flat_map(|(bit, _, _)| class_names(*bit).iter())
                .filter(|n| sysno(*abi, n).is_some_and(|nr| !p.rule.mask.contains(nr)))
                .copied()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            if !missing.is_empty() {
                let shown: Vec<&str> = missing.iter().take(8).copied().collect();
                let more = if missing.len() > 8 { format!(" and {} more", missing.len() - 8) } else { String::new() };
                lacks.push(format!(
                    "its syscall list misses {} ({}) calls that write or change attributes: {}{more}",
                    abi_label(*abi),
                    abi.name(),
                    shown.join(", ")
                ));
            }
        }
        if let Some(users) = user_limit(p.rule) {
            lacks.push(users);
        }
        let other: Vec<String> = narrowing_fields(p.rule).map(text::field_text).collect();
        if !other.is_empty() {
            lacks.push(format!("{} records only the events that match it", other.join(" ")));
        }
        lacks
    }
}

/// The unset login uid (`auid=-1`), which daemons started by systemd run with.
const UNSET: u32 = u32::MAX;

/// Which users a rule's user fields leave out, in words.
fn user_limit(rule: &Rule) -> Option<String> {
    let mut parts = Vec::new();
    for (f, value) in user_limiting_fields(rule) {
        let probes: &[(u32, &str)] = match f.kind {
            FieldType::LOGINUID => &[
                (0, "root's own logins (auid 0)"),
                (
                    UNSET,
                    "processes without a login uid (auid unset), such as dockerd and containerd started by systemd",
                ),
            ],
            FieldType::UID | FieldType::EUID | FieldType::SUID | FieldType::FSUID => {
                &[(0, "root (uid 0), which runs dockerd and containerd")]
            }
            FieldType::GID | FieldType::EGID | FieldType::SGID | FieldType::FSGID => &[(0, "group root (gid 0)")],
            _ => &[],
        };
        let left_out: Vec<&str> = probes.iter().filter(|(v, _)| !holds(f.op, value, *v)).map(|(_, w)| *w).collect();
        let field = text::field_text(f);
        parts.push(if left_out.is_empty() {
            format!("{field} limits it to some users")
        } else {
            format!("{field} leaves out {}", left_out.join(" and "))
        });
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}
