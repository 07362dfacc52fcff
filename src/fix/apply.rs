//! Writing a plan's rules file atomically, and `--apply`/`--revert` over
//! [`AuditControl`] with the state file of what was added (see the module doc of `fix`).

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::{lines, Plan};
use crate::kernel::{AuditControl, Error};
use crate::persist::{self, LoadError};
use crate::rule::syscalls::Arch;
use crate::rule::{text, Rule};
use crate::rules_file::{Entry, Line, Origin, RuleOp};

/// Where `--apply` records what it added, unless told otherwise (`--state`).
pub const DEFAULT_STATE: &str = "/run/dockaudit/applied.rules";
/// The mode of a written rules file when it does not exist yet, as rules.d files have.
pub const RULES_FILE_MODE: u32 = 0o640;

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

pub(super) const STATE_HEADER: &str =
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
