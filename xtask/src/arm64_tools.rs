//! The audit tools of the arm64 guests: Debian's `auditd` package for arm64, of the
//! host's own suite (bookworm: audit 3.0.9, the version the x86_64 guests run), with
//! the arm64 libraries it loads and arm64's loader.
//!
//! Fetched like the kernels and the docker guests' packages (`kernels::AptDir` with
//! arm64 as apt's only architecture, under `target/vm/apt/<suite>-arm64/`): `auditd`
//! and, recursively, its `lib*` dependencies, unpacked with `dpkg-deb -x` into
//! `target/vm/arm64-tools/<suite>-arm64/root/` (merged /usr), complete once
//! `target/vm/arm64-tools/<suite>-arm64/packages` exists and names what was asked
//! for (`docker_guest::fetch_root`). Later runs download nothing.
//!
//! The guest's paths are Debian's: the tools in /sbin (as on x86_64), the libraries in
//! /lib/aarch64-linux-gnu/, the loader at /lib/ld-linux-aarch64.so.1 (the programs'
//! PT_INTERP), so the loader finds everything where it looks without an ld.so.cache.

use std::path::{Path, PathBuf};

use crate::docker_guest::{fetch_root, needed_libraries};
use crate::kernels::suite_dir;
use crate::tools::{elf_machine, EM_AARCH64, GUEST_AUDIT_TOOLS};
use crate::XResult;

/// The suite whose arm64 auditd the guests run, whatever their kernel's suite.
pub const SUITE: &str = "bookworm";

/// The arm64 loader, where Debian's programs ask for it (/lib/).
pub const LOADER: &str = "ld-linux-aarch64.so.1";

/// The audit tools and every shared object they load (with the loader), as (path
/// on the host, path in the guest), like `tools::audit_tool_files` for x86_64.
pub fn audit_tool_files(workspace: &Path, refresh: bool) -> XResult<Vec<(PathBuf, String)>> {
    let root = fetch(workspace, "arm64-tools", "arm64", &["auditd"], refresh)?;
    let mut files = Vec::new();
    let mut programs = Vec::new();
    for tool in GUEST_AUDIT_TOOLS {
        let path = root.join("usr/sbin").join(tool);
        if elf_machine(&path)? != EM_AARCH64 {
            return Err(format!("{} is not an arm64 program", path.display()));
        }
        files.push((path.clone(), format!("/sbin/{tool}")));
        programs.push(path);
    }
    for (name, path) in needed_libraries(&root, &programs, "aarch64-linux-gnu", LOADER)? {
        let guest = if name == LOADER { format!("/lib/{name}") } else { format!("/lib/aarch64-linux-gnu/{name}") };
        files.push((path, guest));
    }
    Ok(files)
}

/// `packages` of bookworm for dpkg's architecture `dpkg` and their `lib*` dependencies,
/// unpacked under `target/vm/<kind>/` (cached; also the 32-bit programs' packages).
pub(crate) fn fetch(workspace: &Path, kind: &str, dpkg: &str, packages: &[&str], refresh: bool) -> XResult<PathBuf> {
    let cache = workspace.join("target/vm").join(kind).join(suite_dir(SUITE, dpkg));
    fetch_root(workspace, &cache, SUITE, dpkg, packages, &[], refresh)
}
