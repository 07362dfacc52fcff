//! `dockaudit load`: rule files into the kernel like `auditctl -R`, all or nothing.

use super::{drop_all_privileges, read_rule_files, CommandError, Output};
use crate::kernel::{drop_privileges, AuditClient, Error, Keep};
use crate::persist;
use crate::rule::syscalls::Arch;
use crate::rule::text;
use crate::rules_file::{self, Entry, Line, Resolver, RuleOp};

/// `dockaudit load FILE... [--dry-run]`: like `auditctl -R` for each file, as one
/// transaction. A dry run parses, needs no privilege, and prints what would be sent.
pub fn load(paths: &[String], dry_run: bool) -> Result<Output, CommandError> {
    let native = Arch::native();
    if dry_run {
        drop_all_privileges()?;
        let lines = parse_rule_files(paths, &Resolver::new("/"))?;
        return Ok(Output::clean(dry_run_listing(&lines, native)));
    }
    let mut client = AuditClient::open()?;
    let status = client.status()?;
    // Files are read and watched paths stat'ed with the caller's privileges, as
    // auditctl does; only then is everything but CAP_AUDIT_CONTROL dropped.
    let resolver = Resolver::new("/").with_features(status.feature_bitmap.unwrap_or(0));
    let lines = parse_rule_files(paths, &resolver)?;
    drop_privileges(Keep::AuditControl).map_err(Error::DropPrivileges)?;
    let report = persist::load(&mut client, &lines)?;
    let mut out = String::new();
    for note in &report.notes {
        out.push_str(note);
        out.push('\n');
    }
    out.push_str(&format!(
        "loaded {}: {} rules added, {} deleted, {} settings changed\n",
        paths.join(" "),
        report.added,
        report.deleted,
        report.settings
    ));
    Ok(Output::clean(out.into_bytes()))
}

/// Reads and parses rule files in the order given; unreadable files are reported, not
/// read lossily, since `load` sends what it reads to the kernel.
fn parse_rule_files(paths: &[String], resolver: &Resolver) -> Result<Vec<Line>, CommandError> {
    let mut lines = Vec::new();
    for (name, text) in read_rule_files(paths, false)? {
        lines.extend(rules_file::parse(&text, &name, resolver)?);
    }
    Ok(lines)
}

/// What a dry run prints: each line's origin, what it does, and its warnings.
fn dry_run_listing(lines: &[Line], native: Arch) -> Vec<u8> {
    let mut out = Vec::new();
    for line in lines {
        out.extend_from_slice(format!("{}: ", line.origin).as_bytes());
        match &line.entry {
            Entry::Rule { op, rule } => {
                out.extend_from_slice(match op {
                    RuleOp::Append => b"add ",
                    RuleOp::Prepend => b"add first ",
                    RuleOp::Delete => b"delete ",
                });
                text::write_rule(&mut out, rule, native);
            }
            Entry::Directive(directive) => out.extend_from_slice(directive.to_string().as_bytes()),
        }
        out.push(b'\n');
        for warning in &line.warnings {
            out.extend_from_slice(format!("{}: warning: {warning}\n", line.origin).as_bytes());
        }
    }
    out
}
