//! What names in a rule mean on the system being judged, read through the `Filesystem`
//! seam so tests can judge a fake host and `--root` an image, with one code path.

use std::cell::OnceCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::feature;
use crate::host::{resolve, FileKind, Filesystem, HostFs};
use crate::kernel;
use crate::rule::syscalls::Arch;

/// What names in a rule mean on the system being judged: users and groups from its
/// `/etc/passwd` and `/etc/group` (not NSS: the files of `root`, which need not be the
/// running system), whether a watched path is a directory there, the native arch and
/// the kernel's feature bits.
pub struct Resolver {
    /// Owned, so `Resolver` has no lifetime and callers keep writing `&Resolver`.
    fs: Box<dyn Filesystem>,
    /// The root as messages name it (`ROOT/etc/passwd`).
    root: PathBuf,
    native: Arch,
    features: u32,
    users: OnceCell<HashMap<String, u32>>,
    groups: OnceCell<HashMap<String, u32>>,
}

impl Resolver {
    /// Judges against the files under `root` (`/` for the running host).
    pub fn new(root: impl Into<PathBuf>) -> Resolver {
        let root = root.into();
        Resolver::with_files(Box::new(HostFs::new(root.clone())), root)
    }

    /// Judges against any filesystem (a test's `FakeFs`): names and directories mean
    /// what they mean there, the same code path as for a real root.
    pub fn over(fs: impl Filesystem + 'static) -> Resolver {
        let root = fs.root().unwrap_or(Path::new("/")).to_path_buf();
        Resolver::with_files(Box::new(fs), root)
    }

    /// The native arch is the judged machine's: for `/` the running kernel's, for
    /// another root what its files say ([`crate::kernel::of_root`]).
    fn with_files(fs: Box<dyn Filesystem>, root: PathBuf) -> Resolver {
        let native = match fs.root() {
            None => kernel::running_native().0,
            Some(_) => kernel::of_root(fs.as_ref(), None).native,
        };
        Resolver { fs, root, native, features: feature::ALL, users: OnceCell::new(), groups: OnceCell::new() }
    }

    /// The arch `-S` names are looked up in when no `-F arch` precedes them: the judged
    /// machine's, which need not be the one dockaudit runs on (`--arch`, or the arch the
    /// caller found the root's kernel to be).
    pub fn with_arch(mut self, native: Arch) -> Resolver {
        self.native = native;
        self
    }

    /// The kernel's `feature_bitmap` (from `AUDIT_GET`), when judging for a live kernel.
    pub fn with_features(mut self, bitmap: u32) -> Resolver {
        self.features = bitmap;
        self
    }

    /// The judged root, as messages name it.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The arch bare `-S` names mean, for callers that list or compare syscalls.
    pub fn native(&self) -> Arch {
        self.native
    }

    pub(super) fn features(&self) -> u32 {
        self.features
    }

    /// `ROOT/etc/NAME`, as the messages about unknown names show it.
    pub(super) fn etc(&self, name: &str) -> PathBuf {
        self.root.join("etc").join(name)
    }

    pub(super) fn user(&self, name: &str) -> Option<u32> {
        self.users.get_or_init(|| self.id_table("passwd")).get(name).copied()
    }

    pub(super) fn group(&self, name: &str) -> Option<u32> {
        self.groups.get_or_init(|| self.id_table("group")).get(name).copied()
    }

    /// `name:x:ID:...` lines of `/etc/NAME`; an unreadable file (or one that is not
    /// UTF-8) knows no names.
    fn id_table(&self, name: &str) -> HashMap<String, u32> {
        let text = self.fs.read(&Path::new("/etc").join(name)).ok().and_then(|bytes| String::from_utf8(bytes).ok());
        text.map(|text| id_table(&text)).unwrap_or_default()
    }

    /// `stat(path)` as seen inside the root: symlinks are followed, absolute targets
    /// resolved against the root rather than the running system.
    pub fn is_dir(&self, path: &str) -> bool {
        resolve(self.fs.as_ref(), Path::new(path), true).is_ok_and(|r| r.meta.is_some_and(|m| m.kind == FileKind::Dir))
    }
}

/// The first entry for a name wins, as with getpwnam.
fn id_table(text: &str) -> HashMap<String, u32> {
    let mut table = HashMap::new();
    for line in text.lines() {
        let mut parts = line.split(':');
        if let (Some(name), Some(_), Some(id)) = (parts.next(), parts.next(), parts.next()) {
            if let Ok(id) = id.trim().parse::<u32>() {
                table.entry(name.to_string()).or_insert(id);
            }
        }
    }
    table
}
