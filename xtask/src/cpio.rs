//! A writer for the "newc" cpio format the kernel unpacks as an initramfs
//! (Documentation/driver-api/early-userspace/buffer-format.rst). Entries are
//! written with uid/gid 0 and fixed inode numbers, so no root is needed and
//! the same inputs give the same archive.

pub struct Cpio {
    buf: Vec<u8>,
    ino: u32,
}

pub const DIR: u32 = 0o040_000;
pub const FILE: u32 = 0o100_000;
pub const CHAR_DEV: u32 = 0o020_000;
pub const SYMLINK: u32 = 0o120_000;

impl Cpio {
    pub fn new() -> Self {
        Cpio { buf: Vec::new(), ino: 1 }
    }

    fn pad(&mut self) {
        while self.buf.len() & 3 != 0 {
            self.buf.push(0);
        }
    }

    fn entry(&mut self, name: &str, mode: u32, rdev: (u32, u32), data: &[u8]) {
        let name = name.trim_start_matches('/');
        let fields = [
            self.ino,
            mode,
            0, // uid
            0, // gid
            if mode & 0o170_000 == DIR { 2 } else { 1 },
            0, // mtime
            data.len() as u32,
            0, // devmajor
            0, // devminor
            rdev.0,
            rdev.1,
            name.len() as u32 + 1,
            0, // check
        ];
        self.ino += 1;
        self.buf.extend_from_slice(b"070701");
        for f in fields {
            self.buf.extend_from_slice(format!("{f:08x}").as_bytes());
        }
        self.buf.extend_from_slice(name.as_bytes());
        self.buf.push(0);
        self.pad();
        self.buf.extend_from_slice(data);
        self.pad();
    }

    pub fn dir(&mut self, name: &str) {
        self.entry(name, DIR | 0o755, (0, 0), &[]);
    }

    /// `path` and its parents as directories, outermost first, each once: those already in
    /// `seen` are skipped, the new ones added to it.
    pub fn dirs_to(&mut self, path: &str, seen: &mut Vec<String>) {
        let mut new = Vec::new();
        let mut p = Some(std::path::Path::new(path));
        while let Some(d) = p {
            let s = d.to_string_lossy().trim_start_matches('/').to_string();
            if !s.is_empty() && !seen.contains(&s) {
                seen.push(s.clone());
                new.push(s);
            }
            p = d.parent();
        }
        for d in new.iter().rev() {
            self.dir(d);
        }
    }

    pub fn file(&mut self, name: &str, perm: u32, data: &[u8]) {
        self.entry(name, FILE | perm, (0, 0), data);
    }

    /// A symbolic link: its data is the target.
    pub fn symlink(&mut self, name: &str, target: &str) {
        self.entry(name, SYMLINK | 0o777, (0, 0), target.as_bytes());
    }

    pub fn char_dev(&mut self, name: &str, perm: u32, major: u32, minor: u32) {
        self.entry(name, CHAR_DEV | perm, (major, minor), &[]);
    }

    /// Add the trailer and return the archive.
    pub fn finish(mut self) -> Vec<u8> {
        self.ino = 0;
        self.entry("TRAILER!!!", 0, (0, 0), &[]);
        self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dirs_to_adds_each_missing_parent_once_outermost_first() {
        let (mut with, mut expected) = (Cpio::new(), Cpio::new());
        let mut seen = vec!["usr".to_string()];
        with.dirs_to("/usr/lib/x", &mut seen);
        with.dirs_to("usr/lib/y", &mut seen);
        for d in ["usr/lib", "usr/lib/x", "usr/lib/y"] {
            expected.dir(d);
        }
        assert_eq!(with.buf, expected.buf);
        assert_eq!(seen, ["usr", "usr/lib/x", "usr/lib", "usr/lib/y"]);
    }

    #[test]
    fn newc_layout() {
        let mut c = Cpio::new();
        c.dir("/dev");
        c.file("init", 0o755, b"abcde");
        c.char_dev("dev/console", 0o600, 5, 1);
        let a = c.finish();
        assert_eq!(&a[..6], b"070701");
        assert_eq!(a.len() % 4, 0);
        // first entry: header 110 bytes + "dev\0" = 114, padded to 116
        assert_eq!(&a[110..114], b"dev\0");
        let second = &a[116..];
        assert_eq!(&second[..6], b"070701");
        // mode field of the file entry
        assert_eq!(&second[14..22], b"000081ed");
        // filesize
        assert_eq!(&second[54..62], b"00000005");
        // name "init\0" at 110, data at 116 (110 + 5 = 115, padded)
        assert_eq!(&second[116..121], b"abcde");
        let s = String::from_utf8_lossy(&a);
        assert!(s.contains("dev/console\0"));
        assert!(s.ends_with("TRAILER!!!\0\0\0\0") || s.contains("TRAILER!!!\0"));
    }
}
