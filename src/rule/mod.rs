//! The audit rule model: what one `struct audit_rule_data` means, independent of
//! how it was read (kernel bytes, a rules file) or will be shown (auditctl text, JSON).

pub mod binary;
pub mod names;
pub mod syscalls;
pub mod text;

/// `AUDIT_MAX_FIELDS`: the kernel rejects rules with more fields.
pub const MAX_FIELDS: usize = 64;
/// `AUDIT_BITMASK_SIZE`: 64 words of 32 bits, one bit per syscall number.
pub const MASK_WORDS: usize = 64;
/// `AUDIT_KEY_SEPARATOR`: several `-k` keys travel as one string joined by this byte.
pub const KEY_SEPARATOR: u8 = 0x01;

/// The filter list a rule lives on (`flags & AUDIT_FILTER_MASK`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FilterList {
    /// 0: messages that userspace programs send to the kernel.
    User,
    /// 1: at fork, before the new task has done anything.
    Task,
    /// 2: syscall entry; the kernel no longer accepts rules here.
    Entry,
    /// 3: the old watch list; the kernel does not accept rules here.
    Watch,
    /// 4: syscall exit, where watches and almost every rule live.
    Exit,
    /// 5: drops records by `msgtype` before they are emitted.
    Exclude,
    /// 6: drops PATH records by `fstype`.
    Filesystem,
    /// 7: io_uring operations, as `exit` does for syscalls.
    IoUring,
    /// A list number this build does not know; kept so nothing is lost.
    Other(u32),
}

impl FilterList {
    /// `raw` without AUDIT_FILTER_PREPEND; a number past 7 becomes `Other`.
    pub fn from_raw(raw: u32) -> FilterList {
        match raw {
            0 => FilterList::User,
            1 => FilterList::Task,
            2 => FilterList::Entry,
            3 => FilterList::Watch,
            4 => FilterList::Exit,
            5 => FilterList::Exclude,
            6 => FilterList::Filesystem,
            7 => FilterList::IoUring,
            other => FilterList::Other(other),
        }
    }

    /// The list number for `audit_rule_data.flags`, AUDIT_FILTER_PREPEND not included.
    pub fn raw(self) -> u32 {
        match self {
            FilterList::User => 0,
            FilterList::Task => 1,
            FilterList::Entry => 2,
            FilterList::Watch => 3,
            FilterList::Exit => 4,
            FilterList::Exclude => 5,
            FilterList::Filesystem => 6,
            FilterList::IoUring => 7,
            FilterList::Other(raw) => raw,
        }
    }

    /// The name auditctl uses in `-a ACTION,LIST`.
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            FilterList::User => "user",
            FilterList::Task => "task",
            FilterList::Entry => "entry",
            FilterList::Watch => "watch",
            FilterList::Exit => "exit",
            FilterList::Exclude => "exclude",
            FilterList::Filesystem => "filesystem",
            FilterList::IoUring => "io_uring",
            FilterList::Other(_) => return None,
        })
    }

    /// Lists whose rules are not about syscalls: auditctl prints no `-S` for them.
    pub fn takes_syscalls(self) -> bool {
        !matches!(self, FilterList::User | FilterList::Task | FilterList::Exclude | FilterList::Filesystem)
    }
}

/// `audit_rule_data.action`: what a matching rule does (first match decides).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// 0: no record; placed first, it hides what it matches from later rules.
    Never,
    /// 1: the kernel refuses it now.
    Possible,
    /// 2: a record.
    Always,
    /// An action number this build does not know; kept so nothing is lost.
    Other(u32),
}

impl Action {
    /// A number past 2 becomes `Other`.
    pub fn from_raw(raw: u32) -> Action {
        match raw {
            0 => Action::Never,
            1 => Action::Possible,
            2 => Action::Always,
            other => Action::Other(other),
        }
    }

    /// The number for `audit_rule_data.action`.
    pub fn raw(self) -> u32 {
        match self {
            Action::Never => 0,
            Action::Possible => 1,
            Action::Always => 2,
            Action::Other(raw) => raw,
        }
    }

    /// The name auditctl uses in `-a ACTION,LIST`; `None` for `Other`.
    pub fn name(self) -> Option<&'static str> {
        match self {
            Action::Never => Some("never"),
            Action::Possible => Some("possible"),
            Action::Always => Some("always"),
            Action::Other(_) => None,
        }
    }
}

/// A comparison operator as the kernel encodes it in `fieldflags`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Operator(pub u32);

impl Operator {
    /// `&`: any of the value's bits is set.
    pub const BIT_MASK: Operator = Operator(0x0800_0000);
    /// `<`
    pub const LESS_THAN: Operator = Operator(0x1000_0000);
    /// `>`
    pub const GREATER_THAN: Operator = Operator(0x2000_0000);
    /// `!=`
    pub const NOT_EQUAL: Operator = Operator(0x3000_0000);
    /// `=`
    pub const EQUAL: Operator = Operator(0x4000_0000);
    /// `&=`: all of the value's bits are set.
    pub const BIT_TEST: Operator = Operator(0x4800_0000);
    /// `<=`
    pub const LESS_THAN_OR_EQUAL: Operator = Operator(0x5000_0000);
    /// `>=`
    pub const GREATER_THAN_OR_EQUAL: Operator = Operator(0x6000_0000);
    /// `AUDIT_OPERATORS`: the bits of `fieldflags` (and of legacy `fields`) that hold the operator.
    pub const MASK: u32 = 0x7800_0000;

    /// How auditctl writes it in `-F`; `None` for any other `fieldflags` value.
    pub fn symbol(self) -> Option<&'static str> {
        Some(match self {
            Operator::BIT_MASK => "&",
            Operator::LESS_THAN => "<",
            Operator::GREATER_THAN => ">",
            Operator::NOT_EQUAL => "!=",
            Operator::EQUAL => "=",
            Operator::BIT_TEST => "&=",
            Operator::LESS_THAN_OR_EQUAL => "<=",
            Operator::GREATER_THAN_OR_EQUAL => ">=",
            _ => return None,
        })
    }

    /// The eight operators the kernel knows, in ascending `fieldflags` order.
    pub const ALL: [Operator; 8] = [
        Operator::BIT_MASK,
        Operator::LESS_THAN,
        Operator::GREATER_THAN,
        Operator::NOT_EQUAL,
        Operator::EQUAL,
        Operator::BIT_TEST,
        Operator::LESS_THAN_OR_EQUAL,
        Operator::GREATER_THAN_OR_EQUAL,
    ];

    /// The inverse of [`Operator::symbol`], for parsing `-F NAME<op>VALUE`.
    pub fn from_symbol(symbol: &str) -> Option<Operator> {
        Operator::ALL.into_iter().find(|op| op.symbol() == Some(symbol))
    }
}

/// A field type number (`AUDIT_PID`, `AUDIT_WATCH`, ...). A newtype rather than an enum
/// because unknown numbers from newer kernels must survive decoding untouched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldType(pub u32);

macro_rules! field_types {
    ($($konst:ident = $num:expr, $name:expr;)*) => {
        impl FieldType {
            $(
                #[doc = concat!("`AUDIT_", stringify!($konst), "` (", stringify!($num), "), `-F ", $name, "`.")]
                pub const $konst: FieldType = FieldType($num);
            )*

            /// The name auditctl uses after `-F` (libaudit's `fieldtab`).
            pub fn name(self) -> Option<&'static str> {
                match self.0 {
                    $($num => Some($name),)*
                    _ => None,
                }
            }

            /// The inverse of [`FieldType::name`]; `None` for a name `fieldtab` lacks.
            pub fn from_name(name: &str) -> Option<FieldType> {
                match name {
                    $($name => Some(FieldType($num)),)*
                    _ => None,
                }
            }
        }
    };
}

field_types! {
    PID = 0, "pid";
    UID = 1, "uid";
    EUID = 2, "euid";
    SUID = 3, "suid";
    FSUID = 4, "fsuid";
    GID = 5, "gid";
    EGID = 6, "egid";
    SGID = 7, "sgid";
    FSGID = 8, "fsgid";
    LOGINUID = 9, "auid";
    PERS = 10, "pers";
    ARCH = 11, "arch";
    MSGTYPE = 12, "msgtype";
    SUBJ_USER = 13, "subj_user";
    SUBJ_ROLE = 14, "subj_role";
    SUBJ_TYPE = 15, "subj_type";
    SUBJ_SEN = 16, "subj_sen";
    SUBJ_CLR = 17, "subj_clr";
    PPID = 18, "ppid";
    OBJ_USER = 19, "obj_user";
    OBJ_ROLE = 20, "obj_role";
    OBJ_TYPE = 21, "obj_type";
    OBJ_LEV_LOW = 22, "obj_lev_low";
    OBJ_LEV_HIGH = 23, "obj_lev_high";
    LOGINUID_SET = 24, "loginuid_set";
    SESSIONID = 25, "sessionid";
    FSTYPE = 26, "fstype";
    DEVMAJOR = 100, "devmajor";
    DEVMINOR = 101, "devminor";
    INODE = 102, "inode";
    EXIT = 103, "exit";
    SUCCESS = 104, "success";
    WATCH = 105, "path";
    PERM = 106, "perm";
    DIR = 107, "dir";
    FILETYPE = 108, "filetype";
    OBJ_UID = 109, "obj_uid";
    OBJ_GID = 110, "obj_gid";
    FIELD_COMPARE = 111, "field_compare";
    EXE = 112, "exe";
    SADDR_FAM = 113, "saddr_fam";
    ARG0 = 200, "a0";
    ARG1 = 201, "a1";
    ARG2 = 202, "a2";
    ARG3 = 203, "a3";
    FILTERKEY = 210, "key";
}

impl FieldType {
    /// Fields whose value is a string carried in `buf` (and whose `values[i]` is its length).
    pub fn is_string(self) -> bool {
        matches!(self.0, 13..=17 | 19..=23 | 105 | 107 | 112 | 210)
    }
}

/// `-F perm=` bits.
pub mod perm {
    /// `x`
    pub const EXEC: u32 = 1;
    /// `w`
    pub const WRITE: u32 = 2;
    /// `r`
    pub const READ: u32 = 4;
    /// `a`: a change of attributes (chmod, chown, xattrs, times).
    pub const ATTR: u32 = 8;
    /// `rwxa`: what auditctl gives a `-w` without `-p`.
    pub const ALL: u32 = EXEC | WRITE | READ | ATTR;

    /// Letters in auditctl's order (r, w, x, a).
    pub fn letters(value: u32) -> String {
        let mut out = Vec::with_capacity(4);
        write_letters(&mut out, value);
        String::from_utf8(out).unwrap_or_default()
    }

    /// [`letters`] appended to `out`, without a `String` per rule listed.
    pub fn write_letters(out: &mut Vec<u8>, value: u32) {
        for (bit, letter) in [(READ, b'r'), (WRITE, b'w'), (EXEC, b'x'), (ATTR, b'a')] {
            if value & bit != 0 {
                out.push(letter);
            }
        }
    }
}

/// A field's value: its `values[i]`, or for a string field the bytes of `buf` that
/// `values[i]` measures.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FieldValue {
    /// `values[i]` of a field that is not [`FieldType::is_string`].
    Number(u32),
    /// Raw bytes from `buf`: paths need not be UTF-8, and we print them byte for byte.
    Text(Vec<u8>),
}

/// One `-F` condition: `fields[i]`, `fieldflags[i]` and `values[i]` (or its string).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Field {
    /// `fields[i]`, with the legacy operator bits removed.
    pub kind: FieldType,
    /// `fieldflags[i]` & `AUDIT_OPERATORS`: the negate bit is dropped.
    pub op: Operator,
    /// Text exactly when `kind.is_string()`, else encoding fails with `ValueKind`.
    pub value: FieldValue,
}

impl Field {
    /// A numeric field; whether `kind` takes a number is checked only when encoding.
    pub fn number(kind: FieldType, op: Operator, value: u32) -> Field {
        Field { kind, op, value: FieldValue::Number(value) }
    }

    /// A string field; whether `kind` takes a string is checked only when encoding.
    pub fn text(kind: FieldType, op: Operator, value: impl Into<Vec<u8>>) -> Field {
        Field { kind, op, value: FieldValue::Text(value.into()) }
    }

    /// `None` for a string field.
    pub fn as_number(&self) -> Option<u32> {
        match self.value {
            FieldValue::Number(n) => Some(n),
            FieldValue::Text(_) => None,
        }
    }

    /// `None` for a numeric field.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match &self.value {
            FieldValue::Text(bytes) => Some(bytes),
            FieldValue::Number(_) => None,
        }
    }
}

/// The syscall bitmap: bit N of the 2048 is syscall number N.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SyscallMask(pub [u32; MASK_WORDS]);

impl std::fmt::Debug for SyscallMask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_all() {
            return f.write_str("SyscallMask(all)");
        }
        f.debug_tuple("SyscallMask").field(&self.numbers().collect::<Vec<_>>()).finish()
    }
}

impl Default for SyscallMask {
    fn default() -> Self {
        SyscallMask([0; MASK_WORDS])
    }
}

impl SyscallMask {
    /// What userspace sends for `-S all` (and for watches).
    pub fn all() -> SyscallMask {
        SyscallMask([u32::MAX; MASK_WORDS])
    }

    /// "All syscalls" as auditctl and the kernel judge it: words 0..62 all ones. The kernel
    /// clears the syscall-class bits in the top half of the last word, so it is not checked.
    pub fn is_all(&self) -> bool {
        // A fold without early exit vectorises; `listing` asks this of every rule.
        self.0[..MASK_WORDS - 1].iter().fold(u32::MAX, |acc, w| acc & w) == u32::MAX
    }

    /// `false` for numbers past the bitmap (2048 and up).
    pub fn contains(&self, nr: u32) -> bool {
        let word = (nr / 32) as usize;
        word < MASK_WORDS && self.0[word] & (1 << (nr % 32)) != 0
    }

    /// Numbers past the bitmap (2048 and up) are ignored.
    pub fn insert(&mut self, nr: u32) {
        let word = (nr / 32) as usize;
        if word < MASK_WORDS {
            self.0[word] |= 1 << (nr % 32);
        }
    }

    /// Set syscall numbers in ascending order.
    pub fn numbers(&self) -> Numbers<'_> {
        Numbers { words: &self.0, word: 0, bits: self.0[0] }
    }
}

/// [`SyscallMask::numbers`]: skips empty words in a tight loop, since a rule naming a
/// few syscalls leaves 60 of its 64 words empty and `list` walks every rule's mask.
pub struct Numbers<'m> {
    words: &'m [u32; MASK_WORDS],
    word: usize,
    bits: u32,
}

impl Iterator for Numbers<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        while self.bits == 0 {
            self.word += 1;
            self.bits = *self.words.get(self.word)?;
        }
        let bit = self.bits.trailing_zeros();
        self.bits &= self.bits - 1;
        Some(self.word as u32 * 32 + bit)
    }
}

/// One kernel audit rule.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Rule {
    /// `audit_rule_data.flags` without AUDIT_FILTER_PREPEND: `-A` is a request, not the rule.
    pub list: FilterList,
    /// `audit_rule_data.action`.
    pub action: Action,
    /// `audit_rule_data.mask`; ignored by the lists that take no syscalls.
    pub mask: SyscallMask,
    /// In the kernel's order, which is the order the rule was written in.
    pub fields: Vec<Field>,
}

impl Rule {
    /// The first field of that type (the kernel allows one path/dir/exe/key per rule).
    pub fn field(&self, kind: FieldType) -> Option<&Field> {
        self.fields.iter().find(|f| f.kind == kind)
    }

    /// Whether one of the rule's keys is exactly `key` (`auditctl -D -k KEY`).
    pub fn has_key(&self, key: &str) -> bool {
        self.keys().any(|k| k == key.as_bytes())
    }

    /// The rule's keys: one key field holds them all, joined by [`KEY_SEPARATOR`].
    pub fn keys(&self) -> impl Iterator<Item = &[u8]> {
        self.fields
            .iter()
            .filter(|f| f.kind == FieldType::FILTERKEY)
            .filter_map(Field::as_bytes)
            .flat_map(|joined| joined.split(|b| *b == KEY_SEPARATOR))
            .filter(|part| !part.is_empty())
    }

    /// The arch the rule's syscall numbers belong to, from its first `arch=` field.
    pub fn arch_value(&self) -> Option<u32> {
        self.fields.iter().find(|f| f.kind == FieldType::ARCH && f.op == Operator::EQUAL).and_then(Field::as_number)
    }

    /// auditctl's test for printing a rule as `-w PATH -p PERMS`: only path/dir/perm/key
    /// fields, a perm field, and all syscalls (unless the list takes no syscalls).
    pub fn is_watch_form(&self) -> bool {
        self.fields
            .iter()
            .all(|f| matches!(f.kind, FieldType::PERM | FieldType::FILTERKEY | FieldType::DIR | FieldType::WATCH))
            && self.fields.iter().any(|f| f.kind == FieldType::PERM)
            && (!self.list.takes_syscalls() || self.mask.is_all())
    }
}
