//! `-F NAME OP VALUE`: one table entry per field name says how its value is read and
//! where the field may be used, and one walk applies it. libaudit's
//! `audit_rule_fieldpair_data` decides all this case by case in one long switch;
//! reading it as a table is what makes a difference from auditctl visible.
//!
//! The checks run in a fixed order, and the order is part of the behaviour (it picks
//! which error a line with two faults gets): the list (exclude, then filesystem), then
//! the entry's placement, kernel feature, lists and operators, then the value.

use super::builder::{Builder, OptResult};
use super::lexer::{c_strtol, c_strtoul, id_number, starts_digit, starts_negative_digit, Word};
use super::{feature, ParseErrorKind, FIELD_LIMIT, MAX_KEY_LEN, PATH_MAX};
use crate::rule::syscalls::Arch;
use crate::rule::{names, perm, Field, FieldType, FieldValue, FilterList, Operator};

/// One `-F` field: everything auditctl decides about it from its name.
#[derive(Clone, Copy, Debug)]
pub(super) struct Spec {
    pub(super) kind: FieldType,
    read: Read,
    lists: Lists,
    ops: Ops,
    needs: Option<Needs>,
    exclude: Exclude,
    placement: Placement,
    /// What the field makes of the rule, for the check that a key has something to name.
    marks: Option<Subject>,
}

/// How a value is read; every reader takes a number where libaudit does, in C's way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Read {
    /// A number (any base; negative wraps, so -1 is 4294967295), `unset`, or a user name
    /// from the judged root's passwd.
    Uid,
    /// A number (strtol) or a group name from the judged root's group file: libaudit
    /// takes no negative number and no `unset` here.
    Gid,
    /// A number or an errno name, with or without `-` (`-EACCES`).
    Errno,
    /// A number or a message type name (`CWD`).
    Msgtype,
    /// A string of at most this many bytes, sent in the rule's buffer.
    Text(usize),
    /// An arch name, `b32`/`b64` of the native arch, or an `AUDIT_ARCH_*` number; it
    /// also picks the table later `-S` names are looked up in.
    Arch,
    /// Permission letters, `rwxa`.
    Perm,
    /// A file type name (`dir`, `file`, ...).
    Filetype,
    /// A number or a filesystem name (`debugfs`).
    Fstype,
    /// A syscall argument: unsigned in any base, or negative.
    Arg,
    /// Like [`Read::Uid`] without names: auditctl sends 0 for a name, and a typo should
    /// not silently mean session 0.
    SessionId,
    /// A number starting with a digit, read by strtol.
    Signed,
    /// A number starting with a digit, read by strtoul.
    Unsigned,
}

/// The filter lists a field is valid on, and how the error names them.
#[derive(Clone, Copy, Debug)]
enum Lists {
    Any,
    Only(&'static [FilterList], &'static str),
}

const EXIT: Lists = Lists::Only(&[FilterList::Exit], "exit");
const EXCLUDE_OR_USER: Lists = Lists::Only(&[FilterList::Exclude, FilterList::User], "exclude or user");
const EXIT_USER_OR_EXCLUDE: Lists =
    Lists::Only(&[FilterList::Exclude, FilterList::User, FilterList::Exit], "exit, user or exclude");
const FILESYSTEM: Lists = Lists::Only(&[FilterList::Filesystem], "filesystem");

/// The operators a field takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ops {
    Any,
    EqualOrNot,
    Equal,
}

/// A kernel feature bit the field needs, and how the error names it.
#[derive(Clone, Copy, Debug)]
struct Needs {
    bit: u32,
    name: &'static str,
}

const EXECUTABLE_PATH: Needs = Needs { bit: feature::EXECUTABLE_PATH, name: "executable_path" };
const SESSIONID_FILTER: Needs = Needs { bit: feature::SESSIONID_FILTER, name: "sessionid_filter" };

/// Whether a field may be used on the exclude list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Exclude {
    Never,
    /// Only on kernels with the exclude-extend feature.
    Extended,
    /// On every kernel (`msgtype`, the one field older kernels know there).
    Always,
}

/// Where on the line a field may come.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Placement {
    Anywhere,
    /// Before `-S`: the arch decides what the syscall names mean.
    BeforeSyscalls,
    /// After what a key names: a syscall, a watch, a perm, path, dir, exe or fstype.
    AfterSubject,
}

/// What makes a rule one a key may be put on (auditctl's `_audit_*added` flags).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Subject {
    Perm,
    Exe,
    Fs,
}

impl Spec {
    const fn new(kind: FieldType, read: Read) -> Spec {
        Spec {
            kind,
            read,
            lists: Lists::Any,
            ops: Ops::Any,
            needs: None,
            exclude: Exclude::Never,
            placement: Placement::Anywhere,
            marks: None,
        }
    }

    const fn on(self, lists: Lists) -> Spec {
        Spec { lists, ..self }
    }

    const fn ops(self, ops: Ops) -> Spec {
        Spec { ops, ..self }
    }

    const fn needs(self, needs: Needs) -> Spec {
        Spec { needs: Some(needs), ..self }
    }

    const fn exclude(self, exclude: Exclude) -> Spec {
        Spec { exclude, ..self }
    }

    const fn placed(self, placement: Placement) -> Spec {
        Spec { placement, ..self }
    }

    const fn marks(self, subject: Subject) -> Spec {
        Spec { marks: Some(subject), ..self }
    }
}

/// In field number order, which is the order the unknown-field error lists them in.
pub(super) static FIELDS: [Spec; 46] = {
    use FieldType as F;
    use Read::{Arg, Errno, Filetype, Fstype, Gid, Msgtype, Perm, SessionId, Signed, Text, Uid, Unsigned};
    const TEXT: Read = Text(PATH_MAX);
    [
        Spec::new(F::PID, Signed).exclude(Exclude::Extended),
        Spec::new(F::UID, Uid).exclude(Exclude::Extended),
        Spec::new(F::EUID, Uid),
        Spec::new(F::SUID, Uid),
        Spec::new(F::FSUID, Uid),
        Spec::new(F::GID, Gid).exclude(Exclude::Extended),
        Spec::new(F::EGID, Gid),
        Spec::new(F::SGID, Gid),
        Spec::new(F::FSGID, Gid),
        Spec::new(F::LOGINUID, Uid).exclude(Exclude::Extended),
        Spec::new(F::PERS, Signed),
        Spec::new(F::ARCH, Read::Arch).placed(Placement::BeforeSyscalls).ops(Ops::EqualOrNot),
        Spec::new(F::MSGTYPE, Msgtype).on(EXCLUDE_OR_USER).exclude(Exclude::Always),
        Spec::new(F::SUBJ_USER, TEXT).exclude(Exclude::Extended),
        Spec::new(F::SUBJ_ROLE, TEXT).exclude(Exclude::Extended),
        Spec::new(F::SUBJ_TYPE, TEXT).exclude(Exclude::Extended),
        Spec::new(F::SUBJ_SEN, TEXT).exclude(Exclude::Extended),
        Spec::new(F::SUBJ_CLR, TEXT).exclude(Exclude::Extended),
        Spec::new(F::PPID, Signed).on(EXIT),
        Spec::new(F::OBJ_USER, TEXT).on(EXIT),
        Spec::new(F::OBJ_ROLE, TEXT).on(EXIT),
        Spec::new(F::OBJ_TYPE, TEXT).on(EXIT),
        Spec::new(F::OBJ_LEV_LOW, TEXT).on(EXIT),
        Spec::new(F::OBJ_LEV_HIGH, TEXT).on(EXIT),
        Spec::new(F::LOGINUID_SET, Signed),
        Spec::new(F::SESSIONID, SessionId).needs(SESSIONID_FILTER).on(EXIT_USER_OR_EXCLUDE),
        Spec::new(F::FSTYPE, Fstype).on(FILESYSTEM).ops(Ops::EqualOrNot).marks(Subject::Fs),
        Spec::new(F::DEVMAJOR, Signed).on(EXIT),
        Spec::new(F::DEVMINOR, Signed).on(EXIT),
        Spec::new(F::INODE, Unsigned).on(EXIT).ops(Ops::EqualOrNot),
        Spec::new(F::EXIT, Errno).on(EXIT),
        Spec::new(F::SUCCESS, Signed).on(EXIT),
        Spec::new(F::WATCH, TEXT).on(EXIT).marks(Subject::Perm),
        Spec::new(F::PERM, Perm).on(EXIT).ops(Ops::Equal).marks(Subject::Perm),
        Spec::new(F::DIR, TEXT).on(EXIT).marks(Subject::Perm),
        Spec::new(F::FILETYPE, Filetype).on(EXIT),
        Spec::new(F::OBJ_UID, Uid),
        Spec::new(F::OBJ_GID, Gid),
        Spec::new(F::FIELD_COMPARE, Signed),
        Spec::new(F::EXE, TEXT)
            .needs(EXECUTABLE_PATH)
            .ops(Ops::EqualOrNot)
            .marks(Subject::Exe)
            .exclude(Exclude::Extended),
        Spec::new(F::SADDR_FAM, Signed),
        Spec::new(F::ARG0, Arg),
        Spec::new(F::ARG1, Arg),
        Spec::new(F::ARG2, Arg),
        Spec::new(F::ARG3, Arg),
        Spec::new(F::FILTERKEY, Text(MAX_KEY_LEN)).placed(Placement::AfterSubject),
    ]
};

/// Names libaudit accepts besides each field's own.
pub(super) const ALIASES: &[(&str, FieldType)] = &[("loginuid", FieldType::LOGINUID)];

const FILETYPES: &[(&str, u32)] = &[
    ("block", 0o060000),
    ("character", 0o020000),
    ("dir", 0o040000),
    ("fifo", 0o010000),
    ("file", 0o100000),
    ("link", 0o120000),
    ("socket", 0o140000),
];

/// The entry for a name as written after `-F` or in `-C`.
pub(super) fn spec(name: &str) -> Option<&'static Spec> {
    let kind = match ALIASES.iter().find(|(alias, _)| *alias == name) {
        Some(&(_, kind)) => kind,
        None => FieldType::from_name(name)?,
    };
    FIELDS.iter().find(|spec| spec.kind == kind)
}

/// Every name `-F` takes, for the unknown-field error.
pub(super) fn names() -> String {
    let mut names: Vec<&str> = FIELDS.iter().filter_map(|spec| spec.kind.name()).collect();
    names.extend(ALIASES.iter().map(|(alias, _)| *alias));
    names.join(", ")
}

/// `NAME OP VALUE` split, with the columns errors point at.
struct Pair<'w> {
    name: &'w str,
    op: Operator,
    value: &'w str,
    /// Where the pair starts: errors about the field.
    column: usize,
    /// Where the value starts: errors about the value.
    value_column: usize,
}

impl<'w> Pair<'w> {
    fn split(word: &'w Word) -> OptResult<Pair<'w>> {
        let text = word.text.as_str();
        let column = word.column;
        // libaudit looks for each operator anywhere in the pair, two-letter ones first.
        let found =
            ["!=", ">=", "<=", "&=", "=", ">", "<", "&"].iter().find_map(|sym| text.find(sym).map(|at| (at, *sym)));
        let Some((at, symbol)) = found else {
            return Err((column, ParseErrorKind::MissingOperator(text.to_string())));
        };
        let op = Operator::from_symbol(symbol).unwrap_or(Operator::EQUAL);
        let name = &text[..at];
        let value = &text[at + symbol.len()..];
        let value_column = column + text[..at + symbol.len()].chars().count();
        if name.is_empty() {
            return Err((column, ParseErrorKind::MissingFieldName));
        }
        if value.is_empty() {
            return Err((column, ParseErrorKind::MissingFieldValue(name.to_string())));
        }
        Ok(Pair { name, op, value, column, value_column })
    }

    fn error(&self, kind: ParseErrorKind) -> (usize, ParseErrorKind) {
        (self.column, kind)
    }

    fn value_error(&self, kind: ParseErrorKind) -> (usize, ParseErrorKind) {
        (self.value_column, kind)
    }

    fn not_a_number(&self) -> (usize, ParseErrorKind) {
        self.value_error(ParseErrorKind::NotANumber { field: self.name.to_string(), value: self.value.to_string() })
    }
}

impl Builder<'_> {
    /// libaudit's `audit_rule_fieldpair_data`, driven by [`FIELDS`].
    pub(super) fn field(&mut self, word: &Word, list: FilterList) -> OptResult<()> {
        if self.fields.len() >= FIELD_LIMIT {
            return Err((word.column, ParseErrorKind::TooManyFields));
        }
        let pair = Pair::split(word)?;
        let spec = spec(pair.name).ok_or_else(|| pair.error(ParseErrorKind::UnknownField(pair.name.to_string())))?;
        self.check_list(spec, &pair, list)?;
        self.check_use(spec, &pair, list)?;
        let value = self.read(spec, &pair)?;
        match spec.marks {
            Some(Subject::Perm) => self.perm_added = true,
            Some(Subject::Exe) => self.exe_added = true,
            Some(Subject::Fs) => self.fs_added = true,
            None => {}
        }
        self.push(pair.column, Field { kind: spec.kind, op: pair.op, value })
    }

    /// What the list itself allows, whatever the field: the exclude list takes few
    /// fields, and the filesystem list needs a kernel that has it.
    fn check_list(&self, spec: &Spec, pair: &Pair, list: FilterList) -> OptResult<()> {
        let features = self.resolver.features();
        // Without exclude_extend libaudit allows only msgtype there and calls any other
        // field unsupported; with it, the fields outside its list are the wrong ones.
        if list == FilterList::Exclude && spec.exclude != Exclude::Always {
            if features & feature::EXCLUDE_EXTEND == 0 {
                let field = pair.name.to_string();
                return Err(pair.error(ParseErrorKind::Unsupported { field, feature: "exclude_extend" }));
            }
            if spec.exclude == Exclude::Never {
                return Err(pair.error(ParseErrorKind::ExcludeField(pair.name.to_string())));
            }
        }
        if list == FilterList::Filesystem && features & feature::FILTER_FS == 0 {
            let field = pair.name.to_string();
            return Err(pair.error(ParseErrorKind::Unsupported { field, feature: "filter_fs" }));
        }
        Ok(())
    }

    /// The entry's own rules: where on the line, which kernel, which lists, which operators.
    fn check_use(&self, spec: &Spec, pair: &Pair, list: FilterList) -> OptResult<()> {
        let field = || pair.name.to_string();
        match spec.placement {
            Placement::BeforeSyscalls if self.syscall_added => {
                return Err(pair.error(ParseErrorKind::ArchAfterSyscall));
            }
            Placement::AfterSubject if !self.has_subject() => {
                return Err(pair.error(ParseErrorKind::KeyWithoutRule));
            }
            _ => {}
        }
        if let Some(needs) = spec.needs {
            if self.resolver.features() & needs.bit == 0 {
                return Err(pair.error(ParseErrorKind::Unsupported { field: field(), feature: needs.name }));
            }
        }
        if let Lists::Only(lists, allowed) = spec.lists {
            if !lists.contains(&list) {
                return Err(pair.error(ParseErrorKind::WrongList { field: field(), allowed }));
            }
        }
        let allowed = match spec.ops {
            Ops::Any => return Ok(()),
            Ops::EqualOrNot if pair.op == Operator::EQUAL || pair.op == Operator::NOT_EQUAL => return Ok(()),
            Ops::Equal if pair.op == Operator::EQUAL => return Ok(()),
            Ops::EqualOrNot => "= and !=",
            Ops::Equal => "=",
        };
        Err(pair.error(ParseErrorKind::Operator { field: field(), allowed }))
    }

    /// The value as the kernel gets it; an arch also becomes the one `-S` names mean.
    fn read(&mut self, spec: &Spec, pair: &Pair) -> OptResult<FieldValue> {
        let value = pair.value;
        let number = match spec.read {
            Read::Uid => match id_number(value) {
                Some(id) => id,
                None => self.resolver.user(value).ok_or_else(|| {
                    let passwd = self.resolver.etc("passwd").display().to_string();
                    pair.value_error(ParseErrorKind::UnknownUser { name: value.to_string(), passwd })
                })?,
            },
            Read::Gid if starts_digit(value) => c_strtol(value) as u32,
            Read::Gid => self.resolver.group(value).ok_or_else(|| {
                let group = self.resolver.etc("group").display().to_string();
                pair.value_error(ParseErrorKind::UnknownGroup { name: value.to_string(), group })
            })?,
            Read::Errno => errno(pair)?,
            Read::Msgtype if starts_digit(value) => c_strtol(value) as u32,
            Read::Msgtype => names::msgtype_number(value)
                .ok_or_else(|| pair.value_error(ParseErrorKind::UnknownMsgtype(value.to_string())))?,
            Read::Text(limit) => {
                if value.len() > limit {
                    return Err(pair.value_error(ParseErrorKind::ValueTooLong(pair.name.to_string())));
                }
                return Ok(FieldValue::Text(value.as_bytes().to_vec()));
            }
            Read::Arch => {
                let arch = arch(pair, self.resolver.native())?;
                self.arch = Some(arch);
                arch.audit_value()
            }
            Read::Perm => perm_bits(value).map_err(|kind| pair.value_error(kind))?,
            Read::Filetype => FILETYPES
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(value))
                .map(|&(_, bits)| bits)
                .ok_or_else(|| pair.value_error(ParseErrorKind::UnknownFiletype(value.to_string())))?,
            Read::Fstype if starts_digit(value) => c_strtoul(value, 0) as u32,
            Read::Fstype => names::fstype_number(value)
                .ok_or_else(|| pair.value_error(ParseErrorKind::UnknownFstype(value.to_string())))?,
            Read::Arg if starts_digit(value) => c_strtoul(value, 0) as u32,
            Read::Arg if starts_negative_digit(value) => c_strtol(value) as u32,
            Read::SessionId => id_number(value).ok_or_else(|| pair.not_a_number())?,
            Read::Signed if starts_digit(value) => c_strtol(value) as u32,
            Read::Unsigned if starts_digit(value) => c_strtoul(value, 0) as u32,
            Read::Arg | Read::Signed | Read::Unsigned => return Err(pair.not_a_number()),
        };
        Ok(FieldValue::Number(number))
    }
}

/// `-F exit=`: a number, or an errno name whose sign is kept (`-EACCES` is -13).
fn errno(pair: &Pair) -> OptResult<u32> {
    let value = pair.value;
    if starts_digit(value) || starts_negative_digit(value) {
        return Ok(c_strtol(value) as u32);
    }
    let (sign, bare) = match value.strip_prefix('-') {
        Some(bare) => (-1i64, bare),
        None => (1, value),
    };
    let n =
        names::errno_number(bare).ok_or_else(|| pair.value_error(ParseErrorKind::UnknownErrno(value.to_string())))?;
    Ok((sign * n as i64) as u32)
}

/// `-F arch=`: `b64`/`b32` mean the native arch's two halves, a number is an
/// `AUDIT_ARCH_*` value (a bare hex one too, as libaudit tries it last).
fn arch(pair: &Pair, native: Arch) -> OptResult<Arch> {
    let value = pair.value;
    let unknown = || pair.value_error(ParseErrorKind::UnknownArch(value.to_string()));
    if starts_digit(value) {
        Arch::from_audit(c_strtoul(value, 0) as u32).ok_or_else(unknown)
    } else if value.eq_ignore_ascii_case("b64") || value.eq_ignore_ascii_case("b32") {
        Arch::try_bits_for(native, value.eq_ignore_ascii_case("b64")).ok_or_else(unknown)
    } else {
        Arch::from_name(value).or_else(|| Arch::from_audit(c_strtoul(value, 16) as u32)).ok_or_else(unknown)
    }
}

/// `-p` and `-F perm=`: at most four of `rwxa`, in any case and order.
pub(super) fn perm_bits(text: &str) -> Result<u32, ParseErrorKind> {
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
