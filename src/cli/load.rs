//! `dockaudit load`: rule files into the kernel like `auditctl -R`, all or nothing
//! unless the files say `-i` or `-c`.

use super::{drop_all_privileges, read_rule_files, CommandError, Outcome, Output};
use crate::kernel::{drop_privileges, AuditClient, Error, Keep};
use crate::persist::{self, LoadError, Next, OnError};
use crate::rule::syscalls::Arch;
use crate::rule::text;
use crate::rules_file::{self, feature, Entry, Line, ParseError, Resolver, RuleOp};

/// `dockaudit load FILE... [--dry-run]`: like `auditctl -R` for each file, as one
/// transaction. A dry run parses, needs no privilege, and prints what would be sent.
pub fn load(paths: &[String], dry_run: bool) -> Result<Output, CommandError> {
    let native = crate::kernel::running_native().0;
    if dry_run {
        drop_all_privileges()?;
        // No kernel is asked: the fields are checked against a current kernel's bits.
        let lines = parse_rule_files(paths, &Resolver::new("/").with_features(feature::ALL))?;
        return dry_run_listing(&lines, native);
    }
    let mut client = AuditClient::open()?;
    let status = client.status()?;
    // Files are read and watched paths stat'ed with the caller's privileges, as
    // auditctl does; only then is everything but CAP_AUDIT_CONTROL dropped. Which
    // fields a rule may use is what this kernel's feature bitmap says (libaudit reads
    // it the same way; a kernel before 3.18 has none: 0).
    let resolver = Resolver::new("/").with_features(status.feature_bitmap.unwrap_or(0));
    let lines = parse_rule_files(paths, &resolver)?;
    drop_privileges(Keep::AuditControl).map_err(Error::DropPrivileges)?;
    let report = persist::load_parsed(&mut client, &lines)?;
    let mut out = String::new();
    for note in &report.notes {
        out.push_str(note);
        out.push('\n');
    }
    for skipped in &report.skipped {
        out.push_str(&format!("{skipped}\n"));
    }
    out.push_str(&format!(
        "loaded {}: {} rules added, {} deleted, {} settings changed",
        paths.join(" "),
        report.added,
        report.deleted,
        report.settings
    ));
    if !report.skipped.is_empty() {
        out.push_str(&format!(", {} line(s) skipped", report.skipped.len()));
    }
    out.push('\n');
    if report.exit_status != 0 {
        out.push_str("exit status 1: a line failed after -c (as auditctl -R)\n");
    }
    let outcome = if report.exit_status == 0 { Outcome::Clean } else { Outcome::Findings };
    Ok(Output { bytes: out.into_bytes(), outcome })
}

/// Reads and parses rule files in the order given, each line on its own (so `-i`/`-c`
/// can skip one that does not parse); unreadable files are reported, not read lossily,
/// since `load` sends what it reads to the kernel.
fn parse_rule_files(paths: &[String], resolver: &Resolver) -> Result<Vec<Result<Line, ParseError>>, CommandError> {
    let mut lines = Vec::new();
    for (name, text) in read_rule_files(paths, false)? {
        lines.extend(rules_file::parse_lines(&text, &name, resolver));
    }
    Ok(lines)
}

/// What a dry run prints: the kernel features it assumed, then each line's origin, what
/// it does, and its warnings; a line that would fail under `-i`/`-c` is shown skipped,
/// one that would stop the load is the error (exit 2), as in a real load.
fn dry_run_listing(lines: &[Result<Line, ParseError>], native: Arch) -> Result<Output, CommandError> {
    let mut out = format!(
        "# dry run: no kernel asked; assuming its features are {:#x} ({}), as every kernel since 4.17 has\n",
        feature::ALL,
        feature::names(feature::ALL).join(", ")
    )
    .into_bytes();
    let mut on_error = OnError::default();
    for item in lines {
        let line = match item {
            Ok(line) => line,
            Err(e) => match on_error.line_failed() {
                Next::Skip { flag } => {
                    out.extend_from_slice(format!("{e} (skipped: {flag})\n").as_bytes());
                    continue;
                }
                Next::Stop => return Err(CommandError::Load(LoadError::Parse(e.clone()))),
            },
        };
        on_error.see(&line.entry);
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
    let outcome = if on_error.exit_status() == 0 { Outcome::Clean } else { Outcome::Findings };
    Ok(Output { bytes: out, outcome })
}
