//! The words and options of a line, as auditctl's shell-less split and getopt_long see
//! them, and C's number readers: auditctl reads every number with strtoul/strtol, so
//! `010` is octal and `12abc` is 12, and so are we.

use super::ParseErrorKind;

#[derive(Clone, Debug)]
pub(super) struct Word {
    pub(super) text: String,
    /// 1-based, in characters.
    pub(super) column: usize,
}

/// auditctl's split: on spaces only; `\ ` is a space inside a word and `\\` a backslash.
pub(super) fn split_words(line: &str) -> Vec<Word> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut start = 0;
    let mut chars = line.chars().enumerate().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            ' ' => {
                if !current.is_empty() {
                    words.push(Word { text: std::mem::take(&mut current), column: start + 1 });
                }
            }
            '\\' if matches!(chars.peek(), Some((_, ' ' | '\\'))) => {
                if current.is_empty() {
                    start = i;
                }
                current.push(chars.next().map(|(_, c)| c).unwrap_or('\\'));
            }
            c => {
                if current.is_empty() {
                    start = i;
                }
                current.push(c);
            }
        }
    }
    if !current.is_empty() {
        words.push(Word { text: current, column: start + 1 });
    }
    words
}

#[derive(Clone, Debug)]
pub(super) struct Opt {
    /// Short letter or long name, without dashes.
    pub(super) name: String,
    pub(super) column: usize,
    pub(super) value: Option<Word>,
}

const WITH_VALUE: &str = "CefrbaAdSFmRwWkpq";
const WITHOUT_VALUE: &str = "hicslDvt";
const LONG: &[(&str, bool)] = &[
    ("loginuid-immutable", false),
    ("backlog_wait_time", true),
    ("reset-lost", false),
    ("reset_backlog_wait_time_actual", false),
    ("signal", true),
];

/// getopt_long over the words of a line, as auditctl calls it.
pub(super) fn options(words: &[Word]) -> Result<Vec<Opt>, (usize, ParseErrorKind)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let word = &words[i];
        i += 1;
        let text = word.text.as_str();
        if let Some(long) = text.strip_prefix("--").filter(|l| !l.is_empty()) {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (long, None),
            };
            // getopt_long accepts an unambiguous prefix.
            let matches: Vec<_> = LONG.iter().filter(|(l, _)| *l == name || l.starts_with(name)).collect();
            let exact = LONG.iter().find(|(l, _)| *l == name);
            let Some(&(full, takes_value)) = exact.or(if matches.len() == 1 { Some(matches[0]) } else { None }) else {
                return Err((word.column, ParseErrorKind::UnknownOption(text.to_string())));
            };
            let value = if takes_value {
                match inline {
                    Some(v) => Some(Word { text: v.to_string(), column: word.column + 3 + name.len() }),
                    None => {
                        let v = words.get(i).cloned();
                        i += 1;
                        Some(v.ok_or((word.column, ParseErrorKind::MissingValue(format!("--{full}"))))?)
                    }
                }
            } else {
                None
            };
            out.push(Opt { name: full.to_string(), column: word.column, value });
            continue;
        }
        if text == "--" {
            if let Some(stray) = words.get(i) {
                return Err((stray.column, ParseErrorKind::NotAnOption(stray.text.clone())));
            }
            break;
        }
        let Some(letters) = text.strip_prefix('-').filter(|l| !l.is_empty()) else {
            return Err((word.column, ParseErrorKind::NotAnOption(text.to_string())));
        };
        for (offset, letter) in letters.char_indices() {
            let column = word.column + 1 + letters[..offset].chars().count();
            if WITH_VALUE.contains(letter) {
                let rest = &letters[offset + letter.len_utf8()..];
                let value = if !rest.is_empty() {
                    Word { text: rest.to_string(), column: column + 1 }
                } else {
                    let v = words.get(i).cloned();
                    i += 1;
                    v.ok_or((column, ParseErrorKind::MissingValue(format!("-{letter}"))))?
                };
                out.push(Opt { name: letter.to_string(), column, value: Some(value) });
                break;
            } else if WITHOUT_VALUE.contains(letter) {
                out.push(Opt { name: letter.to_string(), column, value: None });
            } else {
                return Err((column, ParseErrorKind::UnknownOption(format!("-{letter}"))));
            }
        }
    }
    Ok(out)
}

fn strip_radix(s: &str) -> (u32, &str) {
    if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        if hex.starts_with(|c: char| c.is_ascii_hexdigit()) {
            return (16, hex);
        }
    }
    if s.len() > 1 && s.starts_with('0') {
        return (8, &s[1..]);
    }
    (10, s)
}

/// C's strtoul(s, NULL, 0) on a 64-bit libc, garbage after the digits ignored.
pub(super) fn c_strtoul(s: &str, base: u32) -> u64 {
    let s = s.trim_start();
    let (negative, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (radix, digits) = if base == 0 { strip_radix(s) } else { (base, s) };
    let mut value: u64 = 0;
    for c in digits.chars() {
        let Some(d) = c.to_digit(radix) else { break };
        match value.checked_mul(radix as u64).and_then(|v| v.checked_add(d as u64)) {
            Some(v) => value = v,
            None => return u64::MAX,
        }
    }
    if negative {
        value.wrapping_neg()
    } else {
        value
    }
}

/// C's strtol(s, NULL, 0): like strtoul but saturating at the i64 range.
pub(super) fn c_strtol(s: &str) -> i64 {
    let t = s.trim_start();
    let negative = t.starts_with('-');
    let magnitude = c_strtoul(t.trim_start_matches(['-', '+']), 0);
    if negative {
        if magnitude > i64::MAX as u64 {
            i64::MIN
        } else {
            -(magnitude as i64)
        }
    } else {
        magnitude.min(i64::MAX as u64) as i64
    }
}

pub(super) fn starts_digit(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_digit())
}

/// A uid-like value as auditctl reads it: a number (C `strtoul`, any base), a negative
/// number (wrapped to u32, so -1 is 4294967295), or `unset`. None for a name.
pub(super) fn id_number(value: &str) -> Option<u32> {
    if starts_digit(value) {
        Some(c_strtoul(value, 0) as u32)
    } else if starts_negative_digit(value) {
        Some(c_strtol(value) as u32)
    } else if value == "unset" {
        Some(u32::MAX)
    } else {
        None
    }
}

pub(super) fn starts_negative_digit(s: &str) -> bool {
    s.len() >= 2 && s.starts_with('-') && s[1..].starts_with(|c: char| c.is_ascii_digit())
}
