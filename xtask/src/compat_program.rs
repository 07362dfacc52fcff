//! The 32-bit program of the VM guests: Debian bookworm's `busybox-static` of the
//! guest's 32-bit architecture (i386 in the x86_64 guests, armhf in the arm64 ones), at
//! [`PATH`]. It is what `-F arch=b32` rules are about: where the kernel runs 32-bit
//! programs, its system calls reach the compat ABI, which 64-bit-only rules miss; where
//! it does not (`ia32_emulation=0`, a CPU without AArch32), the kernel refuses to
//! execute it (`vm-tests/scenarios/45-compat-abi.scn`).
//!
//! Fetched with apt's architecture set to the 32-bit one (a private state,
//! `target/vm/apt/bookworm-<dpkg>/`), unpacked into
//! `target/vm/compat-program/bookworm-<dpkg>/root/`; later runs download nothing.

use std::path::{Path, PathBuf};

use crate::arm64_tools::fetch;
use crate::kernels::Arch;
use crate::tools::{elf_machine, is_static};
use crate::XResult;

/// Where the guests have it.
pub const PATH: &str = "/vm-tests/compat/busybox";

/// The 32-bit program of `arch`'s guests as (path on the host, path in the guest).
pub fn files(workspace: &Path, arch: Arch, refresh: bool) -> XResult<(PathBuf, String)> {
    // dpkg's architecture and the ELF machine (EM_386, EM_ARM) of its programs.
    let (dpkg, machine) = match arch {
        Arch::X86_64 => ("i386", 3),
        Arch::Arm64 => ("armhf", 40),
    };
    let root = fetch(workspace, "compat-program", dpkg, &["busybox-static"], refresh)?;
    let path = root.join("bin/busybox");
    if elf_machine(&path)? != machine || !is_static(&path)? {
        return Err(format!("{} is not a static {dpkg} program", path.display()));
    }
    Ok((path, PATH.to_string()))
}
