//! The boot load played through as the kernel would take it, without touching it:
//! `-D`, `-d`, `-W`, duplicates, watches the kernel refuses, lines that stop the load.

use std::path::{Path, PathBuf};

use super::augenrules::augenrules_merge_without;
use super::{same_rule, BootSettings, PersistentError, RuleSet, Source, SourcedRule};
use crate::rule::{FieldType, Rule};
use crate::rules_file::{self, Control, Entry, Line, ParseError, Resolver, RuleOp};

/// The rules `<root>` loads at boot (see the module comment).
pub fn persistent_rules(root: &Path) -> Result<RuleSet, PersistentError> {
    persistent_rules_without(root, None)
}

/// [`persistent_rules`] without the `rules.d` file named `skip`.
pub fn persistent_rules_without(root: &Path, skip: Option<&str>) -> Result<RuleSet, PersistentError> {
    let resolver = Resolver::new(root);
    let mut parsed: Vec<Result<Line, ParseError>> = Vec::new();
    let (source, audit_rules_stale) = match augenrules_merge_without(root, skip)? {
        Some(merged) => {
            let current = std::fs::read(root.join("etc/audit/audit.rules")).ok();
            let stale = current.as_deref() != Some(merged.text.as_bytes());
            for (line, origin) in merged.text.split('\n').zip(&merged.origins) {
                if let Some(origin) = origin {
                    if let Some(result) = rules_file::parse_line(line, &origin.file, origin.line, &resolver).transpose()
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
                    for (i, line) in text.split('\n').enumerate() {
                        if let Some(result) =
                            rules_file::parse_line(line, "/etc/audit/audit.rules", i + 1, &resolver).transpose()
                        {
                            parsed.push(result);
                        }
                    }
                    (Source::AuditRules, None)
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Source::Nothing, None),
                Err(source) => return Err(PersistentError::Read { path: path.display().to_string(), source }),
            }
        }
    };
    let (rules, settings, problems) = play_boot_load(parsed, &resolver);
    Ok(RuleSet { source, rules, settings, problems, audit_rules_stale })
}

/// What `auditctl -R FILE...` would leave on a fresh kernel: the files read in the
/// order given, each line as written (no augenrules reordering). `files` holds each
/// file's name (for origins) and text.
pub fn rules_from_files(files: &[(String, String)], resolver: &Resolver) -> RuleSet {
    let mut parsed = Vec::new();
    for (name, text) in files {
        for (i, line) in text.split('\n').enumerate() {
            if let Some(result) = rules_file::parse_line(line, name, i + 1, resolver).transpose() {
                parsed.push(result);
            }
        }
    }
    let (rules, settings, problems) = play_boot_load(parsed, resolver);
    let files = files.iter().map(|(name, _)| PathBuf::from(name)).collect();
    RuleSet { source: Source::Given { files }, rules, settings, problems, audit_rules_stale: None }
}

/// `auditctl -R` on a fresh kernel, simulated: a failing line stops the load unless an
/// earlier `-i`/`-c` said to go on.
fn play_boot_load(
    lines: Vec<Result<Line, ParseError>>,
    resolver: &Resolver,
) -> (Vec<SourcedRule>, BootSettings, Vec<String>) {
    let mut lists: Vec<Vec<SourcedRule>> = vec![Vec::new(); 8];
    let mut settings = BootSettings::default();
    let mut problems = Vec::new();
    let mut go_on = false;
    for line in lines {
        let failure = match line {
            Err(e) => Some(e.to_string()),
            Ok(line) => {
                let at = line.origin.clone();
                apply(line, &mut lists, &mut settings, &mut go_on, resolver).err().map(|why| format!("{at}: {why}"))
            }
        };
        if let Some(failure) = failure {
            if go_on {
                problems.push(format!("{failure} (skipped at boot: -i/-c)"));
            } else {
                problems.push(format!("{failure}; the boot load stops there, later lines are not loaded"));
                break;
            }
        }
    }
    (lists.into_iter().flatten().collect(), settings, problems)
}

fn apply(
    line: Line,
    lists: &mut [Vec<SourcedRule>],
    settings: &mut BootSettings,
    go_on: &mut bool,
    resolver: &Resolver,
) -> Result<(), String> {
    match line.entry {
        Entry::Rule { op, rule } => {
            let list = rule.list.raw() as usize;
            let Some(entries) = lists.get_mut(list) else {
                return Err(format!("the kernel has no list {list} (Invalid argument)"));
            };
            let position = entries.iter().position(|r| same_rule(&r.rule, &rule));
            match (op, position) {
                (RuleOp::Delete, Some(i)) => {
                    entries.remove(i);
                }
                (RuleOp::Delete, None) => return Err("no such rule to delete (No such file or directory)".into()),
                (_, Some(_)) => return Err("the rule exists already (File exists)".into()),
                (op, None) => {
                    if let Some(why) = boot_rejects(&rule, resolver) {
                        return Err(why);
                    }
                    let entry = SourcedRule { rule, origin: line.origin };
                    if op == RuleOp::Prepend {
                        entries.insert(0, entry);
                    } else {
                        entries.push(entry);
                    }
                }
            }
        }
        Entry::Control(control) => match control {
            Control::DeleteAll { key: None } => lists.iter_mut().for_each(Vec::clear),
            Control::DeleteAll { key: Some(key) } => {
                for entries in lists.iter_mut() {
                    entries.retain(|r| !r.rule.keys().any(|k| k == key.as_bytes()));
                }
            }
            Control::Enabled(v) => settings.enabled = Some(v),
            Control::Failure(v) => settings.failure = Some(v),
            Control::BacklogLimit(v) => settings.backlog_limit = Some(v),
            Control::RateLimit(v) => settings.rate_limit = Some(v),
            Control::BacklogWaitTime(v) => settings.backlog_wait_time = Some(v),
            Control::LoginuidImmutable => settings.loginuid_immutable = true,
            Control::IgnoreErrors | Control::ContinueOnErrors => *go_on = true,
        },
    }
    Ok(())
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
