//! The C string functions ausearch's and aureport's parser (`ausearch-parse.c`) and
//! auparse's interpretations are built from, over a record's message as ausearch holds it
//! (the line up to its first NUL or 0x1D): `strstr`, `strchr`, `strtoul` and `strtoll`
//! from a position, and ausearch's `unescape`. Positions are indexes into the message; a
//! search past its end finds nothing, as it would at the terminating NUL.

/// `strstr(m + from, needle)`, with the needle's searcher.
pub(crate) fn find_with(m: &[u8], from: usize, finder: &memchr::memmem::Finder<'_>) -> Option<usize> {
    finder.find(m.get(from..)?).map(|i| from + i)
}

/// `strstr(m + from, needle)` of a literal needle, whose searcher is built on first use
/// and kept: building one costs more than a search through a record.
macro_rules! find_lit {
    ($m:expr, $from:expr, $needle:literal) => {{
        static FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
            std::sync::LazyLock::new(|| memchr::memmem::Finder::new($needle));
        $crate::events::cstr::find_with($m, $from, &FINDER)
    }};
}
pub(crate) use find_lit;

/// `strchr(m + from, c)` for a non-NUL `c`.
pub(crate) fn chr(m: &[u8], from: usize, c: u8) -> Option<usize> {
    memchr::memchr(c, m.get(from..)?).map(|i| from + i)
}

/// The byte at `at`, NUL at and past the end (the terminator C reads there).
pub(crate) fn at(m: &[u8], at: usize) -> u8 {
    m.get(at).copied().unwrap_or(0)
}

/// `errno` was ERANGE.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct OutOfRange;

/// glibc's digits of `strtoul`/`strtol(text, NULL, base)` on the text the parser cut
/// out: leading white space, a sign, `0x` for base 16, then as many digits as there are
/// (none is 0, which is why `syscall=abc` reads as syscall 0); `None` past `u64::MAX`.
fn digits(text: &[u8], base: u32) -> (bool, Option<u64>) {
    let mut i = text.iter().take_while(|c| matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')).count();
    let negative = match text.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    if base == 16
        && text.get(i) == Some(&b'0')
        && matches!(text.get(i + 1), Some(b'x' | b'X'))
        && text.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
    {
        i += 2;
    }
    let mut value = Some(0u64);
    while let Some(d) = text.get(i).and_then(|&c| (c as char).to_digit(base)) {
        value = value.and_then(|v| v.checked_mul(u64::from(base))).and_then(|v| v.checked_add(u64::from(d)));
        i += 1;
    }
    (negative, value)
}

/// glibc's `strtoul(text, NULL, base)` (unsigned long is 64 bits): a minus negates,
/// wrapping; past `u64::MAX` is ERANGE, which makes ausearch give the event up.
pub(crate) fn strtoul(text: &[u8], base: u32) -> Result<u64, OutOfRange> {
    match digits(text, base) {
        (_, None) => Err(OutOfRange),
        (true, Some(v)) => Ok(v.wrapping_neg()),
        (false, Some(v)) => Ok(v),
    }
}

/// glibc's `strtol`/`strtoll(text, NULL, base)`: ERANGE outside `i64`.
pub(crate) fn strtoll(text: &[u8], base: u32) -> Result<i64, OutOfRange> {
    match digits(text, base) {
        (true, Some(v)) if v <= 1 << 63 => Ok((v as i64).wrapping_neg()),
        (false, Some(v)) if v < 1 << 63 => Ok(v as i64),
        _ => Err(OutOfRange),
    }
}

/// `strtoul` of `m[from..to]`, or to the end of the message when the parser found no
/// space to cut at.
pub(crate) fn number(m: &[u8], from: usize, to: Option<usize>, base: u32) -> Result<u64, OutOfRange> {
    let end = to.unwrap_or(m.len()).min(m.len());
    strtoul(m.get(from..end).unwrap_or(b""), base)
}

/// ausearch's `unescape` (ausearch-lookup.c) at `from`: `(…)` kept as written up to `)`;
/// else the run of hex digits decoded in pairs (an odd last digit is its high nibble,
/// the terminator its low one). `None` where it returns NULL: no `)`, fewer than two
/// digits. The bytes are not cut at a NUL: callers that use the result as a C string
/// call [`cstring`].
pub(crate) fn unescape(m: &[u8], from: usize) -> Option<Vec<u8>> {
    let buf = m.get(from..)?;
    if buf.first() == Some(&b'(') {
        let close = memchr::memchr(b')', buf)?;
        return Some(buf[..=close].to_vec());
    }
    let digits = buf.iter().take_while(|c| c.is_ascii_hexdigit()).count();
    if digits < 2 {
        return None;
    }
    let nibble = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
    Some(buf[..digits].chunks(2).map(|p| nibble(p[0]) << 4 | p.get(1).map_or(0, |&c| nibble(c))).collect())
}

/// A C string's bytes: up to the first NUL.
pub(crate) fn cstring(mut bytes: Vec<u8>) -> Vec<u8> {
    if let Some(nul) = memchr::memchr(0, &bytes) {
        bytes.truncate(nul);
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strtoul_is_glibcs() {
        assert_eq!(strtoul(b"42", 10), Ok(42));
        assert_eq!(strtoul(b" +7x", 10), Ok(7));
        assert_eq!(strtoul(b"-1", 10), Ok(u64::MAX));
        assert_eq!(strtoul(b"abc", 10), Ok(0));
        assert_eq!(strtoul(b"=5", 10), Ok(0));
        assert_eq!(strtoul(b"c000003e", 16), Ok(0xc000_003e));
        assert_eq!(strtoul(b"0x1f", 16), Ok(0x1f));
        assert_eq!(strtoul(b"18446744073709551615", 10), Ok(u64::MAX));
        assert_eq!(strtoul(b"18446744073709551616", 10), Err(OutOfRange));
        assert_eq!(strtoul(b"\x0b9", 10), Ok(9));
        assert_eq!(strtoul(b"0xg", 16), Ok(0));
        assert_eq!(strtoul(b"257 rest", 10), Ok(257));
        assert_eq!(strtoll(b"-13", 10), Ok(-13));
        assert_eq!(strtoll(b"9223372036854775808", 10), Err(OutOfRange));
        assert_eq!(strtoll(b"-9223372036854775808", 10), Ok(i64::MIN));
    }

    #[test]
    fn unescape_is_ausearchs() {
        assert_eq!(unescape(b"x=616263 y", 2), Some(b"abc".to_vec()));
        assert_eq!(unescape(b"616", 0), Some(vec![0x61, 0x60]));
        assert_eq!(unescape(b"(null) x", 0), Some(b"(null)".to_vec()));
        assert_eq!(unescape(b"(null", 0), None);
        assert_eq!(unescape(b"6", 0), None);
        assert_eq!(unescape(b"zz", 0), None);
        assert_eq!(cstring(unescape(b"610062", 0).unwrap()), b"a");
    }
}
