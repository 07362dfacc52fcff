//! What a parsed line is: a rule with what to do with it, or a directive, and where it
//! came from.

use std::fmt;

use crate::kernel::Setting;
use crate::rule::Rule;

/// Where a line came from, for messages: `rules.d/50-docker.rules:3`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The file as the user named it, so messages point where they would look.
    pub file: String,
    /// 1-based, as editors count.
    pub line: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// What a rule line asks of the kernel's list: the same rule means different things
/// after `-a`, `-A` and `-d`, so the operation travels with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleOp {
    /// `-a` and `-w`.
    Append,
    /// `-A`: the kernel puts the rule first in its list.
    Prepend,
    /// `-d` and `-W`.
    Delete,
}

/// Lines that change the audit system rather than add or remove one rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Directive {
    /// `-D`, or `-D -k KEY` (only the rules with that key).
    DeleteAll {
        /// The key of `-D -k KEY`; `None` deletes every rule.
        key: Option<String>,
    },
    /// `-e 0|1|2`, `-f 0|1|2`, `-b N`, `-r N`, `--backlog_wait_time N`: one kernel setting.
    Set(Setting, u32),
    /// `--loginuid-immutable` (cannot be undone until reboot).
    LoginuidImmutable,
    /// `-i`: auditctl goes on past a failing line.
    IgnoreErrors,
    /// `-c`: like `-i`, but auditctl exits non-zero at the end.
    ContinueOnErrors,
}

impl Directive {
    /// `-e 2`: the rules are locked until reboot once it is sent.
    pub fn locks(&self) -> bool {
        *self == Directive::Set(Setting::Enabled, 2)
    }
}

/// The words `load --dry-run` prints for a directive (`Enabled(1)`, `DeleteAll { key:
/// None }`): those of the first release, kept so scripts reading them go on working.
impl fmt::Display for Directive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Directive::DeleteAll { key } => write!(f, "DeleteAll {{ key: {key:?} }}"),
            Directive::Set(setting, value) => write!(f, "{setting:?}({value})"),
            Directive::LoginuidImmutable => f.write_str("LoginuidImmutable"),
            Directive::IgnoreErrors => f.write_str("IgnoreErrors"),
            Directive::ContinueOnErrors => f.write_str("ContinueOnErrors"),
        }
    }
}

/// A meaningful line's content: the load transaction and the boot simulation apply
/// rules and directives differently, so they are kept apart from the start.
// Most lines are rules; boxing them would only make matching on them clumsier.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// `-a`, `-A`, `-d`, `-w`, `-W`: one kernel rule.
    Rule {
        /// Whether the rule is added at the end, at the front, or deleted.
        op: RuleOp,
        /// The rule exactly as auditctl would send it.
        rule: Rule,
    },
    /// Anything else: a setting or a bulk delete.
    Directive(Directive),
}

/// One meaningful line of a rules file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// Where it was read, so verdicts and errors can point at it.
    pub origin: Origin,
    /// What it asks for.
    pub entry: Entry,
    /// What auditctl would warn about but still load (e.g. no arch before `-S`).
    pub warnings: Vec<String>,
}
