//! Errors with the position of the word at fault and what was expected there: the
//! messages are the interface (tests hold them byte for byte).

use super::{FIELD_LIMIT, MAX_KEY_LEN, NAME_MAX, PATH_MAX};

/// A syntax or meaning error, with the position of the word at fault.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {kind}")]
pub struct ParseError {
    /// The file as the user named it (the `origin` given to [`parse`](super::parse)).
    pub file: String,
    /// 1-based, as editors count.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    /// What is wrong, matchable by callers that treat some errors differently.
    pub kind: ParseErrorKind,
}

const OPTIONS: &str = "-w -W -p -k -a -A -d -S -F -C -D -b -f -e -r -i -c --backlog_wait_time --loginuid-immutable";
const LISTS: &str = "exit, user, task, exclude, filesystem";
const OPERATORS: &str = "= != < > <= >= & &=";

/// What is wrong with a line. Each message says what was expected, because the person
/// reading it is editing the file and has auditctl's man page at best.
// Each variant's `#[error]` text is its documentation, the one users read; a doc
// comment on every variant and field would only repeat it.
#[allow(missing_docs)]
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
    #[error("unknown field \"{0}\" (expected one of: {names})", names = super::fields::names())]
    UnknownField(String),
    #[error("field {field} takes only the operators {allowed}")]
    Operator { field: String, allowed: &'static str },
    #[error("field {field} is only valid on the {allowed} list")]
    WrongList { field: String, allowed: &'static str },
    #[error("the exclude list takes only the fields msgtype, pid, uid, gid, auid, subj_* and exe (not {0})")]
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
