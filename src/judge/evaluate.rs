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

use std::collections::{BTreeSet, HashMap};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::catalog::{Control, Remediation, Target};
use super::host_checks::host_checks;
use super::prepare::{holds, narrowing_fields, target_text, user_limiting_fields, Context, Prep, RuleTarget};
use super::syscall_classes::{abi_label, class_names, perm_bits, sysno, Cov, PERMS};
use super::verdict::{select, ControlVerdict, Evaluation, Options, UnknownControl, Verdict};
use crate::host;
use crate::host::{resolve, FileId, FileKind, Filesystem, ResolveError, Resolved};
use crate::kernel::Status;
use crate::rule::{perm, text, Action, Field, FieldType, Rule};

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
        status: status.copied(),
        controls,
        host: status.map(host_checks).unwrap_or_default(),
    })
}

/// `Path::starts_with` on bytes, for the normalised absolute paths resolution gives:
/// the evaluator asks it of every rule for every control.
fn within(path: &Path, dir: &Path) -> bool {
    let (p, d) = (path.as_os_str().as_bytes(), dir.as_os_str().as_bytes());
    p.starts_with(d) && (p.len() == d.len() || d.ends_with(b"/") || p[d.len()] == b'/')
}

/// `path.parent() == Some(dir)` on bytes, same paths as [`within`].
fn is_parent(dir: &Path, path: &Path) -> bool {
    let (p, d) = (path.as_os_str().as_bytes(), dir.as_os_str().as_bytes());
    match p.iter().rposition(|&b| b == b'/') {
        Some(0) => p.len() > 1 && d == b"/",
        Some(slash) => &p[..slash] == d,
        None => false,
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

// ---------------------------------------------------------------------------------
// The per-control judgement

/// How a rule's path relates to the control's file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Relation {
    None,
    /// The same file, a tree watch on it or an ancestor, or no path filter at all.
    Covers,
    /// `path=` on a directory whose CIS line is a tree watch: the directory's own
    /// entries only, not writes to the files in it.
    DirEntryOnly,
    /// `path=` on the file's directory: creating, deleting, renaming the file only.
    ParentEntry,
    /// A watch on something inside the control's directory, not on it.
    Inside,
    /// A watch on a symlink to the file: the kernel watches the link, not its target.
    LinkOnly,
}

struct ControlFile {
    path: PathBuf,
    at: Resolved,
    id: FileId,
    is_dir: bool,
    magic: Option<u64>,
}

impl Context<'_, '_> {
    fn judge(&self, control: &'static Control, status: Option<&Status>) -> ControlVerdict {
        let mut out = ControlVerdict {
            id: control.id,
            title: control.title,
            path: control.display_path(),
            status: Verdict::Error,
            reasons: Vec::new(),
            rules: Vec::new(),
            remediation: control.remediation_line(&control.display_path()),
            level: control.level,
            assessment: control.assessment,
            persistence: None,
            recording: Vec::new(),
        };
        let path = match control.target {
            Target::Path(p) => PathBuf::from(p),
            Target::Unit(unit) => match host::find_unit(self.fs, unit) {
                Ok(Some(p)) => p,
                Ok(None) => {
                    out.status = Verdict::NotApplicable;
                    out.reasons.push(format!(
                        "no {unit} unit file in {}{}: the recommendation is not applicable",
                        host::UNIT_DIRS.join(", "),
                        self.where_()
                    ));
                    return out;
                }
                Err(e) => {
                    out.reasons.push(e.to_string());
                    return out;
                }
            },
        };
        out.path = path.display().to_string();
        out.remediation = control.remediation_line(&out.path);
        let at = match resolve(self.fs, &path, true) {
            Ok(at) => at,
            Err(e @ (ResolveError::Io { .. } | ResolveError::Loop { .. })) => {
                out.reasons.push(e.to_string());
                return out;
            }
        };
        let Some(meta) = at.meta else {
            out.status = Verdict::NotApplicable;
            out.reasons.push(format!(
                "{} does not exist{}: the recommendation is not applicable",
                out.path,
                self.where_()
            ));
            return out;
        };
        let file = ControlFile {
            magic: self.fs.fs_magic(&at.path),
            path,
            id: meta.id,
            is_dir: meta.kind == FileKind::Dir,
            at,
        };
        self.judge_file(control, &file, status, &mut out);
        out
    }

    fn relation(&self, target: &RuleTarget, control: &Control, file: &ControlFile) -> Relation {
        let c = &file.at.path;
        match target {
            RuleTarget::Any => Relation::Covers,
            RuleTarget::Watch { at, link, .. } => {
                if at.meta.map(|m| m.id) == Some(file.id) || (at.meta.is_none() && at.path == *c) {
                    if file.is_dir && control.remediation == Remediation::Watch {
                        Relation::DirEntryOnly
                    } else {
                        Relation::Covers
                    }
                } else if link.as_ref().and_then(|l| l.meta).map(|m| m.id) == Some(file.id) {
                    Relation::LinkOnly
                } else if within(&at.path, c) {
                    Relation::Inside
                } else if is_parent(&at.path, c) {
                    Relation::ParentEntry
                } else {
                    Relation::None
                }
            }
            RuleTarget::Dir { at, link, .. } => {
                if at.meta.map(|m| m.kind) == Some(FileKind::Symlink) {
                    // The kernel tags the tree at the link itself (kern_path without
                    // LOOKUP_FOLLOW): nothing lives below a symlink.
                    let to = link.as_ref().map(|l| &l.path);
                    return if to.is_some_and(|t| within(c, t)) { Relation::LinkOnly } else { Relation::None };
                }
                if within(c, &at.path) {
                    Relation::Covers
                } else if within(&at.path, c) {
                    Relation::Inside
                } else {
                    Relation::None
                }
            }
        }
    }

    fn cell_cov(&self, p: &Prep, abi: usize, class: usize, rel: Cov) -> Cov {
        if !p.arch_ok[abi] || p.perm & PERMS[class].0 == 0 {
            return Cov::None;
        }
        let sys = p.sys[abi][class];
        // A path-less always rule is a syscall rule: it counts for a file only when it
        // takes every syscall of the class, not because it lists chmod for some users.
        if matches!(p.target, RuleTarget::Any) && !p.never && sys != Cov::Full {
            return Cov::None;
        }
        let mut cov = rel.min(sys);
        if p.narrowed {
            cov = cov.min(Cov::Partial);
        }
        cov
    }

    fn judge_file(&self, control: &Control, file: &ControlFile, status: Option<&Status>, out: &mut ControlVerdict) {
        let nabi = self.abis.len();
        #[derive(Clone, Copy)]
        struct Cell {
            shadow: Cov,
            recorded: Cov,
            done: bool,
        }
        let mut cells = vec![Cell { shadow: Cov::None, recorded: Cov::None, done: false }; nabi * 4];
        let mut contributing: BTreeSet<usize> = BTreeSet::new();
        let mut full_rules: BTreeSet<usize> = BTreeSet::new();
        let mut shadowing: BTreeSet<usize> = BTreeSet::new();
        let mut shadowing_full: BTreeSet<usize> = BTreeSet::new();
        let mut shadowed: BTreeSet<usize> = BTreeSet::new();
        let mut relations: HashMap<usize, Relation> = HashMap::new();
        let mut notes: Vec<(usize, Relation)> = Vec::new();

        for &i in &self.exit {
            let p = &self.preps[i];
            let rel = self.relation(&p.target, control, file);
            let rel_cov = match rel {
                Relation::None => continue,
                Relation::Covers => Cov::Full,
                Relation::DirEntryOnly | Relation::ParentEntry => Cov::Partial,
                Relation::Inside | Relation::LinkOnly if p.never => Cov::Partial,
                Relation::Inside | Relation::LinkOnly => {
                    notes.push((i, rel));
                    continue;
                }
            };
            relations.insert(i, rel);
            for abi in 0..nabi {
                for class in 0..4 {
                    let c = self.cell_cov(p, abi, class, rel_cov);
                    let cell = &mut cells[abi * 4 + class];
                    if c == Cov::None || cell.done {
                        continue;
                    }
                    if p.never {
                        cell.shadow = cell.shadow.max(c);
                        shadowing.insert(i);
                        if c == Cov::Full {
                            shadowing_full.insert(i);
                        }
                    } else if cell.shadow == Cov::Full {
                        shadowed.insert(i);
                    } else {
                        let effective = if cell.shadow == Cov::Partial { c.min(Cov::Partial) } else { c };
                        cell.recorded = cell.recorded.max(effective);
                        contributing.insert(i);
                        if c == Cov::Full {
                            // First match: later rules never see these events.
                            cell.done = true;
                            full_rules.insert(i);
                        }
                    }
                }
            }
        }

        let required: u32 = if self.opts.strict {
            control.strict_perm().chars().filter_map(|l| PERMS.iter().find(|p| p.1 == l)).fold(0, |acc, p| acc | p.0)
        } else {
            perm::WRITE | perm::ATTR
        };
        let req_cells = || {
            (0..nabi).flat_map(move |abi| {
                (0..4).filter(move |&class| required & PERMS[class].0 != 0).map(move |class| (abi, class))
            })
        };
        let all_full = req_cells().all(|(a, c)| cells[a * 4 + c].recorded == Cov::Full);
        let any_recorded = cells.iter().any(|c| c.recorded != Cov::None);
        let mut verdict = if all_full {
            Verdict::Pass
        } else if any_recorded {
            Verdict::Weak
        } else {
            Verdict::Fail
        };
        let mut reasons = Vec::new();
        let shown_path = file.path.display().to_string();

        // Why: what records the file, and what each recording rule lacks.
        for &i in &contributing {
            let p = &self.preps[i];
            let rel = relations[&i];
            let how = self.describe(p, rel, file);
            let mut lacks = Vec::new();
            if !p.never {
                let missing: String = PERMS
                    .iter()
                    .filter(|(bit, _, _)| required & bit != 0 && p.perm & bit == 0)
                    .map(|(_, l, _)| *l)
                    .collect();
                if !missing.is_empty() {
                    let words: Vec<&str> =
                        PERMS.iter().filter(|(_, l, _)| missing.contains(*l)).map(|(_, _, w)| *w).collect();
                    let strict = if self.opts.strict {
                        format!(" (--strict demands the CIS -p {})", control.strict_perm())
                    } else {
                        String::new()
                    };
                    lacks.push(format!("-p {} does not record {}{strict}", perm::letters(p.perm), words.join(" or ")));
                }
                for (abi, &ok) in self.abis.iter().zip(&p.arch_ok) {
                    if !ok {
                        lacks.push(format!(
                            "its arch filter leaves out {} ({}) system calls",
                            abi_label(*abi),
                            abi.name()
                        ));
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
                        let more =
                            if missing.len() > 8 { format!(" and {} more", missing.len() - 8) } else { String::new() };
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
            }
            if lacks.is_empty() {
                reasons.push(how);
            } else {
                reasons.push(format!("{how}, but {}", lacks.join("; ")));
            }
        }
        for &i in &shadowing {
            reasons.push(format!(
                "`{}` comes earlier in the exit list and suppresses {} (the first matching rule decides)",
                self.text(self.preps[i].rule),
                if shadowing_full.contains(&i) { "these events" } else { "some of these events" }
            ));
        }
        for &i in shadowed.difference(&contributing) {
            reasons.push(format!(
                "`{}` would record {shown_path}, but an earlier never rule matches first, so it never fires",
                self.text(self.preps[i].rule)
            ));
        }
        for (i, rel) in &notes {
            let p = &self.preps[*i];
            let (rtext, target) = match &p.target {
                RuleTarget::Watch { link, .. } | RuleTarget::Dir { link, .. } => {
                    (target_text(p.rule), link.as_ref().map(|l| l.path.display().to_string()).unwrap_or_default())
                }
                RuleTarget::Any => continue,
            };
            reasons.push(match rel {
                Relation::Inside => {
                    format!("`{}` watches {rtext}, which is inside {shown_path}, not {shown_path} itself", self.text(p.rule))
                }
                _ => format!(
                    "`{}` watches the symlink {rtext}, not the file it points to ({target}): the kernel does not follow a watch's last component",
                    self.text(p.rule)
                ),
            });
        }
        if verdict == Verdict::Weak {
            let mut not_full: Vec<String> = Vec::new();
            for (class, (bit, _, word)) in PERMS.iter().enumerate() {
                if required & bit == 0 {
                    continue;
                }
                let abis: Vec<&str> = (0..nabi)
                    .filter(|&a| cells[a * 4 + class].recorded != Cov::Full)
                    .map(|a| abi_label(self.abis[a]))
                    .collect();
                if !abis.is_empty() {
                    not_full.push(format!("{word} ({})", abis.join(", ")));
                }
            }
            reasons.push(format!("not recorded in full: {}", not_full.join(", ")));
        }
        if verdict == Verdict::Fail && contributing.is_empty() {
            reasons.insert(0, format!("no audit rule records changes to {shown_path}"));
        }

        // --strict: one recording rule must be the CIS line itself.
        if self.opts.strict && verdict == Verdict::Pass {
            let exact = full_rules.iter().any(|&i| {
                let p = &self.preps[i];
                p.rule.field(FieldType::PERM).and_then(Field::as_number) == Some(perm_bits(control.strict_perm()))
                    && p.rule.keys().any(|k| k == b"docker")
            });
            if !exact {
                verdict = Verdict::Weak;
                reasons.push(format!(
                    "--strict: no recording rule has the CIS permissions -p {} and the key docker",
                    control.strict_perm()
                ));
            }
        }

        let mut cited: BTreeSet<usize> = contributing.iter().chain(&shadowing).chain(&shadowed).copied().collect();
        cited.extend(notes.iter().map(|(i, _)| *i));
        let mut rules: Vec<String> = cited.iter().map(|&i| self.text(self.preps[i].rule)).collect();

        if matches!(verdict, Verdict::Pass | Verdict::Weak) {
            for rule in &self.fs_never {
                let hit = rule.fields.iter().filter(|f| f.kind == FieldType::FSTYPE).any(|f| {
                    f.as_number()
                        .zip(file.magic)
                        .is_some_and(|(v, m)| u32::try_from(m).is_ok_and(|m| holds(f.op, v, m)))
                });
                if hit {
                    verdict = Verdict::Fail;
                    let t = self.text(rule);
                    reasons.push(format!(
                        "`{t}` excludes the filesystem {shown_path} is on: the kernel records no path of it, so no watch on it fires"
                    ));
                    rules.push(t);
                }
            }
            if let Some(ex) = &self.exclude {
                if ex.drops_syscall {
                    verdict = Verdict::Fail;
                } else {
                    verdict = verdict.max(Verdict::Weak);
                }
                reasons.push(ex.reason.clone());
                rules.push(ex.rule.clone());
            }
        }

        if let Some(st) = status {
            if st.enabled == 0 {
                reasons.insert(
                    0,
                    format!(
                        "audit is disabled (enabled 0): the kernel records nothing; with audit enabled these rules would give {}",
                        verdict.as_str()
                    ),
                );
                verdict = Verdict::Fail;
            }
        }
        out.status = verdict;
        out.reasons = reasons;
        out.rules = rules;
        out.recording =
            contributing.iter().map(|&i| self.preps[i].rule.clone()).filter(|r| r.action == Action::Always).collect();
    }

    fn describe(&self, p: &Prep, rel: Relation, file: &ControlFile) -> String {
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
}

// The tests (`use super::*`) also name these.
#[cfg(test)]
use {super::catalog::Benchmark, crate::rule::syscalls::Arch};

#[cfg(test)]
#[path = "evaluate_tests.rs"]
mod tests;
