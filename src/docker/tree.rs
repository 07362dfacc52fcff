//! File contents and directory listings inside the root being judged.
//!
//! [`Filesystem`] answers only `lstat` and `readlink` (all the judge needs to compare
//! inodes). Discovery also reads unit files, daemon.json and config.toml, and lists
//! drop-in directories, so [`Tree`] adds those two reads on top of it. Every path is
//! first resolved with [`resolve`], the same walk the judge uses, so absolute symlinks
//! stay inside `--root` and a file is read only at a path with no symlink left in it.
//! Nothing is opened for writing.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::error::DiscoveryError;
use crate::host::{resolve, FakeFs, FileKind, Filesystem, HostFs, Resolved};

/// The biggest configuration file read (unit files, daemon.json, config.toml, env
/// files are a few KiB; a huge one is a mistake or an attack, not a configuration).
pub const TEXT_LIMIT: u64 = 1 << 20;

/// A root's files: the [`Filesystem`] primitives plus reading and listing.
pub trait Tree {
    fn fs(&self) -> &dyn Filesystem;
    /// Up to `limit` bytes of the file at `path`, which has no symlink left in it.
    fn read_resolved(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>>;
    /// The names in the directory at `path`, which has no symlink left in it.
    fn list_resolved(&self, path: &Path) -> io::Result<Vec<OsString>>;
    /// Whether the file at `path` contains `needle`, read in chunks (a 50 MB binary
    /// is scanned without holding it).
    fn contains(&self, path: &Path, needle: &[u8]) -> io::Result<bool>;
}

/// The real files under a root directory (`/`, `--root DIR`, `--host-root DIR`).
pub struct HostTree {
    root: PathBuf,
    fs: HostFs,
}

impl HostTree {
    pub fn new(root: impl Into<PathBuf>) -> HostTree {
        let root = root.into();
        HostTree { fs: HostFs::new(root.clone()), root }
    }

    /// The root directory on this machine.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn real(&self, path: &Path) -> PathBuf {
        self.root.join(path.strip_prefix("/").unwrap_or(path))
    }

    fn open(&self, path: &Path) -> io::Result<std::fs::File> {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NOFOLLOW: the path was resolved; a link that appeared since is not followed.
        std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK).open(self.real(path))
    }
}

impl Tree for HostTree {
    fn fs(&self) -> &dyn Filesystem {
        &self.fs
    }

    fn read_resolved(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        self.open(path)?.take(limit).read_to_end(&mut out)?;
        Ok(out)
    }

    fn list_resolved(&self, path: &Path) -> io::Result<Vec<OsString>> {
        std::fs::read_dir(self.real(path))?.map(|e| e.map(|e| e.file_name())).collect()
    }

    fn contains(&self, path: &Path, needle: &[u8]) -> io::Result<bool> {
        let mut file = self.open(path)?;
        let mut buf = vec![0u8; 1 << 20];
        let keep = needle.len().saturating_sub(1);
        let mut filled = 0;
        loop {
            let n = file.read(&mut buf[filled..])?;
            if n == 0 {
                return Ok(false);
            }
            filled += n;
            if find(&buf[..filled], needle) {
                return Ok(true);
            }
            // Keep the tail that could start a match across the chunk boundary.
            buf.copy_within(filled - keep.min(filled)..filled, 0);
            filled = keep.min(filled);
        }
    }
}

/// An in-memory root for tests: a [`FakeFs`] plus the files' contents.
#[derive(Clone, Debug, Default)]
pub struct FakeTree {
    fs: FakeFs,
    contents: BTreeMap<PathBuf, Vec<u8>>,
    names: BTreeSet<PathBuf>,
}

impl FakeTree {
    pub fn new() -> FakeTree {
        FakeTree { fs: FakeFs::new(), ..FakeTree::default() }
    }

    /// `path` with its parent directories resolved, so a file added under a link
    /// (`/lib/systemd/system/...` when `/lib -> usr/lib`) lands where a real
    /// filesystem would put it.
    fn place(&self, path: &str) -> String {
        let p = Path::new(path);
        match (p.parent(), p.file_name()) {
            (Some(parent), Some(name)) => match resolve(&self.fs, parent, true) {
                Ok(r) => r.path.join(name).to_string_lossy().into_owned(),
                Err(_) => path.to_string(),
            },
            _ => path.to_string(),
        }
    }

    fn record(&mut self, path: &str) {
        let mut p = PathBuf::from(path);
        self.names.insert(p.clone());
        while p.pop() {
            self.names.insert(p.clone());
        }
    }

    /// A regular file with these contents.
    pub fn file(mut self, path: &str, text: &str) -> FakeTree {
        let path = &self.place(path);
        self.fs = self.fs.file(path);
        self.contents.insert(PathBuf::from(path), text.as_bytes().to_vec());
        self.record(path);
        self
    }

    /// An empty regular file (a binary, for discovery).
    pub fn exe(self, path: &str) -> FakeTree {
        self.file(path, "")
    }

    pub fn dir(mut self, path: &str) -> FakeTree {
        let path = &self.place(path);
        self.fs = self.fs.dir(path);
        self.record(path);
        self
    }

    pub fn symlink(mut self, path: &str, target: &str) -> FakeTree {
        let path = &self.place(path);
        self.fs = self.fs.symlink(path, target);
        self.record(path);
        self
    }

    /// `/bin`, `/sbin`, `/lib` as links into `/usr`, as on Debian since bookworm.
    pub fn merged_usr(self) -> FakeTree {
        self.dir("/usr/bin")
            .dir("/usr/sbin")
            .dir("/usr/lib")
            .symlink("/bin", "usr/bin")
            .symlink("/sbin", "usr/sbin")
            .symlink("/lib", "usr/lib")
    }
}

impl Tree for FakeTree {
    fn fs(&self) -> &dyn Filesystem {
        &self.fs
    }

    fn read_resolved(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>> {
        match self.contents.get(path) {
            Some(c) => Ok(c[..c.len().min(limit as usize)].to_vec()),
            None => Err(io::Error::from_raw_os_error(libc::ENOENT)),
        }
    }

    fn list_resolved(&self, path: &Path) -> io::Result<Vec<OsString>> {
        Ok(self
            .names
            .iter()
            .filter(|p| p.parent() == Some(path))
            .filter_map(|p| p.file_name().map(|n| n.to_os_string()))
            .collect())
    }

    fn contains(&self, path: &Path, needle: &[u8]) -> io::Result<bool> {
        Ok(find(&self.read_resolved(path, u64::MAX)?, needle))
    }
}

/// Whether `needle` occurs in `hay`: candidates by the first byte (a fast scan even
/// in a debug build), then compared whole.
fn find(hay: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else { return true };
    let mut from = 0;
    while let Some(i) = hay[from..].iter().position(|&b| b == first) {
        let at = from + i;
        if hay[at + 1..].starts_with(rest) {
            return true;
        }
        from = at + 1;
    }
    false
}

/// A text file as read.
#[derive(Clone, Debug)]
pub struct TextFile {
    pub text: String,
}

/// Where `path` leads with every symlink followed; `None` when nothing is there.
pub fn existing(tree: &dyn Tree, path: &Path) -> Result<Option<Resolved>, DiscoveryError> {
    let r = resolve(tree.fs(), path, true)?;
    Ok(r.meta.is_some().then_some(r))
}

/// The text of the regular file at `path` (symlinks followed inside the root), or
/// `None` when there is none. Invalid UTF-8 is replaced, as a config parser would
/// reject it anyway.
pub fn read_text(tree: &dyn Tree, path: &Path) -> Result<Option<TextFile>, DiscoveryError> {
    let Some(r) = existing(tree, path)? else { return Ok(None) };
    if r.meta.is_some_and(|m| m.kind != FileKind::File) {
        return Ok(None);
    }
    let bytes = tree
        .read_resolved(&r.path, TEXT_LIMIT + 1)
        .map_err(|source| DiscoveryError::Read { path: path.to_path_buf(), source })?;
    if bytes.len() as u64 > TEXT_LIMIT {
        return Err(DiscoveryError::TooLarge { path: path.to_path_buf(), limit: TEXT_LIMIT });
    }
    Ok(Some(TextFile { text: String::from_utf8_lossy(&bytes).into_owned() }))
}

/// The names in the directory at `path` (symlinks followed), sorted; empty when there
/// is no such directory.
pub fn list_dir(tree: &dyn Tree, path: &Path) -> Result<Vec<String>, DiscoveryError> {
    let Some(r) = existing(tree, path)? else { return Ok(Vec::new()) };
    if r.meta.is_some_and(|m| m.kind != FileKind::Dir) {
        return Ok(Vec::new());
    }
    let mut names: Vec<String> = tree
        .list_resolved(&r.path)
        .map_err(|source| DiscoveryError::List { path: path.to_path_buf(), source })?
        .into_iter()
        .map(|n| n.to_string_lossy().into_owned())
        .collect();
    names.sort();
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_follow_links_inside_the_root_and_absent_files_are_none() {
        let t = FakeTree::new()
            .merged_usr()
            .file("/usr/lib/systemd/system/docker.service", "[Service]\n")
            .symlink("/etc/docker/daemon.json", "/srv/daemon.json")
            .file("/srv/daemon.json", "{}");
        let f = read_text(&t, Path::new("/lib/systemd/system/docker.service")).unwrap().unwrap();
        assert_eq!(f.text, "[Service]\n");
        assert_eq!(read_text(&t, Path::new("/etc/docker/daemon.json")).unwrap().unwrap().text, "{}");
        assert!(read_text(&t, Path::new("/etc/default/docker")).unwrap().is_none());
        assert!(read_text(&t, Path::new("/usr/lib")).unwrap().is_none(), "a directory is not a text file");
        assert_eq!(list_dir(&t, Path::new("/lib/systemd/system")).unwrap(), ["docker.service"]);
        assert!(list_dir(&t, Path::new("/etc/systemd")).unwrap().is_empty());
    }

    #[test]
    fn the_host_tree_stays_in_its_root_and_scans_across_chunks() {
        let tmp = std::env::temp_dir().join(format!("dockaudit-tree-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(tmp.join("etc/docker")).unwrap();
        std::fs::write(tmp.join("etc/docker/daemon.json"), "{\"data-root\": \"/srv\"}").unwrap();
        std::os::unix::fs::symlink("/etc/docker/daemon.json", tmp.join("etc/link")).unwrap();
        let mut big = vec![b'x'; (1 << 20) - 3];
        big.extend_from_slice(b"github.com/containerd/containerd/v2/");
        std::fs::write(tmp.join("big"), &big).unwrap();
        let t = HostTree::new(&tmp);
        assert_eq!(read_text(&t, Path::new("/etc/link")).unwrap().unwrap().text, "{\"data-root\": \"/srv\"}");
        assert!(t.contains(Path::new("/big"), b"github.com/containerd/containerd/v2/").unwrap());
        assert!(!t.contains(Path::new("/etc/docker/daemon.json"), b"containerd").unwrap());
        std::fs::remove_dir_all(&tmp).unwrap();
    }
}
