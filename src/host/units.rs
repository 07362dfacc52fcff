//! Where systemd finds a unit file, found natively (no systemctl, which is absent in
//! containers and minimal hosts): the first of systemd's system unit directories that
//! holds the name wins, as in systemd's own search order.

use std::path::{Path, PathBuf};

use super::filesystem::{resolve, Filesystem, ResolveError};

/// systemd's system unit search path, highest priority first (`systemd-analyze
/// unit-paths` without the generator and transient directories, which hold no
/// packaged units).
pub const UNIT_DIRS: [&str; 5] = [
    "/etc/systemd/system",
    "/run/systemd/system",
    "/usr/local/lib/systemd/system",
    "/usr/lib/systemd/system",
    "/lib/systemd/system",
];

/// The unit file systemd would load for `name`, as the path in the directory where it
/// was found (which may itself be a symlink, e.g. into /usr/lib). `None` when no
/// directory has it.
pub fn find_unit(fs: &dyn Filesystem, name: &str) -> Result<Option<PathBuf>, ResolveError> {
    for dir in UNIT_DIRS {
        let path = Path::new(dir).join(name);
        if resolve(fs, &path, true)?.meta.is_some() {
            return Ok(Some(path));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::FakeFs;

    #[test]
    fn a_unit_only_under_usr_lib_is_found() {
        // docker-bench-security reports this layout (Fedora, Arch, merged-/usr Debian
        // without the /lib link) as "file not found".
        let fs = FakeFs::new().file("/usr/lib/systemd/system/docker.service");
        assert_eq!(
            find_unit(&fs, "docker.service").unwrap(),
            Some(PathBuf::from("/usr/lib/systemd/system/docker.service"))
        );
    }

    #[test]
    fn etc_overrides_usr_lib_and_absent_units_are_none() {
        let fs =
            FakeFs::new().file("/usr/lib/systemd/system/docker.service").file("/etc/systemd/system/docker.service");
        assert_eq!(
            find_unit(&fs, "docker.service").unwrap(),
            Some(PathBuf::from("/etc/systemd/system/docker.service"))
        );
        assert_eq!(find_unit(&fs, "docker.socket").unwrap(), None);
    }

    #[test]
    fn a_dangling_link_is_not_a_unit() {
        let fs = FakeFs::new()
            .symlink("/etc/systemd/system/docker.service", "/nowhere")
            .file("/lib/systemd/system/docker.service");
        assert_eq!(
            find_unit(&fs, "docker.service").unwrap(),
            Some(PathBuf::from("/lib/systemd/system/docker.service"))
        );
    }
}
