//! `dockaudit events`: what the audit rules recorded, read natively from audit.log.
//!
//! The reader is built to answer the questions the seeds ask of `ausearch` (`-k docker`,
//! `-p PID`) on hosts without the audit userspace tools, with the same answers:
//! - [`Record`]: one line parsed from bytes, borrowing it (node, type, time, serial,
//!   fields, the ENRICHED part); a malformed line is a [`RecordError`], reported with
//!   file:line and skipped;
//! - [`Reassembler`]: records → [`Event`]s with ausearch 3.0.9's grouping and order, a
//!   hash map instead of its linear scan, memory bounded whatever the input;
//! - [`Input`]/[`Source`]: auditd.conf's log and its rotations (oldest first), files,
//!   directories, stdin, `.gz`;
//! - [`Query`]: ausearch's selectors, ANDed, and the generic ones the command fills with
//!   the Docker selection (`--control`, and the default without selectors): files
//!   ([`PathMatch`], exact or a directory's tree) and exact keys, ORed together; the
//!   command computes them (discovery, the persistent rules, the catalog), this module
//!   only matches, as the layering wants;
//! - [`Labels`]: the CIS control ids a JSON event carries (`"controls"`), when known;
//! - [`search`]: all of it streamed to a writer as [`Format::Raw`] (`ausearch --raw`'s
//!   lines), [`Format::Interpret`] (`ausearch -i`'s text, `interpret`), [`Format::Json`]
//!   (ECS-named, versioned) or [`Format::Text`].
//!
//! `report` is another consumer of [`Event`]; `--follow` ([`follow`]) feeds the
//! [`Reassembler`] from the netlink multicast group or a growing file with
//! [`EndRules::Auparse`].

pub mod aureport;
mod blocks;
mod cstr;
mod follow;
mod inputs;
mod interpret;
mod json;
mod labels;
mod read;
mod reassemble;
mod record;
mod select;
mod text;
mod time;

use std::io::Write;
use std::path::{Path, PathBuf};

use blocks::Blocks;

pub use follow::{
    follow, log_line, render_followed, Container, Containers, Feed, FollowSummary, Gaps, Item, LiveFeed, Lost,
    NoContainers, TailFeed, Until,
};
pub use inputs::{
    log_config, parse_log_config, resolve, rotation, Input, Line, Lines, LogConfig, Source, DEFAULT_LOG_FILE,
};
pub use json::{event_json, keys_of, SCHEMA_VERSION};
pub use labels::{fold, Labels, PathMatch};
pub use read::read_events;
pub use reassemble::{ends_at_once, EndRules, Event, EventKey, Reassembler, DEFAULT_LIMIT};
pub use record::{decode_hex, type_number, types, Fields, Record, RecordError, Stamp, Value, ENRICHMENT_SEPARATOR};
pub use select::{Query, SyscallFilter, UserFilter};
pub use text::{local_time, Names};
pub use time::{parse_time, TimeError};

/// Why a search could not run or finish.
#[derive(Debug, thiserror::Error)]
pub enum EventsError {
    /// An input cannot be opened or read at its start.
    #[error("cannot read {}: {source}", path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// An input failed while being read (a corrupt `.gz`, an I/O error).
    #[error("error reading {name} after line {line}: {source}")]
    Read {
        /// The input's name.
        name: String,
        /// The last line read.
        line: u64,
        /// Why.
        source: std::io::Error,
    },
    /// A directory given as input has no `audit.log`.
    #[error("{} has no audit.log", .0.display())]
    EmptyDirectory(PathBuf),
    /// Writing the output failed.
    #[error("cannot write the output: {0}")]
    Write(std::io::Error),
    /// A `--start`/`--end` value.
    #[error(transparent)]
    Time(#[from] TimeError),
    /// `--uid`/`--auid` is neither a number nor a user of the root's /etc/passwd.
    #[error("unknown user {0:?} (not a number, not in /etc/passwd)")]
    UnknownUser(String),
    /// `--syscall` is neither a number nor a syscall name.
    #[error("unknown syscall {0:?}")]
    UnknownSyscall(String),
    /// `--success` is not yes or no.
    #[error("--success takes yes or no, not {0:?}")]
    BadSuccess(String),
}

/// The output forms (`dockaudit events --format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The lines as logged, as `ausearch --raw` prints them.
    Raw,
    /// One JSON object per event per line.
    Json,
    /// One readable line per event.
    Text,
    /// What `ausearch -i` prints: every record, values interpreted, byte for byte.
    Interpret,
}

/// A line that is not an audit record: where, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    /// The input's name.
    pub source: String,
    /// 1-based line number.
    pub line: u64,
    /// Why it is not a record.
    pub error: RecordError,
}

impl std::fmt::Display for Malformed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: skipped: {}", self.source, self.line, self.error)
    }
}

/// What a search read and found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Inputs read (files and stdin).
    pub files: usize,
    /// Records read.
    pub records: u64,
    /// Events assembled.
    pub events: u64,
    /// Events selected and written.
    pub selected: u64,
    /// Lines that are not records (skipped).
    pub malformed: u64,
    /// The first [`MALFORMED_KEPT`] of them.
    pub malformed_lines: Vec<Malformed>,
    /// Whether an input ended in a partial line that is not a record (a log being
    /// written); not an error.
    pub truncated_last_line: bool,
}

/// How many malformed lines a [`Summary`] names; the rest are counted.
pub const MALFORMED_KEPT: usize = 20;

/// How to read and print.
#[derive(Debug, Clone)]
pub struct Options {
    /// The output form.
    pub format: Format,
    /// auditd.conf's `end_of_event_timeout` (ausearch reads it too).
    pub eoe_timeout: u64,
    /// Names for `text` and `json` when the log is RAW.
    pub names: Names,
    /// The controls events belong to, for `json`'s `controls` (empty: no such field).
    pub labels: Labels,
}

impl Options {
    /// Options for reading the logs of `root`: its auditd.conf timeout and its users.
    pub fn for_root(format: Format, root: &Path) -> Options {
        Options {
            format,
            eoe_timeout: log_config(root).eoe_timeout,
            names: Names::load(root),
            labels: Labels::default(),
        }
    }
}

/// A `--uid`/`--auid` value: a number, or a user name the root's /etc/passwd knows
/// (ausearch insists the name exists too), matched by name.
pub fn user_filter(text: &str, names: &Names) -> Result<UserFilter, EventsError> {
    if text.starts_with(|c: char| c.is_ascii_digit()) {
        return text.parse().map(UserFilter::Id).map_err(|_| EventsError::UnknownUser(text.to_string()));
    }
    match names.uid_of(text) {
        Some(_) => Ok(UserFilter::Name(text.to_string())),
        None => Err(EventsError::UnknownUser(text.to_string())),
    }
}

/// A `--syscall` value: a number, or a name some arch knows.
pub fn syscall_filter(text: &str) -> Result<SyscallFilter, EventsError> {
    use crate::rule::syscalls::{syscall_number, Arch};
    if let Ok(n) = text.parse() {
        return Ok(SyscallFilter::Number(n));
    }
    let known = [Arch::native(), Arch::X86_64, Arch::I386, Arch::Aarch64, Arch::Arm]
        .into_iter()
        .any(|arch| syscall_number(arch, text).is_some());
    if known {
        Ok(SyscallFilter::Name(text.to_string()))
    } else {
        Err(EventsError::UnknownSyscall(text.to_string()))
    }
}

/// A `--success` value.
pub fn success_filter(text: &str) -> Result<bool, EventsError> {
    match text {
        "yes" => Ok(true),
        "no" => Ok(false),
        _ => Err(EventsError::BadSuccess(text.to_string())),
    }
}

/// Appends one event in `format` to `out`, newline included.
pub fn render(event: &Event, format: Format, names: &Names, out: &mut Vec<u8>) {
    render_labelled(event, format, names, &Labels::default(), out)
}

/// [`render`], JSON with `"controls": [ids]` when `labels` knows the event's controls
/// (an event of no known control gets `[]`; without labels, no field).
pub fn render_labelled(event: &Event, format: Format, names: &Names, labels: &Labels, out: &mut Vec<u8>) {
    match format {
        Format::Raw => event.write_raw(out),
        Format::Text => {
            let controls = if labels.is_empty() { Vec::new() } else { labels.of(event) };
            text::write_event(out, event, names, &controls)
        }
        Format::Interpret => interpret::write_event(out, event, names),
        Format::Json => {
            let mut json = event_json(event, names);
            if !labels.is_empty() {
                if let Some(object) = json.as_object_mut() {
                    object.insert("controls".into(), labels.of(event).into());
                }
            }
            // Serializing a Value into a Vec cannot fail.
            let _ = serde_json::to_writer(&mut *out, &json);
            out.push(b'\n');
        }
    }
}

/// Reads `sources` in order (one reassembler across them, as ausearch carries events over
/// rotated files), writes every event `query` selects to `out` in `options.format`.
pub fn search(
    query: &Query,
    sources: &[Source],
    options: &Options,
    out: &mut dyn Write,
) -> Result<Summary, EventsError> {
    let mut blocks = Blocks::new(out);
    let mut selected = 0u64;
    let mut emit = |event: &Event| {
        if !query.matches_event(event, &options.names) {
            return true;
        }
        selected += 1;
        render_labelled(event, options.format, &options.names, &options.labels, &mut blocks.buf);
        blocks.spill()
    };
    let keep = |record: &Record<'_>| query.in_time(record.stamp.sec);
    let mut summary = read_events(sources, EndRules::Ausearch, options.eoe_timeout, &keep, |_| true, &mut emit)?;
    blocks.failed()?;
    blocks.finish()?;
    summary.selected = selected;
    Ok(summary)
}

#[cfg(test)]
mod tests;
