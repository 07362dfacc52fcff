//! ausearch 3.0.9's `extract_search_items` (`src/ausearch-parse.c`), ported for the
//! options dockaudit has: one parse function per record type, each a chain of
//! `strstr`s from where the previous field ended, over the record's whole message
//! (`node=… type=… msg=audit(…): …`). That is why the same field reads differently per
//! type: ANOM_ABEND's `uid` is `auid`'s value unless `auid` was read first (the search
//! for `uid=` finds `auid=`), NETFILTER_CFG without `uid=` is uid 0 and without `exe=` is
//! exe `(null)`, SECCOMP sets the syscall, a short AF_INET SOCKADDR drops its event under
//! `--path`. Which sections run depends on the options set ([`Wants`]), and a section
//! that fails (a missing field ausearch insists on, a number past `u64::MAX`, an unclosed
//! quote) gives the whole event up: [`extract`] returns `None`. Sections for options
//! dockaudit does not have (`-gi`, `-ue`, `-se`, `-tm`, `-hn`, `-c`, `-e`, …) never run,
//! as in ausearch without them.
//!
//! Not reproduced: ausearch writes a space over the `}` of an AVC whose permissions are
//! not followed by one (`{read}`), which shows in its output; kernels and user-space
//! managers always write `{ read }`.

use super::cstr::{at, chr, cstring, find, number, unescape, OutOfRange};
use crate::events::record::{types, Fields, Value};
use crate::events::text::Names;

const SOCKADDR: u32 = 1306;
const TTY: u32 = 1319;
const NETFILTER_CFG: u32 = 1325;
const SECCOMP: u32 = 1326;
const FEATURE_CHANGE: u32 = 1328;
const EVENT_LISTENER: u32 = 1335;
const ANOM_PROMISCUOUS: u32 = 1700;
const ANOM_ABEND: u32 = 1701;
const ANOM_LINK: u32 = 1702;
const VIRT_RESOURCE: u32 = 2501;
/// ausearch's initial `loginuid` (-2) and the `-ul` value that means "not set".
pub(super) const NO_LOGINUID: u32 = u32::MAX - 1;
/// `PATH_MAX`, which bounds a relative name joined to the CWD (`snprintf`).
const PATH_MAX: usize = 4096;
/// Where ausearch starts looking in CWD and PATH records (`NAME_OFFSET`).
const NAME_OFFSET: usize = 28;
/// `AUDIT_KEY_SEPARATOR`, between the keys of one rule.
const KEY_SEPARATOR: u8 = 0x01;

/// Which of ausearch's `event_*` options are set: which sections of the parser run.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Wants {
    /// `-p` (`event_pid != -1`).
    pub pid: bool,
    /// `-ui` (`event_uid != -1 || event_tuid`).
    pub uid: bool,
    /// `-ul` (`event_loginuid != -2 || event_tauid`).
    pub auid: bool,
    /// `-sv` (`event_success != S_UNSET`).
    pub success: bool,
    /// `-x`.
    pub exe: bool,
    /// `-k`.
    pub key: bool,
    /// `-f`.
    pub files: bool,
    /// SYSCALL's `arch=` is read (`-sc NAME` sets `event_machine`; `-i` reads it too).
    pub arch: bool,
}

/// ausearch's `search_items` for the options dockaudit has, with its initial values.
#[derive(Debug)]
pub(in crate::events) struct Facts {
    /// `pid_t`, stored as its bits.
    pub(super) pid: u32,
    pub(super) uid: u32,
    pub(super) loginuid: u32,
    /// The names `lookup_uid` gave for the last uid and auid read (NULL: none).
    pub(super) tuid: Option<Vec<u8>>,
    pub(super) tauid: Option<Vec<u8>>,
    /// `success_t`: -1 unset, 0 failed, 1 success, or whatever `res=` held.
    pub(super) success: i32,
    pub(super) arch: u32,
    pub(super) syscall: u32,
    pub(super) exe: Option<Vec<u8>>,
    /// Every key read, in order (several `-k` of one rule split on 0x01).
    pub(super) keys: Vec<Vec<u8>>,
    pub(super) files: Vec<Vec<u8>>,
    pub(super) cwd: Option<Vec<u8>>,
}

impl Default for Facts {
    fn default() -> Facts {
        Facts {
            pid: u32::MAX,
            uid: u32::MAX,
            loginuid: NO_LOGINUID,
            tuid: None,
            tauid: None,
            success: -1,
            arch: 0,
            syscall: 0,
            exe: None,
            keys: Vec::new(),
            files: Vec::new(),
            cwd: None,
        }
    }
}

/// The return code of a failed section (ausearch's `ret`, kept for debugging).
type Parsed = Result<(), u8>;

/// `?` on a number: ERANGE is the section's failure `code`.
fn num(m: &[u8], from: usize, to: Option<usize>, base: u32, code: u8) -> Result<u64, u8> {
    number(m, from, to, base).map_err(|OutOfRange| code)
}

/// The record types ausearch's parser reads something from for some option.
pub(super) fn parsed(kind: u32) -> bool {
    matches!(
        kind,
        types::SYSCALL
            | types::CWD
            | types::AVC_PATH
            | types::PATH
            | types::LOGIN
            | SOCKADDR
            | types::CONFIG_CHANGE
            | types::AVC
            | types::USER_AVC
            | FEATURE_CHANGE
            | ANOM_LINK
            | SECCOMP
            | ANOM_PROMISCUOUS
            | ANOM_ABEND
            | NETFILTER_CFG
            | EVENT_LISTENER
            | TTY
            | 1200..=1203
            | 1205..=1208
            | 1403..=1417
            | 1800..=1805
    ) || is_user(kind)
}

/// The types `parse_user` reads (USER_AVC goes through `parse_avc` first).
pub(super) fn is_user(kind: u32) -> bool {
    kind == 1005 || (1100..=1106).contains(&kind) || (1108..=1199).contains(&kind) || (2100..=2999).contains(&kind)
}

/// The types whose parse needs an identity option (pid, uid, auid, exe, success) or
/// `--path` to do anything; the others of [`parsed`] can fail whatever the options.
pub(super) fn identity_only(kind: u32) -> bool {
    is_user(kind) || matches!(kind, types::LOGIN | 1200..=1203 | 1205..=1208)
}

/// One pass of ausearch's parser over an event's records.
pub(super) struct Parser<'n> {
    pub wants: Wants,
    /// The ENRICHED part ausearch loaded for `lookup_uid`, if any.
    pub interps: Option<&'n [u8]>,
    pub names: &'n Names,
    pub facts: Facts,
}

impl Parser<'_> {
    /// `lookup_uid`: the loaded ENRICHED name, else root, unset, or /etc/passwd.
    fn lookup(&self, field: &str, id: u32) -> Option<Vec<u8>> {
        if let Some(enrichment) = self.interps {
            if let Some((_, v)) = Fields::new(enrichment).into_iter().find(|(n, _)| n.eq_ignore_ascii_case(field.as_bytes()))
            {
                return Some(interpreted_name(&v));
            }
        }
        self.names.user(id).map(String::into_bytes)
    }

    fn set_uid(&mut self, value: u64) {
        self.facts.uid = value as u32;
        self.facts.tuid = self.lookup("uid", self.facts.uid);
    }

    fn set_loginuid(&mut self, value: u64) {
        self.facts.loginuid = value as u32;
        self.facts.tauid = self.lookup("auid", self.facts.loginuid);
    }

    /// A quoted string up to its closing quote (`code` without one), else `unescape`d.
    /// Returns the value and where the closing quote is.
    fn string(m: &[u8], at_: usize, code: u8) -> Result<(Option<Vec<u8>>, Option<usize>), u8> {
        if at(m, at_) == b'"' {
            let close = chr(m, at_ + 1, b'"').ok_or(code)?;
            Ok((Some(m[at_ + 1..close].to_vec()), Some(close)))
        } else {
            Ok((unescape(m, at_).map(cstring), None))
        }
    }

    /// The bare value of user-space records' `exe=`, `cwd=`: hex unless a byte of it is
    /// not a hex digit (a legacy value, kept as written). Returns it and its end.
    fn legacy(m: &[u8], from: usize) -> (Option<Vec<u8>>, usize) {
        let end = from + m.get(from..).unwrap_or(b"").iter().take_while(|&&c| c != b' ').count();
        if m[from..end].iter().all(u8::is_ascii_hexdigit) {
            (unescape(m, from).map(cstring), end)
        } else {
            (Some(m[from..end].to_vec()), end)
        }
    }

    fn add_keys(&mut self, m: &[u8], at_: usize, quote_code: u8, null_code: u8) -> Parsed {
        if at(m, at_) == b'"' {
            let close = chr(m, at_ + 1, b'"').ok_or(quote_code)?;
            self.facts.keys.push(m[at_ + 1..close].to_vec());
        } else {
            let keys = cstring(unescape(m, at_).ok_or(null_code)?);
            self.facts.keys.extend(keys.split(|&b| b == KEY_SEPARATOR).filter(|k| !k.is_empty()).map(<[u8]>::to_vec));
        }
        Ok(())
    }

    /// One record (`m`: its message); `Err` gives the event up.
    pub fn record(&mut self, kind: u32, m: &[u8]) -> Parsed {
        match kind {
            types::SYSCALL => self.syscall(m),
            types::CWD => self.dir(m),
            types::AVC_PATH => self.avc_path(m),
            types::PATH => self.path(m),
            SOCKADDR => self.sockaddr(m),
            types::LOGIN => self.login(m),
            1200..=1203 | 1205 | 1206 => self.daemon1(m),
            1207 | 1208 => self.daemon2(m),
            types::CONFIG_CHANGE => {
                let ret = self.simple_message(kind, m);
                // Older kernels have no path=: the return is ignored.
                let _ = self.avc_path(m);
                ret
            }
            types::AVC | types::USER_AVC => self.avc(kind, m),
            FEATURE_CHANGE | ANOM_LINK => self.task_info(m),
            SECCOMP | ANOM_PROMISCUOUS | ANOM_ABEND => self.kernel_anom(kind, m),
            1403..=1417 => self.simple_message(kind, m),
            1800..=1805 => self.integrity(m),
            NETFILTER_CFG | EVENT_LISTENER => self.kernel(m),
            TTY => self.tty(m),
            k if is_user(k) => self.user(k, m),
            _ => Ok(()),
        }
    }

    fn task_info(&mut self, m: &[u8]) -> Parsed {
        let w = self.wants;
        let mut term = 0;
        if w.pid {
            let ptr = find(m, term, b" pid=").ok_or(16)? + 5;
            term = chr(m, ptr, b' ').ok_or(17)?;
            self.facts.pid = num(m, ptr, Some(term), 10, 18)? as u32;
        }
        if w.auid {
            let ptr = match find(m, term, b"auid=") {
                Some(s) => s + 5,
                None => find(m, term, b"loginuid=").ok_or(19)? + 9,
            };
            term = chr(m, ptr, b' ').ok_or(20)?;
            self.set_loginuid(num(m, ptr, Some(term), 10, 21)?);
        }
        if w.uid {
            let ptr = loop {
                let s = find(m, term, b"uid=").ok_or(22)?;
                // "This sometimes hits auid instead of uid. If so, retry."
                if s > 0 && m[s - 1] == b'a' {
                    term = s + 1;
                    continue;
                }
                break s + 4;
            };
            term = chr(m, ptr, b' ').ok_or(23)?;
            self.set_uid(num(m, ptr, Some(term), 10, 24)?);
        }
        if w.exe {
            let s = find(m, 0, b"exe=").ok_or(40)? + 4;
            let (exe, close) = Self::string(m, s, 39)?;
            self.facts.exe = exe;
            term = close.unwrap_or(term);
        }
        if w.success {
            if let Some(s) = find(m, term, b"res=") {
                let ptr = s + 4;
                self.facts.success = num(m, ptr, chr(m, ptr, b' '), 10, 43)? as i32;
            }
        }
        Ok(())
    }

    fn syscall(&mut self, m: &[u8]) -> Parsed {
        let w = self.wants;
        let mut term = 0;
        if w.arch {
            let ptr = find(m, term, b"arch=").ok_or(1)? + 5;
            term = chr(m, ptr, b' ').ok_or(2)?;
            self.facts.arch = num(m, ptr, Some(term), 16, 3)? as u32;
        }
        let ptr = find(m, term, b"syscall=").ok_or(4)? + 8;
        term = chr(m, ptr, b' ').ok_or(5)?;
        self.facts.syscall = num(m, ptr, Some(term), 10, 6)? as u32;
        if w.success {
            // exit_group has none.
            if let Some(s) = find(m, term, b"success=") {
                let ptr = s + 8;
                term = chr(m, ptr, b' ').ok_or(7)?;
                self.facts.success = i32::from(&m[ptr..term] == b"yes");
            }
        }
        for arg in [&b"a0="[..], b"a1="] {
            let ptr = find(m, term, arg).ok_or(11)? + 3;
            term = chr(m, ptr, b' ').ok_or(12)?;
            num(m, ptr, Some(term), 16, 13)?;
        }
        self.task_info(m)?;
        if w.key {
            if let Some(s) = find(m, term, b"key=") {
                self.add_keys(m, s + 4, 44, 45)?;
            }
        }
        Ok(())
    }

    fn dir(&mut self, m: &[u8]) -> Parsed {
        if !self.wants.files {
            return Ok(());
        }
        if let Some(s) = find(m, NAME_OFFSET.min(m.len()), b" cwd=") {
            let (cwd, _) = Self::string(m, s + 5, 1)?;
            if self.facts.cwd.is_none() {
                self.facts.cwd = cwd;
            }
        }
        Ok(())
    }

    /// `common_path_parser`: one file name at `path`, relative ones joined to the CWD.
    fn path_value(&mut self, m: &[u8], path: usize) -> Parsed {
        let name = if at(m, path) == b'"' {
            let close = chr(m, path + 1, b'"').ok_or(2)?;
            m[path + 1..close].to_vec()
        } else if m.get(path..).is_some_and(|p| p.starts_with(b"(null)")) {
            self.facts.files.push(b"(null)".to_vec());
            return Ok(());
        } else if !at(m, path).is_ascii_hexdigit() {
            return Err(4);
        } else if at(m, path) == b'0' && at(m, path + 1) == b'0' {
            // An abstract socket name.
            cstring(unescape(m, path + 2).ok_or(7)?)
        } else {
            chr(m, path, b' ').ok_or(5)?;
            cstring(unescape(m, path).ok_or(7)?)
        };
        let relative = name.first() == Some(&b'.') && matches!(name.get(1), Some(b'.' | b'/'));
        let name = match (&self.facts.cwd, relative) {
            (Some(cwd), true) => {
                let mut joined = [cwd.as_slice(), b"/", name.as_slice()].concat();
                joined.truncate(PATH_MAX - 1);
                joined
            }
            _ => name,
        };
        self.facts.files.push(name);
        Ok(())
    }

    fn avc_path(&mut self, m: &[u8]) -> Parsed {
        if !self.wants.files {
            return Ok(());
        }
        let s = find(m, 0, b" path=").ok_or(1)?;
        self.path_value(m, s + 6)
    }

    fn path(&mut self, m: &[u8]) -> Parsed {
        if self.wants.files {
            if let Some(s) = find(m, NAME_OFFSET.min(m.len()), b" name=") {
                self.path_value(m, s + 6)?;
            }
        }
        Ok(())
    }

    fn user(&mut self, kind: u32, m: &[u8]) -> Parsed {
        let w = self.wants;
        let mut term = 0;
        if w.pid {
            let ptr = find(m, term, b"pid=").ok_or(1)? + 4;
            term = chr(m, ptr, b' ').ok_or(2)?;
            self.facts.pid = num(m, ptr, Some(term), 10, 3)? as u32;
        }
        if w.uid {
            let ptr = find(m, term, b"uid=").ok_or(4)? + 4;
            term = chr(m, ptr, b' ').ok_or(5)?;
            self.set_uid(num(m, ptr, Some(term), 10, 6)?);
        }
        if w.auid {
            let ptr = match find(m, term, b"auid=") {
                Some(s) => s + 5,
                None => find(m, term, b"loginuid=").ok_or(7)? + 9,
            };
            term = chr(m, ptr, b' ').ok_or(8)?;
            self.set_loginuid(num(m, ptr, Some(term), 10, 9)?);
        }
        if kind == VIRT_RESOURCE && w.files {
            let found = match find(m, term, b" path=") {
                Some(s) => Some(s + 6),
                None => find(m, term, b" new-disk=").map(|s| s + 10),
            };
            if let Some(at_) = found {
                self.path_value(m, at_)?;
                term = at_;
            }
        }
        // "some records the second uid is what we want. USER_LOGIN for example."
        if w.uid {
            loop {
                let Some(s) = find(m, term, b"uid=") else { break };
                let before = if s > 0 { m[s - 1] } else { 0 };
                if before == b'a' {
                    term = s + 1;
                    continue;
                }
                if before == b's' || before == b'u' {
                    break;
                }
                if before != b'\'' && before != b' ' {
                    return Err(25);
                }
                let ptr = s + 4;
                let end = ptr + m[ptr..].iter().take_while(|c| c.is_ascii_digit()).count();
                if end == ptr {
                    return Err(14);
                }
                term = end;
                self.set_uid(num(m, ptr, Some(end), 10, 15)?);
                break;
            }
        }
        // acct= is always read, and moves the start of what follows past its value.
        let mut mptr = term;
        if let Some(s) = find(m, mptr, b"acct=") {
            let ptr = s + 5;
            let rest = |from: usize, stop: u8| m.get(from..).unwrap_or(b"").iter().take_while(|&&c| c != stop).count();
            mptr = if at(m, ptr) == b'"' { ptr + 1 + rest(ptr + 1, b'"') } else { ptr + rest(ptr, b' ') };
        }
        if w.files {
            if let Some(s) = find(m, mptr, b"cwd=") {
                let ptr = s + 4;
                if at(m, ptr) == b'"' {
                    let close = chr(m, ptr + 1, b'"').ok_or(20)?;
                    self.facts.cwd = Some(m[ptr + 1..close].to_vec());
                } else {
                    self.facts.cwd = Self::legacy(m, ptr).0;
                }
            }
        }
        if w.exe {
            if let Some(s) = find(m, mptr, b"exe=") {
                let ptr = s + 4;
                if at(m, ptr) == b'"' {
                    let close = chr(m, ptr + 1, b'"').ok_or(26)?;
                    self.facts.exe = Some(m[ptr + 1..close].to_vec());
                } else {
                    self.facts.exe = Self::legacy(m, ptr).0;
                }
            }
        }
        if w.success {
            if let Some(s) = find(m, mptr, b"res=") {
                let ptr = s + 4;
                let end = chr(m, ptr, b'\'').ok_or(21)?;
                self.facts.success = i32::from(!m[ptr..end].starts_with(b"failed"));
            } else if let Some(s) = find(m, mptr, b"result=") {
                let ptr = s + 7;
                let end = chr(m, ptr, b')').ok_or(22)?;
                self.facts.success = i32::from(m[ptr..end].eq_ignore_ascii_case(b"success"));
            }
        }
        Ok(())
    }

    fn login(&mut self, m: &[u8]) -> Parsed {
        let w = self.wants;
        let mut term = Some(0);
        if w.pid {
            let ptr = find(m, 0, b"pid=").ok_or(1)? + 4;
            let end = chr(m, ptr, b' ').ok_or(2)?;
            self.facts.pid = num(m, ptr, Some(end), 10, 3)? as u32;
            term = Some(end);
        }
        if w.uid {
            let ptr = find(m, term.unwrap_or(0), b"uid=").ok_or(4)? + 4;
            let end = chr(m, ptr, b' ').ok_or(5)?;
            self.set_uid(num(m, ptr, Some(end), 10, 6)?);
            term = Some(end);
        }
        if w.auid {
            let from = term.unwrap_or(0);
            let ptr = if let Some(s) = find(m, from, b"new auid=") {
                s + 9
            } else if let Some(s) = find(m, from, b" auid=") {
                // The 3.14 kernel's form.
                s + 6
            } else {
                find(m, from, b"new loginuid=").ok_or(7)? + 13
            };
            term = chr(m, ptr, b' ');
            self.set_loginuid(num(m, ptr, term, 10, 8)?);
        }
        if w.success {
            match find(m, term.unwrap_or(0), b"res=") {
                Some(s) => self.facts.success = num(m, s + 4, chr(m, s + 4, b' '), 10, 9)? as i32,
                // An older kernel's, always successful.
                None => self.facts.success = 1,
            }
        }
        Ok(())
    }

    fn daemon1(&mut self, m: &[u8]) -> Parsed {
        let w = self.wants;
        // "Not all messages have a ')', use it if its there."
        let mptr = chr(m, 0, b')').unwrap_or(0);
        let mut term = mptr;
        if w.auid {
            let ptr = find(m, mptr, b"auid=").ok_or(1)? + 5;
            term = chr(m, ptr, b' ').ok_or(2)?;
            self.set_loginuid(num(m, ptr, Some(term), 10, 3)?);
        }
        if w.pid {
            let ptr = find(m, term, b"pid=").ok_or(4)? + 4;
            term = chr(m, ptr, b' ').ok_or(5)?;
            self.facts.pid = num(m, ptr, Some(term), 10, 6)? as u32;
        }
        // event_uid != -1: a name's uid too, but no name is looked up.
        if w.uid {
            if let Some(s) = find(m, term, b" uid=") {
                let ptr = s + 5;
                let end = chr(m, ptr, b' ').ok_or(7)?;
                self.facts.uid = num(m, ptr, Some(end), 10, 8)? as u32;
            }
        }
        if w.success {
            if let Some(s) = find(m, mptr, b"res=") {
                self.facts.success = alpha_res(m, s + 4).ok_or(12)?;
            }
        }
        Ok(())
    }

    fn daemon2(&mut self, m: &[u8]) -> Parsed {
        if self.wants.success {
            if let Some(s) = find(m, 0, b"res=") {
                self.facts.success = alpha_res(m, s + 4).ok_or(2)?;
            }
        }
        Ok(())
    }

    fn simple_message(&mut self, kind: u32, m: &[u8]) -> Parsed {
        let w = self.wants;
        let mut term = 0;
        if w.auid {
            // Old kernels' CONFIG_CHANGE has no auid.
            match find(m, 0, b"auid=") {
                None if kind != types::CONFIG_CHANGE => return Err(1),
                None => {}
                Some(s) => {
                    let ptr = s + 5;
                    let end = chr(m, ptr, b' ');
                    self.set_loginuid(num(m, ptr, end, 10, 2)?);
                    term = end.unwrap_or(ptr);
                }
            }
        }
        if w.key {
            if let Some(s) = find(m, term, b"key=") {
                let ptr = s + 4;
                if at(m, ptr) == b'"' {
                    term = chr(m, ptr + 1, b'"').ok_or(6)?;
                }
                self.add_keys(m, ptr, 6, 8)?;
            }
        }
        if kind == types::CONFIG_CHANGE {
            self.facts.success = 1;
        }
        if w.success {
            if let Some(s) = find(m, term, b"res=") {
                self.facts.success = num(m, s + 4, chr(m, s + 4, b' '), 10, 7)? as i32;
            }
        }
        Ok(())
    }

    fn avc(&mut self, kind: u32, m: &[u8]) -> Parsed {
        let w = self.wants;
        let mut term = 0;
        if let Some(s) = find(m, 0, b"avc: ") {
            let s = s + 5;
            if let Some(brace) = chr(m, s, b'{') {
                if w.success {
                    self.facts.success = i32::from(find(&m[..brace], s, b"denied").is_none());
                }
                let mut p = brace + 1;
                while at(m, p) == b' ' {
                    p += 1;
                }
                let mut close = chr(m, p, b'}').ok_or(2)?;
                while m[close - 1] == b' ' {
                    close -= 1;
                }
                term = close;
            }
        }
        if kind == types::USER_AVC {
            // parse_user's codes above 20 are forgiven here.
            return match self.user(kind, m) {
                Err(rc) if rc <= 20 => Err(rc),
                _ => Ok(()),
            };
        }
        if w.pid {
            if let Some(s) = find(m, term, b"pid=") {
                let ptr = s + 4;
                let end = chr(m, ptr, b' ').ok_or(3)?;
                self.facts.pid = num(m, ptr, Some(end), 10, 4)? as u32;
                term = end;
            }
        }
        if w.files {
            let found = find(m, term, b" path=").or_else(|| find(m, term, b" name="));
            if let Some(s) = found {
                self.path_value(m, s + 6)?;
                term = (term + 7).min(m.len());
            }
        }
        find(m, term, b"tclass=").ok_or(9)?;
        Ok(())
    }

    fn kernel_anom(&mut self, kind: u32, m: &[u8]) -> Parsed {
        let w = self.wants;
        let mut term = 0;
        if w.auid {
            let ptr = find(m, 0, b"auid=").ok_or(1)? + 5;
            let end = chr(m, ptr, b' ');
            self.set_loginuid(num(m, ptr, end, 10, 2)?);
            term = end.unwrap_or(ptr);
        }
        if w.uid {
            // Without auid read first this finds auid=.
            if let Some(s) = find(m, term, b"uid=") {
                let ptr = s + 4;
                term = chr(m, ptr, b' ').ok_or(3)?;
                self.set_uid(num(m, ptr, Some(term), 10, 4)?);
            }
        }
        if kind == ANOM_PROMISCUOUS {
            return Ok(());
        }
        if w.pid {
            if let Some(s) = find(m, term, b"pid=") {
                let ptr = s + 4;
                term = chr(m, ptr, b' ').ok_or(10)?;
                self.facts.pid = num(m, ptr, Some(term), 10, 11)? as u32;
            }
        }
        if w.exe {
            match find(m, term, b"exe=") {
                Some(s) => {
                    let (exe, close) = Self::string(m, s + 4, 13)?;
                    self.facts.exe = exe;
                    term = close.unwrap_or(term);
                }
                None if kind != ANOM_ABEND => return Err(14),
                None => {}
            }
        }
        if kind == SECCOMP {
            // A few kernel versions have no arch.
            let Some(s) = find(m, term, b"arch=") else { return Ok(()) };
            let ptr = s + 5;
            term = chr(m, ptr, b' ').ok_or(15)?;
            self.facts.arch = num(m, ptr, Some(term), 16, 16)? as u32;
            let ptr = find(m, term, b"syscall=").ok_or(17)? + 8;
            term = chr(m, ptr, b' ').ok_or(18)?;
            self.facts.syscall = num(m, ptr, Some(term), 10, 19)? as u32;
        }
        if w.success {
            if let Some(s) = find(m, term, b"res=") {
                self.facts.success = num(m, s + 4, chr(m, s + 4, b' '), 10, 68)? as i32;
            }
        }
        Ok(())
    }

    fn integrity(&mut self, m: &[u8]) -> Parsed {
        let w = self.wants;
        let mut term = 0;
        if let Some(s) = find(m, 0, b"pid=") {
            let ptr = s + 4;
            term = chr(m, ptr, b' ').ok_or(1)?;
            self.facts.pid = num(m, ptr, Some(term), 10, 2)? as u32;
        }
        if w.uid {
            if let Some(s) = find(m, term, b" uid=") {
                // ausearch reads from the `=` (str + 4 of " uid="): always 0.
                let ptr = s + 4;
                term = chr(m, ptr, b' ').ok_or(3)?;
                self.set_uid(num(m, ptr, Some(term), 10, 4)?);
            }
        }
        if w.auid {
            if let Some(s) = find(m, 0, b"auid=") {
                let ptr = s + 5;
                term = chr(m, ptr, b' ').ok_or(5)?;
                self.set_loginuid(num(m, ptr, Some(term), 10, 6)?);
            }
        }
        if w.files {
            if let Some(s) = find(m, term, b" name=") {
                self.path_value(m, s + 6).map_err(|_| 8)?;
            }
        }
        if w.success {
            if let Some(s) = find(m, term, b"res=") {
                self.facts.success = num(m, s + 4, chr(m, s + 4, b' '), 10, 9)? as i32;
            }
        }
        Ok(())
    }

    /// `parse_kernel` (NETFILTER_CFG, EVENT_LISTENER): fills only what no earlier record
    /// did, with defaults for what is missing.
    fn kernel(&mut self, m: &[u8]) -> Parsed {
        let w = self.wants;
        let mut term = 0;
        if w.pid && self.facts.pid == u32::MAX {
            let ptr = find(m, term, b" pid=").ok_or(54)? + 5;
            term = chr(m, ptr, b' ').ok_or(52)?;
            self.facts.pid = num(m, ptr, Some(term), 10, 53)? as u32;
        }
        if w.uid && self.facts.uid == u32::MAX && self.facts.tuid.is_none() {
            let uid = match find(m, term, b"uid=") {
                Some(s) => {
                    let ptr = s + 4;
                    term = chr(m, ptr, b' ').ok_or(55)?;
                    num(m, ptr, Some(term), 10, 56)?
                }
                None => 0,
            };
            self.set_uid(uid);
        }
        if w.auid && self.facts.loginuid == NO_LOGINUID && self.facts.tauid.is_none() {
            let auid = match find(m, term, b"auid=") {
                Some(s) => {
                    let ptr = s + 5;
                    term = chr(m, ptr, b' ').ok_or(57)?;
                    num(m, ptr, Some(term), 10, 58)?
                }
                None => u64::from(u32::MAX),
            };
            self.set_loginuid(auid);
        }
        if w.exe && self.facts.exe.is_none() {
            match find(m, 0, b"exe=") {
                Some(s) => {
                    let (exe, close) = Self::string(m, s + 4, 67)?;
                    self.facts.exe = exe;
                    term = close.unwrap_or(term);
                }
                None => self.facts.exe = Some(b"(null)".to_vec()),
            }
        }
        if w.success {
            if let Some(s) = find(m, term, b"res=") {
                self.facts.success = num(m, s + 4, chr(m, s + 4, b' '), 10, 69)? as i32;
            }
        }
        Ok(())
    }

    fn tty(&mut self, m: &[u8]) -> Parsed {
        let w = self.wants;
        let mut term = 0;
        if w.pid {
            if let Some(s) = find(m, 0, b"pid=") {
                let ptr = s + 4;
                term = chr(m, ptr, b' ').ok_or(1)?;
                self.facts.pid = num(m, ptr, Some(term), 10, 2)? as u32;
            }
        }
        if w.uid {
            if let Some(s) = find(m, term, b" uid=") {
                // From the `=`, as in parse_integrity: always 0.
                let ptr = s + 4;
                term = chr(m, ptr, b' ').ok_or(3)?;
                self.set_uid(num(m, ptr, Some(term), 10, 4)?);
            }
        }
        if w.auid {
            let ptr = find(m, term, b"auid=").ok_or(5)? + 5;
            self.set_loginuid(num(m, ptr, chr(m, ptr, b' '), 10, 6)?);
        }
        Ok(())
    }

    /// `parse_sockaddr` for `-f`: a unix socket's path is a file name; a sockaddr too
    /// short for its family gives the event up ("sockaddr len too short").
    fn sockaddr(&mut self, m: &[u8]) -> Parsed {
        if !self.wants.files {
            return Ok(());
        }
        let Some(s) = find(m, 0, b"saddr=") else { return Ok(()) };
        let s = s + 6;
        let len = if at(m, s) == b'(' {
            chr(m, s, b')').map_or(0, |close| close - s + 1)
        } else {
            m[s..].iter().take_while(|c| c.is_ascii_hexdigit()).count() / 2
        };
        let addr = unescape(m, s).ok_or(4)?;
        // sa_family, little endian; a one-byte buffer's second byte is its terminator.
        let byte = |i: usize| addr.get(i).copied().unwrap_or(0);
        match u16::from(byte(0)) | u16::from(byte(1)) << 8 {
            2 if len < 16 => Err(1),
            10 if len < 28 => Err(2),
            1 if len < 4 => Err(3),
            1 => {
                let path = if byte(2) != 0 { &addr[2..] } else { &addr[3.min(addr.len())..] };
                self.facts.files.push(cstring(path.to_vec()));
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// DAEMON records' `res=`: the letters after it, `failed…` a failure; none gives the
/// event up.
fn alpha_res(m: &[u8], ptr: usize) -> Option<i32> {
    let word = &m[ptr.min(m.len())..];
    let len = word.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    (len > 0).then(|| i32::from(!word[..len].starts_with(b"failed")))
}

/// An ENRICHED name as `_auparse_lookup_interpretation` returns it (`print_escaped`):
/// quoted text as is, else hex decoded, else the value as written.
fn interpreted_name(value: &Value<'_>) -> Vec<u8> {
    match *value {
        Value::Quoted(b) | Value::Single(b) => b.to_vec(),
        Value::Bare(b) => {
            let hex = if b.starts_with(b"00") { &b[2..] } else { b };
            match unescape(hex, 0) {
                Some(text) if hex.iter().all(u8::is_ascii_hexdigit) => cstring(text),
                _ => b.to_vec(),
            }
        }
    }
}

/// The message ausearch parses: the line up to its first NUL (`strdup`) or 0x1D.
pub(super) fn message(line: &[u8]) -> &[u8] {
    let end = line.iter().position(|&b| b == 0 || b == crate::events::record::ENRICHMENT_SEPARATOR).unwrap_or(line.len());
    &line[..end]
}
