//! `--start`/`--end` values: ISO 8601, seconds since the epoch, ausearch's `MM/DD/YY
//! [HH:MM[:SS]]`, and its keywords (`src/ausearch-time.c`): now, recent (10 minutes ago),
//! boot, today, yesterday, this-week (Sunday), week-ago, this-month, this-year, all at
//! local midnight except now/recent/boot (and `today` as an end, which is now), with
//! ausearch's DST flags so the same words select the same events.
//!
//! Local time is the C library's (`localtime_r`/`mktime`): it honours `TZ` and
//! `/etc/localtime` exactly as ausearch does, on glibc and musl alike, without a time
//! zone crate or database of our own. Like ausearch, an end given as `MM/DD/YY` alone
//! takes the current time of day; an ISO date alone ends at 23:59:59 of that day, which
//! is what a person means by it.

/// Why a time could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    /// Not any of the accepted forms.
    #[error(
        "unknown time {0:?}: use ISO 8601 (2025-01-31, 2025-01-31T13:00:00, …Z or +01:00), seconds since \
         the epoch, MM/DD/YY [HH:MM:SS], or now, recent, boot, today, yesterday, this-week, week-ago, \
         this-month, this-year"
    )]
    Unknown(String),
    /// `/proc/uptime` could not be read for `boot`.
    #[error("cannot read /proc/uptime for `boot`")]
    Uptime,
}

const DAY: i64 = 24 * 60 * 60;

/// libc deprecates `time_t` on musl, to follow musl 1.2's 64-bit `time_t` on 32-bit
/// targets; on the 64-bit targets dockaudit is built for it is `i64` already.
#[allow(deprecated)]
type TimeT = libc::time_t;

/// Broken-down local time of `t` (TZ, /etc/localtime, as ausearch reads them).
pub(super) fn local(t: i64) -> libc::tm {
    // SAFETY: localtime_r writes into the tm we own; an all-zero tm is a valid value.
    unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        let t = t as TimeT;
        libc::localtime_r(&t, &mut tm);
        tm
    }
}

/// `strftime("%x %T")` of `sec` in local time, C locale (`MM/DD/YY HH:MM:SS`): the
/// stamp `ausearch -i` and aureport's rows print.
pub(super) fn local_date_time(sec: u64) -> String {
    let tm = local(sec as i64);
    format!(
        "{:02}/{:02}/{:02} {:02}:{:02}:{:02}",
        tm.tm_mon + 1,
        tm.tm_mday,
        (tm.tm_year + 1900).rem_euclid(100),
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec
    )
}

/// The epoch second of a local date and time; DST decided by the C library.
fn make(year: i32, month: i32, day: i32, hour: i32, min: i32, sec: i32) -> Option<i64> {
    make_dst(year, month, day, hour, min, sec, -1)
}

/// Same with the DST flag given, as ausearch gives it (see [`parse_time`]).
fn make_dst(year: i32, month: i32, day: i32, hour: i32, min: i32, sec: i32, isdst: i32) -> Option<i64> {
    // SAFETY: mktime reads and normalizes the tm we own.
    let t = unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        tm.tm_year = year - 1900;
        tm.tm_mon = month - 1;
        tm.tm_mday = day;
        tm.tm_hour = hour;
        tm.tm_min = min;
        tm.tm_sec = sec;
        tm.tm_isdst = isdst;
        libc::mktime(&mut tm)
    };
    (t != -1).then_some(t as i64)
}

/// Days since the epoch of a civil date (Howard Hinnant's algorithm), for UTC times.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn num(s: &str, len: std::ops::RangeInclusive<usize>) -> Option<i32> {
    (len.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
}

/// `HH:MM[:SS]`.
fn clock(s: &str) -> Option<(i32, i32, i32)> {
    let mut parts = s.split(':');
    let h = num(parts.next()?, 1..=2)?;
    let m = num(parts.next()?, 2..=2)?;
    let sec = match parts.next() {
        Some(p) => num(p, 2..=2)?,
        None => 0,
    };
    (parts.next().is_none() && h < 24 && m < 60 && sec < 61).then_some((h, m, sec))
}

/// Reads a `--start` (or, with `end`, an `--end`) value, `now` being the current epoch second.
pub fn parse_time(text: &str, end: bool, now: i64) -> Result<u64, TimeError> {
    let unknown = || TimeError::Unknown(text.to_string());
    let t = text.trim();
    let tod = |t: i64| {
        let tm = local(t);
        (tm.tm_hour, tm.tm_min, tm.tm_sec)
    };
    // ausearch's keywords: local midnight of the day of `t`, with the DST flag of the
    // moment `t` (replace_date copies it), which is an hour off on the days DST changed
    // in between; kept, so the same keyword selects the same events.
    let midnight_of = |t: i64| {
        let tm = local(t);
        make_dst(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, 0, 0, 0, tm.tm_isdst)
    };
    let value = match t {
        "now" => Some(now),
        "recent" => Some(now - 600),
        "boot" => {
            let uptime = std::fs::read_to_string("/proc/uptime").map_err(|_| TimeError::Uptime)?;
            let secs: f64 = uptime.split_whitespace().next().and_then(|s| s.parse().ok()).ok_or(TimeError::Uptime)?;
            Some(now - (secs + 0.5) as i64)
        }
        // As an end, ausearch's `today` is now; every other day keyword is its midnight.
        "today" if end => Some(now),
        "today" => midnight_of(now),
        "yesterday" => midnight_of(now - DAY),
        "this-week" => midnight_of(now - i64::from(local(now).tm_wday) * DAY),
        "week-ago" => midnight_of(now - 7 * DAY),
        "this-month" => {
            let tm = local(now);
            make_dst(tm.tm_year + 1900, tm.tm_mon + 1, 1, 0, 0, 0, tm.tm_isdst)
        }
        // ausearch clears the DST flag for this one.
        "this-year" => make_dst(local(now).tm_year + 1900, 1, 1, 0, 0, 0, 0),
        _ if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) => t.parse().ok(),
        _ if t.contains('/') => {
            // ausearch's C-locale `%x`: MM/DD/YY (or YYYY), then an optional time.
            let (date, time) = t.split_once(' ').unwrap_or((t, ""));
            let mut parts = date.split('/');
            let (mo, d, y) = (
                num(parts.next().ok_or_else(unknown)?, 1..=2),
                num(parts.next().ok_or_else(unknown)?, 1..=2),
                parts.next(),
            );
            let y = y.and_then(|y| num(y, 2..=4)).map(|y| {
                if y < 69 {
                    y + 2000
                } else if y < 100 {
                    y + 1900
                } else {
                    y
                }
            });
            let (h, m, s) = if time.trim().is_empty() {
                if end {
                    tod(now)
                } else {
                    (0, 0, 0)
                }
            } else {
                clock(time.trim()).ok_or_else(unknown)?
            };
            match (mo, d, y, parts.next()) {
                (Some(mo), Some(d), Some(y), None) if (1..=12).contains(&mo) && (1..=31).contains(&d) => {
                    make(y, mo, d, h, m, s)
                }
                _ => None,
            }
        }
        _ => iso(t, end),
    };
    value.and_then(|v| u64::try_from(v).ok()).ok_or_else(unknown)
}

/// ISO 8601: a date, optionally `T` or a space and a time, optionally `Z` or an offset.
fn iso(t: &str, end: bool) -> Option<i64> {
    let date = t.get(..10)?;
    let y = num(date.get(..4)?, 4..=4)?;
    let mo = num(date.get(5..7)?, 2..=2)?;
    let d = num(date.get(8..10)?, 2..=2)?;
    if &date[4..5] != "-" || &date[7..8] != "-" || !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    let rest = &t[10..];
    if rest.is_empty() {
        return if end { make(y, mo, d, 23, 59, 59) } else { make(y, mo, d, 0, 0, 0) };
    }
    let rest = rest.strip_prefix('T').or_else(|| rest.strip_prefix(' '))?;
    let (time, offset) = match rest.find(['Z', 'z', '+', '-']) {
        Some(at) => (&rest[..at], Some(&rest[at..])),
        None => (rest, None),
    };
    // Fractions of a second are allowed and dropped.
    let time = time.split_once('.').map_or(time, |(whole, _)| whole);
    let (h, m, s) = clock(time)?;
    let Some(offset) = offset else { return make(y, mo, d, h, m, s) };
    let offset_secs = match offset {
        "Z" | "z" => 0,
        _ => {
            let sign = if offset.starts_with('-') { -1 } else { 1 };
            let digits: String = offset[1..].chars().filter(|c| *c != ':').collect();
            let oh = num(digits.get(..2)?, 2..=2)?;
            let om = if digits.len() > 2 { num(digits.get(2..)?, 2..=2)? } else { 0 };
            sign * (i64::from(oh) * 3600 + i64::from(om) * 60)
        }
    };
    let days = days_from_civil(i64::from(y), i64::from(mo), i64::from(d));
    Some(days * DAY + i64::from(h) * 3600 + i64::from(m) * 60 + i64::from(s) - offset_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_and_offsets_and_epochs() {
        assert_eq!(parse_time("2025-01-01T00:00:01Z", false, 0), Ok(1_735_689_601));
        assert_eq!(parse_time("2025-01-01T01:00:01+01:00", false, 0), Ok(1_735_689_601));
        assert_eq!(parse_time("2024-12-31T23:00:01.5-0100", false, 0), Ok(1_735_689_601));
        assert_eq!(parse_time("1735689601", false, 0), Ok(1_735_689_601));
        assert_eq!(parse_time("now", false, 1000), Ok(1000));
        assert_eq!(parse_time("recent", true, 1000), Ok(400));
        for bad in ["", "tomorrow", "2025-13-01", "2025-01-01T25:00", "2025-01-01X", "13/01/25", "-5"] {
            assert!(parse_time(bad, false, 0).is_err(), "{bad}");
        }
    }

    #[test]
    fn local_keywords_are_midnights_before_now() {
        let now = 1_735_689_601 + 5 * DAY + 13 * 3600;
        let today = parse_time("today", false, now).unwrap() as i64;
        assert!(today <= now && now - today < DAY + 3600);
        let tm = local(today);
        assert_eq!((tm.tm_hour, tm.tm_min, tm.tm_sec), (0, 0, 0));
        let week = parse_time("this-week", false, now).unwrap() as i64;
        assert_eq!(local(week).tm_wday, 0);
        assert!(parse_time("yesterday", false, now).unwrap() as i64 == today - DAY || local(today).tm_isdst != 0);
        assert_eq!(local(parse_time("this-year", false, now).unwrap() as i64).tm_yday, 0);
        assert_eq!(local(parse_time("this-month", false, now).unwrap() as i64).tm_mday, 1);
        // As an end, `today` is now and the other days their midnight, as in ausearch.
        assert_eq!(parse_time("today", true, now).unwrap() as i64, now);
        assert_eq!(parse_time("yesterday", true, now), parse_time("yesterday", false, now));
        assert!(parse_time("01/02/25 10:00:00", false, now).is_ok());
    }
}
