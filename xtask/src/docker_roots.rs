//! `cargo xtask docker-roots`: root filesystems made from Debian's own Docker packages
//! (`docker.io`, `containerd`, `runc`, `tini`) of bookworm, trixie and sid, for the
//! discovery tests (`tests/integration/docker.rs`), which judge where each suite really
//! puts dockerd, runc and the shims instead of trusting a table.
//!
//! The packages are fetched with apt through the same private per-suite state as the VM
//! kernels (`target/vm/apt/<suite>/`, the machine's own archive URI, nothing of the
//! host's apt touched), unpacked with `dpkg-deb -x`, never installed, and laid out as an
//! installed merged-/usr system: `/bin`, `/sbin`, `/lib`, `/lib64` are links into
//! `/usr`, and what a package ships under `/lib` lands in `/usr/lib` (as dpkg does on a
//! merged-/usr host). The result is `target/docker-roots/<suite>/root/`, complete once
//! `target/docker-roots/<suite>/packages` (the .deb names) exists; once there, no run
//! downloads anything.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::kernels::AptDir;
use crate::{root, run_checked, XResult};

pub const SUITES: &[&str] = &["bookworm", "trixie", "sid"];
pub const PACKAGES: &[&str] = &["docker.io", "containerd", "runc", "tini"];

/// `cargo xtask docker-roots [--refresh] [SUITE...]`.
#[derive(Debug, clap::Args)]
pub struct Options {
    /// Build again even where a suite's root is cached.
    #[arg(long)]
    refresh: bool,
    /// Debian suites (default: all of them).
    #[arg(value_name = "SUITE", value_parser = clap::builder::PossibleValuesParser::new(SUITES))]
    suites: Vec<String>,
}

pub fn docker_roots(o: &Options) -> XResult<bool> {
    let all: Vec<String> = SUITES.iter().map(|s| s.to_string()).collect();
    for suite in if o.suites.is_empty() { &all } else { &o.suites } {
        let dir = build(&root(), suite, o.refresh)?;
        println!("{}", dir.display());
    }
    Ok(true)
}

/// Every suite's root, built or found in the cache (for `cargo xtask test`).
pub fn build_all() -> XResult<()> {
    for suite in SUITES {
        build(&root(), suite, false)?;
    }
    Ok(())
}

/// Builds (or finds in the cache) one suite's root and returns it.
fn build(workspace: &Path, suite: &str, refresh: bool) -> XResult<PathBuf> {
    let cache = workspace.join("target/docker-roots").join(suite);
    let marker = cache.join("packages");
    let out = cache.join("root");
    if !refresh && marker.is_file() && out.is_dir() {
        return Ok(out);
    }
    eprintln!("docker-roots: fetching Debian {suite}'s {}", PACKAGES.join(", "));
    let _ = std::fs::remove_file(&marker);
    let _ = std::fs::remove_dir_all(&out);
    let apt = AptDir::new(workspace, suite)?;
    apt.run("apt-get", &["update", "-q"])?;
    let debs = cache.join("debs");
    let files = download(&apt, PACKAGES, &debs)?;
    if files.len() != PACKAGES.len() {
        return Err(format!(
            "apt-get download left {} .deb files in {}, not {}",
            files.len(),
            debs.display(),
            PACKAGES.len()
        ));
    }
    let names = unpack(&files, &cache.join("staging"), &out, false)?;
    std::fs::write(&marker, names.join("\n") + "\n").map_err(|e| format!("{}: {e}", marker.display()))?;
    let _ = std::fs::remove_dir_all(&debs);
    eprintln!("docker-roots: {suite}: {} in {}", names.join(" "), out.display());
    Ok(out)
}

/// `apt-get download` of `names` into a fresh `debs` directory: the .deb files there,
/// sorted (so that they unpack in the same order every time).
pub fn download<S: AsRef<std::ffi::OsStr>>(apt: &AptDir, names: &[S], debs: &Path) -> XResult<Vec<PathBuf>> {
    let _ = std::fs::remove_dir_all(debs);
    mkdir(debs)?;
    let mut dl = apt.command("apt-get", &["download", "-q"]);
    dl.args(names).current_dir(debs);
    run_checked(&mut dl)?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(debs)
        .map_err(|e| format!("{}: {e}", debs.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "deb"))
        .collect();
    files.sort();
    Ok(files)
}

/// Unpacks `debs` in order into the merged-/usr root `out`, each through `staging`;
/// `without_docs` leaves /usr/share out (never used in a guest, and two packages may ship
/// the same file there). Returns the .deb file names, for a cache marker.
pub fn unpack(debs: &[PathBuf], staging: &Path, out: &Path, without_docs: bool) -> XResult<Vec<String>> {
    merged_usr_skeleton(out)?;
    for deb in debs {
        let _ = std::fs::remove_dir_all(staging);
        run_checked(Command::new("dpkg-deb").arg("-x").arg(deb).arg(staging))?;
        if without_docs {
            let _ = std::fs::remove_dir_all(staging.join("usr/share"));
        }
        install(staging, out)?;
    }
    let _ = std::fs::remove_dir_all(staging);
    Ok(debs.iter().map(|f| f.file_name().unwrap_or_default().to_string_lossy().into_owned()).collect())
}

/// `/bin`, `/sbin`, `/lib`, `/lib64` as links into `/usr`, as on any Debian since
/// bookworm (usrmerge); `/usr/sbin` stays a directory of its own.
pub fn merged_usr_skeleton(out: &Path) -> XResult<()> {
    for d in ["usr/bin", "usr/sbin", "usr/lib", "usr/lib64", "etc", "run", "var/lib"] {
        mkdir(&out.join(d))?;
    }
    for top in ["bin", "sbin", "lib", "lib64"] {
        let link = out.join(top);
        std::os::unix::fs::symlink(format!("usr/{top}"), &link).map_err(|e| format!("{}: {e}", link.display()))?;
    }
    std::os::unix::fs::symlink("../run", out.join("var/run")).map_err(|e| format!("var/run: {e}"))?;
    Ok(())
}

/// Moves an unpacked package into the root, the top-level `/bin`, `/sbin`, `/lib`,
/// `/lib64` into `/usr` (dpkg writes through the links the same way).
pub fn install(staging: &Path, out: &Path) -> XResult<()> {
    for entry in std::fs::read_dir(staging).map_err(|e| format!("{}: {e}", staging.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        let name = entry.file_name();
        let to = match name.to_str() {
            Some(top @ ("bin" | "sbin" | "lib" | "lib64")) => out.join("usr").join(top),
            _ => out.join(&name),
        };
        merge(&entry.path(), &to)?;
    }
    Ok(())
}

/// Moves `from` to `to`, descending where both are real directories.
fn merge(from: &Path, to: &Path) -> XResult<()> {
    let is_real_dir = |p: &Path| std::fs::symlink_metadata(p).is_ok_and(|m| m.is_dir());
    if is_real_dir(from) && is_real_dir(to) {
        for entry in std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
            let entry = entry.map_err(|e| e.to_string())?;
            merge(&entry.path(), &to.join(entry.file_name()))?;
        }
        return Ok(());
    }
    if std::fs::symlink_metadata(to).is_ok() {
        return Err(format!("{} is shipped twice", to.display()));
    }
    std::fs::rename(from, to).map_err(|e| format!("{} -> {}: {e}", from.display(), to.display()))
}

pub(crate) fn mkdir(p: &Path) -> XResult<()> {
    std::fs::create_dir_all(p).map_err(|e| format!("{}: {e}", p.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packages_land_in_usr_through_the_merged_links() {
        let dir = std::env::temp_dir().join(format!("xtask-docker-roots-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let (root, staging) = (dir.join("root"), dir.join("staging"));
        merged_usr_skeleton(&root).unwrap();
        for f in ["lib/systemd/system/docker.service", "sbin/runc", "usr/bin/containerd", "etc/default/docker"] {
            let p = staging.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, f).unwrap();
        }
        std::os::unix::fs::symlink("../sbin/runc", staging.join("usr/bin/runc")).unwrap();
        install(&staging, &root).unwrap();
        for (path, text) in [
            ("usr/lib/systemd/system/docker.service", "lib/systemd/system/docker.service"),
            ("usr/sbin/runc", "sbin/runc"),
            ("usr/bin/runc", "sbin/runc"),
            ("sbin/runc", "sbin/runc"),
            ("etc/default/docker", "etc/default/docker"),
        ] {
            assert_eq!(std::fs::read_to_string(root.join(path)).unwrap(), text, "{path}");
        }
        assert!(std::fs::symlink_metadata(root.join("lib")).unwrap().file_type().is_symlink());
        // The same file from two packages is an error, not a silent overwrite.
        std::fs::create_dir_all(staging.join("usr/bin")).unwrap();
        std::fs::write(staging.join("usr/bin/containerd"), "again").unwrap();
        assert!(install(&staging, &root).unwrap_err().contains("shipped twice"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
