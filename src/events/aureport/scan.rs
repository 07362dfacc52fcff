//! What aureport 3.0.9 reads from an event (`extract_search_items`, `src/ausearch-parse.c`,
//! with the options `aureport-options.c` sets for each report), ported field by field:
//! aureport finds fields with `strstr` on the whole line (up to the ENRICHED separator),
//! each search starting where the previous field ended, so `uid=` can land in `auid=`,
//! `exe=` is searched from the line's start, and a missing field either is skipped or
//! fails the whole event ("malformed", left out of every report). The same searches, in
//! the same order, from the same places, give the same values and the same failures.
//!
//! Only what the key, file, executable, syscall and user reports read is ported (pid,
//! auid, uid, success, syscall, exe, comm, key, file names, terminal, host); subject and
//! object contexts, sessions, gids and exit codes are not read by those reports.

use super::super::record::{types, Record, ENRICHMENT_SEPARATOR};

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

/// `strstr(hay + from, needle)`, as an index into `hay`.
fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let from = from.min(hay.len());
    memchr::memmem::find(&hay[from..], needle).map(|i| from + i)
}

/// `strchr(hay + from, c)`.
fn chr(hay: &[u8], from: usize, c: u8) -> Option<usize> {
    let from = from.min(hay.len());
    memchr::memchr(c, &hay[from..]).map(|i| from + i)
}

/// `strtoul(text, NULL, base)` on a string that ends at `text`'s end: whitespace, a sign,
/// digits; `None` where errno would be ERANGE.
fn strtoul(text: &[u8], base: u32) -> Option<u64> {
    let mut rest = text;
    while let [c, tail @ ..] = rest {
        if !c.is_ascii_whitespace() {
            break;
        }
        rest = tail;
    }
    let negative = rest.first() == Some(&b'-');
    if matches!(rest.first(), Some(b'-' | b'+')) {
        rest = &rest[1..];
    }
    let mut n: u64 = 0;
    for &c in rest {
        let Some(d) = (c as char).to_digit(base) else { break };
        n = n.checked_mul(u64::from(base))?.checked_add(u64::from(d))?;
    }
    Some(if negative { n.wrapping_neg() } else { n })
}

/// The number at `msg[from..to]` (to the line's end without `to`), or the event fails.
fn number(msg: &[u8], from: usize, to: Option<usize>) -> Result<u64, ()> {
    strtoul(&msg[from.min(msg.len())..to.unwrap_or(msg.len()).max(from).min(msg.len())], 10).ok_or(())
}

/// ausearch's `unescape`: `(…)` kept up to its `)`; else the leading hex digits decoded
/// (an odd last digit is a high nibble), cut at a NUL; fewer than two digits: `None`.
pub fn unescape(text: &[u8]) -> Option<Vec<u8>> {
    if text.first() == Some(&b'(') {
        let close = memchr::memchr(b')', text)?;
        return Some(text[..=close].to_vec());
    }
    let digits = text.iter().take_while(|c| c.is_ascii_hexdigit()).count();
    if digits < 2 {
        return None;
    }
    let nibble = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
    let mut out: Vec<u8> =
        text[..digits].chunks(2).map(|p| nibble(p[0]) << 4 | p.get(1).map_or(0, |&c| nibble(c))).collect();
    if let Some(nul) = out.iter().position(|&b| b == 0) {
        out.truncate(nul);
    }
    Some(out)
}

/// A quoted value from `at` (just past `name=`): up to the closing quote, which must exist.
fn quoted(msg: &[u8], at: usize) -> Option<(Vec<u8>, usize)> {
    let close = chr(msg, at + 1, b'"')?;
    Some((msg[at + 1..close].to_vec(), close))
}

/// A string value at `at`: quoted, or hex (`unescape`, which may give nothing).
/// `Err` when the closing quote is missing.
fn string_at(msg: &[u8], at: usize) -> Result<(Option<Vec<u8>>, Option<usize>), ()> {
    if msg.get(at) == Some(&b'"') {
        let (text, close) = quoted(msg, at).ok_or(())?;
        Ok((Some(text), Some(close)))
    } else {
        Ok((unescape(&msg[at.min(msg.len())..]), None))
    }
}

/// The user-space records' string: quoted, hex when every byte to the next space is a hex
/// digit, else as written (old auditd's unescaped text).
fn legacy_string(msg: &[u8], at: usize) -> Result<(Option<Vec<u8>>, usize), ()> {
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
    let end = line.iter().position(|&b| b == 0 || b == ENRICHMENT_SEPARATOR).unwrap_or(line.len());
    &line[..end]
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

struct Parser<'s> {
    s: &'s mut Items,
    w: Wanted,
}

type Step = Result<(), ()>;

/// ausearch skips the first 28 bytes of PATH and CWD lines (`NAME_OFFSET`: type and time).
const NAME_OFFSET: usize = 28;

impl Parser<'_> {
    /// `parse_syscall`.
    fn syscall(&mut self, msg: &[u8]) -> Step {
        let at = find(msg, 0, b"syscall=").ok_or(())? + 8;
        let term = chr(msg, at, b' ').ok_or(())?;
        self.s.syscall = number(msg, at, Some(term))? as i32;
        let mut term = term;
        if let Some(at) = find(msg, term, b"success=") {
            let at = at + 8;
            term = chr(msg, at, b' ').ok_or(())?;
            self.s.success = if &msg[at..term] == b"yes" { SUCCEEDED } else { FAILED };
        }
        for arg in [b"a0=", b"a1="] {
            let at = find(msg, term, arg).ok_or(())? + 3;
            term = chr(msg, at, b' ').ok_or(())?;
            strtoul(&msg[at..term], 16).ok_or(())?;
        }
        let term = self.task_info(msg, term)?;
        if self.w.key {
            if let Some(at) = find(msg, term, b"key=") {
                self.keys(msg, at + 4)?;
            }
        }
        Ok(())
    }

    /// A key value at `at`: quoted, or hex split on 0x01 (`strtok`: empty keys dropped).
    fn keys(&mut self, msg: &[u8], at: usize) -> Step {
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
    fn task_info(&mut self, msg: &[u8], mut term: usize) -> Result<usize, ()> {
        let at = find(msg, term, b" pid=").ok_or(())? + 5;
        term = chr(msg, at, b' ').ok_or(())?;
        self.s.pid = number(msg, at, Some(term))? as u32;
        let at = match find(msg, term, b"auid=") {
            Some(at) => at + 5,
            None => find(msg, term, b"loginuid=").ok_or(())? + 9,
        };
        term = chr(msg, at, b' ').ok_or(())?;
        self.s.auid = number(msg, at, Some(term))? as u32;
        if self.w.uid {
            let mut from = term;
            let at = loop {
                let at = find(msg, from, b"uid=").ok_or(())?;
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
            if let Some(at) = find(msg, term, b"tty=") {
                let at = at + 4;
                term = chr(msg, at, b' ').ok_or(())?;
                self.s.terminal = Some(msg[at..term].to_vec());
            }
        }
        if self.w.comm {
            let at = find(msg, term, b"comm=").ok_or(())? + 5;
            let (comm, close) = string_at(msg, at)?;
            self.s.comm = comm;
            term = close.unwrap_or(term);
        }
        if self.w.exe {
            // From the line's start, not from the last field.
            let at = find(msg, 0, b"exe=").ok_or(())? + 4;
            let (exe, close) = string_at(msg, at)?;
            self.s.exe = exe;
            term = close.unwrap_or(term);
        }
        if let Some(at) = find(msg, term, b"res=") {
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
        if let Some(at) = find(msg, NAME_OFFSET, b" cwd=") {
            let at = at + 5;
            let (cwd, _) = string_at(msg, at)?;
            if self.s.cwd.is_none() {
                self.s.cwd = cwd;
            }
        }
        Ok(())
    }

    /// `common_path_parser`: one file name at `at`.
    fn path_at(&mut self, msg: &[u8], at: usize) -> Step {
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

    fn push_file(&mut self, name: Vec<u8>) {
        self.s.files.get_or_insert_with(Vec::new).push(FileName { name, after_type: None });
    }

    /// `avc_parse_path`: ` path=`, required when files are wanted.
    fn avc_path(&mut self, msg: &[u8]) -> Step {
        if !self.w.file {
            return Ok(());
        }
        let at = find(msg, 0, b" path=").ok_or(())? + 6;
        self.path_at(msg, at)
    }

    /// `parse_path`.
    fn path(&mut self, msg: &[u8]) -> Step {
        if !self.w.file {
            return Ok(());
        }
        if let Some(at) = find(msg, NAME_OFFSET, b" name=") {
            let at = at + 6;
            self.path_at(msg, at)?;
            if let Some(t) = find(msg, at, b"type=") {
                if let Some(last) = self.s.files.as_mut().and_then(|f| f.last_mut()) {
                    last.after_type = Some(msg[t + 5..].to_vec());
                }
            }
        }
        Ok(())
    }

    /// `parse_user`; failures past 20 (aureport's numbers) are forgiven in a USER_AVC.
    fn user(&mut self, msg: &[u8], kind: u32) -> Step {
        self.user_coded(msg, kind).map_err(|_| ())
    }

    fn user_coded(&mut self, msg: &[u8], kind: u32) -> Result<(), u8> {
        let at = find(msg, 0, b"pid=").ok_or(1u8)? + 4;
        let mut term = chr(msg, at, b' ').ok_or(1u8)?;
        self.s.pid = number(msg, at, Some(term)).map_err(|()| 1u8)? as u32;
        if self.w.uid {
            let at = find(msg, term, b"uid=").ok_or(1u8)? + 4;
            term = chr(msg, at, b' ').ok_or(1u8)?;
            self.s.uid = number(msg, at, Some(term)).map_err(|()| 1u8)? as u32;
        }
        let at = match find(msg, term, b"auid=") {
            Some(at) => at + 5,
            None => find(msg, term, b"loginuid=").ok_or(1u8)? + 9,
        };
        term = chr(msg, at, b' ').ok_or(1u8)?;
        self.s.auid = number(msg, at, Some(term)).map_err(|()| 1u8)? as u32;
        // VIRT_RESOURCE names a disk.
        if kind == 2501 && self.w.file {
            let found =
                find(msg, term, b" path=").map(|a| a + 6).or_else(|| find(msg, term, b" new-disk=").map(|a| a + 10));
            if let Some(at) = found {
                self.path_at(msg, at).map_err(|()| 1u8)?;
                term = at;
            }
        }
        if self.w.uid {
            // Some records' second uid is the one wanted (USER_LOGIN).
            // A retry past `auid=` moves where the next fields are searched from.
            while let Some(at) = find(msg, term, b"uid=") {
                let before = if at > 0 { msg[at - 1] } else { 0 };
                if before == b'a' {
                    term = at + 1;
                    continue;
                }
                if before == b's' || before == b'u' {
                    break;
                }
                if before != b'\'' && before != b' ' {
                    return Err(25);
                }
                let digits = msg[at + 4..].iter().take_while(|c| c.is_ascii_digit()).count();
                if digits == 0 {
                    return Err(14);
                }
                term = at + 4 + digits;
                self.s.uid = number(msg, at + 4, Some(term)).map_err(|()| 1u8)? as u32;
                break;
            }
        }
        let mut mptr = term;
        if self.w.comm {
            if let Some(at) = find(msg, mptr, b"comm=") {
                let (comm, close) = string_at(msg, at + 5).map_err(|()| 16u8)?;
                self.s.comm = comm;
                term = close.unwrap_or(term);
            }
        }
        if let Some(at) = find(msg, mptr, b"acct=") {
            let at = at + 5;
            term = if msg.get(at) == Some(&b'"') {
                chr(msg, at + 1, b'"').unwrap_or(msg.len())
            } else {
                chr(msg, at, b' ').unwrap_or(msg.len())
            };
        }
        mptr = term;
        if self.w.terminal_host {
            if let Some(at) = find(msg, mptr, b"hostname=") {
                let at = at + 9;
                // A comma anywhere later ends it, as in aureport.
                let end = chr(msg, at, b',').or_else(|| chr(msg, at, b' ')).ok_or(17u8)?;
                let mut host = msg[at..end].to_vec();
                if host == b"?" {
                    if let Some(addr) = find(msg, end + 1, b"addr=") {
                        let addr = addr + 5;
                        let end = chr(msg, addr, b',').or_else(|| chr(msg, addr, b' ')).ok_or(18u8)?;
                        host = msg[addr..end].to_vec();
                    }
                }
                self.s.host = Some(host);
            }
        }
        if self.w.file {
            if let Some(at) = find(msg, mptr, b"cwd=") {
                let (cwd, _) = legacy_string(msg, at + 4).map_err(|()| 20u8)?;
                self.s.cwd = cwd;
            }
        }
        if self.w.terminal_host {
            if let Some(at) = find(msg, mptr, b"terminal=") {
                let at = at + 9;
                let end = chr(msg, at, b' ').or_else(|| chr(msg, at, b')')).ok_or(19u8)?;
                self.s.terminal = Some(msg[at..end].to_vec());
            }
        }
        if self.w.exe {
            if let Some(at) = find(msg, mptr, b"exe=") {
                let (exe, _) = legacy_string(msg, at + 4).map_err(|()| 26u8)?;
                self.s.exe = exe;
            }
        }
        if let Some(at) = find(msg, mptr, b"res=") {
            let at = at + 4;
            chr(msg, at, b'\'').ok_or(21u8)?;
            self.s.success = if msg[at..].starts_with(b"failed") { FAILED } else { SUCCEEDED };
        } else if let Some(at) = find(msg, mptr, b"result=") {
            let at = at + 7;
            let end = chr(msg, at, b')').ok_or(22u8)?;
            self.s.success = if msg[at..end].eq_ignore_ascii_case(b"success") { SUCCEEDED } else { FAILED };
        }
        Ok(())
    }

    /// `parse_avc`, for AVC and USER_AVC.
    fn avc(&mut self, msg: &[u8], kind: u32) -> Step {
        let mut term = 0;
        if let Some(at) = find(msg, 0, b"avc: ") {
            let at = at + 5;
            if let Some(brace) = chr(msg, at, b'{') {
                let denied = find(&msg[..brace], at, b"denied").is_some();
                self.s.success = if denied { FAILED } else { SUCCEEDED };
                let mut close = chr(msg, brace + 1, b'}').ok_or(())?;
                while close > 0 && msg[close - 1] == b' ' {
                    close -= 1;
                }
                term = close;
            }
        }
        if kind == types::USER_AVC {
            return match self.user_coded(msg, kind) {
                Err(code) if code <= 20 => Err(()),
                _ => Ok(()),
            };
        }
        if let Some(at) = find(msg, term, b"pid=") {
            let at = at + 4;
            term = chr(msg, at, b' ').ok_or(())?;
            self.s.pid = number(msg, at, Some(term))? as u32;
        }
        if self.w.comm && self.s.comm.is_none() {
            let at = find(msg, term, b"comm=").ok_or(())? + 5;
            if msg.get(at) == Some(&b'"') {
                let (comm, close) = quoted(msg, at).ok_or(())?;
                self.s.comm = Some(comm);
                term = close;
            } else {
                self.s.comm = Some(unescape(&msg[at.min(msg.len())..]).ok_or(())?);
                term = at + 6;
            }
        }
        if self.w.file {
            let found = find(msg, term, b" path=").or_else(|| find(msg, term, b" name="));
            if let Some(at) = found {
                self.path_at(msg, at + 6)?;
                term += 7;
            }
        }
        find(msg, term, b"tclass=").ok_or(())?;
        Ok(())
    }

    /// `parse_login`.
    fn login(&mut self, msg: &[u8]) -> Step {
        let at = find(msg, 0, b"pid=").ok_or(())? + 4;
        let mut term = Some(chr(msg, at, b' ').ok_or(())?);
        self.s.pid = number(msg, at, term)? as u32;
        if self.w.uid {
            let from = term.unwrap_or(0);
            let at = find(msg, from, b"uid=").ok_or(())? + 4;
            term = Some(chr(msg, at, b' ').ok_or(())?);
            self.s.uid = number(msg, at, term)? as u32;
        }
        let from = term.unwrap_or(0);
        let at = if let Some(at) = find(msg, from, b"new auid=") {
            at + 9
        } else if let Some(at) = find(msg, from, b" auid=") {
            at + 6
        } else {
            find(msg, from, b"new loginuid=").ok_or(())? + 13
        };
        term = chr(msg, at, b' ');
        self.s.auid = number(msg, at, term)? as u32;
        let from = term.unwrap_or(0);
        match find(msg, from, b"res=") {
            Some(at) => {
                let at = at + 4;
                let end = chr(msg, at, b' ');
                self.s.success = number(msg, at, end)? as i32 as Success;
            }
            // An old kernel's LOGIN always succeeded.
            None => self.s.success = SUCCEEDED,
        }
        Ok(())
    }

    /// `parse_daemon1`: auditd's own records.
    fn daemon1(&mut self, msg: &[u8]) -> Step {
        let mptr = chr(msg, 0, b')').unwrap_or(0);
        let at = find(msg, mptr, b"auid=").ok_or(())? + 5;
        let mut term = chr(msg, at, b' ').ok_or(())?;
        self.s.auid = number(msg, at, Some(term))? as u32;
        let at = find(msg, term, b"pid=").ok_or(())? + 4;
        term = chr(msg, at, b' ').ok_or(())?;
        self.s.pid = number(msg, at, Some(term))? as u32;
        if self.w.uid {
            if let Some(at) = find(msg, term, b" uid=") {
                let at = at + 5;
                let end = chr(msg, at, b' ').ok_or(())?;
                self.s.uid = number(msg, at, Some(end))? as u32;
            }
        }
        if let Some(at) = find(msg, mptr, b"res=") {
            let at = at + 4;
            let letters = msg[at..].iter().take_while(|c| c.is_ascii_alphabetic()).count();
            if letters == 0 {
                return Err(());
            }
            self.s.success = if msg[at..].starts_with(b"failed") { FAILED } else { SUCCEEDED };
        }
        Ok(())
    }

    /// `parse_daemon2`: a remote client of auditd.
    fn daemon2(&mut self, msg: &[u8]) -> Step {
        let mut term = 0;
        if self.w.terminal_host {
            if let Some(at) = find(msg, 0, b"addr=") {
                let at = at + 5;
                term = chr(msg, at, b':').or_else(|| chr(msg, at, b' ')).ok_or(())?;
                self.s.host = Some(msg[at..term].to_vec());
            }
        }
        if let Some(at) = find(msg, term, b"res=") {
            let at = at + 4;
            let letters = msg[at..].iter().take_while(|c| c.is_ascii_alphabetic()).count();
            if letters == 0 {
                return Err(());
            }
            self.s.success = if msg[at..].starts_with(b"failed") { FAILED } else { SUCCEEDED };
        }
        Ok(())
    }

    /// `parse_simple_message`: CONFIG_CHANGE and the MAC records.
    fn simple_message(&mut self, msg: &[u8], kind: u32) -> Step {
        let mut term = 0;
        match find(msg, 0, b"auid=") {
            // Old kernels' CONFIG_CHANGE has no auid.
            None if kind != types::CONFIG_CHANGE => return Err(()),
            None => {}
            Some(at) => {
                let at = at + 5;
                let end = chr(msg, at, b' ');
                self.s.auid = number(msg, at, end)? as u32;
                term = end.unwrap_or(at);
            }
        }
        if self.w.key {
            if let Some(at) = find(msg, term, b"key=") {
                let at = at + 4;
                self.keys(msg, at)?;
                if msg.get(at) == Some(&b'"') {
                    term = chr(msg, at + 1, b'"').unwrap_or(term);
                }
            }
        }
        if kind == types::CONFIG_CHANGE {
            self.s.success = SUCCEEDED;
        }
        if let Some(at) = find(msg, term, b"res=") {
            let at = at + 4;
            let end = chr(msg, at, b' ');
            self.s.success = number(msg, at, end)? as i32 as Success;
        }
        Ok(())
    }

    /// `parse_kernel_anom`: SECCOMP, ANOM_PROMISCUOUS, ANOM_ABEND.
    fn kernel_anom(&mut self, msg: &[u8], kind: u32) -> Step {
        let at = find(msg, 0, b"auid=").ok_or(())? + 5;
        let end = chr(msg, at, b' ');
        self.s.auid = number(msg, at, end)? as u32;
        let mut term = end.unwrap_or(at);
        if self.w.uid {
            if let Some(at) = find(msg, term, b"uid=") {
                let at = at + 4;
                term = chr(msg, at, b' ').ok_or(())?;
                self.s.uid = number(msg, at, Some(term))? as u32;
            }
        }
        if kind == 1700 {
            return Ok(());
        }
        if let Some(at) = find(msg, term, b"pid=") {
            let at = at + 4;
            term = chr(msg, at, b' ').ok_or(())?;
            self.s.pid = number(msg, at, Some(term))? as u32;
        }
        if self.w.comm {
            if let Some(at) = find(msg, term, b"comm=") {
                let (comm, close) = string_at(msg, at + 5)?;
                self.s.comm = comm;
                term = close.unwrap_or(term);
            }
        }
        if self.w.exe {
            match find(msg, term, b"exe=") {
                Some(at) => {
                    let (exe, close) = string_at(msg, at + 4)?;
                    self.s.exe = exe;
                    term = close.unwrap_or(term);
                }
                None if kind != 1701 => return Err(()),
                None => {}
            }
        }
        if kind == 1326 {
            let Some(at) = find(msg, term, b"arch=") else { return Ok(()) };
            let at = at + 5;
            term = chr(msg, at, b' ').ok_or(())?;
            strtoul(&msg[at..term], 16).ok_or(())?;
            let at = find(msg, term, b"syscall=").ok_or(())? + 8;
            term = chr(msg, at, b' ').ok_or(())?;
            self.s.syscall = number(msg, at, Some(term))? as i32;
        }
        if let Some(at) = find(msg, term, b"res=") {
            let at = at + 4;
            let end = chr(msg, at, b' ');
            self.s.success = number(msg, at, end)? as i32 as Success;
        }
        Ok(())
    }

    /// `parse_kernel`: NETFILTER_CFG, EVENT_LISTENER; fills only what is still unset.
    fn kernel(&mut self, msg: &[u8]) -> Step {
        let mut term = 0;
        if self.s.pid == u32::MAX {
            let at = find(msg, 0, b" pid=").ok_or(())? + 5;
            term = chr(msg, at, b' ').ok_or(())?;
            self.s.pid = number(msg, at, Some(term))? as u32;
        }
        if self.s.uid == u32::MAX && self.w.uid {
            match find(msg, term, b"uid=") {
                Some(at) => {
                    let at = at + 4;
                    term = chr(msg, at, b' ').ok_or(())?;
                    self.s.uid = number(msg, at, Some(term))? as u32;
                }
                None => self.s.uid = 0,
            }
        }
        if self.s.auid == NO_AUID {
            match find(msg, term, b"auid=") {
                Some(at) => {
                    let at = at + 5;
                    term = chr(msg, at, b' ').ok_or(())?;
                    self.s.auid = number(msg, at, Some(term))? as u32;
                }
                None => self.s.auid = u32::MAX,
            }
        }
        if self.s.terminal.is_none() && self.w.terminal_host {
            match find(msg, term, b"tty=") {
                Some(at) => {
                    let at = at + 4;
                    term = chr(msg, at, b' ').ok_or(())?;
                    self.s.terminal = Some(msg[at..term].to_vec());
                }
                None => self.s.terminal = Some(b"(none)".to_vec()),
            }
        }
        if self.s.comm.is_none() && self.w.comm {
            let at = find(msg, term, b"comm=").ok_or(())? + 5;
            let (comm, close) = string_at(msg, at)?;
            self.s.comm = comm;
            term = close.unwrap_or(term);
        }
        if self.s.exe.is_none() && self.w.exe {
            match find(msg, 0, b"exe=") {
                Some(at) => {
                    let (exe, close) = string_at(msg, at + 4)?;
                    self.s.exe = exe;
                    term = close.unwrap_or(term);
                }
                None => self.s.exe = Some(b"(null)".to_vec()),
            }
        }
        if let Some(at) = find(msg, term, b"res=") {
            let at = at + 4;
            let end = chr(msg, at, b' ');
            self.s.success = number(msg, at, end)? as i32 as Success;
        }
        Ok(())
    }

    /// `parse_pkt`: NETFILTER_PKT's source address is its host.
    fn pkt(&mut self, msg: &[u8]) -> Step {
        if self.w.terminal_host {
            if let Some(at) = find(msg, 0, b"saddr=") {
                let at = at + 6;
                let end = chr(msg, at, b' ').ok_or(())?;
                self.s.host = Some(msg[at..end].to_vec());
            }
        }
        Ok(())
    }

    /// `parse_tty`.
    fn tty(&mut self, msg: &[u8]) -> Step {
        let mut term = 0;
        if let Some(at) = find(msg, 0, b"pid=") {
            let at = at + 4;
            term = chr(msg, at, b' ').ok_or(())?;
            self.s.pid = number(msg, at, Some(term))? as u32;
        }
        if self.w.uid {
            if let Some(at) = find(msg, term, b" uid=") {
                let at = at + 4;
                term = chr(msg, at, b' ').ok_or(())?;
                self.s.uid = number(msg, at, Some(term))? as u32;
            }
        }
        let at = find(msg, term, b"auid=").ok_or(())? + 5;
        let end = chr(msg, at, b' ');
        self.s.auid = number(msg, at, end)? as u32;
        term = end.unwrap_or(at);
        if self.w.comm {
            if let Some(at) = find(msg, term, b"comm=") {
                self.s.comm = string_at(msg, at + 5)?.0;
            }
        }
        Ok(())
    }

    /// `parse_integrity`.
    fn integrity(&mut self, msg: &[u8]) -> Step {
        let mut term = 0;
        if let Some(at) = find(msg, 0, b"pid=") {
            let at = at + 4;
            term = chr(msg, at, b' ').ok_or(())?;
            self.s.pid = number(msg, at, Some(term))? as u32;
        }
        if self.w.uid {
            if let Some(at) = find(msg, term, b" uid=") {
                let at = at + 4;
                term = chr(msg, at, b' ').ok_or(())?;
                self.s.uid = number(msg, at, Some(term))? as u32;
            }
        }
        // From the line's start.
        if let Some(at) = find(msg, 0, b"auid=") {
            let at = at + 5;
            term = chr(msg, at, b' ').ok_or(())?;
            self.s.auid = number(msg, at, Some(term))? as u32;
        }
        if self.w.comm {
            if let Some(at) = find(msg, term, b"comm=") {
                let (comm, close) = string_at(msg, at + 5)?;
                self.s.comm = comm;
                term = close.unwrap_or(term);
            }
        }
        if self.w.file {
            if let Some(at) = find(msg, term, b" name=") {
                self.path_at(msg, at + 6)?;
            }
        }
        if let Some(at) = find(msg, term, b"res=") {
            let at = at + 4;
            let end = chr(msg, at, b' ');
            self.s.success = number(msg, at, end)? as i32 as Success;
        }
        Ok(())
    }

    /// `parse_sockaddr`: a unix socket's path is a file name, an IP address the host.
    fn sockaddr(&mut self, msg: &[u8]) -> Step {
        if !(self.w.terminal_host || self.w.file) {
            return Ok(());
        }
        let Some(at) = find(msg, 0, b"saddr=") else { return Ok(()) };
        let at = at + 6;
        let text = &msg[at..];
        let len = if text.first() == Some(&b'(') {
            memchr::memchr(b')', text).map_or(0, |c| c + 1)
        } else {
            text.iter().take_while(|c| c.is_ascii_hexdigit()).count() / 2
        };
        // unescape's result is a C string: what follows a NUL is lost, and with it the
        // address (sa_family's high byte is 0). Decode all the digits instead.
        let digits = text.iter().take_while(|c| c.is_ascii_hexdigit()).count();
        if text.first() != Some(&b'(') && digits < 2 {
            return Err(());
        }
        let bytes: Vec<u8> = if text.first() == Some(&b'(') {
            unescape(text).ok_or(())?
        } else {
            let nibble = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
            text[..digits].chunks(2).map(|p| nibble(p[0]) << 4 | p.get(1).map_or(0, |&c| nibble(c))).collect()
        };
        let family = u16::from_ne_bytes([bytes.first().copied().unwrap_or(0), bytes.get(1).copied().unwrap_or(0)]);
        match family as i32 {
            libc::AF_INET if len < 16 => Err(()),
            libc::AF_INET6 if len < 28 => Err(()),
            libc::AF_INET if self.w.terminal_host => {
                self.s.host = Some(format!("{}.{}.{}.{}", bytes[4], bytes[5], bytes[6], bytes[7]).into_bytes());
                Ok(())
            }
            libc::AF_INET6 if self.w.terminal_host => {
                let mut octets = [0u8; 16];
                octets.copy_from_slice(&bytes[8..24]);
                self.s.host = Some(std::net::Ipv6Addr::from(octets).to_string().into_bytes());
                Ok(())
            }
            libc::AF_UNIX if len < 4 => Err(()),
            libc::AF_UNIX if self.w.file => {
                let path = &bytes[2..];
                let path = if path.first() == Some(&0) { &path[1..] } else { path };
                let end = path.iter().position(|&b| b == 0).unwrap_or(path.len());
                self.push_file(path[..end].to_vec());
                Ok(())
            }
            _ => Ok(()),
        }
    }
}
