//! The commands behind the binary, as functions that return their output, so the
//! binary stays a thin shell and the tests can call them.

use std::path::Path;

use crate::error::CheckError;
use crate::evaluate::{self, Evaluation, Options};
use crate::filesystem::HostFs;
use crate::privilege::{self, Keep};
use crate::report::{self, inventory, Format};
use crate::rule::{text, Rule};
use crate::syscalls::Arch;
use crate::{AuditClient, Error};

/// The audit socket, after which the process keeps CAP_AUDIT_CONTROL and nothing else.
fn open_client() -> Result<AuditClient, Error> {
    let client = AuditClient::open()?;
    privilege::drop_privileges(Keep::AuditControl).map_err(Error::DropPrivileges)?;
    Ok(client)
}

/// `dockaudit list`.
pub fn list(key: Option<&str>, json: bool) -> Result<Vec<u8>, Error> {
    let rules = open_client()?.list_rules()?;
    Ok(render_list(&rules, key, json, Arch::native()))
}

/// Rendering split from reading so captured rules can be rendered in tests.
pub fn render_list(rules: &[Rule], key: Option<&str>, json: bool, native: Arch) -> Vec<u8> {
    let selected: Vec<&Rule> = rules.iter().filter(|rule| key.is_none_or(|k| has_key(rule, k))).collect();
    if json {
        return inventory::rules_json(&selected, native).into_bytes();
    }
    let mut out = Vec::with_capacity(rules.len() * 96);
    if rules.is_empty() {
        // auditctl says so only when the kernel has no rules at all, not when a
        // key matched none.
        text::write_listing(&mut out, &[], native);
    }
    for rule in selected {
        text::write_rule(&mut out, rule, native);
        out.push(b'\n');
    }
    out
}

/// auditctl's `-k` match: the key is a substring of one of the rule's keys.
fn has_key(rule: &Rule, wanted: &str) -> bool {
    let wanted = wanted.as_bytes();
    rule.keys().iter().any(|key| wanted.is_empty() || key.windows(wanted.len()).any(|w| w == wanted))
}

/// `dockaudit status`.
pub fn status(json: bool) -> Result<Vec<u8>, Error> {
    let mut client = open_client()?;
    let status = client.status()?;
    // Kernels before 3.19 have no AUDIT_GET_FEATURE; auditctl then prints no line.
    let features = match client.features() {
        Ok(features) => Some(features),
        Err(Error::Kernel { .. }) => None,
        Err(other) => return Err(other),
    };
    Ok(if json {
        inventory::status_json(&status, features.as_ref()).into_bytes()
    } else {
        crate::status::to_auditctl_text(&status, features.as_ref()).into_bytes()
    })
}

/// `dockaudit check`: reads the kernel's rules and status, judges them against the
/// catalog with the filesystem under `root`, and returns the report and whether it has
/// findings (exit 1).
pub fn check(opts: &Options, root: &Path, format: Format, color: bool) -> Result<(Vec<u8>, bool), CheckError> {
    // Unknown ids are a usage error: say so before asking the kernel anything.
    evaluate::select(opts)?;
    // The filesystem is read after the drop too: Docker's paths are root's, and uid 0
    // stays, so owner permissions still let us stat them.
    let mut client = open_client()?;
    let status = client.status()?;
    let rules = client.list_rules()?;
    let eval = evaluate::evaluate(&rules, Some(&status), &HostFs::new(root), opts)?;
    Ok(render_check(&eval, format, color))
}

pub fn render_check(eval: &Evaluation, format: Format, color: bool) -> (Vec<u8>, bool) {
    (report::render(eval, format, color).into_bytes(), eval.has_findings())
}
