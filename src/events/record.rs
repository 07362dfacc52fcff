//! One line of audit.log as a [`Record`]: borrowed from the line, parsed once for its
//! header (node, type, time, serial) and lazily for its fields, so the reassembler and
//! the `-k` match touch only the bytes they need.
//!
//! The grammar (auditd's writer, `shared/reference/audit-events.md`):
//! `[node=NAME ]type=TYPE msg=audit(SEC.MSEC:SERIAL): name=value …[0x1D ENRICHMENT]`.
//! Anything else is a [`RecordError`], reported with file:line and skipped by the caller.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The separator auditd writes before the ENRICHED part of a line (`AUDIT_INTERP_SEPARATOR`).
pub const ENRICHMENT_SEPARATOR: u8 = 0x1d;

/// Record types the reassembler and the selectors name.
pub mod types {
    /// A system call (the head of most kernel events).
    pub const SYSCALL: u32 = 1300;
    /// A path the syscall touched.
    pub const PATH: u32 = 1302;
    /// The task's working directory.
    pub const CWD: u32 = 1307;
    /// An execve's arguments.
    pub const EXECVE: u32 = 1309;
    /// End of a multi-record event.
    pub const EOE: u32 = 1320;
    /// The command line, NUL-separated.
    pub const PROCTITLE: u32 = 1327;
    /// A rule or setting changed (rule loads log one with the rule's key).
    pub const CONFIG_CHANGE: u32 = 1305;
    /// An old-style AVC path record.
    pub const AVC_PATH: u32 = 1402;
    /// First of the MAC records ausearch reads like CONFIG_CHANGE.
    pub const MAC_POLICY_LOAD: u32 = 1403;
    /// Last of them.
    pub const MAC_UNLBL_STCDEL: u32 = 1417;
    /// A kernel-generated single record.
    pub const KERNEL: u32 = 2000;
    /// A login (auid change).
    pub const LOGIN: u32 = 1006;
    /// A kernel AVC (SELinux, AppArmor) decision.
    pub const AVC: u32 = 1400;
    /// A user-space object manager's AVC decision.
    pub const USER_AVC: u32 = 1107;
}

/// Why a line is not an audit record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// No `type=` where the line (after an optional `node=`) must start with it.
    #[error("the line does not start with `type=` (or `node=NAME type=`)")]
    NoType,
    /// No `msg=audit(` after the type.
    #[error("no `msg=audit(` after the record type")]
    NoStamp,
    /// The stamp is not `SEC.MSEC:SERIAL` in decimal.
    #[error("the time stamp is not `audit(SECONDS.MILLISECONDS:SERIAL)`")]
    BadStamp,
    /// The stamp is not closed by `):`.
    #[error("the time stamp is not closed by `):`")]
    Unterminated,
}

/// What identifies an event: every record with the same node, time and serial belongs
/// to it (the serial alone wraps).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Stamp {
    /// Seconds since the epoch.
    pub sec: u64,
    /// Milliseconds, 0–999.
    pub msec: u16,
    /// The kernel's (or auditd's) serial number.
    pub serial: u64,
}

/// One parsed line, borrowing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    /// The whole line as logged, without its newline, enrichment included.
    pub line: &'a [u8],
    /// `node=NAME`, when auditd's `name_format` is not NONE.
    pub node: Option<&'a [u8]>,
    /// The type as written: `SYSCALL`, `UNKNOWN[1336]`.
    pub type_name: &'a [u8],
    /// The type's number; 0 when libaudit 3.0.9 would not know the name either.
    pub kind: u32,
    /// Time and serial.
    pub stamp: Stamp,
    /// The fields, after `): ` and before the enrichment.
    pub body: &'a [u8],
    /// The ENRICHED part after 0x1D (`UID="root" AUID="unset" …`), if any.
    pub enrichment: Option<&'a [u8]>,
}

fn type_numbers() -> &'static HashMap<&'static str, u32> {
    static MAP: OnceLock<HashMap<&'static str, u32>> = OnceLock::new();
    MAP.get_or_init(|| (0..10_000).filter_map(|n| crate::rule::names::msgtype_name(n).map(|name| (name, n))).collect())
}

/// libaudit's `audit_name_to_msg_type`: a known name, `UNKNOWN[N]`, or a number; 0 otherwise
/// (ausearch's -1, which ends the event at once just as 0 does).
pub fn type_number(name: &[u8]) -> u32 {
    // The types of nearly every line, without hashing.
    match name {
        b"SYSCALL" => return types::SYSCALL,
        b"PATH" => return types::PATH,
        b"CWD" => return types::CWD,
        b"EOE" => return types::EOE,
        b"PROCTITLE" => return types::PROCTITLE,
        b"EXECVE" => return types::EXECVE,
        b"CONFIG_CHANGE" => return types::CONFIG_CHANGE,
        _ => {}
    }
    let Ok(text) = std::str::from_utf8(name) else { return 0 };
    if let Some(&n) = type_numbers().get(text) {
        return n;
    }
    if let Some(n) = crate::rule::names::msgtype_number(text) {
        return n;
    }
    let digits = match text.strip_prefix("UNKNOWN[") {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => text,
    };
    let end = digits.bytes().position(|b| !b.is_ascii_digit()).unwrap_or(digits.len());
    digits[..end.min(7)].parse().unwrap_or(0)
}

fn parse_decimal(bytes: &[u8]) -> Option<u64> {
    if bytes.is_empty() || bytes.len() > 19 {
        return None;
    }
    bytes.iter().try_fold(0u64, |n, &b| b.is_ascii_digit().then(|| n * 10 + u64::from(b - b'0')))
}

impl<'a> Record<'a> {
    /// Parses one line (without its newline). Never panics, whatever the bytes.
    pub fn parse(line: &'a [u8]) -> Result<Record<'a>, RecordError> {
        Record::parse_split(line, memchr::memchr(ENRICHMENT_SEPARATOR, line))
    }

    /// [`Record::parse`] when the caller already knows where the line's first 0x1D is
    /// ([`super::Line::separator`]); a wrong offset is harmless: the body is then cut
    /// wherever the first 0x1D after the header is.
    pub fn parse_split(line: &'a [u8], separator: Option<usize>) -> Result<Record<'a>, RecordError> {
        let mut rest = line;
        let mut node = None;
        if let Some(after) = rest.strip_prefix(b"node=") {
            let end = after.iter().position(|&b| b == b' ').ok_or(RecordError::NoType)?;
            node = Some(&after[..end]);
            rest = &after[end..];
            while let [b' ', tail @ ..] = rest {
                rest = tail;
            }
        }
        let after = rest.strip_prefix(b"type=").ok_or(RecordError::NoType)?;
        let end = after.iter().position(|&b| b == b' ').ok_or(RecordError::NoStamp)?;
        let type_name = &after[..end];
        rest = &after[end..];
        while let [b' ', tail @ ..] = rest {
            rest = tail;
        }
        let after = rest.strip_prefix(b"msg=audit(").ok_or(RecordError::NoStamp)?;
        let (stamp, close) =
            parse_stamp(after).ok_or_else(|| match after.iter().take(48).position(|&b| b == b')') {
                Some(_) => RecordError::BadStamp,
                None => RecordError::Unterminated,
            })?;
        let mut body = after[close + 1..].strip_prefix(b":").ok_or(RecordError::Unterminated)?;
        while let [b' ', tail @ ..] = body {
            body = tail;
        }
        let mut enrichment = None;
        let body_start = line.len() - body.len();
        let at = match separator {
            Some(at) if at >= body_start && line.get(at) == Some(&ENRICHMENT_SEPARATOR) => Some(at - body_start),
            // The separator sits in the header (a malformed line) or was not given right.
            Some(_) => memchr::memchr(ENRICHMENT_SEPARATOR, body),
            None => None,
        };
        if let Some(at) = at {
            enrichment = Some(&body[at + 1..]);
            body = &body[..at];
        }
        Ok(Record { line, node, type_name, kind: type_number(type_name), stamp, body, enrichment })
    }

    /// The fields in order; `msg='…'` of user-space records is one field whose value
    /// [`Value::inner_fields`] splits.
    pub fn fields(&self) -> Fields<'a> {
        Fields { rest: self.body }
    }

    /// The first field called `name`.
    pub fn field(&self, name: &str) -> Option<Value<'a>> {
        self.fields().find(|(n, _)| *n == name.as_bytes()).map(|(_, v)| v)
    }

    /// The first field called `name`, looking inside `msg='…'` too (user-space records).
    pub fn field_deep(&self, name: &str) -> Option<Value<'a>> {
        for (n, v) in self.fields() {
            if n == name.as_bytes() {
                return Some(v);
            }
            if let Value::Single(_) = v {
                if let Some((_, inner)) = v.inner_fields().find(|(n, _)| *n == name.as_bytes()) {
                    return Some(inner);
                }
            }
        }
        None
    }

    /// The enrichment's fields (`UID="root"` …), empty when the line is RAW.
    pub fn enrichment_fields(&self) -> Fields<'a> {
        Fields { rest: self.enrichment.unwrap_or(b"") }
    }
}

/// `SEC.MSEC:SERIAL)`: the stamp and the offset of the `)`.
fn parse_stamp(text: &[u8]) -> Option<(Stamp, usize)> {
    let (sec, a) = leading_number(text, b'.')?;
    let (msec, b) = leading_number(&text[a..], b':')?;
    let (serial, c) = leading_number(&text[a + b..], b')')?;
    let msec = u16::try_from(msec).ok().filter(|&m| m <= 999)?;
    Some((Stamp { sec, msec, serial }, a + b + c - 1))
}

/// 1 to 19 digits at the start of `text` followed by `end`: the number and how many bytes
/// it took, `end` included. Every line goes through here three times, so it is one tight
/// loop over the digits.
fn leading_number(text: &[u8], end: u8) -> Option<(u64, usize)> {
    let mut n = 0u64;
    for (i, &b) in text.iter().enumerate().take(20) {
        match b {
            b'0'..=b'9' if i < 19 => n = n * 10 + u64::from(b - b'0'),
            _ if b == end && i > 0 => return Some((n, i + 1)),
            _ => return None,
        }
    }
    None
}

/// A field's value as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value<'a> {
    /// `"text"`: the bytes between the quotes.
    Quoted(&'a [u8]),
    /// `'…'`: user-space records' nested message, between the quotes.
    Single(&'a [u8]),
    /// Anything else: a number, a word, hex-encoded text, `(null)`, `?`.
    Bare(&'a [u8]),
}

impl<'a> Value<'a> {
    /// The bytes as written, quotes removed.
    pub fn raw(&self) -> &'a [u8] {
        match *self {
            Value::Quoted(b) | Value::Single(b) | Value::Bare(b) => b,
        }
    }

    /// Whether the value says "absent": `(null)`, `?`, `(none)`.
    pub fn is_absent(&self) -> bool {
        matches!(self, Value::Bare(b"(null)" | b"?" | b"(none)"))
    }

    /// The text of an untrusted-string field: quoted as is, bare hex decoded, absent
    /// values `None`. A bare value that is not hex is returned as written.
    pub fn text(&self) -> Option<std::borrow::Cow<'a, [u8]>> {
        match *self {
            Value::Quoted(b) | Value::Single(b) => Some(b.into()),
            _ if self.is_absent() => None,
            Value::Bare(b) => Some(decode_hex(b).map_or(b.into(), Into::into)),
        }
    }

    /// A decimal number (`pid=42`, `exit=-13`).
    pub fn int(&self) -> Option<i64> {
        let b = self.raw();
        let (neg, digits) = match b {
            [b'-', rest @ ..] => (true, rest),
            _ => (false, b),
        };
        let n = i64::try_from(parse_decimal(digits)?).ok()?;
        Some(if neg { -n } else { n })
    }

    /// The fields of a nested `msg='…'`; empty for other values.
    pub fn inner_fields(&self) -> Fields<'a> {
        match *self {
            Value::Single(b) => Fields { rest: b },
            _ => Fields { rest: b"" },
        }
    }
}

/// Hex-encoded text (`2F746D70` → `/tmp`); `None` when the value is not even-length hex.
pub fn decode_hex(hex: &[u8]) -> Option<Vec<u8>> {
    if hex.is_empty() || hex.len() % 2 != 0 {
        return None;
    }
    let nibble = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    hex.chunks_exact(2).map(|pair| Some(nibble(pair[0])? << 4 | nibble(pair[1])?)).collect()
}

/// The fields of a record body: runs of spaces separate them; quoted values may hold
/// spaces; a token without `=` (AVC's `{ read }`) is skipped.
#[derive(Debug, Clone)]
pub struct Fields<'a> {
    rest: &'a [u8],
}

impl<'a> Fields<'a> {
    /// The fields of any `name=value …` text (a body, an enrichment).
    pub fn new(text: &'a [u8]) -> Fields<'a> {
        Fields { rest: text }
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = (&'a [u8], Value<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            while let [b' ' | b'\t', tail @ ..] = self.rest {
                self.rest = tail;
            }
            if self.rest.is_empty() {
                return None;
            }
            // Tokens are short: plain loops beat memchr's set-up here. One pass: the name
            // ends at `=`, a token without one at a space.
            let Some(eq) = self.rest.iter().position(|&b| b == b'=' || b == b' ').filter(|&i| self.rest[i] == b'=')
            else {
                let end = self.rest.iter().position(|&b| b == b' ').unwrap_or(self.rest.len());
                self.rest = &self.rest[end..];
                continue;
            };
            let name = &self.rest[..eq];
            let value = &self.rest[eq + 1..];
            let (parsed, used) = match value.first() {
                Some(&quote @ (b'"' | b'\'')) => match memchr::memchr(quote, &value[1..]) {
                    Some(close) => {
                        let inner = &value[1..1 + close];
                        (if quote == b'"' { Value::Quoted(inner) } else { Value::Single(inner) }, close + 2)
                    }
                    // An unclosed quote: the rest of the token, as written.
                    None => {
                        let end = value.iter().position(|&b| b == b' ').unwrap_or(value.len());
                        (Value::Bare(&value[..end]), end)
                    }
                },
                _ => {
                    let end = value.iter().position(|&b| b == b' ').unwrap_or(value.len());
                    (Value::Bare(&value[..end]), end)
                }
            };
            self.rest = &value[used..];
            return Some((name, parsed));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_syscall_line() {
        let line = b"type=SYSCALL msg=audit(1700000000.123:42): arch=c000003e syscall=257 success=no exit=-13 comm=\"cat\" key=(null)";
        let r = Record::parse(line).unwrap();
        assert_eq!(r.node, None);
        assert_eq!(r.kind, 1300);
        assert_eq!(r.stamp, Stamp { sec: 1_700_000_000, msec: 123, serial: 42 });
        assert_eq!(r.field("exit").unwrap().int(), Some(-13));
        assert_eq!(r.field("comm").unwrap(), Value::Quoted(b"cat"));
        assert!(r.field("key").unwrap().is_absent());
        assert_eq!(r.fields().count(), 6);
    }

    #[test]
    fn node_unknown_types_and_enrichment() {
        let line = b"node=web1 type=UNKNOWN[1336] msg=audit(1.005:7): a=1\x1dUID=\"root\"";
        let r = Record::parse(line).unwrap();
        assert_eq!(r.node, Some(&b"web1"[..]));
        assert_eq!(r.kind, 1336);
        assert_eq!(r.body, b"a=1");
        assert_eq!(r.enrichment_fields().next(), Some((&b"UID"[..], Value::Quoted(b"root"))));
        assert_eq!(type_number(b"NOT_A_TYPE"), 0);
        assert_eq!(type_number(b"1305"), 1305);
    }

    #[test]
    fn user_records_nest_their_message() {
        let line = b"type=USER_START msg=audit(1.000:1): pid=5 uid=0 auid=1000 msg='op=PAM:session_open acct=\"root\" exe=\"/usr/bin/su\" hostname=? res=success'";
        let r = Record::parse(line).unwrap();
        assert_eq!(r.field_deep("exe").unwrap().text().unwrap().as_ref(), b"/usr/bin/su");
        assert_eq!(r.field_deep("res").unwrap().raw(), b"success");
        assert!(r.field_deep("hostname").unwrap().is_absent());
    }

    #[test]
    fn hex_and_runs_of_spaces() {
        let r = Record::parse(b"type=PATH msg=audit(1.000:1):  item=0  name=2F746D702F6120622E74787400 x").unwrap();
        let name = r.field("name").unwrap();
        assert_eq!(name.text().unwrap().as_ref(), b"/tmp/a b.txt\0");
        assert_eq!(r.fields().count(), 2);
    }

    #[test]
    fn malformed_lines_are_errors_not_panics() {
        for line in [
            &b""[..],
            b"garbage",
            b"node=x",
            b"type=SYSCALL",
            b"type=SYSCALL msg=audit(",
            b"type=SYSCALL msg=audit(1.2:3",
            b"type=SYSCALL msg=audit(1.2:3)",
            b"type=SYSCALL msg=audit(1:3): x",
            b"type=SYSCALL msg=audit(1.1000:3): x",
            b"type=SYSCALL msg=audit(99999999999999999999.1:3): x",
        ] {
            assert!(Record::parse(line).is_err(), "{}", String::from_utf8_lossy(line));
        }
        assert_eq!(decode_hex(b"4"), None);
        assert_eq!(decode_hex(b"zz"), None);
    }
}
