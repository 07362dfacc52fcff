//! The reading loop every consumer of the log shares (`search`, `aureport`): lines from
//! each source in order, parsed, a record filter, one reassembler across the sources (as
//! ausearch and aureport carry events over rotated files), malformed lines counted and
//! the first ones kept.

use super::inputs::{Line, Lines, Source};
use super::reassemble::{EndRules, Event, Reassembler};
use super::record::{Record, RecordError};
use super::{EventsError, Malformed, Summary, MALFORMED_KEPT};

/// Reads `sources` in order and hands every event to `emit`, lowest stamp first, grouped
/// by `rules`; `keep` decides which records are grouped at all, `stored` which keep their
/// lines in the event ([`Reassembler::storing`]). `emit` returns false to
/// stop reading (a closed output). The summary counts records, events and malformed
/// lines; `selected` is the caller's to fill.
pub fn read_events(
    sources: &[Source],
    rules: EndRules,
    eoe_timeout: u64,
    keep: &dyn Fn(&Record<'_>) -> bool,
    stored: fn(u32) -> bool,
    emit: &mut dyn FnMut(&Event) -> bool,
) -> Result<Summary, EventsError> {
    let mut summary = Summary::default();
    let mut reassembler = Reassembler::new(rules, eoe_timeout).storing(stored);
    let mut events = 0u64;
    let stopped = std::cell::Cell::new(false);
    let mut each = |event: &Event| {
        if !stopped.get() {
            events += 1;
            stopped.set(!emit(event));
        }
    };
    // ausearch refuses seconds within the timeout of LONG_MAX ("Error extracting time
    // stamp") and drops the line; so does this, as a malformed line.
    let max_sec = (i64::MAX as u64).saturating_sub(eoe_timeout.saturating_add(1));
    'sources: for source in sources {
        summary.files += 1;
        let name = source.name();
        let mut lines = Lines::new(source.open()?);
        let mut last = 0;
        loop {
            let Line { number, bytes: line, complete, separator } = match lines.read() {
                Some(Ok(next)) => next,
                None => break,
                Some(Err(e)) => return Err(EventsError::Read { name, line: last, source: e }),
            };
            last = number;
            if stopped.get() {
                break 'sources;
            }
            if line.is_empty() {
                continue;
            }
            let parsed = Record::parse_split(line, separator).and_then(|r| {
                if r.stamp.sec > max_sec {
                    Err(RecordError::BadStamp)
                } else {
                    Ok(r)
                }
            });
            match parsed {
                Ok(record) => {
                    summary.records += 1;
                    if keep(&record) {
                        reassembler.push(&record, &mut each);
                    }
                }
                Err(_) if !complete => summary.truncated_last_line = true,
                Err(error) => {
                    summary.malformed += 1;
                    if summary.malformed_lines.len() < MALFORMED_KEPT {
                        summary.malformed_lines.push(Malformed { source: name.clone(), line: number, error });
                    }
                }
            }
        }
    }
    if !stopped.get() {
        reassembler.finish(&mut each);
    }
    summary.events = events;
    Ok(summary)
}
