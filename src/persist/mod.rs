//! The rules a host gets back at boot, and how they differ from the kernel's now.
//!
//! At boot auditd's unit runs `augenrules --load`: it merges `/etc/audit/rules.d/*.rules`
//! (in `ls -v` order) into `/etc/audit/audit.rules` and loads that with `auditctl -R`;
//! without a `rules.d` directory the existing `audit.rules` is loaded. This module does
//! the same merge, parses the result and plays the load through as the kernel would
//! (`-D`, `-d`, `-W`, duplicates, lines that stop the load), without touching anything.
//!
//! augenrules strips comment lines matching `^\s*#` and moves the last `-D`, `-b`, `-f`
//! to the top and the last `-e` to the end. `\s` is taken as whitespace, as the script
//! says and gawk does; Debian's mawk reads `\s` as a literal `s`, so there an indented
//! comment is left for auditctl (which skips it too, unless the indent is a tab).

mod augenrules;
mod boot_load;
mod drift;
mod load;
mod on_error;
mod ruleset;
mod version;

pub use crate::kernel::same_rule;
pub use augenrules::{augenrules_merge, augenrules_merge_without, Merged};
pub use boot_load::{
    persistent_rules, persistent_rules_as, persistent_rules_with, persistent_rules_without, rules_from_files,
};
pub use drift::{drift, Drift};
pub use load::{load, load_parsed, replace_rules, restore_and_verify, LoadError, LoadReport, RestoreError, Skipped};
pub use on_error::{Next, OnError};
pub use ruleset::{PersistentError, RuleSet, Source, SourcedRule};
pub use version::version_cmp;

#[cfg(test)]
mod tests;
