//! Test-only: an in-memory kernel for the transactions of `load` and `fix`.

use super::{AuditControl, Error, Setting, Status};
use crate::rule::syscalls::Arch;
use crate::rule::Rule;

/// A kernel in memory: rules by list in insertion order, EEXIST/ENOENT like the real
/// one, and a path it refuses (as a kernel refuses a watch under a missing directory).
pub(crate) struct FakeKernel {
    pub rules: Vec<Rule>,
    pub status: Status,
    pub calls: Vec<String>,
    pub refuse_path: &'static str,
}

impl FakeKernel {
    pub fn new(enabled: u32) -> FakeKernel {
        FakeKernel {
            rules: Vec::new(),
            status: Status {
                enabled,
                failure: 1,
                backlog_limit: 64,
                backlog_wait_time: Some(15000),
                ..Status::default()
            },
            calls: Vec::new(),
            refuse_path: "/missing/x",
        }
    }

    pub fn listing(&self) -> Vec<String> {
        self.rules.iter().map(|r| String::from_utf8(crate::rule::text::to_text(r, Arch::X86_64)).unwrap()).collect()
    }
}

fn errno(code: i32, request: &'static str) -> Error {
    Error::Kernel { request, source: std::io::Error::from_raw_os_error(code) }
}

impl AuditControl for FakeKernel {
    fn status(&mut self) -> Result<Status, Error> {
        Ok(self.status)
    }
    fn list_rules(&mut self) -> Result<Vec<Rule>, Error> {
        let mut sorted = self.rules.clone();
        sorted.sort_by_key(|r| r.list.raw());
        Ok(sorted)
    }
    fn add_rule(&mut self, rule: &Rule, prepend: bool) -> Result<(), Error> {
        self.calls.push(format!("add {}", self.calls.len()));
        if rule.fields.iter().any(|f| f.as_bytes() == Some(self.refuse_path.as_bytes())) {
            return Err(errno(libc::ENOENT, "AUDIT_ADD_RULE"));
        }
        if self.rules.contains(rule) {
            return Err(errno(libc::EEXIST, "AUDIT_ADD_RULE"));
        }
        if prepend {
            self.rules.insert(0, rule.clone());
        } else {
            self.rules.push(rule.clone());
        }
        Ok(())
    }
    fn delete_rule(&mut self, rule: &Rule) -> Result<(), Error> {
        self.calls.push("delete".into());
        match self.rules.iter().position(|r| r == rule) {
            Some(i) => {
                self.rules.remove(i);
                Ok(())
            }
            None => Err(errno(libc::ENOENT, "AUDIT_DEL_RULE")),
        }
    }
    fn set(&mut self, setting: Setting, value: u32) -> Result<(), Error> {
        self.calls.push(format!("set {setting:?}={value}"));
        match setting {
            Setting::Enabled => self.status.enabled = value,
            Setting::Failure => self.status.failure = value,
            Setting::RateLimit => self.status.rate_limit = value,
            Setting::BacklogLimit => self.status.backlog_limit = value,
            Setting::BacklogWaitTime => self.status.backlog_wait_time = Some(value),
        }
        Ok(())
    }
    fn set_loginuid_immutable(&mut self) -> Result<(), Error> {
        self.calls.push("loginuid-immutable".into());
        Ok(())
    }
}
