//! JSON for `dockaudit list` and `dockaudit status`: the kernel's rules and status as
//! data, with the auditctl text form beside each rule so nothing needs re-deriving.

use serde::Serialize;

use crate::kernel::{Features, Status};
use crate::rule::syscalls::{self, Arch};
use crate::rule::{text, FieldType, FieldValue, Rule};

/// Bumped when a field changes meaning or disappears; additions keep the version.
pub const SCHEMA_VERSION: u32 = 1;

/// One syscall of a rule's `mask`.
#[derive(Serialize)]
pub struct Syscall {
    /// The syscall number for the rule's arch (the native one when it names none).
    pub number: u32,
    /// `None` (JSON `null`) when the arch has no such syscall or is unknown.
    pub name: Option<&'static str>,
}

/// One `audit_rule_data` field: `fields[i]`, `fieldflags[i]` and `values[i]` (or its text in `buf`).
#[derive(Serialize)]
pub struct FieldView {
    /// auditctl's `-F` name ("path", "perm"); `f` and the number for one it does not know.
    pub name: String,
    /// The kernel's `AUDIT_*` field number.
    pub number: u32,
    /// auditctl's operator ("=", "!=", "&="); `None` for a `fieldflags` value it has no symbol for.
    pub operator: Option<&'static str>,
    /// Numbers as the kernel holds them (u32); strings as text.
    pub value: serde_json::Value,
    /// The value as auditctl shows it (`-EACCES`, `rwxa`, `SYSCALL`, `0x1F`), when it differs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

/// One kernel rule as `dockaudit list --json` shows it.
#[derive(Serialize)]
pub struct RuleView {
    /// The filter list ("exit", "exclude", …); its number when it has no name.
    pub list: String,
    /// "always" or "never"; its number when it is neither.
    pub action: String,
    /// The `-F arch=` value ("b64"); hex when unknown, `None` when the rule has no arch field.
    pub arch: Option<String>,
    /// Every syscall bit is set (`-S all`; false for a list that takes no `-S`); then `syscalls` is empty.
    pub all_syscalls: bool,
    /// The syscalls of `mask`; empty for a list that takes none and for `all_syscalls`.
    pub syscalls: Vec<Syscall>,
    /// The fields in the kernel's order.
    pub fields: Vec<FieldView>,
    /// The `-k` keys, split at the kernel's key separator.
    pub keys: Vec<String>,
    /// The rule as `auditctl -l` prints it.
    pub text: String,
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `rule` as data; `native` names the syscalls of a rule without an arch field.
pub fn rule_view(rule: &Rule, native: Arch) -> RuleView {
    let arch_value = rule.fields.iter().rev().find(|f| f.kind == FieldType::ARCH).and_then(|f| f.as_number());
    let arch = arch_value.map(Arch::from_audit);
    let syscall_arch = match arch {
        None => Some(native),
        Some(known) => known,
    };
    let all = rule.list.takes_syscalls() && rule.mask.is_all();
    let syscalls = if rule.list.takes_syscalls() && !all {
        rule.mask
            .numbers()
            .map(|number| Syscall { number, name: syscall_arch.and_then(|a| syscalls::syscall_name(a, number)) })
            .collect()
    } else {
        Vec::new()
    };
    let fields = rule
        .fields
        .iter()
        .map(|field| {
            let (value, display) = match &field.value {
                FieldValue::Text(bytes) => (serde_json::Value::String(lossy(bytes)), None),
                FieldValue::Number(n) => {
                    let shown = match field.kind {
                        FieldType::ARCH => Arch::from_audit(*n).map(|a| a.name().to_string()),
                        _ => Some(lossy(&text::value_text(field))),
                    };
                    (serde_json::Value::from(*n), shown.filter(|v| *v != n.to_string()))
                }
            };
            FieldView {
                name: field.kind.name().map(str::to_string).unwrap_or_else(|| format!("f{}", field.kind.0)),
                number: field.kind.0,
                operator: field.op.symbol(),
                value,
                display,
            }
        })
        .collect();
    RuleView {
        list: rule.list.name().map(str::to_string).unwrap_or_else(|| rule.list.raw().to_string()),
        action: rule.action.name().map(str::to_string).unwrap_or_else(|| rule.action.raw().to_string()),
        arch: arch.map(|a| match a {
            Some(a) => a.name().to_string(),
            None => format!("0x{:X}", arch_value.unwrap_or(0)),
        }),
        all_syscalls: all,
        syscalls,
        fields,
        keys: rule.keys().map(lossy).collect(),
        text: lossy(&text::to_text(rule, native)),
    }
}

#[derive(Serialize)]
struct Listing {
    schema_version: u32,
    rules: Vec<RuleView>,
}

/// `dockaudit list --json`: `{"schema_version", "rules"}`, newline-terminated.
pub fn rules_json(rules: &[&Rule], native: Arch) -> String {
    let listing =
        Listing { schema_version: SCHEMA_VERSION, rules: rules.iter().map(|r| rule_view(r, native)).collect() };
    serde_json::to_string_pretty(&listing).unwrap_or_default() + "\n"
}

#[derive(Serialize)]
struct StatusView<'a> {
    schema_version: u32,
    #[serde(flatten)]
    status: &'a Status,
    loginuid_immutable: Option<LoginuidImmutable>,
}

#[derive(Serialize)]
struct LoginuidImmutable {
    enabled: bool,
    locked: bool,
}

/// `dockaudit status --json`: the `audit_status` members, plus `loginuid_immutable`
/// (`null` when the kernel's features were not read).
pub fn status_json(status: &Status, features: Option<&Features>) -> String {
    let view = StatusView {
        schema_version: SCHEMA_VERSION,
        status,
        loginuid_immutable: features
            .and_then(Features::loginuid_immutable)
            .map(|(enabled, locked)| LoginuidImmutable { enabled, locked }),
    };
    serde_json::to_string_pretty(&view).unwrap_or_default() + "\n"
}
