//! Which syscall ABIs the kernel that runs (or will load) the rules has: its native
//! arch, which bare `-S` names and `-F arch=b64` mean, and whether it has a 32-bit
//! compat ABI (`-F arch=b32`), through which a 32-bit program reaches the same files.
//!
//! Decisions (README "check" says them to users):
//! - Live, the native arch is the running kernel's `uname` machine, as libaudit's
//!   `audit_detect_machine` reads it (so a 32-bit dockaudit on a 64-bit kernel still
//!   judges the 64-bit table); a machine we have no table for falls back to this build's.
//! - For a root's files (`--root`, `fix` offline) it is the kernel config under
//!   `ROOT/boot` (`CONFIG_ARM64=y`, `CONFIG_X86_64=y`, ...), else the ELF machine of the
//!   root's `auditctl` (the program that will load the rules), `dockerd` or `/bin/sh`,
//!   else this build's arch; the answer says which.
//! - The compat ABI is the kernel config's `CONFIG_COMPAT` (arm64) or
//!   `CONFIG_IA32_EMULATION` (x86_64): live from `/proc/config.gz`, then
//!   `ROOT/boot/config-RELEASE`, then `/proc/kallsyms` (the compat syscall entry points
//!   `__ia32_sys_*` / `__arm64_compat_sys_*` are there exactly when it is built in);
//!   on x86_64 `ia32_emulation=` on `/proc/cmdline` and
//!   `CONFIG_IA32_EMULATION_DEFAULT_DISABLED` turn it off at boot. Offline, every
//!   `ROOT/boot/config-*`: absent only if no kernel there has it (the root may boot any).
//!   On arm64, live, the kernel is also asked whether its CPUs run 32-bit programs at
//!   all (`personality(PER_LINUX32)`): newer cores have no AArch32, compat built or not.
//!   Unknown is judged as present: asking for 32-bit coverage that cannot be needed
//!   costs a rule, leaving it out where it is needed would pass a host that misses events.

use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

use crate::host::{resolve, FileKind, Filesystem, HostFs};
use crate::rule::syscalls::Arch;

/// Whether the kernel has a 32-bit compat ABI, and how we know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Compat {
    /// It has one: 32-bit programs call it with their own syscall numbers.
    Present(String),
    /// It has none (or it is off): only the native ABI reaches the kernel.
    Absent(String),
    /// Nothing said; judged as [`Compat::Present`].
    Unknown(String),
}

impl Compat {
    /// Whether 32-bit programs are judged as able to call the kernel.
    pub fn assumed(&self) -> bool {
        !matches!(self, Compat::Absent(_))
    }

    /// How we know, in words (empty when nobody said).
    pub fn how(&self) -> &str {
        match self {
            Compat::Present(how) | Compat::Absent(how) | Compat::Unknown(how) => how,
        }
    }
}

/// The ABIs of the kernel the rules are judged for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KernelAbis {
    /// The native arch: bare `-S` names, `arch=b64`.
    pub native: Arch,
    /// Where `native` comes from, in words.
    pub native_from: String,
    /// The 32-bit compat ABI (`arch=b32`).
    pub compat: Compat,
}

/// The config symbol that builds the compat ABI of a 64-bit native arch.
pub fn compat_symbol(native: Arch) -> Option<&'static str> {
    match native {
        Arch::X86_64 => Some("CONFIG_IA32_EMULATION"),
        Arch::Aarch64 => Some("CONFIG_COMPAT"),
        Arch::I386 | Arch::Arm => None,
    }
}

/// `uname(2)`'s machine and release of the running kernel.
fn uname() -> Option<(String, String)> {
    let mut buf = std::mem::MaybeUninit::<libc::utsname>::zeroed();
    // SAFETY: uname fills the struct it is given; it is only read when it returned 0.
    if unsafe { libc::uname(buf.as_mut_ptr()) } != 0 {
        return None;
    }
    // SAFETY: uname returned 0, so the struct is filled with NUL-terminated fields.
    let u = unsafe { buf.assume_init() };
    let field = |f: &[libc::c_char]| {
        #[allow(clippy::unnecessary_cast)] // c_char is i8 on x86_64, u8 on arm64
        let bytes: Vec<u8> = f.iter().take_while(|&&c| c != 0).map(|&c| c as u8).collect();
        String::from_utf8_lossy(&bytes).into_owned()
    };
    Some((field(&u.machine), field(&u.release)))
}

/// The running kernel's native arch (`uname -m`), and the words saying so.
pub fn running_native() -> (Arch, String) {
    native_of(uname().as_ref())
}

/// The native arch `uname`'s answer names.
fn native_of(uname: Option<&(String, String)>) -> (Arch, String) {
    match uname {
        Some((machine, _)) => match Arch::from_name(machine) {
            Some(arch) => (arch, format!("the running kernel's uname machine {machine}")),
            None => (
                Arch::native(),
                format!("this build ({}): no syscall table for the machine {machine}", Arch::native().name()),
            ),
        },
        None => (Arch::native(), format!("this build ({}): uname failed", Arch::native().name())),
    }
}

/// The running kernel's ABIs; `root` is where its files are (`/`, or `--host-root`).
pub fn running(root: &Path) -> KernelAbis {
    let uname = uname();
    let (native, native_from) = native_of(uname.as_ref());
    let release = uname.map(|(_, r)| r).unwrap_or_default();
    let compat = match compat_symbol(native) {
        None => Compat::Absent(format!("a {} kernel has one ABI", native.name())),
        Some(symbol) => running_compat(native, symbol, root, &release),
    };
    KernelAbis { native, native_from, compat }
}

fn running_compat(native: Arch, symbol: &str, root: &Path, release: &str) -> Compat {
    let built = built_compat(native, symbol, root, release);
    if native != Arch::Aarch64 || matches!(built, Compat::Absent(_)) {
        return built;
    }
    with_aarch32_el0(built, aarch32_el0())
}

/// An arm64 kernel's compat ABI as built, corrected by whether its CPUs run AArch32
/// programs at all (`None`: not asked). Arm's newer cores (Neoverse V2, AmpereOne,
/// A64FX) have no AArch32 at EL0: Debian's kernels build `CONFIG_COMPAT` for them
/// all the same, yet no 32-bit program can ever run, so `arch=b32` rules would
/// never fire and are not asked for.
fn with_aarch32_el0(built: Compat, runs_aarch32: Option<bool>) -> Compat {
    const HOW: &str = "the kernel refuses personality(PER_LINUX32)";
    match (built, runs_aarch32) {
        (Compat::Present(how), Some(false)) => {
            Compat::Absent(format!("{how}, but the CPUs run no 32-bit programs: {HOW} (no AArch32 at EL0)"))
        }
        (Compat::Unknown(_), Some(false)) => {
            Compat::Absent(format!("{HOW}: no 32-bit program runs (no CONFIG_COMPAT, or no AArch32 at EL0)"))
        }
        (Compat::Unknown(_), Some(true)) => {
            Compat::Present("the kernel accepts personality(PER_LINUX32): the CPUs run 32-bit programs".into())
        }
        (built, _) => built,
    }
}

/// Whether arm64's kernel lets this process take the 32-bit personality, which it
/// refuses exactly when it cannot run AArch32 programs (`system_supports_32bit_el0`:
/// no `CONFIG_COMPAT`, or a CPU without AArch32 at EL0). The old personality is put
/// back at once; `uname` is the only thing the 32-bit one would change meanwhile.
#[cfg(target_arch = "aarch64")]
fn aarch32_el0() -> Option<bool> {
    const PER_LINUX32: libc::c_ulong = 0x0008;
    const PER_MASK: libc::c_ulong = 0x00ff;
    const QUERY: libc::c_ulong = 0xffff_ffff;
    // SAFETY: personality only reads or sets this thread's personality word.
    let old = unsafe { libc::personality(QUERY) };
    if old < 0 {
        return None;
    }
    let old = old as libc::c_ulong;
    if old & PER_MASK == PER_LINUX32 {
        return Some(true);
    }
    // SAFETY: as above; the old personality is restored right after.
    if unsafe { libc::personality((old & !PER_MASK) | PER_LINUX32) } < 0 {
        return match std::io::Error::last_os_error().raw_os_error() {
            Some(libc::EINVAL) => Some(false),
            _ => None,
        };
    }
    // SAFETY: as above.
    unsafe { libc::personality(old) };
    Some(true)
}

/// Only an arm64 build can ask an arm64 kernel (an x86_64 program does not run there).
#[cfg(not(target_arch = "aarch64"))]
fn aarch32_el0() -> Option<bool> {
    None
}

/// The compat ABI as the running kernel's config (or symbols) say it is built.
fn built_compat(native: Arch, symbol: &str, root: &Path, release: &str) -> Compat {
    let cmdline = std::fs::read_to_string("/proc/cmdline").unwrap_or_default();
    if let Some(text) = proc_config_gz() {
        return from_config(native, symbol, &text, "/proc/config.gz", Some(&cmdline));
    }
    let boot = Path::new("/boot").join(format!("config-{release}"));
    let fs = HostFs::new(root);
    if let Some(text) = read_text(&fs, &boot) {
        let shown = root.join(boot.strip_prefix("/").unwrap_or(&boot));
        return from_config(native, symbol, &text, &shown.display().to_string(), Some(&cmdline));
    }
    let (native_entry, compat_entry) = match native {
        Arch::X86_64 => ("__x64_sys_read", "__ia32_sys_read"),
        _ => ("__arm64_sys_read", "__arm64_compat_sys_sigreturn"),
    };
    match kallsyms_has(&[native_entry, compat_entry]) {
        Some([true, true]) => ia32_cmdline(native, &cmdline, false)
            .unwrap_or(Compat::Present(format!("/proc/kallsyms has {compat_entry}"))),
        Some([true, false]) => Compat::Absent(format!("/proc/kallsyms has {native_entry} but no {compat_entry}")),
        _ => Compat::Unknown(format!(
            "no /proc/config.gz, no {}, and /proc/kallsyms does not say",
            root.join("boot").join(format!("config-{release}")).display()
        )),
    }
}

/// `/proc/config.gz` (`CONFIG_IKCONFIG_PROC`), decompressed.
fn proc_config_gz() -> Option<String> {
    let file = std::fs::File::open("/proc/config.gz").ok()?;
    let mut text = String::new();
    flate2::read::GzDecoder::new(file).take(16 << 20).read_to_string(&mut text).ok()?;
    Some(text)
}

/// Which of `names` `/proc/kallsyms` lists (a core symbol's line ends with its name).
fn kallsyms_has<const N: usize>(names: &[&str; N]) -> Option<[bool; N]> {
    let file = std::fs::File::open("/proc/kallsyms").ok()?;
    let mut found = [false; N];
    for line in std::io::BufReader::new(file).lines() {
        let line = line.ok()?;
        if let Some(name) = line.rsplit(' ').next() {
            for (i, n) in names.iter().enumerate() {
                found[i] |= name == *n;
            }
        }
    }
    Some(found)
}

/// A config symbol's value: `Some("y")`, or `None` for `# X is not set` and for no line.
fn config_value<'t>(text: &'t str, symbol: &str) -> Option<&'t str> {
    text.lines().find_map(|l| l.strip_prefix(symbol).and_then(|rest| rest.strip_prefix('=')))
}

/// The compat ABI a config text builds, `cmdline` the running kernel's (live only).
fn from_config(native: Arch, symbol: &str, text: &str, shown: &str, cmdline: Option<&str>) -> Compat {
    match config_value(text, symbol) {
        Some("y") => {
            let default_off =
                native == Arch::X86_64 && config_value(text, "CONFIG_IA32_EMULATION_DEFAULT_DISABLED") == Some("y");
            if let Some(off) = cmdline.and_then(|c| ia32_cmdline(native, c, default_off)) {
                return off;
            }
            if default_off {
                let how = format!("{symbol}=y but CONFIG_IA32_EMULATION_DEFAULT_DISABLED=y in {shown}");
                return match cmdline {
                    Some(_) => Compat::Absent(format!("{how}, and no ia32_emulation=1 on /proc/cmdline")),
                    None => Compat::Unknown(format!("{how}: on only if booted with ia32_emulation=1")),
                };
            }
            Compat::Present(format!("{symbol}=y in {shown}"))
        }
        _ => Compat::Absent(format!("{symbol} is not set in {shown}")),
    }
}

/// x86_64's `ia32_emulation=` boot parameter (6.7+, read by `kstrtobool`) where it
/// differs from the default: off when the config built it in, on when it defaults off.
fn ia32_cmdline(native: Arch, cmdline: &str, default_off: bool) -> Option<Compat> {
    if native != Arch::X86_64 {
        return None;
    }
    let value = cmdline.split_whitespace().rev().find_map(|w| w.strip_prefix("ia32_emulation="))?;
    let on = match value.as_bytes() {
        [b'1' | b'y' | b'Y' | b't' | b'T', ..] => true,
        [b'o' | b'O', b'n' | b'N', ..] => true,
        [b'0' | b'n' | b'N' | b'f' | b'F', ..] => false,
        [b'o' | b'O', b'f' | b'F', ..] => false,
        _ => return None,
    };
    match (on, default_off) {
        (false, false) => Some(Compat::Absent(format!("/proc/cmdline turns it off (ia32_emulation={value})"))),
        (true, true) => Some(Compat::Present(format!("/proc/cmdline turns it on (ia32_emulation={value})"))),
        _ => None,
    }
}

/// The arch a kernel config is for.
fn config_arch(text: &str) -> Option<Arch> {
    [
        ("CONFIG_ARM64", Arch::Aarch64),
        ("CONFIG_X86_64", Arch::X86_64),
        ("CONFIG_X86_32", Arch::I386),
        ("CONFIG_ARM", Arch::Arm),
    ]
    .into_iter()
    .find(|(symbol, _)| config_value(text, symbol) == Some("y"))
    .map(|(_, arch)| arch)
}

/// A file under the root read as text (resolved inside it), at most 16 MiB.
fn read_text(fs: &dyn Filesystem, path: &Path) -> Option<String> {
    let at = resolve(fs, path, true).ok()?;
    if at.meta?.kind != FileKind::File {
        return None;
    }
    String::from_utf8(fs.read_resolved(&at.path, 16 << 20).ok()?).ok()
}

/// Programs whose ELF machine says what a root runs on, most telling first: the
/// auditctl that will load the rules, the daemon they watch, the shell.
const ELF_WITNESSES: [&str; 5] =
    ["/sbin/auditctl", "/usr/sbin/auditctl", "/usr/bin/dockerd", "/usr/sbin/dockerd", "/bin/sh"];

/// An ELF header's machine (`e_machine`, in the header's byte order).
pub fn elf_arch(header: &[u8]) -> Option<Arch> {
    if header.len() < 20 || &header[..4] != b"\x7fELF" {
        return None;
    }
    let bytes = [header[18], header[19]];
    let machine = if header[5] == 2 { u16::from_be_bytes(bytes) } else { u16::from_le_bytes(bytes) };
    // An AUDIT_ARCH_* value is the ELF machine with the 64-bit and little-endian flags above it.
    Arch::ALL.into_iter().find(|arch| arch.audit_value() & 0xffff == u32::from(machine))
}

/// The ABIs of the kernel a root's files are for (`--root`): see the module doc.
/// `arch` (`--arch`) says the native arch instead of the root's files; the compat ABI
/// is then read from the root's kernel configs for that arch.
pub fn of_root(fs: &dyn Filesystem, arch: Option<Arch>) -> KernelAbis {
    let shown = |p: &Path| match fs.root() {
        Some(root) => root.join(p.strip_prefix("/").unwrap_or(p)).display().to_string(),
        None => p.display().to_string(),
    };
    let mut configs: Vec<(PathBuf, String)> = Vec::new();
    if let Ok(boot) = resolve(fs, Path::new("/boot"), true) {
        let mut names: Vec<String> = fs
            .list_resolved(&boot.path)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|n| n.into_string().ok())
            .filter(|n| n.starts_with("config-"))
            .collect();
        names.sort();
        for name in names {
            let path = Path::new("/boot").join(&name);
            if let Some(text) = read_text(fs, &path) {
                configs.push((path, text));
            }
        }
    }
    let from_configs = configs.iter().rev().find_map(|(path, text)| config_arch(text).map(|a| (a, path)));
    let (native, native_from) = match (arch, from_configs) {
        (Some(arch), _) => (arch, "--arch".to_string()),
        (None, Some((arch, path))) => (arch, format!("the kernel config {}", shown(path))),
        (None, None) => match ELF_WITNESSES.iter().find_map(|p| elf_of(fs, Path::new(p)).map(|a| (a, p))) {
            Some((arch, path)) => (arch, format!("the ELF machine of {}", shown(Path::new(path)))),
            None => (
                Arch::native(),
                format!("this build ({}): no kernel config or program under the root says", Arch::native().name()),
            ),
        },
    };
    let compat = match compat_symbol(native) {
        None => Compat::Absent(format!("a {} kernel has one ABI", native.name())),
        Some(symbol) => {
            let ours: Vec<&(PathBuf, String)> =
                configs.iter().filter(|(_, text)| config_arch(text) == Some(native)).collect();
            let judged: Vec<Compat> =
                ours.iter().map(|(path, text)| from_config(native, symbol, text, &shown(path), None)).collect();
            if judged.is_empty() {
                Compat::Unknown(format!("no {} kernel config in {}", native.name(), shown(Path::new("/boot"))))
            } else if let Some(first) = judged.iter().find(|c| c.assumed()) {
                first.clone()
            } else {
                let files: Vec<String> = ours.iter().map(|(p, _)| shown(p)).collect();
                Compat::Absent(format!("{symbol} is not set in {}", files.join(", ")))
            }
        }
    };
    KernelAbis { native, native_from, compat }
}

fn elf_of(fs: &dyn Filesystem, path: &Path) -> Option<Arch> {
    let at = resolve(fs, path, true).ok()?;
    (at.meta?.kind == FileKind::File).then_some(())?;
    elf_arch(&fs.read_resolved(&at.path, 64).ok()?)
}

#[cfg(test)]
#[path = "abi_tests.rs"]
mod tests;
