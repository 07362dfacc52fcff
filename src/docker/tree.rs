//! File contents and directory listings inside the root being judged, for discovery.
//!
//! Discovery reads unit files, daemon.json and config.toml and lists drop-in
//! directories through the judge's own [`Filesystem`] (`read_resolved`,
//! `list_resolved`). Every path is first resolved with [`resolve`], the same walk the
//! judge uses, so absolute symlinks stay inside `--root` and a file is read only at a
//! path with no symlink left in it (and opened with `O_NOFOLLOW`). Nothing is opened
//! for writing.

use std::path::Path;

use super::error::DiscoveryError;
use crate::host::{resolve, FileKind, Filesystem, Resolved};

/// The biggest configuration file read (unit files, daemon.json, config.toml, env
/// files are a few KiB; a huge one is a mistake or an attack, not a configuration).
pub const TEXT_LIMIT: u64 = 1 << 20;

/// A text file as read.
#[derive(Clone, Debug)]
pub struct TextFile {
    pub text: String,
}

/// Where `path` leads with every symlink followed; `None` when nothing is there.
pub fn existing(tree: &dyn Filesystem, path: &Path) -> Result<Option<Resolved>, DiscoveryError> {
    let r = resolve(tree, path, true)?;
    Ok(r.meta.is_some().then_some(r))
}

/// The text of the regular file at `path` (symlinks followed inside the root), or
/// `None` when there is none. Invalid UTF-8 is replaced, as a config parser would
/// reject it anyway.
pub fn read_text(tree: &dyn Filesystem, path: &Path) -> Result<Option<TextFile>, DiscoveryError> {
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
pub fn list_dir(tree: &dyn Filesystem, path: &Path) -> Result<Vec<String>, DiscoveryError> {
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
    use crate::host::{FakeFs, HostFs};

    #[test]
    fn reads_follow_links_inside_the_root_and_absent_files_are_none() {
        let t = FakeFs::new()
            .merged_usr()
            .file_with("/usr/lib/systemd/system/docker.service", "[Service]\n")
            .symlink("/etc/docker/daemon.json", "/srv/daemon.json")
            .file_with("/srv/daemon.json", "{}");
        let f = read_text(&t, Path::new("/lib/systemd/system/docker.service")).unwrap().unwrap();
        assert_eq!(f.text, "[Service]\n");
        assert_eq!(read_text(&t, Path::new("/etc/docker/daemon.json")).unwrap().unwrap().text, "{}");
        assert!(read_text(&t, Path::new("/etc/default/docker")).unwrap().is_none());
        assert!(read_text(&t, Path::new("/usr/lib")).unwrap().is_none(), "a directory is not a text file");
        assert_eq!(list_dir(&t, Path::new("/lib/systemd/system")).unwrap(), ["docker.service"]);
        assert!(list_dir(&t, Path::new("/etc/systemd")).unwrap().is_empty());
    }

    #[test]
    fn text_behind_an_absolute_link_is_read_inside_the_root() {
        // HostFs's own bounded reads and chunked scans are tested in `host`.
        let tmp = std::env::temp_dir().join(format!("dockaudit-tree-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(tmp.join("etc/docker")).unwrap();
        std::fs::write(tmp.join("etc/docker/daemon.json"), "{\"data-root\": \"/srv\"}").unwrap();
        std::os::unix::fs::symlink("/etc/docker/daemon.json", tmp.join("etc/link")).unwrap();
        let t = HostFs::new(&tmp);
        assert_eq!(read_text(&t, Path::new("/etc/link")).unwrap().unwrap().text, "{\"data-root\": \"/srv\"}");
        std::fs::remove_dir_all(&tmp).unwrap();
    }
}
