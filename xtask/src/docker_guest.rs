//! The docker guests of `cargo xtask vm-test`: a second initramfs per architecture
//! (x86_64, arm64) and Debian suite for the scenarios marked `guest docker`, with a
//! real Docker engine.
//!
//! It is the architecture's plain initramfs with one more newc archive appended (the
//! kernel unpacks concatenated archives in order, a later file replacing an earlier
//! one): Debian's `docker.io` (and `docker-cli` where the suite has it apart),
//! `containerd`, `runc` and `tini` of the kernel's own suite and architecture (amd64
//! or arm64) laid out as installed (programs, /etc, systemd units), that suite's
//! `auditd` tools in /sbin in place of the plain guest's (the host's on x86_64,
//! bookworm's arm64 ones on arm64), the shared libraries every program there needs
//! (the suite's glibc and loader replace the plain guest's: newer glibc runs the older
//! programs, not the reverse), and `/vm-tests/docker/busybox.tar`, the image the guest
//! imports: the static busybox of the suite's `busybox-static` with a few applet links.
//!
//! The layout is Debian's for the architecture: the libraries in
//! /lib/x86_64-linux-gnu/ or /lib/aarch64-linux-gnu/, the loader also where the
//! programs' PT_INTERP asks for it (/lib64/ld-linux-x86-64.so.2,
//! /lib/ld-linux-aarch64.so.1). Every ELF file put in the archive is checked to be of
//! the architecture (`tools::elf_machine`).
//!
//! Packages are fetched like the kernels (`kernels::AptDir`: a private apt state per
//! suite and architecture, `target/vm/apt/<suite>/` or `<suite>-arm64/`, the
//! machine's own archive URI), with their library dependencies (every
//! `Depends`/`Pre-Depends` whose name starts with `lib`, recursively), unpacked with
//! `dpkg-deb -x` into `target/vm/docker/<dir>/root/` (`<dir>`: `bookworm`, `trixie`,
//! `bookworm-arm64`, `trixie-arm64`; merged /usr, as `docker-roots` lays them out),
//! complete once `target/vm/docker/<dir>/packages` exists and names what was asked
//! for. Later runs download nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cpio::Cpio;
use crate::docker_roots::{download, mkdir, unpack};
use crate::kernels::{AptDir, Arch};
use crate::tools::{elf_machine, EM_AARCH64, EM_X86_64};
use crate::{arm64_tools, run_checked, tools, XResult};

/// Kernel series with a docker guest (of either architecture), and the suite whose
/// packages it holds.
pub const SUITES: &[(&str, &str)] = &[("6.1", "bookworm"), ("6.12", "trixie")];

/// The packages asked for by name; their `lib*` dependencies come along.
const PACKAGES: &[&str] = &["docker.io", "containerd", "runc", "tini", "busybox-static", "auditd"];

/// Packages taken where the suite has them: trixie's docker.io only recommends its
/// CLI, a package of its own there (bookworm's docker.io holds the CLI).
const WHERE_THERE: &[&str] = &["docker-cli"];

/// Programs of the packages the tests never run, left out to keep the archive small
/// (`ctr` alone is 23-27 MB).
const LEFT_OUT: &[&str] = &["ctr", "dnet", "ovrouter"];

/// The auditd package's programs the guest uses, put in /sbin over the host's.
const AUDIT_TOOLS: &[&str] = &["auditd", "auditctl", "ausearch", "aureport"];

/// Applets linked to busybox in the image.
const APPLETS: &[&str] = &["sh", "true", "echo", "cat", "sleep", "touch", "ls", "id"];

/// Guest memory for a docker boot (both architectures): the archive (about 250 MB)
/// is in memory twice while the kernel unpacks it, then the engine and the vfs
/// copies of the image.
pub const MEMORY: &str = "1536M";

/// The suite of a kernel label ("6.1", "arm64:6.1"), if it has a docker guest.
pub fn suite_for(label: &str) -> Option<&'static str> {
    let label = label.strip_prefix("arm64:").or_else(|| label.strip_prefix("x86_64:")).unwrap_or(label);
    SUITES.iter().find(|(series, suite)| *series == label || *suite == label).map(|(_, s)| *s)
}

/// Where an architecture's Debian programs find their libraries.
struct Layout {
    /// The multiarch triple: the libraries go to /lib/<triple>/.
    multiarch: &'static str,
    /// The loader's name (PT_INTERP's last part).
    loader: &'static str,
    /// The directory PT_INTERP names, where the loader goes too.
    loader_dir: &'static str,
    /// `e_machine` of every ELF file of the packages.
    machine: u16,
}

fn layout(arch: Arch) -> Layout {
    match arch {
        Arch::X86_64 => Layout {
            multiarch: "x86_64-linux-gnu",
            loader: "ld-linux-x86-64.so.2",
            loader_dir: "lib64",
            machine: EM_X86_64,
        },
        Arch::Arm64 => Layout {
            multiarch: "aarch64-linux-gnu",
            loader: arm64_tools::LOADER,
            loader_dir: "lib",
            machine: EM_AARCH64,
        },
    }
}

/// The docker initramfs of `suite` for `arch`: `base` (that architecture's plain
/// initramfs) with the docker archive appended, written to `out`.
pub fn write_initramfs(
    workspace: &Path,
    arch: Arch,
    suite: &str,
    base: &[u8],
    out: &Path,
    refresh: bool,
) -> XResult<()> {
    let cache = workspace.join("target/vm/docker").join(arch.suite_dir(suite));
    let root = fetch_root(workspace, &cache, suite, arch.dpkg(), PACKAGES, WHERE_THERE, refresh)?;
    let image = busybox_tar(&cache, &root, arch)?;
    let mut bytes = base.to_vec();
    bytes.extend(archive(&root, arch, suite, &image)?);
    std::fs::write(out, bytes).map_err(|e| format!("{}: {e}", out.display()))
}

/// `packages` of `suite` for dpkg's architecture `dpkg`, those of `where_there` the
/// suite has, and, recursively, their `lib*` dependencies, unpacked into `cache/root/`
/// (merged /usr, no /usr/share), which is returned. Complete once `cache/packages`
/// exists; its first line is what was asked for, so a cache made for another list is
/// stale. Serves the docker guests, the arm64 guests' audit tools and the 32-bit programs.
pub(crate) fn fetch_root(
    workspace: &Path,
    cache: &Path,
    suite: &str,
    dpkg: &str,
    packages: &[&str],
    where_there: &[&str],
    refresh: bool,
) -> XResult<PathBuf> {
    let marker = cache.join("packages");
    let out = cache.join("root");
    let asked: Vec<&str> = std::iter::once("asked:").chain(packages.iter().chain(where_there).copied()).collect();
    let asked = asked.join(" ");
    let cached = std::fs::read_to_string(&marker).is_ok_and(|t| t.lines().next() == Some(asked.as_str()));
    if !refresh && cached && out.is_dir() {
        return Ok(out);
    }
    eprintln!("vm-test: fetching Debian {suite}'s {} for {dpkg} and their libraries", packages.join(", "));
    let _ = std::fs::remove_file(&marker);
    let _ = std::fs::remove_dir_all(&out);
    let apt = AptDir::for_dpkg_arch(workspace, suite, dpkg)?;
    apt.run("apt-get", &["update", "-q"])?;
    let mut wanted: Vec<&str> = packages.to_vec();
    for p in where_there {
        if apt.output("apt-cache", &["show", "--no-all-versions", p]).is_ok_and(|o| o.contains("Package:")) {
            wanted.push(p);
        }
    }
    let names = closure(&apt, &wanted)?;
    let debs = cache.join("debs");
    let list = unpack(&download(&apt, &names, &debs)?, &cache.join("staging"), &out, true)?;
    std::fs::write(&marker, format!("{asked}\n{}\n", list.join("\n")))
        .map_err(|e| format!("{}: {e}", marker.display()))?;
    let _ = std::fs::remove_dir_all(&debs);
    eprintln!("vm-test: {suite} {dpkg}: {} packages in {}", list.len(), out.display());
    Ok(out)
}

/// `packages` and, recursively, their `lib*` dependencies (also the arm64 guests' auditd).
pub(crate) fn closure(apt: &AptDir, packages: &[&str]) -> XResult<Vec<String>> {
    let mut all: Vec<String> = packages.iter().map(|s| s.to_string()).collect();
    let mut todo = all.clone();
    while !todo.is_empty() {
        let mut args = vec!["depends", "--important"];
        args.extend(todo.iter().map(String::as_str));
        let out = apt.output("apt-cache", &args)?;
        todo = Vec::new();
        for dep in depends(&out) {
            if dep.starts_with("lib") && !all.contains(&dep) {
                all.push(dep.clone());
                todo.push(dep);
            }
        }
    }
    all.sort();
    Ok(all)
}

/// The real packages named by `apt-cache depends` (Depends and PreDepends; of
/// alternatives the first; virtual ones, in <>, skipped).
fn depends(out: &str) -> Vec<String> {
    let mut v = Vec::new();
    let mut alternative = false;
    for l in out.lines() {
        let t = l.trim();
        let (alt, rest) = match t.strip_prefix('|') {
            Some(r) => (true, r),
            None => (false, t),
        };
        let name = rest.strip_prefix("Depends: ").or_else(|| rest.strip_prefix("PreDepends: "));
        let Some(name) = name else { continue };
        // The line after a `|` line is the next alternative of the same dependency.
        let first = !alternative;
        alternative = alt;
        let name = name.trim();
        if first && !name.starts_with('<') {
            let name = name.split(':').next().unwrap_or(name).to_string();
            if !v.contains(&name) {
                v.push(name);
            }
        }
    }
    v
}

/// The image: busybox and its applet links, as a tar for `docker import`.
fn busybox_tar(cache: &Path, root: &Path, arch: Arch) -> XResult<Vec<u8>> {
    let dir = cache.join("image");
    let _ = std::fs::remove_dir_all(&dir);
    for d in ["bin", "etc", "tmp", "proc", "sys", "dev"] {
        mkdir(&dir.join(d))?;
    }
    let busybox = root.join("usr/bin/busybox");
    check_machine(&busybox, arch)?;
    std::fs::copy(&busybox, dir.join("bin/busybox")).map_err(|e| format!("{}: {e}", busybox.display()))?;
    for a in APPLETS {
        std::os::unix::fs::symlink("busybox", dir.join("bin").join(a)).map_err(|e| format!("{a}: {e}"))?;
    }
    let tar = dir.with_extension("tar");
    run_checked(
        Command::new("tar")
            .args(["--numeric-owner", "--owner=0", "--group=0", "--sort=name", "--mtime=@0", "-C"])
            .arg(&dir)
            .arg("-cf")
            .arg(&tar)
            .arg("."),
    )?;
    std::fs::read(&tar).map_err(|e| format!("{}: {e}", tar.display()))
}

/// An error unless the ELF file is `arch`'s.
fn check_machine(path: &Path, arch: Arch) -> XResult<()> {
    if elf_machine(path)? != layout(arch).machine {
        return Err(format!("{} is not an {} program", path.display(), arch.name()));
    }
    Ok(())
}

/// The archive appended to the plain initramfs.
fn archive(root: &Path, arch: Arch, suite: &str, image: &[u8]) -> XResult<Vec<u8>> {
    let lay = layout(arch);
    let mut c = Cpio::new();
    let mut dirs: Vec<String> = Vec::new();
    let parent = |p: &str| Path::new(p).parent().map(|d| d.to_string_lossy().into_owned()).unwrap_or_default();
    let mut elves: Vec<PathBuf> = Vec::new();
    // Programs, configuration and units, where the packages put them.
    for top in ["usr/bin", "usr/sbin", "etc", "usr/lib/systemd"] {
        for (rel, path) in walk(root, top)? {
            let name = Path::new(&rel).file_name().unwrap_or_default().to_string_lossy().into_owned();
            let left_out = LEFT_OUT.contains(&name.as_str()) || name == "busybox" || name.starts_with("au");
            if top.starts_with("usr/") && top.ends_with("bin") && left_out {
                continue;
            }
            c.dirs_to(&parent(&rel), &mut dirs);
            let meta = std::fs::symlink_metadata(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&path).map_err(|e| e.to_string())?;
                c.symlink(&rel, &target.to_string_lossy());
            } else if meta.is_dir() {
                c.dirs_to(&rel, &mut dirs);
            } else {
                use std::os::unix::fs::PermissionsExt;
                let mode = meta.permissions().mode() & 0o7777;
                let body = read(&path)?;
                c.file(&rel, mode, &body);
                if body.starts_with(b"\x7fELF") {
                    elves.push(path.clone());
                }
            }
        }
    }
    for tool in AUDIT_TOOLS {
        let path = root.join("usr/sbin").join(tool);
        c.file(&format!("sbin/{tool}"), 0o755, &read(&path)?);
        elves.push(path);
    }
    // The libraries, under the names the programs ask for, where the loader looks
    // first, and over the plain guest's copies wherever its initramfs put those (the
    // host's on x86_64; arm64's are already at these paths).
    let libs = needed_libraries(root, &elves, lay.multiarch, lay.loader)?;
    let host_paths: Vec<String> = match arch {
        Arch::X86_64 => tools::audit_tool_files()?.into_iter().map(|(_, g)| g).collect(),
        Arch::Arm64 => Vec::new(),
    };
    for path in elves.iter().chain(libs.iter().map(|(_, p)| p)) {
        check_machine(path, arch)?;
    }
    for (name, path) in &libs {
        let body = read(path)?;
        let mut at = vec![format!("lib/{}/{name}", lay.multiarch)];
        if *name == lay.loader {
            at.push(format!("{}/{name}", lay.loader_dir));
        }
        for h in &host_paths {
            if Path::new(h).file_name().is_some_and(|f| f.to_string_lossy() == *name) {
                at.push(h.trim_start_matches('/').to_string());
            }
        }
        at.sort();
        at.dedup();
        for a in at {
            c.dirs_to(&parent(&a), &mut dirs);
            c.file(&a, 0o755, &body);
        }
    }
    // Debian's /var/run is a link to /run (the docker CLI's default socket is
    // /var/run/docker.sock, docker.socket listens on /run/docker.sock); the plain
    // initramfs has an empty directory there, which the kernel replaces.
    c.symlink("var/run", "../run");
    c.dirs_to("vm-tests/docker", &mut dirs);
    c.file("vm-tests/docker/busybox.tar", 0o644, image);
    let packages = std::fs::read_to_string(root.with_file_name("packages")).unwrap_or_default();
    let debs: String = packages.lines().filter(|l| !l.starts_with("asked:")).map(|l| format!("{l}\n")).collect();
    c.file("vm-tests/docker/packages", 0o644, format!("suite {suite} {}\n{debs}", arch.dpkg()).as_bytes());
    Ok(c.finish())
}

/// (path relative to root, full path) of everything under root/top, symlinks not followed.
fn walk(root: &Path, top: &str) -> XResult<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    let mut stack = vec![root.join(top)];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for p in entries {
            let rel = p.strip_prefix(root).map_err(|e| e.to_string())?.to_string_lossy().into_owned();
            if std::fs::symlink_metadata(&p).is_ok_and(|m| m.is_dir()) {
                stack.push(p.clone());
            }
            out.push((rel, p));
        }
    }
    out.sort();
    Ok(out)
}

/// The shared objects the programs (under a merged-/usr `root` of Debian packages of the
/// `multiarch` triple, e.g. x86_64-linux-gnu) load, transitively, and the `loader`:
/// (name, file). `readelf` reads the ELF files of any architecture.
pub(crate) fn needed_libraries(
    root: &Path,
    programs: &[PathBuf],
    multiarch: &str,
    loader: &str,
) -> XResult<Vec<(String, PathBuf)>> {
    let dirs = [format!("usr/lib/{multiarch}"), "usr/lib".into(), "usr/lib64".into()];
    let find = |name: &str| -> Option<PathBuf> { dirs.iter().map(|d| root.join(d).join(name)).find(|p| p.exists()) };
    let mut libs: Vec<(String, PathBuf)> = Vec::new();
    libs.push((loader.into(), find(loader).ok_or_else(|| format!("{}: no {loader}", root.display()))?));
    let mut todo: Vec<PathBuf> = programs.to_vec();
    while let Some(f) = todo.pop() {
        let out = run_checked(Command::new("readelf").arg("-d").arg(&f))?;
        for l in out.lines().filter(|l| l.contains("(NEEDED)")) {
            let Some(name) = l.split('[').nth(1).and_then(|r| r.split(']').next()) else { continue };
            if libs.iter().any(|(n, _)| n == name) {
                continue;
            }
            let path = find(name).ok_or_else(|| format!("{} needs {name}, in no package fetched", f.display()))?;
            libs.push((name.to_string(), path.clone()));
            todo.push(path);
        }
    }
    libs.sort();
    Ok(libs)
}

fn read(p: &Path) -> XResult<Vec<u8>> {
    std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depends_takes_first_alternatives_and_skips_virtual() {
        let out = "docker.io\n  Depends: adduser\n  Depends: containerd\n |Depends: iptables\n  Depends: nftables\n  \
                   PreDepends: init-system-helpers\n  Depends: <libc6-virtual>\n  Depends: libc6:any\n";
        assert_eq!(depends(out), ["adduser", "containerd", "iptables", "init-system-helpers", "libc6"]);
    }

    #[test]
    fn suites() {
        assert_eq!(suite_for("6.1"), Some("bookworm"));
        assert_eq!(suite_for("trixie"), Some("trixie"));
        assert_eq!(suite_for("5.10"), None);
        assert_eq!(suite_for("arm64:6.12"), Some("trixie"));
        assert_eq!(suite_for("arm64:/boot/Image"), None);
    }
}
