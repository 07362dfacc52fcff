//! `check --format json`: the evaluation as data. The schema is versioned
//! (`schema_version`), documented in README.md, and only grows within a version.

use serde::Serialize;

use super::{host_count, TOOL_VERSION};
use crate::judge::{ControlVerdict, Evaluation, HostCheck, Verdict};
use crate::kernel::Compat;
use crate::rules_file::feature;

/// Bumped when a field changes meaning or disappears.
pub const CHECK_SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Report<'a> {
    schema_version: u32,
    tool: Tool,
    benchmark: &'static str,
    strict: bool,
    /// `kernel` (rules and status read over netlink) or `offline` (rules only).
    mode: &'static str,
    audit: Option<Audit>,
    /// Offline: the kernel features the rule files were read with (no kernel was asked).
    #[serde(skip_serializing_if = "Option::is_none")]
    assumed_features: Option<AssumedFeatures>,
    /// The kernel the rules were judged for: its arch and its 32-bit compat ABI.
    #[serde(skip_serializing_if = "Option::is_none")]
    kernel_abi: Option<KernelAbi<'a>>,
    controls: &'a [ControlVerdict],
    host: &'a [HostCheck],
    summary: Summary,
}

#[derive(Serialize)]
struct KernelAbi<'a> {
    /// libaudit's machine name (`x86_64`, `aarch64`, …): bare `-S` names and `arch=b64`.
    arch: &'static str,
    arch_from: &'a str,
    /// `present`, `absent` or `unknown` (judged as present): whether `arch=b32` is asked.
    compat: &'static str,
    compat_from: &'a str,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Audit {
    enabled: u32,
    failure: u32,
    pid: u32,
    backlog_limit: u32,
    lost: u32,
    backlog: u32,
}

#[derive(Serialize)]
struct AssumedFeatures {
    bitmap: u32,
    names: Vec<&'static str>,
}

#[derive(Serialize)]
struct Summary {
    pass: usize,
    weak: usize,
    fail: usize,
    not_applicable: usize,
    error: usize,
    host_pass: usize,
    host_weak: usize,
    host_fail: usize,
    /// What the exit code says: true means exit 1.
    findings: bool,
}

/// `check --format json`: pretty-printed, newline-terminated.
pub fn render(eval: &Evaluation) -> String {
    let report = Report {
        schema_version: CHECK_SCHEMA_VERSION,
        tool: Tool { name: "dockaudit", version: TOOL_VERSION },
        benchmark: eval.benchmark.version(),
        strict: eval.strict,
        mode: if eval.audit_status.is_some() { "kernel" } else { "offline" },
        audit: eval.audit_status.map(|s| Audit {
            enabled: s.enabled,
            failure: s.failure,
            pid: s.pid,
            backlog_limit: s.backlog_limit,
            lost: s.lost,
            backlog: s.backlog,
        }),
        assumed_features: eval
            .audit_status
            .is_none()
            .then(|| AssumedFeatures { bitmap: feature::ALL, names: feature::names(feature::ALL) }),
        kernel_abi: eval.abis.as_ref().map(|a| KernelAbi {
            arch: a.native.name(),
            arch_from: &a.native_from,
            compat: match a.compat {
                Compat::Present(_) => "present",
                Compat::Absent(_) => "absent",
                Compat::Unknown(_) => "unknown",
            },
            compat_from: a.compat.how(),
        }),
        controls: &eval.controls,
        host: &eval.host,
        summary: Summary {
            pass: eval.count(Verdict::Pass),
            weak: eval.count(Verdict::Weak),
            fail: eval.count(Verdict::Fail),
            not_applicable: eval.count(Verdict::NotApplicable),
            error: eval.count(Verdict::Error),
            host_pass: host_count(eval, Verdict::Pass),
            host_weak: host_count(eval, Verdict::Weak),
            host_fail: host_count(eval, Verdict::Fail),
            findings: eval.has_findings(),
        },
    };
    serde_json::to_string_pretty(&report).unwrap_or_default() + "\n"
}
