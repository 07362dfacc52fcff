//! `dockaudit fix`: the rules that turn every failing or weak control into a pass, and
//! writing, applying and reverting them.
//!
//! Decisions (the issue leaves them open):
//! - One rule per failing or weak control, the CIS remediation with its permissions
//!   spelled out (`-w PATH -p rwxa -k docker`; for /run/containerd
//!   `-a always,exit -F path=/run/containerd -F perm=war -k docker`), under a
//!   `# ID title` comment. Every plan is proven by judging the rules with the fixes
//!   added, with the same code as `check`.
//! - A control that an appended rule cannot fix because an earlier `never` rule
//!   suppresses its events gets the same rule prepended with `-A` (written in the
//!   `-F dir=`/`-F path=` form, since `-w` cannot be prepended), and a comment naming
//!   the `never` rule it overrides. If that fails too (an exclude rule dropping
//!   SYSCALL records, a filesystem excluded, the CIS rule already loaded but
//!   shadowed, an unreadable path) the control is left to a person: a comment says
//!   why, no rule is emitted, and the exit code is 1.
//! - With audit disabled (`enabled 0`) the plan is made as if it were enabled (a
//!   header line says that rules alone record nothing until `-e 1`).
//! - `--apply` records every rule it added in a state file under /run (tmpfs: it ends
//!   with the boot whose kernel rules it describes). `--revert` deletes exactly the
//!   recorded rules that are still loaded, matched by their `auditctl -l` text, and
//!   nothing else. Rules the user had before are never recorded: `--apply` only adds
//!   rules the kernel does not hold (the kernel refuses a duplicate, and the load is
//!   then rolled back).

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::host::{resolve, Filesystem, Resolved};
use crate::judge::{evaluate, Benchmark, ControlVerdict, Evaluation, Options, Remediation, UnknownControl, Verdict};
use crate::kernel::{AuditControl, Error, Status};
use crate::persist::{self, same_rule, LoadError};
use crate::rule::syscalls::Arch;
use crate::rule::{text, FieldType, Rule};
use crate::rules_file::{self, Entry, Line, Origin, Resolver, RuleOp};

/// Where `--apply` records what it added, unless told otherwise (`--state`).
pub const DEFAULT_STATE: &str = "/run/dockaudit/applied.rules";
/// The mode of a written rules file when it does not exist yet, as rules.d files have.
pub const RULES_FILE_MODE: u32 = 0o640;

/// What the plan does for one control.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FixAction {
    /// Add the rule at the end of the exit list.
    Append {
        /// The rule as written to the rules file (`-w PATH -p rwxa -k docker`).
        line: String,
        /// `line` parsed, as it is loaded and judged.
        rule: Rule,
    },
    /// Add the rule first (`-A`): `never` names the rules it must come before.
    Prepend {
        /// The rule as written (`-A always,exit -F path=… -F perm=… -k docker`).
        line: String,
        /// `line` parsed, as it is loaded and judged.
        rule: Rule,
        /// The loaded `-a never,…` rules, in `auditctl -l` form, that suppress the appended rule.
        never: Vec<String>,
    },
    /// No rule can fix it; why, in words.
    Manual {
        /// One reason each, rendered as a `#   ` comment under the control's header.
        why: Vec<String>,
    },
}

/// The fix for one failing or weak control.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// The CIS control id ("1.1.3").
    pub id: &'static str,
    /// The control's title, from the benchmark's catalog.
    pub title: &'static str,
    /// The judged path: the rule goes on it.
    pub path: String,
    /// The path the CIS text names, and how `path` was found (the verdict's).
    pub cis_path: String,
    /// Discovery's evidence for `path`, as the verdict's `found_by` text.
    pub found_by: String,
    /// The verdict before the fix: `weak`, `fail` or `error`.
    pub was: Verdict,
    /// What the plan does about it.
    pub action: FixAction,
}

/// Every fix `dockaudit fix` proposes, proven by judging the rules with them added.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// The benchmark version judged against (`--benchmark`).
    pub benchmark: Benchmark,
    /// Header remarks (audit disabled, ...).
    pub notes: Vec<String>,
    /// One per failing, weak or errored control, in the judge's control order.
    pub fixes: Vec<Fix>,
}

impl Plan {
    /// Rules to add, in output order, with the control they fix.
    pub fn rules(&self) -> impl Iterator<Item = (&Fix, &Rule, bool)> {
        self.fixes.iter().filter_map(|f| match &f.action {
            FixAction::Append { rule, .. } => Some((f, rule, false)),
            FixAction::Prepend { rule, .. } => Some((f, rule, true)),
            FixAction::Manual { .. } => None,
        })
    }

    /// Controls no added rule can fix: `fix` exits 1.
    pub fn has_manual(&self) -> bool {
        self.fixes.iter().any(|f| matches!(f.action, FixAction::Manual { .. }))
    }
}

fn perm_letters(remediation: Remediation) -> &'static str {
    match remediation {
        Remediation::Watch => "rwxa",
        Remediation::PathWar => "war",
    }
}

fn append_line(remediation: Remediation, path: &str) -> String {
    match remediation {
        Remediation::Watch => format!("-w {path} -p rwxa -k docker"),
        Remediation::PathWar => format!("-a always,exit -F path={path} -F perm=war -k docker"),
    }
}

fn parse_rule(line: &str, resolver: &Resolver) -> Option<Rule> {
    match rules_file::parse_line(line, "fix", 1, resolver) {
        Ok(Some(Line { entry: Entry::Rule { rule, .. }, .. })) => Some(rule),
        _ => None,
    }
}

/// The rules that fix the selected controls judged on `rules` (see the module doc).
pub fn plan(
    rules: &[Rule],
    status: Option<&Status>,
    fs: &dyn Filesystem,
    opts: &Options,
    resolver: &Resolver,
) -> Result<Plan, UnknownControl> {
    let mut notes = Vec::new();
    let status = status.map(|s| {
        let mut s = *s;
        if s.enabled == 0 {
            notes.push("audit is disabled (enabled 0): these rules record nothing until it is enabled (auditctl -e 1, audit=1 on the kernel command line)".to_string());
            s.enabled = 1;
        }
        s
    });
    let judge = |rules: &[Rule]| evaluate(rules, status.as_ref(), fs, opts);
    let before = judge(rules)?;
    let controls = opts.benchmark.controls();
    let remediation =
        |id: &str| controls.iter().find(|c| c.id == id).map(|c| c.remediation).unwrap_or(Remediation::Watch);

    let mut fixes: Vec<Fix> = Vec::new();
    for c in before.controls.iter().filter(|c| c.verdict.is_finding()) {
        // The judged path is the final inode when discovery found it; judged on a
        // catalog path that is a symlink, the rule goes on the file it leads to (a
        // watch on the link records nothing of the file).
        let path = match resolve(fs, Path::new(&c.path), true) {
            Ok(Resolved { path, meta: Some(_) }) => path.display().to_string(),
            _ => c.path.clone(),
        };
        let fix = |action| Fix {
            id: c.id,
            title: c.title,
            path: path.clone(),
            cis_path: c.cis_path.clone(),
            found_by: c.found_by.clone(),
            was: c.verdict,
            action,
        };
        if c.verdict == Verdict::Error {
            fixes.push(fix(FixAction::Manual { why: c.reasons.clone() }));
            continue;
        }
        let line = append_line(remediation(c.id), &path);
        let action = match parse_rule(&line, resolver) {
            Some(rule) if rules.iter().any(|r| same_rule(r, &rule)) => FixAction::Manual {
                why: std::iter::once(already_there(&line, c)).chain(c.reasons.iter().cloned()).collect(),
            },
            Some(rule) => FixAction::Append { line, rule },
            None => FixAction::Manual { why: vec![format!("`{line}` cannot be parsed here")] },
        };
        fixes.push(fix(action));
    }

    let with = |fixes: &[Fix]| -> Vec<Rule> {
        let mut all: Vec<Rule> = Vec::new();
        for f in fixes.iter().rev() {
            if let FixAction::Prepend { rule, .. } = &f.action {
                all.push(rule.clone());
            }
        }
        all.extend(rules.iter().cloned());
        all.extend(fixes.iter().filter_map(|f| match &f.action {
            FixAction::Append { rule, .. } => Some(rule.clone()),
            _ => None,
        }));
        all
    };
    let still_failing = |eval: &Evaluation, id: &str| {
        eval.controls.iter().find(|c| c.id == id).filter(|c| c.verdict != Verdict::Pass).cloned()
    };

    // Appending cannot beat an earlier never rule: prepend those.
    let after = judge(&with(&fixes))?;
    for f in &mut fixes {
        let FixAction::Append { rule, .. } = &f.action else { continue };
        let Some(verdict) = still_failing(&after, f.id) else { continue };
        let field = if rule.field(FieldType::DIR).is_some() { "dir" } else { "path" };
        let line =
            format!("-A always,exit -F {field}={} -F perm={} -k docker", f.path, perm_letters(remediation(f.id)));
        let never: Vec<String> = verdict.rules.iter().filter(|r| r.starts_with("-a never,")).cloned().collect();
        f.action = match parse_rule(&line, resolver) {
            Some(rule) => FixAction::Prepend { line, rule, never },
            None => FixAction::Manual { why: vec![format!("`{line}` cannot be parsed here")] },
        };
    }
    let after = judge(&with(&fixes))?;
    for f in &mut fixes {
        if matches!(f.action, FixAction::Manual { .. }) {
            continue;
        }
        if let Some(control) = still_failing(&after, f.id) {
            f.action = FixAction::Manual {
                why: std::iter::once(format!("even with the CIS rule added first it is {}", control.verdict.as_str()))
                    .chain(control.reasons)
                    .collect(),
            };
        }
    }
    Ok(Plan { benchmark: opts.benchmark, notes, fixes })
}

/// Why the CIS rule, already loaded on the judged file, does not pass it: the true
/// cause, as the verdict's own reasons and rules say it (the rule is on the final file,
/// so neither a symlink nor a missing path is the cause).
fn already_there(line: &str, c: &ControlVerdict) -> String {
    let verdict = c.verdict.as_str();
    if c.rules.iter().any(|r| r.starts_with("-a never,")) {
        format!("`{line}` is there already, yet the control is {verdict}: move it before the never rule that suppresses it, or narrow that rule")
    } else {
        format!("`{line}` is there already, yet the control is {verdict}; adding it again changes nothing (the kernel refuses a duplicate), because:")
    }
}

/// The plan as a rules file; the same plan renders to the same bytes.
pub fn render(plan: &Plan) -> String {
    let mut out = String::new();
    let rules = plan.rules().count();
    out.push_str(&format!(
        "## dockaudit fix: CIS Docker Benchmark {} audit controls; {} rule(s) for {} control(s).\n",
        plan.benchmark.version(),
        rules,
        plan.fixes.len()
    ));
    for note in &plan.notes {
        out.push_str(&format!("## {note}\n"));
    }
    if plan.fixes.is_empty() {
        out.push_str("## Nothing to fix: every applicable control passes.\n");
    }
    for f in &plan.fixes {
        out.push_str(&format!("\n# {} {}\n", f.id, f.title));
        if f.path != f.cis_path {
            out.push_str(&format!(
                "# the file the host uses: {} (found by {}; the CIS text names {})\n",
                f.path, f.found_by, f.cis_path
            ));
        }
        match &f.action {
            FixAction::Append { line, .. } => {
                out.push_str(line);
                out.push('\n');
            }
            FixAction::Prepend { line, never, .. } => {
                out.push_str(&format!(
                    "# added first (-A): {} comes earlier and would suppress an appended rule\n",
                    if never.is_empty() {
                        "a never rule".to_string()
                    } else {
                        never.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                    }
                ));
                out.push_str(line);
                out.push('\n');
            }
            FixAction::Manual { why } => {
                out.push_str(&format!("# {} ({}) cannot be fixed by adding a rule:\n", f.path, f.was.as_str()));
                for w in why {
                    out.push_str(&format!("#   {w}\n"));
                }
            }
        }
    }
    out
}

/// The plan's rules as load lines, each with its line number in [`render`]'s output,
/// so a rejection names the line the user saw.
pub fn lines(plan: &Plan, origin: &str) -> Vec<Line> {
    let text = render(plan);
    let mut lines = Vec::new();
    let mut wanted = plan.rules().peekable();
    for (i, line) in text.lines().enumerate() {
        let Some((_, rule, prepend)) = wanted.peek() else { break };
        if line.starts_with('-') {
            let op = if *prepend { RuleOp::Prepend } else { RuleOp::Append };
            lines.push(Line {
                origin: Origin { file: origin.to_string(), line: i + 1 },
                entry: Entry::Rule { op, rule: (*rule).clone() },
                warnings: Vec::new(),
            });
            wanted.next();
        }
    }
    lines
}

// ---------------------------------------------------------------------------------
// Files

/// Writes `bytes` to `path` atomically: a temp file in the same directory (a dot
/// file, which augenrules ignores should a crash leave it), fsync, rename, fsync of
/// the directory. Nothing is written when the file already holds `bytes`. Keeps an
/// existing file's mode, else `mode`. Returns whether the file changed.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<bool> {
    let mode = match std::fs::metadata(path) {
        Ok(meta) => {
            if std::fs::read(path).is_ok_and(|old| old == bytes) {
                return Ok(false);
            }
            meta.permissions().mode() & 0o7777
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => mode,
        Err(e) => return Err(e),
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().ok_or_else(|| std::io::Error::other(format!("{} names no file", path.display())))?;
    let temp = dir.join(format!(".{}.dockaudit-{}", name.to_string_lossy(), std::process::id()));
    let result = (|| {
        let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(mode).open(&temp)?;
        // The umask may have narrowed the mode given to open.
        file.set_permissions(std::fs::Permissions::from_mode(mode))?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)?;
        std::fs::File::open(&dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result.map(|()| true)
}

// ---------------------------------------------------------------------------------
// Apply and revert

/// Why `--apply` or `--revert` failed, and what state the kernel was left in.
#[derive(Debug, thiserror::Error)]
#[allow(missing_docs)] // each variant's #[error] text is its documentation
pub enum FixError {
    #[error(
        "the kernel's audit rules are locked (enabled 2) until the next reboot: no rule can be added or removed, \
         so --{0} changed nothing; write the rules with `dockaudit fix --write /etc/audit/rules.d/50-docker.rules` \
         and reboot"
    )]
    Locked(&'static str),
    #[error(transparent)]
    Load(LoadError),
    #[error("{0}")]
    Kernel(#[from] Error),
    #[error("cannot record the added rules in {path}: {source}; {rollback}")]
    State { path: String, source: std::io::Error, rollback: String },
    #[error("cannot read {path}: {source}; nothing was changed")]
    ReadState { path: String, source: std::io::Error },
}

fn from_load(verb: &'static str) -> impl Fn(LoadError) -> FixError {
    move |e| match e {
        LoadError::Locked => FixError::Locked(verb),
        other => FixError::Load(other),
    }
}

/// What `--apply` did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ApplyReport {
    /// What was added, in `auditctl -l` form.
    pub added: Vec<String>,
}

const STATE_HEADER: &str =
    "# dockaudit fix --apply added these rules to the kernel; `dockaudit fix --revert` removes exactly these.\n";

fn read_state(path: &Path) -> Result<Vec<String>, FixError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text.lines().filter(|l| !l.is_empty() && !l.starts_with('#')).map(str::to_string).collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(source) => Err(FixError::ReadState { path: path.display().to_string(), source }),
    }
}

fn write_state(path: &Path, rules: &[String]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    }
    let mut text = STATE_HEADER.to_string();
    for r in rules {
        text.push_str(r);
        text.push('\n');
    }
    write_atomic(path, text.as_bytes(), 0o600).map(|_| ())
}

/// Loads the plan's rules as one transaction and records them in `state`.
pub fn apply(kernel: &mut dyn AuditControl, plan: &Plan, state: &Path, native: Arch) -> Result<ApplyReport, FixError> {
    if kernel.status()?.is_locked() {
        return Err(FixError::Locked("apply"));
    }
    let mut recorded = read_state(state)?;
    let lines = lines(plan, "dockaudit fix");
    if lines.is_empty() {
        return Ok(ApplyReport::default());
    }
    persist::load(kernel, &lines).map_err(from_load("apply"))?;
    let added: Vec<String> =
        plan.rules().map(|(_, rule, _)| String::from_utf8_lossy(&text::to_text(rule, native)).into_owned()).collect();
    recorded.extend(added.iter().cloned());
    if let Err(source) = write_state(state, &recorded) {
        // Unrecorded rules could never be reverted: take them out again.
        let mut problems = Vec::new();
        for (_, rule, _) in plan.rules() {
            if let Err(e) = kernel.delete_rule(rule) {
                problems.push(e.to_string());
            }
        }
        let rollback = if problems.is_empty() {
            format!("removed the {} rule(s) just added", added.len())
        } else {
            format!("ROLLBACK INCOMPLETE: {}", problems.join("; "))
        };
        return Err(FixError::State { path: state.display().to_string(), source, rollback });
    }
    Ok(ApplyReport { added })
}

/// What `--revert` did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RevertReport {
    /// Recorded rules deleted from the kernel, in `auditctl -l` form.
    pub removed: Vec<String>,
    /// Recorded rules no longer loaded (someone deleted them): nothing to do for them.
    pub gone: Vec<String>,
}

/// Deletes the rules `apply` recorded in `state` and still loaded, as one transaction;
/// then forgets them.
pub fn revert(kernel: &mut dyn AuditControl, state: &Path, native: Arch) -> Result<RevertReport, FixError> {
    if kernel.status()?.is_locked() {
        return Err(FixError::Locked("revert"));
    }
    let recorded = read_state(state)?;
    if recorded.is_empty() {
        return Ok(RevertReport::default());
    }
    let loaded: Vec<(String, Rule)> = kernel
        .list_rules()?
        .into_iter()
        .map(|r| (String::from_utf8_lossy(&text::to_text(&r, native)).into_owned(), r))
        .collect();
    let mut report = RevertReport::default();
    let mut lines = Vec::new();
    for (i, wanted) in recorded.iter().enumerate() {
        match loaded.iter().find(|(t, _)| t == wanted) {
            Some((_, rule)) if !report.removed.contains(wanted) => {
                report.removed.push(wanted.clone());
                lines.push(Line {
                    origin: Origin { file: state.display().to_string(), line: i + 2 },
                    entry: Entry::Rule { op: RuleOp::Delete, rule: rule.clone() },
                    warnings: Vec::new(),
                });
            }
            Some(_) => {}
            None => report.gone.push(wanted.clone()),
        }
    }
    persist::load(kernel, &lines).map_err(from_load("revert"))?;
    match std::fs::remove_file(state) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(FixError::State {
                path: state.display().to_string(),
                source: e,
                rollback: "the rules were removed, but the record remains; a later --revert finds them gone".into(),
            })
        }
        _ => {}
    }
    Ok(report)
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod layouts_tests;
