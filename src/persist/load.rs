//! `dockaudit load`: the native `auditctl -R`, but all or nothing unless `-i`/`-c` say
//! to go on.
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
//! - `-i` and `-c` go on past a failing line as auditctl 3.0.9 does ([`OnError`], the
//!   decision the boot simulation takes too): the line is skipped and reported, what
//!   loaded stays, and the exit status is auditctl's (1 when a line failed after `-c`).
//!   A line that fails before any `-i`/`-c` keeps the all-or-nothing rollback. A parse
//!   error (unknown user, misspelt field, a field the kernel's features forbid) is such
//!   a failure too; one that stops the load is found before anything is sent.
//! - Several files are one stream, as if concatenated: `-i`/`-c` in the first holds for
//!   the next (auditctl reads one file per `-R`).
//! - A kernel whose rules are locked (`enabled 2`) is refused before anything is sent.
//! - After `-e 2` the kernel refuses every rule change and setting (EPERM); under
//!   `-i`/`-c` such lines are skipped without being sent, as auditctl's fail, and
//!   `-e 2` still goes last.

use super::boot_load::{changes_after_lock, locked_message};
use super::on_error::{Next, OnError};
use crate::kernel::{AuditControl, Error, Setting};
use crate::rule::Rule;
use crate::rules_file::{Directive, Entry, Line, Origin, ParseError, RuleOp};

/// What a successful `load` changed, counted by kernel request.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LoadReport {
    /// `-a`/`-A` rules and `-w` watches.
    pub added: usize,
    /// Rules removed by `-d`/`-W`, plus every rule a `-D` took away.
    pub deleted: usize,
    /// `-e`, `-f`, `-b`, `-r`, `--backlog_wait_time`, `--loginuid-immutable` lines sent.
    pub settings: usize,
    /// Warnings about lines that loaded.
    pub notes: Vec<String>,
    /// Lines that failed and were skipped under `-i`/`-c`, in file order.
    pub skipped: Vec<Skipped>,
    /// auditctl's exit status for the load: 1 when a line failed after `-c`, else 0.
    pub exit_status: u8,
}

/// A line skipped under `-i` or `-c`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Why it failed, starting with `FILE:LINE:`.
    pub reason: String,
    /// `-i` or `-c`: the option that let the load go on.
    pub flag: &'static str,
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (skipped: {})", self.reason, self.flag)
    }
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
    /// A line that does not parse, before any `-i`/`-c`: nothing was sent.
    #[error("{0}")]
    Parse(ParseError),
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
    let parsed: Vec<Result<Line, ParseError>> = lines.iter().cloned().map(Ok).collect();
    load_parsed(kernel, &parsed)
}

/// Applies the lines of rule files as `rules_file::parse_lines` gives them, parse errors
/// included: under `-i`/`-c` those are skipped like the kernel's refusals.
pub fn load_parsed(kernel: &mut dyn AuditControl, lines: &[Result<Line, ParseError>]) -> Result<LoadReport, LoadError> {
    let status = kernel.status()?;
    if status.is_locked() {
        return Err(LoadError::Locked);
    }
    refuse_before_sending(lines)?;
    let snapshot = kernel.list_rules()?;
    let mut report = LoadReport::default();
    let mut undo: Vec<Undo> = Vec::new();
    let mut deferred: Vec<&Line> = Vec::new();
    let mut on_error = OnError::default();
    let mut locked_at: Option<&Origin> = None;

    for item in lines {
        let line = match item {
            Ok(line) => line,
            Err(e) => {
                // refuse_before_sending returned every parse error that stops the load.
                if let Next::Skip { flag } = on_error.line_failed() {
                    report.skipped.push(Skipped { reason: e.to_string(), flag });
                }
                continue;
            }
        };
        on_error.see(&line.entry);
        report.notes.extend(line.warnings.iter().map(|w| format!("{}: warning: {w}", line.origin)));
        if let Some(lock) = locked_at.filter(|_| changes_after_lock(&line.entry)) {
            // Likewise only reached when the load goes on.
            if let Next::Skip { flag } = on_error.line_failed() {
                report.skipped.push(Skipped { reason: format!("{}: {}", line.origin, locked_message(lock)), flag });
            }
            continue;
        }
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
            Entry::Directive(directive @ (Directive::Set(Setting::Enabled, 2) | Directive::LoginuidImmutable)) => {
                if directive.locks() {
                    locked_at = Some(&line.origin);
                }
                deferred.push(line);
                Ok(())
            }
            Entry::Directive(Directive::IgnoreErrors | Directive::ContinueOnErrors) => Ok(()),
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
        if let Err(source) = result.or_else(|source| skip_or_stop(&mut on_error, &mut report.skipped, line, source)) {
            let rollback = roll_back(kernel, &snapshot, undo);
            return Err(LoadError::Rejected { origin: line.origin.clone(), source, rollback });
        }
    }

    // Sent where the file ends, so the state there decides whether a failure stops.
    for line in deferred {
        let result = match line.entry {
            Entry::Directive(Directive::LoginuidImmutable) => kernel.set_loginuid_immutable(),
            _ => kernel.set(Setting::Enabled, 2),
        };
        let result = result.map(|()| report.settings += 1);
        if let Err(source) = result.or_else(|source| skip_or_stop(&mut on_error, &mut report.skipped, line, source)) {
            let rollback = roll_back(kernel, &snapshot, undo);
            return Err(LoadError::Rejected { origin: line.origin.clone(), source, rollback });
        }
    }
    report.exit_status = on_error.exit_status();
    Ok(report)
}

/// The failures seen in the files alone (a line that does not parse, a change after
/// `-e 2`) that stop the load: refused before anything is sent. The same walk as the
/// load's, so the same lines are skipped there.
/// A line the kernel refused: skipped and reported after `-i`/`-c`, else the error back
/// (the load stops and rolls back).
fn skip_or_stop(on_error: &mut OnError, skipped: &mut Vec<Skipped>, line: &Line, source: Error) -> Result<(), Error> {
    match on_error.line_failed() {
        Next::Skip { flag } => {
            skipped.push(Skipped { reason: format!("{}: {source}", line.origin), flag });
            Ok(())
        }
        Next::Stop => Err(source),
    }
}

fn refuse_before_sending(lines: &[Result<Line, ParseError>]) -> Result<(), LoadError> {
    let mut on_error = OnError::default();
    let mut lock: Option<&Origin> = None;
    for item in lines {
        match item {
            Err(e) => {
                if on_error.line_failed() == Next::Stop {
                    return Err(LoadError::Parse(e.clone()));
                }
            }
            Ok(line) => {
                on_error.see(&line.entry);
                let Some(lock) = lock else {
                    if matches!(&line.entry, Entry::Directive(d) if d.locks()) {
                        lock = Some(&line.origin);
                    }
                    continue;
                };
                if changes_after_lock(&line.entry) && on_error.line_failed() == Next::Stop {
                    return Err(LoadError::ChangeAfterLock { lock: lock.clone(), later: line.origin.clone() });
                }
            }
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
