//! Where followed records come from: the kernel's multicast stream ([`LiveFeed`]) or a
//! log file being written, followed across rotation ([`TailFeed`]; also a pipe).

use std::fs::File;
use std::io::Read;
use std::os::fd::AsRawFd;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::events::reassemble::EndRules;
use crate::kernel::{self, Received, RecordStream};
use crate::rule::names::msgtype_name;

/// What the next read gave.
#[derive(Debug, PartialEq, Eq)]
pub enum Item<'a> {
    /// A line as auditd would log it (no newline).
    Line(&'a [u8]),
    /// The kernel dropped records for this reader: how many, when known.
    Overrun(Option<u64>),
    /// Nothing within the wait.
    Idle,
    /// The input ended (a pipe closed).
    End,
}

/// A followed input.
pub trait Feed {
    /// The next line, waiting up to `wait`.
    fn next(&mut self, wait: Duration) -> std::io::Result<Item<'_>>;
    /// Whether serials come straight from the kernel, so a missing one is a lost event.
    fn kernel_serials(&self) -> bool;
    /// When an event is over: the kernel's stream ends each syscall event with an EOE
    /// ([`EndRules::Eoe`]); a log has none, so a PROCTITLE ends it too ([`EndRules::Auparse`]).
    fn end_rules(&self) -> EndRules {
        EndRules::Auparse
    }
    /// For messages.
    fn name(&self) -> String;
    /// Records dropped since the last [`Item::Overrun`]: a socket stays congested, dropping
    /// without a new ENOBUFS, until its queue is drained.
    fn late_drops(&mut self) -> u64 {
        0
    }
}

/// The kernel's records as they are logged, turned into audit.log's lines.
pub struct LiveFeed {
    stream: RecordStream,
    line: Vec<u8>,
}

impl LiveFeed {
    /// Joins the multicast group with a receive buffer of `buffer` bytes.
    pub fn open(buffer: usize) -> Result<LiveFeed, kernel::Error> {
        Ok(LiveFeed { stream: RecordStream::open(buffer)?, line: Vec::with_capacity(1024) })
    }

    /// The receive buffer the kernel granted.
    pub fn buffer_granted(&self) -> usize {
        self.stream.buffer_granted()
    }
}

/// auditd's line for a record: `type=NAME msg=audit(…): fields` (`UNKNOWN[N]` for a type
/// libaudit does not name).
pub fn log_line(kind: u16, text: &[u8], line: &mut Vec<u8>) {
    line.clear();
    line.extend_from_slice(b"type=");
    match msgtype_name(u32::from(kind)) {
        Some(name) => line.extend_from_slice(name.as_bytes()),
        None => line.extend_from_slice(format!("UNKNOWN[{kind}]").as_bytes()),
    }
    line.extend_from_slice(b" msg=");
    // auditd turns embedded newlines into spaces, so one record stays one line.
    line.extend(text.iter().map(|&b| if b == b'\n' { b' ' } else { b }));
}

impl Feed for LiveFeed {
    fn next(&mut self, wait: Duration) -> std::io::Result<Item<'_>> {
        let received = self.stream.next(wait).map_err(|e| std::io::Error::other(e.to_string()))?;
        Ok(match received {
            Received::Record { kind, text } => {
                log_line(kind, text, &mut self.line);
                Item::Line(&self.line)
            }
            Received::Overrun { dropped } => Item::Overrun(dropped),
            Received::Idle => Item::Idle,
        })
    }

    fn kernel_serials(&self) -> bool {
        true
    }

    fn end_rules(&self) -> EndRules {
        EndRules::Eoe
    }

    fn name(&self) -> String {
        "the kernel's audit multicast stream".into()
    }

    fn late_drops(&mut self) -> u64 {
        self.stream.undeclared_drops()
    }
}

/// A file read as it grows, reopened when it is rotated (a new file at the path) and read
/// from its start when it is truncated in place; or a pipe, read until it closes.
pub struct TailFeed {
    path: Option<PathBuf>,
    file: File,
    identity: (u64, u64),
    position: u64,
    pending: Vec<u8>,
    start: usize,
    pipe: bool,
}

const CHUNK: usize = 64 << 10;
/// How often a quiet file is looked at again.
const POLL: Duration = Duration::from_millis(100);

impl TailFeed {
    /// Follows `path`; from its end unless `from_start`.
    pub fn open(path: &Path, from_start: bool) -> std::io::Result<TailFeed> {
        let file = File::open(path)?;
        let meta = file.metadata()?;
        let mut feed = TailFeed {
            path: Some(path.to_path_buf()),
            identity: (meta.dev(), meta.ino()),
            position: 0,
            file,
            pending: Vec::with_capacity(CHUNK),
            start: 0,
            pipe: !meta.is_file(),
        };
        if !from_start && meta.is_file() {
            use std::io::Seek;
            feed.position = feed.file.seek(std::io::SeekFrom::End(0))?;
        }
        Ok(feed)
    }

    /// Follows standard input until it closes.
    pub fn stdin() -> std::io::Result<TailFeed> {
        use std::os::fd::AsFd;
        let fd = std::io::stdin().as_fd().try_clone_to_owned()?;
        Ok(TailFeed {
            path: None,
            file: File::from(fd),
            identity: (0, 0),
            position: 0,
            pending: Vec::with_capacity(CHUNK),
            start: 0,
            pipe: true,
        })
    }

    /// Reads what is there; Ok(false) at the end of what was written so far.
    fn fill(&mut self, wait: Duration) -> std::io::Result<Option<bool>> {
        if self.start > 0 {
            self.pending.drain(..self.start);
            self.start = 0;
        }
        if self.pipe && !readable(&self.file, wait)? {
            return Ok(Some(false));
        }
        let len = self.pending.len();
        self.pending.resize(len + CHUNK, 0);
        let n = loop {
            match self.file.read(&mut self.pending[len..]) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                other => break other,
            }
        };
        let n = match n {
            Ok(n) => n,
            Err(e) => {
                self.pending.truncate(len);
                return Err(e);
            }
        };
        self.pending.truncate(len + n);
        self.position += n as u64;
        if n > 0 {
            return Ok(Some(true));
        }
        if self.pipe {
            return Ok(None);
        }
        Ok(Some(self.reopen_if_rotated()?))
    }

    /// At the end of the file: a new file at the path (rotated: the old one is read to its
    /// end, which this is) or a shorter one (truncated in place) is read from its start.
    fn reopen_if_rotated(&mut self) -> std::io::Result<bool> {
        let Some(path) = &self.path else { return Ok(false) };
        let Ok(meta) = std::fs::metadata(path) else { return Ok(false) };
        if (meta.dev(), meta.ino()) != self.identity {
            self.file = File::open(path)?;
            self.identity = (meta.dev(), meta.ino());
            self.position = 0;
            // A line the old file left unfinished is not continued by the new one.
            self.pending.clear();
            return Ok(true);
        }
        if meta.len() < self.position {
            use std::io::Seek;
            self.file.seek(std::io::SeekFrom::Start(0))?;
            self.position = 0;
            self.pending.clear();
            return Ok(true);
        }
        Ok(false)
    }
}

fn readable(file: &File, wait: Duration) -> std::io::Result<bool> {
    let mut poll = libc::pollfd { fd: file.as_raw_fd(), events: libc::POLLIN, revents: 0 };
    let millis = wait.as_millis().min(i32::MAX as u128) as libc::c_int;
    // SAFETY: `poll` reads and writes exactly one pollfd, which lives on this stack frame.
    let n = unsafe { libc::poll(&mut poll, 1, millis) };
    if n < 0 {
        let e = std::io::Error::last_os_error();
        return if e.kind() == std::io::ErrorKind::Interrupted { Ok(false) } else { Err(e) };
    }
    Ok(n > 0)
}

impl Feed for TailFeed {
    fn next(&mut self, wait: Duration) -> std::io::Result<Item<'_>> {
        let mut waited = false;
        loop {
            if let Some(end) = memchr::memchr(b'\n', &self.pending[self.start..]) {
                let line = self.start..self.start + end;
                self.start += end + 1;
                return Ok(Item::Line(&self.pending[line]));
            }
            match self.fill(wait)? {
                Some(true) => continue,
                None => {
                    // A pipe closed: its unfinished last line is all there will be.
                    if self.start < self.pending.len() {
                        let line = self.start..self.pending.len();
                        self.start = self.pending.len();
                        return Ok(Item::Line(&self.pending[line]));
                    }
                    return Ok(Item::End);
                }
                Some(false) if waited || self.pipe => return Ok(Item::Idle),
                Some(false) => {
                    std::thread::sleep(wait.min(POLL));
                    waited = true;
                }
            }
        }
    }

    fn kernel_serials(&self) -> bool {
        false
    }

    fn name(&self) -> String {
        match &self.path {
            Some(path) => path.display().to_string(),
            None => "standard input".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn lines(feed: &mut TailFeed) -> Vec<String> {
        let mut out = Vec::new();
        while let Item::Line(l) = feed.next(Duration::from_millis(1)).unwrap() {
            out.push(String::from_utf8_lossy(l).into_owned());
        }
        out
    }

    #[test]
    fn follows_a_file_through_rotation_and_truncation() {
        let dir = std::env::temp_dir().join(format!("dockaudit-tail-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let log = dir.join("audit.log");
        std::fs::write(&log, "old 1\n").unwrap();
        let mut feed = TailFeed::open(&log, false).unwrap();
        assert!(lines(&mut feed).is_empty(), "starts at the end");
        let mut file = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
        file.write_all(b"new 1\nnew 2\npart").unwrap();
        assert_eq!(lines(&mut feed), ["new 1", "new 2"]);
        file.write_all(b"ial\n").unwrap();
        file.write_all(b"last before rotation\n").unwrap();
        // auditd's rotation: rename, then a new file at the path.
        std::fs::rename(&log, dir.join("audit.log.1")).unwrap();
        file.write_all(b"written late to the old file\n").unwrap();
        std::fs::write(&log, "rotated 1\n").unwrap();
        assert_eq!(lines(&mut feed), ["partial", "last before rotation", "written late to the old file", "rotated 1"]);
        // copytruncate: the same file, shorter (seen at the next look, before more is written).
        std::fs::write(&log, "").unwrap();
        assert!(lines(&mut feed).is_empty());
        std::fs::write(&log, "after truncation\n").unwrap();
        assert_eq!(lines(&mut feed), ["after truncation"]);
        let mut from_start = TailFeed::open(&log, true).unwrap();
        assert_eq!(lines(&mut from_start), ["after truncation"]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn kernel_records_become_log_lines() {
        let mut line = Vec::new();
        log_line(1300, b"audit(1.002:3): arch=c000003e\nx", &mut line);
        assert_eq!(line, b"type=SYSCALL msg=audit(1.002:3): arch=c000003e x");
        log_line(1499, b"audit(1.002:3): a", &mut line);
        assert_eq!(line, b"type=UNKNOWN[1499] msg=audit(1.002:3): a");
    }
}
