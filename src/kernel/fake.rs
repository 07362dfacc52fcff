//! Test-only: an in-memory kernel for the transactions of `load` and `fix`.

use std::path::Path;

use super::{AuditControl, Error, RuleTable, Setting, Status};
use crate::host::{resolve, FakeFs, FileKind};
use crate::rule::syscalls::Arch;
use crate::rule::{FieldType, Rule};

/// A kernel in memory: its rule lists kept as the kernel keeps them (`RuleTable`: EEXIST,
/// ENOENT, EINVAL like the real one), and a path it refuses (as a kernel refuses a watch
/// under a missing directory). Given the host's files (`over`), it refuses what the
/// kernel refuses on them: a watch whose parent is not a directory, a tree watch on
/// something that is not one.
pub(crate) struct FakeKernel {
    pub rules: RuleTable<Rule>,
    pub status: Status,
    pub calls: Vec<String>,
    pub refuse_path: &'static str,
    pub files: Option<FakeFs>,
}

impl FakeKernel {
    pub fn new(enabled: u32) -> FakeKernel {
        FakeKernel {
            rules: RuleTable::default(),
            status: Status {
                enabled,
                failure: 1,
                backlog_limit: 64,
                backlog_wait_time: Some(15000),
                ..Status::default()
            },
            calls: Vec::new(),
            refuse_path: "/missing/x",
            files: None,
        }
    }

    /// The same kernel on a host with these files: watches are placed (or refused) on them.
    pub fn over(mut self, files: FakeFs) -> FakeKernel {
        self.files = Some(files);
        self
    }

    /// Whether the kernel cannot place the rule's watch on the host's files: the parent of
    /// a `path` watch, or the directory of a `dir` tree watch, is not a directory there
    /// (the kernel's path walk follows symlinks on the way).
    fn cannot_place(&self, rule: &Rule) -> bool {
        let Some(files) = &self.files else { return false };
        let is_dir = |p: &Path| resolve(files, p, true).is_ok_and(|r| r.meta.is_some_and(|m| m.kind == FileKind::Dir));
        rule.fields.iter().any(|f| {
            let Some(path) = f.as_bytes().map(|b| Path::new(std::str::from_utf8(b).unwrap_or(""))) else {
                return false;
            };
            match f.kind {
                FieldType::WATCH => path.parent().is_some_and(|parent| !is_dir(parent)),
                FieldType::DIR => !is_dir(path),
                _ => false,
            }
        })
    }

    /// A kernel already holding `rules`, added in order.
    pub fn holding(enabled: u32, rules: Vec<Rule>) -> FakeKernel {
        let mut kernel = FakeKernel::new(enabled);
        for rule in rules {
            kernel.rules.add(rule, false).expect("the kernel takes each rule once");
        }
        kernel
    }

    /// The rules in the order the kernel lists them.
    pub fn rule_list(&self) -> Vec<Rule> {
        self.rules.iter().cloned().collect()
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
        Ok(self.rule_list())
    }
    fn add_rule(&mut self, rule: &Rule, prepend: bool) -> Result<(), Error> {
        self.calls.push(format!("add {}", self.calls.len()));
        if rule.fields.iter().any(|f| f.as_bytes() == Some(self.refuse_path.as_bytes())) || self.cannot_place(rule) {
            return Err(errno(libc::ENOENT, "AUDIT_ADD_RULE"));
        }
        self.rules.add(rule.clone(), prepend).map_err(|e| errno(e.errno(), "AUDIT_ADD_RULE"))
    }
    fn delete_rule(&mut self, rule: &Rule) -> Result<(), Error> {
        self.calls.push("delete".into());
        self.rules.delete(rule).map(drop).map_err(|e| errno(e.errno(), "AUDIT_DEL_RULE"))
    }
    fn set(&mut self, setting: Setting, value: u32) -> Result<(), Error> {
        self.calls.push(format!("set {setting:?}={value}"));
        setting.put(&mut self.status, value);
        Ok(())
    }
    fn set_loginuid_immutable(&mut self) -> Result<(), Error> {
        self.calls.push("loginuid-immutable".into());
        Ok(())
    }
}
