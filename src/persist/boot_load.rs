//! The boot load played through as the kernel would take it, without touching it:
//! `-D`, `-d`, `-W`, duplicates, watches the kernel refuses, lines that stop the load.

use std::path::{Path, PathBuf};

use super::augenrules::augenrules_merge_without;
use super::on_error::{Next, OnError};
use super::{PersistentError, RuleSet, Source, SourcedRule};
use crate::kernel::{RuleTable, Settings};
use crate::rule::syscalls::Arch;
use crate::rule::{FieldType, Rule};
use crate::rules_file::{self, Directive, Entry, Line, Origin, ParseError, Resolver, RuleOp};

/// The rules `<root>` loads at boot (see the module comment).
pub fn persistent_rules(root: &Path) -> Result<RuleSet, PersistentError> {
    persistent_rules_without(root, None)
}

/// [`persistent_rules`] without the `rules.d` file named `skip`.
pub fn persistent_rules_without(root: &Path, skip: Option<&str>) -> Result<RuleSet, PersistentError> {
    let resolver = Resolver::new(root);
    persistent_rules_with(root, skip, &resolver)
}

/// [`persistent_rules_without`] with bare `-S` names in `native`'s table (`--arch`, or
/// what the caller found the root's kernel to be) rather than what the root's files say.
pub fn persistent_rules_as(root: &Path, skip: Option<&str>, native: Arch) -> Result<RuleSet, PersistentError> {
    persistent_rules_with(root, skip, &Resolver::new(root).with_arch(native))
}

/// [`persistent_rules_without`] read by `resolver`: live `check` gives it the running
/// kernel's arch and feature bitmap, so a line that kernel would refuse at boot (`-F
/// exe=` without `executable_path`, a `filesystem` rule without `filter_fs`) is one.
pub fn persistent_rules_with(root: &Path, skip: Option<&str>, resolver: &Resolver) -> Result<RuleSet, PersistentError> {
    let mut parsed: Vec<Result<Line, ParseError>> = Vec::new();
    let (source, audit_rules_stale) = match augenrules_merge_without(root, skip)? {
        Some(merged) => {
            let current = std::fs::read(root.join("etc/audit/audit.rules")).ok();
            let stale = current.as_deref() != Some(merged.text.as_bytes());
            for (line, origin) in merged.text.split('\n').zip(&merged.origins) {
                if let Some(origin) = origin {
                    if let Some(result) = rules_file::parse_line(line, &origin.file, origin.line, resolver).transpose()
                    {
                        parsed.push(result);
                    }
                }
            }
            (Source::RulesD { files: merged.files }, Some(stale))
        }
        None => {
            let path = root.join("etc/audit/audit.rules");
            match std::fs::read(&path) {
                Ok(bytes) => {
                    let text = String::from_utf8_lossy(&bytes);
                    parsed = rules_file::parse_lines(&text, "/etc/audit/audit.rules", resolver);
                    (Source::AuditRules, None)
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Source::Nothing, None),
                Err(source) => return Err(PersistentError::Read { path: path.display().to_string(), source }),
            }
        }
    };
    let (rules, settings, problems) = play_boot_load(parsed, resolver);
    Ok(RuleSet { source, rules, settings, problems, audit_rules_stale })
}

/// What `auditctl -R FILE...` would leave on a fresh kernel: the files read in the
/// order given, each line as written (no augenrules reordering). `files` holds each
/// file's name (for origins) and text.
pub fn rules_from_files(files: &[(String, String)], resolver: &Resolver) -> RuleSet {
    let mut parsed = Vec::new();
    for (name, text) in files {
        parsed.extend(rules_file::parse_lines(text, name, resolver));
    }
    let (rules, settings, problems) = play_boot_load(parsed, resolver);
    let files = files.iter().map(|(name, _)| PathBuf::from(name)).collect();
    RuleSet { source: Source::Given { files }, rules, settings, problems, audit_rules_stale: None }
}

/// `auditctl -R` on a fresh kernel, simulated: a failing line stops the load unless an
/// earlier `-i`/`-c` said to go on ([`OnError`], the decision `load` takes too).
fn play_boot_load(
    lines: Vec<Result<Line, ParseError>>,
    resolver: &Resolver,
) -> (Vec<SourcedRule>, Settings, Vec<String>) {
    let mut kernel = BootKernel::default();
    let mut on_error = OnError::default();
    let mut problems = Vec::new();
    for line in lines {
        let failure = match line {
            Err(e) => Some(e.to_string()),
            Ok(line) => {
                on_error.see(&line.entry);
                let at = line.origin.clone();
                kernel.apply(line, resolver).err().map(|why| format!("{at}: {why}"))
            }
        };
        if let Some(failure) = failure {
            match on_error.line_failed() {
                Next::Skip { flag } => problems.push(format!("{failure} (skipped at boot: {flag})")),
                Next::Stop => {
                    problems.push(format!("{failure}; the boot load stops there, later lines are not loaded"));
                    break;
                }
            }
        }
    }
    (kernel.rules.into_vec(), kernel.settings, problems)
}

/// The kernel at boot as the load leaves it, and where `-e 2` locked it.
#[derive(Default)]
struct BootKernel {
    rules: RuleTable<SourcedRule>,
    settings: Settings,
    locked_at: Option<Origin>,
}

impl BootKernel {
    fn apply(&mut self, line: Line, resolver: &Resolver) -> Result<(), String> {
        if let Some(lock) = &self.locked_at {
            if changes_after_lock(&line.entry) {
                return Err(locked_message(lock));
            }
        }
        match line.entry {
            Entry::Rule { op: RuleOp::Delete, rule } => {
                self.rules.delete(&rule).map_err(|e| e.to_string())?;
            }
            Entry::Rule { op, rule } => {
                self.rules.check_add(&rule, op == RuleOp::Prepend).map_err(|e| e.to_string())?;
                if let Some(why) = boot_rejects(&rule, resolver) {
                    return Err(why);
                }
                self.rules
                    .add(SourcedRule { rule, origin: line.origin }, op == RuleOp::Prepend)
                    .map_err(|e| e.to_string())?;
            }
            Entry::Directive(directive) => match directive {
                Directive::DeleteAll { key } => {
                    self.rules.delete_all(key.as_deref());
                }
                Directive::Set(setting, value) => {
                    self.settings.set(setting, value);
                    if directive.locks() {
                        self.locked_at = Some(line.origin);
                    }
                }
                Directive::LoginuidImmutable => self.settings.loginuid_immutable = true,
                Directive::IgnoreErrors | Directive::ContinueOnErrors => {}
            },
        }
        Ok(())
    }
}

/// What the kernel refuses with EPERM once `-e 2` has locked it: every rule change and
/// every `AUDIT_SET` (`audit_do_config_change`); `--loginuid-immutable` is a feature
/// change, which the lock does not cover.
pub(super) fn changes_after_lock(entry: &Entry) -> bool {
    matches!(entry, Entry::Rule { .. } | Entry::Directive(Directive::DeleteAll { .. } | Directive::Set(..)))
}

/// The refusal of a change after `-e 2`, as the kernel words it.
pub(super) fn locked_message(lock: &Origin) -> String {
    format!("the rules are locked by -e 2 at {lock} (Operation not permitted)")
}

/// What the kernel refuses that can be seen from the files: a watch whose parent
/// directory does not exist, a tree watch (`dir`) on a missing directory.
fn boot_rejects(rule: &Rule, resolver: &Resolver) -> Option<String> {
    for field in &rule.fields {
        let Some(path) = field.as_bytes().map(|b| String::from_utf8_lossy(b).into_owned()) else { continue };
        let missing = match field.kind {
            FieldType::WATCH => {
                let parent = Path::new(&path).parent().map(|p| p.display().to_string()).unwrap_or_default();
                (!parent.is_empty() && !resolver.is_dir(&parent)).then_some(parent)
            }
            FieldType::DIR => (!resolver.is_dir(&path)).then(|| path.clone()),
            _ => None,
        };
        if let Some(missing) = missing {
            return Some(format!(
                "the kernel rejects a watch on {path}: {missing} is not a directory here (No such file or directory)"
            ));
        }
    }
    None
}
