//! auditctl's per-line state: the options of one line, in order, become one rule or one
//! directive. Each option has its own method; `-F` values are read by `fields`.

use super::fields::{perm_bits, spec};
use super::lexer::{c_strtoul, starts_digit, Opt, Word};
use super::resolver::Resolver;
use super::{Directive, Entry, ParseErrorKind, RuleOp, FIELD_LIMIT, MAX_KEY_LEN, MAX_SYSCALL, NAME_MAX, PATH_MAX};
use crate::kernel::Setting;
use crate::rule::syscalls::{self, Arch};
use crate::rule::text::comparison_value;
use crate::rule::{perm, Action, Field, FieldType, FilterList, Operator, Rule, SyscallMask, KEY_SEPARATOR};

/// An error and the column of the word at fault.
pub(super) type OptResult<T> = Result<T, (usize, ParseErrorKind)>;

/// What a finished line gives: nothing (no rule option), or an entry and its warnings;
/// an error without a column points at the line's first word.
type Finished = Result<Option<(Entry, Vec<String>)>, (Option<usize>, ParseErrorKind)>;

/// auditctl's per-line state (`rule_new` and the `_audit_*added` flags).
pub(super) struct Builder<'r> {
    pub(super) resolver: &'r Resolver,
    op: Option<RuleOp>,
    list: Option<FilterList>,
    action: Option<Action>,
    mask: SyscallMask,
    pub(super) fields: Vec<Field>,
    /// The arch syscall names are looked up in (`_audit_elf`).
    pub(super) arch: Option<Arch>,
    pub(super) syscall_added: bool,
    pub(super) perm_added: bool,
    pub(super) exe_added: bool,
    pub(super) fs_added: bool,
    key: String,
    directive: Option<(String, Directive)>,
    rule_option: Option<(usize, String)>,
    warnings: Vec<String>,
}

/// How a setting's value is read.
#[derive(Clone, Copy)]
enum Takes {
    /// `0`, `1` or `2`.
    Flag,
    /// A C number (`0x10` is 16) that fits a u32.
    Number,
}

/// The options that change one kernel setting: name, as messages spell it, setting.
const SETTINGS: &[(&str, &str, Setting, Takes)] = &[
    ("e", "-e", Setting::Enabled, Takes::Flag),
    ("f", "-f", Setting::Failure, Takes::Flag),
    ("r", "-r", Setting::RateLimit, Takes::Number),
    ("b", "-b", Setting::BacklogLimit, Takes::Number),
    ("backlog_wait_time", "--backlog_wait_time", Setting::BacklogWaitTime, Takes::Number),
];

/// auditctl options that do something other than load a rule or change a setting.
const NOT_IN_RULES_FILE: &[&str] =
    &["R", "l", "s", "m", "t", "q", "h", "v", "reset-lost", "reset_backlog_wait_time_actual", "signal"];

/// `-x` or `--long`, as messages spell an option.
fn dashed(option: &Opt) -> String {
    if option.name.len() == 1 {
        format!("-{}", option.name)
    } else {
        format!("--{}", option.name)
    }
}

fn list_name(list: FilterList) -> &'static str {
    list.name().unwrap_or("unknown")
}

impl<'r> Builder<'r> {
    pub(super) fn new(resolver: &'r Resolver) -> Builder<'r> {
        Builder {
            resolver,
            op: None,
            list: None,
            action: None,
            mask: SyscallMask::default(),
            fields: Vec::new(),
            arch: None,
            syscall_added: false,
            perm_added: false,
            exe_added: false,
            fs_added: false,
            key: String::new(),
            directive: None,
            rule_option: None,
            warnings: Vec::new(),
        }
    }

    /// Whether the rule has something a key can name: a syscall, a watch, perm, path,
    /// dir, exe or fstype.
    pub(super) fn has_subject(&self) -> bool {
        self.syscall_added || self.perm_added || self.exe_added || self.fs_added
    }

    /// A directive is a line of its own.
    pub(super) fn control(&mut self, option: &Opt, directive: Directive) -> Result<(), ParseErrorKind> {
        let name = dashed(option);
        if self.directive.is_some() || self.rule_option.is_some() {
            return Err(ParseErrorKind::ControlWithRule(name));
        }
        self.directive = Some((name, directive));
        Ok(())
    }

    fn directive(&mut self, option: &Opt, directive: Directive) -> OptResult<()> {
        self.control(option, directive).map_err(|kind| (option.column, kind))
    }

    fn mark_rule(&mut self, option: &Opt) -> OptResult<()> {
        if let Some((name, _)) = &self.directive {
            return Err((option.column, ParseErrorKind::ControlWithRule(name.clone())));
        }
        if self.rule_option.is_none() {
            self.rule_option = Some((option.column, option.name.clone()));
        }
        Ok(())
    }

    pub(super) fn option(&mut self, option: &Opt) -> OptResult<()> {
        let col = option.column;
        let value = option.value.clone().unwrap_or(Word { text: String::new(), column: col });
        let name = option.name.as_str();
        if let Some(&(_, spelled, setting, takes)) = SETTINGS.iter().find(|(n, ..)| *n == name) {
            return self.setting(option, value, spelled, setting, takes);
        }
        match name {
            "i" => self.directive(option, Directive::IgnoreErrors),
            "c" => self.directive(option, Directive::ContinueOnErrors),
            "D" => self.directive(option, Directive::DeleteAll { key: None }),
            "loginuid-immutable" => self.directive(option, Directive::LoginuidImmutable),
            "a" | "A" | "d" | "w" | "W" | "p" | "k" | "S" | "F" | "C" => {
                self.mark_rule(option)?;
                self.rule_part(option, &value)
            }
            _ if NOT_IN_RULES_FILE.contains(&name) => Err((col, ParseErrorKind::NotInRulesFile(dashed(option)))),
            other => Err((col, ParseErrorKind::UnknownOption(format!("-{other}")))),
        }
    }

    /// `-e`, `-f`, `-r`, `-b`, `--backlog_wait_time`.
    fn setting(
        &mut self,
        option: &Opt,
        value: Word,
        spelled: &'static str,
        setting: Setting,
        takes: Takes,
    ) -> OptResult<()> {
        let n = match takes {
            Takes::Flag => match value.text.as_str() {
                "0" | "1" | "2" => value.text.parse().unwrap_or(0),
                _ => {
                    let kind =
                        ParseErrorKind::ControlValue { option: spelled, expected: "0, 1 or 2", value: value.text };
                    return Err((value.column, kind));
                }
            },
            Takes::Number => {
                let n = c_strtoul(&value.text, 0);
                if !starts_digit(&value.text) || n == u64::MAX {
                    let kind =
                        ParseErrorKind::ControlValue { option: spelled, expected: "a number", value: value.text };
                    return Err((value.column, kind));
                }
                n as u32
            }
        };
        self.directive(option, Directive::Set(setting, n))
    }

    /// The options that build a rule.
    fn rule_part(&mut self, option: &Opt, value: &Word) -> OptResult<()> {
        let col = option.column;
        match option.name.as_str() {
            "a" => self.list_action(col, value, RuleOp::Append),
            "A" => self.list_action(col, value, RuleOp::Prepend),
            "d" => self.list_action(col, value, RuleOp::Delete),
            "w" => self.watch(col, value, RuleOp::Append),
            "W" => self.watch(col, value, RuleOp::Delete),
            "p" => self.perm(col, value),
            "k" => {
                if !self.has_subject() || self.op.is_none() {
                    return Err((col, ParseErrorKind::KeyWithoutRule));
                }
                self.add_key(value)
            }
            "S" => self.syscalls(value),
            "F" => {
                let Some(list) = self.list.filter(|_| self.op.is_some()) else {
                    return Err((col, ParseErrorKind::NeedsRule("-F")));
                };
                if let Some(key) = value.text.strip_prefix("key=") {
                    return self.add_key(&Word { text: key.to_string(), column: value.column + 4 });
                }
                self.field(value, list)
            }
            // "C", the one left.
            _ => {
                let Some(list) = self.list.filter(|_| self.op.is_some()) else {
                    return Err((col, ParseErrorKind::NeedsRule("-C")));
                };
                self.compare(value, list)
            }
        }
    }

    /// `-a`, `-A`, `-d LIST,ACTION`.
    fn list_action(&mut self, col: usize, value: &Word, op: RuleOp) -> OptResult<()> {
        if self.op.is_some() {
            return Err((col, ParseErrorKind::SeveralRules));
        }
        // auditctl checks -S given before -a/-A only for the task list.
        if op != RuleOp::Delete && value.text.contains("task") && self.syscall_added {
            return Err((value.column, ParseErrorKind::SyscallOnList("task")));
        }
        let (list, action) = list_action(&value.text).map_err(|k| (value.column, k))?;
        self.list = Some(list);
        self.action = Some(action);
        self.op = Some(op);
        Ok(())
    }

    /// `-w`, `-W PATH`: a rule of its own, a tree watch when the path is a directory on
    /// the judged root (auditctl decides with stat(2) at load time).
    fn watch(&mut self, col: usize, value: &Word, op: RuleOp) -> OptResult<()> {
        if self.op.is_some() || !self.fields.is_empty() {
            return Err((col, ParseErrorKind::WatchInRule));
        }
        let path = watch_path(&value.text).map_err(|k| (value.column, k))?;
        // auditctl's warnings: the kernel takes these characters literally.
        if path.contains("..") {
            self.warnings.push(format!(
                "{path}: relative path notation (..) is not supported, the kernel watches the literal path"
            ));
        }
        if path.contains(['*', '?']) {
            self.warnings.push(format!("{path}: wildcards are not supported, the kernel watches the literal path"));
        }
        let kind = if self.resolver.is_dir(&path) { FieldType::DIR } else { FieldType::WATCH };
        self.op = Some(op);
        self.list = Some(FilterList::Exit);
        self.action = Some(Action::Always);
        self.mask = SyscallMask::all();
        self.fields =
            vec![Field::text(kind, Operator::EQUAL, path), Field::number(FieldType::PERM, Operator::EQUAL, perm::ALL)];
        self.syscall_added = true;
        self.perm_added = true;
        Ok(())
    }

    /// `-p rwxa`: replaces the perm a watch got (or an earlier `-p`).
    fn perm(&mut self, col: usize, value: &Word) -> OptResult<()> {
        if self.op.is_none() {
            return Err((col, ParseErrorKind::NeedsRule("-p")));
        }
        let bits = perm_bits(&value.text).map_err(|k| (value.column, k))?;
        if self.fields.is_empty() {
            return Err((col, ParseErrorKind::PermWithoutFields));
        }
        if let Some(existing) = self.fields.iter_mut().find(|f| f.kind == FieldType::PERM) {
            *existing = Field::number(FieldType::PERM, Operator::EQUAL, bits);
        } else {
            self.push(col, Field::number(FieldType::PERM, Operator::EQUAL, bits))?;
        }
        self.perm_added = true;
        Ok(())
    }

    /// `-k KEY` and `-F key=KEY`: keys are joined and go last, whatever their position.
    fn add_key(&mut self, value: &Word) -> OptResult<()> {
        let extra = usize::from(!self.key.is_empty());
        if value.text.len() + self.key.len() + extra > MAX_KEY_LEN {
            return Err((value.column, ParseErrorKind::KeyTooLong));
        }
        if value.text.as_bytes().contains(&KEY_SEPARATOR) {
            return Err((value.column, ParseErrorKind::KeySeparator));
        }
        if !self.key.is_empty() {
            self.key.push(KEY_SEPARATOR as char);
        }
        self.key.push_str(&value.text);
        Ok(())
    }

    /// `-S NAME,NAME,...`: names in the arch of an earlier `-F arch`, else the native one.
    fn syscalls(&mut self, value: &Word) -> OptResult<()> {
        if let Some(list) = self.list.filter(|_| self.op.is_some()) {
            match list {
                FilterList::Task | FilterList::User | FilterList::Filesystem | FilterList::Exclude => {
                    return Err((value.column, ParseErrorKind::SyscallOnList(list_name(list))));
                }
                _ => {}
            }
        }
        let unknown_arch = self.arch.is_none();
        let arch = *self.arch.get_or_insert(self.resolver.native());
        let before = self.mask;
        let mut offset = 0;
        for name in value.text.split(',') {
            let column = value.column + value.text[..offset].chars().count();
            offset += name.len() + 1;
            if name.is_empty() {
                continue;
            }
            if name == "all" {
                self.mask = SyscallMask::all();
                continue;
            }
            let nr = syscalls::syscall_number(arch, name).map(u64::from).or_else(|| {
                let n = c_strtoul(name, 0);
                (starts_digit(name) && n <= MAX_SYSCALL).then_some(n)
            });
            match nr {
                Some(nr) => self.mask.insert(nr as u32),
                None => {
                    return Err((column, ParseErrorKind::UnknownSyscall { name: name.to_string(), arch: arch.name() }))
                }
            }
        }
        self.syscall_added = true;
        if unknown_arch && self.op.is_some_and(|op| op != RuleOp::Delete) {
            self.warn_on_compat_mismatch(value, arch, before);
        }
        Ok(())
    }

    /// auditctl's check_rule_mismatch: would the compat table give other numbers?
    /// It asks only on x86_64 (of our arches; also ppc64 and s390x in libaudit): arm64's
    /// auditctl says nothing for `-S openat` without an arch (auditctl-arm64.tsv).
    fn warn_on_compat_mismatch(&mut self, value: &Word, arch: Arch, before: SyscallMask) {
        let compat = Arch::bits_for(arch, !arch.is_64bit());
        if arch != Arch::X86_64 || compat == arch {
            return;
        }
        let mut other = before;
        for name in value.text.split(',').filter(|n| !n.is_empty()) {
            if name == "all" {
                other = SyscallMask::all();
            } else if let Some(nr) = syscalls::syscall_number(compat, name) {
                other.insert(nr);
            } else if starts_digit(name) {
                other.insert(c_strtoul(name, 0) as u32);
            }
        }
        if other != self.mask {
            self.warnings.push(format!(
                "32/64 bit syscall mismatch: -S {} has no -F arch before it, so the names are {} syscalls",
                value.text,
                arch.name()
            ));
        }
    }

    pub(super) fn push(&mut self, column: usize, field: Field) -> OptResult<()> {
        if self.fields.len() >= FIELD_LIMIT {
            return Err((column, ParseErrorKind::TooManyFields));
        }
        self.fields.push(field);
        Ok(())
    }

    /// `-C LEFT=RIGHT`: libaudit's `audit_rule_interfield_comp_data`.
    fn compare(&mut self, pair: &Word, list: FilterList) -> OptResult<()> {
        let text = pair.text.as_str();
        let col = pair.column;
        if self.fields.len() >= FIELD_LIMIT {
            return Err((col, ParseErrorKind::TooManyFields));
        }
        let (left, op, right) = if let Some((l, r)) = text.split_once("!=") {
            (l, Operator::NOT_EQUAL, r)
        } else if let Some((l, r)) = text.split_once('=') {
            (l, Operator::EQUAL, r)
        } else {
            return Err((col, ParseErrorKind::CompareSyntax(text.to_string())));
        };
        if left.is_empty() || right.is_empty() {
            return Err((col, ParseErrorKind::CompareSyntax(text.to_string())));
        }
        let canonical = |n: &str| spec(n).and_then(|s| s.kind.name());
        let (Some(l), Some(r)) = (canonical(left), canonical(right)) else {
            let bad = if canonical(left).is_none() { left } else { right };
            return Err((col, ParseErrorKind::UnknownField(bad.to_string())));
        };
        if list != FilterList::Exit {
            return Err((col, ParseErrorKind::WrongList { field: "-C".into(), allowed: "exit" }));
        }
        let value = comparison_value(l, r)
            .or_else(|| comparison_value(r, l))
            .ok_or((col, ParseErrorKind::CompareFields { left: left.to_string(), right: right.to_string() }))?;
        self.push(col, Field::number(FieldType::FIELD_COMPARE, op, value))
    }

    /// The line's entry: the key goes last, and every list but task gets all syscalls
    /// when none were named (auditctl's handle_request).
    pub(super) fn finish(mut self) -> Finished {
        if let Some((_, directive)) = self.directive.take() {
            return Ok(Some((Entry::Directive(directive), self.warnings)));
        }
        let Some(op) = self.op else {
            return match self.rule_option {
                Some((column, _)) => Err((Some(column), ParseErrorKind::NoList)),
                None => Ok(None),
            };
        };
        let list = self.list.unwrap_or(FilterList::Exit);
        if !self.key.is_empty() {
            if !self.has_subject() {
                return Err((None, ParseErrorKind::KeyWithoutRule));
            }
            if self.fields.len() >= FIELD_LIMIT {
                return Err((None, ParseErrorKind::TooManyFields));
            }
            self.fields.push(Field::text(FieldType::FILTERKEY, Operator::EQUAL, self.key.into_bytes()));
        }
        if list != FilterList::Task && !self.syscall_added {
            self.mask = SyscallMask::all();
        }
        let rule = Rule { list, action: self.action.unwrap_or(Action::Always), mask: self.mask, fields: self.fields };
        Ok(Some((Entry::Rule { op, rule }, self.warnings)))
    }
}

/// `-a LIST,ACTION` or `-a ACTION,LIST`.
fn list_action(text: &str) -> Result<(FilterList, Action), ParseErrorKind> {
    let bad = || ParseErrorKind::BadListAction(text.to_string());
    let (a, b) = text.split_once(',').ok_or_else(bad)?;
    if b.contains(',') {
        return Err(bad());
    }
    let action = |s: &str| match s {
        "always" => Some(Action::Always),
        "never" => Some(Action::Never),
        _ => None,
    };
    let list = |s: &str| match s {
        "task" => Some(FilterList::Task),
        "entry" => Some(FilterList::Entry),
        "exit" => Some(FilterList::Exit),
        "user" => Some(FilterList::User),
        "exclude" => Some(FilterList::Exclude),
        "filesystem" => Some(FilterList::Filesystem),
        _ => None,
    };
    if a == "possible" || b == "possible" {
        return Err(ParseErrorKind::PossibleAction);
    }
    if a == "io_uring" || b == "io_uring" {
        return Err(ParseErrorKind::UnsupportedList("io_uring".into()));
    }
    match (action(a), list(b), list(a), action(b)) {
        (Some(act), Some(l), _, _) | (_, _, Some(l), Some(act)) => Ok((l, act)),
        _ => Err(bad()),
    }
}

/// A watch path as auditctl checks and trims it.
fn watch_path(path: &str) -> Result<String, ParseErrorKind> {
    if path.len() >= PATH_MAX {
        return Err(ParseErrorKind::PathTooLong);
    }
    if !path.starts_with('/') {
        return Err(ParseErrorKind::RelativePath);
    }
    let base = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    if base.len() > NAME_MAX {
        return Err(ParseErrorKind::NameTooLong);
    }
    let mut path = path.to_string();
    if path.len() > 2 {
        while path.len() > 1 && path.ends_with('/') {
            path.pop();
        }
    }
    Ok(path)
}
