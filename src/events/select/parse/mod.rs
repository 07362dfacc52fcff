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

mod kernel;
mod syscall;
mod user;

use crate::events::cstr::{at, chr, cstring, number, unescape, OutOfRange};
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
            if let Some((_, v)) =
                Fields::new(enrichment).into_iter().find(|(n, _)| n.eq_ignore_ascii_case(field.as_bytes()))
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
    let end =
        line.iter().position(|&b| b == 0 || b == crate::events::record::ENRICHMENT_SEPARATOR).unwrap_or(line.len());
    &line[..end]
}
