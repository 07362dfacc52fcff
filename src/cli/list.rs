//! `dockaudit list`: the kernel's rules exactly as `auditctl -l` prints them.

use super::{open_client, CommandError, Output};
use crate::kernel::Dumped;
use crate::report::inventory;
use crate::rule::syscalls::Arch;
use crate::rule::{text, Rule};

/// `dockaudit list`.
pub fn list(key: Option<&str>, json: bool) -> Result<Output, CommandError> {
    let mut client = open_client()?;
    // auditctl names syscalls in the running kernel's table (uname), not this build's.
    let native = crate::kernel::running_native().0;
    if json {
        return Ok(Output::clean(render_list(&client.list_rules()?, key, json, native)));
    }
    // Each rule is rendered as it arrives and not kept: 10,000 rules cost about
    // 1 MB of text rather than 5 MB of decoded rules.
    let mut out = Vec::new();
    let mut any = false;
    client.stream_rules(|dumped| match dumped {
        Dumped::Rule(rule) => {
            any = true;
            write_listed(&mut out, &rule, key, native);
        }
        Dumped::Restart => {
            any = false;
            out.clear();
        }
    })?;
    if !any {
        text::write_listing(&mut out, &[], native);
    }
    Ok(Output::clean(out))
}

/// Rendering split from reading so captured rules can be rendered in tests.
pub fn render_list(rules: &[Rule], key: Option<&str>, json: bool, native: Arch) -> Vec<u8> {
    if json {
        let selected: Vec<&Rule> = rules.iter().filter(|rule| key.is_none_or(|k| has_key(rule, k))).collect();
        return inventory::rules_json(&selected, native).into_bytes();
    }
    let mut out = Vec::with_capacity(rules.len() * 96);
    if rules.is_empty() {
        // auditctl says so only when the kernel has no rules at all, not when a
        // key matched none.
        text::write_listing(&mut out, &[], native);
    }
    for rule in rules {
        write_listed(&mut out, rule, key, native);
    }
    out
}

/// One line of `list`, if `-k` selects the rule.
fn write_listed(out: &mut Vec<u8>, rule: &Rule, key: Option<&str>, native: Arch) {
    if key.is_none_or(|k| has_key(rule, k)) {
        text::write_rule(out, rule, native);
        out.push(b'\n');
    }
}

/// auditctl's `-k` match: the key is a substring of one of the rule's keys.
fn has_key(rule: &Rule, wanted: &str) -> bool {
    let wanted = wanted.as_bytes();
    rule.keys().any(|key| wanted.is_empty() || key.windows(wanted.len()).any(|w| w == wanted))
}
