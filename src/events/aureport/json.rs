//! `dockaudit report --format json`: one JSON document, streamed (a detailed report's
//! rows are written as the events come), `schema_version` 1:
//!
//! ```text
//! {"schema_version": 1, "report": "key"|"file"|"exe"|"syscall"|"user"|"control",
//!  "summary": bool, "filter": "all"|"failed"|"success", "no_config": bool,
//!  "rows": [ ... ]}
//! ```
//! A summary's rows are `{"value", "count"}` in aureport's order (count descending, ties
//! in the order first seen); `value` is the key, file, executable or control id as text,
//! the syscall's number, or the auid as logged (4294967295 is unset; aureport prints -1).
//! A detailed row is `{"number", "time" (RFC 3339 UTC, milliseconds), "event" (serial),
//! "node"?}` and the report's columns: key `key`, `success`, `exe`, `auid`; file `file`,
//! `syscall`, `success`, `exe`, `auid`; exe `exe`, `terminal`, `host`, `auid`; syscall
//! `syscall`, `pid`, `comm`, `auid`; user `auid`, `terminal`, `host`, `exe`; control
//! `controls` (ids), `success`, `exe`, `auid`. Strings are decoded text (not escaped
//! for a terminal; bytes that are not UTF-8 become U+FFFD), absent ones `null`;
//! `success` is `yes`, `no` or `unset`; numbers are numbers. Fields are only added
//! within a schema version.

use serde_json::{json, Map, Value};

use super::scan::Items;
use super::text::{row_file, success_word};
use super::{Filter, Kind};
use crate::events::json::utc_timestamp;

/// The schema version of the report document.
pub const REPORT_SCHEMA_VERSION: u32 = 1;

fn text(bytes: &[u8]) -> Value {
    Value::String(String::from_utf8_lossy(bytes).into_owned())
}

fn opt(bytes: &Option<Vec<u8>>) -> Value {
    bytes.as_deref().map_or(Value::Null, text)
}

/// Everything before the first row: `{"schema_version": 1, …, "rows": [`.
pub fn head(kind: Kind, summary: bool, filter: Filter, no_config: bool) -> String {
    let filter = match filter {
        Filter::All => "all",
        Filter::Failed => "failed",
        Filter::Success => "success",
    };
    let object = json!({
        "schema_version": REPORT_SCHEMA_VERSION,
        "report": kind.name(),
        "summary": summary,
        "filter": filter,
        "no_config": no_config,
    });
    let mut text = object.to_string();
    text.pop();
    text.push_str(",\"rows\":[");
    text
}

/// What closes the document.
pub const TAIL: &str = "]}\n";

/// A detailed row; `first` says whether a comma goes before it.
#[allow(clippy::too_many_arguments)]
pub fn row(
    out: &mut Vec<u8>,
    first: bool,
    number: u64,
    kind: Kind,
    key: &crate::events::EventKey,
    items: &Items,
    controls: &[String],
) {
    let mut m = Map::new();
    m.insert("number".into(), number.into());
    m.insert("time".into(), utc_timestamp(key.stamp.sec, key.stamp.msec).into());
    m.insert("event".into(), key.stamp.serial.into());
    if let Some(node) = &key.node {
        m.insert("node".into(), text(node));
    }
    let success = || Value::from(success_word(items.success));
    let auid = Value::from(items.auid);
    match kind {
        Kind::Key => {
            let key = items.keys.as_ref().and_then(|k| k.first()).map_or(Value::Null, |k| text(k));
            m.insert("key".into(), key);
            m.insert("success".into(), success());
            m.insert("exe".into(), opt(&items.exe));
        }
        Kind::File => {
            m.insert("file".into(), text(row_file(items)));
            m.insert("syscall".into(), items.syscall.into());
            m.insert("success".into(), success());
            m.insert("exe".into(), opt(&items.exe));
        }
        Kind::Exe => {
            m.insert("exe".into(), opt(&items.exe));
            m.insert("terminal".into(), opt(&items.terminal));
            m.insert("host".into(), opt(&items.host));
        }
        Kind::Syscall => {
            m.insert("syscall".into(), items.syscall.into());
            m.insert("pid".into(), items.pid.into());
            m.insert("comm".into(), opt(&items.comm));
        }
        Kind::User => {
            m.insert("terminal".into(), opt(&items.terminal));
            m.insert("host".into(), opt(&items.host));
            m.insert("exe".into(), opt(&items.exe));
        }
        Kind::Control => {
            m.insert("controls".into(), controls.into());
            m.insert("success".into(), success());
            m.insert("exe".into(), opt(&items.exe));
        }
    }
    m.insert("auid".into(), auid);
    if !first {
        out.push(b',');
    }
    out.push(b'\n');
    // Serializing a Value into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, &Value::Object(m));
}

/// A summary's rows.
pub fn summary_rows(out: &mut Vec<u8>, kind: Kind, rows: &[(Vec<u8>, u64)]) {
    for (i, (value, count)) in rows.iter().enumerate() {
        let value = match kind {
            // Counted as aureport prints them (%d); given back as numbers.
            Kind::Syscall => {
                std::str::from_utf8(value).ok().and_then(|v| v.parse::<i64>().ok()).map_or(Value::Null, Value::from)
            }
            Kind::User => std::str::from_utf8(value)
                .ok()
                .and_then(|v| v.parse::<i32>().ok())
                .map_or(Value::Null, |v| Value::from(v as u32)),
            _ => text(value),
        };
        if i > 0 {
            out.push(b',');
        }
        out.push(b'\n');
        let _ = serde_json::to_writer(&mut *out, &json!({"value": value, "count": count}));
    }
}
