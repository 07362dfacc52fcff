//! C's number readers as auparse calls them (`strtoul`, `strtol`, `strtoll`, `strtoull`,
//! glibc on a 64-bit host): leading white space, a sign, `0x` for base 16, as many digits
//! as there are, and `ERANGE` (here `Err`) on overflow. A value without digits is 0, not
//! an error, which is why `syscall=abc` reads as syscall 0 in ausearch.

fn digits(text: &[u8], base: u32) -> (bool, Option<u64>) {
    let mut at = 0;
    while text.get(at).is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')) {
        at += 1;
    }
    let negative = match text.get(at) {
        Some(b'-') => {
            at += 1;
            true
        }
        Some(b'+') => {
            at += 1;
            false
        }
        _ => false,
    };
    if base == 16
        && text.get(at) == Some(&b'0')
        && matches!(text.get(at + 1), Some(b'x' | b'X'))
        && text.get(at + 2).is_some_and(u8::is_ascii_hexdigit)
    {
        at += 2;
    }
    let mut value: Option<u64> = Some(0);
    while let Some(d) = text.get(at).and_then(|&b| (b as char).to_digit(base)) {
        value = value.and_then(|v| v.checked_mul(u64::from(base))).and_then(|v| v.checked_add(u64::from(d)));
        at += 1;
    }
    (negative, value)
}

/// `strtoul`/`strtoull` (unsigned long is 64 bits): a negative value wraps.
pub(super) fn strtoul(text: &[u8], base: u32) -> Result<u64, ()> {
    match digits(text, base) {
        (_, None) => Err(()),
        (true, Some(v)) => Ok(v.wrapping_neg()),
        (false, Some(v)) => Ok(v),
    }
}

/// `strtol`/`strtoll`.
pub(super) fn strtoll(text: &[u8], base: u32) -> Result<i64, ()> {
    match digits(text, base) {
        (_, None) => Err(()),
        (true, Some(v)) if v <= 1 << 63 => Ok((v as i64).wrapping_neg()),
        (false, Some(v)) if v < 1 << 63 => Ok(v as i64),
        _ => Err(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_like_c() {
        assert_eq!(strtoul(b"c000003e", 16), Ok(0xc000003e));
        assert_eq!(strtoul(b"0x1f", 16), Ok(0x1f));
        assert_eq!(strtoul(b"0xg", 16), Ok(0));
        assert_eq!(strtoul(b"257 rest", 10), Ok(257));
        assert_eq!(strtoul(b"abc", 10), Ok(0));
        assert_eq!(strtoul(b"-1", 10), Ok(u64::MAX));
        assert_eq!(strtoul(b"99999999999999999999", 10), Err(()));
        assert_eq!(strtoll(b"-13", 10), Ok(-13));
        assert_eq!(strtoll(b"9223372036854775808", 10), Err(()));
        assert_eq!(strtoll(b"-9223372036854775808", 10), Ok(i64::MIN));
    }
}
