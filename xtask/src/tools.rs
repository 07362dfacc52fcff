//! Host tools vm-test needs, the static builds, and the files of the audit tools the guests run.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{cargo, root, run_checked, XResult};

const MUSL: &str = "x86_64-unknown-linux-musl";
const GNU: &str = "x86_64-unknown-linux-gnu";

pub fn on_path(prog: &str) -> bool {
    std::env::var_os("PATH").map(|p| std::env::split_paths(&p).any(|d| d.join(prog).is_file())).unwrap_or(false)
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("Uid:")).map(|l| l.split_whitespace().nth(2) == Some("0")))
        .unwrap_or(false)
}

/// The host's auditctl (from Debian's auditd package), if installed.
pub fn auditctl_path() -> Option<PathBuf> {
    ["/sbin/auditctl", "/usr/sbin/auditctl"].iter().map(PathBuf::from).find(|p| p.is_file())
}

/// Install what the tests need and is missing: Debian packages (as root, with
/// apt-get; otherwise say what to install) and the musl Rust target.
/// Installing auditd never touches the host's audit state by itself here
/// (Debian's policy-rc.d in containers; elsewhere auditd is wanted anyway),
/// and vm-test itself only runs `auditctl` in the guests.
pub fn ensure_tools() -> XResult<()> {
    let mut missing = Vec::new();
    for (present, pkg) in [
        (on_path("qemu-system-x86_64"), "qemu-system-x86"),
        // The arm64 guests (`vm-test --arch arm64`; `cargo xtask test` boots one).
        (on_path("qemu-system-aarch64"), "qemu-system-arm"),
        // auditctl and ausearch (the `events` oracle) both come with auditd.
        (
            auditctl_path().is_some()
                && ["/sbin/ausearch", "/usr/sbin/ausearch"].iter().any(|p| Path::new(p).is_file()),
            "auditd",
        ),
        (on_path("dpkg-deb"), "dpkg"),
        (on_path("apt-get"), "apt"),
        (on_path("ldd"), "libc-bin"),
        // The least-privilege tests watch dockaudit under strace; bench reads peak RSS
        // from GNU time; the report tests build a venv for the real consumers.
        (on_path("strace"), "strace"),
        (Path::new("/usr/bin/time").is_file(), "time"),
        (
            Command::new("python3").args(["-c", "import ensurepip"]).output().is_ok_and(|o| o.status.success()),
            "python3-venv",
        ),
        (Path::new("/usr/share/keyrings/debian-archive-keyring.gpg").is_file(), "debian-archive-keyring"),
    ] {
        if !present {
            missing.push(pkg);
        }
    }
    if !missing.is_empty() {
        if !is_root() {
            return Err(format!("missing tools; run: sudo apt-get install -y {}", missing.join(" ")));
        }
        eprintln!("vm-test: installing {}", missing.join(" "));
        run_checked(Command::new("apt-get").args(["update", "-q"]))?;
        run_checked(
            Command::new("apt-get")
                .env("DEBIAN_FRONTEND", "noninteractive")
                .args(["install", "-y", "-q", "--no-install-recommends"])
                .args(&missing),
        )?;
    }
    ensure_musl_target();
    Ok(())
}

/// Add the musl target with rustup when it is missing; without it the static builds
/// link glibc statically instead.
pub fn ensure_musl_target() {
    if on_path("rustup") {
        let installed = run_checked(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
        if !installed.lines().any(|l| l.trim() == MUSL) {
            eprintln!("xtask: rustup target add {MUSL}");
            if let Err(e) = run_checked(Command::new("rustup").args(["target", "add", MUSL])) {
                eprintln!("xtask: could not add {MUSL} ({e}); will link glibc statically instead");
            }
        }
    }
}

fn musl_available() -> bool {
    // The sysroot of an installed target holds its std.
    let Ok(out) = run_checked(Command::new("rustc").args(["--print", "sysroot"])) else {
        return false;
    };
    Path::new(out.trim()).join("lib/rustlib").join(MUSL).join("lib").is_dir()
}

/// Build `bin` of `package` as a static x86-64 executable (musl, or glibc
/// with +crt-static when the musl target cannot be had) and return its path.
pub fn build_static(package: &str, bin: &str) -> XResult<PathBuf> {
    let (target, rustflags) =
        if musl_available() { (MUSL, None) } else { (GNU, Some("-C target-feature=+crt-static")) };
    let mut cmd = Command::new(cargo());
    cmd.current_dir(root()).args(["build", "--release", "--target", target, "-p", package, "--bin", bin]);
    if let Some(f) = rustflags {
        // With --target, RUSTFLAGS reaches the target only, not build scripts.
        let old = std::env::var("RUSTFLAGS").unwrap_or_default();
        cmd.env("RUSTFLAGS", format!("{old} {f}").trim());
    }
    eprintln!("xtask: building {bin} ({target}, static)");
    let status = cmd.status().map_err(|e| format!("cargo build: {e}"))?;
    if !status.success() {
        return Err(format!("cargo build of {package} for {target} failed"));
    }
    let path = root().join("target").join(target).join("release").join(bin);
    if !is_static(&path)? {
        return Err(format!("{} is dynamically linked (has an ELF interpreter)", path.display()));
    }
    Ok(path)
}

/// The musl target of arm64 hosts (`cargo xtask dist`'s second binary).
pub const AARCH64_MUSL: &str = "aarch64-unknown-linux-musl";

/// Adds the aarch64 musl target's standard library with rustup when it is missing
/// (without rustup, cargo says what is missing).
pub fn ensure_aarch64_target() -> XResult<()> {
    if on_path("rustup") {
        let installed = run_checked(Command::new("rustup").args(["target", "list", "--installed"]))?;
        if !installed.lines().any(|l| l.trim() == AARCH64_MUSL) {
            eprintln!("xtask: rustup target add {AARCH64_MUSL}");
            run_checked(Command::new("rustup").args(["target", "add", AARCH64_MUSL]))?;
        }
    }
    Ok(())
}

/// Builds `bin` as a static, stripped aarch64 executable and returns its path.
///
/// Rust's musl targets carry their own C runtime (crt objects and libc.a), so the only
/// thing an x86_64 host lacks is a linker for arm64 objects: the toolchain's own
/// `rust-lld` links them, and no cross gcc or sysroot from apt is needed. `strip` of the
/// host's binutils reads x86_64 only, so the symbols are stripped by rustc at link time.
pub fn build_static_aarch64(package: &str, bin: &str) -> XResult<PathBuf> {
    ensure_aarch64_target()?;
    let mut cmd = Command::new(cargo());
    cmd.current_dir(root()).args(["build", "--release", "--target", AARCH64_MUSL, "-p", package, "--bin", bin]);
    if std::env::var_os("CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER").is_none() {
        cmd.env("CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER", "rust-lld");
    }
    // With --target, RUSTFLAGS reaches the target only, not build scripts.
    let old = std::env::var("CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_RUSTFLAGS").unwrap_or_default();
    cmd.env("CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_RUSTFLAGS", format!("{old} -C strip=symbols").trim());
    eprintln!("xtask: building {bin} ({AARCH64_MUSL}, static, rust-lld)");
    let status = cmd.status().map_err(|e| format!("cargo build: {e}"))?;
    if !status.success() {
        return Err(format!("cargo build of {package} for {AARCH64_MUSL} failed"));
    }
    let path = root().join("target").join(AARCH64_MUSL).join("release").join(bin);
    if elf_machine(&path)? != EM_AARCH64 {
        return Err(format!("{} is not an arm64 executable", path.display()));
    }
    if !is_static(&path)? {
        return Err(format!("{} is dynamically linked (has an ELF interpreter)", path.display()));
    }
    Ok(path)
}

/// `e_machine` of arm64 ELF files.
pub const EM_AARCH64: u16 = 183;
/// `e_machine` of x86_64 ELF files.
pub const EM_X86_64: u16 = 62;

/// The ELF file's `e_machine`: which processor it is for.
pub fn elf_machine(path: &Path) -> XResult<u16> {
    let b = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if b.len() < 20 || &b[..4] != b"\x7fELF" || b[5] != 1 {
        return Err(format!("{} is not a little-endian ELF file", path.display()));
    }
    Ok(u16::from_le_bytes([b[18], b[19]]))
}

/// True when a little-endian ELF file (64- or 32-bit, e.g. arm64's armhf programs) has
/// no PT_INTERP program header.
pub fn is_static(path: &Path) -> XResult<bool> {
    let b = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if b.len() < 52 || &b[..4] != b"\x7fELF" || !matches!(b[4], 1 | 2) || b[5] != 1 {
        return Err(format!("{} is not a little-endian ELF file", path.display()));
    }
    let elf64 = b[4] == 2;
    if elf64 && b.len() < 64 {
        return Err(format!("{} is a truncated ELF64 file", path.display()));
    }
    let u16at = |o: usize| u16::from_le_bytes([b[o], b[o + 1]]) as usize;
    let (phoff, phentsize, phnum) = if elf64 {
        (u64::from_le_bytes(b[0x20..0x28].try_into().unwrap()) as usize, u16at(0x36), u16at(0x38))
    } else {
        (u32::from_le_bytes(b[0x1c..0x20].try_into().unwrap()) as usize, u16at(0x2a), u16at(0x2c))
    };
    for i in 0..phnum {
        let o = phoff + i * phentsize;
        if o + 4 > b.len() {
            break;
        }
        if u32::from_le_bytes(b[o..o + 4].try_into().unwrap()) == 3 {
            return Ok(false);
        }
    }
    Ok(true)
}

/// True when an ELF64 file still has a `.symtab` (an SHT_SYMTAB section): not stripped.
pub fn has_symbol_table(path: &Path) -> XResult<bool> {
    let b = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if b.len() < 64 || &b[..4] != b"\x7fELF" || b[4] != 2 {
        return Err(format!("{} is not an ELF64 file", path.display()));
    }
    let u16at = |o: usize| u16::from_le_bytes([b[o], b[o + 1]]) as usize;
    let shoff = u64::from_le_bytes(b[0x28..0x30].try_into().unwrap()) as usize;
    let (shentsize, shnum) = (u16at(0x3a), u16at(0x3c));
    const SHT_SYMTAB: u32 = 2;
    Ok((0..shnum).any(|i| {
        let o = shoff + i * shentsize + 4;
        b.get(o..o + 4).is_some_and(|t| u32::from_le_bytes(t.try_into().unwrap()) == SHT_SYMTAB)
    }))
}

/// The audit tools copied into the guests: auditctl (the oracle of the rule
/// scenarios), the real auditd and the log oracles ausearch and aureport, all
/// from Debian's auditd package, put in the guest's /sbin.
pub const GUEST_AUDIT_TOOLS: [&str; 4] = ["auditctl", "auditd", "ausearch", "aureport"];

/// The audit tools and every shared object they load (with the dynamic
/// loader), as (path on the host, path in the guest), each file once. Paths
/// in the guest are the ones ldd prints, so the loader finds them where it
/// looks on the host.
pub fn audit_tool_files() -> XResult<Vec<(PathBuf, String)>> {
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    for tool in GUEST_AUDIT_TOOLS {
        let path = ["/sbin", "/usr/sbin"]
            .iter()
            .map(|d| Path::new(d).join(tool))
            .find(|p| p.is_file())
            .ok_or_else(|| format!("{tool} is not installed (apt-get install auditd)"))?;
        let out = run_checked(Command::new("ldd").arg(&path))?;
        files.push((path, format!("/sbin/{tool}")));
        for line in out.lines() {
            let line = line.trim();
            if line.contains("not found") {
                return Err(format!("ldd {tool}: {line}"));
            }
            // "libx.so.1 => /lib/x/libx.so.1 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"
            let lib = match line.split_once("=>") {
                Some((_, r)) => r.split_whitespace().next().unwrap_or(""),
                None => line.split_whitespace().next().unwrap_or(""),
            };
            if lib.starts_with('/') && !files.iter().any(|(_, g)| g == lib) {
                files.push((PathBuf::from(lib), lib.to_string()));
            }
        }
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_test_binary_is_an_elf() {
        let exe = std::env::current_exe().unwrap();
        // A normal test build is dynamically linked.
        assert!(!is_static(&exe).unwrap());
        assert_eq!(elf_machine(&exe).unwrap(), if cfg!(target_arch = "x86_64") { EM_X86_64 } else { EM_AARCH64 });
        // A test build keeps its symbols; the system's stripped binaries do not.
        assert!(has_symbol_table(&exe).unwrap());
        assert!(!has_symbol_table(Path::new("/bin/ls")).unwrap());
    }
}
