use super::*;
use crate::host::FakeFs;

/// The first 20 bytes of an ELF header: class, byte order, version, then e_type and
/// e_machine (EM_* from <elf.h>: EM_AARCH64 183, EM_X86_64 62, EM_ARM 40).
fn header(class: u8, data: u8, machine: u16) -> Vec<u8> {
    let mut h = vec![0x7f, b'E', b'L', b'F', class, data, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    let (t, m) = if data == 2 {
        (2u16.to_be_bytes(), machine.to_be_bytes())
    } else {
        (2u16.to_le_bytes(), machine.to_le_bytes())
    };
    h.extend_from_slice(&t);
    h.extend_from_slice(&m);
    h.extend_from_slice(&[0; 44]);
    h
}

const ARM64_CONFIG_NO_COMPAT: &str = "CONFIG_ARM64=y\nCONFIG_64BIT=y\n# CONFIG_COMPAT is not set\n";
const ARM64_CONFIG_COMPAT: &str = "CONFIG_ARM64=y\nCONFIG_64BIT=y\nCONFIG_COMPAT=y\nCONFIG_COMPAT_VDSO=y\n";

#[test]
fn elf_machine_is_read_in_the_headers_byte_order() {
    assert_eq!(elf_arch(&header(2, 1, 183)), Some(Arch::Aarch64));
    assert_eq!(elf_arch(&header(2, 1, 62)), Some(Arch::X86_64));
    assert_eq!(elf_arch(&header(1, 1, 40)), Some(Arch::Arm));
    assert_eq!(elf_arch(&header(1, 2, 40)), Some(Arch::Arm));
    assert_eq!(elf_arch(&header(1, 1, 3)), Some(Arch::I386));
    assert_eq!(elf_arch(&header(2, 1, 21)), None, "ppc64 has no table here");
    assert_eq!(elf_arch(b"#!/bin/sh\n"), None);
    assert_eq!(elf_arch(&header(2, 1, 183)[..19]), None);
}

/// This test binary's own ELF header against the compiler's idea of the target.
#[test]
fn this_binary_is_recognised() {
    let exe = std::fs::read("/proc/self/exe").unwrap();
    let expected = Arch::from_name(std::env::consts::ARCH).unwrap();
    assert_eq!(elf_arch(&exe[..64]), Some(expected));
}

#[test]
fn an_arm64_root_without_compat_asks_for_no_32_bit() {
    let fs = FakeFs::new()
        .file_with("/boot/config-6.1.0-28-arm64", ARM64_CONFIG_NO_COMPAT)
        .file_with("/usr/sbin/auditctl", header(2, 1, 62));
    let abis = of_root(&fs, None);
    assert_eq!(abis.native, Arch::Aarch64, "the kernel config outranks a program: {}", abis.native_from);
    assert_eq!(abis.compat, Compat::Absent("CONFIG_COMPAT is not set in /boot/config-6.1.0-28-arm64".into()));
    assert!(!abis.compat.assumed());
}

#[test]
fn any_kernel_of_the_root_with_compat_asks_for_32_bit() {
    let fs = FakeFs::new()
        .file_with("/boot/config-6.1.0-27-arm64", ARM64_CONFIG_COMPAT)
        .file_with("/boot/config-6.1.0-28-arm64", ARM64_CONFIG_NO_COMPAT);
    let abis = of_root(&fs, None);
    assert_eq!(abis.native, Arch::Aarch64);
    assert_eq!(abis.compat, Compat::Present("CONFIG_COMPAT=y in /boot/config-6.1.0-27-arm64".into()));
}

#[test]
fn without_a_config_the_programs_say_the_arch_and_compat_is_assumed() {
    let fs = FakeFs::new().merged_usr().file_with("/usr/sbin/auditctl", header(2, 1, 183));
    let abis = of_root(&fs, None);
    assert_eq!(abis.native, Arch::Aarch64);
    assert_eq!(abis.native_from, "the ELF machine of /sbin/auditctl");
    assert!(matches!(abis.compat, Compat::Unknown(_)));
    assert!(abis.compat.assumed());

    let sh_only = FakeFs::new().file_with("/bin/dash", header(2, 1, 62)).symlink("/bin/sh", "dash");
    assert_eq!(of_root(&sh_only, None).native, Arch::X86_64);

    let empty = of_root(&FakeFs::new(), None);
    assert_eq!(empty.native, Arch::native());
    assert!(empty.native_from.starts_with("this build"));
}

#[test]
fn x86_64_configs() {
    let fs = FakeFs::new().file_with("/boot/config-6.1.0-28-amd64", "CONFIG_X86_64=y\nCONFIG_IA32_EMULATION=y\n");
    let abis = of_root(&fs, None);
    assert_eq!((abis.native, abis.compat.assumed()), (Arch::X86_64, true));
    let off =
        FakeFs::new().file_with("/boot/config-6.8-amd64", "CONFIG_X86_64=y\n# CONFIG_IA32_EMULATION is not set\n");
    assert_eq!(
        of_root(&off, None).compat,
        Compat::Absent("CONFIG_IA32_EMULATION is not set in /boot/config-6.8-amd64".into())
    );
    // A 32-bit kernel has only its own ABI.
    let i386 = FakeFs::new().file_with("/boot/config-6.1.0-28-686", "CONFIG_X86_32=y\n");
    let abis = of_root(&i386, None);
    assert_eq!((abis.native, abis.compat.assumed()), (Arch::I386, false));
}

#[test]
fn ia32_emulation_on_the_command_line() {
    let built = "CONFIG_X86_64=y\nCONFIG_IA32_EMULATION=y\n";
    let default_off = "CONFIG_X86_64=y\nCONFIG_IA32_EMULATION=y\nCONFIG_IA32_EMULATION_DEFAULT_DISABLED=y\n";
    let judge = |text: &str, cmdline: Option<&str>| {
        from_config(Arch::X86_64, "CONFIG_IA32_EMULATION", text, "c", cmdline).assumed()
    };
    assert!(judge(built, Some("ro quiet")));
    assert!(!judge(built, Some("ro ia32_emulation=0 quiet")));
    assert!(!judge(built, Some("ia32_emulation=off")));
    assert!(judge(built, Some("ia32_emulation=off ia32_emulation=on")), "the last one counts");
    assert!(!judge(default_off, Some("ro")));
    assert!(judge(default_off, Some("ia32_emulation=1")));
    assert!(judge(default_off, None), "offline the command line is unknown");
    // arm64 has no such parameter.
    assert!(from_config(Arch::Aarch64, "CONFIG_COMPAT", ARM64_CONFIG_COMPAT, "c", Some("ia32_emulation=0")).assumed());
}

/// On this machine, two independent signals must agree: the kernel's own config
/// (`/proc/config.gz`, when it has one) and its compat entry points in `/proc/kallsyms`.
#[test]
fn the_running_kernel_config_and_symbols_agree() {
    let (native, _) = running_native();
    assert_eq!(native, Arch::from_name(std::env::consts::ARCH).unwrap());
    let Some(symbol) = compat_symbol(native) else { return };
    let (Some(config), Some([_, compat_entry])) =
        (proc_config_gz(), kallsyms_has(&["__x64_sys_read", "__ia32_sys_read"]).filter(|f| f[0]))
    else {
        eprintln!("no /proc/config.gz or kallsyms names here: nothing to compare");
        return;
    };
    assert_eq!(from_config(native, symbol, &config, "/proc/config.gz", None).assumed(), compat_entry);
}

#[test]
fn arch_given_outranks_the_root_and_reads_only_its_own_configs() {
    let fs = FakeFs::new()
        .file_with("/boot/config-6.1.0-28-amd64", "CONFIG_X86_64=y\nCONFIG_IA32_EMULATION=y\n")
        .file_with("/boot/config-6.1.0-28-arm64", ARM64_CONFIG_NO_COMPAT);
    let abis = of_root(&fs, Some(Arch::Aarch64));
    assert_eq!((abis.native, abis.native_from.as_str()), (Arch::Aarch64, "--arch"));
    assert!(!abis.compat.assumed(), "{:?}", abis.compat);
    let abis = of_root(&fs, Some(Arch::X86_64));
    assert_eq!(abis.compat, Compat::Present("CONFIG_IA32_EMULATION=y in /boot/config-6.1.0-28-amd64".into()));
    let abis = of_root(&FakeFs::new(), Some(Arch::Aarch64));
    assert_eq!(abis.compat, Compat::Unknown("no aarch64 kernel config in /boot".into()));
}

/// An arm64 kernel built with compat on CPUs without AArch32 (Neoverse V2, A64FX):
/// the kernel's refusal of the 32-bit personality outranks its config. The probe
/// itself runs in the arm64 guest on QEMU's a64fx (vm-tests, `check-*-aarch32`).
#[test]
fn an_arm64_cpu_without_aarch32_has_no_compat_abi() {
    let built = || Compat::Present("CONFIG_COMPAT=y in /proc/config.gz".into());
    let absent = with_aarch32_el0(built(), Some(false));
    assert!(!absent.assumed());
    assert!(absent.how().starts_with("CONFIG_COMPAT=y in /proc/config.gz, but the CPUs run no 32-bit programs"));
    assert_eq!(with_aarch32_el0(built(), Some(true)), built());
    assert_eq!(with_aarch32_el0(built(), None), built(), "not asked: the config stands");
    let unknown = || Compat::Unknown("nothing said".into());
    assert!(!with_aarch32_el0(unknown(), Some(false)).assumed());
    assert!(matches!(with_aarch32_el0(unknown(), Some(true)), Compat::Present(_)));
    assert_eq!(with_aarch32_el0(unknown(), None), unknown());
}
