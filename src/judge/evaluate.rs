//! The semantics of `dockaudit check`: which events the kernel will really record for
//! each control's path, judged from the decoded rules, the audit status and the
//! filesystem (shared/reference/cis-docker-controls.md, "The semantics").
//!
//! The model. An event a control cares about is a syscall of one ABI (the 64-bit
//! native one, and the 32-bit compat one where the kernel has it) in one of the
//! kernel's permission classes (read, write, exec, attribute change: the classes
//! `-F perm=` selects, `lib/audit.c`), by any user, on the control's file. For every
//! (ABI, class) *cell* we walk the exit list in the kernel's order, where the first
//! matching rule decides: a `never` rule that matches a cell before any `always` rule
//! suppresses it (fully or partly), an `always` rule records it (fully or partly).
//! `pass` needs every required cell recorded in full (write and attribute change; all
//! four classes and the CIS perm letters with `--strict`), `weak` means something is
//! recorded, `fail` nothing. Pure functions of (rules, status, filesystem): the same
//! code judges the kernel's rules and, offline, rules parsed from files.
//!
//! The steps, one file each: the rules are prepared once (`prepare`); per control the
//! file to judge is located here, then walked (`walk`), decided (`decide`) and
//! explained (`explain`).

use std::path::PathBuf;

use super::catalog::{Control, Target};
use super::decide::{decide, Demand};
use super::explain::Explanation;
use super::host_checks::host_checks;
use super::prepare::Context;
use super::verdict::{select, ControlVerdict, Evaluation, Options, UnknownControl, Verdict};
use super::walk::FileToJudge;
use crate::host;
use crate::host::{resolve, FileKind, Filesystem, ResolveError};
use crate::kernel::Status;
use crate::rule::Rule;

/// Judges the selected controls and, when the status is known, the host.
pub fn evaluate(
    rules: &[Rule],
    status: Option<&Status>,
    fs: &dyn Filesystem,
    opts: &Options,
) -> Result<Evaluation, UnknownControl> {
    let controls = select(opts)?;
    let ctx = Context::new(rules, fs, opts);
    let controls = controls.iter().map(|c| ctx.judge(c, status)).collect();
    Ok(Evaluation {
        benchmark: opts.benchmark,
        strict: opts.strict,
        audit_status: status.copied(),
        controls,
        host: status.map(host_checks).unwrap_or_default(),
    })
}

/// Where a control's file is, or why there is none to judge.
enum Located {
    File(FileToJudge),
    /// Not applicable (the file is absent) or an error (it cannot be resolved).
    Unjudged {
        path: PathBuf,
        verdict: Verdict,
        reason: String,
    },
}

/// A file's verdict with what the report shows of it.
struct FileVerdict {
    verdict: Verdict,
    reasons: Vec<String>,
    rules: Vec<String>,
    /// The `always` rules that record the file.
    recording: Vec<Rule>,
}

impl Context<'_, '_> {
    fn judge(&self, control: &'static Control, status: Option<&Status>) -> ControlVerdict {
        let (path, judged) = match self.locate(control) {
            Located::File(file) => {
                let judged = self.judge_file(control, &file, status);
                (file.path, judged)
            }
            Located::Unjudged { path, verdict, reason } => {
                (path, FileVerdict { verdict, reasons: vec![reason], rules: Vec::new(), recording: Vec::new() })
            }
        };
        let path = path.display().to_string();
        ControlVerdict {
            id: control.id,
            title: control.title,
            remediation: control.remediation_line(&path),
            path,
            verdict: judged.verdict,
            reasons: judged.reasons,
            rules: judged.rules,
            level: control.level,
            assessment: control.assessment,
            persistence: None,
            recording: judged.recording,
        }
    }

    /// The file at the CIS path, or the unit file systemd loads.
    fn locate(&self, control: &Control) -> Located {
        let unjudged = |path: PathBuf, verdict, reason| Located::Unjudged { path, verdict, reason };
        let path = match control.target {
            Target::Path(p) => PathBuf::from(p),
            Target::Unit(unit) => match host::find_unit(self.fs, unit) {
                Ok(Some(p)) => p,
                Ok(None) => {
                    let reason = format!(
                        "no {unit} unit file in {}{}: the recommendation is not applicable",
                        host::UNIT_DIRS.join(", "),
                        self.where_()
                    );
                    return unjudged(control.display_path().into(), Verdict::NotApplicable, reason);
                }
                Err(e) => return unjudged(control.display_path().into(), Verdict::Error, e.to_string()),
            },
        };
        let at = match resolve(self.fs, &path, true) {
            Ok(at) => at,
            Err(e @ (ResolveError::Io { .. } | ResolveError::Loop { .. })) => {
                return unjudged(path, Verdict::Error, e.to_string());
            }
        };
        let Some(meta) = at.meta else {
            let reason =
                format!("{} does not exist{}: the recommendation is not applicable", path.display(), self.where_());
            return unjudged(path, Verdict::NotApplicable, reason);
        };
        Located::File(FileToJudge {
            magic: self.fs.fs_magic(&at.path),
            path,
            id: meta.id,
            is_dir: meta.kind == FileKind::Dir,
            at,
        })
    }

    /// Judges one resolved file for a control: the walk, the verdict, its words.
    fn judge_file(&self, control: &Control, file: &FileToJudge, status: Option<&Status>) -> FileVerdict {
        let coverage = self.walk(control, file);
        let demand = Demand::new(control, self.opts.strict);
        // Offline (no status) the rules alone decide.
        let audit_disabled = status.is_some_and(|st| st.enabled == 0);
        let decision = decide(&coverage, &demand, audit_disabled);
        let Explanation { reasons, rules } = self.explain(file, &coverage, &demand, &decision);
        let recording = coverage.recorders().map(|hit| hit.prep.rule.clone()).collect();
        FileVerdict { verdict: decision.verdict, reasons, rules, recording }
    }
}

// The tests (`use super::*`) also name these.
#[cfg(test)]
use {super::catalog::Benchmark, crate::rule::syscalls::Arch};

#[cfg(test)]
#[path = "evaluate_tests.rs"]
mod tests;
