//! The rules, prepared once per `check`: for every exit-list rule its target resolved
//! on the filesystem being judged (each distinct path once), its permission bits, its
//! arch filter and its coverage of each syscall class per host ABI, and whether other
//! fields narrow it. Judging a control then only compares prepared facts, so ten
//! thousand rules cost rules × controls and no rule is resolved twice.

use std::collections::HashMap;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use super::syscall_classes::{class_names, host_abis, sysno, ClassMask, Cov, MAX_ABIS, PERMS};
use super::verdict::Options;
use crate::host::{CachedResolver, FileKind, Filesystem, Resolved};
use crate::rule::syscalls::Arch;
use crate::rule::{perm, text, Action, Field, FieldType, FilterList, Operator, Rule, SyscallMask};

/// What a rule's path filter names, resolved on the filesystem being judged. `at` is
/// the path as the kernel takes it (the last component not followed); `link` where it
/// leads when that component is a symlink, so a watch on a link to a control's file can
/// be named as such instead of silently missing.
#[derive(Debug)]
pub(super) enum RuleTarget {
    /// No path or dir field: the rule is about syscalls, whatever file they touch.
    Any,
    /// `path=` (`-w` on a file): that inode, or a directory's own entries.
    Watch { at: Resolved, link: Option<Resolved> },
    /// `dir=` (`-w` on a directory): everything below it.
    Dir { at: Resolved, link: Option<Resolved> },
}

/// One exit-list rule with the facts every control asks of it, computed once.
#[derive(Debug)]
pub(super) struct Prep<'r> {
    pub(super) rule: &'r Rule,
    /// `-a never,exit`: it suppresses what it matches first.
    pub(super) never: bool,
    /// A `never` rule with a field that names particular processes
    /// ([`names_processes`]): noise control, which suppresses only their events.
    pub(super) noise: bool,
    pub(super) target: RuleTarget,
    /// The `perm=` bits; all four without the field.
    pub(super) perm: u32,
    /// Per host ABI: does the rule's arch filter let its calls through?
    pub(super) arch_ok: [bool; MAX_ABIS],
    /// Per host ABI, per class (PERMS order): how much of the class the syscall mask holds.
    pub(super) sys: [[Cov; 4]; MAX_ABIS],
    /// User fields ([`user_limiting_fields`]) or other fields ([`narrowing_fields`]) let
    /// the rule record only some events. The words (`explain`) are made only for rules a
    /// report cites.
    pub(super) narrowed: bool,
}

/// Whether a field's comparison holds for the value `v`, as the kernel's
/// `audit_comparator` decides it.
pub(super) fn holds(op: Operator, rule_value: u32, v: u32) -> bool {
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

/// `>= 0` and `<= 4294967295` hold for every value: such a field narrows nothing.
fn always_true(op: Operator, value: u32) -> bool {
    (op == Operator::GREATER_THAN_OR_EQUAL && value == 0) || (op == Operator::LESS_THAN_OR_EQUAL && value == u32::MAX)
}

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
pub(super) fn user_limiting_fields(rule: &Rule) -> impl Iterator<Item = (&Field, u32)> {
    rule.fields
        .iter()
        .filter(|f| is_user_field(f.kind))
        .filter_map(|f| f.as_number().map(|value| (f, value)))
        .filter(|(f, value)| !always_true(f.op, *value))
}

/// Fields other than users, arch, perm, key and path that narrow what a rule records
/// (`exit=`, `exe=`, ...).
pub(super) fn narrowing_fields(rule: &Rule) -> impl Iterator<Item = &Field> {
    rule.fields.iter().filter(|f| {
        !is_user_field(f.kind)
            && !matches!(
                f.kind,
                FieldType::PERM | FieldType::FILTERKEY | FieldType::WATCH | FieldType::DIR | FieldType::ARCH
            )
            && !f.as_number().is_some_and(|v| always_true(f.op, v))
    })
}

/// Whether a field confines a rule to particular processes: one executable, one
/// SELinux domain, one process or the children of one. The fields of a rule all have
/// to hold, so one such field makes the whole rule about those processes, whatever
/// user, path or syscall fields it adds. Only `=` names them: `exe!=` or `pid>`
/// name everyone but some. `subj_user`, `subj_role`, `subj_sen` and `subj_clr` name
/// classes of processes, not particular ones (`system_u`, `system_r` and `s0` are every
/// daemon's under the targeted policy, dockerd's included), and `ppid=1` every service
/// init started (dockerd and containerd too): rules on those hide whole classes of
/// users and are judged as any other never rule. There is no `comm` field in the
/// kernel's rule language (a process's name is only recorded, never filtered on).
pub(super) fn names_processes(f: &Field) -> bool {
    f.op == Operator::EQUAL
        && match f.kind {
            FieldType::EXE | FieldType::SUBJ_TYPE | FieldType::PID => true,
            FieldType::PPID => f.as_number() != Some(1),
            _ => false,
        }
}

/// The fields of a rule that name particular processes ([`names_processes`]).
pub(super) fn process_fields(rule: &Rule) -> impl Iterator<Item = &Field> {
    rule.fields.iter().filter(|f| names_processes(f))
}

/// The `path=` or `dir=` field of a watch or tree rule.
fn target_field(rule: &Rule) -> Option<&Field> {
    rule.fields.iter().find(|f| matches!(f.kind, FieldType::WATCH | FieldType::DIR))
}

/// The path a watch or tree rule names, as written.
pub(super) fn target_text(rule: &Rule) -> String {
    target_field(rule).and_then(Field::as_bytes).map(path_text).unwrap_or_default()
}

/// Whether the rule's arch filter lets this ABI's calls through.
fn arch_ok(rule: &Rule, abi: Arch) -> bool {
    rule.fields
        .iter()
        .filter(|f| f.kind == FieldType::ARCH)
        .all(|f| f.as_number().is_none_or(|v| holds(f.op, v, abi.audit_value())))
}

fn path_text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Everything judging a control needs from the rules, the host and the options.
pub(super) struct Context<'r, 'f> {
    /// The exit list's `always` and `never` rules, prepared, in kernel order.
    pub(super) preps: Vec<Prep<'r>>,
    /// `-a never,filesystem -F fstype=...` rules.
    pub(super) fs_never: Vec<&'r Rule>,
    /// What the first exclude rule that drops SYSCALL or PATH records does.
    pub(super) exclude: Option<ExcludeEffect>,
    /// The ABIs a process can call the kernel with ([`host_abis`]).
    pub(super) abis: Vec<Arch>,
    pub(super) fs: &'f dyn Filesystem,
    pub(super) opts: &'f Options,
}

/// What an exclude rule does to the records a control relies on.
pub(super) struct ExcludeEffect {
    /// SYSCALL records (which carry the key and who did it) dropped for everyone.
    pub(super) drops_syscall: bool,
    pub(super) reason: String,
    pub(super) rule: String,
}

impl<'r, 'f> Context<'r, 'f> {
    /// Prepares the rules for judging any number of controls: the exit list's rules
    /// kept in order, filesystem never rules and the first record-dropping exclude rule
    /// set aside, each distinct rule path resolved once.
    pub(super) fn new(rules: &'r [Rule], fs: &'f dyn Filesystem, opts: &'f Options) -> Context<'r, 'f> {
        let abis = host_abis(opts.native, opts.compat.assumed());
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
            preps.push(Prep {
                rule,
                never: rule.action == Action::Never,
                noise: rule.action == Action::Never && process_fields(rule).next().is_some(),
                target,
                perm,
                arch_ok: arch_allows,
                sys,
                narrowed: user_limiting_fields(rule).next().is_some() || narrowing_fields(rule).next().is_some(),
            });
        }
        Context { preps, fs_never, exclude, abis, fs, opts }
    }

    /// A rule as `auditctl -l` prints it, as reasons and `rules` cite it.
    pub(super) fn text(&self, rule: &Rule) -> String {
        String::from_utf8_lossy(&text::to_text(rule, self.opts.native)).into_owned()
    }

    /// ` under ROOT` when judging another root, so "does not exist" says where.
    pub(super) fn where_(&self) -> String {
        match self.fs.root() {
            Some(root) => format!(" under {}", root.display()),
            None => String::new(),
        }
    }
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
