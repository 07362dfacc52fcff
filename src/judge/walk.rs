//! The walk: which exit-list rules bear on one file, in the kernel's order, and what
//! each does with the file's events. For every (ABI, class) *cell* the first matching
//! rule decides: a `never` rule that matches a cell before any `always` rule
//! suppresses it (fully or partly), an `always` rule records it (fully or partly), and
//! rules after a full match never see the cell. The result is one [`Coverage`]: what
//! is recorded per cell and each relevant rule once with its role. The verdict
//! (`decide`) and the words (`explain`) read it; neither walks the rules again.

use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::catalog::{Control, Remediation};
use super::prepare::{holds, Context, ExcludeEffect, Prep, RuleTarget};
use super::syscall_classes::{Cov, PERMS};
use crate::host::{FileId, FileKind, Resolved};
use crate::rule::{FieldType, Rule};

/// The file a control is judged on, resolved: with the control, the whole input of
/// judging. `evaluate` makes it from the file discovery found (`Options::discovery`),
/// else from the CIS path (or the unit file systemd loads).
pub(super) struct FileToJudge {
    /// The path as the report shows it and the remediation line names.
    pub(super) path: PathBuf,
    /// Where `path` leads, symlinks followed: the inode the kernel sees.
    pub(super) at: Resolved,
    pub(super) id: FileId,
    pub(super) is_dir: bool,
    /// The magic number of the filesystem it is on, for `-a never,filesystem` rules.
    pub(super) magic: Option<u64>,
}

/// How a rule's path relates to the control's file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Relation {
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

/// What one rule does with the file's events, over all cells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Role {
    /// An `always` rule that records some of the events; `full` when it records all
    /// of at least one cell (where `--strict` looks for the CIS line).
    Records { full: bool },
    /// A `never` rule that matches before any `always` rule and suppresses some of
    /// the events; `full` when all of at least one cell.
    Suppresses { full: bool },
    /// A `never` rule that names particular processes (`Prep::noise`) and matches
    /// before any `always` rule: it hides only their events, which is noise control,
    /// not a gap. The walk lets the events through (the control is judged as if it
    /// were not there) and the report lists it as a note; with `--strict` it is a
    /// [`Role::Suppresses`] like any other never rule.
    Exempts,
    /// An `always` rule that would record the file, but an earlier `never` rule takes
    /// every event it matches.
    Preempted,
    /// An `always` rule on a symlink to the file or on something inside it: it looks
    /// as if it recorded the file and records none of it.
    Misses,
}

/// One exit-list rule that bears on the file.
pub(super) struct Hit<'c> {
    pub(super) prep: &'c Prep<'c>,
    pub(super) relation: Relation,
    pub(super) role: Role,
}

/// What the rules do with one file's events: the walk's result.
pub(super) struct Coverage<'c> {
    /// Per host ABI (`Context::abis` order), per class (`PERMS` order): how much of
    /// the file's events the exit list records.
    pub(super) recorded: Vec<[Cov; 4]>,
    /// The rules that bear on the file, each once, in kernel order.
    pub(super) hits: Vec<Hit<'c>>,
    /// `-a never,filesystem` rules for the filesystem the file is on: the kernel
    /// records no path there, so no watch on it fires.
    pub(super) fs_never: Vec<&'c Rule>,
    /// The exclude rule that drops SYSCALL or PATH records, if any.
    pub(super) exclude: Option<&'c ExcludeEffect>,
}

impl<'c> Coverage<'c> {
    /// The hits with one role, in kernel order.
    pub(super) fn with<'a>(&'a self, role: fn(Role) -> bool) -> impl Iterator<Item = &'a Hit<'c>> + 'a {
        self.hits.iter().filter(move |h| role(h.role))
    }

    /// The `always` rules that record some of the file's events.
    pub(super) fn recorders<'a>(&'a self) -> impl Iterator<Item = &'a Hit<'c>> + 'a {
        self.with(|r| matches!(r, Role::Records { .. }))
    }
}

/// One (ABI, class) cell as the walk goes.
#[derive(Clone, Copy)]
struct Cell {
    suppressed: Cov,
    recorded: Cov,
    /// A rule matched the whole cell: later rules never see these events.
    decided: bool,
}

impl Context<'_, '_> {
    /// Walks the exit list over the file, first match deciding each cell.
    pub(super) fn walk(&self, control: &Control, file: &FileToJudge) -> Coverage<'_> {
        let start = Cell { suppressed: Cov::None, recorded: Cov::None, decided: false };
        let mut cells = vec![[start; 4]; self.abis.len()];
        let mut hits = Vec::new();
        for p in &self.preps {
            let relation = self.relation(&p.target, control, file);
            let rel_cov = match relation {
                Relation::None => continue,
                Relation::Covers => Cov::Full,
                Relation::DirEntryOnly | Relation::ParentEntry => Cov::Partial,
                // A never rule on part of the file still suppresses part of it.
                Relation::Inside | Relation::LinkOnly if p.never => Cov::Partial,
                Relation::Inside | Relation::LinkOnly => {
                    hits.push(Hit { prep: p, relation, role: Role::Misses });
                    continue;
                }
            };
            // Over every cell the rule matches and no earlier rule decided.
            let (mut matched, mut full, mut preempted) = (false, false, false);
            for (abi, row) in cells.iter_mut().enumerate() {
                for (class, cell) in row.iter_mut().enumerate() {
                    let c = self.cell_cov(p, abi, class, rel_cov);
                    if c == Cov::None || cell.decided {
                        continue;
                    }
                    if p.never && p.noise && !self.opts.strict {
                        matched = true;
                    } else if p.never {
                        cell.suppressed = cell.suppressed.max(c);
                        matched = true;
                        full |= c == Cov::Full;
                    } else if cell.suppressed == Cov::Full {
                        preempted = true;
                    } else {
                        // What a never rule suppressed in part is recorded in part at most.
                        let effective = if cell.suppressed == Cov::Partial { c.min(Cov::Partial) } else { c };
                        cell.recorded = cell.recorded.max(effective);
                        matched = true;
                        if c == Cov::Full {
                            // First match: later rules never see these events.
                            cell.decided = true;
                            full = true;
                        }
                    }
                }
            }
            let role = match (p.never, matched) {
                (true, true) if p.noise && !self.opts.strict => Role::Exempts,
                (true, true) => Role::Suppresses { full },
                (false, true) => Role::Records { full },
                (false, false) if preempted => Role::Preempted,
                _ => continue,
            };
            hits.push(Hit { prep: p, relation, role });
        }
        let fs_never = self
            .fs_never
            .iter()
            .copied()
            .filter(|rule| {
                rule.fields.iter().filter(|f| f.kind == FieldType::FSTYPE).any(|f| {
                    f.as_number()
                        .zip(file.magic)
                        .is_some_and(|(v, m)| u32::try_from(m).is_ok_and(|m| holds(f.op, v, m)))
                })
            })
            .collect();
        Coverage {
            recorded: cells.iter().map(|row| row.map(|cell| cell.recorded)).collect(),
            hits,
            fs_never,
            exclude: self.exclude.as_ref(),
        }
    }

    fn relation(&self, target: &RuleTarget, control: &Control, file: &FileToJudge) -> Relation {
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

    /// How much of one cell a rule matches, given how much of the file its path takes.
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
