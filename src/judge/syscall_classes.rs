//! The kernel's permission classes (what `-p r/w/x/a` selects) as syscall numbers per
//! ABI, and how much of a class a rule's syscall mask holds. A class is the unit the
//! judgement counts in: a control passes when every class it demands is recorded in
//! full on every ABI a process can call the kernel with.

use std::str::FromStr;

use crate::rule::perm;
use crate::rule::syscalls::Arch;
use crate::rule::SyscallMask;

/// Permission classes in auditctl's letter order, with what they mean in a sentence.
pub(super) const PERMS: [(u32, char, &str); 4] = [
    (perm::READ, 'r', "reads"),
    (perm::WRITE, 'w', "writes"),
    (perm::EXEC, 'x', "executions"),
    (perm::ATTR, 'a', "attribute changes"),
];

/// The kernel's permission classes (include/asm-generic/audit_{read,write,dir_write,
/// change_attr}.h, and `audit_match_perm`, which adds open/openat/openat2 by access
/// mode, execve by exec, socketcall by bind). A rule with a syscall list covers a class
/// only if it lists every one of these that exists on the ABI; names an ABI lacks are
/// skipped. Documented in README.md ("check").
const READ_CLASS: &[&str] = &[
    "open",
    "openat",
    "openat2",
    "readlink",
    "readlinkat",
    "quotactl",
    "listxattr",
    "llistxattr",
    "flistxattr",
    "getxattr",
    "lgetxattr",
    "fgetxattr",
    "listxattrat",
    "getxattrat",
];
const WRITE_CLASS: &[&str] = &[
    "open",
    "openat",
    "openat2",
    "creat",
    "rename",
    "renameat",
    "renameat2",
    "mkdir",
    "mkdirat",
    "rmdir",
    "link",
    "linkat",
    "unlink",
    "unlinkat",
    "symlink",
    "symlinkat",
    "mknod",
    "mknodat",
    "acct",
    "swapon",
    "quotactl",
    "truncate",
    "truncate64",
    "ftruncate",
    "ftruncate64",
    "bind",
    "socketcall",
    "fallocate",
];
const EXEC_CLASS: &[&str] = &["execve", "execveat"];
const ATTR_CLASS: &[&str] = &[
    "chmod",
    "fchmod",
    "fchmodat",
    "fchmodat2",
    "chown",
    "lchown",
    "fchown",
    "fchownat",
    "chown32",
    "lchown32",
    "fchown32",
    "setxattr",
    "lsetxattr",
    "fsetxattr",
    "setxattrat",
    "removexattr",
    "lremovexattr",
    "fremovexattr",
    "removexattrat",
    "link",
    "linkat",
];

/// The syscall names of a class, by its `perm` bit.
pub(super) fn class_names(bit: u32) -> &'static [&'static str] {
    match bit {
        perm::READ => READ_CLASS,
        perm::WRITE => WRITE_CLASS,
        perm::EXEC => EXEC_CLASS,
        _ => ATTR_CLASS,
    }
}

/// Syscall number by name from the kernel's tables (not libaudit's, which stop at 450
/// and so miss fchmodat2 and the *xattrat calls).
pub(super) fn sysno(arch: Arch, name: &str) -> Option<u32> {
    use syscalls::{aarch64, arm, x86, x86_64};
    let id = match arch {
        Arch::X86_64 => x86_64::Sysno::from_str(name).ok()?.id(),
        Arch::I386 => x86::Sysno::from_str(name).ok()?.id(),
        Arch::Aarch64 => aarch64::Sysno::from_str(name).ok()?.id(),
        Arch::Arm => arm::Sysno::from_str(name).ok()?.id(),
    };
    u32::try_from(id).ok()
}

/// The most ABIs [`host_abis`] gives.
pub(super) const MAX_ABIS: usize = 2;

/// The ABIs a process can call the kernel with: the native one, and the 32-bit compat
/// one where the kernel has it (`compat`; only a 64-bit arch has one).
pub(super) fn host_abis(native: Arch, compat: bool) -> Vec<Arch> {
    let other = Arch::bits_for(native, false);
    if compat && other != native {
        vec![native, other]
    } else {
        vec![native]
    }
}

/// How reasons name an ABI.
pub(super) fn abi_label(arch: Arch) -> &'static str {
    if arch.is_64bit() {
        "64-bit"
    } else {
        "32-bit"
    }
}

/// How much of something a rule records: of a syscall class, of a file's events, of
/// one (ABI, class) cell. Ordered, so `min` narrows and `max` accumulates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Cov {
    None,
    Partial,
    Full,
}

/// A syscall class as the words of the mask it touches: classes name a few dozen
/// low syscall numbers, and every rule is measured against 8 of them.
pub(super) struct ClassMask {
    words: Vec<(usize, u32)>,
    total: u32,
}

impl ClassMask {
    pub(super) fn new(mask: &SyscallMask) -> ClassMask {
        let words: Vec<(usize, u32)> = mask.0.iter().copied().enumerate().filter(|(_, w)| *w != 0).collect();
        let total = words.iter().map(|(_, w)| w.count_ones()).sum();
        ClassMask { words, total }
    }

    /// How much of the class a rule's syscall mask holds.
    pub(super) fn coverage(&self, mask: &SyscallMask) -> Cov {
        if mask.is_all() {
            return Cov::Full;
        }
        match self.words.iter().map(|&(i, w)| (mask.0[i] & w).count_ones()).sum::<u32>() {
            0 => Cov::None,
            n if n == self.total => Cov::Full,
            _ => Cov::Partial,
        }
    }
}

/// `perm=` bits from auditctl's letters (`rwxa`).
pub(super) fn perm_bits(letters: &str) -> u32 {
    letters.chars().filter_map(|l| PERMS.iter().find(|p| p.1 == l)).fold(0, |acc, p| acc | p.0)
}

#[cfg(test)]
#[path = "abi_tests.rs"]
mod tests;
