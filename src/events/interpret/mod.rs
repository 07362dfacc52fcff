//! `--format interpret`: what `ausearch -i` (audit 3.0.9) prints for an event, byte for
//! byte: `----`, then each record last first as
//! `type=SYSCALL msg=audit(01/01/25 00:00:01.897:1047) : arch=x86_64 syscall=unlink … `.
//!
//! The record printer is ausearch's `output_interpreted_record` and `report_interpret`
//! (`src/ausearch-report.c`), walked the same way over the same bytes, so its quirks
//! come along: the text between fields (AVC's `avc:  denied  { read } for`) is printed
//! as part of the next name; a value is cut at a comma before the next space unless its
//! field is a MAC label; user records' `msg='` is printed and its inner fields
//! interpreted, the closing quote staying on the last value (`res=success'`); a record
//! without `=` prints its body and an empty line (EOE); an event whose last record is a
//! daemon record (1200–1299) prints that record only. Values are interpreted as auparse
//! does (`fields`, `flags`, `sockaddr`, `errno`).
//!
//! Names: a field the record's ENRICHED part names (`UID="root"`, `SYSCALL=openat`,
//! `SADDR={ … }`, lower-cased) prints as the logging host wrote it; else uid and gid
//! fields are resolved in the reading root's /etc/passwd and /etc/group (0 is always
//! `root`, 4294967295 `unset`, others `unknown(N)`), protocols in its /etc/protocols.
//! Every record gets its own names: with a name given to `-ui`/`-ul`, ausearch prints an
//! event's last record with the first record's ENRICHED names (loaded to compare the
//! name, still loaded for the first record it prints); that mix-up is not reproduced.
//! Time: `%x %T` of the local time (TZ honoured), which is `MM/DD/YY HH:MM:SS` in the C
//! and C.UTF-8 locales; other locales' date forms are not reproduced. Syscall names come
//! from dockaudit's tables (x86_64, i386, aarch64, arm); other machines print
//! `unknown-syscall(N)` where ausearch has a name. TTY data (`data=` of TTY records)
//! prints as written, and setsockopt/getsockopt option names and shmget flags as hex.
//!
//! ausearch keeps the last SYSCALL record's a0 and a1 across events (statics), which
//! only matters for a SECCOMP record's `syscall=socketcall`; here they are per event.

mod errno;
mod fields;
mod flags;
mod sockaddr;
mod tables;
mod value_tables;

use self::fields::{adjust_type, detect_machine, elf_to_machine, interpret, rtype, Id, Interps};
use super::cstr::strtoul;
use super::reassemble::Event;
use super::record::Record;
use super::text::Names;
use super::time::local_date_time;

/// `strchr` on a C string: the first `c` at or after `from`, before the terminating NUL.
fn strchr(s: &[u8], from: usize, c: u8) -> Option<usize> {
    s.get(from..)?.iter().take_while(|&&b| b != 0).position(|&b| b == c).map(|i| from + i)
}

/// The C string at `from`.
fn cstr(s: &[u8], from: usize) -> &[u8] {
    let rest = s.get(from..).unwrap_or(&[]);
    &rest[..rest.iter().position(|&b| b == 0).unwrap_or(rest.len())]
}

/// `safe_print_string(s, 1)`: control characters escaped, then a newline.
fn safe_print_line(out: &mut Vec<u8>, s: &[u8]) {
    out.extend_from_slice(&fields::tty_escape_except(s, None));
    out.push(b'\n');
}

/// What one record's fields share (ausearch's statics of `ausearch-report.c`).
struct RecordState<'a> {
    kind: u32,
    machine: i64,
    syscall: i32,
    a0: u64,
    a1: u64,
    names: &'a Names,
    interps: Interps<'a>,
}

/// Appends the event as `ausearch -i` prints it.
pub fn write_event(out: &mut Vec<u8>, event: &Event, names: &Names) {
    out.extend_from_slice(b"----\n");
    let records: Vec<Record<'_>> = event.records().collect();
    let Some(last) = records.last() else { return };
    // Every record of the event carries its stamp: formatted (and localtime'd) once.
    let stamp = event.stamp();
    let stamp = format!("{}.{:03}:{}) ", local_date_time(stamp.sec), stamp.msec, stamp.serial);
    let mut msg = Vec::new();
    if (rtype::DAEMON_START..rtype::SYSCALL).contains(&last.kind) {
        write_record(out, &mut msg, last, event, names, stamp.as_bytes());
    } else {
        for record in records.iter().rev() {
            write_record(out, &mut msg, record, event, names, stamp.as_bytes());
        }
    }
}

/// A SYSCALL record's a0 or a1 as ausearch's parser reads them (hex, 0 when absent).
fn arg(record: &Record<'_>, name: &str) -> u64 {
    record.field(name).and_then(|v| strtoul(v.raw(), 16).ok()).unwrap_or(0)
}

/// `output_interpreted_record`.
/// `msg` is the scratch copy of the record's message, kept across records.
fn write_record(out: &mut Vec<u8>, msg: &mut Vec<u8>, record: &Record<'_>, event: &Event, names: &Names, stamp: &[u8]) {
    let line = match record.enrichment {
        Some(e) => &record.line[..record.line.len() - e.len() - 1],
        None => record.line,
    };
    // A C string: the message ends at a NUL, and fields are cut by writing NULs into it.
    msg.clear();
    msg.extend_from_slice(&line[..memchr::memchr(0, line).unwrap_or(line.len())]);
    msg.push(0);
    let node = event.key().node.as_deref();
    let mut start = 0;
    if node.is_some() {
        if let Some(space) = strchr(msg, 0, b' ') {
            start = space + 1;
        }
    }
    // Record::parse found `msg=audit(`, so there is a `(`.
    let Some(open) = strchr(msg, start, b'(') else { return };
    msg[open] = 0;
    if let Some(node) = node {
        out.extend_from_slice(b"node=");
        out.extend_from_slice(node);
        out.push(b' ');
    }
    match crate::rule::names::msgtype_name(record.kind).filter(|_| record.kind != 0) {
        Some(name) => {
            out.extend_from_slice(b"type=");
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b" msg=audit(");
        }
        None => {
            out.extend_from_slice(cstr(msg, start));
            out.push(b'(');
        }
    }
    let Some(close) = strchr(msg, open + 1, b')') else { return };
    msg[close] = 0;
    out.extend_from_slice(stamp);
    let mut state = RecordState {
        kind: record.kind,
        machine: -1,
        syscall: -1,
        a0: 0,
        a1: 0,
        names,
        interps: record.enrichment.map(Interps::new).unwrap_or_default(),
    };
    if record.kind == rtype::SYSCALL {
        state.a0 = arg(record, "a0");
        state.a1 = arg(record, "a1");
    }
    write_fields(out, msg, close + 1, &mut state);
}

/// The loop of `output_interpreted_record` over `msg` from `from`.
fn write_fields(out: &mut Vec<u8>, msg: &mut [u8], from: usize, state: &mut RecordState<'_>) {
    let mut rest = Some(from);
    let (mut found, mut comma, mut no_equals) = (false, false, false);
    while let Some(s) = rest.filter(|&s| msg[s] != 0) {
        let Some(eq) = strchr(msg, s, b'=') else {
            no_equals = true;
            break;
        };
        comma = false;
        found = true;
        // The name is the word before `=`; whatever precedes it is printed with it.
        let mut name = eq;
        while msg[name] != b' ' && name > s {
            name -= 1;
        }
        msg[eq] = 0;
        let value = eq + 1;
        out.extend_from_slice(cstr(msg, s));
        out.push(b'=');
        if cstr(msg, name) == b"msg" {
            rest = Some(value);
            continue;
        }
        if msg[name] == b'\'' {
            name += 1;
        }
        let quote = msg[value];
        if quote == b'\'' || quote == b'"' {
            rest = strchr(msg, value + 1, quote).map(|q| {
                let after = q + 1;
                if msg[after] != 0 {
                    msg[after] = 0;
                    after + 1
                } else {
                    after
                }
            });
        } else {
            // ausearch looks for the comma in the whole rest of the record; only one before
            // the next space matters, and looking no further keeps a record linear.
            let space_at = strchr(msg, value, b' ');
            let comma_at = match space_at {
                Some(sp) => msg[value..sp].iter().position(|&b| b == b',').map(|i| value + i),
                None => strchr(msg, value, b','),
            };
            rest = match (comma_at, space_at) {
                // A comma before the next field: the value ends there unless it is a MAC
                // label (`subj=u:r:t:s0:c1,c2`), ausearch-report.c:280.
                (Some(c), Some(sp)) if c < sp => {
                    if adjust_type(state.kind, cstr(msg, name), cstr(msg, sp)) == fields::FieldType::MacLabel {
                        msg[sp] = 0;
                        Some(sp + 1)
                    } else {
                        msg[c] = 0;
                        comma = true;
                        Some(c + 1)
                    }
                }
                (Some(c), None) => {
                    if adjust_type(state.kind, cstr(msg, name), cstr(msg, value)) == fields::FieldType::MacLabel {
                        None
                    } else {
                        msg[c] = 0;
                        comma = true;
                        Some(c + 1)
                    }
                }
                (_, Some(sp)) => {
                    msg[sp] = 0;
                    Some(sp + 1)
                }
                (None, None) => None,
            };
        }
        report_interpret(out, cstr(msg, name), cstr(msg, value), comma, state);
    }
    // A body without `=` (EOE's `: `) is printed as is; so is what follows a value cut at
    // its comma (ausearch-report.c:318).
    if (!found && no_equals) || comma {
        if let Some(s) = rest {
            safe_print_line(out, cstr(msg, s));
        }
    }
    out.push(b'\n');
}

/// `report_interpret`: one value, interpreted, and what follows it.
fn report_interpret(out: &mut Vec<u8>, name: &[u8], val: &[u8], comma: bool, state: &mut RecordState<'_>) {
    let skip = name.iter().take_while(|&&b| b == b' ' || b == b'(').count();
    let name = &name[skip..];
    let val = match val.split_last() {
        Some((b':', head)) if name == b"acct" => head,
        _ => val,
    };
    let ftype = adjust_type(state.kind, name, val);
    let syscall = if state.kind == rtype::SYSCALL || state.kind == rtype::SECCOMP {
        if state.machine == -1 {
            state.machine = detect_machine();
        }
        if name == b"arch" {
            match strtoul(val, 16) {
                Ok(elf) => state.machine = elf_to_machine(elf),
                Err(_) => {
                    out.extend_from_slice(&[b"arch conversion error(", val, b") "].concat());
                    return;
                }
            }
        }
        if state.syscall < 0 && name == b"syscall" {
            match strtoul(val, 10) {
                Ok(n) => state.syscall = n as i32,
                Err(_) => {
                    out.extend_from_slice(&[b"syscall conversion error(", val, b") "].concat());
                    return;
                }
            }
        }
        state.syscall
    } else {
        0
    };
    // An unclassified value prints as it is: no interpretation to build.
    if ftype == fields::FieldType::Unclassified {
        out.extend_from_slice(val);
        out.push(if comma { b',' } else { b' ' });
        return;
    }
    let owned;
    let text = match fields::interpret_borrowed(ftype, name, val, state.names, &state.interps) {
        Some(text) => text,
        None => {
            let id = Id { syscall, machine: state.machine, a0: state.a0, a1: state.a1, name, val };
            owned = interpret(ftype, &id, state.names, &state.interps);
            &owned[..]
        }
    };
    if name == b"key" {
        // A multi-key (0x01-separated) prints as `key=a key=b`.
        for (i, key) in text.split(|&b| b == 0x01).enumerate() {
            if i > 0 {
                out.extend_from_slice(b" key=");
            }
            out.extend_from_slice(key);
        }
        out.push(b' ');
    } else if ftype == fields::FieldType::TtyData {
        out.extend_from_slice(text);
    } else {
        out.extend_from_slice(text);
        out.push(b' ');
    }
}

#[cfg(test)]
mod tests;
