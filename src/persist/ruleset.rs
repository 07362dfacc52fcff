//! What the persistent configuration puts in the kernel at boot: the rules with the line
//! each came from, the settings, and what would go wrong.

use std::path::PathBuf;

use crate::kernel::{same_rule, Settings};
use crate::rule::Rule;
use crate::rules_file::Origin;

/// Which files the rules come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// `rules.d` merged by augenrules; the files in load order (paths inside the root).
    RulesD {
        /// As `/etc/audit/rules.d/NAME`, whatever the root.
        files: Vec<PathBuf>,
    },
    /// `/etc/audit/audit.rules` alone (no `rules.d`).
    AuditRules,
    /// Neither exists: nothing is loaded at boot.
    Nothing,
    /// Rule files named by the user (`check --rules`), read in order like `auditctl -R`.
    Given {
        /// The names as given, as the origins show them.
        files: Vec<PathBuf>,
    },
}

/// One kernel rule and the line that puts it there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourcedRule {
    /// As the kernel holds it after the boot load.
    pub rule: Rule,
    /// The `-a`, `-A` or `-w` line that added it.
    pub origin: Origin,
}

impl std::borrow::Borrow<Rule> for SourcedRule {
    fn borrow(&self) -> &Rule {
        &self.rule
    }
}

/// What the persistent configuration puts in the kernel at boot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleSet {
    /// `Nothing` leaves `rules` empty and `settings` unset.
    pub source: Source,
    /// The rules after the boot load, in kernel order (list by list, then load order).
    pub rules: Vec<SourcedRule>,
    /// The settings the boot load leaves.
    pub settings: Settings,
    /// Where the boot load would fail or skip lines, in the words of the problem.
    pub problems: Vec<String>,
    /// With `rules.d`: whether `/etc/audit/audit.rules` differs from what augenrules
    /// would write now (what `augenrules --check` reports as "Rules have changed").
    pub audit_rules_stale: Option<bool>,
}

impl RuleSet {
    /// The persistent rule the kernel rule `rule` is, if any.
    pub fn find(&self, rule: &Rule) -> Option<&SourcedRule> {
        self.rules.iter().find(|r| same_rule(&r.rule, rule))
    }

    /// `rules` without their origins, in kernel order: the form the kernel's rules compare with.
    pub fn plain_rules(&self) -> Vec<Rule> {
        self.rules.iter().map(|r| r.rule.clone()).collect()
    }
}

/// Why the persistent configuration could not be read (a missing file is no error).
#[allow(missing_docs)] // each variant's #[error] text is its documentation
#[derive(Debug, thiserror::Error)]
pub enum PersistentError {
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
}
