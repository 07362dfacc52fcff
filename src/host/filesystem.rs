//! The filesystem as the evaluator sees it: which file a path names, resolved the way
//! the kernel resolves it, inside a root directory (`/` on the host, or `--root DIR`
//! for an image or a mounted disk, where absolute symlinks must stay inside DIR).
//!
//! Resolution is one algorithm over two primitives (`lstat`, `readlink`), so the real
//! filesystem and the fake used by tests cannot disagree on what a symlink means.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::ffi::OsString;
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

/// A file's identity: what the kernel compares when a watch decides whether an event
/// is about its file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FileId {
    /// `st_dev` of the filesystem holding it.
    pub dev: u64,
    /// `st_ino`.
    pub ino: u64,
}

/// The type `lstat` reports, reduced to what resolution and judging tell apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link (never followed by `lstat`).
    Symlink,
    /// A socket, FIFO or device node (e.g. docker.sock).
    Other,
}

/// What `lstat` says about a path: the file itself, not what a symlink there points to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Meta {
    /// Its device and inode.
    pub id: FileId,
    /// Its type.
    pub kind: FileKind,
}

/// The primitives. Paths are absolute and relative to the root.
pub trait Filesystem {
    /// `lstat(2)` of `path` under the root: a symlink is not followed.
    fn lstat(&self, path: &Path) -> io::Result<Meta>;
    /// A symlink's target as written (relative, or absolute meaning inside the root).
    fn readlink(&self, path: &Path) -> io::Result<PathBuf>;
    /// `statfs(2)`'s `f_type`: what `-a never,filesystem -F fstype=...` compares.
    fn fs_magic(&self, path: &Path) -> Option<u64>;
    /// A small file's bytes (`/etc/passwd`, `/etc/group`): a rule's user and group names
    /// mean what the judged root says, so they are read through the same seam.
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;
    /// Up to `limit` bytes of the regular file at `path`, a path [`resolve`] gave (no
    /// symlink left in it): the last component is not followed (`O_NOFOLLOW`), so a
    /// link that appeared since cannot lead out of the root. Discovery reads unit
    /// files, daemon.json and config.toml through it.
    fn read_resolved(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>>;
    /// The names in the directory at `path`, a path [`resolve`] gave.
    fn list_resolved(&self, path: &Path) -> io::Result<Vec<OsString>>;
    /// Whether the file at `path` (a path [`resolve`] gave) contains `needle`. The
    /// host's files are read in chunks: a 50 MB binary is scanned without holding it.
    fn contains(&self, path: &Path, needle: &[u8]) -> io::Result<bool> {
        Ok(find(&self.read_resolved(path, u64::MAX)?, needle))
    }
    /// The root, for messages; `None` when it is the host's `/`.
    fn root(&self) -> Option<&Path>;
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

/// Where a path leads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// The path with every followed symlink replaced by its target, `..` applied.
    pub path: PathBuf,
    /// `None` when the file (or a parent) does not exist.
    pub meta: Option<Meta>,
}

/// Why a path could not be resolved (as opposed to: it does not exist).
#[derive(Debug, thiserror::Error)]
#[allow(missing_docs)] // each variant's #[error] text is its documentation
pub enum ResolveError {
    #[error("cannot examine {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("too many levels of symbolic links resolving {path}")]
    Loop { path: PathBuf },
}

/// Linux's limit (`MAXSYMLINKS`).
const MAX_LINKS: u32 = 40;

/// Resolves `path` as the kernel's path walk does: every symlink in a parent position
/// is followed; the last component is followed only when `follow_last` (a watch is
/// placed on the last component itself, not on what a symlink there points to).
pub fn resolve(fs: &dyn Filesystem, path: &Path, follow_last: bool) -> Result<Resolved, ResolveError> {
    let mut queue: VecDeque<PathBuf> = components(path);
    let mut current = PathBuf::from("/");
    let mut links = 0;
    while let Some(part) = queue.pop_front() {
        if part == Path::new("..") {
            current.pop();
            continue;
        }
        let candidate = current.join(&part);
        let last = queue.is_empty();
        match lstat_if_present(fs, &candidate) {
            Ok(Some(meta)) if meta.kind == FileKind::Symlink && (!last || follow_last) => {
                links += 1;
                if links > MAX_LINKS {
                    return Err(ResolveError::Loop { path: path.to_path_buf() });
                }
                let target =
                    fs.readlink(&candidate).map_err(|source| ResolveError::Io { path: candidate.clone(), source })?;
                if target.is_absolute() {
                    current = PathBuf::from("/");
                }
                for (i, c) in components(&target).into_iter().enumerate() {
                    queue.insert(i, c);
                }
            }
            Ok(Some(meta)) => {
                if last {
                    return Ok(Resolved { path: candidate, meta: Some(meta) });
                }
                if meta.kind != FileKind::Dir {
                    return Ok(missing(candidate, queue));
                }
                current = candidate;
            }
            Ok(None) => return Ok(missing(candidate, queue)),
            Err(source) => return Err(ResolveError::Io { path: candidate, source }),
        }
    }
    let meta = fs.lstat(&current).map_err(|source| ResolveError::Io { path: current.clone(), source })?;
    Ok(Resolved { path: current, meta: Some(meta) })
}

/// [`resolve`] for many paths that share parent directories: 10,000 rules watch files
/// in a handful of directories, so each parent is walked once and then only the last
/// component is looked up. Gives exactly what [`resolve`] gives.
pub struct CachedResolver<'f> {
    fs: &'f dyn Filesystem,
    /// Parent directories as written in the rules, resolved with symlinks followed.
    /// Keyed by bytes: hashing a `Path` walks its components.
    parents: HashMap<OsString, Resolved>,
}

impl<'f> CachedResolver<'f> {
    /// An empty cache over `fs`; keep one for as long as `fs` does not change.
    pub fn new(fs: &'f dyn Filesystem) -> CachedResolver<'f> {
        CachedResolver { fs, parents: HashMap::new() }
    }

    /// The same as [`resolve`]`(fs, path, follow_last)`, with parents from the cache.
    pub fn resolve(&mut self, path: &Path, follow_last: bool) -> Result<Resolved, ResolveError> {
        // `..` or `/` as the last component: the short cut does not apply.
        let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
            return resolve(self.fs, path, follow_last);
        };
        if !path.is_absolute() {
            return resolve(self.fs, path, follow_last);
        }
        let dir = match self.parents.get(parent.as_os_str()) {
            Some(dir) => dir,
            None => match resolve(self.fs, parent, true) {
                Ok(dir) => self.parents.entry(parent.as_os_str().to_owned()).or_insert(dir),
                // Errors are not cached: the full walk reports them with the whole path.
                Err(_) => return resolve(self.fs, path, follow_last),
            },
        };
        let candidate = dir.path.join(name);
        // A missing parent, or one that is not a directory: the walk stops there and
        // the rest of the path is applied lexically.
        if dir.meta.is_none_or(|m| m.kind != FileKind::Dir) {
            return Ok(Resolved { path: candidate, meta: None });
        }
        match lstat_if_present(self.fs, &candidate) {
            Ok(Some(meta)) if meta.kind == FileKind::Symlink && follow_last => resolve(self.fs, path, follow_last),
            Ok(meta) => Ok(Resolved { path: candidate, meta }),
            Err(source) => Err(ResolveError::Io { path: candidate, source }),
        }
    }
}

/// `lstat`, with "no such file" (also a file where a directory should be) as `None`:
/// the walk stops there, which is not an error.
fn lstat_if_present(fs: &dyn Filesystem, path: &Path) -> io::Result<Option<Meta>> {
    match fs.lstat(path) {
        Ok(meta) => Ok(Some(meta)),
        Err(e) if matches!(e.raw_os_error(), Some(libc::ENOENT | libc::ENOTDIR)) => Ok(None),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// The rest of a path that cannot be walked, applied lexically.
fn missing(mut at: PathBuf, rest: VecDeque<PathBuf>) -> Resolved {
    for part in rest {
        if part == Path::new("..") {
            at.pop();
        } else {
            at.push(part);
        }
    }
    Resolved { path: at, meta: None }
}

fn components(path: &Path) -> VecDeque<PathBuf> {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(name) => Some(PathBuf::from(name)),
            Component::ParentDir => Some(PathBuf::from("..")),
            Component::RootDir | Component::CurDir | Component::Prefix(_) => None,
        })
        .collect()
}

/// The real filesystem under `root`.
pub struct HostFs {
    root: PathBuf,
}

impl HostFs {
    /// `root` is `/` for the host itself, or the `--root` directory.
    pub fn new(root: impl Into<PathBuf>) -> HostFs {
        HostFs { root: root.into() }
    }

    fn real<'p>(&self, path: &'p Path) -> Cow<'p, Path> {
        // The host's own root needs no join (and no allocation per lookup).
        if self.root == Path::new("/") && path.is_absolute() {
            return Cow::Borrowed(path);
        }
        Cow::Owned(self.root.join(path.strip_prefix("/").unwrap_or(path)))
    }

    /// Opens a resolved path for reading: `O_NOFOLLOW` (the path was resolved inside
    /// the root; a link that appeared since is not followed) and `O_NONBLOCK` (a FIFO
    /// where a file should be does not hang the read).
    fn open_resolved(&self, path: &Path) -> io::Result<std::fs::File> {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK).open(self.real(path))
    }
}

impl Filesystem for HostFs {
    fn lstat(&self, path: &Path) -> io::Result<Meta> {
        use std::os::unix::fs::MetadataExt;
        let md = std::fs::symlink_metadata(self.real(path))?;
        let ft = md.file_type();
        let kind = if ft.is_symlink() {
            FileKind::Symlink
        } else if ft.is_dir() {
            FileKind::Dir
        } else if ft.is_file() {
            FileKind::File
        } else {
            FileKind::Other
        };
        Ok(Meta { id: FileId { dev: md.dev(), ino: md.ino() }, kind })
    }

    fn readlink(&self, path: &Path) -> io::Result<PathBuf> {
        std::fs::read_link(self.real(path))
    }

    /// `ROOT/PATH` opened by the host's own `open(2)`: unlike [`resolve`], an absolute
    /// symlink on the way leads out of the root. That is how the rules-file resolver has
    /// always read `ROOT/etc/passwd`, kept so its answers do not change.
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        std::fs::read(self.real(path))
    }

    fn read_resolved(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        self.open_resolved(path)?.take(limit).read_to_end(&mut out)?;
        Ok(out)
    }

    fn list_resolved(&self, path: &Path) -> io::Result<Vec<OsString>> {
        std::fs::read_dir(self.real(path))?.map(|e| e.map(|e| e.file_name())).collect()
    }

    fn contains(&self, path: &Path, needle: &[u8]) -> io::Result<bool> {
        let mut file = self.open_resolved(path)?;
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

    fn fs_magic(&self, path: &Path) -> Option<u64> {
        use std::os::unix::ffi::OsStrExt;
        let c = std::ffi::CString::new(self.real(path).as_os_str().as_bytes()).ok()?;
        let mut buf = std::mem::MaybeUninit::<libc::statfs>::zeroed();
        // SAFETY: a NUL-terminated path and a buffer of the right type.
        let rc = unsafe { libc::statfs(c.as_ptr(), buf.as_mut_ptr()) };
        // SAFETY: statfs filled the buffer when it returned 0.
        #[allow(clippy::unnecessary_cast)] // f_type is i64 in glibc, u64 in musl
        (rc == 0).then(|| unsafe { buf.assume_init() }.f_type as u64)
    }

    fn root(&self) -> Option<&Path> {
        (self.root != Path::new("/")).then_some(self.root.as_path())
    }
}

/// An in-memory filesystem for tests: directories, files and symlinks by path.
#[derive(Clone, Debug, Default)]
pub struct FakeFs {
    entries: BTreeMap<PathBuf, (FileKind, Option<PathBuf>, u64)>,
    /// What `read` gives for a file; a file added without content reads as empty.
    contents: BTreeMap<PathBuf, Vec<u8>>,
    magic: Vec<(PathBuf, u64)>,
    next_ino: u64,
}

impl FakeFs {
    /// A filesystem holding only `/`.
    pub fn new() -> FakeFs {
        let mut fs = FakeFs { next_ino: 2, ..FakeFs::default() };
        fs.entries.insert(PathBuf::from("/"), (FileKind::Dir, None, 1));
        fs
    }

    /// `path` with its parent directories resolved, so an entry added under a link
    /// (`/lib/systemd/system/...` when `/lib -> usr/lib`) lands where a real
    /// filesystem would put it.
    fn place(&self, path: &str) -> PathBuf {
        let p = Path::new(path);
        match (p.parent(), p.file_name()) {
            (Some(parent), Some(name)) => match resolve(self, parent, true) {
                Ok(r) => r.path.join(name),
                Err(_) => p.to_path_buf(),
            },
            _ => p.to_path_buf(),
        }
    }

    fn add(&mut self, path: &str, kind: FileKind, target: Option<PathBuf>) -> PathBuf {
        let path = self.place(path);
        if let Some(parent) = path.parent() {
            if !self.entries.contains_key(parent) {
                self.add(&parent.to_string_lossy(), FileKind::Dir, None);
            }
        }
        let ino = self.next_ino;
        self.next_ino += 1;
        self.entries.insert(path.clone(), (kind, target, ino));
        path
    }

    /// Adds a directory, and any missing parents.
    pub fn dir(mut self, path: &str) -> FakeFs {
        self.add(path, FileKind::Dir, None);
        self
    }

    /// Adds an empty regular file, and any missing parent directories.
    pub fn file(mut self, path: &str) -> FakeFs {
        self.add(path, FileKind::File, None);
        self
    }

    /// A file with content, for what is read rather than only looked at (`/etc/passwd`).
    pub fn file_with(mut self, path: &str, content: impl Into<Vec<u8>>) -> FakeFs {
        let path = self.add(path, FileKind::File, None);
        self.contents.insert(path, content.into());
        self
    }

    /// An empty regular file standing for a program (discovery looks only at where
    /// it is, and at whether containerd's binary names its 2.x module).
    pub fn exe(self, path: &str) -> FakeFs {
        self.file(path)
    }

    /// `/bin`, `/sbin`, `/lib` as links into `/usr`, as on Debian since bookworm.
    pub fn merged_usr(self) -> FakeFs {
        self.dir("/usr/bin")
            .dir("/usr/sbin")
            .dir("/usr/lib")
            .symlink("/bin", "usr/bin")
            .symlink("/sbin", "usr/sbin")
            .symlink("/lib", "usr/lib")
    }

    /// Adds a symlink to `target` as written (relative to its directory, or absolute).
    pub fn symlink(mut self, path: &str, target: &str) -> FakeFs {
        self.add(path, FileKind::Symlink, Some(PathBuf::from(target)));
        self
    }

    /// Everything under `prefix` is on a filesystem with this `f_type`.
    pub fn fs_type(mut self, prefix: &str, magic: u64) -> FakeFs {
        self.magic.push((PathBuf::from(prefix), magic));
        self
    }
}

impl Filesystem for FakeFs {
    fn lstat(&self, path: &Path) -> io::Result<Meta> {
        self.entries
            .get(path)
            .map(|(kind, _, ino)| Meta { id: FileId { dev: 1, ino: *ino }, kind: *kind })
            .ok_or_else(|| io::Error::from_raw_os_error(libc::ENOENT))
    }

    fn readlink(&self, path: &Path) -> io::Result<PathBuf> {
        self.entries
            .get(path)
            .and_then(|(_, target, _)| target.clone())
            .ok_or_else(|| io::Error::from_raw_os_error(libc::EINVAL))
    }

    /// Follows symlinks as `open(2)` does; a directory cannot be read.
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        let resolved = resolve(self, path, true).map_err(|e| match e {
            ResolveError::Io { source, .. } => source,
            ResolveError::Loop { .. } => io::Error::from_raw_os_error(libc::ELOOP),
        })?;
        match resolved.meta.map(|m| m.kind) {
            None => Err(io::Error::from_raw_os_error(libc::ENOENT)),
            Some(FileKind::Dir) => Err(io::Error::from_raw_os_error(libc::EISDIR)),
            Some(_) => Ok(self.contents.get(&resolved.path).cloned().unwrap_or_default()),
        }
    }

    fn read_resolved(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>> {
        match self.entries.get(path) {
            Some((FileKind::Dir, _, _)) => Err(io::Error::from_raw_os_error(libc::EISDIR)),
            Some((FileKind::Symlink, _, _)) => Err(io::Error::from_raw_os_error(libc::ELOOP)),
            Some(_) => {
                let c = self.contents.get(path).map(Vec::as_slice).unwrap_or_default();
                Ok(c[..c.len().min(usize::try_from(limit).unwrap_or(usize::MAX))].to_vec())
            }
            None => Err(io::Error::from_raw_os_error(libc::ENOENT)),
        }
    }

    fn list_resolved(&self, path: &Path) -> io::Result<Vec<OsString>> {
        match self.entries.get(path) {
            Some((FileKind::Dir, _, _)) => Ok(self
                .entries
                .keys()
                .filter(|p| p.parent() == Some(path) && p.as_path() != path)
                .filter_map(|p| p.file_name().map(|n| n.to_os_string()))
                .collect()),
            Some(_) => Err(io::Error::from_raw_os_error(libc::ENOTDIR)),
            None => Err(io::Error::from_raw_os_error(libc::ENOENT)),
        }
    }

    fn fs_magic(&self, path: &Path) -> Option<u64> {
        self.magic.iter().filter(|(p, _)| path.starts_with(p)).max_by_key(|(p, _)| p.as_os_str().len()).map(|(_, m)| *m)
    }

    fn root(&self) -> Option<&Path> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn merged_usr() -> FakeFs {
        FakeFs::new()
            .dir("/usr/lib/systemd/system")
            .file("/usr/lib/systemd/system/docker.service")
            .symlink("/lib", "usr/lib")
            .dir("/run/containerd")
            .dir("/var")
            .symlink("/var/run", "../run")
            .symlink("/etc/alt", "/run/containerd")
    }

    #[test]
    fn parents_are_followed_through_relative_and_absolute_links() {
        let fs = merged_usr();
        let r = resolve(&fs, Path::new("/lib/systemd/system/docker.service"), false).unwrap();
        assert_eq!(r.path, Path::new("/usr/lib/systemd/system/docker.service"));
        assert_eq!(r.meta.unwrap().kind, FileKind::File);
        let r = resolve(&fs, Path::new("/var/run/containerd"), false).unwrap();
        assert_eq!(r.path, Path::new("/run/containerd"));
    }

    #[test]
    fn the_last_component_is_followed_only_when_asked() {
        let fs = merged_usr();
        let r = resolve(&fs, Path::new("/etc/alt"), false).unwrap();
        assert_eq!((r.path.as_path(), r.meta.unwrap().kind), (Path::new("/etc/alt"), FileKind::Symlink));
        let r = resolve(&fs, Path::new("/etc/alt"), true).unwrap();
        assert_eq!((r.path.as_path(), r.meta.unwrap().kind), (Path::new("/run/containerd"), FileKind::Dir));
    }

    #[test]
    fn missing_paths_resolve_lexically_and_loops_are_errors() {
        let fs = merged_usr().symlink("/a", "/b").symlink("/b", "/a");
        let r = resolve(&fs, Path::new("/var/run/nothing/x/../y"), true).unwrap();
        assert_eq!(r, Resolved { path: PathBuf::from("/run/nothing/y"), meta: None });
        assert!(matches!(resolve(&fs, Path::new("/a/x"), true), Err(ResolveError::Loop { .. })));
    }

    /// The cached walk against the plain one, on every path a small tree can spell,
    /// through relative and absolute links, missing parents, files as parents and `..`.
    #[test]
    fn the_cached_resolver_agrees_with_the_plain_walk() {
        let fs = merged_usr()
            .symlink("/a", "/b")
            .symlink("/b", "/a")
            .file("/etc/passwd")
            .symlink("/etc/alt2", "alt")
            .symlink("/usr/lib/systemd/system/dangling", "/nowhere/x");
        let names = [
            "lib",
            "usr",
            "systemd",
            "system",
            "docker.service",
            "var",
            "run",
            "containerd",
            "etc",
            "alt",
            "alt2",
            "passwd",
            "a",
            "..",
            ".",
            "nothing",
            "dangling",
        ];
        let mut paths = vec![PathBuf::from("/")];
        for depth in 0..3 {
            let mut next = Vec::new();
            for base in paths.iter().filter(|p| p.components().count() == depth + 1) {
                for name in names {
                    next.push(base.join(name));
                }
            }
            paths.extend(next);
        }
        let mut cached = CachedResolver::new(&fs);
        let mut compared = 0;
        for path in &paths {
            for follow in [false, true] {
                let plain = resolve(&fs, path, follow).map_err(|e| e.to_string());
                let fast = cached.resolve(path, follow).map_err(|e| e.to_string());
                assert_eq!(fast, plain, "{} follow={follow}", path.display());
                compared += 1;
            }
        }
        assert!(compared > 9_000, "{compared}");
    }

    #[test]
    fn the_cached_resolver_agrees_on_the_host() {
        let fs = HostFs::new("/");
        let mut cached = CachedResolver::new(&fs);
        for path in [
            "/lib/systemd/system/docker.service",
            "/var/run/docker.sock",
            "/bin/sh",
            "/proc/self/exe",
            "/etc/passwd/x",
            "/usr/bin/../lib",
            "/run/containerd",
            "/dev/stdin",
            "/tmp/nonexistent/a",
        ] {
            for follow in [false, true] {
                let plain = resolve(&fs, Path::new(path), follow).map_err(|e| e.to_string());
                assert_eq!(cached.resolve(Path::new(path), follow).map_err(|e| e.to_string()), plain, "{path}");
            }
        }
    }

    #[test]
    fn fake_files_read_their_content_through_symlinks() {
        let fs = merged_usr()
            .file_with("/etc/passwd", "root:x:0:0::/root:/bin/sh\n")
            .symlink("/etc/passwd-link", "passwd")
            .symlink("/etc/loop", "/etc/loop");
        assert_eq!(fs.read(Path::new("/etc/passwd")).unwrap(), b"root:x:0:0::/root:/bin/sh\n");
        assert_eq!(fs.read(Path::new("/etc/passwd-link")).unwrap(), b"root:x:0:0::/root:/bin/sh\n");
        assert_eq!(fs.read(Path::new("/usr/lib/systemd/system/docker.service")).unwrap(), b"");
        let errno = |path: &str| fs.read(Path::new(path)).unwrap_err().raw_os_error();
        assert_eq!(errno("/etc/group"), Some(libc::ENOENT));
        assert_eq!(errno("/run/containerd"), Some(libc::EISDIR));
        assert_eq!(errno("/etc/loop"), Some(libc::ELOOP));
    }

    #[test]
    fn host_files_are_read_under_the_root() {
        let tmp = std::env::temp_dir().join(format!("dockaudit-fs-read-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(tmp.join("etc")).unwrap();
        std::fs::write(tmp.join("etc/group"), "docker:x:998:\n").unwrap();
        let fs = HostFs::new(&tmp);
        assert_eq!(fs.read(Path::new("/etc/group")).unwrap(), b"docker:x:998:\n");
        assert_eq!(fs.read(Path::new("/etc/passwd")).unwrap_err().kind(), io::ErrorKind::NotFound);
        std::fs::remove_dir_all(&tmp).unwrap();
    }

    #[test]
    fn fake_entries_land_under_resolved_parents_and_list_and_read_resolved() {
        let fs = FakeFs::new()
            .merged_usr()
            .file_with("/lib/systemd/system/docker.service", "[Service]\n")
            .exe("/sbin/runc")
            .symlink("/usr/bin/runc", "../sbin/runc");
        let at = |p: &str| resolve(&fs, Path::new(p), false).unwrap();
        assert_eq!(at("/lib/systemd/system/docker.service").path, Path::new("/usr/lib/systemd/system/docker.service"));
        let unit = Path::new("/usr/lib/systemd/system/docker.service");
        assert_eq!(fs.read_resolved(unit, 1 << 20).unwrap(), b"[Service]\n");
        assert_eq!(fs.read_resolved(unit, 3).unwrap(), b"[Se");
        assert_eq!(fs.read_resolved(Path::new("/usr/sbin/runc"), 10).unwrap(), b"");
        let errno = |r: io::Result<Vec<u8>>| r.unwrap_err().raw_os_error();
        assert_eq!(errno(fs.read_resolved(Path::new("/usr/bin/runc"), 10)), Some(libc::ELOOP), "O_NOFOLLOW");
        assert_eq!(errno(fs.read_resolved(Path::new("/usr/bin"), 10)), Some(libc::EISDIR));
        assert_eq!(errno(fs.read_resolved(Path::new("/nothing"), 10)), Some(libc::ENOENT));
        let mut names = fs.list_resolved(Path::new("/usr/sbin")).unwrap();
        names.sort();
        assert_eq!(names, ["runc"]);
        assert_eq!(fs.list_resolved(Path::new("/usr/sbin/runc")).unwrap_err().raw_os_error(), Some(libc::ENOTDIR));
        assert!(fs.contains(unit, b"Service").unwrap());
        assert!(!fs.contains(unit, b"containerd").unwrap());
    }

    #[test]
    fn host_reads_of_resolved_paths_are_bounded_and_never_follow_a_link() {
        let tmp = std::env::temp_dir().join(format!("dockaudit-fs-resolved-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(tmp.join("etc/docker")).unwrap();
        std::fs::write(tmp.join("etc/docker/daemon.json"), "{\"data-root\": \"/srv\"}").unwrap();
        std::os::unix::fs::symlink("/etc/docker/daemon.json", tmp.join("etc/link")).unwrap();
        let mut big = vec![b'x'; (1 << 20) - 3];
        big.extend_from_slice(b"github.com/containerd/containerd/v2/");
        std::fs::write(tmp.join("big"), &big).unwrap();
        let fs = HostFs::new(&tmp);
        let json = Path::new("/etc/docker/daemon.json");
        assert_eq!(fs.read_resolved(json, 1 << 20).unwrap(), b"{\"data-root\": \"/srv\"}");
        assert_eq!(fs.read_resolved(json, 1).unwrap(), b"{");
        assert_eq!(fs.read_resolved(Path::new("/etc/link"), 1 << 20).unwrap_err().raw_os_error(), Some(libc::ELOOP));
        let mut names = fs.list_resolved(Path::new("/etc")).unwrap();
        names.sort();
        assert_eq!(names, ["docker", "link"]);
        assert!(fs.contains(Path::new("/big"), b"github.com/containerd/containerd/v2/").unwrap(), "across chunks");
        assert!(!fs.contains(json, b"containerd").unwrap());
        std::fs::remove_dir_all(&tmp).unwrap();
    }

    #[test]
    fn absolute_links_stay_inside_the_root() {
        let tmp = std::env::temp_dir().join(format!("dockaudit-fs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(tmp.join("usr/lib/systemd/system")).unwrap();
        std::fs::write(tmp.join("usr/lib/systemd/system/docker.service"), "").unwrap();
        std::os::unix::fs::symlink("/usr/lib", tmp.join("lib")).unwrap();
        let fs = HostFs::new(&tmp);
        let r = resolve(&fs, Path::new("/lib/systemd/system/docker.service"), true).unwrap();
        assert_eq!(r.path, Path::new("/usr/lib/systemd/system/docker.service"));
        assert!(r.meta.is_some());
        assert_eq!(fs.root(), Some(tmp.as_path()));
        std::fs::remove_dir_all(&tmp).unwrap();
    }
}
