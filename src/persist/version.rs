//! GNU `ls -v` order, in which augenrules reads `rules.d`.

use std::cmp::Ordering;

/// GNU `ls -v` order (gnulib's filevercmp): runs of digits compare as numbers, file
/// suffixes like `.rules` are compared last, dot files first.
pub fn version_cmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    match (a.is_empty(), b.is_empty()) {
        (true, _) => return Ordering::Less,
        (_, true) => return Ordering::Greater,
        _ => {}
    }
    match (a.starts_with('.'), b.starts_with('.')) {
        (true, false) => return Ordering::Less,
        (false, true) => return Ordering::Greater,
        _ => {}
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (ap, bp) = (prefix_len(a), prefix_len(b));
    let first = verrevcmp(&a[..ap], &b[..bp]);
    if first != Ordering::Equal || (ap == a.len() && bp == b.len()) {
        first
    } else {
        verrevcmp(a, b)
    }
}

/// Length of `name` without its suffix `(\.[A-Za-z~][A-Za-z0-9~]*)*$`.
fn prefix_len(name: &[u8]) -> usize {
    let mut prefix = name.len();
    let mut i = 0;
    let mut in_suffix_candidate = None;
    while i < name.len() {
        let c = name[i];
        if c == b'.' && name.get(i + 1).is_some_and(|n| n.is_ascii_alphabetic() || *n == b'~') {
            in_suffix_candidate.get_or_insert(i);
            i += 2;
            while i < name.len() && (name[i].is_ascii_alphanumeric() || name[i] == b'~') {
                i += 1;
            }
            continue;
        }
        in_suffix_candidate = None;
        i += 1;
    }
    if let Some(start) = in_suffix_candidate {
        prefix = start;
    }
    prefix
}

fn order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => c as i32,
        Some(b'~') => -1,
        Some(c) => c as i32 + 256,
    }
}

/// Debian's version comparison, as filevercmp uses it.
fn verrevcmp(a: &[u8], b: &[u8]) -> Ordering {
    let (mut i, mut j) = (0, 0);
    let digit = |s: &[u8], k: usize| s.get(k).is_some_and(u8::is_ascii_digit);
    while i < a.len() || j < b.len() {
        while (i < a.len() && !digit(a, i)) || (j < b.len() && !digit(b, j)) {
            let (x, y) = (order(a.get(i).copied()), order(b.get(j).copied()));
            if x != y {
                return x.cmp(&y);
            }
            i += 1;
            j += 1;
        }
        while a.get(i) == Some(&b'0') {
            i += 1;
        }
        while b.get(j) == Some(&b'0') {
            j += 1;
        }
        let mut first_diff = Ordering::Equal;
        while digit(a, i) && digit(b, j) {
            if first_diff == Ordering::Equal {
                first_diff = a[i].cmp(&b[j]);
            }
            i += 1;
            j += 1;
        }
        if digit(a, i) {
            return Ordering::Greater;
        }
        if digit(b, j) {
            return Ordering::Less;
        }
        if first_diff != Ordering::Equal {
            return first_diff;
        }
    }
    Ordering::Equal
}
