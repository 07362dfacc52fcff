//! The classes and ABIs per arch, with the `syscalls` crate's typed constants (generated
//! from each kernel's syscall table) as the truth, and the judgement of an arm64 host.

use std::collections::BTreeSet;

use syscalls::{aarch64, arm, x86, x86_64};

use super::*;
use crate::host::FakeFs;
use crate::judge::{evaluate, Benchmark, ControlVerdict, Options, Verdict};
use crate::kernel::Compat;
use crate::rules_file::{parse, Entry, Resolver};

fn class(arch: Arch, bit: u32) -> BTreeSet<u32> {
    class_names(bit).iter().filter_map(|n| sysno(arch, n)).collect()
}

fn set<S: Into<usize> + Copy>(calls: &[S]) -> BTreeSet<u32> {
    calls.iter().map(|&s| s.into() as u32).collect()
}

/// arm64's table is asm-generic's: no open, creat, rename, mkdir, chmod, chown... only
/// the `*at` forms. The write class is audit_write.h + audit_dir_write.h, plus what
/// `audit_match_perm` adds (open/openat/openat2 by mode) and newer kernels' additions.
#[test]
fn arm64_write_and_attribute_classes_are_its_tables() {
    use aarch64::Sysno as S;
    let write = [
        S::openat,
        S::openat2,
        S::renameat,
        S::renameat2,
        S::mkdirat,
        S::linkat,
        S::unlinkat,
        S::symlinkat,
        S::mknodat,
        S::acct,
        S::swapon,
        S::quotactl,
        S::truncate,
        S::ftruncate,
        S::bind,
        S::fallocate,
    ];
    assert_eq!(class(Arch::Aarch64, perm::WRITE), set(&write.map(|s| s.id() as usize)));
    let attr = [
        S::fchmod,
        S::fchmodat,
        S::fchmodat2,
        S::fchown,
        S::fchownat,
        S::setxattr,
        S::lsetxattr,
        S::fsetxattr,
        S::setxattrat,
        S::removexattr,
        S::lremovexattr,
        S::fremovexattr,
        S::removexattrat,
        S::linkat,
    ];
    assert_eq!(class(Arch::Aarch64, perm::ATTR), set(&attr.map(|s| s.id() as usize)));
    for gone in ["open", "creat", "rename", "mkdir", "rmdir", "link", "unlink", "symlink", "chmod", "chown", "lchown"] {
        assert_eq!(sysno(Arch::Aarch64, gone), None, "{gone} is not in arm64's table");
    }
}

/// Every name a class lists is in the class on exactly the arches whose table has it.
#[test]
fn every_class_name_is_looked_up_in_each_arches_own_table() {
    let in_table = |arch: Arch, name: &str| -> Option<u32> {
        use std::str::FromStr;
        let id = match arch {
            Arch::X86_64 => x86_64::Sysno::from_str(name).ok().map(|s| s.id()),
            Arch::I386 => x86::Sysno::from_str(name).ok().map(|s| s.id()),
            Arch::Aarch64 => aarch64::Sysno::from_str(name).ok().map(|s| s.id()),
            Arch::Arm => arm::Sysno::from_str(name).ok().map(|s| s.id()),
        };
        id.map(|id| id as u32)
    };
    let mut checked = 0;
    for arch in Arch::ALL {
        for (bit, _, _) in PERMS {
            for name in class_names(bit) {
                assert_eq!(sysno(arch, name), in_table(arch, name), "{arch:?} {name}");
                checked += 1;
            }
        }
    }
    assert!(checked > 200);
    // Spot checks on the compat tables: the 32-bit ARM table has the old calls.
    assert_eq!(sysno(Arch::Arm, "chmod"), Some(arm::Sysno::chmod.id() as u32));
    assert_eq!(sysno(Arch::I386, "chown32"), Some(x86::Sysno::chown32.id() as u32));
    assert_eq!(sysno(Arch::X86_64, "chown32"), None);
}

#[test]
fn the_compat_abi_is_asked_for_only_where_the_kernel_has_one() {
    assert_eq!(host_abis(Arch::Aarch64, true), [Arch::Aarch64, Arch::Arm]);
    assert_eq!(host_abis(Arch::Aarch64, false), [Arch::Aarch64]);
    assert_eq!(host_abis(Arch::X86_64, true), [Arch::X86_64, Arch::I386]);
    assert_eq!(host_abis(Arch::X86_64, false), [Arch::X86_64]);
    assert_eq!(host_abis(Arch::Arm, true), [Arch::Arm]);
    assert_eq!(host_abis(Arch::I386, true), [Arch::I386]);
}

fn arm64_host() -> FakeFs {
    FakeFs::new().file("/usr/bin/dockerd").file("/usr/bin/containerd").dir("/var/lib/docker")
}

/// Rules as arm64's auditctl reads them: bare `-S` names and `arch=b64` in its table.
fn arm64_rules(text: &str, fs: &FakeFs) -> Vec<crate::rule::Rule> {
    let resolver = Resolver::over(fs.clone()).with_arch(Arch::Aarch64);
    parse(text, "t.rules", &resolver)
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .filter_map(|l| match l.entry {
            Entry::Rule { rule, .. } => Some(rule),
            Entry::Directive(_) => None,
        })
        .collect()
}

fn judge_arm64(rules: &str, compat: Compat) -> ControlVerdict {
    let fs = arm64_host();
    let mut opts = Options::new(Benchmark::V1_6_0);
    opts.native = Arch::Aarch64;
    opts.compat = compat;
    opts.only = vec!["1.1.3".into()];
    let status = crate::kernel::Status { enabled: 1, pid: 1, ..Default::default() };
    evaluate(&arm64_rules(rules, &fs), Some(&status), &fs, &opts).unwrap().controls.remove(0)
}

const B64_ONLY: &str = "-a always,exit -F arch=b64 -S all -F path=/usr/bin/dockerd -F perm=wa -k docker";

#[test]
fn an_arm64_kernel_without_compat_asks_for_no_32_bit_rule() {
    let how = "CONFIG_COMPAT is not set in /boot/config-6.1.0-28-arm64";
    let v = judge_arm64(B64_ONLY, Compat::Absent(how.into()));
    assert_eq!(v.verdict, Verdict::Pass, "{:#?}", v.reasons);
    assert!(v.reasons.contains(&format!("32-bit coverage not asked: the kernel has no 32-bit compat ABI ({how})")));

    let v = judge_arm64(B64_ONLY, Compat::Present("CONFIG_COMPAT=y in /boot/config-6.1.0-28-arm64".into()));
    assert_eq!(v.verdict, Verdict::Weak);
    assert!(v.reasons.iter().any(|r| r.contains("leaves out 32-bit (armeb) system calls")), "{:#?}", v.reasons);
    assert!(v
        .reasons
        .iter()
        .any(|r| r.contains("32-bit coverage asked: the kernel has a 32-bit compat ABI (CONFIG_COMPAT=y")));

    // Nothing records the file: which ABIs would count is beside the point.
    let v = judge_arm64("-w /usr/bin/containerd -k docker", Compat::Absent(how.into()));
    assert_eq!(v.verdict, Verdict::Fail);
    assert!(!v.reasons.iter().any(|r| r.contains("coverage")), "{:#?}", v.reasons);
    // A full rule on a kernel with the compat ABI: nothing about 32-bit to say.
    let v = judge_arm64("-w /usr/bin/dockerd -k docker", Compat::Present("CONFIG_COMPAT=y".into()));
    assert_eq!(v.verdict, Verdict::Pass);
    assert!(!v.reasons.iter().any(|r| r.contains("coverage")), "{:#?}", v.reasons);

    let v = judge_arm64(B64_ONLY, Compat::Unknown("no kernel config in /boot".into()));
    assert_eq!(v.verdict, Verdict::Weak, "unknown is judged as present");
    assert!(v.reasons.iter().any(|r| r.contains("is not known (no kernel config in /boot), so it is assumed")));
}

/// A syscall list is measured against arm64's own calls, and the reason names only
/// calls its table has.
#[test]
fn an_arm64_syscall_list_is_judged_in_its_own_table() {
    let absent = || Compat::Absent("CONFIG_COMPAT is not set".into());
    // fchmodat2 and the *xattrat calls are past libaudit 3.0.9's table: by number.
    let numbers = format!(
        "-a always,exit -S openat,openat2,renameat,renameat2,mkdirat,linkat,unlinkat,symlinkat,mknodat,\
         acct,swapon,quotactl,truncate,ftruncate,bind,fallocate,fchmod,fchmodat,fchown,fchownat,setxattr,\
         lsetxattr,fsetxattr,removexattr,lremovexattr,fremovexattr,{},{},{} -F path=/usr/bin/dockerd -F perm=wa -k docker",
        aarch64::Sysno::fchmodat2.id(),
        aarch64::Sysno::setxattrat.id(),
        aarch64::Sysno::removexattrat.id()
    );
    let v = judge_arm64(&numbers, absent());
    assert_eq!(v.verdict, Verdict::Pass, "{:#?}", v.reasons);

    let v = judge_arm64("-a always,exit -S openat,unlinkat -F path=/usr/bin/dockerd -F perm=wa -k docker", absent());
    assert_eq!(v.verdict, Verdict::Weak);
    let misses = v.reasons.iter().find(|r| r.contains("its syscall list misses 64-bit (aarch64) calls")).unwrap();
    let listed = misses.rsplit(": ").next().unwrap().split(" and ").next().unwrap();
    let names: Vec<&str> = listed.split(", ").collect();
    assert_eq!(names.len(), 8, "{misses}");
    for name in names {
        assert!(sysno(Arch::Aarch64, name).is_some(), "{name} is not an arm64 call: {misses}");
    }
}
