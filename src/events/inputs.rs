//! Where the log comes from: auditd.conf's `log_file` and its rotations (what ausearch
//! reads by default), a given file, a directory of logs, or standard input; `.gz` files
//! are decompressed as they are read (ausearch cannot read them; users pipe through zcat).
//!
//! Paths from the configuration are taken under a root prefix, so tests (and a container
//! with the host's / mounted elsewhere) can point at a fake root.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use super::EventsError;

/// auditd's default `log_file`.
pub const DEFAULT_LOG_FILE: &str = "/var/log/audit/audit.log";

/// auditd's default `end_of_event_timeout`, seconds.
pub const DEFAULT_EOE_TIMEOUT: u64 = 2;

/// What to read, as the user named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// `log_file` of `<root>/etc/audit/auditd.conf` and its rotated files.
    Default,
    /// A file, or a directory whose `audit.log*` files are read in rotation order.
    Path(PathBuf),
    /// Standard input (`-`).
    Stdin,
}

impl Input {
    /// `-` is standard input, anything else a path.
    pub fn from_arg(arg: &str) -> Input {
        if arg == "-" {
            Input::Stdin
        } else {
            Input::Path(PathBuf::from(arg))
        }
    }
}

/// What auditd.conf says about the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogConfig {
    /// `log_file`, as written (absolute, not yet under the root).
    pub log_file: PathBuf,
    /// `end_of_event_timeout`, which ausearch also reads from there.
    pub eoe_timeout: u64,
}

impl Default for LogConfig {
    fn default() -> LogConfig {
        LogConfig { log_file: PathBuf::from(DEFAULT_LOG_FILE), eoe_timeout: DEFAULT_EOE_TIMEOUT }
    }
}

/// Reads `<root>/etc/audit/auditd.conf`; a missing or unreadable file means the defaults,
/// as for ausearch (which then still finds the default log).
pub fn log_config(root: &Path) -> LogConfig {
    let text = std::fs::read_to_string(root.join("etc/audit/auditd.conf")).unwrap_or_default();
    parse_log_config(&text)
}

/// `name = value` lines; `#` comments.
pub fn parse_log_config(text: &str) -> LogConfig {
    let mut config = LogConfig::default();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        let Some((name, value)) = line.split_once('=') else { continue };
        let value = value.trim();
        match name.trim() {
            "log_file" if !value.is_empty() => config.log_file = PathBuf::from(value),
            "end_of_event_timeout" => {
                if let Ok(n) = value.parse() {
                    config.eoe_timeout = n;
                }
            }
            _ => {}
        }
    }
    config
}

/// `path` (absolute as auditd.conf writes it) under `root`.
pub fn under_root(root: &Path, path: &Path) -> PathBuf {
    root.join(path.strip_prefix("/").unwrap_or(path))
}

/// One file (or stdin) to read, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A file; `.gz` ones are decompressed.
    File(PathBuf),
    /// Standard input.
    Stdin,
}

impl Source {
    /// How messages name it.
    pub fn name(&self) -> String {
        match self {
            Source::File(path) => path.display().to_string(),
            Source::Stdin => "<stdin>".to_string(),
        }
    }

    /// Opens it for reading lines; a gzip file (by its magic bytes) is decompressed.
    pub fn open(&self) -> Result<Box<dyn BufRead>, EventsError> {
        // Small enough that the buffer, the in-flight events and the parser's tables share
        // a core's L2 cache: 64 KiB read 200 MiB logs 15% faster than 256 KiB did (the
        // kernel's copy into a buffer that has left the cache was a fifth of the time).
        const CAPACITY: usize = 64 << 10;
        match self {
            Source::Stdin => Ok(Box::new(BufReader::with_capacity(CAPACITY, std::io::stdin()))),
            Source::File(path) => {
                let open_error = |source| EventsError::Open { path: path.clone(), source };
                let mut file = BufReader::with_capacity(CAPACITY, File::open(path).map_err(open_error)?);
                let gzip = file.fill_buf().map_err(open_error)?.starts_with(&[0x1f, 0x8b]);
                if gzip {
                    let decoder = flate2::bufread::MultiGzDecoder::new(file);
                    Ok(Box::new(BufReader::with_capacity(CAPACITY, decoder)))
                } else {
                    Ok(Box::new(file))
                }
            }
        }
    }
}

/// A log and its rotations, oldest first: `base.N` … `base.1`, `base`, where each
/// rotation may be `base.N.gz`. Stops at the first missing number, as ausearch does.
pub fn rotation(base: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    if base.is_file() {
        files.push(base.to_path_buf());
    }
    for n in 1.. {
        let plain = PathBuf::from(format!("{}.{n}", base.display()));
        let gz = PathBuf::from(format!("{}.{n}.gz", base.display()));
        if plain.is_file() {
            files.push(plain);
        } else if gz.is_file() {
            files.push(gz);
        } else {
            break;
        }
    }
    files.reverse();
    files
}

/// The sources for the inputs given, in reading order. Every file is checked to be
/// readable before anything is read, so an unreadable input is an error up front.
pub fn resolve(root: &Path, inputs: &[Input]) -> Result<Vec<Source>, EventsError> {
    let mut sources = Vec::new();
    let defaults = [Input::Default];
    for input in if inputs.is_empty() { &defaults[..] } else { inputs } {
        match input {
            Input::Stdin => sources.push(Source::Stdin),
            Input::Default => {
                let base = under_root(root, &log_config(root).log_file);
                let files = rotation(&base);
                if files.is_empty() {
                    return Err(EventsError::Open {
                        path: base,
                        source: std::io::Error::from(std::io::ErrorKind::NotFound),
                    });
                }
                sources.extend(files.into_iter().map(Source::File));
            }
            Input::Path(path) if path.is_dir() => {
                let files = rotation(&path.join("audit.log"));
                if files.is_empty() {
                    return Err(EventsError::EmptyDirectory(path.clone()));
                }
                sources.extend(files.into_iter().map(Source::File));
            }
            Input::Path(path) => sources.push(Source::File(path.clone())),
        }
    }
    for source in &sources {
        if let Source::File(path) = source {
            File::open(path).map_err(|source| EventsError::Open { path: path.clone(), source })?;
        }
    }
    Ok(sources)
}

/// Lines of a reader, borrowed from its buffer where they fit in it (copied only when a
/// line spans two reads): each with its number, whether it ended with a newline (a last
/// line without one is a log being written, not an error), and where its ENRICHED
/// separator is, found in the same scan as the newline so no byte is looked at twice.
pub struct Lines<R> {
    reader: R,
    buf: Vec<u8>,
    number: u64,
    consume: usize,
}

/// One line of [`Lines`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line<'a> {
    /// 1-based.
    pub number: u64,
    /// Without the newline.
    pub bytes: &'a [u8],
    /// Whether a newline ended it.
    pub complete: bool,
    /// The offset of the first 0x1D, if any.
    pub separator: Option<usize>,
}

impl<R: BufRead> Lines<R> {
    /// Wraps a reader.
    pub fn new(reader: R) -> Lines<R> {
        Lines { reader, buf: Vec::new(), number: 0, consume: 0 }
    }

    /// The next line without its newline, its 1-based number, and whether it was
    /// complete; `None` at the end.
    pub fn next_line(&mut self) -> std::io::Result<Option<(u64, &[u8], bool)>> {
        self.read().transpose().map(|line| line.map(|line| (line.number, line.bytes, line.complete)))
    }

    /// The next [`Line`]; `None` at the end.
    pub fn read(&mut self) -> Option<std::io::Result<Line<'_>>> {
        self.reader.consume(std::mem::take(&mut self.consume));
        self.buf.clear();
        let mut separator = None;
        loop {
            let available = match self.reader.fill_buf() {
                Ok(available) => available,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Some(Err(e)),
            };
            if available.is_empty() {
                if self.buf.is_empty() {
                    return None;
                }
                self.number += 1;
                return Some(Ok(Line { number: self.number, bytes: &self.buf, complete: false, separator }));
            }
            let start = self.buf.len();
            let newline = if separator.is_none() {
                match memchr::memchr2(b'\n', super::ENRICHMENT_SEPARATOR, available) {
                    Some(at) if available[at] == b'\n' => Some(at),
                    Some(at) => {
                        separator = Some(start + at);
                        memchr::memchr(b'\n', &available[at..]).map(|n| at + n)
                    }
                    None => None,
                }
            } else {
                memchr::memchr(b'\n', available)
            };
            match newline {
                Some(at) if self.buf.is_empty() => {
                    // The whole line is in the reader's buffer: borrow it.
                    self.consume = at + 1;
                    self.number += 1;
                    // Re-borrow for the returned lifetime.
                    let available = match self.reader.fill_buf() {
                        Ok(available) => available,
                        Err(e) => return Some(Err(e)),
                    };
                    return Some(Ok(Line { number: self.number, bytes: &available[..at], complete: true, separator }));
                }
                Some(at) => {
                    self.buf.extend_from_slice(&available[..at]);
                    self.reader.consume(at + 1);
                    self.number += 1;
                    return Some(Ok(Line { number: self.number, bytes: &self.buf, complete: true, separator }));
                }
                None => {
                    let n = available.len();
                    self.buf.extend_from_slice(available);
                    self.reader.consume(n);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_and_defaults() {
        let c = parse_log_config("# x\nlog_file = /srv/a.log\nend_of_event_timeout = 5\nfoo=bar\n");
        assert_eq!(c, LogConfig { log_file: "/srv/a.log".into(), eoe_timeout: 5 });
        assert_eq!(parse_log_config(""), LogConfig::default());
        assert_eq!(under_root(Path::new("/r"), Path::new("/var/log/x")), PathBuf::from("/r/var/log/x"));
    }

    #[test]
    fn rotation_is_oldest_first_and_gz_counts() {
        let dir = std::env::temp_dir().join(format!("dockaudit-rot-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for name in ["audit.log", "audit.log.1", "audit.log.2.gz", "audit.log.4"] {
            std::fs::write(dir.join(name), "").unwrap();
        }
        let got: Vec<String> = rotation(&dir.join("audit.log"))
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(got, ["audit.log.2.gz", "audit.log.1", "audit.log"]);
        let sources = resolve(Path::new("/"), &[Input::Path(dir.clone())]).unwrap();
        assert_eq!(sources.len(), 3);
        assert!(matches!(resolve(Path::new("/"), &[Input::Path(dir.join("nope"))]), Err(EventsError::Open { .. })));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn lines_report_an_unterminated_last_line() {
        let mut lines = Lines::new(std::io::BufReader::with_capacity(3, &b"a\nbc\x1dd\nlong line\x1d\nb"[..]));
        assert_eq!(lines.read().unwrap().unwrap().separator, None);
        let line = lines.read().unwrap().unwrap();
        assert_eq!((line.bytes, line.separator), (&b"bc\x1dd"[..], Some(2)));
        let line = lines.read().unwrap().unwrap();
        assert_eq!((line.bytes, line.separator, line.number), (&b"long line\x1d"[..], Some(9), 3));
        let mut lines = Lines::new(&b"a\nb"[..]);
        assert_eq!(lines.next_line().unwrap(), Some((1, &b"a"[..], true)));
        assert_eq!(lines.next_line().unwrap(), Some((2, &b"b"[..], false)));
        assert_eq!(lines.next_line().unwrap(), None);
    }
}
