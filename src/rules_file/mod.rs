//! The auditctl rule-file language (what `auditctl -R` and `augenrules` read), parsed
//! into kernel rules and control settings exactly as auditctl 3.0.9 builds them.
//!
//! auditctl is the oracle: every decision below that looks odd is what auditctl does
//! (checked by loading and listing on a real kernel), e.g. a key always lands after
//! every other field, `-F uid=010` is octal, `-F uid=12abc` is 12, `gid` takes no
//! negative numbers, a `-F arch` after `-S` is an error, and a line is split on
//! spaces only (a tab is part of a word, `\ ` is an escaped space).
//!
//! The one place we are stricter than auditctl: it only logs a warning for a key
//! containing the 0x01 separator; we refuse it, because it would list as two keys.
//!
//! The files, by job: `lexer` (words, getopt, C's number readers), `builder` (the
//! options of a line into a rule or a directive), `fields` (the `-F` table), `resolver`
//! (what names mean on the judged root), `entry` and `error` (what comes out).

mod builder;
mod entry;
mod error;
mod fields;
mod lexer;
mod resolver;

pub use entry::{Directive, Entry, Line, Origin, RuleOp};
pub use error::{ParseError, ParseErrorKind};
pub use resolver::Resolver;

use builder::Builder;
use lexer::{options, split_words};

/// `AUDIT_MAX_KEY_LEN`: the kernel refuses longer keys, so the parser does first.
pub const MAX_KEY_LEN: usize = 256;
const PATH_MAX: usize = 4096;
const NAME_MAX: usize = 255;
/// libaudit refuses to add a field once 63 are there (`AUDIT_MAX_FIELDS - 1`).
const FIELD_LIMIT: usize = crate::rule::MAX_FIELDS - 1;
/// Syscall numbers fit the 2048-bit mask.
const MAX_SYSCALL: u64 = 2047;

/// `audit_status.feature_bitmap` bits that change what auditctl accepts: a rule a
/// kernel cannot enforce is refused at parse time, as auditctl refuses it.
pub mod feature {
    /// `-F exe=`.
    pub const EXECUTABLE_PATH: u32 = 0x04;
    /// Fields other than `msgtype` on the exclude list.
    pub const EXCLUDE_EXTEND: u32 = 0x08;
    /// `-F sessionid=`.
    pub const SESSIONID_FILTER: u32 = 0x10;
    /// The filesystem list.
    pub const FILTER_FS: u32 = 0x40;
    /// What every kernel since 4.17 has (all seven bits, `AUDIT_FEATURE_BITMAP_ALL`),
    /// so every kernel of the 5.10, 6.1 and 6.12 matrix: assumed when no kernel is asked
    /// (`--root`, `--rules`, `load --dry-run`).
    pub const ALL: u32 = 0x7f;

    /// The kernel's names of the bits set in `bitmap`, lowest first.
    pub fn names(bitmap: u32) -> Vec<&'static str> {
        const NAMES: [&str; 7] = [
            "backlog_limit",
            "backlog_wait_time",
            "executable_path",
            "exclude_extend",
            "sessionid_filter",
            "lost_reset",
            "filter_fs",
        ];
        NAMES.iter().enumerate().filter(|(bit, _)| bitmap & (1 << bit) != 0).map(|(_, name)| *name).collect()
    }
}

/// Parses a whole file. `origin` names it in errors (`rules.d/50-docker.rules`).
pub fn parse(text: &str, origin: &str, resolver: &Resolver) -> Result<Vec<Line>, ParseError> {
    let mut lines = Vec::new();
    for (index, line) in text.split('\n').enumerate() {
        if let Some(line) = parse_line(line, origin, index + 1, resolver)? {
            lines.push(line);
        }
    }
    Ok(lines)
}

/// A whole file, each line parsed on its own: a line that does not parse does not hide
/// the lines after it, so a load that goes on past errors (`-i`, `-c`) can skip it.
pub fn parse_lines(text: &str, origin: &str, resolver: &Resolver) -> Vec<Result<Line, ParseError>> {
    text.split('\n')
        .enumerate()
        .filter_map(|(index, line)| parse_line(line, origin, index + 1, resolver).transpose())
        .collect()
}

/// One line; `None` for blank and comment lines. Callers that read line by line (the
/// boot simulation, `fix`) keep their own line numbers.
pub fn parse_line(text: &str, origin: &str, number: usize, resolver: &Resolver) -> Result<Option<Line>, ParseError> {
    let error =
        |column: usize, kind: ParseErrorKind| ParseError { file: origin.to_string(), line: number, column, kind };
    let words = split_words(text);
    let Some(first) = words.first() else { return Ok(None) };
    if first.text.starts_with('#') {
        return Ok(None);
    }
    let mut builder = Builder::new(resolver);
    let options = options(&words).map_err(|(column, kind)| error(column, kind))?;
    let mut iter = options.into_iter().peekable();
    while let Some(option) = iter.next() {
        // `-D -k KEY` is one command in auditctl, not a delete followed by a key.
        if option.name == "D" {
            if let Some(next) = iter.peek() {
                if next.name == "k" {
                    let key = iter.next().and_then(|o| o.value).map(|v| v.text);
                    builder.control(&option, Directive::DeleteAll { key }).map_err(|k| error(option.column, k))?;
                    continue;
                }
            }
        }
        builder.option(&option).map_err(|(column, kind)| error(column, kind))?;
    }
    let column = first.column;
    let mut entry = builder.finish().map_err(|(c, kind)| error(c.unwrap_or(column), kind))?;
    if text.ends_with('\r') {
        if let Some((_, warnings)) = entry.as_mut() {
            warnings.push(
                "the line ends with a carriage return (a CRLF file?); it is part of the last word, as in auditctl"
                    .into(),
            );
        }
    }
    Ok(entry.map(|(entry, warnings)| Line {
        origin: Origin { file: origin.to_string(), line: number },
        entry,
        warnings,
    }))
}

/// Rules from auditctl lines on a fake host, for tests that start from the rule text an
/// administrator writes: `-w` becomes a tree watch when the path is a directory in `fs`.
/// Panics on a line auditctl would refuse, since a test's rules are meant to load.
#[cfg(test)]
pub(crate) fn test_rules(text: &str, fs: &crate::host::FakeFs) -> Vec<crate::rule::Rule> {
    let lines = parse(text, "test.rules", &Resolver::over(fs.clone())).unwrap_or_else(|e| panic!("{e}"));
    lines
        .into_iter()
        .filter_map(|line| match line.entry {
            Entry::Rule { rule, .. } => Some(rule),
            Entry::Directive(_) => None,
        })
        .collect()
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod arm64_tests;
