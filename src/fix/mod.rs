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
//!   the `never` rule it overrides.
//! - A rule that is already there is never proposed again. Where the CIS rule is
//!   loaded but an earlier `never` rule shadows it, the plan prepends it, split by arch
//!   (`-F arch=b64` and `-F arch=b32`, the ABIs the judge demands: `b64` alone where the
//!   kernel has no compat ABI, e.g. arm64 without `CONFIG_COMPAT`), which records the
//!   same events. Unsplit, `-A always,exit -F dir=X -F perm=rwxa -k docker` would load
//!   an exact duplicate of the loaded `-w X -p rwxa -k docker`: the kernel compares a
//!   new `-A` rule with its flag still set against stored rules whose flag it cleared,
//!   so `-A` never meets `EEXIST` (`audit_add_rule`; the VM scenario
//!   `kernel-prepend-skips-the-duplicate-check`), and nothing tells the two apart
//!   afterwards: not `auditctl -l`, not a delete, not `--revert`, which finds what it
//!   added by its listed text. Split, the added rules are rules of their own. The
//!   loaded rule stays where it is (`--apply` only adds, `--revert` only deletes what
//!   it added).
//! - If even the prepended rule fails (an exclude rule dropping SYSCALL records, a
//!   filesystem excluded, an unreadable path) the control is left to a person: a
//!   comment says why, no rule is emitted, and the exit code is 1.
//! - With audit disabled (`enabled 0`) the plan is made as if it were enabled (a
//!   header line says that rules alone record nothing until `-e 1`).
//! - `--apply` records every rule it added in a state file under /run (tmpfs: it ends
//!   with the boot whose kernel rules it describes). `--revert` deletes exactly the
//!   recorded rules that are still loaded, matched by their `auditctl -l` text, and
//!   nothing else. Rules the user had before are never recorded: `--apply` only adds
//!   rules the kernel does not hold (the kernel refuses a duplicate, and the load is
//!   then rolled back).

use std::path::Path;

use crate::host::{resolve, Filesystem, Resolved};
use crate::judge::{evaluate, Benchmark, ControlVerdict, Evaluation, Options, Remediation, UnknownControl, Verdict};
use crate::kernel::Status;
use crate::persist::same_rule;
use crate::rule::{FieldType, Rule};
use crate::rules_file::{self, Entry, Line, Origin, Resolver, RuleOp};

mod apply;

pub use apply::{apply, revert, write_atomic, ApplyReport, FixError, RevertReport, DEFAULT_STATE, RULES_FILE_MODE};

/// What the plan does for one control.
// A plan holds one per control: a few dozen at most, not worth a box per rule.
#[allow(clippy::large_enum_variant)]
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
        /// The rules as written (`-A always,exit -F path=… -F perm=… -k docker`), in
        /// load order: one, or one per arch where the kernel holds the unsplit rule.
        lines: Vec<String>,
        /// `lines` parsed, as they are loaded and judged.
        rules: Vec<Rule>,
        /// The loaded `-a never,…` rules, in `auditctl -l` form, that suppress the appended rule.
        never: Vec<String>,
        /// The CIS rule as the plan would append it, when it is loaded already (and
        /// shadowed): the reason the prepended rule is split by arch (unsplit, `-A` would
        /// load a duplicate of it).
        already: Option<String>,
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
        self.fixes.iter().flat_map(|f| {
            let (rules, prepend): (&[Rule], bool) = match &f.action {
                FixAction::Append { rule, .. } => (std::slice::from_ref(rule), false),
                FixAction::Prepend { rules, .. } => (rules, true),
                FixAction::Manual { .. } => (&[], false),
            };
            rules.iter().map(move |r| (f, r, prepend))
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
            // Loaded but shadowed: appending it again is what the kernel refuses.
            Some(rule) if rules.iter().any(|r| same_rule(r, &rule)) && shadowed(c) => {
                let dir = rule.field(FieldType::DIR).is_some();
                let prepend = Prepend { path: &path, letters: perm_letters(remediation(c.id)), dir };
                prepend.action(rules, never_rules(c), Some(line), opts, resolver)
            }
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
        // Each `-A` goes to the head of the list: the last loaded comes first.
        for f in fixes.iter().rev() {
            if let FixAction::Prepend { rules, .. } = &f.action {
                all.extend(rules.iter().rev().cloned());
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
        let dir = rule.field(FieldType::DIR).is_some();
        let prepend = Prepend { path: &f.path, letters: perm_letters(remediation(f.id)), dir };
        f.action = prepend.action(rules, never_rules(&verdict), None, opts, resolver);
    }
    let after = judge(&with(&fixes))?;
    for f in &mut fixes {
        if matches!(f.action, FixAction::Manual { .. }) {
            continue;
        }
        if let Some(control) = still_failing(&after, f.id) {
            let already = match &f.action {
                FixAction::Prepend { already: Some(line), .. } => Some(format!("`{line}` is there already;")),
                _ => None,
            };
            f.action = FixAction::Manual {
                why: already
                    .into_iter()
                    .chain(std::iter::once(format!(
                        "even with the CIS rule added first it is {}",
                        control.verdict.as_str()
                    )))
                    .chain(control.reasons)
                    .collect(),
            };
        }
    }
    Ok(Plan { benchmark: opts.benchmark, notes, fixes })
}

/// A control's verdict cites a `never` rule: prepending may beat it.
fn shadowed(c: &ControlVerdict) -> bool {
    !never_rules(c).is_empty()
}

/// The `never` rules a verdict cites, in `auditctl -l` form.
fn never_rules(c: &ControlVerdict) -> Vec<String> {
    c.rules.iter().filter(|r| r.starts_with("-a never,")).cloned().collect()
}

/// The CIS rule of one control in the form that can be prepended.
struct Prepend<'p> {
    path: &'p str,
    letters: &'static str,
    /// A tree watch (`-F dir=`), else a watch (`-F path=`).
    dir: bool,
}

impl Prepend<'_> {
    fn line(&self, arch: Option<&str>) -> String {
        let field = if self.dir { "dir" } else { "path" };
        let arch = arch.map(|a| format!("-F arch={a} ")).unwrap_or_default();
        format!("-A always,exit {arch}-F {field}={} -F perm={} -k docker", self.path, self.letters)
    }

    /// One `-A` rule, or one per arch where a loaded rule is the unsplit one (which
    /// `-A` would duplicate, see the module doc); `Manual` where those are loaded too or
    /// a line cannot be parsed.
    fn action(
        &self,
        loaded: &[Rule],
        never: Vec<String>,
        already: Option<String>,
        opts: &Options,
        resolver: &Resolver,
    ) -> FixAction {
        let held = |rule: &Rule| loaded.iter().any(|r| same_rule(r, rule));
        let whole = self.line(None);
        let lines = match parse_rule(&whole, resolver) {
            None => return FixAction::Manual { why: vec![format!("`{whole}` cannot be parsed here")] },
            Some(rule) if !held(&rule) => {
                return FixAction::Prepend { lines: vec![whole], rules: vec![rule], never, already }
            }
            // The arches the judge demands: the native ABI, and its 32-bit compat one
            // where the kernel has it (none on an arm64 kernel built without COMPAT).
            Some(_) if opts.native.is_64bit() && opts.compat.assumed() => {
                vec![self.line(Some("b64")), self.line(Some("b32"))]
            }
            Some(_) if opts.native.is_64bit() => vec![self.line(Some("b64"))],
            Some(_) => vec![self.line(Some("b32"))],
        };
        let mut rules = Vec::new();
        for line in &lines {
            match parse_rule(line, resolver) {
                Some(rule) if held(&rule) => {
                    return FixAction::Manual {
                        why: vec![format!(
                            "`{line}` is there already, yet an earlier never rule suppresses it: narrow that rule or move it after the rules it hides"
                        )],
                    }
                }
                Some(rule) => rules.push(rule),
                None => return FixAction::Manual { why: vec![format!("`{line}` cannot be parsed here")] },
            }
        }
        FixAction::Prepend { lines, rules, never, already }
    }
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
            FixAction::Prepend { lines, never, already, .. } => {
                let never = if never.is_empty() {
                    "a never rule".to_string()
                } else {
                    never.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                };
                match already {
                    None => out.push_str(&format!(
                        "# added first (-A): {never} comes earlier and would suppress an appended rule\n"
                    )),
                    Some(line) if lines.len() > 1 => out.push_str(&format!(
                        "# `{line}` is there already, but {never} comes earlier and suppresses it: the same rule added first (-A), \
                         split by arch, as -A would load an exact duplicate of it\n"
                    )),
                    Some(line) => out.push_str(&format!(
                        "# `{line}` is there already, but {never} comes earlier and suppresses it: added first (-A)\n"
                    )),
                }
                for line in lines {
                    out.push_str(line);
                    out.push('\n');
                }
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

#[cfg(test)]
mod tests;

#[cfg(test)]
mod layouts_tests;
