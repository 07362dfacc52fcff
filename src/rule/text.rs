//! The `auditctl -l` text form of a rule, byte for byte as auditctl 3.0.9 prints it,
//! except where auditctl is wrong (shared/reference/auditctl-format.md):
//! 1. auditctl lets the arch of one rule leak into the syscall names of the next rule
//!    that has none; we name syscalls from the rule's own arch, else the native one.
//! 2. auditctl prints a watch whose perm field comes before its path as ` -p x-w PATH`;
//!    we always print `-w PATH -p PERMS -k KEY`.
//! 3. A rule that auditctl would print in watch form but that has no path or dir
//!    field (e.g. `-a always,exit -S all -F perm=w`) comes out of auditctl as ` -p w`,
//!    which no tool can read back; we print the rule form.

use std::io::Write as _;

use super::names;
use super::syscalls::{self, Arch};
use super::{perm, Field, FieldType, FieldValue, Operator, Rule};

/// `-C` operands, by `AUDIT_COMPARE_*` value (1..=25).
const COMPARISONS: [(&str, &str); 25] = [
    ("uid", "obj_uid"),
    ("gid", "obj_gid"),
    ("euid", "obj_uid"),
    ("egid", "obj_gid"),
    ("auid", "obj_uid"),
    ("suid", "obj_uid"),
    ("sgid", "obj_gid"),
    ("fsuid", "obj_uid"),
    ("fsgid", "obj_gid"),
    ("uid", "auid"),
    ("uid", "euid"),
    ("uid", "fsuid"),
    ("uid", "suid"),
    ("auid", "fsuid"),
    ("auid", "suid"),
    ("auid", "euid"),
    ("euid", "suid"),
    ("euid", "fsuid"),
    ("suid", "fsuid"),
    ("gid", "egid"),
    ("gid", "fsgid"),
    ("gid", "sgid"),
    ("egid", "fsgid"),
    ("egid", "sgid"),
    ("sgid", "fsgid"),
];

/// The two sides of a `-C` comparison value.
pub fn comparison(value: u32) -> Option<(&'static str, &'static str)> {
    (value as usize).checked_sub(1).and_then(|i| COMPARISONS.get(i)).copied()
}

/// The `-C left<op>right` pair as the `field_compare` value (1–25); `None` if libaudit lacks it.
pub fn comparison_value(left: &str, right: &str) -> Option<u32> {
    COMPARISONS.iter().position(|pair| *pair == (left, right)).map(|i| i as u32 + 1)
}

fn op_symbol(op: Operator) -> &'static str {
    // auditctl prints whatever libaudit's table holds; an unknown operator has no
    // symbol there, and an empty one keeps the rest of the line readable.
    op.symbol().unwrap_or("")
}

/// Appends the whole listing as `auditctl -l` prints it, `No rules` included.
pub fn write_listing(out: &mut Vec<u8>, rules: &[Rule], native: Arch) {
    if rules.is_empty() {
        out.extend_from_slice(b"No rules\n");
        return;
    }
    for rule in rules {
        write_rule(out, rule, native);
        out.push(b'\n');
    }
}

/// One rule, without the newline.
pub fn to_text(rule: &Rule, native: Arch) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    write_rule(&mut out, rule, native);
    out
}

/// [`to_text`] appended to `out`; syscalls are named in the rule's `arch=`, else `native`.
pub fn write_rule(out: &mut Vec<u8>, rule: &Rule, native: Arch) {
    if rule.is_watch_form() && rule.fields.iter().any(|f| matches!(f.kind, FieldType::WATCH | FieldType::DIR)) {
        write_watch(out, rule);
    } else {
        write_syscall_rule(out, rule, native);
    }
}

fn write_watch(out: &mut Vec<u8>, rule: &Rule) {
    for field in &rule.fields {
        if let (FieldType::WATCH | FieldType::DIR, FieldValue::Text(path)) = (field.kind, &field.value) {
            // auditctl 3.0.9 prints a tree watch (dir) without the trailing slash too.
            out.extend_from_slice(b"-w ");
            out.extend_from_slice(path);
        }
    }
    for field in rule.fields.iter().filter(|f| f.kind == FieldType::PERM) {
        out.extend_from_slice(b" -p ");
        perm::write_letters(out, field.as_number().unwrap_or(0));
    }
    for key in rule.keys() {
        out.extend_from_slice(b" -k ");
        out.extend_from_slice(key);
    }
}

fn write_syscall_rule(out: &mut Vec<u8>, rule: &Rule, native: Arch) {
    out.extend_from_slice(b"-a ");
    match rule.action.name() {
        Some(name) => out.extend_from_slice(name.as_bytes()),
        None => write_decimal(out, rule.action.raw()),
    }
    out.push(b',');
    match rule.list.name() {
        Some(name) => out.extend_from_slice(name.as_bytes()),
        None => write_decimal(out, rule.list.raw()),
    }

    // auditctl names syscalls from the last arch field it printed, whatever its operator.
    let mut syscall_arch = Some(native);
    for field in rule.fields.iter().filter(|f| f.kind == FieldType::ARCH) {
        let value = field.as_number().unwrap_or(0);
        out.extend_from_slice(b" -F arch");
        out.extend_from_slice(op_symbol(field.op).as_bytes());
        syscall_arch = Arch::from_audit(value);
        match syscall_arch {
            Some(arch) => out.extend_from_slice(if arch.is_64bit() { b"b64" } else { b"b32" }),
            None => {
                let _ = write!(out, "0x{value:X}");
            }
        }
    }

    if rule.list.takes_syscalls() {
        if rule.mask.is_all() {
            out.extend_from_slice(b" -S all");
        } else {
            for (i, nr) in rule.mask.numbers().enumerate() {
                out.extend_from_slice(if i == 0 { b" -S " } else { b"," });
                match syscall_arch.and_then(|arch| syscalls::syscall_name(arch, nr)) {
                    Some(name) => out.extend_from_slice(name.as_bytes()),
                    None => write_decimal(out, nr),
                }
            }
        }
    }

    for field in rule.fields.iter().filter(|f| f.kind != FieldType::ARCH) {
        write_field(out, field);
    }
}

fn write_field(out: &mut Vec<u8>, field: &Field) {
    let op = op_symbol(field.op);
    let Some(name) = field.kind.name() else {
        let value = field.as_number().unwrap_or(0) as i32;
        let _ = write!(out, " f{}{op}{value}", field.kind.0);
        return;
    };
    match field.kind {
        FieldType::FILTERKEY => {
            for key in field.as_bytes().unwrap_or_default().split(|b| *b == super::KEY_SEPARATOR) {
                if !key.is_empty() {
                    out.extend_from_slice(b" -F key=");
                    out.extend_from_slice(key);
                }
            }
        }
        FieldType::FIELD_COMPARE => {
            if let Some((left, right)) = field.as_number().and_then(comparison) {
                let _ = write!(out, " -C {left}{op}{right}");
            }
        }
        // auditctl prints these with a literal `=` whatever the operator.
        FieldType::WATCH | FieldType::DIR | FieldType::PERM => {
            out.extend_from_slice(b" -F ");
            out.extend_from_slice(name.as_bytes());
            out.push(b'=');
            write_value(out, field);
        }
        _ => {
            out.extend_from_slice(b" -F ");
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(op.as_bytes());
            write_value(out, field);
        }
    }
}

/// A field's value as auditctl shows it: strings as they are, `perm` as letters,
/// `msgtype`/`fstype` by name, a negative `exit` as `-ERRNO`, `a0`..`a3` in hex,
/// `inode` unsigned, anything else as signed decimal (so `auid=-1`).
pub fn value_text(field: &Field) -> Vec<u8> {
    let mut out = Vec::new();
    write_value(&mut out, field);
    out
}

/// [`value_text`] appended to `out`: a listing of 10,000 rules allocates nothing per field.
fn write_value(out: &mut Vec<u8>, field: &Field) {
    let number = match &field.value {
        FieldValue::Text(text) => return out.extend_from_slice(text),
        FieldValue::Number(n) => *n,
    };
    let signed = number as i32;
    let name = match field.kind {
        FieldType::PERM => return perm::write_letters(out, number),
        FieldType::MSGTYPE => names::msgtype_name(number),
        FieldType::FSTYPE => names::fstype_name(number),
        FieldType::EXIT if signed < 0 => match names::errno_name(signed.unsigned_abs()) {
            Some(errno) => {
                out.push(b'-');
                Some(errno)
            }
            None => None,
        },
        FieldType::INODE => return write_decimal(out, number),
        FieldType::ARG0 | FieldType::ARG1 | FieldType::ARG2 | FieldType::ARG3 => {
            let _ = write!(out, "0x{number:X}");
            return;
        }
        _ => None,
    };
    match name {
        Some(name) => out.extend_from_slice(name.as_bytes()),
        None => {
            let _ = write!(out, "{signed}");
        }
    }
}

fn write_decimal(out: &mut Vec<u8>, value: u32) {
    let _ = write!(out, "{value}");
}

/// One field as auditctl prints it inside a rule (`-F auid>=1000`), for messages.
pub fn field_text(field: &Field) -> String {
    let mut out = Vec::new();
    write_field(&mut out, field);
    String::from_utf8_lossy(&out).trim_start().to_string()
}
