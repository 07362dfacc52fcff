//! `check --format sarif`: SARIF 2.1.0 for code-scanning dashboards. Every control and
//! host check is a reporting descriptor (rule); every verdict a result with `kind`
//! pass / fail / notApplicable / review and, for failures, `level` error (fail) or
//! warning (weak). Validated against the OASIS schema in the integration tests.

use serde_json::{json, Value};

use super::{benchmark_title, TOOL_VERSION};
use crate::judge::{Evaluation, Verdict};

fn kind_level(v: Verdict) -> (&'static str, &'static str) {
    match v {
        Verdict::Pass => ("pass", "none"),
        Verdict::Weak => ("fail", "warning"),
        Verdict::Fail => ("fail", "error"),
        Verdict::NotApplicable => ("notApplicable", "none"),
        Verdict::Error => ("review", "none"),
    }
}

fn file_uri(path: &str) -> String {
    let mut uri = String::from("file://");
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri
}

/// `check --format sarif`: one SARIF run, pretty-printed.
pub fn render(eval: &Evaluation) -> String {
    let tag = format!("cis-docker-{}", eval.benchmark.version());
    let mut rules = Vec::new();
    let mut results = Vec::new();
    for (index, c) in eval.controls.iter().enumerate() {
        rules.push(json!({
            "id": c.id,
            "name": format!("CIS Docker {} {}", eval.benchmark.version(), c.id),
            "shortDescription": { "text": c.title },
            "fullDescription": { "text": format!("{}: {} ({}, Level {})", benchmark_title(eval), c.title, c.assessment, c.level) },
            "help": { "text": format!("Add this audit rule (e.g. to /etc/audit/rules.d/docker.rules) and load it with augenrules --load: {}", c.remediation) },
            "defaultConfiguration": { "level": "error" },
            "properties": { "tags": ["security", "audit", tag, format!("level-{}", c.level)] }
        }));
        let (kind, level) = kind_level(c.verdict);
        let mut message = if c.reasons.is_empty() {
            format!("{}: {}", c.verdict.as_str(), c.title)
        } else {
            format!("{}: {}", c.verdict.as_str(), c.reasons.join(" | "))
        };
        for n in &c.notes {
            message.push_str(&format!(" | note: {n}"));
        }
        results.push(json!({
            "ruleId": c.id,
            "ruleIndex": index,
            "kind": kind,
            "level": level,
            "message": { "text": message },
            "locations": [{ "physicalLocation": { "artifactLocation": { "uri": file_uri(&c.path) } } }],
            "properties": { "status": c.verdict.as_str(), "rules": c.rules, "remediation": c.remediation }
        }));
        if let (false, Some(last)) = (c.notes.is_empty(), results.last_mut()) {
            last["properties"]["notes"] = json!(c.notes);
        }
        if let (Some(proof), Some(last)) = (&c.proof, results.last_mut()) {
            last["properties"]["proof"] = json!(proof);
        }
    }
    for h in &eval.host {
        let index = rules.len();
        let id = format!("host/{}", h.id);
        rules.push(json!({
            "id": id,
            "shortDescription": { "text": h.title },
            "defaultConfiguration": { "level": "error" },
            "properties": { "tags": ["security", "audit", "host"] }
        }));
        let (kind, level) = kind_level(h.verdict);
        results.push(json!({
            "ruleId": id,
            "ruleIndex": index,
            "kind": kind,
            "level": level,
            "message": { "text": format!("{}: {}", h.verdict.as_str(), h.reasons.join(" | ")) },
            "locations": [{ "logicalLocations": [{ "name": "kernel audit subsystem", "kind": "module" }] }],
            "properties": { "status": h.verdict.as_str() }
        }));
    }
    let log: Value = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "dockaudit",
                "version": TOOL_VERSION,
                "semanticVersion": TOOL_VERSION,
                "rules": rules
            }},
            "invocations": [{ "executionSuccessful": true }],
            "properties": { "benchmark": eval.benchmark.version(), "strict": eval.strict },
            "results": results
        }]
    });
    serde_json::to_string_pretty(&log).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_uris_escape_what_uris_cannot_hold() {
        assert_eq!(super::file_uri("/etc/docker/daemon.json"), "file:///etc/docker/daemon.json");
        assert_eq!(super::file_uri("/a b/%"), "file:///a%20b/%25");
    }
}
