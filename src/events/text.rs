//! `--format text`: one line a person reads per event: local time, who (audit user and
//! user, by name), what (syscall and success or the errno's name, or the record type),
//! which file, which executable, which key.
//!
//! Names come from the ENRICHED part when the logging host wrote one, else from the
//! reading root's `/etc/passwd` and `/etc/group` (files only, never NSS, like the rest of
//! dockaudit), else the number.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use super::json::{keys_of, proctitle_args};
use super::reassemble::Event;
use super::record::{types, Record};
use crate::rule::names::errno_name;
use crate::rule::syscalls::{syscall_name, Arch};

/// uid, gid and protocol number → name, from a root's files.
#[derive(Debug, Clone, Default)]
pub struct Names {
    users: HashMap<u32, String>,
    groups: HashMap<u32, String>,
    protocols: HashMap<u32, String>,
}

/// `/etc/protocols`: `name number aliases…`, the first line of a number wins (as
/// `getprotobynumber` reads it).
fn protocols_file(path: &Path) -> HashMap<u32, String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut map = HashMap::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("");
        let mut words = line.split_whitespace();
        let (Some(name), Some(number)) = (words.next(), words.next()) else { continue };
        if let Ok(number) = number.parse() {
            map.entry(number).or_insert_with(|| name.to_string());
        }
    }
    map
}

fn id_file(path: &Path) -> HashMap<u32, String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut map = HashMap::new();
    for line in text.lines() {
        let mut parts = line.split(':');
        let (Some(name), Some(_), Some(id)) = (parts.next(), parts.next(), parts.next()) else { continue };
        if let Ok(id) = id.parse() {
            map.entry(id).or_insert_with(|| name.to_string());
        }
    }
    map
}

impl Names {
    /// Reads `<root>/etc/passwd` and `<root>/etc/group`; missing files mean no names.
    pub fn load(root: &Path) -> Names {
        Names {
            users: id_file(&root.join("etc/passwd")),
            groups: id_file(&root.join("etc/group")),
            protocols: protocols_file(&root.join("etc/protocols")),
        }
    }

    /// The user of a uid in /etc/passwd only (no `root`/`unset` rule).
    pub fn passwd_user(&self, uid: u32) -> Option<&str> {
        self.users.get(&uid).map(String::as_str)
    }

    /// The group of a gid in /etc/group only.
    pub fn group_name(&self, gid: u32) -> Option<&str> {
        self.groups.get(&gid).map(String::as_str)
    }

    /// The official name of an IP protocol number in /etc/protocols (`6` → `tcp`).
    pub fn protocol(&self, number: u32) -> Option<&str> {
        self.protocols.get(&number).map(String::as_str)
    }

    /// The uid of a user name, for `--uid NAME`.
    pub fn uid_of(&self, name: &str) -> Option<u32> {
        if name == "root" {
            return Some(0);
        }
        self.users.iter().filter(|(_, n)| *n == name).map(|(&id, _)| id).min()
    }

    /// The name of a uid: `unset` for 4294967295, `root` for 0 (as ausearch says), else
    /// from the files.
    pub fn user(&self, uid: u32) -> Option<String> {
        match uid {
            u32::MAX => Some("unset".into()),
            0 => Some("root".into()),
            _ => self.users.get(&uid).cloned(),
        }
    }

    /// A uid field's or gid field's name, by the field's name.
    pub fn user_or_group(&self, field: &str, id: u32) -> Option<String> {
        if field.contains("gid") {
            match id {
                u32::MAX => Some("unset".into()),
                0 => Some("root".into()),
                _ => self.groups.get(&id).cloned(),
            }
        } else {
            self.user(id)
        }
    }
}

/// The arch of a SYSCALL record.
pub fn arch_of(record: &Record<'_>) -> Option<Arch> {
    let hex = std::str::from_utf8(record.field("arch")?.raw()).ok()?;
    Arch::from_audit(u32::from_str_radix(hex, 16).ok()?)
}

/// `YYYY-MM-DD HH:MM:SS.mmm` in local time (TZ, /etc/localtime).
pub fn local_time(sec: u64, msec: u16) -> String {
    let tm = super::time::local(sec as i64);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{msec:03}",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec
    )
}

fn who(out: &mut String, label: &str, record: &Record<'_>, field: &str, upper: &str, names: &Names) {
    let Some(id) = record.field(field).and_then(|v| v.int()) else { return };
    let enriched = record.enrichment_fields().find(|(n, _)| *n == upper.as_bytes()).map(|(_, v)| v.text());
    let name = match enriched {
        Some(Some(text)) => Some(String::from_utf8_lossy(&text).into_owned()),
        _ => names.user(id as u32),
    };
    match name {
        Some(name) => out.push_str(&format!(" {label}={name}")),
        None => out.push_str(&format!(" {label}={id}")),
    }
}

/// Writes the event's line; `controls` are the CIS controls it belongs to (none: no field).
pub fn write_event(out: &mut Vec<u8>, event: &Event, names: &Names, controls: &[String]) {
    let stamp = event.stamp();
    let mut line = format!("{} ", local_time(stamp.sec, stamp.msec));
    if let Some(node) = &event.key().node {
        line.push_str(&format!("node={} ", String::from_utf8_lossy(node)));
    }
    line.push_str(&format!("#{}", stamp.serial));
    if !controls.is_empty() {
        line.push_str(&format!(" control={}", controls.join(",")));
    }
    let (mut what, mut file, mut exe, mut keys, mut title) = (None, None, None, Vec::new(), None);
    let mut first_type = None;
    for record in event.records() {
        first_type.get_or_insert_with(|| String::from_utf8_lossy(record.type_name).into_owned());
        match record.kind {
            types::SYSCALL => {
                who(&mut line, "auid", &record, "auid", "AUID", names);
                who(&mut line, "uid", &record, "uid", "UID", names);
                let nr = record.field("syscall").and_then(|v| v.int()).unwrap_or(-1);
                let name = arch_of(&record)
                    .and_then(|a| syscall_name(a, nr as u32))
                    .map_or_else(|| format!("syscall {nr}"), str::to_string);
                let result = match record.field("success").map(|v| v.raw() == b"yes") {
                    Some(true) => "ok".to_string(),
                    Some(false) => match record.field("exit").and_then(|v| v.int()) {
                        Some(e) if e < 0 => errno_name(e.unsigned_abs() as u32)
                            .map_or_else(|| format!("failed({e})"), |n| format!("failed {n}")),
                        _ => "failed".to_string(),
                    },
                    None => String::new(),
                };
                what = Some(format!("{name} {result}").trim_end().to_string());
                exe = record.field("exe").and_then(|v| v.text()).map(|t| String::from_utf8_lossy(&t).into_owned());
                keys.extend(record.field("key").map(|k| keys_of(&k)).unwrap_or_default());
            }
            types::PATH if file.is_none() => {
                file = record.field("name").and_then(|v| v.text()).map(|t| String::from_utf8_lossy(&t).into_owned());
            }
            types::PROCTITLE => title = record.field("proctitle").map(|v| proctitle_args(&v).join(" ")),
            types::CONFIG_CHANGE => {
                keys.extend(record.field("key").map(|k| keys_of(&k)).unwrap_or_default());
                let op = record.field("op").map(|v| String::from_utf8_lossy(v.raw()).into_owned());
                what.get_or_insert_with(|| format!("CONFIG_CHANGE {}", op.unwrap_or_default()).trim_end().to_string());
            }
            kind if (1100..=1199).contains(&kind) || (2100..=2999).contains(&kind) => {
                who(&mut line, "auid", &record, "auid", "AUID", names);
                who(&mut line, "uid", &record, "uid", "UID", names);
                let res = record.field_deep("res").map(|v| String::from_utf8_lossy(v.raw()).into_owned());
                let kind_name = String::from_utf8_lossy(record.type_name);
                what.get_or_insert_with(|| format!("{kind_name} {}", res.unwrap_or_default()).trim_end().to_string());
                exe = record.field_deep("exe").and_then(|v| v.text()).map(|t| String::from_utf8_lossy(&t).into_owned());
            }
            _ => {}
        }
    }
    line.push(' ');
    line.push_str(&what.or(first_type).unwrap_or_default());
    for (label, value) in [("file", file), ("exe", exe), ("cmd", title)] {
        if let Some(value) = value {
            line.push_str(&format!(" {label}={value:?}"));
        }
    }
    if !keys.is_empty() {
        line.push_str(&format!(" key={}", keys.join(",")));
    }
    line.push('\n');
    let _ = out.write_all(line.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::reassemble::{EndRules, Reassembler};

    #[test]
    fn one_line_per_event() {
        let mut r = Reassembler::new(EndRules::Ausearch, 2);
        let mut events = Vec::new();
        for line in [
            "type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=257 success=no exit=-13 a0=1 a1=2 pid=3 auid=1000 uid=0 exe=\"/usr/bin/cat\" key=\"docker\"\x1dAUID=\"alice\" UID=\"root\"",
            "type=PATH msg=audit(1.000:1): item=0 name=\"/etc/docker/daemon.json\"",
            "type=EOE msg=audit(1.000:1): ",
        ] {
            r.push(&Record::parse(line.as_bytes()).unwrap(), &mut |e| events.push(e.clone()));
        }
        r.finish(&mut |e| events.push(e.clone()));
        let mut out = Vec::new();
        write_event(&mut out, &events[0], &Names::default(), &["1.1.6".to_string()]);
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.ends_with(
                "#1 control=1.1.6 auid=alice uid=root openat failed EACCES file=\"/etc/docker/daemon.json\" exe=\"/usr/bin/cat\" key=docker\n"
            ),
            "{text}"
        );
    }
}
