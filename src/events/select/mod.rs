//! Which events a search keeps: [`Query`], every option ANDed, each read from an event
//! as ausearch 3.0.9 reads it, so the same options select the same events. The facts
//! come from `parse` (its `extract_search_items`, per record type, with its quirks and
//! the failures that give an event up) and are compared as `ausearch-match.c` compares:
//!
//! - a numeric `--pid`/`--uid`/`--auid`/`--syscall`/`--success` compares with the value
//!   the last record that holds one left, or ausearch's initial value: uid unset
//!   (4294967295), auid -2, syscall 0, pid -1; so `--syscall 0` selects every event
//!   without a SYSCALL or SECCOMP record, as `-sc 0` does, and the values ausearch takes
//!   for "not given" select everything (`--uid 4294967295`, `--auid 4294967294`,
//!   `--pid 4294967295`, `--syscall 4294967295`);
//! - `--uid NAME`/`--auid NAME` compare names `lookup_uid` gave: the event's ENRICHED
//!   name when its first record is a SYSCALL or it has one record, else root for 0,
//!   unset, or the root's /etc/passwd; no number is compared then;
//! - keys (`key=` of SYSCALL, CONFIG_CHANGE, the MAC records) match as substrings
//!   (`--word`: exactly), split on 0x01; `key=(null)` is the key `(null)`;
//! - `--path`: the file names (PATH `name=`, relative ones under the CWD, AVC `path=`
//!   or `name=`, AVC_PATH and CONFIG_CHANGE `path=`, a unix SOCKADDR's path), else the CWD;
//! - `--syscall NAME` — a deliberate difference: dockaudit names the number in the
//!   event's own arch (`arch=` of its last SYSCALL or SECCOMP record), so `--syscall
//!   open` finds x86_64's 2 and i386's 5; ausearch turns the name into the machine's
//!   number and keeps only events of the machine's arch, so `-sc open` on x86_64 never
//!   finds a 32-bit or aarch64 event. A number compares as a number in any arch, as
//!   ausearch does.
//!
//! Beyond ausearch, two generic selectors that `dockaudit events` fills with the Docker
//! selection (`--control`, and the default without selectors); they are ORed together
//! and ANDed with the rest, and absent they change nothing. They read the records as
//! `-f` and `-k` do:
//! - [`Query::paths`]: a [`PathMatch`], an exact file or anything under a directory,
//!   against every file name `--path` reads (relative names joined to the CWD, then `.`,
//!   `..` and `//` folded lexically); the CWD alone does not select;
//! - [`Query::keys_any`]: one of these keys, exactly (multi-keys split on 0x01).
//!
//! [`Labels`](super::Labels) names the CIS controls an event belongs to by the same matching.

mod parse;

use super::labels::{fold, PathMatch};
use super::record::{types, Record};
use super::text::Names;
use crate::rule::syscalls::{syscall_name, Arch};
pub(super) use parse::Facts;
use parse::{identity_only, message, parsed, Parser, Wants, NO_LOGINUID};

/// A syscall by number or by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyscallFilter {
    /// Compared with the event's number, whatever its arch (ausearch's `-sc N`).
    Number(u32),
    /// Compared with the name of the event's number in the event's own arch.
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
    /// The login uid (`-ul`). ausearch ignores `-ul 4294967294`; so does this.
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
    /// Selecting as `ausearch -i` does (`--format interpret`): it also reads every
    /// SYSCALL record's `arch=`, so an event whose SYSCALL record has none (or none
    /// followed by a space) is dropped, which `--raw` keeps. Not a selector.
    pub interpret: bool,
}

impl Query {
    /// Whether any option is set (without one, every event is kept).
    pub fn is_empty(&self) -> bool {
        *self == Query { interpret: self.interpret, ..Query::default() }
    }

    /// Whether a record of second `sec` is read at all: ausearch drops records outside
    /// the time bounds before grouping them.
    pub fn in_time(&self, sec: u64) -> bool {
        self.start.is_none_or(|s| sec >= s) && self.end.is_none_or(|e| sec <= e)
    }

    fn strmatch(&self, needle: &[u8], haystack: &[u8]) -> bool {
        if self.exact {
            haystack == needle
        } else {
            memchr::memmem::find(haystack, needle).is_some()
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
        let head = if self.names_users() { event.records().next().map(|r| (r.kind, r.enrichment)) } else { None };
        let head = head.unwrap_or((event.first_kind(), None));
        self.decide(event.stamp().sec, event.records_where(|kind| self.reads(kind)), head, event.len(), names)
    }

    /// Whether `--uid` or `--auid` is a name (ausearch then loads ENRICHED names).
    fn names_users(&self) -> bool {
        matches!(self.uid, Some(UserFilter::Name(_))) || matches!(self.auid, Some(UserFilter::Name(_)))
    }

    /// Whether the file names are read (`--path` or `paths`).
    fn wants_files(&self) -> bool {
        self.path.is_some() || !self.paths.is_empty()
    }

    /// Whether the keys are read (`--key` or `keys_any`).
    fn wants_keys(&self) -> bool {
        self.key.is_some() || !self.keys_any.is_empty()
    }

    /// Which sections of ausearch's parser run: the options set, as ausearch sees them.
    fn wants(&self) -> Wants {
        Wants {
            pid: self.pid.is_some_and(|p| p != u32::MAX),
            uid: matches!(&self.uid, Some(UserFilter::Name(_)))
                || matches!(self.uid, Some(UserFilter::Id(n)) if n != u32::MAX),
            auid: matches!(&self.auid, Some(UserFilter::Name(_)))
                || matches!(self.auid, Some(UserFilter::Id(n)) if n != NO_LOGINUID),
            success: self.success.is_some(),
            exe: self.exe.is_some(),
            key: self.wants_keys(),
            files: self.wants_files(),
            arch: self.interpret || matches!(self.syscall, Some(SyscallFilter::Name(_))),
        }
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
        let keys = (0..self.keys_any.len())
            .filter(|&i| f.keys.iter().any(|k| k.as_slice() == self.keys_any[i].as_bytes()))
            .collect();
        (paths, keys)
    }

    /// Whether a record of this type can change the outcome: it is parsed for the
    /// options set, or can make ausearch give the event up whatever they are.
    pub(super) fn reads(&self, kind: u32) -> bool {
        let w = self.wants();
        let identity = w.pid || w.uid || w.auid || w.success || w.exe || w.files;
        match kind {
            types::CWD | types::PATH | types::AVC_PATH | 1306 => w.files,
            k if identity_only(k) => identity,
            k => parsed(k),
        }
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
        let Some(facts) = self.facts(records, head, count, names) else { return false };
        let f = &facts;
        // user_match: when either is a name, only names are compared (a number beside a
        // name is parsed, and can drop an event, but never compared); else numbers.
        let named = self.names_users();
        let user_ok = |filter: &Option<UserFilter>, value: u32, name: &Option<Vec<u8>>, unset: u32| match filter {
            None => true,
            Some(UserFilter::Id(_)) if named => true,
            Some(UserFilter::Id(id)) => *id == unset || value == *id,
            Some(UserFilter::Name(wanted)) => name.as_deref() == Some(wanted.as_bytes()),
        };
        if !user_ok(&self.uid, f.uid, &f.tuid, u32::MAX) || !user_ok(&self.auid, f.loginuid, &f.tauid, NO_LOGINUID) {
            return false;
        }
        if self.pid.is_some_and(|p| p != u32::MAX && p != f.pid) {
            return false;
        }
        match &self.syscall {
            Some(SyscallFilter::Number(n)) if *n != u32::MAX && *n != f.syscall => return false,
            Some(SyscallFilter::Name(name)) => {
                let named = Arch::from_audit(f.arch).and_then(|a| syscall_name(a, f.syscall));
                if named != Some(name.as_str()) {
                    return false;
                }
            }
            _ => {}
        }
        if self.success.is_some_and(|s| i32::from(s) != f.success) {
            return false;
        }
        if let Some(path) = &self.path {
            if f.files.is_empty() && f.cwd.is_none() {
                return false;
            }
            let in_files = f.files.iter().any(|name| self.strmatch(path.as_bytes(), name));
            if !in_files && !f.cwd.as_ref().is_some_and(|cwd| self.strmatch(path.as_bytes(), cwd)) {
                return false;
            }
        }
        if let Some(exe) = &self.exe {
            if !f.exe.as_ref().is_some_and(|e| self.strmatch(exe.as_bytes(), e)) {
                return false;
            }
        }
        if let Some(key) = &self.key {
            if !f.keys.iter().any(|k| self.strmatch(key.as_bytes(), k)) {
                return false;
            }
        }
        if !self.paths.is_empty() || !self.keys_any.is_empty() {
            let (paths, keys) = self.hits(f);
            if paths.is_empty() && keys.is_empty() {
                return false;
            }
        }
        true
    }

    /// ausearch's parse of the event's records (those [`Query::reads`] wants, in order);
    /// `None` when ausearch would give the event up. `head` is the first record's type
    /// and ENRICHED part, `count` the number of records.
    pub(super) fn facts<'a>(
        &self,
        records: impl Iterator<Item = Record<'a>>,
        head: (u32, Option<&'a [u8]>),
        count: usize,
        names: &Names,
    ) -> Option<Facts> {
        // ausearch loads the ENRICHED names of the first record only, only for a name
        // given to -ui/-ul, and only when that record is a SYSCALL or alone.
        let interps = (self.names_users() && (head.0 == types::SYSCALL || count == 1)).then_some(head.1).flatten();
        let mut parser = Parser { wants: self.wants(), interps, names, facts: Facts::default() };
        for record in records {
            parser.record(record.kind, message(record.line)).ok()?;
        }
        Some(parser.facts)
    }
}

#[cfg(test)]
mod tests;
