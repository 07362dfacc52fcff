//! `dockaudit events`: what the audit rules recorded, searched like `ausearch`. The
//! events are written as they are found (a log can be gigabytes), so the output goes
//! straight to `out` instead of coming back in an `Output`.

use std::io::Write;

use super::args::EventsArgs;
use super::{drop_all_privileges, CommandError, Outcome, Output};
use crate::events::{self, EventsError, Input, Options, Query};

/// Reads the inputs with no capability at all, writes the selected events to `out` and
/// the lines it had to skip to `err`.
pub fn events(args: &EventsArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<Output, CommandError> {
    drop_all_privileges()?;
    let options = Options::for_root(args.format, &args.root);
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
        start: args
            .start
            .as_deref()
            .map(|t| events::parse_time(t, false, now))
            .transpose()
            .map_err(EventsError::from)?,
        end: args.end.as_deref().map(|t| events::parse_time(t, true, now)).transpose().map_err(EventsError::from)?,
    };
    let inputs: Vec<Input> = args.input.iter().map(|i| Input::from_arg(i)).collect();
    let sources = events::resolve(&args.root, &inputs)?;
    let summary = match events::search(&query, &sources, &options, out) {
        Ok(summary) => summary,
        // `dockaudit events | head`: a closed pipe is not an error worth a message.
        Err(EventsError::Write(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            return Ok(Output::clean(Vec::new()));
        }
        Err(e) => return Err(e.into()),
    };
    for malformed in &summary.malformed_lines {
        let _ = writeln!(err, "dockaudit: {malformed}");
    }
    let more = summary.malformed - summary.malformed_lines.len() as u64;
    if more > 0 {
        let _ = writeln!(err, "dockaudit: {more} more malformed line(s) skipped");
    }
    if summary.selected == 0 {
        let _ = writeln!(err, "<no matches>");
        return Ok(Output { bytes: Vec::new(), outcome: Outcome::NoMatch });
    }
    Ok(Output::clean(Vec::new()))
}
