//! What aureport 3.0.9 reads from an event (`extract_search_items`, `src/ausearch-parse.c`,
//! with the options `aureport-options.c` sets for each report), ported field by field:
//! aureport finds fields with `strstr` on the whole line (up to the ENRICHED separator),
//! each search starting where the previous field ended, so `uid=` can land in `auid=`,
//! `exe=` is searched from the line's start, and a missing field either is skipped or
//! fails the whole event ("malformed", left out of every report). The same searches, in
//! the same order, from the same places, give the same values and the same failures.
//!
//! The kernel's syscall records are read here, the others in `scan_records`.
//!
//! Only what the key, file, executable, syscall and user reports read is ported (pid,
//! auid, uid, success, syscall, exe, comm, key, file names, terminal, host); subject and
//! object contexts, sessions, gids and exit codes are not read by those reports.

use super::super::record::{types, Record, ENRICHMENT_SEPARATOR};
use crate::events::cstr::{self, chr, find_lit, strtoul};

/// Which fields a report asks for (`event_exe = dummy` etc. in `aureport-options.c`);
/// pid, auid and success are always read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Wanted {
    /// `event_exe`.
    pub exe: bool,
    /// `event_key`.
    pub key: bool,
    /// `event_filename`: file names, the CWD, unix socket paths.
    pub file: bool,
    /// `event_comm`.
    pub comm: bool,
    /// `event_terminal` and `event_hostname` (always set together here).
    pub terminal_host: bool,
    /// `event_uid`.
    pub uid: bool,
}

/// aureport's `success_t`, as the number it stores (`res=2` stays 2: "unset" when printed).
pub type Success = i64;
/// `S_UNSET`.
pub const UNSET: Success = -1;
/// `S_FAILED`.
pub const FAILED: Success = 0;
/// `S_SUCCESS`.
pub const SUCCEEDED: Success = 1;

/// aureport's "no auid yet" (`loginuid = -2` in a `uid_t`): an event logged with
/// `auid=4294967294` reads as having none.
pub const NO_AUID: u32 = u32::MAX - 1;

/// One file name of an event, with what followed `type=` after it (aureport's `PARENT` test).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileName {
    /// The name as aureport lists it (hex decoded, `./x` joined to the CWD).
    pub name: Vec<u8>,
    /// The rest of the line after the first `type=` past the name, if any.
    pub after_type: Option<Vec<u8>>,
}

/// The `search_items` of one event (`ausearch-llist.h`), with aureport's initial values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Items {
    /// `pid`, -1 (printed `%u`: 4294967295) when none.
    pub pid: u32,
    /// `uid`, `u32::MAX` when none.
    pub uid: u32,
    /// `loginuid`, [`NO_AUID`] when none.
    pub auid: u32,
    /// `success`.
    pub success: Success,
    /// `syscall` (an `int`), 0 when none.
    pub syscall: i32,
    /// `exe`.
    pub exe: Option<Vec<u8>>,
    /// `comm`.
    pub comm: Option<Vec<u8>>,
    /// `terminal`.
    pub terminal: Option<Vec<u8>>,
    /// `hostname`.
    pub host: Option<Vec<u8>>,
    /// `cwd`.
    pub cwd: Option<Vec<u8>>,
    /// `key`: `None` when no record had a key field; multi-keys split on 0x01.
    pub keys: Option<Vec<Vec<u8>>>,
    /// `filename`: `None` when no record named a file.
    pub files: Option<Vec<FileName>>,
}

impl Default for Items {
    fn default() -> Items {
        Items {
            pid: u32::MAX,
            uid: u32::MAX,
            auid: NO_AUID,
            success: UNSET,
            syscall: 0,
            exe: None,
            comm: None,
            terminal: None,
            host: None,
            cwd: None,
            keys: None,
            files: None,
        }
    }
}

/// The number at `msg[from..to]` (to the line's end without `to`), or the event fails.
pub(super) fn number(msg: &[u8], from: usize, to: Option<usize>) -> Result<u64, ()> {
    cstr::number(msg, from, to, 10).map_err(drop)
}

/// ausearch's `unescape` as a C string: `(…)` kept up to its `)`; else the leading hex
/// digits decoded (an odd last digit is a high nibble), cut at a NUL; fewer than two
/// digits: `None`.
pub fn unescape(text: &[u8]) -> Option<Vec<u8>> {
    cstr::unescape(text, 0).map(cstr::cstring)
}

/// A quoted value from `at` (just past `name=`): up to the closing quote, which must exist.
pub(super) fn quoted(msg: &[u8], at: usize) -> Option<(Vec<u8>, usize)> {
    let close = chr(msg, at + 1, b'"')?;
    Some((msg[at + 1..close].to_vec(), close))
}

/// A string value at `at`: quoted, or hex (`unescape`, which may give nothing).
/// `Err` when the closing quote is missing.
pub(super) fn string_at(msg: &[u8], at: usize) -> Result<(Option<Vec<u8>>, Option<usize>), ()> {
    if msg.get(at) == Some(&b'"') {
        let (text, close) = quoted(msg, at).ok_or(())?;
        Ok((Some(text), Some(close)))
    } else {
        Ok((unescape(&msg[at.min(msg.len())..]), None))
    }
}

/// The user-space records' string: quoted, hex when every byte to the next space is a hex
/// digit, else as written (old auditd's unescaped text).
pub(super) fn legacy_string(msg: &[u8], at: usize) -> Result<(Option<Vec<u8>>, usize), ()> {
    if msg.get(at) == Some(&b'"') {
        let (text, close) = quoted(msg, at).ok_or(())?;
        return Ok((Some(text), close));
    }
    let end = chr(msg, at, b' ').unwrap_or(msg.len());
    let raw = &msg[at.min(end)..end];
    if raw.iter().all(u8::is_ascii_hexdigit) {
        Ok((unescape(raw), end))
    } else {
        Ok((Some(raw.to_vec()), end))
    }
}

fn is_user_record(kind: u32) -> bool {
    // AUDIT_USER, FIRST_USER_MSG..USER_END, USER_CHAUTHTOK..LAST_USER_MSG, the second
    // user range; USER_AVC (1107) is read by the AVC parser.
    kind == 1005 || (1100..=1106).contains(&kind) || (1108..=1199).contains(&kind) || (2100..=2999).contains(&kind)
}

/// The line as aureport's parsers see it: cut at its first NUL or ENRICHED separator.
fn message<'a>(record: &Record<'a>) -> &'a [u8] {
    let line = record.line;
    let end = memchr::memchr2(0, ENRICHMENT_SEPARATOR, line).unwrap_or(line.len());
    &line[..end]
}

/// Whether [`scan`] reads anything from a record of this type: the others (EOE,
/// PROCTITLE, and the file records when no file is wanted) need not be parsed at all.
pub fn reads(kind: u32, wanted: Wanted) -> bool {
    match kind {
        types::EOE | types::PROCTITLE => false,
        types::CWD | types::PATH | types::AVC_PATH => wanted.file,
        _ => true,
    }
}

/// Reads the event's records in order as aureport does; `None` when a record fails to
/// parse (aureport leaves such an event out).
pub fn scan<'a>(records: impl Iterator<Item = Record<'a>>, wanted: Wanted) -> Option<Items> {
    let mut s = Items::default();
    let mut p = Parser { s: &mut s, w: wanted };
    for record in records {
        let msg = message(&record);
        let ok = match record.kind {
            types::SYSCALL => p.syscall(msg),
            types::CWD => p.dir(msg),
            types::AVC_PATH => p.avc_path(msg),
            types::PATH => p.path(msg),
            types::LOGIN => p.login(msg),
            types::AVC | types::USER_AVC => p.avc(msg, record.kind),
            types::CONFIG_CHANGE => {
                let ok = p.simple_message(msg, record.kind);
                // aureport ignores this one's failure: old kernels have no path.
                let _ = p.avc_path(msg);
                ok
            }
            kind if is_user_record(kind) => p.user(msg, kind),
            // DAEMON_START..DAEMON_RESUME less DAEMON_RECONFIG (1204).
            1200..=1203 | 1205 | 1206 => p.daemon1(msg),
            // DAEMON_ACCEPT, DAEMON_CLOSE.
            1207 | 1208 => p.daemon2(msg),
            // SOCKADDR.
            1306 => p.sockaddr(msg),
            // FEATURE_CHANGE, ANOM_LINK.
            1328 | 1702 => p.task_info(msg, 0).map(|_| ()),
            // SECCOMP, ANOM_PROMISCUOUS, ANOM_ABEND.
            1326 | 1700 | 1701 => p.kernel_anom(msg, record.kind),
            types::MAC_POLICY_LOAD..=types::MAC_UNLBL_STCDEL => p.simple_message(msg, record.kind),
            // NETFILTER_CFG, EVENT_LISTENER.
            1325 | 1335 => p.kernel(msg),
            // NETFILTER_PKT.
            1324 => p.pkt(msg),
            // TTY.
            1319 => p.tty(msg),
            // INTEGRITY_DATA..INTEGRITY_RULE.
            1800..=1805 => p.integrity(msg),
            _ => Ok(()),
        };
        ok.ok()?;
    }
    Some(s)
}

pub(super) struct Parser<'s> {
    pub(super) s: &'s mut Items,
    pub(super) w: Wanted,
}

pub(super) type Step = Result<(), ()>;

/// ausearch skips the first 28 bytes of PATH and CWD lines (`NAME_OFFSET`: type and time).
pub(super) const NAME_OFFSET: usize = 28;

impl Parser<'_> {
    /// `parse_syscall`.
    fn syscall(&mut self, msg: &[u8]) -> Step {
        let at = find_lit!(msg, 0, b"syscall=").ok_or(())? + 8;
        let term = chr(msg, at, b' ').ok_or(())?;
        self.s.syscall = number(msg, at, Some(term))? as i32;
        let mut term = term;
        if let Some(at) = find_lit!(msg, term, b"success=") {
            let at = at + 8;
            term = chr(msg, at, b' ').ok_or(())?;
            self.s.success = if &msg[at..term] == b"yes" { SUCCEEDED } else { FAILED };
        }
        for a1 in [false, true] {
            let at = if a1 { find_lit!(msg, term, b"a1=") } else { find_lit!(msg, term, b"a0=") };
            let at = at.ok_or(())? + 3;
            term = chr(msg, at, b' ').ok_or(())?;
            strtoul(&msg[at..term], 16).map_err(drop)?;
        }
        let term = self.task_info(msg, term)?;
        if self.w.key {
            if let Some(at) = find_lit!(msg, term, b"key=") {
                self.keys(msg, at + 4)?;
            }
        }
        Ok(())
    }

    /// A key value at `at`: quoted, or hex split on 0x01 (`strtok`: empty keys dropped).
    pub(super) fn keys(&mut self, msg: &[u8], at: usize) -> Step {
        let list = self.s.keys.get_or_insert_with(Vec::new);
        if msg.get(at) == Some(&b'"') {
            let (key, _) = quoted(msg, at).ok_or(())?;
            list.push(key);
        } else {
            let text = unescape(&msg[at.min(msg.len())..]).ok_or(())?;
            list.extend(text.split(|&b| b == 0x01).filter(|k| !k.is_empty()).map(<[u8]>::to_vec));
        }
        Ok(())
    }

    /// `parse_task_info` from `term`; returns where the last field read ended.
    pub(super) fn task_info(&mut self, msg: &[u8], mut term: usize) -> Result<usize, ()> {
        let at = find_lit!(msg, term, b" pid=").ok_or(())? + 5;
        term = chr(msg, at, b' ').ok_or(())?;
        self.s.pid = number(msg, at, Some(term))? as u32;
        let at = match find_lit!(msg, term, b"auid=") {
            Some(at) => at + 5,
            None => find_lit!(msg, term, b"loginuid=").ok_or(())? + 9,
        };
        term = chr(msg, at, b' ').ok_or(())?;
        self.s.auid = number(msg, at, Some(term))? as u32;
        if self.w.uid {
            let mut from = term;
            let at = loop {
                let at = find_lit!(msg, from, b"uid=").ok_or(())?;
                // "This sometimes hits auid instead of uid. If so, retry."
                if at > 0 && msg[at - 1] == b'a' {
                    from = at + 1;
                    continue;
                }
                break at + 4;
            };
            term = chr(msg, at, b' ').ok_or(())?;
            self.s.uid = number(msg, at, Some(term))? as u32;
        }
        if self.w.terminal_host {
            if let Some(at) = find_lit!(msg, term, b"tty=") {
                let at = at + 4;
                term = chr(msg, at, b' ').ok_or(())?;
                self.s.terminal = Some(msg[at..term].to_vec());
            }
        }
        if self.w.comm {
            let at = find_lit!(msg, term, b"comm=").ok_or(())? + 5;
            let (comm, close) = string_at(msg, at)?;
            self.s.comm = comm;
            term = close.unwrap_or(term);
        }
        if self.w.exe {
            // From the line's start, not from the last field.
            let at = find_lit!(msg, 0, b"exe=").ok_or(())? + 4;
            let (exe, close) = string_at(msg, at)?;
            self.s.exe = exe;
            term = close.unwrap_or(term);
        }
        if let Some(at) = find_lit!(msg, term, b"res=") {
            let at = at + 4;
            let end = chr(msg, at, b' ');
            self.s.success = number(msg, at, end)? as i32 as Success;
            if let Some(end) = end {
                term = end;
            }
        }
        Ok(term)
    }

    /// `parse_dir`: the first CWD wins.
    fn dir(&mut self, msg: &[u8]) -> Step {
        if !self.w.file {
            return Ok(());
        }
        if let Some(at) = find_lit!(msg, NAME_OFFSET, b" cwd=") {
            let at = at + 5;
            let (cwd, _) = string_at(msg, at)?;
            if self.s.cwd.is_none() {
                self.s.cwd = cwd;
            }
        }
        Ok(())
    }

    /// `common_path_parser`: one file name at `at`.
    pub(super) fn path_at(&mut self, msg: &[u8], at: usize) -> Step {
        // The list exists once a name was looked at, even if it does not parse.
        self.s.files.get_or_insert_with(Vec::new);
        let mut name = if msg.get(at) == Some(&b'"') {
            quoted(msg, at).ok_or(())?.0
        } else if msg[at.min(msg.len())..].starts_with(b"(null)") {
            self.push_file(b"(null)".to_vec());
            return Ok(());
        } else if !msg.get(at).is_some_and(u8::is_ascii_hexdigit) {
            return Err(());
        } else if msg[at..].starts_with(b"00") {
            // An abstract socket name.
            unescape(&msg[at + 2..]).ok_or(())?
        } else {
            let end = chr(msg, at, b' ').ok_or(())?;
            unescape(&msg[at..end]).ok_or(())?
        };
        if name.first() == Some(&b'.') && matches!(name.get(1), Some(b'.' | b'/')) {
            if let Some(cwd) = &self.s.cwd {
                // snprintf into PATH_MAX bytes.
                let mut joined = cwd.clone();
                joined.push(b'/');
                joined.append(&mut name);
                joined.truncate(4095);
                name = joined;
            }
        }
        self.push_file(name);
        Ok(())
    }

    pub(super) fn push_file(&mut self, name: Vec<u8>) {
        self.s.files.get_or_insert_with(Vec::new).push(FileName { name, after_type: None });
    }

    /// `avc_parse_path`: ` path=`, required when files are wanted.
    pub(super) fn avc_path(&mut self, msg: &[u8]) -> Step {
        if !self.w.file {
            return Ok(());
        }
        let at = find_lit!(msg, 0, b" path=").ok_or(())? + 6;
        self.path_at(msg, at)
    }

    /// `parse_path`.
    fn path(&mut self, msg: &[u8]) -> Step {
        if !self.w.file {
            return Ok(());
        }
        if let Some(at) = find_lit!(msg, NAME_OFFSET, b" name=") {
            let at = at + 6;
            self.path_at(msg, at)?;
            if let Some(t) = find_lit!(msg, at, b"type=") {
                if let Some(last) = self.s.files.as_mut().and_then(|f| f.last_mut()) {
                    last.after_type = Some(msg[t + 5..].to_vec());
                }
            }
        }
        Ok(())
    }
}
