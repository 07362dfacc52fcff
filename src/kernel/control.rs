//! The seam every change to the kernel goes through: `AuditControl` is the netlink client in
//! production and `FakeKernel` in tests, so `load` and `fix` are tested as transactions.

use super::{AuditClient, Error, Setting, Status};
use crate::rule::Rule;

/// What `load` needs from the kernel; `AuditClient` in production, a fake in tests.
pub trait AuditControl {
    /// `AUDIT_GET`; `load` refuses to start when it says enabled 2.
    fn status(&mut self) -> Result<Status, Error>;
    /// Every rule in the kernel's listing order: the snapshot a rollback restores.
    fn list_rules(&mut self) -> Result<Vec<Rule>, Error>;
    /// `AUDIT_ADD_RULE`; `prepend` (`-A`) puts it first in its list.
    fn add_rule(&mut self, rule: &Rule, prepend: bool) -> Result<(), Error>;
    /// `AUDIT_DEL_RULE` of the rule the kernel considers equal to `rule`.
    fn delete_rule(&mut self, rule: &Rule) -> Result<(), Error>;
    /// `AUDIT_SET` of that one member; the others are left alone.
    fn set(&mut self, setting: Setting, value: u32) -> Result<(), Error>;
    /// `auditctl --loginuid-immutable`: cannot be undone until reboot.
    fn set_loginuid_immutable(&mut self) -> Result<(), Error>;
}

impl AuditControl for AuditClient {
    fn status(&mut self) -> Result<Status, Error> {
        AuditClient::status(self)
    }
    fn list_rules(&mut self) -> Result<Vec<Rule>, Error> {
        AuditClient::list_rules(self)
    }
    fn add_rule(&mut self, rule: &Rule, prepend: bool) -> Result<(), Error> {
        AuditClient::add_rule(self, rule, prepend)
    }
    fn delete_rule(&mut self, rule: &Rule) -> Result<(), Error> {
        AuditClient::delete_rule(self, rule)
    }
    fn set(&mut self, setting: Setting, value: u32) -> Result<(), Error> {
        AuditClient::set(self, setting, value)
    }
    fn set_loginuid_immutable(&mut self) -> Result<(), Error> {
        AuditClient::set_loginuid_immutable(self)
    }
}
