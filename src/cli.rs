//! The commands behind the binary, as functions that return their output, so the
//! binary stays a thin shell and the tests can call them.

use std::path::Path;

use crate::boot;
use crate::error::CheckError;
use crate::evaluate::{self, Evaluation, Options};
use crate::filesystem::HostFs;
use crate::netlink::Dumped;
use crate::persistent::{self, RuleSet};
use crate::privilege::{self, Keep};
use crate::report::{self, inventory, Format};
use crate::rule::{text, Rule};
use crate::rules_file::Resolver;
use crate::syscalls::Arch;
use crate::{AuditClient, Error};

/// The audit socket, after which the process keeps CAP_AUDIT_CONTROL and nothing else.
fn open_client() -> Result<AuditClient, Error> {
    let client = AuditClient::open()?;
    privilege::drop_privileges(Keep::AuditControl).map_err(Error::DropPrivileges)?;
    Ok(client)
}

/// `dockaudit list`.
pub fn list(key: Option<&str>, json: bool) -> Result<Vec<u8>, Error> {
    let mut client = open_client()?;
    let native = Arch::native();
    if json {
        return Ok(render_list(&client.list_rules()?, key, json, native));
    }
    // Each rule is rendered as it arrives and not kept: 10,000 rules cost about
    // 1 MB of text rather than 5 MB of decoded rules.
    let mut out = Vec::new();
    let mut any = false;
    client.stream_rules(|dumped| match dumped {
        Dumped::Rule(rule) => {
            any = true;
            write_listed(&mut out, &rule, key, native);
        }
        Dumped::Restart => {
            any = false;
            out.clear();
        }
    })?;
    if !any {
        text::write_listing(&mut out, &[], native);
    }
    Ok(out)
}

/// Rendering split from reading so captured rules can be rendered in tests.
pub fn render_list(rules: &[Rule], key: Option<&str>, json: bool, native: Arch) -> Vec<u8> {
    if json {
        let selected: Vec<&Rule> = rules.iter().filter(|rule| key.is_none_or(|k| has_key(rule, k))).collect();
        return inventory::rules_json(&selected, native).into_bytes();
    }
    let mut out = Vec::with_capacity(rules.len() * 96);
    if rules.is_empty() {
        // auditctl says so only when the kernel has no rules at all, not when a
        // key matched none.
        text::write_listing(&mut out, &[], native);
    }
    for rule in rules {
        write_listed(&mut out, rule, key, native);
    }
    out
}

/// One line of `list`, if `-k` selects the rule.
fn write_listed(out: &mut Vec<u8>, rule: &Rule, key: Option<&str>, native: Arch) {
    if key.is_none_or(|k| has_key(rule, k)) {
        text::write_rule(out, rule, native);
        out.push(b'\n');
    }
}

/// auditctl's `-k` match: the key is a substring of one of the rule's keys.
fn has_key(rule: &Rule, wanted: &str) -> bool {
    let wanted = wanted.as_bytes();
    rule.keys().any(|key| wanted.is_empty() || key.windows(wanted.len()).any(|w| w == wanted))
}

/// `dockaudit status`.
pub fn status(json: bool) -> Result<Vec<u8>, Error> {
    let mut client = open_client()?;
    let status = client.status()?;
    // Kernels before 3.19 have no AUDIT_GET_FEATURE; auditctl then prints no line.
    let features = match client.features() {
        Ok(features) => Some(features),
        Err(Error::Kernel { .. }) => None,
        Err(other) => return Err(other),
    };
    Ok(if json {
        inventory::status_json(&status, features.as_ref()).into_bytes()
    } else {
        crate::status::to_auditctl_text(&status, features.as_ref()).into_bytes()
    })
}

/// `dockaudit check`: reads the kernel's rules and status, judges them against the
/// catalog with the filesystem under `root`, and returns the report and whether it has
/// findings (exit 1).
pub fn check(opts: &Options, root: &Path, format: Format, color: bool) -> Result<(Vec<u8>, bool), CheckError> {
    // Unknown ids are a usage error: say so before asking the kernel anything.
    evaluate::select(opts)?;
    // The filesystem is read after the drop too: Docker's paths are root's, and uid 0
    // stays, so owner permissions still let us stat them.
    let mut client = open_client()?;
    let status = client.status()?;
    let rules = client.list_rules()?;
    let mut eval = evaluate::evaluate(&rules, Some(&status), &HostFs::new(root), opts)?;
    add_persistence(&mut eval, &rules, root, opts.native);
    Ok(render_check(&eval, format, color))
}

/// Joins a kernel evaluation with the rule files `root` loads at boot: each control's
/// persistence and the `persistent-rules` and `rule-files` host checks. Unreadable
/// rule files are a host check in error, not a failed command: the kernel's verdicts
/// stand on their own.
pub fn add_persistence(eval: &mut Evaluation, kernel: &[Rule], root: &Path, native: Arch) {
    match persistent::persistent_rules(root) {
        Ok(disk) => {
            boot::annotate(eval, &disk, native);
            let drift = boot::drift_check(eval, kernel, &disk, native);
            eval.host.push(drift);
            eval.host.push(boot::load_check(&disk));
        }
        Err(e) => eval.host.push(evaluate::HostCheck {
            id: "persistent-rules",
            title: "Loaded rules match the persistent rule files",
            status: evaluate::Verdict::Error,
            reasons: vec![e.to_string()],
        }),
    }
}

/// The rules judged offline: the given rule files read like `auditctl -R`, or else the
/// rule files `root` loads at boot.
pub fn offline_rules(root: &Path, rule_files: &[String]) -> Result<RuleSet, CheckError> {
    if rule_files.is_empty() {
        return persistent::persistent_rules(root).map_err(|e| CheckError::Input(e.to_string()));
    }
    let mut files = Vec::new();
    for path in rule_files {
        let text = if path == "-" {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                .map_err(|e| CheckError::Input(format!("cannot read <stdin>: {e}")))?;
            text
        } else {
            std::fs::read(path)
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .map_err(|e| CheckError::Input(format!("cannot read {path}: {e}")))?
        };
        files.push((if path == "-" { "<stdin>".to_string() } else { path.clone() }, text));
    }
    Ok(persistent::rules_from_files(&files, &Resolver::new(root)))
}

/// Offline judging without dropping privileges (the caller decides): rules from files,
/// applicability from the files under `root`, host checks from the files' control lines.
pub fn offline_evaluation(opts: &Options, root: &Path, rule_files: &[String]) -> Result<Evaluation, CheckError> {
    evaluate::select(opts)?;
    let disk = offline_rules(root, rule_files)?;
    let mut eval = evaluate::evaluate(&disk.plain_rules(), None, &HostFs::new(root), opts)?;
    boot::annotate(&mut eval, &disk, opts.native);
    eval.host = boot::offline_host_checks(&disk);
    Ok(eval)
}

/// `dockaudit check --root DIR` / `--rules FILE`: no kernel, no capability. Every
/// capability is dropped before a file is read; the audit socket is never opened.
pub fn check_offline(
    opts: &Options,
    root: &Path,
    rule_files: &[String],
    format: Format,
    color: bool,
) -> Result<(Vec<u8>, bool), CheckError> {
    privilege::drop_privileges(Keep::Nothing).map_err(|e| CheckError::Audit(Error::DropPrivileges(e)))?;
    let eval = offline_evaluation(opts, root, rule_files)?;
    Ok(render_check(&eval, format, color))
}

pub fn render_check(eval: &Evaluation, format: Format, color: bool) -> (Vec<u8>, bool) {
    (report::render(eval, format, color).into_bytes(), eval.has_findings())
}

/// Why `dockaudit load` did nothing (or undid what it did).
#[derive(Debug, thiserror::Error)]
pub enum LoadCommandError {
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error(transparent)]
    Parse(#[from] crate::rules_file::ParseError),
    #[error(transparent)]
    Load(#[from] crate::load::LoadError),
    #[error(transparent)]
    Privileges(Error),
}

impl LoadCommandError {
    /// 2 for input that cannot be used, 3 when the kernel cannot be talked to, and 1
    /// when the kernel refused the rules (everything was rolled back).
    pub fn exit_code(&self) -> u8 {
        use crate::load::LoadError;
        match self {
            LoadCommandError::Read { .. } | LoadCommandError::Parse(_) => 2,
            LoadCommandError::Load(LoadError::Kernel(_)) | LoadCommandError::Privileges(_) => 3,
            LoadCommandError::Load(_) => 1,
        }
    }
}

/// Reads and parses rule files (`-` is standard input) in the order given.
pub fn parse_rule_files(
    paths: &[String],
    resolver: &crate::rules_file::Resolver,
) -> Result<Vec<crate::rules_file::Line>, LoadCommandError> {
    let mut lines = Vec::new();
    for path in paths {
        let (name, text) = if path == "-" {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                .map_err(|source| LoadCommandError::Read { path: "<stdin>".into(), source })?;
            ("<stdin>".to_string(), text)
        } else {
            let text = std::fs::read_to_string(path)
                .map_err(|source| LoadCommandError::Read { path: path.clone(), source })?;
            (path.clone(), text)
        };
        lines.extend(crate::rules_file::parse(&text, &name, resolver)?);
    }
    Ok(lines)
}

/// `dockaudit load FILE... [--dry-run]`: like `auditctl -R` for each file, as one
/// transaction. A dry run parses, needs no privilege, and prints what would be sent.
pub fn load(paths: &[String], dry_run: bool) -> Result<Vec<u8>, LoadCommandError> {
    use crate::rules_file::{Entry, Resolver, RuleOp};
    let native = Arch::native();
    if dry_run {
        // Offline work holds no capability at all.
        privilege::drop_privileges(Keep::Nothing)
            .map_err(|e| LoadCommandError::Privileges(Error::DropPrivileges(e)))?;
        let lines = parse_rule_files(paths, &Resolver::new("/"))?;
        let mut out = Vec::new();
        for line in &lines {
            out.extend_from_slice(format!("{}: ", line.origin).as_bytes());
            match &line.entry {
                Entry::Rule { op, rule } => {
                    out.extend_from_slice(match op {
                        RuleOp::Append => b"add ",
                        RuleOp::Prepend => b"add first ",
                        RuleOp::Delete => b"delete ",
                    });
                    text::write_rule(&mut out, rule, native);
                }
                Entry::Control(control) => out.extend_from_slice(format!("{control:?}").as_bytes()),
            }
            out.push(b'\n');
            for warning in &line.warnings {
                out.extend_from_slice(format!("{}: warning: {warning}\n", line.origin).as_bytes());
            }
        }
        return Ok(out);
    }
    let kernel = |e: Error| LoadCommandError::Load(crate::load::LoadError::Kernel(e));
    let mut client = AuditClient::open().map_err(kernel)?;
    let status = client.status().map_err(kernel)?;
    // Files are read and watched paths stat'ed with the caller's privileges, as
    // auditctl does; only then is everything but CAP_AUDIT_CONTROL dropped.
    let resolver = Resolver::new("/").with_features(status.feature_bitmap.unwrap_or(0));
    let lines = parse_rule_files(paths, &resolver)?;
    privilege::drop_privileges(Keep::AuditControl).map_err(|e| kernel(Error::DropPrivileges(e)))?;
    let report = crate::load::load(&mut client, &lines)?;
    let mut out = String::new();
    for note in &report.notes {
        out.push_str(note);
        out.push('\n');
    }
    out.push_str(&format!(
        "loaded {}: {} rules added, {} deleted, {} settings changed\n",
        paths.join(" "),
        report.added,
        report.deleted,
        report.settings
    ));
    Ok(out.into_bytes())
}

/// What `dockaudit fix` does with its plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FixMode {
    /// Print the rules.
    Print,
    /// Write them as a rules file, atomically.
    Write(std::path::PathBuf),
    /// Load them into the kernel, all or nothing, and record what was added.
    Apply,
    /// Remove what `Apply` recorded.
    Revert,
}

/// Why `dockaudit fix` did nothing (or undid what it did).
#[derive(Debug, thiserror::Error)]
pub enum FixCommandError {
    #[error(transparent)]
    Check(#[from] CheckError),
    #[error(transparent)]
    Fix(#[from] crate::fix::FixError),
    #[error("{0}")]
    Usage(String),
    #[error("cannot write {path}: {source} (nothing was changed)")]
    Write { path: String, source: std::io::Error },
}

impl From<Error> for FixCommandError {
    fn from(e: Error) -> FixCommandError {
        FixCommandError::Check(CheckError::Audit(e))
    }
}

impl From<evaluate::UnknownControl> for FixCommandError {
    fn from(e: evaluate::UnknownControl) -> FixCommandError {
        FixCommandError::Check(CheckError::UnknownControl(e))
    }
}

impl FixCommandError {
    pub fn exit_code(&self) -> u8 {
        match self {
            FixCommandError::Check(e) => e.exit_code(),
            FixCommandError::Fix(e) => e.exit_code(),
            FixCommandError::Usage(_) => 2,
            FixCommandError::Write { .. } => 1,
        }
    }
}

/// `rules.d` under `root`, if `file` is directly in it: its name there, which the
/// judged rule set must leave out (the file is about to be replaced).
fn name_in_rules_d(file: &Path, root: &Path) -> Option<String> {
    let dir = std::fs::canonicalize(file.parent()?).ok()?;
    let rules_d = std::fs::canonicalize(root.join("etc/audit/rules.d")).ok()?;
    (dir == rules_d).then(|| file.file_name().map(|n| n.to_string_lossy().into_owned())).flatten()
}

/// `dockaudit fix`: returns the output and whether to exit 1 (a control no added rule
/// can fix). Printing judges the kernel's rules, or offline the files (`root`,
/// `rule_files`); `--write` judges what boot loads without the file it writes, so a
/// second run writes the same bytes whether or not the first one's rules are loaded.
pub fn fix(
    opts: &Options,
    root: Option<&Path>,
    rule_files: &[String],
    mode: &FixMode,
    state: &Path,
) -> Result<(Vec<u8>, bool), FixCommandError> {
    use crate::fix;
    evaluate::select(opts).map_err(CheckError::from)?;
    let offline = root.is_some() || !rule_files.is_empty();
    if offline && matches!(mode, FixMode::Apply | FixMode::Revert) {
        return Err(FixCommandError::Usage(
            "--apply and --revert change the running kernel; --root and --rules judge files and cannot be combined with them".into(),
        ));
    }
    let native = opts.native;
    match mode {
        FixMode::Print | FixMode::Write(_) if offline || matches!(mode, FixMode::Write(_)) => {
            privilege::drop_privileges(Keep::Nothing).map_err(|e| CheckError::Audit(Error::DropPrivileges(e)))?;
            let root = root.unwrap_or(Path::new("/"));
            let disk = match mode {
                FixMode::Write(file) if rule_files.is_empty() => {
                    let skip = name_in_rules_d(file, root);
                    if skip.as_ref().is_some_and(|n| !n.ends_with(".rules") || n.starts_with('.')) {
                        return Err(FixCommandError::Usage(format!(
                            "{}: augenrules only loads rules.d files whose names end in .rules and do not start with a dot",
                            file.display()
                        )));
                    }
                    persistent::persistent_rules_without(root, skip.as_deref())
                        .map_err(|e| CheckError::Input(e.to_string()))?
                }
                _ => offline_rules(root, rule_files)?,
            };
            let plan = fix::plan(&disk.plain_rules(), None, &HostFs::new(root), opts, &Resolver::new(root))?;
            let text = fix::render(&plan);
            let FixMode::Write(file) = mode else {
                return Ok((text.into_bytes(), plan.has_manual()));
            };
            let changed = fix::write_atomic(file, text.as_bytes(), fix::RULES_FILE_MODE)
                .map_err(|source| FixCommandError::Write { path: file.display().to_string(), source })?;
            let mut out = if changed {
                format!(
                    "wrote {}: {} rule(s) for {} control(s)\n",
                    file.display(),
                    plan.rules().count(),
                    plan.fixes.len()
                )
            } else {
                format!("{} is up to date ({} rule(s)); not rewritten\n", file.display(), plan.rules().count())
            };
            out.push_str(&manual_summary(&plan));
            Ok((out.into_bytes(), plan.has_manual()))
        }
        FixMode::Print | FixMode::Write(_) => {
            let mut client = open_client()?;
            let status = client.status()?;
            let rules = client.list_rules()?;
            let resolver = Resolver::new("/").with_features(status.feature_bitmap.unwrap_or(0));
            let plan = fix::plan(&rules, Some(&status), &HostFs::new("/"), opts, &resolver)?;
            Ok((fix::render(&plan).into_bytes(), plan.has_manual()))
        }
        FixMode::Apply => {
            let mut client = open_client()?;
            let status = client.status()?;
            if status.enabled == 2 {
                return Err(fix::FixError::Locked("apply").into());
            }
            let rules = client.list_rules()?;
            let resolver = Resolver::new("/").with_features(status.feature_bitmap.unwrap_or(0));
            let plan = fix::plan(&rules, Some(&status), &HostFs::new("/"), opts, &resolver)?;
            let report = fix::apply(&mut client, &plan, state, native)?;
            let mut out = String::new();
            for note in &plan.notes {
                out.push_str(&format!("note: {note}\n"));
            }
            if report.added.is_empty() && plan.fixes.is_empty() {
                out.push_str("nothing to apply: every applicable control passes\n");
            } else if report.added.is_empty() {
                out.push_str("nothing to apply: no failing control can be fixed by adding a rule\n");
            } else {
                out.push_str(&format!(
                    "added {} rule(s) to the kernel (recorded in {}; `dockaudit fix --revert` removes them):\n",
                    report.added.len(),
                    state.display()
                ));
                for r in &report.added {
                    out.push_str(&format!("  {r}\n"));
                }
                out.push_str("they are not persistent: `dockaudit fix --write /etc/audit/rules.d/50-docker.rules` keeps them across reboots\n");
            }
            out.push_str(&manual_summary(&plan));
            Ok((out.into_bytes(), plan.has_manual()))
        }
        FixMode::Revert => {
            let mut client = open_client()?;
            let report = fix::revert(&mut client, state, native)?;
            let mut out = String::new();
            if report.removed.is_empty() && report.gone.is_empty() {
                out.push_str(&format!("nothing to revert: {} records no rules added by --apply\n", state.display()));
            }
            if !report.removed.is_empty() {
                out.push_str(&format!("removed the {} rule(s) --apply had added:\n", report.removed.len()));
                for r in &report.removed {
                    out.push_str(&format!("  {r}\n"));
                }
            }
            for r in &report.gone {
                out.push_str(&format!("already gone (deleted by someone else): {r}\n"));
            }
            Ok((out.into_bytes(), false))
        }
    }
}

fn manual_summary(plan: &crate::fix::Plan) -> String {
    let manual: Vec<String> = plan
        .fixes
        .iter()
        .filter(|f| matches!(f.action, crate::fix::FixAction::Manual { .. }))
        .map(|f| format!("{} ({})", f.id, f.path))
        .collect();
    if manual.is_empty() {
        String::new()
    } else {
        format!("cannot be fixed by adding a rule (see `dockaudit fix`): {}\n", manual.join(", "))
    }
}

/// `dockaudit events`: drops every capability, reads the inputs, writes the selected
/// events to `out` and problems to `err`; returns the exit code (0 found, 1 none, 2 a
/// usage error or an input that cannot be read).
pub fn events(args: &crate::args::EventsArgs, out: &mut dyn std::io::Write, err: &mut dyn std::io::Write) -> u8 {
    use crate::events::{self, EventsError, Input, Options, Query};
    let run = |out: &mut dyn std::io::Write| -> Result<events::Summary, EventsError> {
        privilege::drop_privileges(Keep::Nothing).map_err(EventsError::Privileges)?;
        let options = Options::for_root(args.format.into(), &args.root);
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
        let query = Query {
            key: args.key.clone(),
            exact: args.word,
            path: args.path.clone(),
            exe: args.exe.clone(),
            pid: args.pid,
            uid: args.uid.as_deref().map(|u| events::user_filter(u, &options.names)).transpose()?,
            auid: args.auid.as_deref().map(|u| events::user_filter(u, &options.names)).transpose()?,
            syscall: args.syscall.as_deref().map(events::syscall_filter).transpose()?,
            success: args.success.as_deref().map(events::success_filter).transpose()?,
            start: args.start.as_deref().map(|t| events::parse_time(t, false, now)).transpose()?,
            end: args.end.as_deref().map(|t| events::parse_time(t, true, now)).transpose()?,
        };
        let inputs: Vec<Input> = args.input.iter().map(|i| Input::from_arg(i)).collect();
        let sources = events::resolve(&args.root, &inputs)?;
        events::search(&query, &sources, &options, out)
    };
    match run(out) {
        Ok(summary) => {
            for malformed in &summary.malformed_lines {
                let _ = writeln!(err, "dockaudit: {malformed}");
            }
            let more = summary.malformed - summary.malformed_lines.len() as u64;
            if more > 0 {
                let _ = writeln!(err, "dockaudit: {more} more malformed line(s) skipped");
            }
            if summary.selected == 0 {
                let _ = writeln!(err, "<no matches>");
                1
            } else {
                0
            }
        }
        // `dockaudit events | head`: a closed pipe is not an error worth a message.
        Err(EventsError::Write(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(error) => {
            let _ = writeln!(err, "dockaudit: {error}");
            error.exit_code()
        }
    }
}
