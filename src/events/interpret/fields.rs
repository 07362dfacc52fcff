//! What a field's value means: auparse's per-name type table (`typetab.h`), the record
//! types that change it (`auparse_interp_adjust_type`), and the printers of the types
//! that are not flag or argument tables (`auparse_do_interpretation`, interpret.c:3139).

use super::errno::{conversion_error, print_exit};
use super::tables::{CAPS, ICMP_TYPES, INET_HOOKS, NET_ACTIONS, NFPROTOS, PATH_FLAGS, RESOLVE_FLAGS, SECCOMP_ACTIONS};
use super::{flags, sockaddr};
use crate::events::cstr::{strtoll, strtoul};
use crate::events::text::Names;
use crate::rule::syscalls::{syscall_name, Arch};

/// An interpreted value: bytes, as auparse's C strings (never a NUL inside).
pub(super) type Out = Vec<u8>;

/// auparse's `AUPARSE_TYPE_*` (the ones it has in 3.0.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FieldType {
    Unclassified,
    Uid,
    Gid,
    Syscall,
    Arch,
    Exit,
    Escaped,
    EscapedFile,
    EscapedKey,
    Perm,
    Mode,
    ModeShort,
    Sockaddr,
    Flags,
    Promisc,
    Capability,
    Success,
    A0,
    A1,
    A2,
    A3,
    Signal,
    List,
    TtyData,
    Session,
    CapBitmap,
    Nfproto,
    Icmptype,
    Protocol,
    Addr,
    Personality,
    Seccomp,
    Oflag,
    Mmap,
    MacLabel,
    Proctitle,
    Hook,
    Netaction,
    Macproto,
    IoctlReq,
    Fanotify,
    Nlmcgrp,
    Resolve,
}

/// Record types whose fields read differently.
pub(super) mod rtype {
    pub const ADD_GROUP: u32 = 1116;
    pub const DEL_GROUP: u32 = 1117;
    pub const TRUSTED_APP: u32 = 1121;
    pub const USER_TTY: u32 = 1124;
    pub const GRP_MGMT: u32 = 1132;
    pub const DAEMON_START: u32 = 1200;
    pub const SYSCALL: u32 = 1300;
    pub const PATH: u32 = 1302;
    pub const EXECVE: u32 = 1309;
    pub const MQ_OPEN: u32 = 1312;
    pub const NETFILTER_PKT: u32 = 1324;
    pub const SECCOMP: u32 = 1326;
    pub const KERN_MODULE: u32 = 1330;
    pub const AVC: u32 = 1400;
    pub const CRYPTO_KEY_USER: u32 = 2404;
}

/// `typetab.h`. Debian builds audit with AppArmor support, which adds six names.
pub(super) fn lookup_type(name: &[u8]) -> FieldType {
    use FieldType::*;
    match name {
        b"auid" | b"uid" | b"euid" | b"suid" | b"fsuid" | b"ouid" | b"oauid" | b"old-auid" | b"iuid" | b"id"
        | b"inode_uid" | b"sauid" | b"obj_uid" => Uid,
        b"obj_gid" | b"gid" | b"egid" | b"sgid" | b"fsgid" | b"ogid" | b"igid" | b"inode_gid" | b"new_gid" => Gid,
        b"syscall" => Syscall,
        b"arch" => Arch,
        b"exit" => Exit,
        b"path" | b"comm" | b"exe" | b"file" | b"watch" | b"cwd" | b"cmd" | b"acct" | b"dir" | b"vm"
        | b"old-chardev" | b"new-chardev" | b"old-disk" | b"new-disk" | b"old-fs" | b"new-fs" | b"old-net"
        | b"new-net" | b"device" | b"cgroup" | b"apparmor" | b"operation" | b"denied_mask" | b"info" | b"profile"
        | b"requested_mask" | b"old-rng" | b"new-rng" | b"ocomm" | b"grp" | b"new_group" | b"invalid_context"
        | b"sw" | b"root_dir" => Escaped,
        b"name" => EscapedFile,
        b"key" => EscapedKey,
        b"perm" | b"perm_mask" => Perm,
        b"mode" => Mode,
        b"saddr" => Sockaddr,
        b"prom" | b"old_prom" => Promisc,
        b"capability" => Capability,
        b"res" | b"result" => Success,
        b"a0" => A0,
        b"a1" => A1,
        b"a2" => A2,
        b"a3" => A3,
        b"sig" | b"sigev_signo" => Signal,
        b"list" => List,
        b"data" => TtyData,
        b"ses" => Session,
        b"cap_pi" | b"cap_pe" | b"cap_pp" | b"cap_pa" | b"cap_fi" | b"cap_fp" | b"fp" | b"fi" | b"old_pp"
        | b"old_pi" | b"old_pe" | b"old_pa" | b"new_pp" | b"new_pi" | b"new_pe" | b"pp" | b"pi" | b"pe" | b"pa" => {
            CapBitmap
        }
        b"family" => Nfproto,
        b"icmptype" => Icmptype,
        b"proto" => Protocol,
        b"addr" => Addr,
        b"per" => Personality,
        b"code" => Seccomp,
        b"oflag" => Oflag,
        b"flags" => Mmap,
        b"subj" | b"obj" | b"scontext" | b"tcontext" | b"vm-ctx" | b"img-ctx" => MacLabel,
        b"proctitle" => Proctitle,
        b"hook" => Hook,
        b"action" => Netaction,
        b"macproto" => Macproto,
        b"ioctlcmd" => IoctlReq,
        b"resp" => Fanotify,
        b"nl-mcgrp" => Nlmcgrp,
        b"resolve" => Resolve,
        _ => Unclassified,
    }
}

fn is_hex_string(val: &[u8]) -> bool {
    val.iter().all(u8::is_ascii_hexdigit)
}

/// `auparse_interp_adjust_type`: the fields whose meaning depends on the record.
pub(super) fn adjust_type(rtype: u32, name: &[u8], val: &[u8]) -> FieldType {
    use FieldType::*;
    let escaped_if_text =
        |val: &[u8]| if val.first() == Some(&b'"') || is_hex_string(val) { Escaped } else { Unclassified };
    if rtype == rtype::EXECVE && name.first() == Some(&b'a') && name != b"argc" && !contains(name, b"_len") {
        Escaped
    } else if rtype == rtype::AVC && name == b"saddr" {
        Unclassified
    } else if rtype == rtype::USER_TTY && name == b"msg" {
        Escaped
    } else if rtype == rtype::NETFILTER_PKT && name == b"saddr" {
        Addr
    } else if name == b"acct" {
        escaped_if_text(val)
    } else if rtype == rtype::PATH && name == b"flags" {
        Flags
    } else if rtype == rtype::MQ_OPEN && name == b"mode" {
        ModeShort
    } else if rtype == rtype::CRYPTO_KEY_USER && name == b"fp" {
        Unclassified
    } else if name == b"id" && matches!(rtype, rtype::ADD_GROUP | rtype::GRP_MGMT | rtype::DEL_GROUP) {
        Gid
    } else if rtype == rtype::TRUSTED_APP {
        if val.first() != Some(&b'"') && val.iter().all(u8::is_ascii_digit) {
            Unclassified
        } else {
            escaped_if_text(val)
        }
    } else if rtype == rtype::KERN_MODULE && name == b"name" {
        Escaped
    } else {
        lookup_type(name)
    }
}

pub(super) fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// What a field is interpreted with (auparse's `idata`).
pub(super) struct Id<'a> {
    /// The record's syscall number (0 outside SYSCALL and SECCOMP records).
    pub syscall: i32,
    /// libaudit's machine number, -1 when not known.
    pub machine: i64,
    /// The SYSCALL record's a0 and a1.
    pub a0: u64,
    pub a1: u64,
    pub name: &'a [u8],
    pub val: &'a [u8],
}

/// libaudit's machines: (ELF arch, machine number, name), `machinetab.h` and `elftab.h`.
const MACHINES: &[(u64, i64, &str)] = &[
    (0x4000_0003, 0, "i386"),
    (0xc000_003e, 1, "x86_64"),
    (0x8000_0015, 3, "ppc64"),
    (0x14, 4, "ppc"),
    (0x8000_0016, 5, "s390x"),
    (0x16, 6, "s390"),
    (0x4000_0028, 8, "armeb"),
    (0xc000_00b7, 9, "aarch64"),
    (0xc000_0015, 10, "ppc64le"),
];

/// `audit_elf_to_machine`; -1 for an ELF arch libaudit does not know.
pub(super) fn elf_to_machine(elf: u64) -> i64 {
    MACHINES.iter().find(|m| m.0 == elf).map_or(-1, |m| m.1)
}

/// `audit_detect_machine`: the running kernel's `uname` machine, as ausearch reads it
/// (not this build's arch: the two differ for a 32-bit program on a 64-bit kernel).
pub(super) fn detect_machine() -> i64 {
    static MACHINE: std::sync::OnceLock<i64> = std::sync::OnceLock::new();
    *MACHINE.get_or_init(|| elf_to_machine(u64::from(crate::kernel::running_native().0.audit_value())))
}

/// `audit_syscall_to_name`, for the machines whose tables dockaudit has.
pub(super) fn syscall_to_name(syscall: i32, machine: i64) -> Option<&'static str> {
    let arch = match machine {
        0 => Arch::I386,
        1 => Arch::X86_64,
        8 => Arch::Arm,
        9 => Arch::Aarch64,
        _ => return None,
    };
    syscall_name(arch, u32::try_from(syscall).ok()?)
}

/// The enrichment of a record (`load_interpretation_list`): lower-cased names, values
/// as written; a SOCKADDR record's `SADDR={ … }` is one value to the end of the line.
#[derive(Debug, Clone, Default)]
pub(super) struct Interps<'a> {
    /// (name as written, value): names are compared ignoring ASCII case.
    entries: Vec<(&'a [u8], &'a [u8])>,
}

impl<'a> Interps<'a> {
    /// The enrichment part of a record (after the separator).
    pub(super) fn new(enrichment: &'a [u8]) -> Interps<'a> {
        let text = &enrichment[..memchr::memchr(0, enrichment).unwrap_or(enrichment.len())];
        if let Some(rest) = text.strip_prefix(b"SADDR=") {
            let entries = match memchr::memchr(b'{', rest) {
                Some(open) if rest[open..].contains(&b'}') => vec![(&b"saddr"[..], &rest[open..])],
                _ => Vec::new(),
            };
            return Interps { entries };
        }
        let entries = text
            .split(|&b| b == b' ')
            .filter_map(|token| {
                let eq = memchr::memchr(b'=', token)?;
                Some((&token[..eq], &token[eq + 1..]))
            })
            .collect();
        Interps { entries }
    }

    /// The value of the first entry whose lower-cased name is `name`.
    pub(super) fn get(&self, name: &[u8]) -> Option<&'a [u8]> {
        if self.entries.is_empty() || name.iter().any(u8::is_ascii_uppercase) {
            return None;
        }
        self.entries.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|&(_, v)| v)
    }
}

/// What [`interpret`] gives for the most common values when that is a slice of the
/// value, of the enrichment or of `names` (no allocation); `None` for everything else,
/// which [`interpret`] then builds.
pub(super) fn interpret_borrowed<'v>(
    ftype: FieldType,
    name: &[u8],
    val: &'v [u8],
    names: &'v Names,
    interps: &Interps<'v>,
) -> Option<&'v [u8]> {
    use FieldType::*;
    let quoted = |val: &'v [u8]| {
        let inner = val.strip_prefix(b"\"")?;
        Some(&inner[..memchr::memchr(b'"', inner)?])
    };
    if let Some(known) = interps.get(name) {
        if !known.starts_with(b"unknown-") {
            return if matches!(ftype, Uid | Gid) { quoted(known).filter(|t| !t.contains(&0)) } else { Some(known) };
        }
    }
    let text: &'v [u8] = match ftype {
        Escaped | EscapedFile | EscapedKey => quoted(val)?,
        Uid | Gid => match strtoul(val, 10).ok()? as i32 {
            -1 => b"unset",
            0 => b"root",
            id if ftype == Uid => names.passwd_user(id as u32)?.as_bytes(),
            id => names.group_name(id as u32)?.as_bytes(),
        },
        CapBitmap if val == b"0" => b"none",
        Session if val == b"4294967295" => b"unset",
        Session => val,
        _ => return None,
    };
    // What the terminal escaping or the NUL cut would change is left to `interpret`.
    (!text.iter().any(|&b| b < 32)).then_some(text)
}

/// What one value is printed as; `interps` is the record's enrichment, if any.
pub(super) fn interpret(ftype: FieldType, id: &Id<'_>, names: &Names, interps: &Interps<'_>) -> Out {
    use FieldType::*;
    if let Some(val) = interps.get(id.name) {
        // What auditd could not name is tried again (interpret.c:3150).
        if !val.starts_with(b"unknown-") {
            return if matches!(ftype, Uid | Gid) { print_escaped(val) } else { val.to_vec() };
        }
    }
    let val = id.val;
    let out = match ftype {
        Uid => print_uid(val, 10, names),
        Gid => print_gid(val, 10, names),
        Syscall => print_syscall(id),
        Arch => print_arch(val, id.machine),
        Exit => print_exit(val),
        Escaped | EscapedFile | EscapedKey => print_escaped(val),
        Perm => print_perm(val),
        Mode => print_mode(val, 8),
        ModeShort => print_mode_short(val, 8),
        Sockaddr => sockaddr::print_sockaddr(val, names),
        Flags => flags::flag_list(val, PATH_FLAGS, b",", b"none"),
        Promisc => match strtoll(val, 10) {
            Err(_) => conversion_error(val),
            Ok(n) => {
                if n as i32 == 0 {
                    b"no".to_vec()
                } else {
                    b"yes".to_vec()
                }
            }
        },
        Capability => print_capability(val, 10),
        Success => print_success(val),
        A0 => flags::print_a0(val, id, names),
        A1 => flags::print_a1(val, id, names),
        A2 => flags::print_a2(val, id, names),
        A3 => flags::print_a3(val, id),
        Signal => flags::print_signal(val, 10),
        List => print_list(val),
        Session => {
            if val == b"4294967295" {
                b"unset".to_vec()
            } else {
                val.to_vec()
            }
        }
        CapBitmap => print_cap_bitmap(val),
        Nfproto => flags::named(val, 10, NFPROTOS, "unknown-netfilter-protocol(", ")"),
        Icmptype => flags::named(val, 10, ICMP_TYPES, "unknown-icmp-type(", ")"),
        Protocol => match strtoul(val, 10) {
            Err(_) => conversion_error(val),
            Ok(n) => names.protocol(n as i32 as u32).unwrap_or("undefined protocol").as_bytes().to_vec(),
        },
        Personality => flags::print_personality(val),
        Seccomp => match strtoul(val, 16) {
            Err(_) => conversion_error(val),
            Ok(code) => match SECCOMP_ACTIONS.iter().find(|e| e.0 == code & 0x7fff_0000) {
                Some(e) => e.1.as_bytes().to_vec(),
                None => [b"unknown-seccomp-code(", val, b")"].concat(),
            },
        },
        Oflag => flags::print_open_flags(val),
        Mmap => flags::print_mmap(val),
        Proctitle => print_proctitle(val),
        Hook => flags::named(val, 16, INET_HOOKS, "unknown-hook(", ")"),
        Netaction => flags::named(val, 16, NET_ACTIONS, "unknown-action(", ")"),
        Macproto => match strtoul(val, 16) {
            Err(_) => conversion_error(val),
            Ok(n) => match n as i32 {
                0x0800 => b"IP".to_vec(),
                0x0806 => b"ARP".to_vec(),
                _ => b"UNKNOWN".to_vec(),
            },
        },
        IoctlReq => flags::print_ioctl_req(val),
        Fanotify => match val.first() {
            Some(b'0'..=b'9') => match strtoul(val, 10) {
                Err(_) => conversion_error(val),
                Ok(1) => b"allow".to_vec(),
                Ok(2) => b"deny".to_vec(),
                Ok(_) => b"unknown".to_vec(),
            },
            _ => val.to_vec(),
        },
        Nlmcgrp => match strtoul(val, 16) {
            Err(_) => conversion_error(val),
            Ok(1) => b"audit-netlink-multicast".to_vec(),
            Ok(_) => b"audit-none".to_vec(),
        },
        Resolve => flags::flag_list(val, RESOLVE_FLAGS, b"|", b""),
        // Not covered: TTY data (named keys) is printed as written.
        TtyData | Addr | MacLabel | Unclassified => val.to_vec(),
    };
    let out = cut(out);
    if ftype == EscapedKey && out.contains(&0x01) {
        // Each key of a multi-key is escaped alone; the separator stays.
        return tty_escape_except(&out, Some(0x01));
    }
    tty_escape_except(&out, None)
}

/// A C string: up to the first NUL.
pub(super) fn cut(mut bytes: Vec<u8>) -> Vec<u8> {
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        bytes.truncate(at);
    }
    bytes
}

/// ausearch's default escaping (`AUPARSE_ESC_TTY`): control characters as `\ooo`.
pub(super) fn tty_escape_except(text: &[u8], keep: Option<u8>) -> Out {
    if !text.iter().any(|&b| b < 32 && Some(b) != keep) {
        return text.to_vec();
    }
    let mut out = Vec::with_capacity(text.len() + 8);
    for &b in text {
        if b < 32 && Some(b) != keep {
            out.extend_from_slice(&[b'\\', b'0' + (b >> 6), b'0' + ((b >> 3) & 7), b'0' + (b & 7)]);
        } else {
            out.push(b);
        }
    }
    out
}

/// `au_unescape`'s buffer: hex decoded up to the first non-hex digit (an odd last digit
/// is a high nibble), then zeros as far as its allocation; `(null)`-style values up to
/// their `)`. `None` where auparse gets NULL.
fn unescape(buf: &[u8]) -> Option<Vec<u8>> {
    if buf.first() == Some(&b'(') {
        let close = buf.iter().position(|&b| b == b')')?;
        return Some(buf[..=close].to_vec());
    }
    let hex = &buf[..buf.iter().position(|b| !b.is_ascii_hexdigit()).unwrap_or(buf.len())];
    if hex.len() < 2 {
        return None;
    }
    let nibble = |b: Option<&u8>| b.and_then(|&b| (b as char).to_digit(16)).unwrap_or(0) as u8;
    let mut out: Vec<u8> =
        (0..hex.len()).step_by(2).map(|i| nibble(hex.get(i)) << 4 | nibble(hex.get(i + 1))).collect();
    out.resize(buf.len() + 1, 0);
    Some(out)
}

/// `print_escaped`'s buffer (see [`unescape`]); [`print_escaped`] is its C string.
fn escaped_buffer(val: &[u8]) -> Vec<u8> {
    if let Some(inner) = val.strip_prefix(b"\"") {
        return match inner.iter().position(|&b| b == b'"') {
            Some(end) => inner[..end].to_vec(),
            // An unterminated quote prints as one space (interpret.c:852).
            None => b" ".to_vec(),
        };
    }
    // `00…` is an abstract unix socket name: its leading NUL is skipped.
    let hex = if val.starts_with(b"00") { &val[2..] } else { val };
    unescape(hex).unwrap_or_else(|| val.to_vec())
}

/// `print_escaped`: quotes removed, hex decoded (up to a NUL), anything else as written.
pub(super) fn print_escaped(val: &[u8]) -> Out {
    cut(escaped_buffer(val))
}

/// `print_proctitle`: the arguments' NULs become spaces, within half the hex's length.
fn print_proctitle(val: &[u8]) -> Out {
    let mut out = escaped_buffer(val);
    if val.first() != Some(&b'"') {
        let len = (val.len() / 2).min(out.len());
        out[..len].iter_mut().filter(|b| **b == 0).for_each(|b| *b = b' ');
    }
    cut(out)
}

/// `aulookup_uid`/`aulookup_gid` after C's `int` conversion of the number read.
fn id_name(val: &[u8], base: u32, lookup: impl Fn(u32) -> Option<String>) -> Out {
    match strtoul(val, base) {
        Err(_) => conversion_error(val),
        Ok(n) => match n as i32 {
            -1 => b"unset".to_vec(),
            0 => b"root".to_vec(),
            id => lookup(id as u32).unwrap_or_else(|| format!("unknown({id})")).into_bytes(),
        },
    }
}

pub(super) fn print_uid(val: &[u8], base: u32, names: &Names) -> Out {
    id_name(val, base, |id| names.passwd_user(id).map(str::to_string))
}

pub(super) fn print_gid(val: &[u8], base: u32, names: &Names) -> Out {
    id_name(val, base, |id| names.group_name(id).map(str::to_string))
}

fn print_syscall(id: &Id<'_>) -> Out {
    let machine = if id.machine < 0 { detect_machine() } else { id.machine };
    if machine < 0 {
        return id.val.to_vec();
    }
    match syscall_to_name(id.syscall, machine) {
        Some(name) => {
            let table = match name {
                "socketcall" => Some(super::tables::SOCKETCALLS),
                "ipc" => Some(super::tables::IPCCALLS),
                _ => None,
            };
            // `(int)a0 == a0`: only a0 below 2^31 is looked up.
            let func =
                table.filter(|_| id.a0 <= i32::MAX as u64).and_then(|t| t.iter().find(|e| e.0 == id.a0)).map(|e| e.1);
            match func {
                Some(func) => format!("{name}({func})").into_bytes(),
                None => name.as_bytes().to_vec(),
            }
        }
        None => format!("unknown-syscall({})", id.syscall).into_bytes(),
    }
}

/// `print_arch`: a machine not yet known (or past aarch64) is read from the value.
fn print_arch(val: &[u8], machine: i64) -> Out {
    let mut machine = machine;
    if !(0..=9).contains(&machine) {
        match strtoul(val, 16) {
            Err(_) => return [b"conversion error(", val, b") "].concat(),
            Ok(elf) => machine = elf_to_machine(elf as u32 as u64),
        }
    }
    if machine < 0 {
        return [b"unknown-elf-type(", val, b")"].concat();
    }
    match MACHINES.iter().find(|m| m.1 == machine) {
        Some(m) => m.2.as_bytes().to_vec(),
        None => format!("unknown-machine-type({machine})").into_bytes(),
    }
}

fn print_perm(val: &[u8]) -> Out {
    let Ok(n) = strtoll(val, 10) else { return conversion_error(val) };
    // The kernel treats no permission as all of them.
    let n = if n as i32 == 0 { 0x0f } else { n as i32 };
    let parts: Vec<&str> =
        [(1, "read"), (2, "write"), (4, "exec"), (8, "attr")].iter().filter(|p| n & p.0 != 0).map(|p| p.1).collect();
    parts.join(",").into_bytes()
}

const FILE_TYPES: &[(u32, &str)] = &[
    (0o140000, "socket"),
    (0o120000, "link"),
    (0o100000, "file"),
    (0o060000, "block"),
    (0o040000, "dir"),
    (0o020000, "character"),
    (0o010000, "fifo"),
];

/// `print_mode`: `0100644` → `file,644`.
pub(super) fn print_mode(val: &[u8], base: u32) -> Out {
    let Ok(n) = strtoul(val, base) else { return conversion_error(val) };
    let n = n as u32;
    let mut out = match FILE_TYPES.iter().find(|t| t.0 == n & 0o170000) {
        Some(t) => t.1.to_string(),
        None => format!("{:03o}", (n & 0o170000) / 0o10000),
    };
    for (bit, name) in [(0o4000, ",suid"), (0o2000, ",sgid"), (0o1000, ",sticky")] {
        if n & bit != 0 {
            out.push_str(name);
        }
    }
    format!("{out},{:03o}", n & 0o777).into_bytes()
}

/// `print_mode_short`: `0644`, or `suid,0755`.
pub(super) fn print_mode_short(val: &[u8], base: u32) -> Out {
    let Ok(n) = strtoul(val, base) else { return conversion_error(val) };
    let n = n as u32;
    let special: Vec<&str> =
        [(0o4000, "suid"), (0o2000, "sgid"), (0o1000, "sticky")].iter().filter(|s| n & s.0 != 0).map(|s| s.1).collect();
    if special.is_empty() {
        format!("0{:03o}", n & 0o777).into_bytes()
    } else {
        format!("{},0{:03o}", special.join(","), n & 0o777).into_bytes()
    }
}

pub(super) fn print_capability(val: &[u8], base: u32) -> Out {
    let Ok(n) = strtoul(val, base) else { return conversion_error(val) };
    match CAPS.iter().find(|c| c.0 == u64::from(n as i32 as u32)) {
        Some(c) => c.1.as_bytes().to_vec(),
        None => [&b"unknown-capability("[..], if base == 16 { &b"0x"[..] } else { b"" }, val, b")"].concat(),
    }
}

/// `print_cap_bitmap`: the names of the bits up to CAP_LAST_CAP (40 in the headers
/// Debian builds with).
fn print_cap_bitmap(val: &[u8]) -> Out {
    let Ok(bits) = strtoul(val, 16) else { return conversion_error(val) };
    let names: Vec<&str> = (0..=40u64)
        .filter(|&i| bits & (1 << i) != 0)
        .map(|i| CAPS.iter().find(|c| c.0 == i).map_or("", |c| c.1))
        .collect();
    if names.is_empty() {
        b"none".to_vec()
    } else {
        names.join(",").into_bytes()
    }
}

/// `res=`/`result=`: 0 no, 1 yes, other numbers unset; words as written.
fn print_success(val: &[u8]) -> Out {
    if !val.first().is_some_and(u8::is_ascii_digit) {
        return val.to_vec();
    }
    match strtoul(val, 10) {
        Err(_) => conversion_error(val),
        Ok(n) => match n as i32 {
            0 => b"no".to_vec(),
            1 => b"yes".to_vec(),
            _ => b"unset".to_vec(),
        },
    }
}

/// `list=`: the rule list (`audit_flag_to_name`).
fn print_list(val: &[u8]) -> Out {
    let Ok(n) = strtoul(val, 10) else { return conversion_error(val) };
    let name = match n as i32 {
        0 => "user",
        1 => "task",
        4 => "exit",
        5 => "exclude",
        6 => "filesystem",
        _ => return [b"unknown-list(", val, b")"].concat(),
    };
    name.as_bytes().to_vec()
}
