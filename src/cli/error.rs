//! The one error a command returns, and the one place its exit code is decided.

use crate::events::EventsError;
use crate::fix::FixError;
use crate::judge::UnknownControl;
use crate::kernel::Error;
use crate::persist::LoadError;
use crate::rules_file::ParseError;

/// Why a command produced no output (or undid what it did). Every message says what
/// went wrong and, where a person can act, what to do.
#[allow(missing_docs)] // each variant's #[error] text is its documentation
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The kernel's audit state could not be read or changed, or privileges not dropped.
    #[error(transparent)]
    Audit(#[from] Error),
    /// `--only`/`--skip` named a control the benchmark does not have.
    #[error(transparent)]
    UnknownControl(#[from] UnknownControl),
    /// A rule file or root given for offline judging cannot be read.
    #[error("{0}")]
    Input(String),
    /// A rule file given to `load` cannot be read.
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
    /// A rule file given to `load` does not parse.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// `load` was refused (and rolled back) or could not reach the kernel.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// `fix --apply`/`--revert` was refused (and rolled back).
    #[error(transparent)]
    Fix(#[from] FixError),
    /// Flags that contradict each other.
    #[error("{0}")]
    Usage(String),
    /// `events` was given an input it cannot read or a selector it cannot use.
    #[error(transparent)]
    Events(#[from] EventsError),
    /// `fix --write` could not write its file.
    #[error("cannot write {path}: {source} (nothing was changed)")]
    Write { path: String, source: std::io::Error },
}

impl super::Outcome {
    /// The exit code of a command that ran to its end (the table is `args::EXIT_CODES`).
    pub fn exit_code(self) -> u8 {
        match self {
            super::Outcome::Clean => 0,
            super::Outcome::Findings | super::Outcome::NoMatch => 1,
        }
    }
}

impl CommandError {
    /// The exit code (the table is `args::EXIT_CODES`): 3 when the audit state could not
    /// be read or changed for want of access, 2 for input that cannot be used, 1 when
    /// the kernel refused a change (rolled back) or a file cannot be written.
    pub fn exit_code(&self) -> u8 {
        match self {
            CommandError::Audit(_)
            | CommandError::Load(LoadError::Kernel(_))
            | CommandError::Fix(FixError::Kernel(_) | FixError::Load(LoadError::Kernel(_))) => 3,
            CommandError::UnknownControl(_)
            | CommandError::Input(_)
            | CommandError::Read { .. }
            | CommandError::Parse(_)
            | CommandError::Load(LoadError::Parse(_))
            | CommandError::Usage(_)
            | CommandError::Events(_) => 2,
            CommandError::Load(_) | CommandError::Fix(_) | CommandError::Write { .. } => 1,
        }
    }
}
