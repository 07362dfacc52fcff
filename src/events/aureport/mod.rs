//! `dockaudit report`: aureport 3.0.9's key, file, executable, syscall and user reports
//! (`-k -f -x -s -u`, detailed or `--summary`, `--failed`/`--success`, `-nc`, `-ts/-te`),
//! byte for byte in its default form, plus a report by CIS control; as text or JSON.
//!
//! How aureport counts, and so how this does (`src/aureport.c`, `aureport-scan.c`,
//! `aureport-output.c`, `ausearch-parse.c` of audit-userspace 3.0.9):
//! - events are grouped by ausearch's own grouping (`ausearch-lol.c`), not auparse's:
//!   [`EndRules::Ausearch`]; records outside `--start`/`--end` are dropped before grouping
//!   (`extract_timestamp`), so a later record out of bounds does not time an event out;
//! - each event's fields are read as `ausearch-parse.c` reads them ([`scan`]); an event
//!   a record of which does not parse with the report's options is left out of every
//!   report (a SYSCALL without `exe=` is, in the key, file, executable and user reports);
//! - `--failed`/`--success` keep events whose success is `no`/`yes`: SYSCALL `success=`,
//!   a user record's `res=failed`, an AVC's `denied`, CONFIG_CHANGE's `res=` (0 is failed;
//!   another number is neither); events without one are in neither;
//! - `-nc`/`--no-config` drops events whose *first* record is a CONFIG_CHANGE (rule
//!   loads log one with the rule's key, counted in the key report otherwise);
//! - key report: the detailed form lists an event once, under its first key, and not at
//!   all when that key is `(null)`; the summary counts every key of every event
//!   (a multi-key split on 0x01, the same key twice counting twice), never `(null)`;
//! - file report: an event with a file name (PATH `name=`, AVC `path=`/`name=`, a
//!   CONFIG_CHANGE `path=`, a unix socket's path; `./x` and `..x` joined to the CWD) is
//!   one row, naming its first file (a `nametype=PARENT` entry is skipped only when it
//!   ends its line, as on old kernels); the summary counts every name of every event;
//! - executable report: events with an `exe` (hex decoded); syscall report: events with a
//!   syscall number other than 0 (the summary: above 0), as numbers; user report: the
//!   detailed form lists events with a `uid` but shows the auid, the summary counts auids;
//! - summaries are sorted by count, highest first, ties in the order first seen
//!   ([`Tally`]); an empty report prints `<no events of interest were found>`; a
//!   detailed one with no rows exits 1, a summary 0.
//!
//! Memory: the reader's (events of `end_of_event_timeout` seconds), plus one count per
//! distinct value for a summary; detailed rows are written as they come.

mod json;
mod scan;
mod scan_records;
mod tally;
mod text;

use std::io::Write;

use super::blocks::Blocks;
use super::read::read_events;
use super::reassemble::{EndRules, Event};
use super::{EventsError, Labels, Source, Summary};

pub use json::REPORT_SCHEMA_VERSION;
pub use scan::{scan, unescape, FileName, Items, Wanted, NO_AUID};
pub use tally::Tally;
pub use text::NOTHING;

/// Which report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `aureport -k`.
    Key,
    /// `aureport -f`.
    File,
    /// `aureport -x`.
    Exe,
    /// `aureport -s`.
    Syscall,
    /// `aureport -u`.
    User,
    /// Events per CIS control (dockaudit's own).
    Control,
}

impl Kind {
    /// The name JSON gives the report.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Key => "key",
            Kind::File => "file",
            Kind::Exe => "exe",
            Kind::Syscall => "syscall",
            Kind::User => "user",
            Kind::Control => "control",
        }
    }

    /// The fields aureport reads for the report (`aureport-options.c`); the control
    /// report reads what the key report reads.
    pub fn wanted(self) -> Wanted {
        match self {
            Kind::Key | Kind::Control => Wanted { exe: true, key: true, ..Wanted::default() },
            Kind::File => Wanted { exe: true, file: true, ..Wanted::default() },
            Kind::Exe => Wanted { exe: true, terminal_host: true, ..Wanted::default() },
            Kind::Syscall => Wanted { comm: true, ..Wanted::default() },
            Kind::User => Wanted { exe: true, terminal_host: true, uid: true, ..Wanted::default() },
        }
    }
}

/// `--failed`, `--success`, or neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Filter {
    /// Every event.
    #[default]
    All,
    /// Events that failed.
    Failed,
    /// Events that succeeded.
    Success,
}

/// The output form (`dockaudit report --format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// aureport's text, byte for byte.
    Text,
    /// One JSON document (schema in the module docs).
    Json,
}

/// What to report and how.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// Which report.
    pub kind: Kind,
    /// Counts by value instead of one row per event.
    pub summary: bool,
    /// `--failed`/`--success`.
    pub filter: Filter,
    /// `-nc`: leave out events that begin with a CONFIG_CHANGE.
    pub no_config: bool,
    /// Events at or after this second.
    pub start: Option<u64>,
    /// Events at or before this second.
    pub end: Option<u64>,
    /// The output form.
    pub format: ReportFormat,
    /// auditd.conf's `end_of_event_timeout`.
    pub eoe_timeout: u64,
    /// The controls of events, for [`Kind::Control`].
    pub labels: Labels,
}

/// What a report read and printed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportSummary {
    /// What the reader saw (records, events, malformed lines).
    pub read: Summary,
    /// Events that parsed and passed the filters.
    pub events: u64,
    /// Rows of a detailed report, or distinct values of a summary.
    pub rows: u64,
}

impl ReportSummary {
    /// Whether aureport would exit 1: a detailed report with no row.
    pub fn nothing_found(&self, summary: bool) -> bool {
        !summary && self.rows == 0
    }
}

/// The event's fields, if it is in the report at all (it parses, it passes the filters).
fn admit(event: &Event, options: &ReportOptions) -> Option<Items> {
    let wanted = options.kind.wanted();
    let items = scan(event.records_where(|kind| scan::reads(kind, wanted)), wanted)?;
    let success_ok = match options.filter {
        Filter::All => true,
        Filter::Failed => items.success == scan::FAILED,
        Filter::Success => items.success == scan::SUCCEEDED,
    };
    let config_ok = !(options.no_config && event.first_kind() == super::types::CONFIG_CHANGE);
    (success_ok && config_ok).then_some(items)
}

/// The values an event adds to a summary.
fn summary_values(kind: Kind, items: &Items, controls: Vec<String>, tally: &mut Tally) {
    match kind {
        Kind::Key => {
            for key in items.keys.iter().flatten().filter(|k| k.as_slice() != b"(null)") {
                tally.add(key);
            }
        }
        Kind::File => {
            for file in items.files.iter().flatten() {
                tally.add(&file.name);
            }
        }
        Kind::Exe => {
            if let Some(exe) = &items.exe {
                tally.add(exe);
            }
        }
        Kind::Syscall => {
            if items.syscall > 0 {
                tally.add(items.syscall.to_string().as_bytes());
            }
        }
        Kind::User => {
            if items.auid != NO_AUID {
                tally.add((items.auid as i32).to_string().as_bytes());
            }
        }
        Kind::Control => {
            for id in controls {
                tally.add(id.as_bytes());
            }
        }
    }
}

/// The record types whose lines the report reads: [`scan::reads`]'s, and every type for
/// the control report, whose labels look at paths and keys.
fn stored_lines(kind: Kind) -> fn(u32) -> bool {
    match kind {
        Kind::Control => |_| true,
        Kind::File => |t| scan::reads(t, Kind::File.wanted()),
        Kind::Key | Kind::Exe | Kind::Syscall | Kind::User => |t| scan::reads(t, Wanted::default()),
    }
}

/// Whether an event is a row of the detailed report.
fn is_row(kind: Kind, items: &Items, controls: &[String]) -> bool {
    match kind {
        Kind::Key => items.keys.as_ref().and_then(|k| k.first()).is_some_and(|k| k.as_slice() != b"(null)"),
        Kind::File => items.files.is_some(),
        Kind::Exe => items.exe.is_some(),
        Kind::Syscall => items.syscall != 0,
        Kind::User => items.uid != u32::MAX,
        Kind::Control => !controls.is_empty(),
    }
}

/// Reads `sources` (one reassembler across them) and writes the report to `out`.
pub fn report(sources: &[Source], options: &ReportOptions, out: &mut dyn Write) -> Result<ReportSummary, EventsError> {
    let json = options.format == ReportFormat::Json;
    let mut blocks = Blocks::new(out);
    let head = if json {
        json::head(options.kind, options.summary, options.filter, options.no_config)
    } else {
        text::title(options.kind, options.summary, options.filter)
    };
    blocks.buf.extend_from_slice(head.as_bytes());
    let mut tally = Tally::new();
    let (mut rows, mut admitted) = (0u64, 0u64);
    let mut emit = |event: &Event| {
        let Some(items) = admit(event, options) else { return true };
        admitted += 1;
        let controls = if options.kind == Kind::Control { options.labels.of(event) } else { Vec::new() };
        if options.summary {
            summary_values(options.kind, &items, controls, &mut tally);
            return true;
        }
        if !is_row(options.kind, &items, &controls) {
            return true;
        }
        rows += 1;
        if json {
            json::row(&mut blocks.buf, rows == 1, rows, options.kind, event.key(), &items, &controls);
        } else {
            let stamp = event.stamp();
            text::row(&mut blocks.buf, rows, options.kind, stamp.sec, stamp.serial, &items, &controls);
        }
        blocks.spill()
    };
    let in_time = |record: &super::Record<'_>| {
        let sec = record.stamp.sec;
        options.start.is_none_or(|s| sec >= s) && options.end.is_none_or(|e| sec <= e)
    };
    let stored = stored_lines(options.kind);
    let read = read_events(sources, EndRules::Ausearch, options.eoe_timeout, &in_time, stored, &mut emit)?;
    blocks.failed()?;
    let buf = &mut blocks.buf;
    if options.summary {
        rows = tally.len() as u64;
        let sorted = tally.sorted();
        if json {
            json::summary_rows(buf, options.kind, &sorted);
        } else {
            text::summary_rows(buf, &sorted);
        }
    } else if rows == 0 && !json {
        buf.extend_from_slice(NOTHING.as_bytes());
    }
    if json {
        if rows > 0 {
            buf.push(b'\n');
        }
        buf.extend_from_slice(json::TAIL.as_bytes());
    }
    blocks.finish()?;
    Ok(ReportSummary { read, events: admitted, rows })
}

#[cfg(test)]
mod tests;
