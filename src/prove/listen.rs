//! Waiting for a probe's record on the kernel's stream: the SYSCALL record of this
//! process with the probe's syscall, then the PATH record of the same event naming the
//! probed path. Records are matched as they arrive (no reassembly), since the event is
//! known in advance.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::events::{keys_of, log_line, types, Record};
use crate::kernel::{self, Received, RecordStream};

/// The probe's record as it arrived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heard {
    /// Its serial.
    pub serial: u64,
    /// Its time stamp, as the log line has it (`SEC.MSEC:SERIAL`).
    pub stamp: String,
    /// The keys it carries (the rule that recorded it).
    pub keys: Vec<String>,
    /// From the probe to the SYSCALL record's arrival.
    pub latency: Duration,
}

/// What is being waited for.
pub struct Awaited<'a> {
    /// This process.
    pub pid: u32,
    /// The probe's syscall number.
    pub syscall: u32,
    /// The path as the probe passed it.
    pub path: &'a [u8],
    /// When the probe was made.
    pub made: Instant,
}

/// Reads the stream until the probe's record arrives or `wait` passes. Records lost on
/// the way are counted in `dropped`.
pub fn listen(
    stream: &mut RecordStream,
    awaited: &Awaited<'_>,
    wait: Duration,
    dropped: &mut u64,
) -> Result<Option<Heard>, kernel::Error> {
    let deadline = awaited.made + wait;
    let mut candidates: HashMap<u64, Heard> = HashMap::new();
    let mut line = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(None);
        }
        let (kind, text) = match stream.next(left)? {
            Received::Record { kind, text } => (kind, text),
            Received::Overrun { dropped: n } => {
                *dropped += n.unwrap_or(1);
                continue;
            }
            Received::Idle => continue,
        };
        log_line(kind, text, &mut line);
        let Ok(record) = Record::parse(&line) else { continue };
        let serial = record.stamp.serial;
        match record.kind {
            types::SYSCALL => {
                let number = |name: &str| record.field(name).and_then(|v| v.int());
                if number("pid") == Some(i64::from(awaited.pid))
                    && number("syscall") == Some(i64::from(awaited.syscall))
                {
                    let keys = record.field("key").map(|k| keys_of(&k)).unwrap_or_default();
                    let stamp = format!("{}.{:03}:{}", record.stamp.sec, record.stamp.msec, serial);
                    candidates.insert(serial, Heard { serial, stamp, keys, latency: awaited.made.elapsed() });
                }
            }
            types::PATH
                if candidates.contains_key(&serial)
                    && record.field("name").and_then(|v| v.text()).is_some_and(|name| *name == *awaited.path) =>
            {
                return Ok(candidates.remove(&serial));
            }
            _ => {}
        }
    }
}
