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
use std::str::FromStr;

use serde::Serialize;

use super::catalog::{Benchmark, Control, Remediation, Target};
use crate::host;
use crate::host::{resolve, CachedResolver, FileId, FileKind, Filesystem, ResolveError, Resolved};
use crate::kernel::Status;
use crate::rule::syscalls::Arch;
use crate::rule::{perm, text, Action, Field, FieldType, FilterList, Operator, Rule, SyscallMask};

/// The outcome of one control or host check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Weak,
    Fail,
    NotApplicable,
    Error,
}

impl Verdict {
    pub const ALL: [Verdict; 5] = [Verdict::Pass, Verdict::Weak, Verdict::Fail, Verdict::NotApplicable, Verdict::Error];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Weak => "weak",
            Verdict::Fail => "fail",
            Verdict::NotApplicable => "not_applicable",
            Verdict::Error => "error",
        }
    }

    /// What makes `check` exit 1.
    pub fn is_finding(self) -> bool {
        matches!(self, Verdict::Weak | Verdict::Fail | Verdict::Error)
    }
}

/// One control's verdict with everything an auditor needs to check it by hand.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ControlVerdict {
    pub id: &'static str,
    pub title: &'static str,
    /// The path judged: the catalog's, or the unit file systemd loads.
    pub path: String,
    pub status: Verdict,
    pub reasons: Vec<String>,
    /// The rules the verdict rests on, in `auditctl -l` form and kernel order.
    pub rules: Vec<String>,
    /// The CIS remediation line for this path.
    pub remediation: String,
    pub level: u8,
    pub assessment: &'static str,
    /// Whether the rules that record this file come back at boot; `None` when no rule
    /// records it or the persistent rule files were not consulted.
    pub persistence: Option<Persistence>,
    /// The `always` rules that record the file (a subset of `rules`), kept as rules so
    /// persistence and `fix` can match them against other rule sets.
    #[serde(skip)]
    pub recording: Vec<Rule>,
}

/// Whether a control's recording rules are in the persistent rule files.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Persistence {
    /// Every recording rule is loaded again at boot.
    pub persistent: bool,
    /// Where each recording rule found on disk comes from (`file:line`).
    pub sources: Vec<String>,
    /// Recording rules that are loaded but in no rule file, in `auditctl -l` form.
    pub lost_at_reboot: Vec<String>,
}

/// A host-wide check (audit enabled, auditd running, ...), reported beside the controls.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HostCheck {
    pub id: &'static str,
    pub title: &'static str,
    pub status: Verdict,
    pub reasons: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evaluation {
    pub benchmark: Benchmark,
    pub strict: bool,
    /// `None` when judged offline (rules from a file): nothing is known about the kernel.
    pub status: Option<Status>,
    pub controls: Vec<ControlVerdict>,
    pub host: Vec<HostCheck>,
}

impl Evaluation {
    pub fn count(&self, verdict: Verdict) -> usize {
        self.controls.iter().filter(|c| c.status == verdict).count()
    }

    /// Exit 1: a control failed, is weak or could not be judged, or a host check failed.
    /// Host `weak` checks (rules not locked, lost events, small backlog) are advice.
    pub fn has_findings(&self) -> bool {
        self.controls.iter().any(|c| c.status.is_finding())
            || self.host.iter().any(|h| matches!(h.status, Verdict::Fail | Verdict::Error))
    }
}

#[derive(Clone, Debug)]
pub struct Options {
    pub benchmark: Benchmark,
    pub strict: bool,
    /// Control ids to judge (empty: all).
    pub only: Vec<String>,
    pub skip: Vec<String>,
    /// The arch whose syscall numbers the rules use: the kernel's.
    pub native: Arch,
}

impl Options {
    pub fn new(benchmark: Benchmark) -> Options {
        Options { benchmark, strict: false, only: Vec::new(), skip: Vec::new(), native: Arch::native() }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown control id {id:?} for CIS Docker Benchmark {benchmark}; its audit controls are {known}")]
pub struct UnknownControl {
    pub id: String,
    pub benchmark: &'static str,
    pub known: String,
}

/// The controls `--only`/`--skip` leave, in catalog order. Unknown ids are an error, so
/// a typo does not silently turn a check into a pass.
pub fn select(opts: &Options) -> Result<Vec<&'static Control>, UnknownControl> {
    let all = opts.benchmark.controls();
    for id in opts.only.iter().chain(&opts.skip) {
        if !all.iter().any(|c| c.id == id) {
            return Err(UnknownControl {
                id: id.clone(),
                benchmark: opts.benchmark.version(),
                known: all.iter().map(|c| c.id).collect::<Vec<_>>().join(", "),
            });
        }
    }
    Ok(all
        .iter()
        .filter(|c| opts.only.is_empty() || opts.only.iter().any(|id| id == c.id))
        .filter(|c| !opts.skip.iter().any(|id| id == c.id))
        .collect())
}

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

// ---------------------------------------------------------------------------------
// Syscall classes

/// Permission classes in auditctl's letter order, with what they mean in a sentence.
const PERMS: [(u32, char, &str); 4] = [
    (perm::READ, 'r', "reads"),
    (perm::WRITE, 'w', "writes"),
    (perm::EXEC, 'x', "executions"),
    (perm::ATTR, 'a', "attribute changes"),
];

/// The kernel's permission classes (include/asm-generic/audit_{read,write,dir_write,
/// change_attr}.h, and `audit_match_perm`, which adds open/openat/openat2 by access
/// mode, execve by exec, socketcall by bind). A rule with a syscall list covers a class
/// only if it lists every one of these that exists on the ABI; names an ABI lacks are
/// skipped. Documented in README.md ("check").
const READ_CLASS: &[&str] = &[
    "open",
    "openat",
    "openat2",
    "readlink",
    "readlinkat",
    "quotactl",
    "listxattr",
    "llistxattr",
    "flistxattr",
    "getxattr",
    "lgetxattr",
    "fgetxattr",
    "listxattrat",
    "getxattrat",
];
const WRITE_CLASS: &[&str] = &[
    "open",
    "openat",
    "openat2",
    "creat",
    "rename",
    "renameat",
    "renameat2",
    "mkdir",
    "mkdirat",
    "rmdir",
    "link",
    "linkat",
    "unlink",
    "unlinkat",
    "symlink",
    "symlinkat",
    "mknod",
    "mknodat",
    "acct",
    "swapon",
    "quotactl",
    "truncate",
    "truncate64",
    "ftruncate",
    "ftruncate64",
    "bind",
    "socketcall",
    "fallocate",
];
const EXEC_CLASS: &[&str] = &["execve", "execveat"];
const ATTR_CLASS: &[&str] = &[
    "chmod",
    "fchmod",
    "fchmodat",
    "fchmodat2",
    "chown",
    "lchown",
    "fchown",
    "fchownat",
    "chown32",
    "lchown32",
    "fchown32",
    "setxattr",
    "lsetxattr",
    "fsetxattr",
    "setxattrat",
    "removexattr",
    "lremovexattr",
    "fremovexattr",
    "removexattrat",
    "link",
    "linkat",
];

fn class_names(bit: u32) -> &'static [&'static str] {
    match bit {
        perm::READ => READ_CLASS,
        perm::WRITE => WRITE_CLASS,
        perm::EXEC => EXEC_CLASS,
        _ => ATTR_CLASS,
    }
}

/// Syscall number by name from the kernel's tables (not libaudit's, which stop at 450
/// and so miss fchmodat2 and the *xattrat calls).
fn sysno(arch: Arch, name: &str) -> Option<u32> {
    use syscalls::{aarch64, arm, x86, x86_64};
    let id = match arch {
        Arch::X86_64 => x86_64::Sysno::from_str(name).ok()?.id(),
        Arch::I386 => x86::Sysno::from_str(name).ok()?.id(),
        Arch::Aarch64 => aarch64::Sysno::from_str(name).ok()?.id(),
        Arch::Arm => arm::Sysno::from_str(name).ok()?.id(),
    };
    u32::try_from(id).ok()
}

/// The most ABIs [`host_abis`] gives.
const MAX_ABIS: usize = 2;

/// The ABIs a process can call the kernel with on a host of this native arch.
fn host_abis(native: Arch) -> Vec<Arch> {
    match native {
        Arch::X86_64 => vec![Arch::X86_64, Arch::I386],
        Arch::Aarch64 => vec![Arch::Aarch64, Arch::Arm],
        other => vec![other],
    }
}

fn abi_label(arch: Arch) -> &'static str {
    if arch.is_64bit() {
        "64-bit"
    } else {
        "32-bit"
    }
}

// ---------------------------------------------------------------------------------
// Rules, prepared once

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Cov {
    None,
    Partial,
    Full,
}

#[derive(Debug)]
enum RuleTarget {
    /// No path or dir field: the rule is about syscalls, whatever file they touch.
    Any,
    Watch {
        at: Resolved,
        link: Option<Resolved>,
    },
    Dir {
        at: Resolved,
        link: Option<Resolved>,
    },
}

#[derive(Debug)]
struct Prep<'r> {
    rule: &'r Rule,
    never: bool,
    target: RuleTarget,
    perm: u32,
    /// Per host ABI: does the rule's arch filter let its calls through?
    arch_ok: [bool; MAX_ABIS],
    /// Per host ABI, per class (PERMS order): how much of the class the syscall mask holds.
    sys: [[Cov; 4]; MAX_ABIS],
    /// User fields ([`user_limit`]) or other fields ([`narrowing_fields`]) let the rule
    /// record only some events. The words are made only for rules a report cites.
    narrowed: bool,
}

fn holds(op: Operator, rule_value: u32, v: u32) -> bool {
    match op {
        Operator::EQUAL => v == rule_value,
        Operator::NOT_EQUAL => v != rule_value,
        Operator::LESS_THAN => v < rule_value,
        Operator::GREATER_THAN => v > rule_value,
        Operator::LESS_THAN_OR_EQUAL => v <= rule_value,
        Operator::GREATER_THAN_OR_EQUAL => v >= rule_value,
        Operator::BIT_MASK => v & rule_value != 0,
        Operator::BIT_TEST => v & rule_value == rule_value,
        _ => true,
    }
}

fn always_true(op: Operator, value: u32) -> bool {
    (op == Operator::GREATER_THAN_OR_EQUAL && value == 0) || (op == Operator::LESS_THAN_OR_EQUAL && value == u32::MAX)
}

const UNSET: u32 = u32::MAX;

fn is_user_field(kind: FieldType) -> bool {
    matches!(
        kind,
        FieldType::UID
            | FieldType::EUID
            | FieldType::SUID
            | FieldType::FSUID
            | FieldType::GID
            | FieldType::EGID
            | FieldType::SGID
            | FieldType::FSGID
            | FieldType::LOGINUID
            | FieldType::LOGINUID_SET
            | FieldType::SESSIONID
    )
}

/// User fields that leave someone out, with their values.
fn user_limiting_fields(rule: &Rule) -> impl Iterator<Item = (&Field, u32)> {
    rule.fields
        .iter()
        .filter(|f| is_user_field(f.kind))
        .filter_map(|f| f.as_number().map(|value| (f, value)))
        .filter(|(f, value)| !always_true(f.op, *value))
}

/// Fields other than users, arch, perm, key and path that narrow what a rule records
/// (`exit=`, `exe=`, ...).
fn narrowing_fields(rule: &Rule) -> impl Iterator<Item = &Field> {
    rule.fields.iter().filter(|f| {
        !is_user_field(f.kind)
            && !matches!(
                f.kind,
                FieldType::PERM | FieldType::FILTERKEY | FieldType::WATCH | FieldType::DIR | FieldType::ARCH
            )
            && !f.as_number().is_some_and(|v| always_true(f.op, v))
    })
}

/// A syscall class as the words of the mask it touches: classes name a few dozen
/// low syscall numbers, and every rule is measured against 8 of them.
struct ClassMask {
    words: Vec<(usize, u32)>,
    total: u32,
}

impl ClassMask {
    fn new(mask: &SyscallMask) -> ClassMask {
        let words: Vec<(usize, u32)> = mask.0.iter().copied().enumerate().filter(|(_, w)| *w != 0).collect();
        let total = words.iter().map(|(_, w)| w.count_ones()).sum();
        ClassMask { words, total }
    }

    /// How much of the class a rule's syscall mask holds.
    fn coverage(&self, mask: &SyscallMask) -> Cov {
        if mask.is_all() {
            return Cov::Full;
        }
        match self.words.iter().map(|&(i, w)| (mask.0[i] & w).count_ones()).sum::<u32>() {
            0 => Cov::None,
            n if n == self.total => Cov::Full,
            _ => Cov::Partial,
        }
    }
}

/// The `path=` or `dir=` field of a watch or tree rule.
fn target_field(rule: &Rule) -> Option<&Field> {
    rule.fields.iter().find(|f| matches!(f.kind, FieldType::WATCH | FieldType::DIR))
}

/// The path a watch or tree rule names, as written.
fn target_text(rule: &Rule) -> String {
    target_field(rule).and_then(Field::as_bytes).map(path_text).unwrap_or_default()
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

fn arch_ok(rule: &Rule, abi: Arch) -> bool {
    rule.fields
        .iter()
        .filter(|f| f.kind == FieldType::ARCH)
        .all(|f| f.as_number().is_none_or(|v| holds(f.op, v, abi.audit_value())))
}

fn path_text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
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

struct Context<'r, 'f> {
    preps: Vec<Prep<'r>>,
    /// Indexes into `preps` of exit-list rules, in kernel order.
    exit: Vec<usize>,
    /// `-a never,filesystem -F fstype=...` rules.
    fs_never: Vec<&'r Rule>,
    exclude: Option<ExcludeEffect>,
    abis: Vec<Arch>,
    fs: &'f dyn Filesystem,
    opts: &'f Options,
}

struct ExcludeEffect {
    /// SYSCALL records (which carry the key and who did it) dropped for everyone.
    drops_syscall: bool,
    reason: String,
    rule: String,
}

impl<'r, 'f> Context<'r, 'f> {
    fn new(rules: &'r [Rule], fs: &'f dyn Filesystem, opts: &'f Options) -> Context<'r, 'f> {
        let abis = host_abis(opts.native);
        let classes: Vec<[ClassMask; 4]> = abis
            .iter()
            .map(|&abi| {
                PERMS.map(|(bit, _, _)| {
                    let mut mask = SyscallMask::default();
                    class_names(bit).iter().filter_map(|n| sysno(abi, n)).for_each(|nr| mask.insert(nr));
                    ClassMask::new(&mask)
                })
            })
            .collect();
        // Rules share paths (one per syscall group, one per arch); resolve each once.
        let mut resolver = CachedResolver::new(fs);
        let mut cache: HashMap<(&'r [u8], bool), Resolved> = HashMap::new();
        let mut resolve_cached = |path: &'r [u8], follow: bool| -> Resolved {
            cache
                .entry((path, follow))
                .or_insert_with(|| {
                    let p = Path::new(std::ffi::OsStr::from_bytes(path));
                    // An unreadable rule path is judged by its text alone.
                    resolver.resolve(p, follow).unwrap_or(Resolved { path: p.to_path_buf(), meta: None })
                })
                .clone()
        };
        let mut preps = Vec::new();
        let mut exit = Vec::new();
        let mut fs_never = Vec::new();
        let mut exclude = None;
        for rule in rules {
            match (rule.list, rule.action) {
                (FilterList::Exit, Action::Always | Action::Never) => {}
                (FilterList::Filesystem, Action::Never) => {
                    fs_never.push(rule);
                    continue;
                }
                (FilterList::Exclude, _) => {
                    if exclude.is_none() {
                        exclude = exclude_effect(rule, opts.native);
                    }
                    continue;
                }
                _ => continue,
            }
            let target = match target_field(rule) {
                None => RuleTarget::Any,
                Some(f) => {
                    let bytes = f.as_bytes().unwrap_or_default();
                    let at = resolve_cached(bytes, false);
                    let link =
                        (at.meta.map(|m| m.kind) == Some(FileKind::Symlink)).then(|| resolve_cached(bytes, true));
                    if f.kind == FieldType::WATCH {
                        RuleTarget::Watch { at, link }
                    } else {
                        RuleTarget::Dir { at, link }
                    }
                }
            };
            let perm = rule.field(FieldType::PERM).and_then(Field::as_number).unwrap_or(perm::ALL);
            let mut sys = [[Cov::None; 4]; MAX_ABIS];
            let mut arch_allows = [false; MAX_ABIS];
            for (a, &abi) in abis.iter().enumerate() {
                sys[a] = classes[a].each_ref().map(|class| class.coverage(&rule.mask));
                arch_allows[a] = arch_ok(rule, abi);
            }
            exit.push(preps.len());
            preps.push(Prep {
                rule,
                never: rule.action == Action::Never,
                target,
                perm,
                arch_ok: arch_allows,
                sys,
                narrowed: user_limiting_fields(rule).next().is_some() || narrowing_fields(rule).next().is_some(),
            });
        }
        Context { preps, exit, fs_never, exclude, abis, fs, opts }
    }

    fn text(&self, rule: &Rule) -> String {
        String::from_utf8_lossy(&text::to_text(rule, self.opts.native)).into_owned()
    }

    fn where_(&self) -> String {
        match self.fs.root() {
            Some(root) => format!(" under {}", root.display()),
            None => String::new(),
        }
    }

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

fn perm_bits(letters: &str) -> u32 {
    letters.chars().filter_map(|l| PERMS.iter().find(|p| p.1 == l)).fold(0, |acc, p| acc | p.0)
}

/// SYSCALL (1300) and PATH (1302): the records that say who changed which file and
/// carry the key. An exclude rule (`-a always,exclude`) drops records of the types it
/// matches before they are emitted.
const SYSCALL: u32 = 1300;
const PATH: u32 = 1302;

fn exclude_effect(rule: &Rule, native: Arch) -> Option<ExcludeEffect> {
    if rule.action != Action::Always {
        return None;
    }
    let types: Vec<&Field> = rule.fields.iter().filter(|f| f.kind == FieldType::MSGTYPE).collect();
    let matches = |t: u32| types.iter().all(|f| f.as_number().is_none_or(|v| holds(f.op, v, t)));
    let (syscall, path) = (matches(SYSCALL), matches(PATH));
    if !syscall && !path {
        return None;
    }
    let narrowed = rule.fields.iter().any(|f| f.kind != FieldType::MSGTYPE && f.kind != FieldType::FILTERKEY);
    let text = String::from_utf8_lossy(&text::to_text(rule, native)).into_owned();
    let what = match (syscall, path) {
        (true, true) => "SYSCALL and PATH records",
        (true, false) => "SYSCALL records (who did it, and the key)",
        _ => "PATH records (which file)",
    };
    Some(ExcludeEffect {
        drops_syscall: syscall && !narrowed,
        reason: format!(
            "`{text}` drops {what}{} before they are written",
            if narrowed { " for the processes it matches" } else { " of every event" }
        ),
        rule: text,
    })
}

/// `backlog_limit` below this loses events in bursts; auditd's shipped rules use 8192.
pub const MIN_BACKLOG: u32 = 8192;

fn host_checks(st: &Status) -> Vec<HostCheck> {
    let check = |id, title, status, reason: String| HostCheck { id, title, status, reasons: vec![reason] };
    vec![
        match st.enabled {
            0 => check("audit-enabled", "Audit is enabled", Verdict::Fail, "enabled 0: the kernel records no events at all; enable it with auditctl -e 1 (and audit=1 on the kernel command line)".into()),
            n => check("audit-enabled", "Audit is enabled", Verdict::Pass, format!("enabled {n}")),
        },
        if st.pid == 0 {
            check("auditd-running", "An audit daemon receives events", Verdict::Fail, "pid 0: no audit daemon is registered; events only reach the kernel log, rate-limited, and are lost for ausearch".into())
        } else {
            check("auditd-running", "An audit daemon receives events", Verdict::Pass, format!("pid {}", st.pid))
        },
        if st.enabled == 2 {
            check("rules-locked", "Audit rules are locked", Verdict::Pass, "enabled 2: rules cannot change until reboot".into())
        } else {
            check("rules-locked", "Audit rules are locked", Verdict::Weak, "rules can be changed or deleted at run time by root; end the rules with -e 2 once they are final".into())
        }
        ,
        if st.lost == 0 {
            check("lost-events", "No audit events were lost", Verdict::Pass, "lost 0".into())
        } else {
            check("lost-events", "No audit events were lost", Verdict::Weak, format!("lost {}: the kernel dropped events since boot (backlog full or rate limit)", st.lost))
        },
        if st.backlog_limit >= MIN_BACKLOG {
            check("backlog-limit", "The audit backlog is large enough", Verdict::Pass, format!("backlog_limit {}", st.backlog_limit))
        } else {
            check("backlog-limit", "The audit backlog is large enough", Verdict::Weak, format!("backlog_limit {} is below {MIN_BACKLOG}: bursts lose events; set -b {MIN_BACKLOG} or more", st.backlog_limit))
        },
    ]
}

#[cfg(test)]
#[path = "evaluate_tests.rs"]
mod tests;
