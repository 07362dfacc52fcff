//! The commands behind the binary, one file each, as functions that return their output
//! and whether it holds findings, so `main.rs` stays a thin shell (flags in, bytes and an
//! exit code out) and tests can call them. `args` defines the flags; `CommandError` is
//! the one error every command returns and decides the exit code.

pub mod args;
mod check;
mod error;
mod events;
mod fix;
mod list;
mod load;
mod report;
mod status;

pub use check::{check, check_offline, offline_evaluation};
pub use error::CommandError;
pub use events::events;
pub use fix::{fix, FixMode};
pub use list::{list, render_list};
pub use load::load;
pub use report::report;
pub use status::status;

use crate::kernel::{drop_privileges, AuditClient, Error, Keep};

/// What a command prints, and how it ended.
#[derive(Debug)]
pub struct Output {
    /// Written to stdout as is, whatever the outcome (`events` streams its output
    /// instead and leaves this empty).
    pub bytes: Vec<u8>,
    /// Decides the exit code with [`Outcome::exit_code`].
    pub outcome: Outcome,
}

/// How a command that ran to its end ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing to report (exit 0).
    Clean,
    /// `check` has findings; `fix` has a control no rule can fix (exit 1).
    Findings,
    /// `events` selected no event, as ausearch's `<no matches>` (exit 1).
    NoMatch,
}

impl Output {
    fn clean(bytes: Vec<u8>) -> Output {
        Output { bytes, outcome: Outcome::Clean }
    }

    fn with_findings(bytes: Vec<u8>, findings: bool) -> Output {
        Output { bytes, outcome: if findings { Outcome::Findings } else { Outcome::Clean } }
    }
}

/// The audit socket, after which the process keeps CAP_AUDIT_CONTROL and nothing else.
fn open_client() -> Result<AuditClient, Error> {
    open_client_keeping(Keep::AuditControl)
}

/// The audit socket, after which the process keeps what `keep` says.
fn open_client_keeping(keep: Keep) -> Result<AuditClient, Error> {
    let client = AuditClient::open()?;
    drop_privileges(keep).map_err(Error::DropPrivileges)?;
    Ok(client)
}

/// Offline work holds no capability at all: dropped before any file is read.
fn drop_all_privileges() -> Result<(), CommandError> {
    drop_privileges(Keep::Nothing).map_err(|e| CommandError::Audit(Error::DropPrivileges(e)))
}

/// Rule files as (name for origins, text), in the order given; `-` is standard input,
/// named `<stdin>`. `lossy` reads bytes that are not UTF-8 as U+FFFD (judging) instead
/// of refusing the file (loading).
fn read_rule_files(paths: &[String], lossy: bool) -> Result<Vec<(String, String)>, CommandError> {
    let mut files = Vec::new();
    for path in paths {
        let name = if path == "-" { "<stdin>".to_string() } else { path.clone() };
        let read = |bytes: std::io::Result<Vec<u8>>| -> std::io::Result<String> {
            let bytes = bytes?;
            match String::from_utf8(bytes) {
                Ok(text) => Ok(text),
                Err(e) if lossy => Ok(String::from_utf8_lossy(e.as_bytes()).into_owned()),
                Err(_) => {
                    Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "stream did not contain valid UTF-8"))
                }
            }
        };
        let text = if path == "-" {
            let mut bytes = Vec::new();
            read(std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes).map(|_| bytes))
        } else {
            read(std::fs::read(path))
        };
        let text = text.map_err(|source| CommandError::Read { path: name.clone(), source })?;
        files.push((name, text));
    }
    Ok(files)
}
