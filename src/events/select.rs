//! Which events a search keeps: [`Query`], every option ANDed, each read from the
//! records ausearch 3.0.9 reads it from (`src/ausearch-parse.c`, `ausearch-match.c`), so
//! the same options select the same events:
//!
//! - keys: `key=` of SYSCALL, CONFIG_CHANGE and the MAC records 1403–1417; a hex key is
//!   decoded and split on 0x01 (several `-k` on one rule); `(null)` is the literal key
//!   `(null)` for ausearch, so `--key null` finds unkeyed syscalls as `ausearch -k null` does;
//! - strings match as substrings (`--word`: exactly), compared as C strings (up to a NUL);
//! - `--path`: any PATH `name=` (relative ones under the CWD), AVC_PATH or CONFIG_CHANGE
//!   `path=`, else the CWD;
//! - `--pid`, `--uid`, `--auid`, `--exe`, `--success`: from SYSCALL, user-space records
//!   (their nested `msg='…'` for exe and res), LOGIN, CONFIG_CHANGE; a later record
//!   overrides an earlier one, as in ausearch;
//! - `--syscall NAME` is looked up in each record's own arch (ausearch uses the machine's,
//!   which misreads 32-bit events); a number compares as a number;
//! - a SYSCALL record without `syscall=`, `a0=` or `a1=` makes ausearch drop its event
//!   whatever the options; so does this.
//!
//! Beyond ausearch, two generic selectors that `dockaudit events` fills with the Docker
//! selection (`--control`, and the default without selectors); they are ORed together
//! and ANDed with the rest, and absent they change nothing:
//! - [`Query::paths`]: a [`PathMatch`], an exact file or anything under a directory,
//!   against every file name `--path` reads (PATH `name=`, AVC_PATH and CONFIG_CHANGE
//!   `path=`; relative names joined to the CWD, then `.`, `..` and `//` folded
//!   lexically); the CWD alone does not select;
//! - [`Query::keys_any`]: one of these keys, exactly (multi-keys split on 0x01).
//!
//! [`Labels`](super::Labels) names the CIS controls an event belongs to by the same matching.

use std::borrow::Cow;

use super::labels::{fold, PathMatch};
use super::record::{types, Record, Value};
use super::text::Names;
use crate::rule::syscalls::{syscall_name, Arch};

/// A syscall by number or by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyscallFilter {
    /// Compared with the record's number.
    Number(u32),
    /// Compared with the name of the record's number in the record's arch.
    Name(String),
}

/// A user by number, or by name as ausearch compares names: the event's ENRICHED name
/// when its first record is a SYSCALL (or it has one record), else the reading root's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserFilter {
    /// Compared with the number.
    Id(u32),
    /// Compared with the name.
    Name(String),
}

/// The selection; `Query::default()` keeps every event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// A substring of any key of the event (`-k`).
    pub key: Option<String>,
    /// Strings must match exactly (`-w`).
    pub exact: bool,
    /// A file name (`-f`).
    pub path: Option<String>,
    /// The executable (`-x`).
    pub exe: Option<String>,
    /// The process id (`-p`).
    pub pid: Option<u32>,
    /// The uid (`-ui`). ausearch ignores `-ui 4294967295` (its "unset"); so does this.
    pub uid: Option<UserFilter>,
    /// The login uid (`-ul`).
    pub auid: Option<UserFilter>,
    /// The syscall (`-sc`).
    pub syscall: Option<SyscallFilter>,
    /// Success or failure (`-sv yes|no`).
    pub success: Option<bool>,
    /// Events at or after this second (`-ts`).
    pub start: Option<u64>,
    /// Events at or before this second (`-te`).
    pub end: Option<u64>,
    /// Events on one of these files (ORed with `keys_any`; empty: no such selector).
    pub paths: Vec<PathMatch>,
    /// Events with one of these keys, exactly (ORed with `paths`; empty: no such selector).
    pub keys_any: Vec<String>,
}

/// ausearch's `unescape` and quote handling for a string field: quoted text as is; a
/// bare value `(…)` as written up to `)`; else its leading hex digits decoded. Cut at a
/// NUL, as C strings are. `None` where ausearch fails (and drops the event).
fn c_text<'a>(value: &Value<'a>, legacy_bare: bool) -> Option<Cow<'a, [u8]>> {
    let text: Cow<'a, [u8]> = match *value {
        Value::Quoted(b) | Value::Single(b) => b.into(),
        Value::Bare(b) if b.first() == Some(&b'(') => {
            let close = b.iter().position(|&c| c == b')')?;
            b[..=close].into()
        }
        Value::Bare(b) => {
            if legacy_bare && !b.iter().all(u8::is_ascii_hexdigit) {
                return Some(b.into());
            }
            let digits = b.iter().take_while(|c| c.is_ascii_hexdigit()).count();
            if digits < 2 {
                return None;
            }
            let nibble = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
            b[..digits & !1].chunks_exact(2).map(|p| nibble(p[0]) << 4 | nibble(p[1])).collect::<Vec<u8>>().into()
        }
    };
    Some(match text.iter().position(|&c| c == 0) {
        Some(nul) => match text {
            Cow::Borrowed(b) => Cow::Borrowed(&b[..nul]),
            Cow::Owned(mut v) => {
                v.truncate(nul);
                Cow::Owned(v)
            }
        },
        None => text,
    })
}

/// The DAEMON_* records ausearch reads with `parse_daemon1` (not RECONFIG, ACCEPT, CLOSE).
fn is_daemon_record(kind: u32) -> bool {
    matches!(kind, 1200..=1203 | 1205 | 1206)
}

fn is_user_record(kind: u32) -> bool {
    // AUDIT_USER, FIRST_USER_MSG..LAST_USER_MSG, FIRST_USER_MSG2..LAST_USER_MSG2; USER_AVC
    // (1107) is read as an AVC first, then as a user record.
    kind == 1005 || (1100..=1199).contains(&kind) || (2100..=2999).contains(&kind)
}

/// An AVC's verdict as ausearch reads it: `denied` between `avc: ` and `{` fails the
/// event, anything else there succeeds it; no `{`, no verdict.
fn avc_verdict(body: &[u8]) -> Option<bool> {
    let start = memchr::memmem::find(body, b"avc: ")? + 5;
    let brace = memchr::memchr(b'{', &body[start..])?;
    Some(memchr::memmem::find(&body[start..start + brace], b"denied").is_none())
}

/// The value of a SYSCALL record's `key=` field, found from the end: ` key=` cannot occur
/// inside an earlier value, which the kernel hex-encodes when it holds a space.
fn last_key(body: &[u8]) -> Option<Value<'_>> {
    let at = memchr::memmem::rfind(body, b" key=")? + 5;
    let value = &body[at..];
    Some(match value.first() {
        Some(b'"') => match memchr::memchr(b'"', &value[1..]) {
            Some(close) => Value::Quoted(&value[1..1 + close]),
            None => Value::Bare(value.split(|&b| b == b' ').next().unwrap_or(value)),
        },
        _ => Value::Bare(value.split(|&b| b == b' ').next().unwrap_or(value)),
    })
}

/// Sets `slot` when the record has the value; says whether it did.
fn set(slot: &mut Option<u32>, value: Option<u32>) -> bool {
    if value.is_some() {
        *slot = value;
    }
    value.is_some()
}

fn decimal(v: Option<Value<'_>>) -> Option<u32> {
    let raw = v?.raw();
    // strtoul: leading digits; ausearch stores into an int, so wrap as it does.
    let digits = raw.iter().take_while(|c| c.is_ascii_digit()).count();
    std::str::from_utf8(&raw[..digits]).ok()?.parse::<u64>().ok().map(|n| n as u32)
}

/// What ausearch extracts from an event for the options set.
#[derive(Default)]
pub(super) struct Facts {
    /// Some key matched `--key` (matched as they are read, not collected).
    key_found: bool,
    /// The indexes of the `keys_any` the event has.
    keys_any_found: Vec<usize>,
    files: Vec<Vec<u8>>,
    cwd: Option<Vec<u8>>,
    exe: Option<Vec<u8>>,
    pid: Option<u32>,
    uid: Option<u32>,
    auid: Option<u32>,
    /// The uid and auid ausearch last looked a name up for (DAEMON records set `uid`
    /// without a lookup).
    uid_named: Option<u32>,
    auid_named: Option<u32>,
    success: Option<bool>,
    syscalls: Vec<(Option<Arch>, u32)>,
}

impl Query {
    /// Whether any option is set (without one, every event is kept).
    pub fn is_empty(&self) -> bool {
        *self == Query::default()
    }

    /// Whether a record of second `sec` is read at all: ausearch drops records outside
    /// the time bounds before grouping them.
    pub fn in_time(&self, sec: u64) -> bool {
        self.start.is_none_or(|s| sec >= s) && self.end.is_none_or(|e| sec <= e)
    }

    fn strmatch(&self, needle: &str, haystack: &[u8]) -> bool {
        let needle = needle.as_bytes();
        if self.exact {
            haystack == needle
        } else {
            needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
        }
    }

    /// Whether the event's records are selected; `names` says who a uid is when the log
    /// does not (`--uid NAME` on a RAW log).
    pub fn matches<'a>(&self, records: impl Iterator<Item = Record<'a>>, names: &Names) -> bool {
        let records: Vec<Record<'a>> = records.collect();
        let Some(first) = records.first() else { return false };
        let head = (first.kind, first.enrichment);
        self.decide(first.stamp.sec, records.iter().copied(), head, records.len(), names)
    }

    /// [`Query::matches`] for an assembled event, parsing only the records the options
    /// read (for `--key`, one or two of a syscall event's five).
    pub fn matches_event(&self, event: &super::reassemble::Event, names: &Names) -> bool {
        let named = matches!(self.uid, Some(UserFilter::Name(_))) || matches!(self.auid, Some(UserFilter::Name(_)));
        let head = if named { event.records().next().map(|r| (r.kind, r.enrichment)) } else { None };
        let head = head.unwrap_or((event.first_kind(), None));
        self.decide(event.stamp().sec, event.records_where(|kind| self.reads(kind)), head, event.len(), names)
    }

    /// Whether the file names are read (`--path` or `paths`).
    fn wants_files(&self) -> bool {
        self.path.is_some() || !self.paths.is_empty()
    }

    /// Whether the keys are read (`--key` or `keys_any`).
    fn wants_keys(&self) -> bool {
        self.key.is_some() || !self.keys_any.is_empty()
    }

    /// Which `paths` and which `keys_any` the event has, by index.
    pub(super) fn hits(&self, f: &Facts) -> (Vec<usize>, Vec<usize>) {
        let mut paths = Vec::new();
        if !self.paths.is_empty() {
            let names: Vec<Vec<u8>> = f
                .files
                .iter()
                .filter(|n| n.as_slice() != b"(null)" && !n.is_empty())
                // A relative name without a CWD names no known file.
                .filter_map(|n| match (n.first(), &f.cwd) {
                    (Some(b'/'), _) => Some(fold(n)),
                    (_, None) => None,
                    (_, Some(cwd)) => Some(fold(&[cwd.as_slice(), b"/", n.as_slice()].concat())),
                })
                .collect();
            for (i, p) in self.paths.iter().enumerate() {
                if names.iter().any(|n| p.matches(n)) {
                    paths.push(i);
                }
            }
        }
        (paths, f.keys_any_found.clone())
    }

    /// Whether a record of this type can change the outcome.
    pub(super) fn reads(&self, kind: u32) -> bool {
        let identity = self.pid.is_some()
            || self.uid.is_some()
            || self.auid.is_some()
            || self.success.is_some()
            || self.exe.is_some()
            || self.wants_keys()
            || self.wants_files();
        kind == types::SYSCALL
            || (self.wants_files() && matches!(kind, types::CWD | types::PATH | types::AVC_PATH))
            || (identity
                && (is_user_record(kind)
                    || is_daemon_record(kind)
                    || kind == types::LOGIN
                    || kind == types::AVC
                    || kind == types::CONFIG_CHANGE
                    || (types::MAC_POLICY_LOAD..=types::MAC_UNLBL_STCDEL).contains(&kind)))
    }

    fn decide<'a>(
        &self,
        sec: u64,
        records: impl Iterator<Item = Record<'a>>,
        head: (u32, Option<&'a [u8]>),
        count: usize,
        names: &Names,
    ) -> bool {
        if !self.in_time(sec) {
            return false;
        }
        let Some(facts) = self.facts(records, head, count) else { return false };
        let f = &facts.facts;
        let user_ok = |filter: &Option<UserFilter>, value: Option<u32>, named: Option<u32>, field: &str| match filter {
            None => true,
            Some(UserFilter::Id(u32::MAX)) if field == "uid" => true,
            Some(UserFilter::Id(id)) => value == Some(*id),
            Some(UserFilter::Name(name)) => {
                let Some(value) = named else { return false };
                let interpreted = facts.interpretations.and_then(|enrichment| {
                    let fields = super::record::Fields::new(enrichment);
                    fields.into_iter().find(|(n, _)| n.eq_ignore_ascii_case(field.as_bytes())).map(|(_, v)| v)
                });
                match interpreted {
                    Some(v) => c_text(&v, true).is_some_and(|t| t.as_ref() == name.as_bytes()),
                    None => names.user(value).is_some_and(|n| n == *name),
                }
            }
        };
        if self.pid.is_some() && f.pid != self.pid {
            return false;
        }
        if !user_ok(&self.uid, f.uid, f.uid_named, "uid") || !user_ok(&self.auid, f.auid, f.auid_named, "auid") {
            return false;
        }
        if let Some(filter) = &self.syscall {
            // ausearch keeps the last SYSCALL record's number.
            let Some(&(arch, nr)) = f.syscalls.last() else { return false };
            let ok = match filter {
                SyscallFilter::Number(n) => nr == *n,
                SyscallFilter::Name(name) => arch.and_then(|a| syscall_name(a, nr)).is_some_and(|n| n == name),
            };
            if !ok {
                return false;
            }
        }
        if self.success.is_some() && f.success != self.success {
            return false;
        }
        if let Some(path) = &self.path {
            let in_files = f.files.iter().any(|name| self.strmatch(path, name));
            if !in_files && !f.cwd.as_ref().is_some_and(|cwd| self.strmatch(path, cwd)) {
                return false;
            }
        }
        if let Some(exe) = &self.exe {
            if !f.exe.as_ref().is_some_and(|e| self.strmatch(exe, e)) {
                return false;
            }
        }
        if self.key.is_some() && !f.key_found {
            return false;
        }
        if !self.paths.is_empty() || !self.keys_any.is_empty() {
            let (paths, keys) = self.hits(f);
            if paths.is_empty() && keys.is_empty() {
                return false;
            }
        }
        true
    }

    /// One pass over the records; `None` when ausearch would fail to parse the event.
    pub(super) fn facts<'a>(
        &self,
        records: impl Iterator<Item = Record<'a>>,
        head: (u32, Option<&'a [u8]>),
        count: usize,
    ) -> Option<FactsOf<'a>> {
        let mut f = Facts::default();
        for record in records {
            let kind = record.kind;
            // Which of uid and auid this record sets (ausearch looks their names up then).
            let (mut sets_uid, mut sets_auid) = (false, false);
            if kind == types::SYSCALL {
                let (mut arch, mut nr, mut a0, mut a1) = (None, None, false, false);
                // Past a1 only pid, uid, auid, exe and key matter; the key is the last field
                // of every kernel's SYSCALL record, so without the others the walk stops
                // at a1 and the key is found from the end.
                let middle = self.pid.is_some() || self.uid.is_some() || self.auid.is_some() || self.exe.is_some();
                let mut key_done = !self.wants_keys();
                for (name, value) in record.fields() {
                    if a0 && a1 && nr.is_some() && !middle {
                        if !key_done {
                            if let Some(value) = last_key(record.body) {
                                self.add_keys(&mut f, &value)?;
                            }
                        }
                        break;
                    }
                    match name {
                        b"arch" if self.syscall.is_some() => {
                            arch = std::str::from_utf8(value.raw())
                                .ok()
                                .and_then(|h| u32::from_str_radix(h, 16).ok())
                                .and_then(Arch::from_audit)
                        }
                        b"syscall" => nr = decimal(Some(value)),
                        b"a0" => a0 = true,
                        b"a1" => a1 = true,
                        b"success" if self.success.is_some() => f.success = Some(value.raw() == b"yes"),
                        b"pid" if self.pid.is_some() => f.pid = decimal(Some(value)),
                        b"uid" if self.uid.is_some() => (f.uid, sets_uid) = (decimal(Some(value)), true),
                        b"auid" if self.auid.is_some() => (f.auid, sets_auid) = (decimal(Some(value)), true),
                        b"exe" if self.exe.is_some() => f.exe = Some(c_text(&value, false)?.into_owned()),
                        b"key" if !key_done => {
                            self.add_keys(&mut f, &value)?;
                            key_done = true;
                        }
                        _ => {}
                    }
                }
                if !(a0 && a1) {
                    return None;
                }
                f.syscalls.push((arch, nr?));
            } else if is_user_record(kind) {
                if kind == types::USER_AVC {
                    if let Some(ok) = avc_verdict(record.body) {
                        f.success = Some(ok);
                    }
                }
                f.pid = decimal(record.field("pid")).or(f.pid);
                sets_uid = set(&mut f.uid, decimal(record.field("uid")));
                sets_auid = set(&mut f.auid, decimal(record.field("auid").or_else(|| record.field("loginuid"))));
                if let Some(msg) = record.fields().find(|(n, _)| *n == b"msg").map(|(_, v)| v) {
                    let inner = |n: &[u8]| msg.inner_fields().find(|(name, _)| *name == n).map(|(_, v)| v);
                    if self.exe.is_some() {
                        if let Some(exe) = inner(b"exe") {
                            f.exe = Some(c_text(&exe, true)?.into_owned());
                        }
                    }
                    if let Some(res) = inner(b"res") {
                        f.success = Some(!res.raw().starts_with(b"failed"));
                    }
                }
            } else if kind == types::CONFIG_CHANGE || (types::MAC_POLICY_LOAD..=types::MAC_UNLBL_STCDEL).contains(&kind)
            {
                sets_auid = set(&mut f.auid, decimal(record.field("auid")));
                if kind == types::CONFIG_CHANGE {
                    f.success = Some(true);
                }
                if let Some(res) = decimal(record.field("res")) {
                    f.success = match res {
                        0 => Some(false),
                        1 => Some(true),
                        _ => None,
                    };
                }
                if self.wants_keys() {
                    if let Some(key) = record.field("key") {
                        self.add_keys(&mut f, &key)?;
                    }
                }
                if self.wants_files() && kind == types::CONFIG_CHANGE {
                    if let Some(path) = record.field("path") {
                        // ausearch ignores a failure here.
                        if let Some(p) = self.file_name(&f, &path) {
                            f.files.push(p);
                        }
                    }
                }
            } else if is_daemon_record(kind) {
                sets_auid = set(&mut f.auid, decimal(record.field("auid")));
                f.pid = decimal(record.field("pid")).or(f.pid);
                f.uid = decimal(record.field("uid")).or(f.uid);
                if let Some(res) = record.field("res") {
                    f.success = Some(!res.raw().starts_with(b"failed"));
                }
            } else if kind == types::LOGIN {
                f.pid = decimal(record.field("pid")).or(f.pid);
                sets_uid = set(&mut f.uid, decimal(record.field("uid")));
                sets_auid = set(&mut f.auid, decimal(record.field("auid")));
                // An old kernel's LOGIN has no res: always a success.
                f.success = match record.field("res").map(|v| decimal(Some(v))) {
                    None => Some(true),
                    Some(Some(1)) => Some(true),
                    Some(Some(0)) => Some(false),
                    Some(_) => None,
                };
            } else if kind == types::AVC {
                if let Some(ok) = avc_verdict(record.body) {
                    f.success = Some(ok);
                }
                f.pid = decimal(record.field("pid")).or(f.pid);
                if self.wants_files() {
                    if let Some(path) = record.field("path").or_else(|| record.field("name")) {
                        f.files.push(self.file_name(&f, &path)?);
                    }
                }
            } else if self.wants_files() && kind == types::CWD {
                if f.cwd.is_none() {
                    if let Some(cwd) = record.field("cwd") {
                        f.cwd = Some(c_text(&cwd, false)?.into_owned());
                    }
                }
            } else if self.wants_files() && (kind == types::PATH || kind == types::AVC_PATH) {
                let field = if kind == types::PATH { "name" } else { "path" };
                match record.field(field) {
                    Some(name) => f.files.push(self.file_name(&f, &name)?),
                    None if kind == types::AVC_PATH => return None,
                    None => {}
                }
            }
            if sets_uid {
                f.uid_named = f.uid;
            }
            if sets_auid {
                f.auid_named = f.auid;
            }
        }
        // ausearch loads the ENRICHED names of the first record only, and only when it is
        // a SYSCALL or alone.
        let interpretations = (head.0 == types::SYSCALL || count == 1).then_some(head.1).flatten();
        Some(FactsOf { facts: f, interpretations })
    }

    fn add_keys(&self, f: &mut Facts, value: &Value<'_>) -> Option<()> {
        let text = c_text(value, false)?;
        let keys = || -> Box<dyn Iterator<Item = &[u8]>> {
            match value {
                Value::Quoted(_) => Box::new(std::iter::once(text.as_ref())),
                _ => Box::new(text.split(|&b| b == 0x01).filter(|k| !k.is_empty())),
            }
        };
        if let Some(wanted) = self.key.as_deref() {
            f.key_found |= keys().any(|k| self.strmatch(wanted, k));
        }
        for (i, wanted) in self.keys_any.iter().enumerate() {
            if !f.keys_any_found.contains(&i) && keys().any(|k| k == wanted.as_bytes()) {
                f.keys_any_found.push(i);
            }
        }
        Some(())
    }

    /// A PATH name as ausearch lists it: `(null)` as written, `00…` an abstract socket
    /// name, `./x` and `../x` joined to the CWD.
    fn file_name(&self, f: &Facts, value: &Value<'_>) -> Option<Vec<u8>> {
        let mut name = match value {
            Value::Bare(b) if b.starts_with(b"(null)") => return Some(b"(null)".to_vec()),
            Value::Bare(b) if !b.first().is_some_and(u8::is_ascii_hexdigit) => return None,
            Value::Bare(b) if b.starts_with(b"00") => c_text(&Value::Bare(&b[2..]), false)?.into_owned(),
            v => c_text(v, false)?.into_owned(),
        };
        if (name.starts_with(b"./") || name.starts_with(b"..")) && f.cwd.is_some() {
            let mut joined = f.cwd.clone().unwrap_or_default();
            joined.push(b'/');
            joined.append(&mut name);
            name = joined;
        }
        Some(name)
    }
}

pub(super) struct FactsOf<'a> {
    pub(super) facts: Facts,
    interpretations: Option<&'a [u8]>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(q: &Query, lines: &[&str]) -> bool {
        q.matches(lines.iter().map(|l| Record::parse(l.as_bytes()).unwrap()), &Names::default())
    }

    const OPEN: &[&str] = &[
        "type=SYSCALL msg=audit(100.000:1): arch=c000003e syscall=257 success=no exit=-13 a0=1 a1=2 a2=3 a3=4 items=1 ppid=1 pid=42 auid=1000 uid=0 gid=0 euid=0 comm=\"cat\" exe=\"/usr/bin/cat\" key=646F636B657201636F6E7461696E657264",
        "type=CWD msg=audit(100.000:1): cwd=\"/etc/docker\"",
        "type=PATH msg=audit(100.000:1): item=0 name=\"./daemon.json\" inode=1",
    ];

    #[test]
    fn keys_are_split_substrings() {
        let q = |k: &str, exact| Query { key: Some(k.into()), exact, ..Query::default() };
        assert!(matches(&q("docker", false), OPEN));
        assert!(matches(&q("tain", false), OPEN));
        assert!(matches(&q("containerd", true), OPEN));
        assert!(!matches(&q("contain", true), OPEN));
        assert!(!matches(&q("docker\u{1}", false), OPEN));
    }

    #[test]
    fn other_selectors() {
        let all = Query {
            pid: Some(42),
            uid: Some(UserFilter::Name("root".into())),
            auid: Some(UserFilter::Id(1000)),
            success: Some(false),
            exe: Some("cat".into()),
            path: Some("/etc/docker/./daemon.json".into()),
            syscall: Some(SyscallFilter::Name("openat".into())),
            start: Some(100),
            end: Some(100),
            ..Query::default()
        };
        assert!(matches(&all, OPEN));
        for q in [
            Query { pid: Some(43), ..all.clone() },
            Query { syscall: Some(SyscallFilter::Number(2)), ..all.clone() },
            Query { success: Some(true), ..all.clone() },
            Query { start: Some(101), ..all.clone() },
            Query { path: Some("/var".into()), ..all.clone() },
        ] {
            assert!(!matches(&q, OPEN), "{q:?}");
        }
    }

    #[test]
    fn paths_match_files_and_trees_folded_against_the_cwd() {
        let q = |paths: Vec<PathMatch>| Query { paths, ..Query::default() };
        // ./daemon.json in /etc/docker.
        assert!(matches(&q(vec![PathMatch::file("/etc/docker/daemon.json")]), OPEN));
        assert!(matches(&q(vec![PathMatch::dir("/etc/docker")]), OPEN));
        assert!(matches(&q(vec![PathMatch::dir("/etc/docker/")]), OPEN));
        assert!(!matches(&q(vec![PathMatch::file("/etc/docker")]), OPEN), "the CWD alone does not select");
        assert!(!matches(&q(vec![PathMatch::dir("/etc/dock")]), OPEN));
        assert!(!matches(&q(vec![PathMatch::file("/usr/sbin/runc")]), OPEN));
        // A bare relative name is joined to the CWD too; `..` folds.
        let bare = [
            "type=SYSCALL msg=audit(1.000:1): syscall=59 success=yes a0=1 a1=2 key=(null)",
            "type=CWD msg=audit(1.000:1): cwd=\"/usr/bin\"",
            "type=PATH msg=audit(1.000:1): item=0 name=\"../sbin//runc\" inode=1",
            "type=PATH msg=audit(1.000:1): item=1 name=\"ld.so\" inode=2",
        ];
        assert!(matches(&q(vec![PathMatch::file("/usr/sbin/runc")]), &bare));
        assert!(matches(&q(vec![PathMatch::file("/usr/bin/ld.so")]), &bare));
        assert!(!matches(&q(vec![PathMatch::file("/usr/bin/runc")]), &bare));
        let no_cwd = ["type=PATH msg=audit(1.000:1): item=0 name=\"./usr/sbin/runc\" inode=1"];
        assert!(!matches(&q(vec![PathMatch::file("/usr/sbin/runc")]), &no_cwd));
        assert_eq!(fold(b"/a/./b//../c/"), b"/a/c");
        assert_eq!(fold(b"/.."), b"/");
    }

    #[test]
    fn keys_any_are_exact_and_ored_with_paths_and_anded_with_the_rest() {
        let q = |keys: &[&str], paths: Vec<PathMatch>| Query {
            keys_any: keys.iter().map(|k| k.to_string()).collect(),
            paths,
            ..Query::default()
        };
        // OPEN's key is docker\x01containerd.
        assert!(matches(&q(&["containerd"], vec![]), OPEN));
        assert!(matches(&q(&["runc", "docker"], vec![]), OPEN));
        assert!(!matches(&q(&["dock", "tain"], vec![]), OPEN));
        assert!(matches(&q(&["runc"], vec![PathMatch::dir("/etc")]), OPEN));
        assert!(!matches(&q(&["runc"], vec![PathMatch::dir("/var")]), OPEN));
        let and = Query { pid: Some(43), ..q(&["docker"], vec![]) };
        assert!(!matches(&and, OPEN));
        let and = Query { key: Some("contain".into()), ..q(&["docker"], vec![]) };
        assert!(matches(&and, OPEN));
        let config = ["type=CONFIG_CHANGE msg=audit(1.000:3): auid=0 ses=1 op=add_rule key=\"runc-exec\" list=4 res=1"];
        assert!(matches(&q(&["runc-exec"], vec![]), &config));
        assert!(!matches(&q(&["runc"], vec![]), &config));
    }

    #[test]
    fn null_keys_and_user_records() {
        let null = ["type=SYSCALL msg=audit(1.000:1): syscall=1 a0=1 a1=1 key=(null)"];
        assert!(matches(&Query { key: Some("null".into()), ..Query::default() }, &null));
        let user = ["type=USER_CMD msg=audit(1.000:2): pid=7 uid=1000 auid=1000 ses=1 msg='cwd=\"/\" cmd=6C73 exe=\"/usr/bin/sudo\" terminal=pts/0 res=failed'"];
        let q = Query { exe: Some("sudo".into()), success: Some(false), pid: Some(7), ..Query::default() };
        assert!(matches(&q, &user));
        let broken = ["type=SYSCALL msg=audit(1.000:1): syscall=1 a0=1 key=\"docker\""];
        assert!(!matches(&Query::default(), &broken));
    }
}
