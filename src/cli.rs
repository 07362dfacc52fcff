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

/// Why `dockaudit load` did nothing (or undid what it did).
#[derive(Debug, thiserror::Error)]
pub enum LoadCommandError {
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error(transparent)]
    Parse(#[from] crate::rules_file::ParseError),
    #[error(transparent)]
    Load(#[from] crate::load::LoadError),
}

impl LoadCommandError {
    /// 2 for input that cannot be used, 3 when the kernel cannot be talked to, and 1
    /// when the kernel refused the rules (everything was rolled back).
    pub fn exit_code(&self) -> u8 {
        use crate::load::LoadError;
        match self {
            LoadCommandError::Read { .. } | LoadCommandError::Parse(_) => 2,
            LoadCommandError::Load(LoadError::Kernel(_)) => 3,
            LoadCommandError::Load(_) => 1,
        }
    }
}

/// Reads and parses rule files (`-` is standard input) in the order given.
pub fn parse_rule_files(
    paths: &[String],
    resolver: &crate::rules_file::Resolver,
) -> Result<Vec<crate::rules_file::Line>, LoadCommandError> {
    let mut lines = Vec::new();
    for path in paths {
        let (name, text) = if path == "-" {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                .map_err(|source| LoadCommandError::Read { path: "<stdin>".into(), source })?;
            ("<stdin>".to_string(), text)
        } else {
            let text = std::fs::read_to_string(path)
                .map_err(|source| LoadCommandError::Read { path: path.clone(), source })?;
            (path.clone(), text)
        };
        lines.extend(crate::rules_file::parse(&text, &name, resolver)?);
    }
    Ok(lines)
}

/// `dockaudit load FILE... [--dry-run]`: like `auditctl -R` for each file, as one
/// transaction. A dry run parses, needs no privilege, and prints what would be sent.
pub fn load(paths: &[String], dry_run: bool) -> Result<Vec<u8>, LoadCommandError> {
    use crate::rules_file::{Entry, Resolver, RuleOp};
    let native = Arch::native();
    if dry_run {
        let lines = parse_rule_files(paths, &Resolver::new("/"))?;
        let mut out = Vec::new();
        for line in &lines {
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
                Entry::Control(control) => out.extend_from_slice(format!("{control:?}").as_bytes()),
            }
            out.push(b'\n');
            for warning in &line.warnings {
                out.extend_from_slice(format!("{}: warning: {warning}\n", line.origin).as_bytes());
            }
        }
        return Ok(out);
    }
    let kernel = |e: Error| LoadCommandError::Load(crate::load::LoadError::Kernel(e));
    let mut client = AuditClient::open().map_err(kernel)?;
    let status = client.status().map_err(kernel)?;
    // Files are read and watched paths stat'ed with the caller's privileges, as
    // auditctl does; only then is everything but CAP_AUDIT_CONTROL dropped.
    let resolver = Resolver::new("/").with_features(status.feature_bitmap.unwrap_or(0));
    let lines = parse_rule_files(paths, &resolver)?;
    privilege::drop_privileges(Keep::AuditControl).map_err(|e| kernel(Error::DropPrivileges(e)))?;
    let report = crate::load::load(&mut client, &lines)?;
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
    Ok(out.into_bytes())
}
