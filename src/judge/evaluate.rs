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
//! file to judge is located here (the file discovery found, `Options::discovery`, else
//! the catalog's path), then walked (`walk`), decided (`decide`) and explained
//! (`explain`, and `advice` for what discovery adds).

use std::path::{Path, PathBuf};

use super::catalog::{Control, Target};
use super::decide::{decide, Demand};
use super::explain::Explanation;
use super::host_checks::{discovery_check, host_checks};
use super::prepare::Context;
use super::verdict::{select, ControlVerdict, Evaluation, Options, UnknownControl, Verdict};
use super::walk::FileToJudge;
use crate::docker::{self, Location};
use crate::host;
use crate::host::{resolve, FileKind, Filesystem, ResolveError};
use crate::kernel::{KernelAbis, Status};
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
    let mut host = status.map(host_checks).unwrap_or_default();
    host.extend(opts.discovery.as_deref().and_then(discovery_check));
    let abis = (!opts.native_from.is_empty()).then(|| KernelAbis {
        native: opts.native,
        native_from: opts.native_from.clone(),
        compat: opts.compat.clone(),
    });
    Ok(Evaluation {
        benchmark: opts.benchmark,
        strict: opts.strict,
        audit_status: status.copied(),
        controls,
        host,
        abis,
    })
}

/// Where a control's file is, or why there is none to judge.
enum Located<'d> {
    File {
        file: FileToJudge,
        /// How it was found (`found_by`).
        found_by: String,
        /// What discovery said of it, for the advice reasons.
        discovered: Option<&'d docker::Located>,
        /// Said of it besides (why the CIS path is judged although discovery looked
        /// elsewhere).
        note: Option<String>,
    },
    /// Not applicable (the file is absent) or an error (it cannot be resolved).
    Unjudged { path: PathBuf, verdict: Verdict, reason: String, found_by: String },
}

/// A file's verdict with what the report shows of it.
struct FileVerdict {
    verdict: Verdict,
    reasons: Vec<String>,
    rules: Vec<String>,
    notes: Vec<String>,
    /// The `always` rules that record the file.
    recording: Vec<Rule>,
}

/// `found_by` for a path nothing but the catalog names.
const BY_CIS: &str = "CIS path";
/// `found_by` for a unit found without discovery.
const BY_UNIT_SEARCH: &str = "systemd unit search order";
/// `found_by` for a component installed nowhere discovery looks.
const NOT_FOUND: &str = "not found";

impl Context<'_, '_> {
    fn judge(&self, control: &'static Control, status: Option<&Status>) -> ControlVerdict {
        let (path, found_by, judged) = match self.locate(control) {
            Located::File { file, found_by, discovered, note } => {
                let mut judged = self.judge_file(control, &file, status);
                if let Some(found) = discovered {
                    judged.reasons.extend(self.advice(control, &file, found));
                }
                judged.reasons.extend(note);
                (file.path, found_by, judged)
            }
            Located::Unjudged { path, verdict, reason, found_by } => (
                path,
                found_by,
                FileVerdict {
                    verdict,
                    reasons: vec![reason],
                    rules: Vec::new(),
                    notes: Vec::new(),
                    recording: Vec::new(),
                },
            ),
        };
        let path = path.display().to_string();
        ControlVerdict {
            id: control.id,
            title: control.title,
            remediation: control.remediation_line(&path),
            path,
            cis_path: control.display_path(),
            found_by,
            verdict: judged.verdict,
            reasons: judged.reasons,
            rules: judged.rules,
            notes: judged.notes,
            level: control.level,
            assessment: control.assessment,
            persistence: None,
            recording: judged.recording,
            proof: None,
        }
    }

    /// The file discovery found for the control; the catalog's path (or the unit file
    /// systemd loads) when there is no discovery or it does not know the target.
    fn locate(&self, control: &Control) -> Located<'_> {
        let target = match control.target {
            Target::Path(p) => p,
            Target::Unit(u) => u,
        };
        let Some(location) = self.opts.discovery.as_deref().and_then(|d| d.for_cis_target(target)) else {
            return self.locate_literal(control);
        };
        let unjudged = |verdict, reason, found_by: &str| Located::Unjudged {
            path: control.display_path().into(),
            verdict,
            reason,
            found_by: found_by.to_string(),
        };
        match location {
            Location::Found(found) => match self.file_at(&found.path) {
                Ok(Some(file)) => {
                    Located::File { file, found_by: found.found_by.to_string(), discovered: Some(found), note: None }
                }
                Ok(None) => {
                    let reason = format!(
                        "{} does not exist{}: the recommendation is not applicable",
                        found.path.display(),
                        self.where_()
                    );
                    Located::Unjudged {
                        path: found.path.clone(),
                        verdict: Verdict::NotApplicable,
                        reason,
                        found_by: found.found_by.to_string(),
                    }
                }
                Err(e) => Located::Unjudged {
                    path: found.path.clone(),
                    verdict: Verdict::Error,
                    reason: e.to_string(),
                    found_by: found.found_by.to_string(),
                },
            },
            // Discovery looks at the CIS path last, unless the configuration named another
            // place (dockerd's own containerd keeps its state under its exec-root): a file
            // at the CIS path is judged rather than called not applicable.
            Location::NotInstalled(absent) => {
                let at_cis = match control.target {
                    Target::Path(p) => self.file_at(Path::new(p)).ok().flatten(),
                    Target::Unit(_) => None,
                };
                match at_cis {
                    Some(file) => Located::File {
                        file,
                        found_by: BY_CIS.to_string(),
                        discovered: None,
                        note: Some(format!(
                            "discovery found none where the host would use it ({}); the CIS path exists and is judged",
                            absent.reason()
                        )),
                    },
                    None => {
                        let root = self.fs.root().map(|r| format!("; the root judged is {}", r.display()));
                        let reason = format!(
                            "{}{}: the recommendation is not applicable",
                            absent.reason(),
                            root.unwrap_or_default()
                        );
                        unjudged(Verdict::NotApplicable, reason, NOT_FOUND)
                    }
                }
            }
            Location::Error { error, .. } => unjudged(Verdict::Error, error.to_string(), NOT_FOUND),
        }
    }

    /// The file at the CIS path, or the unit file systemd loads.
    fn locate_literal(&self, control: &Control) -> Located<'static> {
        let unjudged = |path: PathBuf, verdict, reason, found_by: &str| Located::Unjudged {
            path,
            verdict,
            reason,
            found_by: found_by.to_string(),
        };
        let (path, found_by) = match control.target {
            Target::Path(p) => (PathBuf::from(p), BY_CIS),
            Target::Unit(unit) => match host::find_unit(self.fs, unit) {
                Ok(Some(p)) => (p, BY_UNIT_SEARCH),
                Ok(None) => {
                    let reason = format!(
                        "no {unit} unit file in {}{}: the recommendation is not applicable",
                        host::UNIT_DIRS.join(", "),
                        self.where_()
                    );
                    return unjudged(control.display_path().into(), Verdict::NotApplicable, reason, NOT_FOUND);
                }
                Err(e) => {
                    return unjudged(control.display_path().into(), Verdict::Error, e.to_string(), BY_UNIT_SEARCH)
                }
            },
        };
        match self.file_at(&path) {
            Ok(Some(file)) => Located::File { file, found_by: found_by.to_string(), discovered: None, note: None },
            Ok(None) => {
                let reason =
                    format!("{} does not exist{}: the recommendation is not applicable", path.display(), self.where_());
                unjudged(path, Verdict::NotApplicable, reason, found_by)
            }
            Err(e) => unjudged(path, Verdict::Error, e.to_string(), found_by),
        }
    }

    /// The file at `path` resolved for judging; `None` when nothing is there.
    pub(super) fn file_at(&self, path: &Path) -> Result<Option<FileToJudge>, ResolveError> {
        let at = resolve(self.fs, path, true)?;
        let Some(meta) = at.meta else { return Ok(None) };
        Ok(Some(FileToJudge {
            magic: self.fs.fs_magic(&at.path),
            path: path.to_path_buf(),
            id: meta.id,
            is_dir: meta.kind == FileKind::Dir,
            at,
        }))
    }

    /// Judges one resolved file for a control: the walk, the verdict, its words.
    fn judge_file(&self, control: &Control, file: &FileToJudge, status: Option<&Status>) -> FileVerdict {
        let coverage = self.walk(control, file);
        let demand = Demand::new(control, self.opts.strict);
        // Offline (no status) the rules alone decide.
        let audit_disabled = status.is_some_and(|st| st.enabled == 0);
        let decision = decide(&coverage, &demand, audit_disabled);
        let Explanation { reasons, rules, notes } = self.explain(file, &coverage, &demand, &decision);
        let recording = coverage.recorders().map(|hit| hit.prep.rule.clone()).collect();
        FileVerdict { verdict: decision.verdict, reasons, rules, notes, recording }
    }
}

// The tests (`use super::*`) also name these.
#[cfg(test)]
use {super::catalog::Benchmark, crate::rule::syscalls::Arch};

#[cfg(test)]
#[path = "evaluate_tests.rs"]
mod tests;
