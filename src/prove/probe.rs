//! The harmless accesses `check --prove` makes. Each is one that the kernel refuses
//! before anything changes, yet after the path lookup that audit watches and `path=`
//! rules see, so the covering rule records it as an attempt:
//! - write (`w`): `openat(O_WRONLY|O_DIRECTORY)`: a file is not a directory (ENOTDIR) and
//!   a directory cannot be opened for writing (EISDIR); audit's open class reads the
//!   access mode from the flags, so `w` matches;
//! - attribute (`a`): `removexattr` of an attribute nobody sets (ENODATA, or EOPNOTSUPP
//!   where the filesystem has none): the xattr syscalls are in the attribute class;
//! - read (`r`): `openat(O_RDONLY|O_DIRECTORY)`: a file is refused (ENOTDIR); a directory
//!   is opened and closed without reading it (no atime change);
//! - execute (`x`) only: nothing, since proving it would mean executing the file.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::rule::perm;
use crate::rule::syscalls::{syscall_number, Arch};

/// The attribute `removexattr` asks for; no one sets it, so the call always fails.
pub const PROBE_XATTR: &str = "user.dockaudit.probe";

/// Which access a probe makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// An open for writing the kernel refuses.
    Write,
    /// The removal of an attribute that does not exist.
    Attribute,
    /// An open for reading that reads nothing.
    Read,
}

impl Access {
    /// The access for rules recording the `perm` bits: write, else attribute, else read;
    /// none for execute only (or nothing).
    pub fn for_perms(perms: u32) -> Option<Access> {
        [(perm::WRITE, Access::Write), (perm::ATTR, Access::Attribute), (perm::READ, Access::Read)]
            .into_iter()
            .find(|(bit, _)| perms & bit != 0)
            .map(|(_, access)| access)
    }

    /// The syscall it makes, by name (in the native arch's table).
    pub fn syscall(self) -> &'static str {
        match self {
            Access::Write | Access::Read => "openat",
            Access::Attribute => "removexattr",
        }
    }

    /// The syscall's number in `arch`.
    pub fn number(self, arch: Arch) -> Option<u32> {
        syscall_number(arch, self.syscall())
    }

    /// What it does, for the report.
    pub fn describe(self) -> String {
        match self {
            Access::Write => "openat(O_WRONLY|O_DIRECTORY), refused before the file is opened".into(),
            Access::Attribute => format!("removexattr({PROBE_XATTR}), an attribute that does not exist"),
            Access::Read => "openat(O_RDONLY|O_DIRECTORY), nothing read".into(),
        }
    }
}

/// Makes the access on `path`; the errno the kernel answered (0 when it succeeded, as a
/// read-only open of a directory does; the directory is closed at once).
pub fn make(access: Access, path: &Path) -> i32 {
    let Ok(c_path) = CString::new(path.as_os_str().as_bytes()) else { return libc::EINVAL };
    let result = match access {
        Access::Write | Access::Read => {
            let mode = if access == Access::Write { libc::O_WRONLY } else { libc::O_RDONLY };
            // SAFETY: a NUL-terminated path and plain flags; the fd, if any, is closed below.
            let fd =
                unsafe { libc::openat(libc::AT_FDCWD, c_path.as_ptr(), mode | libc::O_DIRECTORY | libc::O_CLOEXEC) };
            if fd >= 0 {
                // SAFETY: closing the descriptor just opened, used nowhere else.
                unsafe { libc::close(fd) };
            }
            fd
        }
        Access::Attribute => {
            let name = CString::new(PROBE_XATTR).expect("no NUL in the name");
            // SAFETY: two NUL-terminated strings; removexattr writes nothing back.
            unsafe { libc::removexattr(c_path.as_ptr(), name.as_ptr()) }
        }
    };
    if result < 0 {
        std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO)
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    fn stat(path: &Path) -> (u32, u32, u64, i64, i64, i64, i64) {
        let m = std::fs::symlink_metadata(path).unwrap();
        (m.mode(), m.uid(), m.size(), m.mtime(), m.mtime_nsec(), m.ctime(), m.ctime_nsec())
    }

    #[test]
    fn probes_change_nothing_and_are_refused_where_they_must_be() {
        let dir = std::env::temp_dir().join(format!("dockaudit-probe-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("daemon.json");
        std::fs::write(&file, "{}").unwrap();
        let (file_before, dir_before) = (stat(&file), stat(&dir));
        assert_eq!(make(Access::Write, &file), libc::ENOTDIR);
        assert_eq!(make(Access::Write, &dir), libc::EISDIR);
        assert_eq!(make(Access::Read, &file), libc::ENOTDIR);
        assert_eq!(make(Access::Read, &dir), 0);
        assert!(matches!(make(Access::Attribute, &file), libc::ENODATA | libc::EOPNOTSUPP));
        assert!(matches!(make(Access::Attribute, &dir), libc::ENODATA | libc::EOPNOTSUPP));
        assert_eq!(stat(&file), file_before);
        assert_eq!(stat(&dir), dir_before);
        assert_eq!(std::fs::read(&file).unwrap(), b"{}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_access_follows_the_recorded_permissions() {
        assert_eq!(Access::for_perms(perm::ALL), Some(Access::Write));
        assert_eq!(Access::for_perms(perm::ATTR | perm::READ), Some(Access::Attribute));
        assert_eq!(Access::for_perms(perm::READ | perm::EXEC), Some(Access::Read));
        assert_eq!(Access::for_perms(perm::EXEC), None);
        assert_eq!(Access::for_perms(0), None);
    }
}
