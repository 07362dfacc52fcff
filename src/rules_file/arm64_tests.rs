//! `-S` names and numbers and `-F arch=` as Debian's arm64 auditctl 3.0.9 reads them
//! (`tests/data/oracle/auditctl-arm64.tsv`, captured by `auditctl-arm64.sh` under
//! qemu-aarch64): the native table is arm64's, where only the `*at` calls exist, `b64`
//! is aarch64 and `b32` its 32-bit ARM compat table.

use super::*;
use crate::host::FakeFs;
use crate::rule::syscalls::Arch;

const ORACLE: &str = include_str!("../../tests/data/oracle/auditctl-arm64.tsv");

/// Lines where we knowingly differ, with why.
const KNOWN: &[(&str, &str)] = &[(
    "-a always,exit -F arch=ppc64 -S openat -F path=/x",
    "libaudit has a ppc64 table; dockaudit has tables for x86_64, i386, aarch64 and arm only",
)];

#[test]
fn syscalls_and_arch_read_as_arm64s_auditctl_reads_them() {
    let resolver = Resolver::over(FakeFs::new()).with_arch(Arch::Aarch64);
    let mut compared = 0;
    let mut differences = Vec::new();
    for row in ORACLE.lines().filter(|l| !l.starts_with('#')) {
        let (line, said) = row.split_once('\t').expect("ARGS<TAB>MESSAGES");
        let ours = parse(line, "t.rules", &resolver);
        let agrees = match (said, &ours) {
            ("", Ok(lines)) => lines.iter().all(|l| !l.warnings.iter().any(|w| w.contains("mismatch"))),
            (s, Ok(lines)) if s.starts_with("WARNING - 32/64 bit syscall mismatch") => {
                lines.iter().any(|l| l.warnings.iter().any(|w| w.contains("mismatch")))
            }
            (s, Err(e)) if s.starts_with("Syscall name unknown: ") => {
                matches!(&e.kind, ParseErrorKind::UnknownSyscall { name, arch: _ } if *name == s["Syscall name unknown: ".len()..])
            }
            ("arch elf mapping not found", Err(e)) => matches!(e.kind, ParseErrorKind::UnknownArch(_)),
            ("arch must be before -S", Err(e)) => e.kind == ParseErrorKind::ArchAfterSyscall,
            _ => false,
        };
        let known = KNOWN.iter().any(|(l, _)| *l == line);
        if agrees == known {
            differences.push(format!("{line}\n  auditctl: {said:?}\n  ours: {ours:?}\n  listed as known: {known}"));
        }
        compared += 1;
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
    assert!(compared >= 70, "{compared}");
}

/// What the accepted lines put in the rule: arm64's numbers, from the crate's table.
#[test]
fn accepted_lines_carry_arm64s_numbers_and_arches() {
    use syscalls::{aarch64, arm};
    let resolver = Resolver::over(FakeFs::new()).with_arch(Arch::Aarch64);
    let rule = |line: &str| match parse(line, "t.rules", &resolver).unwrap().remove(0).entry {
        Entry::Rule { rule, .. } => rule,
        Entry::Directive(d) => panic!("{d:?}"),
    };
    let arch_of = |r: &crate::rule::Rule| r.field(crate::rule::FieldType::ARCH).and_then(|f| f.as_number());
    let r = rule("-a always,exit -S openat,renameat -F path=/x");
    assert!(
        r.mask.contains(aarch64::Sysno::openat.id() as u32) && r.mask.contains(aarch64::Sysno::renameat.id() as u32)
    );
    assert_eq!(arch_of(&r), None);
    let r = rule("-a always,exit -F arch=b64 -S fchmodat -F path=/x");
    assert!(r.mask.contains(aarch64::Sysno::fchmodat.id() as u32));
    assert_eq!(arch_of(&r), Some(Arch::Aarch64.audit_value()));
    let r = rule("-a always,exit -F arch=b32 -S chmod,open -F path=/x");
    assert!(r.mask.contains(arm::Sysno::chmod.id() as u32) && r.mask.contains(arm::Sysno::open.id() as u32));
    assert_eq!(arch_of(&r), Some(Arch::Arm.audit_value()));
}

/// A root's resolver reads bare names in the arch its kernel config says, and the
/// host's own (`/`) in the running kernel's.
#[test]
fn a_roots_resolver_takes_the_roots_arch() {
    let dir = std::env::temp_dir().join(format!("dockaudit-arm64-resolver-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("boot")).unwrap();
    std::fs::write(dir.join("boot/config-6.1.0-28-arm64"), "CONFIG_ARM64=y\n# CONFIG_COMPAT is not set\n").unwrap();
    let native = Resolver::new(&dir).native();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(native, Arch::Aarch64);
    assert_eq!(Resolver::new("/").native(), Arch::from_name(std::env::consts::ARCH).unwrap());
}
