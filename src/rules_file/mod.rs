//! The auditctl rule-file language (what `auditctl -R` and `augenrules` read), parsed
//! into kernel rules and control settings exactly as auditctl 3.0.9 builds them.
//!
//! auditctl is the oracle: every decision below that looks odd is what auditctl does
//! (checked by loading and listing on a real kernel), e.g. a key always lands after
//! every other field, `-F uid=010` is octal, `-F uid=12abc` is 12, `gid` takes no
//! negative numbers, a `-F arch` after `-S` is an error, and a line is split on
//! spaces only (a tab is part of a word, `\ ` is an escaped space).
//!
//! The one place we are stricter than auditctl: it only logs a warning for a key
//! containing the 0x01 separator; we refuse it, because it would list as two keys.

use std::cell::OnceCell;
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::kernel::Setting;
use crate::rule::names;
use crate::rule::syscalls::{self, Arch};
use crate::rule::text::comparison_value;
use crate::rule::{perm, Action, Field, FieldType, FilterList, Operator, Rule, SyscallMask, KEY_SEPARATOR};

/// `AUDIT_MAX_KEY_LEN`.
pub const MAX_KEY_LEN: usize = 256;
const PATH_MAX: usize = 4096;
const NAME_MAX: usize = 255;
/// libaudit refuses to add a field once 63 are there (`AUDIT_MAX_FIELDS - 1`).
const FIELD_LIMIT: usize = crate::rule::MAX_FIELDS - 1;
/// Syscall numbers fit the 2048-bit mask.
const MAX_SYSCALL: u64 = 2047;

/// `audit_status.feature_bitmap` bits that change what auditctl accepts.
pub mod feature {
    pub const EXECUTABLE_PATH: u32 = 0x04;
    pub const EXCLUDE_EXTEND: u32 = 0x08;
    pub const SESSIONID_FILTER: u32 = 0x10;
    pub const FILTER_FS: u32 = 0x40;
    /// What a current kernel has; used when judging files offline.
    pub const ALL: u32 = 0x7f;
}

/// Where a line came from, for messages: `rules.d/50-docker.rules:3`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    pub line: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

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
    DeleteAll { key: Option<String> },
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

// Most lines are rules; boxing them would only make matching on them clumsier.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    Rule { op: RuleOp, rule: Rule },
    Directive(Directive),
}

/// One meaningful line of a rules file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub origin: Origin,
    pub entry: Entry,
    /// What auditctl would warn about but still load (e.g. no arch before `-S`).
    pub warnings: Vec<String>,
}

/// A syntax or meaning error, with the position of the word at fault.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {kind}")]
pub struct ParseError {
    pub file: String,
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    pub kind: ParseErrorKind,
}

const OPTIONS: &str = "-w -W -p -k -a -A -d -S -F -C -D -b -f -e -r -i -c --backlog_wait_time --loginuid-immutable";
const LISTS: &str = "exit, user, task, exclude, filesystem";
const OPERATORS: &str = "= != < > <= >= & &=";
const FILETYPES: &[(&str, u32)] = &[
    ("block", 0o060000),
    ("character", 0o020000),
    ("dir", 0o040000),
    ("fifo", 0o010000),
    ("file", 0o100000),
    ("link", 0o120000),
    ("socket", 0o140000),
];

fn field_names() -> String {
    let mut names: Vec<&str> = (0..=210).filter_map(|n| FieldType(n).name()).collect();
    names.push("loginuid");
    names.join(", ")
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseErrorKind {
    #[error("unknown option \"{0}\" (expected one of: {OPTIONS})")]
    UnknownOption(String),
    #[error("option {0} is not allowed in a rules file (expected one of: {OPTIONS})")]
    NotInRulesFile(String),
    #[error("option {0} needs a value")]
    MissingValue(String),
    #[error("\"{0}\" is not an option (expected an option starting with '-'; a comment must be a line whose first word starts with '#')")]
    NotAnOption(String),
    #[error("\"{0}\" is not LIST,ACTION (expected one of always, never and one of {LISTS}, in either order)")]
    BadListAction(String),
    #[error("the action \"possible\" is no longer supported (expected always or never)")]
    PossibleAction,
    #[error("the {0} list is not supported by auditctl 3.0.9 (expected one of: {LISTS})")]
    UnsupportedList(String),
    #[error("only one of -a, -A, -d, -w, -W per line")]
    SeveralRules,
    #[error("-w and -W make a rule of their own and cannot follow -a, -A, -d or -F")]
    WatchInRule,
    #[error("the watch path must start with '/'")]
    RelativePath,
    #[error("the watch path is longer than {PATH_MAX} bytes")]
    PathTooLong,
    #[error("the last component of the watch path is longer than {NAME_MAX} bytes")]
    NameTooLong,
    #[error("{0} needs -a, -A, -d, -w or -W before it on the line")]
    NeedsRule(&'static str),
    #[error("-p needs a field (a watch) before it")]
    PermWithoutFields,
    #[error("permission \"{0}\" is too long (expected at most 4 of r, w, x, a)")]
    PermTooLong(String),
    #[error("permission letter '{0}' is not one of r, w, x, a")]
    PermLetter(char),
    #[error("a key needs a watch, a syscall (-S), a perm, path, dir, exe or fstype field before it")]
    KeyWithoutRule,
    #[error("the keys of a rule are longer than {MAX_KEY_LEN} bytes together")]
    KeyTooLong,
    #[error("a key cannot contain the byte 0x01 (it separates keys)")]
    KeySeparator,
    #[error(
        "unknown syscall \"{name}\" for {arch} (expected a name from the {arch} table, a number below 2048, or all)"
    )]
    UnknownSyscall { name: String, arch: &'static str },
    #[error("-S cannot be used on the {0} list")]
    SyscallOnList(&'static str),
    #[error("-F arch must come before -S (the syscall names depend on it)")]
    ArchAfterSyscall,
    #[error("unknown arch \"{0}\" (expected b64, b32, x86_64, i386, aarch64, arm or an AUDIT_ARCH_* number)")]
    UnknownArch(String),
    #[error("-S without -a, -A, -d, -w or -W: no list to put the rule on")]
    NoList,
    #[error("\"{0}\" has no operator (expected one of: {OPERATORS})")]
    MissingOperator(String),
    #[error("missing field name before the operator")]
    MissingFieldName,
    #[error("field {0} has no value after the operator")]
    MissingFieldValue(String),
    #[error("unknown field \"{0}\" (expected one of: {names})", names = field_names())]
    UnknownField(String),
    #[error("field {field} takes only the operators {allowed}")]
    Operator { field: String, allowed: &'static str },
    #[error("field {field} is only valid on the {allowed} list")]
    WrongList { field: String, allowed: &'static str },
    #[error("the exclude list takes only the fields msgtype, pid, uid, gid, auid and subj_* (not {0})")]
    ExcludeField(String),
    #[error("field {field} needs a kernel feature this kernel lacks ({feature})")]
    Unsupported { field: String, feature: &'static str },
    #[error("field {field} expects a number, got \"{value}\"")]
    NotANumber { field: String, value: String },
    #[error("unknown user \"{name}\" (not in {passwd})")]
    UnknownUser { name: String, passwd: String },
    #[error("unknown group \"{name}\" (not in {group})")]
    UnknownGroup { name: String, group: String },
    #[error("unknown errno name \"{0}\" (expected e.g. -EACCES, -EPERM or a number)")]
    UnknownErrno(String),
    #[error("unknown message type \"{0}\" (expected e.g. CWD, SYSCALL, PATH or a number)")]
    UnknownMsgtype(String),
    #[error("unknown file type \"{0}\" (expected one of: file, dir, socket, link, character, block, fifo)")]
    UnknownFiletype(String),
    #[error("unknown filesystem type \"{0}\" (expected debugfs, tracefs or a magic number)")]
    UnknownFstype(String),
    #[error("the value of field {0} is longer than the kernel allows")]
    ValueTooLong(String),
    #[error("a rule can have at most {FIELD_LIMIT} fields")]
    TooManyFields,
    #[error("-C needs FIELD=FIELD or FIELD!=FIELD, got \"{0}\"")]
    CompareSyntax(String),
    #[error("-C cannot compare {left} with {right} (expected a uid field with a uid field or a gid field with a gid field, e.g. auid!=obj_uid)")]
    CompareFields { left: String, right: String },
    #[error("{option} takes {expected}, got \"{value}\"")]
    ControlValue { option: &'static str, expected: &'static str, value: String },
    #[error("{0} changes the audit system and must be on a line of its own")]
    ControlWithRule(String),
}

/// What names in a rule mean on the system being judged: users and groups from its
/// `/etc/passwd` and `/etc/group` (not NSS: the files of `root`, which need not be the
/// running system), whether a watched path is a directory there, the native arch and
/// the kernel's feature bits.
pub struct Resolver {
    root: PathBuf,
    native: Arch,
    features: u32,
    users: OnceCell<HashMap<String, u32>>,
    groups: OnceCell<HashMap<String, u32>>,
}

impl Resolver {
    /// Judges against the files under `root` (`/` for the running host).
    pub fn new(root: impl Into<PathBuf>) -> Resolver {
        Resolver {
            root: root.into(),
            native: Arch::native(),
            features: feature::ALL,
            users: OnceCell::new(),
            groups: OnceCell::new(),
        }
    }

    pub fn with_arch(mut self, native: Arch) -> Resolver {
        self.native = native;
        self
    }

    /// The kernel's `feature_bitmap` (from `AUDIT_GET`), when judging for a live kernel.
    pub fn with_features(mut self, bitmap: u32) -> Resolver {
        self.features = bitmap;
        self
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn native(&self) -> Arch {
        self.native
    }

    fn etc(&self, name: &str) -> PathBuf {
        self.root.join("etc").join(name)
    }

    fn user(&self, name: &str) -> Option<u32> {
        self.users.get_or_init(|| id_table(&self.etc("passwd"))).get(name).copied()
    }

    fn group(&self, name: &str) -> Option<u32> {
        self.groups.get_or_init(|| id_table(&self.etc("group"))).get(name).copied()
    }

    /// `stat(path)` as seen inside the root: symlinks are followed, absolute targets
    /// resolved against the root rather than the running system.
    pub fn is_dir(&self, path: &str) -> bool {
        let fs = crate::host::HostFs::new(self.root.clone());
        crate::host::resolve(&fs, Path::new(path), true)
            .is_ok_and(|r| r.meta.is_some_and(|m| m.kind == crate::host::FileKind::Dir))
    }
}

/// `name:x:ID:...` lines; the first entry for a name wins, as with getpwnam.
fn id_table(path: &Path) -> HashMap<String, u32> {
    let mut table = HashMap::new();
    let Ok(text) = std::fs::read_to_string(path) else { return table };
    for line in text.lines() {
        let mut parts = line.split(':');
        if let (Some(name), Some(_), Some(id)) = (parts.next(), parts.next(), parts.next()) {
            if let Ok(id) = id.trim().parse::<u32>() {
                table.entry(name.to_string()).or_insert(id);
            }
        }
    }
    table
}

/// Parses a whole file. `origin` names it in errors (`rules.d/50-docker.rules`).
pub fn parse(text: &str, origin: &str, resolver: &Resolver) -> Result<Vec<Line>, ParseError> {
    let mut lines = Vec::new();
    for (index, line) in text.split('\n').enumerate() {
        if let Some(line) = parse_line(line, origin, index + 1, resolver)? {
            lines.push(line);
        }
    }
    Ok(lines)
}

/// One line; `None` for blank and comment lines.
pub fn parse_line(text: &str, origin: &str, number: usize, resolver: &Resolver) -> Result<Option<Line>, ParseError> {
    let error =
        |column: usize, kind: ParseErrorKind| ParseError { file: origin.to_string(), line: number, column, kind };
    let words = split_words(text);
    let Some(first) = words.first() else { return Ok(None) };
    if first.text.starts_with('#') {
        return Ok(None);
    }
    let mut builder = Builder::new(resolver);
    let options = options(&words).map_err(|(column, kind)| error(column, kind))?;
    let mut iter = options.into_iter().peekable();
    while let Some(option) = iter.next() {
        // `-D -k KEY` is one command in auditctl, not a delete followed by a key.
        if option.name == "D" {
            if let Some(next) = iter.peek() {
                if next.name == "k" {
                    let key = iter.next().and_then(|o| o.value).map(|v| v.text);
                    builder.control(&option, Directive::DeleteAll { key }).map_err(|k| error(option.column, k))?;
                    continue;
                }
            }
        }
        builder.option(&option).map_err(|(column, kind)| error(column, kind))?;
    }
    let column = first.column;
    let mut entry = builder.finish().map_err(|(c, kind)| error(c.unwrap_or(column), kind))?;
    if text.ends_with('\r') {
        if let Some((_, warnings)) = entry.as_mut() {
            warnings.push(
                "the line ends with a carriage return (a CRLF file?); it is part of the last word, as in auditctl"
                    .into(),
            );
        }
    }
    Ok(entry.map(|(entry, warnings)| Line {
        origin: Origin { file: origin.to_string(), line: number },
        entry,
        warnings,
    }))
}

#[derive(Clone, Debug)]
struct Word {
    text: String,
    column: usize,
}

/// auditctl's split: on spaces only; `\ ` is a space inside a word and `\\` a backslash.
fn split_words(line: &str) -> Vec<Word> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut start = 0;
    let mut chars = line.chars().enumerate().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            ' ' => {
                if !current.is_empty() {
                    words.push(Word { text: std::mem::take(&mut current), column: start + 1 });
                }
            }
            '\\' if matches!(chars.peek(), Some((_, ' ' | '\\'))) => {
                if current.is_empty() {
                    start = i;
                }
                current.push(chars.next().map(|(_, c)| c).unwrap_or('\\'));
            }
            c => {
                if current.is_empty() {
                    start = i;
                }
                current.push(c);
            }
        }
    }
    if !current.is_empty() {
        words.push(Word { text: current, column: start + 1 });
    }
    words
}

#[derive(Clone, Debug)]
struct Opt {
    /// Short letter or long name, without dashes.
    name: String,
    column: usize,
    value: Option<Word>,
}

const WITH_VALUE: &str = "CefrbaAdSFmRwWkpq";
const WITHOUT_VALUE: &str = "hicslDvt";
const LONG: &[(&str, bool)] = &[
    ("loginuid-immutable", false),
    ("backlog_wait_time", true),
    ("reset-lost", false),
    ("reset_backlog_wait_time_actual", false),
    ("signal", true),
];

/// getopt_long over the words of a line, as auditctl calls it.
fn options(words: &[Word]) -> Result<Vec<Opt>, (usize, ParseErrorKind)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let word = &words[i];
        i += 1;
        let text = word.text.as_str();
        if let Some(long) = text.strip_prefix("--").filter(|l| !l.is_empty()) {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (long, None),
            };
            // getopt_long accepts an unambiguous prefix.
            let matches: Vec<_> = LONG.iter().filter(|(l, _)| *l == name || l.starts_with(name)).collect();
            let exact = LONG.iter().find(|(l, _)| *l == name);
            let Some(&(full, takes_value)) = exact.or(if matches.len() == 1 { Some(matches[0]) } else { None }) else {
                return Err((word.column, ParseErrorKind::UnknownOption(text.to_string())));
            };
            let value = if takes_value {
                match inline {
                    Some(v) => Some(Word { text: v.to_string(), column: word.column + 3 + name.len() }),
                    None => {
                        let v = words.get(i).cloned();
                        i += 1;
                        Some(v.ok_or((word.column, ParseErrorKind::MissingValue(format!("--{full}"))))?)
                    }
                }
            } else {
                None
            };
            out.push(Opt { name: full.to_string(), column: word.column, value });
            continue;
        }
        if text == "--" {
            if let Some(stray) = words.get(i) {
                return Err((stray.column, ParseErrorKind::NotAnOption(stray.text.clone())));
            }
            break;
        }
        let Some(letters) = text.strip_prefix('-').filter(|l| !l.is_empty()) else {
            return Err((word.column, ParseErrorKind::NotAnOption(text.to_string())));
        };
        for (offset, letter) in letters.char_indices() {
            let column = word.column + 1 + letters[..offset].chars().count();
            if WITH_VALUE.contains(letter) {
                let rest = &letters[offset + letter.len_utf8()..];
                let value = if !rest.is_empty() {
                    Word { text: rest.to_string(), column: column + 1 }
                } else {
                    let v = words.get(i).cloned();
                    i += 1;
                    v.ok_or((column, ParseErrorKind::MissingValue(format!("-{letter}"))))?
                };
                out.push(Opt { name: letter.to_string(), column, value: Some(value) });
                break;
            } else if WITHOUT_VALUE.contains(letter) {
                out.push(Opt { name: letter.to_string(), column, value: None });
            } else {
                return Err((column, ParseErrorKind::UnknownOption(format!("-{letter}"))));
            }
        }
    }
    Ok(out)
}

/// auditctl's per-line state (`rule_new` and the `_audit_*added` flags).
struct Builder<'r> {
    resolver: &'r Resolver,
    op: Option<RuleOp>,
    list: Option<FilterList>,
    action: Option<Action>,
    mask: SyscallMask,
    fields: Vec<Field>,
    /// The arch syscall names are looked up in (`_audit_elf`).
    arch: Option<Arch>,
    syscall_added: bool,
    perm_added: bool,
    exe_added: bool,
    fs_added: bool,
    key: String,
    control: Option<(String, Directive)>,
    rule_option: Option<(usize, String)>,
    warnings: Vec<String>,
}

type OptResult<T> = Result<T, (usize, ParseErrorKind)>;

fn strip_radix(s: &str) -> (u32, &str) {
    if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        if hex.starts_with(|c: char| c.is_ascii_hexdigit()) {
            return (16, hex);
        }
    }
    if s.len() > 1 && s.starts_with('0') {
        return (8, &s[1..]);
    }
    (10, s)
}

/// C's strtoul(s, NULL, 0) on a 64-bit libc, garbage after the digits ignored.
fn c_strtoul(s: &str, base: u32) -> u64 {
    let s = s.trim_start();
    let (negative, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (radix, digits) = if base == 0 { strip_radix(s) } else { (base, s) };
    let mut value: u64 = 0;
    for c in digits.chars() {
        let Some(d) = c.to_digit(radix) else { break };
        match value.checked_mul(radix as u64).and_then(|v| v.checked_add(d as u64)) {
            Some(v) => value = v,
            None => return u64::MAX,
        }
    }
    if negative {
        value.wrapping_neg()
    } else {
        value
    }
}

/// C's strtol(s, NULL, 0): like strtoul but saturating at the i64 range.
fn c_strtol(s: &str) -> i64 {
    let t = s.trim_start();
    let negative = t.starts_with('-');
    let magnitude = c_strtoul(t.trim_start_matches(['-', '+']), 0);
    if negative {
        if magnitude > i64::MAX as u64 {
            i64::MIN
        } else {
            -(magnitude as i64)
        }
    } else {
        magnitude.min(i64::MAX as u64) as i64
    }
}

fn starts_digit(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_digit())
}

/// A uid-like value as auditctl reads it: a number (C `strtoul`, any base), a negative
/// number (wrapped to u32, so -1 is 4294967295), or `unset`. None for a name.
fn id_number(value: &str) -> Option<u32> {
    if starts_digit(value) {
        Some(c_strtoul(value, 0) as u32)
    } else if starts_negative_digit(value) {
        Some(c_strtol(value) as u32)
    } else if value == "unset" {
        Some(u32::MAX)
    } else {
        None
    }
}

fn starts_negative_digit(s: &str) -> bool {
    s.len() >= 2 && s.starts_with('-') && s[1..].starts_with(|c: char| c.is_ascii_digit())
}

fn field_type(name: &str) -> Option<FieldType> {
    if name == "loginuid" {
        return Some(FieldType::LOGINUID);
    }
    FieldType::from_name(name)
}

fn list_name(list: FilterList) -> &'static str {
    list.name().unwrap_or("unknown")
}

impl<'r> Builder<'r> {
    fn new(resolver: &'r Resolver) -> Builder<'r> {
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
            control: None,
            rule_option: None,
            warnings: Vec::new(),
        }
    }

    fn control(&mut self, option: &Opt, control: Directive) -> Result<(), ParseErrorKind> {
        let name = if option.name.len() == 1 { format!("-{}", option.name) } else { format!("--{}", option.name) };
        if self.control.is_some() || self.rule_option.is_some() {
            return Err(ParseErrorKind::ControlWithRule(name));
        }
        self.control = Some((name, control));
        Ok(())
    }

    fn mark_rule(&mut self, option: &Opt) -> OptResult<()> {
        if let Some((name, _)) = &self.control {
            return Err((option.column, ParseErrorKind::ControlWithRule(name.clone())));
        }
        if self.rule_option.is_none() {
            self.rule_option = Some((option.column, option.name.clone()));
        }
        Ok(())
    }

    fn option(&mut self, option: &Opt) -> OptResult<()> {
        let col = option.column;
        let value = option.value.clone().unwrap_or(Word { text: String::new(), column: col });
        let control = |b: &mut Self, c: Directive| b.control(option, c).map_err(|k| (col, k));
        match option.name.as_str() {
            "i" => control(self, Directive::IgnoreErrors),
            "c" => control(self, Directive::ContinueOnErrors),
            "D" => control(self, Directive::DeleteAll { key: None }),
            "e" | "f" => {
                let (opt, setting) =
                    if option.name == "e" { ("-e", Setting::Enabled) } else { ("-f", Setting::Failure) };
                match value.text.as_str() {
                    "0" | "1" | "2" => control(self, Directive::Set(setting, value.text.parse().unwrap_or(0))),
                    _ => Err((
                        value.column,
                        ParseErrorKind::ControlValue { option: opt, expected: "0, 1 or 2", value: value.text },
                    )),
                }
            }
            "r" | "b" | "backlog_wait_time" => {
                let opt = match option.name.as_str() {
                    "r" => "-r",
                    "b" => "-b",
                    _ => "--backlog_wait_time",
                };
                let n = c_strtoul(&value.text, 0);
                if !starts_digit(&value.text) || n == u64::MAX {
                    return Err((
                        value.column,
                        ParseErrorKind::ControlValue { option: opt, expected: "a number", value: value.text },
                    ));
                }
                let n = n as u32;
                control(
                    self,
                    match opt {
                        "-r" => Directive::Set(Setting::RateLimit, n),
                        "-b" => Directive::Set(Setting::BacklogLimit, n),
                        _ => Directive::Set(Setting::BacklogWaitTime, n),
                    },
                )
            }
            "loginuid-immutable" => control(self, Directive::LoginuidImmutable),
            "a" | "A" | "d" => {
                self.mark_rule(option)?;
                if self.op.is_some() {
                    return Err((col, ParseErrorKind::SeveralRules));
                }
                // auditctl checks -S given before -a/-A only for the task list.
                if option.name != "d" && value.text.contains("task") && self.syscall_added {
                    return Err((value.column, ParseErrorKind::SyscallOnList("task")));
                }
                let (list, action) = list_action(&value.text).map_err(|k| (value.column, k))?;
                self.list = Some(list);
                self.action = Some(action);
                self.op = Some(match option.name.as_str() {
                    "a" => RuleOp::Append,
                    "A" => RuleOp::Prepend,
                    _ => RuleOp::Delete,
                });
                Ok(())
            }
            "w" | "W" => {
                self.mark_rule(option)?;
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
                    self.warnings
                        .push(format!("{path}: wildcards are not supported, the kernel watches the literal path"));
                }
                let kind = if self.resolver.is_dir(&path) { FieldType::DIR } else { FieldType::WATCH };
                self.op = Some(if option.name == "w" { RuleOp::Append } else { RuleOp::Delete });
                self.list = Some(FilterList::Exit);
                self.action = Some(Action::Always);
                self.mask = SyscallMask::all();
                self.fields = vec![
                    Field::text(kind, Operator::EQUAL, path),
                    Field::number(FieldType::PERM, Operator::EQUAL, perm::ALL),
                ];
                self.syscall_added = true;
                self.perm_added = true;
                Ok(())
            }
            "p" => {
                self.mark_rule(option)?;
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
                    if self.fields.len() >= FIELD_LIMIT {
                        return Err((col, ParseErrorKind::TooManyFields));
                    }
                    self.fields.push(Field::number(FieldType::PERM, Operator::EQUAL, bits));
                }
                self.perm_added = true;
                Ok(())
            }
            "k" => {
                self.mark_rule(option)?;
                if !(self.syscall_added || self.perm_added || self.exe_added || self.fs_added) || self.op.is_none() {
                    return Err((col, ParseErrorKind::KeyWithoutRule));
                }
                self.add_key(&value)
            }
            "S" => {
                self.mark_rule(option)?;
                self.syscalls(&value)
            }
            "F" => {
                self.mark_rule(option)?;
                let Some(list) = self.list.filter(|_| self.op.is_some()) else {
                    return Err((col, ParseErrorKind::NeedsRule("-F")));
                };
                if let Some(key) = value.text.strip_prefix("key=") {
                    return self.add_key(&Word { text: key.to_string(), column: value.column + 4 });
                }
                self.field(&value, list)
            }
            "C" => {
                self.mark_rule(option)?;
                let Some(list) = self.list.filter(|_| self.op.is_some()) else {
                    return Err((col, ParseErrorKind::NeedsRule("-C")));
                };
                self.compare(&value, list)
            }
            "R"
            | "l"
            | "s"
            | "m"
            | "t"
            | "q"
            | "h"
            | "v"
            | "reset-lost"
            | "reset_backlog_wait_time_actual"
            | "signal" => {
                let name =
                    if option.name.len() == 1 { format!("-{}", option.name) } else { format!("--{}", option.name) };
                Err((col, ParseErrorKind::NotInRulesFile(name)))
            }
            other => Err((col, ParseErrorKind::UnknownOption(format!("-{other}")))),
        }
    }

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
        let arch = *self.arch.get_or_insert(self.resolver.native);
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
            // auditctl's check_rule_mismatch: would the compat table give other numbers?
            let compat = Arch::bits_for(arch, !arch.is_64bit());
            if compat != arch {
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
        }
        Ok(())
    }

    fn push(&mut self, column: usize, field: Field) -> OptResult<()> {
        if self.fields.len() >= FIELD_LIMIT {
            return Err((column, ParseErrorKind::TooManyFields));
        }
        self.fields.push(field);
        Ok(())
    }

    /// libaudit's `audit_rule_fieldpair_data`.
    fn field(&mut self, pair: &Word, list: FilterList) -> OptResult<()> {
        let text = pair.text.as_str();
        let col = pair.column;
        if self.fields.len() >= FIELD_LIMIT {
            return Err((col, ParseErrorKind::TooManyFields));
        }
        // libaudit looks for each operator anywhere in the pair, two-letter ones first.
        let found =
            ["!=", ">=", "<=", "&=", "=", ">", "<", "&"].iter().find_map(|sym| text.find(sym).map(|at| (at, *sym)));
        let Some((at, symbol)) = found else {
            return Err((col, ParseErrorKind::MissingOperator(text.to_string())));
        };
        let op = Operator::from_symbol(symbol).unwrap_or(Operator::EQUAL);
        let name = &text[..at];
        let value = &text[at + symbol.len()..];
        let value_col = col + text[..at + symbol.len()].chars().count();
        if name.is_empty() {
            return Err((col, ParseErrorKind::MissingFieldName));
        }
        if value.is_empty() {
            return Err((col, ParseErrorKind::MissingFieldValue(name.to_string())));
        }
        let Some(kind) = field_type(name) else {
            return Err((col, ParseErrorKind::UnknownField(name.to_string())));
        };
        let features = self.resolver.features;
        let fname = || name.to_string();
        if list == FilterList::Exclude {
            if features & feature::EXCLUDE_EXTEND == 0 {
                if kind != FieldType::MSGTYPE {
                    return Err((col, ParseErrorKind::ExcludeField(fname())));
                }
            } else if !matches!(kind.0, 0 | 1 | 5 | 9 | 12 | 13..=17) {
                return Err((col, ParseErrorKind::ExcludeField(fname())));
            }
        }
        if list == FilterList::Filesystem && features & feature::FILTER_FS == 0 {
            return Err((col, ParseErrorKind::Unsupported { field: fname(), feature: "filesystem list" }));
        }
        let exit_only = |list: FilterList| -> OptResult<()> {
            if list == FilterList::Exit {
                Ok(())
            } else {
                Err((col, ParseErrorKind::WrongList { field: name.to_string(), allowed: "exit" }))
            }
        };
        let eq_or_ne = |what: &str| -> OptResult<()> {
            if op == Operator::EQUAL || op == Operator::NOT_EQUAL {
                Ok(())
            } else {
                Err((col, ParseErrorKind::Operator { field: what.to_string(), allowed: "= and !=" }))
            }
        };
        let not_a_number =
            || (value_col, ParseErrorKind::NotANumber { field: name.to_string(), value: value.to_string() });
        let number = match kind {
            FieldType::UID
            | FieldType::EUID
            | FieldType::SUID
            | FieldType::FSUID
            | FieldType::LOGINUID
            | FieldType::OBJ_UID => {
                if let Some(id) = id_number(value) {
                    id
                } else {
                    self.resolver.user(value).ok_or_else(|| {
                        (
                            value_col,
                            ParseErrorKind::UnknownUser {
                                name: value.to_string(),
                                passwd: self.resolver.etc("passwd").display().to_string(),
                            },
                        )
                    })?
                }
            }
            FieldType::GID | FieldType::EGID | FieldType::SGID | FieldType::FSGID | FieldType::OBJ_GID => {
                if starts_digit(value) {
                    c_strtol(value) as u32
                } else {
                    self.resolver.group(value).ok_or_else(|| {
                        (
                            value_col,
                            ParseErrorKind::UnknownGroup {
                                name: value.to_string(),
                                group: self.resolver.etc("group").display().to_string(),
                            },
                        )
                    })?
                }
            }
            FieldType::EXIT => {
                exit_only(list)?;
                if starts_digit(value) || starts_negative_digit(value) {
                    c_strtol(value) as u32
                } else {
                    let (sign, bare) = match value.strip_prefix('-') {
                        Some(bare) => (-1i64, bare),
                        None => (1, value),
                    };
                    let n = names::errno_number(bare)
                        .ok_or((value_col, ParseErrorKind::UnknownErrno(value.to_string())))?;
                    (sign * n as i64) as u32
                }
            }
            FieldType::MSGTYPE => {
                if !matches!(list, FilterList::Exclude | FilterList::User) {
                    return Err((col, ParseErrorKind::WrongList { field: fname(), allowed: "exclude or user" }));
                }
                if starts_digit(value) {
                    c_strtol(value) as u32
                } else {
                    names::msgtype_number(value)
                        .ok_or((value_col, ParseErrorKind::UnknownMsgtype(value.to_string())))?
                }
            }
            k if k.is_string() => {
                if matches!(k.0, 19..=23 | 105 | 107) {
                    exit_only(list)?;
                }
                if matches!(k, FieldType::WATCH | FieldType::DIR) {
                    self.perm_added = true;
                }
                if k == FieldType::EXE {
                    if features & feature::EXECUTABLE_PATH == 0 {
                        return Err((col, ParseErrorKind::Unsupported { field: fname(), feature: "executable path" }));
                    }
                    eq_or_ne(name)?;
                    self.exe_added = true;
                }
                if k == FieldType::FILTERKEY
                    && !(self.syscall_added || self.perm_added || self.exe_added || self.fs_added)
                {
                    return Err((col, ParseErrorKind::KeyWithoutRule));
                }
                let limit = if k == FieldType::FILTERKEY { MAX_KEY_LEN } else { PATH_MAX };
                if value.len() > limit {
                    return Err((value_col, ParseErrorKind::ValueTooLong(fname())));
                }
                return self
                    .push(col, Field { kind, op, value: crate::rule::FieldValue::Text(value.as_bytes().to_vec()) });
            }
            FieldType::ARCH => {
                if self.syscall_added {
                    return Err((col, ParseErrorKind::ArchAfterSyscall));
                }
                eq_or_ne(name)?;
                let unknown = || (value_col, ParseErrorKind::UnknownArch(value.to_string()));
                let arch = if starts_digit(value) {
                    Arch::from_audit(c_strtoul(value, 0) as u32).ok_or_else(unknown)?
                } else if value.eq_ignore_ascii_case("b64") || value.eq_ignore_ascii_case("b32") {
                    Arch::try_bits_for(self.resolver.native, value.eq_ignore_ascii_case("b64")).ok_or_else(unknown)?
                } else {
                    Arch::from_name(value)
                        .or_else(|| Arch::from_audit(c_strtoul(value, 16) as u32))
                        .ok_or_else(unknown)?
                };
                self.arch = Some(arch);
                arch.audit_value()
            }
            FieldType::PERM => {
                exit_only(list)?;
                if op != Operator::EQUAL {
                    return Err((col, ParseErrorKind::Operator { field: fname(), allowed: "=" }));
                }
                let bits = perm_bits(value).map_err(|k| (value_col, k))?;
                self.perm_added = true;
                bits
            }
            FieldType::FILETYPE => {
                exit_only(list)?;
                FILETYPES
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(value))
                    .map(|&(_, v)| v)
                    .ok_or((value_col, ParseErrorKind::UnknownFiletype(value.to_string())))?
            }
            FieldType::FSTYPE => {
                if list != FilterList::Filesystem {
                    return Err((col, ParseErrorKind::WrongList { field: fname(), allowed: "filesystem" }));
                }
                eq_or_ne(name)?;
                let n = if starts_digit(value) {
                    c_strtoul(value, 0) as u32
                } else {
                    names::fstype_number(value).ok_or((value_col, ParseErrorKind::UnknownFstype(value.to_string())))?
                };
                self.fs_added = true;
                n
            }
            FieldType::ARG0 | FieldType::ARG1 | FieldType::ARG2 | FieldType::ARG3 => {
                if starts_digit(value) {
                    c_strtoul(value, 0) as u32
                } else if starts_negative_digit(value) {
                    c_strtol(value) as u32
                } else {
                    return Err(not_a_number());
                }
            }
            FieldType::SESSIONID => {
                if features & feature::SESSIONID_FILTER == 0 {
                    return Err((col, ParseErrorKind::Unsupported { field: fname(), feature: "sessionid filter" }));
                }
                if !matches!(list, FilterList::Exclude | FilterList::User | FilterList::Exit) {
                    return Err((col, ParseErrorKind::WrongList { field: fname(), allowed: "exit, user or exclude" }));
                }
                if let Some(id) = id_number(value) {
                    id
                } else {
                    // auditctl sends 0 here; a typo should not silently mean session 0.
                    return Err(not_a_number());
                }
            }
            _ => {
                if matches!(
                    kind,
                    FieldType::DEVMAJOR | FieldType::DEVMINOR | FieldType::INODE | FieldType::SUCCESS | FieldType::PPID
                ) {
                    exit_only(list)?;
                }
                if kind == FieldType::INODE {
                    eq_or_ne(name)?;
                }
                if !starts_digit(value) {
                    return Err(not_a_number());
                }
                if kind == FieldType::INODE {
                    c_strtoul(value, 0) as u32
                } else {
                    c_strtol(value) as u32
                }
            }
        };
        self.push(col, Field::number(kind, op, number))
    }

    /// libaudit's `audit_rule_interfield_comp_data`.
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
        let canonical = |n: &str| field_type(n).and_then(|t| t.name());
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

    #[allow(clippy::type_complexity)]
    fn finish(mut self) -> Result<Option<(Entry, Vec<String>)>, (Option<usize>, ParseErrorKind)> {
        if let Some((_, control)) = self.control.take() {
            return Ok(Some((Entry::Directive(control), self.warnings)));
        }
        let Some(op) = self.op else {
            return match self.rule_option {
                Some((column, _)) => Err((Some(column), ParseErrorKind::NoList)),
                None => Ok(None),
            };
        };
        let list = self.list.unwrap_or(FilterList::Exit);
        if !self.key.is_empty() {
            if !(self.syscall_added || self.perm_added || self.exe_added || self.fs_added) {
                return Err((None, ParseErrorKind::KeyWithoutRule));
            }
            if self.fields.len() >= FIELD_LIMIT {
                return Err((None, ParseErrorKind::TooManyFields));
            }
            self.fields.push(Field::text(FieldType::FILTERKEY, Operator::EQUAL, self.key.into_bytes()));
        }
        // auditctl's handle_request: every list but task gets all syscalls when none
        // were named (exclude, user and filesystem rules included).
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

fn perm_bits(text: &str) -> Result<u32, ParseErrorKind> {
    if text.len() > 4 {
        return Err(ParseErrorKind::PermTooLong(text.to_string()));
    }
    let mut bits = 0;
    for c in text.chars() {
        bits |= match c.to_ascii_lowercase() {
            'r' => perm::READ,
            'w' => perm::WRITE,
            'x' => perm::EXEC,
            'a' => perm::ATTR,
            _ => return Err(ParseErrorKind::PermLetter(c)),
        };
    }
    Ok(bits)
}

#[cfg(test)]
mod tests;
