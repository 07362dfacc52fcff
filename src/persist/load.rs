//! `dockaudit load`: the native `auditctl -R`, but all or nothing.
//!
//! Decisions (the issue leaves them open):
//! - Before anything is sent, the current rules and status are read. If a line fails,
//!   every change this run made is undone: added rules are deleted (the same encoded
//!   rule, newest first); if the run had deleted rules (`-D`, `-d`, `-W`), the whole
//!   rule list is put back as it was instead; settings (`-e 0|1`, `-f`, `-b`, `-r`,
//!   `--backlog_wait_time`) get their old values back.
//! - `-e 2` and `--loginuid-immutable` cannot be undone until reboot, so they are sent
//!   last, after every other line has succeeded. A line that changes rules after
//!   `-e 2` would fail on the locked kernel under auditctl; we refuse such a file
//!   before touching the kernel.
//! - `-i` and `-c` (go on past errors) do not weaken all-or-nothing; they are reported
//!   as ignored.
//! - A kernel whose rules are locked (`enabled 2`) is refused before anything is sent.

use crate::kernel::{AuditControl, Error, Setting};
use crate::rule::Rule;
use crate::rules_file::{Directive, Entry, Line, Origin, RuleOp};

/// What a successful `load` changed, counted by kernel request.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LoadReport {
    /// `-a`/`-A` rules and `-w` watches.
    pub added: usize,
    /// Rules removed by `-d`/`-W`, plus every rule a `-D` took away.
    pub deleted: usize,
    /// `-e`, `-f`, `-b`, `-r`, `--backlog_wait_time`, `--loginuid-immutable` lines sent.
    pub settings: usize,
    /// Lines that were parsed but deliberately not acted on (`-i`, `-c`), and warnings.
    pub notes: Vec<String>,
}

/// Why `load` changed nothing: refused up front, or rolled back after a kernel refusal.
#[allow(missing_docs)] // each variant's #[error] text is its documentation
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(
        "the kernel's audit rules are locked (enabled 2) until the next reboot: no rule can be \
         added or removed; nothing was changed"
    )]
    Locked,
    #[error(
        "{lock}: -e 2 locks the rules until reboot, but {later} changes them after it; \
         move -e 2 to the end (nothing was changed)"
    )]
    ChangeAfterLock { lock: Origin, later: Origin },
    #[error("{origin}: {source}; {rollback}")]
    Rejected { origin: Origin, source: Error, rollback: String },
    #[error("{0}")]
    Kernel(#[from] Error),
}

// A load has few lines; boxing the rule would buy nothing.
#[allow(clippy::large_enum_variant)]
enum Undo {
    Added { rule: Rule },
    Deleted,
    Setting { setting: Setting, old: u32 },
}

/// Applies the lines in order as one transaction.
pub fn load(kernel: &mut dyn AuditControl, lines: &[Line]) -> Result<LoadReport, LoadError> {
    let status = kernel.status()?;
    if status.is_locked() {
        return Err(LoadError::Locked);
    }
    check_lock_is_last(lines)?;
    let snapshot = kernel.list_rules()?;
    let mut report = LoadReport::default();
    let mut undo: Vec<Undo> = Vec::new();
    let mut deferred: Vec<&Line> = Vec::new();

    for line in lines {
        report.notes.extend(line.warnings.iter().map(|w| format!("{}: warning: {w}", line.origin)));
        let result = match &line.entry {
            Entry::Rule { op: RuleOp::Append | RuleOp::Prepend, rule } => {
                let prepend = matches!(line.entry, Entry::Rule { op: RuleOp::Prepend, .. });
                kernel.add_rule(rule, prepend).map(|()| {
                    report.added += 1;
                    undo.push(Undo::Added { rule: rule.clone() });
                })
            }
            Entry::Rule { op: RuleOp::Delete, rule } => kernel.delete_rule(rule).map(|()| {
                report.deleted += 1;
                undo.push(Undo::Deleted);
            }),
            Entry::Directive(Directive::DeleteAll { key }) => delete_all(kernel, key.as_deref()).map(|n| {
                report.deleted += n;
                undo.push(Undo::Deleted);
            }),
            // Neither can be undone: sent last, once everything else succeeded.
            Entry::Directive(Directive::Set(Setting::Enabled, 2) | Directive::LoginuidImmutable) => {
                deferred.push(line);
                Ok(())
            }
            Entry::Directive(directive @ (Directive::IgnoreErrors | Directive::ContinueOnErrors)) => {
                let flag = if *directive == Directive::IgnoreErrors { "-i" } else { "-c" };
                report.notes.push(format!("{}: {flag} ignored: dockaudit load is all or nothing", line.origin));
                Ok(())
            }
            Entry::Directive(Directive::Set(setting, value)) => match setting.get(&status) {
                Some(old) => kernel.set(*setting, *value).map(|()| {
                    report.settings += 1;
                    undo.push(Undo::Setting { setting: *setting, old });
                }),
                None => Err(Error::Kernel {
                    request: "AUDIT_SET",
                    source: std::io::Error::new(
                        std::io::ErrorKind::Unsupported,
                        "this kernel has no backlog_wait_time",
                    ),
                }),
            },
        };
        if let Err(source) = result {
            let rollback = roll_back(kernel, &snapshot, undo);
            return Err(LoadError::Rejected { origin: line.origin.clone(), source, rollback });
        }
    }

    for line in deferred {
        let result = match line.entry {
            Entry::Directive(Directive::LoginuidImmutable) => kernel.set_loginuid_immutable(),
            _ => kernel.set(Setting::Enabled, 2),
        };
        if let Err(source) = result {
            let rollback = roll_back(kernel, &snapshot, undo);
            return Err(LoadError::Rejected { origin: line.origin.clone(), source, rollback });
        }
        report.settings += 1;
    }
    Ok(report)
}

fn check_lock_is_last(lines: &[Line]) -> Result<(), LoadError> {
    let lock = lines.iter().find(|l| matches!(&l.entry, Entry::Directive(d) if d.locks()));
    if let Some(lock) = lock {
        let changes_rules = |l: &&Line| {
            matches!(l.entry, Entry::Rule { .. } | Entry::Directive(Directive::DeleteAll { .. }))
                || matches!(l.entry, Entry::Directive(Directive::Set(Setting::Enabled, 0 | 1)))
        };
        let after = lines.iter().skip_while(|l| !std::ptr::eq(*l, lock)).skip(1).find(changes_rules);
        if let Some(later) = after {
            return Err(LoadError::ChangeAfterLock { lock: lock.origin.clone(), later: later.origin.clone() });
        }
    }
    Ok(())
}

/// `-D` (optionally only the rules carrying `key`), as auditctl does it: list, then
/// delete each rule as the kernel sent it.
fn delete_all(kernel: &mut dyn AuditControl, key: Option<&str>) -> Result<usize, Error> {
    let mut deleted = 0;
    for rule in kernel.list_rules()? {
        if key.is_none_or(|k| rule.has_key(k)) {
            kernel.delete_rule(&rule)?;
            deleted += 1;
        }
    }
    Ok(deleted)
}

/// Makes the kernel's rule list exactly `rules`, in order: deletes every rule, then adds
/// each as it was listed. Rules cannot be re-inserted at a position one by one, so a
/// snapshot is put back whole (rollback, and tests or benchmarks that borrow the host).
/// Every rule is tried even after one fails, so as much as possible comes back.
pub fn replace_rules(kernel: &mut dyn AuditControl, rules: &[Rule]) -> Result<(), RestoreError> {
    delete_all(kernel, None).map_err(RestoreError::Clear)?;
    let failures: Vec<Error> = rules.iter().filter_map(|rule| kernel.add_rule(rule, false).err()).collect();
    if failures.is_empty() {
        Ok(())
    } else {
        Err(RestoreError::Add(failures))
    }
}

/// Puts a saved rule list back and checks that the kernel lists exactly it again; for
/// whoever borrowed the kernel's rules (host tests, benchmarks). Says what went wrong.
pub fn restore_and_verify(kernel: &mut dyn AuditControl, rules: &[Rule]) -> Result<(), String> {
    replace_rules(kernel, rules).map_err(|e| e.problems().join("; "))?;
    let now = kernel.list_rules().map_err(|e| e.to_string())?;
    if now != rules {
        return Err(format!("{} rules saved, {} listed after the restore", rules.len(), now.len()));
    }
    Ok(())
}

/// Why [`replace_rules`] could not put the list back.
#[derive(Debug)]
pub enum RestoreError {
    /// The old rules could not be deleted; nothing was added.
    Clear(Error),
    /// These rules could not be re-added (the others were).
    Add(Vec<Error>),
}

impl RestoreError {
    /// One line per problem, as the rollback report words them.
    pub fn problems(self) -> Vec<String> {
        match self {
            RestoreError::Clear(e) => vec![format!("could not clear the rules to restore them: {e}")],
            RestoreError::Add(errors) => errors.into_iter().map(|e| format!("could not restore a rule: {e}")).collect(),
        }
    }
}

/// Undoes this run's changes; says what happened, for the error message.
fn roll_back(kernel: &mut dyn AuditControl, snapshot: &[Rule], undo: Vec<Undo>) -> String {
    let mut problems = Vec::new();
    let deleted_some = undo.iter().any(|u| matches!(u, Undo::Deleted));
    let added = undo.iter().filter(|u| matches!(u, Undo::Added { .. })).count();
    if deleted_some {
        // Rules this run deleted cannot be re-inserted where they were one by one;
        // the whole list is rebuilt from the snapshot instead.
        if let Err(e) = replace_rules(kernel, snapshot) {
            problems.extend(e.problems());
        }
    }
    for step in undo.into_iter().rev() {
        match step {
            Undo::Added { rule } if !deleted_some => {
                if let Err(e) = kernel.delete_rule(&rule) {
                    problems.push(format!("could not remove an added rule: {e}"));
                }
            }
            Undo::Setting { setting, old } => {
                if let Err(e) = kernel.set(setting, old) {
                    problems.push(format!("could not restore {setting:?}: {e}"));
                }
            }
            _ => {}
        }
    }
    match (problems.is_empty(), deleted_some) {
        (true, true) => format!("rolled back: restored the {} rule(s) from before the load", snapshot.len()),
        (true, false) => format!("rolled back: removed the {added} rule(s) this load had added"),
        (false, _) => format!("ROLLBACK INCOMPLETE: {}", problems.join("; ")),
    }
}

#[cfg(test)]
#[path = "load_tests.rs"]
mod tests;
