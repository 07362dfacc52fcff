//! aureport 3.0.9's text layout (`src/aureport-output.c`), default (not `-i`) form: a
//! blank line, the title, a `=` rule, the column header, a rule, then numbered rows or
//! `COUNT  VALUE` lines; `<no events of interest were found>` and a blank line when there
//! is nothing. Numbers as aureport prints them: uids with `%d` (unset is `-1`), the pid
//! with `%u`, the syscall as its number. Strings that hold a byte below 0x20 are written
//! with it as `\ooo` (aureport's default `--escape tty`); a key in a detailed row is
//! written as it is, as aureport does. Dates are `%x %T` in the C locale
//! (`MM/DD/YY HH:MM:SS`), local time (TZ, /etc/localtime).

use super::super::time::local_date_time;
use super::scan::{Items, Success, FAILED, SUCCEEDED};
use super::{Filter, Kind};

/// What aureport prints for a report with nothing in it.
pub const NOTHING: &str = "<no events of interest were found>\n\n";

/// The rule under the title and under the header, and the header, of a detailed report.
fn detailed_head(kind: Kind) -> (&'static str, usize, &'static str) {
    match kind {
        Kind::Key => ("Key Report", 47, "# date time key success exe auid event"),
        Kind::File => ("File Report", 47, "# date time file syscall success exe auid event"),
        Kind::Exe => ("Executable Report", 36, "# date time exe term host auid event"),
        Kind::Syscall => ("Syscall Report", 39, "# date time syscall pid comm auid event"),
        Kind::User => ("User ID Report", 36, "# date time auid term host exe event"),
        Kind::Control => ("Control Report", 42, "# date time control success exe auid event"),
    }
}

fn summary_head(kind: Kind) -> (&'static str, usize, &'static str) {
    match kind {
        Kind::Key => ("Key Summary Report", 27, "total  key"),
        Kind::File => ("File Summary Report", 27, "total  file"),
        // aureport's executable summary says "file" too.
        Kind::Exe => ("Executable Summary Report", 33, "total  file"),
        Kind::Syscall => ("Syscall Summary Report", 26, "total  syscall"),
        Kind::User => ("User Summary Report", 27, "total  auid"),
        Kind::Control => ("Control Summary Report", 27, "total  control"),
    }
}

/// The lines before the rows (`print_title`): a summary's title says Failed or Success
/// when filtered, a detailed one does not.
pub fn title(kind: Kind, summary: bool, filter: Filter) -> String {
    let (name, width, header) = if summary { summary_head(kind) } else { detailed_head(kind) };
    let prefix = match (summary, filter) {
        (true, Filter::Failed) => "Failed ",
        (true, Filter::Success) => "Success ",
        _ => "",
    };
    let rule = "=".repeat(width);
    format!("\n{prefix}{name}\n{rule}\n{header}\n{rule}\n")
}

/// `safe_print_string` with `--escape tty`.
pub fn safe(out: &mut Vec<u8>, text: &[u8]) {
    if !text.iter().any(|&b| b < 32) {
        out.extend_from_slice(text);
        return;
    }
    for &b in text {
        if b < 32 {
            out.extend_from_slice(&[b'\\', b'0' + (b >> 6), b'0' + ((b >> 3) & 7), b'0' + (b & 7)]);
        } else {
            out.push(b);
        }
    }
}

/// `aulookup_success`.
pub fn success_word(s: Success) -> &'static str {
    match s {
        FAILED => "no",
        SUCCEEDED => "yes",
        _ => "unset",
    }
}

/// The file a detailed file row names: the first, or with several the first whose
/// `type=` is not exactly `PARENT` to the line's end (only an old kernel's PATH ends
/// there; a newer one's parent entries are shown as they come); empty when none is left.
pub fn row_file(items: &Items) -> &[u8] {
    let Some(files) = &items.files else { return b"" };
    if files.len() <= 1 {
        return files.first().map_or(&b""[..], |f| f.name.as_slice());
    }
    files.iter().find(|f| f.after_type.as_deref() != Some(&b"PARENT"[..])).map_or(&b""[..], |f| f.name.as_slice())
}

/// One numbered row of a detailed report (`print_per_event_item`); `controls` is the
/// control report's ids, joined with commas.
pub fn row(out: &mut Vec<u8>, number: u64, kind: Kind, sec: u64, serial: u64, items: &Items, controls: &[String]) {
    out.extend_from_slice(format!("{number}. {} ", local_date_time(sec)).as_bytes());
    let auid = (items.auid as i32).to_string();
    let exe = items.exe.as_deref().unwrap_or(b"?");
    let or_q = |v: &Option<Vec<u8>>| v.clone().unwrap_or_else(|| b"?".to_vec());
    match kind {
        Kind::Key => {
            let key = items.keys.as_ref().and_then(|k| k.first()).map_or(&b""[..], Vec::as_slice);
            out.extend_from_slice(key);
            out.extend_from_slice(format!(" {} ", success_word(items.success)).as_bytes());
            safe(out, exe);
            out.push(b' ');
            safe(out, auid.as_bytes());
        }
        Kind::File => {
            safe(out, row_file(items));
            out.extend_from_slice(format!(" {} {} ", items.syscall, success_word(items.success)).as_bytes());
            safe(out, exe);
            out.push(b' ');
            safe(out, auid.as_bytes());
        }
        Kind::Exe => {
            safe(out, exe);
            out.push(b' ');
            out.extend_from_slice(&or_q(&items.terminal));
            out.push(b' ');
            out.extend_from_slice(&or_q(&items.host));
            out.push(b' ');
            safe(out, auid.as_bytes());
        }
        Kind::Syscall => {
            out.extend_from_slice(format!("{} {} ", items.syscall, items.pid).as_bytes());
            safe(out, items.comm.as_deref().unwrap_or(b"?"));
            out.push(b' ');
            safe(out, auid.as_bytes());
        }
        Kind::User => {
            safe(out, auid.as_bytes());
            out.push(b' ');
            out.extend_from_slice(&or_q(&items.terminal));
            out.push(b' ');
            out.extend_from_slice(&or_q(&items.host));
            out.push(b' ');
            safe(out, exe);
        }
        Kind::Control => {
            out.extend_from_slice(controls.join(",").as_bytes());
            out.extend_from_slice(format!(" {} ", success_word(items.success)).as_bytes());
            safe(out, exe);
            out.push(b' ');
            safe(out, auid.as_bytes());
        }
    }
    out.extend_from_slice(format!(" {serial}\n").as_bytes());
}

/// A summary's lines, `COUNT  VALUE`, or [`NOTHING`].
pub fn summary_rows(out: &mut Vec<u8>, rows: &[(Vec<u8>, u64)]) {
    if rows.is_empty() {
        out.extend_from_slice(NOTHING.as_bytes());
    }
    for (value, count) in rows {
        out.extend_from_slice(format!("{count}  ").as_bytes());
        safe(out, value);
        out.push(b'\n');
    }
}
