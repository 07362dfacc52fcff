//! `--format json`: one object per event per line, for SIEM pipelines. Field names follow
//! the Elastic Common Schema where one fits, as auditbeat's auditd module does, so the
//! objects go in without a mapping; everything else is under `auditd`. Strings are decoded
//! (hex → text, proctitle → argv), numbers are numbers, names come from the ENRICHED part
//! when the logging host wrote one. The layout is versioned by `schema_version`
//! ([`SCHEMA_VERSION`]); README.md documents it.

use serde_json::{json, Map, Value as Json};

use super::reassemble::Event;
use super::record::{decode_hex, types, Record, Value};
use super::text::{arch_of, Names};
use crate::rule::names::errno_name;
use crate::rule::syscalls::syscall_name;

/// The version of the JSON layout; raised when a field changes meaning or goes away.
pub const SCHEMA_VERSION: u32 = 1;

/// Fields whose value is text the kernel hex-encodes when it has to (`audit_log_untrustedstring`).
fn is_untrusted_string(name: &[u8]) -> bool {
    matches!(
        name,
        b"comm"
            | b"exe"
            | b"cwd"
            | b"name"
            | b"path"
            | b"proctitle"
            | b"key"
            | b"acct"
            | b"cmd"
            | b"data"
            | b"old"
            | b"new"
            | b"root_dir"
            | b"vm"
            | b"watch"
            | b"ocomm"
            | b"grp"
            | b"new_group"
            | b"id"
    ) || is_execve_arg(name)
}

/// `a0` … and `a0[1]` of EXECVE (not `a0_len`); SYSCALL's a0–a3 are numbers in hex.
fn is_execve_arg(name: &[u8]) -> bool {
    name.len() > 1 && name[0] == b'a' && name[1..].iter().all(|b| b.is_ascii_digit() || *b == b'[' || *b == b']')
}

/// Bare values that are numbers but not in decimal: keep them as written.
fn is_non_decimal(name: &[u8]) -> bool {
    matches!(name, b"arch" | b"a0" | b"a1" | b"a2" | b"a3" | b"mode" | b"oflag" | b"perm" | b"per" | b"flags")
        || name.starts_with(b"cap_")
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A field's value as JSON: decoded text, a number, or `null` for an absent value.
pub fn field_json(kind: u32, name: &[u8], value: &Value<'_>) -> Json {
    match *value {
        Value::Quoted(b) | Value::Single(b) => Json::String(lossy(b)),
        _ if value.is_absent() => Json::Null,
        Value::Bare(b) => {
            let decodes = is_untrusted_string(name) && !(kind == types::SYSCALL && name.len() == 2);
            if decodes {
                if let Some(text) = decode_hex(b) {
                    return Json::String(lossy(&text));
                }
            }
            if !is_non_decimal(name) && (b == b"0" || !b.starts_with(b"0")) && !b.starts_with(b"-0") {
                if let Some(n) = value.int() {
                    return json!(n);
                }
            }
            Json::String(lossy(b))
        }
    }
}

/// A proctitle as argv: hex (NUL-separated arguments) or a quoted single word.
pub fn proctitle_args(value: &Value<'_>) -> Vec<String> {
    match *value {
        Value::Bare(b) => match decode_hex(b) {
            Some(bytes) => bytes.split(|&c| c == 0).filter(|a| !a.is_empty()).map(lossy).collect(),
            None => vec![lossy(b)],
        },
        _ => value.text().map(|t| vec![lossy(&t)]).unwrap_or_default(),
    }
}

fn record_json(record: &Record<'_>) -> Json {
    let mut fields = Map::new();
    for (name, value) in record.fields() {
        if let Value::Single(_) = value {
            // User-space records: the nested message's fields, flattened beside the outer ones.
            for (inner, v) in value.inner_fields() {
                fields.insert(lossy(inner), field_json(record.kind, inner, &v));
            }
            continue;
        }
        let json = if name == b"key" {
            Json::Array(keys_of(&value).into_iter().map(Json::String).collect())
        } else if name == b"proctitle" {
            Json::Array(proctitle_args(&value).into_iter().map(Json::String).collect())
        } else {
            field_json(record.kind, name, &value)
        };
        fields.entry(lossy(name)).or_insert(json);
    }
    let mut out = Map::new();
    out.insert("type".into(), Json::String(lossy(record.type_name)));
    out.insert("fields".into(), Json::Object(fields));
    if record.enrichment.is_some() {
        let enriched: Map<String, Json> =
            record.enrichment_fields().map(|(n, v)| (lossy(n), Json::String(lossy(v.raw())))).collect();
        out.insert("enriched".into(), Json::Object(enriched));
    }
    Json::Object(out)
}

/// The keys a `key=` value holds: quoted, or hex with several joined by 0x01; none for `(null)`.
pub fn keys_of(value: &Value<'_>) -> Vec<String> {
    match value.text() {
        Some(text) => text.split(|&b| b == 0x01).filter(|k| !k.is_empty()).map(lossy).collect(),
        None => Vec::new(),
    }
}

fn set(map: &mut Map<String, Json>, path: &[&str], value: Json) {
    let (last, parents) = path.split_last().expect("non-empty path");
    let mut node = map;
    for part in parents {
        let entry = node.entry(part.to_string()).or_insert_with(|| Json::Object(Map::new()));
        if !entry.is_object() {
            return;
        }
        node = entry.as_object_mut().expect("just checked");
    }
    node.insert(last.to_string(), value);
}

/// RFC 3339 UTC time with milliseconds (`@timestamp`).
pub fn utc_timestamp(sec: u64, msec: u16) -> String {
    let days = (sec / 86_400) as i64;
    let rem = sec % 86_400;
    // Civil from days (Howard Hinnant).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{msec:03}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// The event as one JSON object (no newline).
pub fn event_json(event: &Event, names: &Names) -> Json {
    let stamp = event.stamp();
    let mut out = Map::new();
    out.insert("schema_version".into(), json!(SCHEMA_VERSION));
    out.insert("@timestamp".into(), Json::String(utc_timestamp(stamp.sec, stamp.msec)));
    set(&mut out, &["event", "kind"], json!("event"));
    set(&mut out, &["event", "sequence"], json!(stamp.serial));
    if let Some(node) = &event.key().node {
        set(&mut out, &["host", "name"], Json::String(lossy(node)));
    }
    let mut tags = Vec::new();
    let mut records = Vec::new();
    let mut paths = Vec::new();
    for record in event.records() {
        records.push(record_json(&record));
        let enriched =
            |name: &str| record.enrichment_fields().find(|(n, _)| *n == name.as_bytes()).map(|(_, v)| lossy(v.raw()));
        match record.kind {
            types::SYSCALL => {
                let arch = arch_of(&record);
                if let Some(a) = arch {
                    set(&mut out, &["auditd", "arch"], json!(a.name()));
                }
                if let Some(nr) = record.field("syscall").and_then(|v| v.int()) {
                    let name =
                        arch.and_then(|a| syscall_name(a, nr as u32)).map_or_else(|| nr.to_string(), str::to_string);
                    set(&mut out, &["auditd", "syscall"], json!(name));
                    set(&mut out, &["event", "action"], json!(name));
                }
                if let Some(success) = record.field("success") {
                    let ok = success.raw() == b"yes";
                    set(&mut out, &["event", "outcome"], json!(if ok { "success" } else { "failure" }));
                }
                if let Some(exit) = record.field("exit").and_then(|v| v.int()) {
                    set(&mut out, &["auditd", "exit"], json!(exit));
                    if let Some(name) = (exit < 0).then(|| errno_name(exit.unsigned_abs() as u32)).flatten() {
                        set(&mut out, &["auditd", "errno"], json!(name));
                    }
                }
                for (field, path, enrich) in [
                    ("pid", &["process", "pid"][..], None),
                    ("ppid", &["process", "parent", "pid"][..], None),
                    ("ses", &["auditd", "session"][..], None),
                    ("uid", &["user", "id"][..], Some(("UID", &["user", "name"][..]))),
                    ("euid", &["user", "effective", "id"][..], Some(("EUID", &["user", "effective", "name"][..]))),
                    ("auid", &["user", "audit", "id"][..], Some(("AUID", &["user", "audit", "name"][..]))),
                    ("gid", &["group", "id"][..], Some(("GID", &["group", "name"][..]))),
                ] {
                    let Some(v) = record.field(field).and_then(|v| v.int()) else { continue };
                    // ECS keeps ids as strings; pids and sessions are numbers.
                    let is_id = path.last().is_some_and(|l| *l == "id");
                    set(&mut out, path, if is_id { json!(v.to_string()) } else { json!(v) });
                    if let Some((upper, name_path)) = enrich {
                        let name = enriched(upper).or_else(|| names.user_or_group(field, v as u32));
                        if let Some(name) = name {
                            set(&mut out, name_path, json!(name));
                        }
                    }
                }
                if let Some(comm) = record.field("comm").and_then(|v| v.text()) {
                    set(&mut out, &["process", "name"], json!(lossy(&comm)));
                }
                if let Some(exe) = record.field("exe").and_then(|v| v.text()) {
                    set(&mut out, &["process", "executable"], json!(lossy(&exe)));
                }
                if let Some(key) = record.field("key") {
                    tags.extend(keys_of(&key));
                }
            }
            types::CONFIG_CHANGE => {
                if let Some(key) = record.field("key") {
                    tags.extend(keys_of(&key));
                }
            }
            types::CWD => {
                if let Some(cwd) = record.field("cwd").and_then(|v| v.text()) {
                    set(&mut out, &["process", "working_directory"], json!(lossy(&cwd)));
                }
            }
            types::PATH => {
                if let Some(name) = record.field("name").and_then(|v| v.text()) {
                    paths.push(lossy(&name));
                }
            }
            types::PROCTITLE => {
                if let Some(title) = record.field("proctitle") {
                    let args = proctitle_args(&title);
                    set(&mut out, &["process", "title"], json!(args.join(" ")));
                    set(&mut out, &["process", "args"], json!(args));
                }
            }
            kind if (1100..=1199).contains(&kind) || (2100..=2999).contains(&kind) => {
                if let Some(res) = record.field_deep("res") {
                    let ok = !res.raw().starts_with(b"fail");
                    set(&mut out, &["event", "outcome"], json!(if ok { "success" } else { "failure" }));
                }
                if let Some(pid) = record.field("pid").and_then(|v| v.int()) {
                    set(&mut out, &["process", "pid"], json!(pid));
                }
                if let Some(exe) = record.field_deep("exe").and_then(|v| v.text()) {
                    set(&mut out, &["process", "executable"], json!(lossy(&exe)));
                }
                set(&mut out, &["event", "action"], json!(lossy(record.type_name).to_ascii_lowercase()));
            }
            _ => {}
        }
    }
    if let Some(first) = paths.first() {
        set(&mut out, &["file", "path"], json!(first));
    }
    if !paths.is_empty() {
        set(&mut out, &["auditd", "paths"], json!(paths));
    }
    if !tags.is_empty() {
        out.insert("tags".into(), json!(tags));
    }
    set(&mut out, &["auditd", "records"], Json::Array(records));
    Json::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_and_values() {
        assert_eq!(utc_timestamp(1_735_689_601, 5), "2025-01-01T00:00:01.005Z");
        assert_eq!(utc_timestamp(0, 0), "1970-01-01T00:00:00.000Z");
        assert_eq!(field_json(1302, b"name", &Value::Bare(b"2F746D70")), json!("/tmp"));
        assert_eq!(field_json(1300, b"a0", &Value::Bare(b"10")), json!("10"));
        assert_eq!(field_json(1300, b"exit", &Value::Bare(b"-13")), json!(-13));
        assert_eq!(field_json(1302, b"mode", &Value::Bare(b"0100644")), json!("0100644"));
        assert_eq!(field_json(1302, b"name", &Value::Bare(b"(null)")), Json::Null);
        assert_eq!(proctitle_args(&Value::Bare(b"636174002F6574632F736861646F77")), ["cat", "/etc/shadow"]);
        assert_eq!(keys_of(&Value::Bare(b"6101620063")), ["a", "b\0c"]);
    }

    #[test]
    fn an_enriched_event_from_a_node() {
        use crate::events::reassemble::{EndRules, Reassembler};
        let mut r = Reassembler::new(EndRules::Ausearch, 2);
        let mut events = Vec::new();
        for line in [
            "node=web1 type=SYSCALL msg=audit(1735689601.005:7): arch=c000003e syscall=87 success=yes exit=0 a0=1 a1=2 ppid=1 pid=3 auid=1000 uid=0 gid=0 euid=0 ses=2 comm=\"rm\" exe=\"/usr/bin/rm\" key=646F636B657201636F6E7461696E657264\x1dARCH=x86_64 SYSCALL=unlink AUID=\"alice\" UID=\"root\" GID=\"root\" EUID=\"root\"",
            "node=web1 type=CWD msg=audit(1735689601.005:7): cwd=2F686F6D652F6120622F",
            "node=web1 type=PATH msg=audit(1735689601.005:7): item=0 name=\"/etc/docker/x\" mode=0100644\x1dOUID=\"root\"",
            "node=web1 type=PROCTITLE msg=audit(1735689601.005:7): proctitle=726D002F6574632F646F636B65722F78",
        ] {
            r.push(&Record::parse(line.as_bytes()).unwrap(), &mut |e| events.push(e.clone()));
        }
        r.finish(&mut |e| events.push(e.clone()));
        let j = event_json(&events[0], &Names::default());
        assert_eq!(j["@timestamp"], "2025-01-01T00:00:01.005Z");
        assert_eq!(j["host"]["name"], "web1");
        assert_eq!(j["user"]["audit"], json!({"id": "1000", "name": "alice"}));
        assert_eq!(j["user"]["name"], "root");
        assert_eq!(j["tags"], json!(["docker", "containerd"]));
        assert_eq!(j["process"]["working_directory"], "/home/a b/");
        assert_eq!(j["process"]["args"], json!(["rm", "/etc/docker/x"]));
        assert_eq!(j["file"]["path"], "/etc/docker/x");
        assert_eq!(j["event"]["action"], "unlink");
        assert_eq!(j["auditd"]["records"][2]["enriched"]["OUID"], "root");
        assert_eq!(j["auditd"]["records"][2]["fields"]["mode"], "0100644");
    }
}
