//! `dockaudit report`: aureport's key, file, executable, syscall and user reports, and a
//! report by CIS control, read natively (`events::aureport`). Rows are written as they
//! are found, so the output goes straight to `out`.
//!
//! `--control` counts the events `events --control` would select for each control: the
//! files discovery finds under `--root` (with their CIS paths and symlinks, directory
//! controls as trees) and the keys of the persistent rules covering them, computed here
//! as for `events` (`events` may not use `docker`, `judge`, `persist`).

use std::io::Write;

use super::args::ReportArgs;
use super::events::{control_files, rule_keys};
use super::{drop_all_privileges, CommandError, Outcome, Output};
use crate::events::aureport::{self, Filter, Kind, ReportOptions};
use crate::events::{self, log_config, EventsError, Input, Labels};
use crate::judge::{Benchmark, Control};

fn kind(args: &ReportArgs) -> Kind {
    // clap's group makes exactly one of these true.
    if args.key {
        Kind::Key
    } else if args.file {
        Kind::File
    } else if args.exe {
        Kind::Exe
    } else if args.syscall {
        Kind::Syscall
    } else if args.user {
        Kind::User
    } else {
        Kind::Control
    }
}

/// Reads the inputs with no capability at all, writes the report to `out` and the lines
/// it had to skip to `err`.
pub fn report(args: &ReportArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<Output, CommandError> {
    drop_all_privileges()?;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    let time = |t: &Option<String>, end: bool| {
        t.as_deref().map(|t| events::parse_time(t, end, now)).transpose().map_err(EventsError::from)
    };
    let kind = kind(args);
    let mut options = ReportOptions {
        kind,
        summary: args.summary,
        filter: match (args.failed, args.success) {
            (true, _) => Filter::Failed,
            (_, true) => Filter::Success,
            _ => Filter::All,
        },
        no_config: args.no_config,
        start: time(&args.log.start, false)?,
        end: time(&args.log.end, true)?,
        format: args.format,
        eoe_timeout: log_config(&args.log.root).eoe_timeout,
        labels: Labels::default(),
    };
    if kind == Kind::Control {
        let all: Vec<&Control> = Benchmark::DEFAULT.controls().iter().collect();
        let files = control_files(&args.log.root, &all);
        let keys = rule_keys(&args.log.root, &files, err);
        options.labels = Labels { paths: files, keys };
    }
    let inputs: Vec<Input> = args.log.input.iter().map(|i| Input::from_arg(i)).collect();
    let sources = events::resolve(&args.log.root, &inputs)?;
    let summary = match aureport::report(&sources, &options, out) {
        Ok(summary) => summary,
        // `dockaudit report | head`: a closed pipe is not an error worth a message.
        Err(EventsError::Write(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            return Ok(Output::clean(Vec::new()));
        }
        Err(e) => return Err(e.into()),
    };
    for malformed in &summary.read.malformed_lines {
        let _ = writeln!(err, "dockaudit: {malformed}");
    }
    let more = summary.read.malformed - summary.read.malformed_lines.len() as u64;
    if more > 0 {
        let _ = writeln!(err, "dockaudit: {more} more malformed line(s) skipped");
    }
    let outcome = if summary.nothing_found(args.summary) { Outcome::NoMatch } else { Outcome::Clean };
    Ok(Output { bytes: Vec::new(), outcome })
}
