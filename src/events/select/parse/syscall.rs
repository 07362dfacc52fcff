//! The records of a syscall event: SYSCALL (and `parse_task_info`, which FEATURE_CHANGE
//! and ANOM_LINK share), CWD, PATH, AVC_PATH, SOCKADDR; `common_path_parser`.

use super::{num, Parsed, Parser, NAME_OFFSET, PATH_MAX};
use crate::events::cstr::{at, chr, cstring, find_lit, unescape};

impl Parser<'_> {
    pub(super) fn task_info(&mut self, m: &[u8]) -> Parsed {
        let w = self.wants;
        let mut term = 0;
        if w.pid {
            let ptr = find_lit!(m, term, b" pid=").ok_or(16)? + 5;
            term = chr(m, ptr, b' ').ok_or(17)?;
            self.facts.pid = num(m, ptr, Some(term), 10, 18)? as u32;
        }
        if w.auid {
            let ptr = match find_lit!(m, term, b"auid=") {
                Some(s) => s + 5,
                None => find_lit!(m, term, b"loginuid=").ok_or(19)? + 9,
            };
            term = chr(m, ptr, b' ').ok_or(20)?;
            self.set_loginuid(num(m, ptr, Some(term), 10, 21)?);
        }
        if w.uid {
            let ptr = loop {
                let s = find_lit!(m, term, b"uid=").ok_or(22)?;
                // "This sometimes hits auid instead of uid. If so, retry."
                if s > 0 && m[s - 1] == b'a' {
                    term = s + 1;
                    continue;
                }
                break s + 4;
            };
            term = chr(m, ptr, b' ').ok_or(23)?;
            self.set_uid(num(m, ptr, Some(term), 10, 24)?);
        }
        if w.exe {
            let s = find_lit!(m, 0, b"exe=").ok_or(40)? + 4;
            let (exe, close) = Self::string(m, s, 39)?;
            self.facts.exe = exe;
            term = close.unwrap_or(term);
        }
        if w.success {
            if let Some(s) = find_lit!(m, term, b"res=") {
                let ptr = s + 4;
                self.facts.success = num(m, ptr, chr(m, ptr, b' '), 10, 43)? as i32;
            }
        }
        Ok(())
    }

    pub(super) fn syscall(&mut self, m: &[u8]) -> Parsed {
        let w = self.wants;
        let mut term = 0;
        if w.arch {
            let ptr = find_lit!(m, term, b"arch=").ok_or(1)? + 5;
            term = chr(m, ptr, b' ').ok_or(2)?;
            self.facts.arch = num(m, ptr, Some(term), 16, 3)? as u32;
        }
        let ptr = find_lit!(m, term, b"syscall=").ok_or(4)? + 8;
        term = chr(m, ptr, b' ').ok_or(5)?;
        self.facts.syscall = num(m, ptr, Some(term), 10, 6)? as u32;
        if w.success {
            // exit_group has none.
            if let Some(s) = find_lit!(m, term, b"success=") {
                let ptr = s + 8;
                term = chr(m, ptr, b' ').ok_or(7)?;
                self.facts.success = i32::from(&m[ptr..term] == b"yes");
            }
        }
        for a1 in [false, true] {
            let ptr = if a1 { find_lit!(m, term, b"a1=") } else { find_lit!(m, term, b"a0=") };
            let ptr = ptr.ok_or(11)? + 3;
            term = chr(m, ptr, b' ').ok_or(12)?;
            num(m, ptr, Some(term), 16, 13)?;
        }
        self.task_info(m)?;
        if w.key {
            if let Some(s) = find_lit!(m, term, b"key=") {
                self.add_keys(m, s + 4, 44, 45)?;
            }
        }
        Ok(())
    }

    pub(super) fn dir(&mut self, m: &[u8]) -> Parsed {
        if !self.wants.files {
            return Ok(());
        }
        if let Some(s) = find_lit!(m, NAME_OFFSET.min(m.len()), b" cwd=") {
            let (cwd, _) = Self::string(m, s + 5, 1)?;
            if self.facts.cwd.is_none() {
                self.facts.cwd = cwd;
            }
        }
        Ok(())
    }

    /// `common_path_parser`: one file name at `path`, relative ones joined to the CWD.
    pub(super) fn path_value(&mut self, m: &[u8], path: usize) -> Parsed {
        let name = if at(m, path) == b'"' {
            let close = chr(m, path + 1, b'"').ok_or(2)?;
            m[path + 1..close].to_vec()
        } else if m.get(path..).is_some_and(|p| p.starts_with(b"(null)")) {
            self.facts.files.push(b"(null)".to_vec());
            return Ok(());
        } else if !at(m, path).is_ascii_hexdigit() {
            return Err(4);
        } else if at(m, path) == b'0' && at(m, path + 1) == b'0' {
            // An abstract socket name.
            cstring(unescape(m, path + 2).ok_or(7)?)
        } else {
            chr(m, path, b' ').ok_or(5)?;
            cstring(unescape(m, path).ok_or(7)?)
        };
        let relative = name.first() == Some(&b'.') && matches!(name.get(1), Some(b'.' | b'/'));
        let name = match (&self.facts.cwd, relative) {
            (Some(cwd), true) => {
                let mut joined = [cwd.as_slice(), b"/", name.as_slice()].concat();
                joined.truncate(PATH_MAX - 1);
                joined
            }
            _ => name,
        };
        self.facts.files.push(name);
        Ok(())
    }

    pub(super) fn avc_path(&mut self, m: &[u8]) -> Parsed {
        if !self.wants.files {
            return Ok(());
        }
        let s = find_lit!(m, 0, b" path=").ok_or(1)?;
        self.path_value(m, s + 6)
    }

    pub(super) fn path(&mut self, m: &[u8]) -> Parsed {
        if self.wants.files {
            if let Some(s) = find_lit!(m, NAME_OFFSET.min(m.len()), b" name=") {
                self.path_value(m, s + 6)?;
            }
        }
        Ok(())
    }

    /// `parse_sockaddr` for `-f`: a unix socket's path is a file name; a sockaddr too
    /// short for its family gives the event up ("sockaddr len too short").
    pub(super) fn sockaddr(&mut self, m: &[u8]) -> Parsed {
        if !self.wants.files {
            return Ok(());
        }
        let Some(s) = find_lit!(m, 0, b"saddr=") else { return Ok(()) };
        let s = s + 6;
        let len = if at(m, s) == b'(' {
            chr(m, s, b')').map_or(0, |close| close - s + 1)
        } else {
            m[s..].iter().take_while(|c| c.is_ascii_hexdigit()).count() / 2
        };
        let addr = unescape(m, s).ok_or(4)?;
        // sa_family, little endian; a one-byte buffer's second byte is its terminator.
        let byte = |i: usize| addr.get(i).copied().unwrap_or(0);
        match u16::from(byte(0)) | u16::from(byte(1)) << 8 {
            2 if len < 16 => Err(1),
            10 if len < 28 => Err(2),
            1 if len < 4 => Err(3),
            1 => {
                let path = if byte(2) != 0 { &addr[2..] } else { &addr[3.min(addr.len())..] };
                self.facts.files.push(cstring(path.to_vec()));
                Ok(())
            }
            _ => Ok(()),
        }
    }
}
