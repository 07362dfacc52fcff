//! `dockaudit events --follow`: events as they happen, from the kernel's multicast stream
//! (no auditd needed, never the audit daemon) or from a log file being written.
//!
//! The records go through the same [`Record`] parser, [`Query`] and formats as a search,
//! reassembled as the feed says (the kernel's stream: an event ends at its EOE; a log,
//! which has no EOE: at its PROCTITLE too), not when the next second's records come, and
//! expired by the wall clock when the stream is quiet,
//! so an access shows within a poll interval. Loss is reported, never swallowed: records
//! the kernel dropped for this socket (counted exactly) and serials that never arrived.
//! Each event carries the container its process ran in, when one can be told. Events of
//! this process itself are left out: its own reads of Docker's files (discovery, container
//! names) would otherwise show up as accesses to them.

mod feed;
mod gaps;

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;

pub use feed::{log_line, Feed, Item, LiveFeed, TailFeed};
pub use gaps::{Gaps, Lost};

use super::json::{event_json, utc_timestamp};
use super::record::Record;
use super::{render_labelled, EventsError, Format, Options, Query, SCHEMA_VERSION};
use crate::events::reassemble::{Event, Reassembler};

/// A container, as far as it can be told from the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Container {
    /// The full id (64 hex digits for Docker).
    pub id: String,
    /// The name Docker gave it, without the leading `/`.
    pub name: Option<String>,
}

/// Tells the container of a process. The command supplies it (it knows where Docker keeps
/// its state); `events` only asks.
pub trait Containers {
    /// The container of `pid`, or of `ppid` when `pid` is gone.
    fn of(&mut self, pid: Option<u32>, ppid: Option<u32>) -> Option<Container>;
}

/// No container lookup (files from another host, tests).
pub struct NoContainers;

impl Containers for NoContainers {
    fn of(&mut self, _: Option<u32>, _: Option<u32>) -> Option<Container> {
        None
    }
}

/// When to stop, besides the end of a piped input.
#[derive(Debug, Default)]
pub struct Until<'a> {
    /// After this many selected events.
    pub events: Option<u64>,
    /// After this long.
    pub duration: Option<Duration>,
    /// When this turns true (SIGINT, SIGTERM).
    pub signal: Option<&'a AtomicBool>,
}

/// What following read, found and lost.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FollowSummary {
    /// Records read.
    pub records: u64,
    /// Events assembled.
    pub events: u64,
    /// Events selected and written.
    pub selected: u64,
    /// Records the kernel dropped for this reader (receive buffer overruns).
    pub lost_records: u64,
    /// Overruns whose count could not be read (/proc/net/netlink unreadable).
    pub uncounted_overruns: u64,
    /// Events whose serial never arrived.
    pub lost_events: u64,
    /// Lines that are not records.
    pub malformed: u64,
    /// Events of dockaudit's own process, left out.
    pub own: u64,
}

/// How long one wait lasts: the latency of a quiet stream's last event.
const TICK: Duration = Duration::from_millis(200);
const FLUSH_BYTES: usize = 64 << 10;

struct Printer<'a> {
    query: &'a Query,
    options: &'a Options,
    containers: &'a mut dyn Containers,
    out: &'a mut dyn Write,
    buf: Vec<u8>,
    summary: FollowSummary,
    limit: Option<u64>,
    error: Option<std::io::Error>,
    pid: u32,
}

impl Printer<'_> {
    fn event(&mut self, event: &Event) {
        self.summary.events += 1;
        if self.done() || self.own(event) || !self.query.matches_event(event, &self.options.names) {
            return;
        }
        self.summary.selected += 1;
        let container = self.container_of(event);
        render_followed(event, self.options, container.as_ref(), &mut self.buf);
        if self.buf.len() >= FLUSH_BYTES {
            self.flush();
        }
    }

    /// This process's own accesses (discovery reading /etc/docker, a container's name read
    /// under /var/lib/docker, joining the stream) are not the host's activity: left out.
    fn own(&mut self, event: &Event) -> bool {
        let own = event.records().find_map(|r| r.field("pid")).and_then(|v| v.int()) == Some(i64::from(self.pid));
        self.summary.own += u64::from(own);
        own
    }

    fn container_of(&mut self, event: &Event) -> Option<Container> {
        let record = event.records().find(|r| r.field("pid").is_some())?;
        let number = |name: &str| record.field(name).and_then(|v| v.int()).and_then(|n| u32::try_from(n).ok());
        self.containers.of(number("pid"), number("ppid"))
    }

    /// Counts a loss in the summary and reports it (stderr, and a JSON loss object).
    fn loss(&mut self, err: &mut dyn Write, records: Option<u64>, lost: Option<Lost>) {
        match (records, lost) {
            (_, Some(l)) => self.summary.lost_events += l.events,
            (Some(n), None) => self.summary.lost_records += n,
            (None, None) => self.summary.uncounted_overruns += 1,
        }
        let (message, object) = match (records, lost) {
            (_, Some(l)) => (
                format!(
                    "lost {} event(s): serials {}-{} never arrived (dropped by the kernel: its rate limit or \
                     backlog; `dockaudit status` shows its lost count)",
                    l.events, l.first, l.last
                ),
                json!({"events": l.events, "first_serial": l.first, "last_serial": l.last, "cause": "serial-gap"}),
            ),
            (Some(n), None) => (
                format!(
                    "lost {n} record(s): the receive buffer overflowed (a larger --buffer, or a faster \
                     consumer of this output, keeps up)"
                ),
                json!({"records": n, "cause": "receive-buffer"}),
            ),
            (None, None) => (
                "lost records: the receive buffer overflowed (how many is unknown: /proc/net/netlink is \
                 unreadable)"
                    .to_string(),
                json!({"records": null, "cause": "receive-buffer"}),
            ),
        };
        let _ = writeln!(err, "dockaudit: {message}");
        if self.options.format == Format::Json {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            let line = json!({
                "schema_version": SCHEMA_VERSION,
                "@timestamp": utc_timestamp(now.as_secs(), now.subsec_millis() as u16),
                "event": {"kind": "pipeline_error", "action": "records-lost"},
                "loss": object,
            });
            let _ = serde_json::to_writer(&mut self.buf, &line);
            self.buf.push(b'\n');
            self.flush();
        }
    }

    fn done(&self) -> bool {
        self.error.is_some() || self.limit.is_some_and(|n| self.summary.selected >= n)
    }

    fn flush(&mut self) {
        if self.error.is_none() {
            if let Err(e) = self.out.write_all(&self.buf).and_then(|()| self.out.flush()) {
                self.error = Some(e);
            }
        }
        self.buf.clear();
    }
}

/// Appends one followed event: as [`render_labelled`], with its container (`container` in
/// JSON, ` container=NAME` at the end of a text line).
pub fn render_followed(event: &Event, options: &Options, container: Option<&Container>, out: &mut Vec<u8>) {
    match (options.format, container) {
        (Format::Json, Some(c)) => {
            let mut object = event_json(event, &options.names);
            if let Some(map) = object.as_object_mut() {
                if !options.labels.is_empty() {
                    map.insert("controls".into(), options.labels.of(event).into());
                }
                map.insert("container".into(), json!({"id": c.id, "name": c.name}));
            }
            let _ = serde_json::to_writer(&mut *out, &object);
            out.push(b'\n');
        }
        (Format::Text, Some(c)) => {
            render_labelled(event, options.format, &options.names, &options.labels, out);
            if out.last() == Some(&b'\n') {
                out.pop();
            }
            let short = &c.id[..c.id.len().min(12)];
            let _ = match &c.name {
                Some(name) => writeln!(out, " container={name}({short})"),
                None => writeln!(out, " container={short}"),
            };
        }
        _ => render_labelled(event, options.format, &options.names, &options.labels, out),
    }
}

fn wall_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// Follows `feed` until `until` says stop (or a pipe closes), writing each selected event
/// to `out` as it completes and each loss to `err` (and to `out` as a JSON loss object).
pub fn follow(
    query: &Query,
    feed: &mut dyn Feed,
    options: &Options,
    until: &Until<'_>,
    containers: &mut dyn Containers,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<FollowSummary, EventsError> {
    let started = Instant::now();
    let mut reassembler = Reassembler::new(feed.end_rules(), options.eoe_timeout);
    let mut gaps = Gaps::default();
    let window = options.eoe_timeout.max(1) + 1;
    let mut printer = Printer {
        query,
        options,
        containers,
        out,
        buf: Vec::with_capacity(FLUSH_BYTES * 2),
        summary: FollowSummary::default(),
        limit: until.events,
        error: None,
        pid: std::process::id(),
    };
    let mut last_tick = Instant::now();
    let kernel_serials = feed.kernel_serials();
    let name = feed.name();
    loop {
        let stop = printer.done()
            || until.signal.is_some_and(|s| s.load(Ordering::Relaxed))
            || until.duration.is_some_and(|d| started.elapsed() >= d);
        if stop {
            break;
        }
        let wait = until.duration.map_or(TICK, |d| d.saturating_sub(started.elapsed()).min(TICK));
        let item = feed.next(wait).map_err(|source| EventsError::Read {
            name: name.clone(),
            line: printer.summary.records,
            source,
        })?;
        let idle = match item {
            Item::Line(line) => {
                match Record::parse(line) {
                    Ok(record) => {
                        printer.summary.records += 1;
                        if kernel_serials {
                            gaps.see(record.stamp.serial, wall_ms());
                        }
                        if query.in_time(record.stamp.sec) {
                            reassembler.push(&record, &mut |e| printer.event(e));
                        }
                    }
                    Err(_) if line.is_empty() => {}
                    Err(_) => printer.summary.malformed += 1,
                }
                false
            }
            // Drops already counted at a tick leave nothing new to say.
            Item::Overrun(Some(0)) => false,
            Item::Overrun(dropped) => {
                gaps.overrun(wall_ms());
                printer.loss(err, dropped, None);
                false
            }
            Item::Idle => true,
            Item::End => break,
        };
        // Also under a steady stream: expiry and gap checks at least every tick.
        if idle || last_tick.elapsed() >= TICK {
            last_tick = Instant::now();
            let now_ms = wall_ms();
            let now = now_ms / 1000;
            reassembler.expire(now, &mut |e| printer.event(e));
            let late = feed.late_drops();
            if late > 0 {
                gaps.overrun(now_ms);
                printer.loss(err, Some(late), None);
            }
            if let Some(lost) = gaps.declare(Some(now), window) {
                printer.loss(err, None, Some(lost));
            }
            printer.flush();
        }
    }
    reassembler.finish(&mut |e| printer.event(e));
    // Drops since the last tick are counted too.
    let late = feed.late_drops();
    if late > 0 {
        printer.loss(err, Some(late), None);
    }
    printer.flush();
    match printer.error.take() {
        Some(e) => Err(EventsError::Write(e)),
        None => Ok(printer.summary),
    }
}

#[cfg(test)]
mod tests;
