//! `dockaudit fix`: the rules that turn failing controls into passes; printed,
//! written, applied or reverted.

use std::path::Path;

use super::check::{offline_rules, with_discovery};
use super::{drop_all_privileges, open_client, CommandError, Output};
use crate::fix::{self, FixAction, FixError, Plan};
use crate::host::HostFs;
use crate::judge::{self, Options};
use crate::kernel::AuditClient;
use crate::persist;
use crate::rules_file::Resolver;

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

/// `rules.d` under `root`, if `file` is directly in it: its name there, which the
/// judged rule set must leave out (the file is about to be replaced).
fn name_in_rules_d(file: &Path, root: &Path) -> Option<String> {
    let dir = std::fs::canonicalize(file.parent()?).ok()?;
    let rules_d = std::fs::canonicalize(root.join("etc/audit/rules.d")).ok()?;
    (dir == rules_d).then(|| file.file_name().map(|n| n.to_string_lossy().into_owned())).flatten()
}

/// `dockaudit fix`: the output, with findings when a control no added rule can fix
/// (exit 1). Printing judges the kernel's rules, or offline the files (`root`,
/// `rule_files`); `--write` judges what boot loads without the file it writes, so a
/// second run writes the same bytes whether or not the first one's rules are loaded.
pub fn fix(
    opts: &Options,
    root: Option<&Path>,
    rule_files: &[String],
    mode: &FixMode,
    state: &Path,
) -> Result<Output, CommandError> {
    judge::select(opts)?;
    let offline = root.is_some() || !rule_files.is_empty();
    match mode {
        FixMode::Apply | FixMode::Revert if offline => Err(CommandError::Usage(
            "--apply and --revert change the running kernel; --root and --rules judge files and cannot be combined with them".into(),
        )),
        FixMode::Print if !offline => print_for_kernel(opts),
        FixMode::Print | FixMode::Write(_) => from_files(opts, root.unwrap_or(Path::new("/")), rule_files, mode),
        FixMode::Apply => apply(opts, state),
        FixMode::Revert => revert(state),
    }
}

/// The plan for rule files (offline, or what boot loads), printed or written.
fn from_files(opts: &Options, root: &Path, rule_files: &[String], mode: &FixMode) -> Result<Output, CommandError> {
    drop_all_privileges()?;
    let opts = &with_discovery(opts, root, false);
    let disk = match mode {
        FixMode::Write(file) if rule_files.is_empty() => {
            let skip = name_in_rules_d(file, root);
            if skip.as_ref().is_some_and(|n| !n.ends_with(".rules") || n.starts_with('.')) {
                return Err(CommandError::Usage(format!(
                    "{}: augenrules only loads rules.d files whose names end in .rules and do not start with a dot",
                    file.display()
                )));
            }
            persist::persistent_rules_as(root, skip.as_deref(), opts.native)
                .map_err(|e| CommandError::Input(e.to_string()))?
        }
        _ => offline_rules(root, rule_files, opts.native)?,
    };
    let resolver = Resolver::new(root).with_arch(opts.native);
    let plan = fix::plan(&disk.plain_rules(), None, &HostFs::new(root), opts, &resolver)?;
    let text = fix::render(&plan);
    let FixMode::Write(file) = mode else {
        return Ok(Output::with_findings(text.into_bytes(), plan.has_manual()));
    };
    let changed = fix::write_atomic(file, text.as_bytes(), fix::RULES_FILE_MODE)
        .map_err(|source| CommandError::Write { path: file.display().to_string(), source })?;
    let mut out = if changed {
        format!("wrote {}: {} rule(s) for {} control(s)\n", file.display(), plan.rules().count(), plan.fixes.len())
    } else {
        format!("{} is up to date ({} rule(s)); not rewritten\n", file.display(), plan.rules().count())
    };
    out.push_str(&manual_summary(&plan));
    Ok(Output::with_findings(out.into_bytes(), plan.has_manual()))
}

/// The kernel's rules and status, and the plan that fixes them. `apply_verb` refuses a
/// locked kernel before its rules are read.
fn kernel_plan(opts: &Options, apply_verb: Option<&'static str>) -> Result<(AuditClient, Plan), CommandError> {
    // Before the drop: discovery reads the daemons' `/proc/PID/exe` (see `check`).
    let opts = &with_discovery(opts, Path::new("/"), true);
    let mut client = open_client()?;
    let status = client.status()?;
    if let Some(verb) = apply_verb.filter(|_| status.is_locked()) {
        return Err(FixError::Locked(verb).into());
    }
    let rules = client.list_rules()?;
    let resolver = Resolver::new("/").with_features(status.feature_bitmap.unwrap_or(0));
    let plan = fix::plan(&rules, Some(&status), &HostFs::new("/"), opts, &resolver)?;
    Ok((client, plan))
}

fn print_for_kernel(opts: &Options) -> Result<Output, CommandError> {
    let (_, plan) = kernel_plan(opts, None)?;
    Ok(Output::with_findings(fix::render(&plan).into_bytes(), plan.has_manual()))
}

fn apply(opts: &Options, state: &Path) -> Result<Output, CommandError> {
    let (mut client, plan) = kernel_plan(opts, Some("apply"))?;
    let report = fix::apply(&mut client, &plan, state, crate::kernel::running_native().0)?;
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
    Ok(Output::with_findings(out.into_bytes(), plan.has_manual()))
}

fn revert(state: &Path) -> Result<Output, CommandError> {
    let mut client = open_client()?;
    // Rules are matched by their listed text, in the running kernel's syscall names.
    let report = fix::revert(&mut client, state, crate::kernel::running_native().0)?;
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
    Ok(Output::clean(out.into_bytes()))
}

fn manual_summary(plan: &Plan) -> String {
    let manual: Vec<String> = plan
        .fixes
        .iter()
        .filter(|f| matches!(f.action, FixAction::Manual { .. }))
        .map(|f| format!("{} ({})", f.id, f.path))
        .collect();
    if manual.is_empty() {
        String::new()
    } else {
        format!("cannot be fixed by adding a rule (see `dockaudit fix`): {}\n", manual.join(", "))
    }
}
