//! Kernel records outside syscall events: AVC and USER_AVC, ANOM_*/SECCOMP
//! (`parse_kernel_anom`), INTEGRITY_*, NETFILTER_CFG/EVENT_LISTENER (`parse_kernel`), TTY.

use super::{num, Parsed, Parser, ANOM_ABEND, ANOM_PROMISCUOUS, NO_LOGINUID, SECCOMP};
use crate::events::cstr::{at, chr, find_lit};
use crate::events::record::types;

impl Parser<'_> {
    pub(super) fn avc(&mut self, kind: u32, m: &[u8]) -> Parsed {
        let w = self.wants;
        let mut term = 0;
        if let Some(s) = find_lit!(m, 0, b"avc: ") {
            let s = s + 5;
            if let Some(brace) = chr(m, s, b'{') {
                if w.success {
                    self.facts.success = i32::from(find_lit!(&m[..brace], s, b"denied").is_none());
                }
                let mut p = brace + 1;
                while at(m, p) == b' ' {
                    p += 1;
                }
                let mut close = chr(m, p, b'}').ok_or(2)?;
                while m[close - 1] == b' ' {
                    close -= 1;
                }
                term = close;
            }
        }
        if kind == types::USER_AVC {
            // parse_user's codes above 20 are forgiven here.
            return match self.user(kind, m) {
                Err(rc) if rc <= 20 => Err(rc),
                _ => Ok(()),
            };
        }
        if w.pid {
            if let Some(s) = find_lit!(m, term, b"pid=") {
                let ptr = s + 4;
                let end = chr(m, ptr, b' ').ok_or(3)?;
                self.facts.pid = num(m, ptr, Some(end), 10, 4)? as u32;
                term = end;
            }
        }
        if w.files {
            let found = find_lit!(m, term, b" path=").or_else(|| find_lit!(m, term, b" name="));
            if let Some(s) = found {
                self.path_value(m, s + 6)?;
                term = (term + 7).min(m.len());
            }
        }
        find_lit!(m, term, b"tclass=").ok_or(9)?;
        Ok(())
    }

    pub(super) fn kernel_anom(&mut self, kind: u32, m: &[u8]) -> Parsed {
        let w = self.wants;
        let mut term = 0;
        if w.auid {
            let ptr = find_lit!(m, 0, b"auid=").ok_or(1)? + 5;
            let end = chr(m, ptr, b' ');
            self.set_loginuid(num(m, ptr, end, 10, 2)?);
            term = end.unwrap_or(ptr);
        }
        if w.uid {
            // Without auid read first this finds auid=.
            if let Some(s) = find_lit!(m, term, b"uid=") {
                let ptr = s + 4;
                term = chr(m, ptr, b' ').ok_or(3)?;
                self.set_uid(num(m, ptr, Some(term), 10, 4)?);
            }
        }
        if kind == ANOM_PROMISCUOUS {
            return Ok(());
        }
        if w.pid {
            if let Some(s) = find_lit!(m, term, b"pid=") {
                let ptr = s + 4;
                term = chr(m, ptr, b' ').ok_or(10)?;
                self.facts.pid = num(m, ptr, Some(term), 10, 11)? as u32;
            }
        }
        if w.exe {
            match find_lit!(m, term, b"exe=") {
                Some(s) => {
                    let (exe, close) = Self::string(m, s + 4, 13)?;
                    self.facts.exe = exe;
                    term = close.unwrap_or(term);
                }
                None if kind != ANOM_ABEND => return Err(14),
                None => {}
            }
        }
        if kind == SECCOMP {
            // A few kernel versions have no arch.
            let Some(s) = find_lit!(m, term, b"arch=") else { return Ok(()) };
            let ptr = s + 5;
            term = chr(m, ptr, b' ').ok_or(15)?;
            self.facts.arch = num(m, ptr, Some(term), 16, 16)? as u32;
            let ptr = find_lit!(m, term, b"syscall=").ok_or(17)? + 8;
            term = chr(m, ptr, b' ').ok_or(18)?;
            self.facts.syscall = num(m, ptr, Some(term), 10, 19)? as u32;
        }
        if w.success {
            if let Some(s) = find_lit!(m, term, b"res=") {
                self.facts.success = num(m, s + 4, chr(m, s + 4, b' '), 10, 68)? as i32;
            }
        }
        Ok(())
    }

    /// The `pid=` (parse_integrity reads it whatever is wanted, parse_tty only when it is)
    /// and ` uid=` both begin with; where they end.
    fn pid_uid(&mut self, m: &[u8], pid: bool) -> Result<usize, u8> {
        let mut term = 0;
        if pid {
            if let Some(s) = find_lit!(m, 0, b"pid=") {
                let ptr = s + 4;
                term = chr(m, ptr, b' ').ok_or(1)?;
                self.facts.pid = num(m, ptr, Some(term), 10, 2)? as u32;
            }
        }
        if self.wants.uid {
            if let Some(s) = find_lit!(m, term, b" uid=") {
                // ausearch reads from the `=` (str + 4 of " uid="): always 0.
                let ptr = s + 4;
                term = chr(m, ptr, b' ').ok_or(3)?;
                self.set_uid(num(m, ptr, Some(term), 10, 4)?);
            }
        }
        Ok(term)
    }

    pub(super) fn integrity(&mut self, m: &[u8]) -> Parsed {
        let w = self.wants;
        let mut term = self.pid_uid(m, true)?;
        if w.auid {
            if let Some(s) = find_lit!(m, 0, b"auid=") {
                let ptr = s + 5;
                term = chr(m, ptr, b' ').ok_or(5)?;
                self.set_loginuid(num(m, ptr, Some(term), 10, 6)?);
            }
        }
        if w.files {
            if let Some(s) = find_lit!(m, term, b" name=") {
                self.path_value(m, s + 6).map_err(|_| 8)?;
            }
        }
        if w.success {
            if let Some(s) = find_lit!(m, term, b"res=") {
                self.facts.success = num(m, s + 4, chr(m, s + 4, b' '), 10, 9)? as i32;
            }
        }
        Ok(())
    }

    /// `parse_kernel` (NETFILTER_CFG, EVENT_LISTENER): fills only what no earlier record
    /// did, with defaults for what is missing.
    pub(super) fn kernel(&mut self, m: &[u8]) -> Parsed {
        let w = self.wants;
        let mut term = 0;
        if w.pid && self.facts.pid == u32::MAX {
            let ptr = find_lit!(m, term, b" pid=").ok_or(54)? + 5;
            term = chr(m, ptr, b' ').ok_or(52)?;
            self.facts.pid = num(m, ptr, Some(term), 10, 53)? as u32;
        }
        if w.uid && self.facts.uid == u32::MAX && self.facts.tuid.is_none() {
            let uid = match find_lit!(m, term, b"uid=") {
                Some(s) => {
                    let ptr = s + 4;
                    term = chr(m, ptr, b' ').ok_or(55)?;
                    num(m, ptr, Some(term), 10, 56)?
                }
                None => 0,
            };
            self.set_uid(uid);
        }
        if w.auid && self.facts.loginuid == NO_LOGINUID && self.facts.tauid.is_none() {
            let auid = match find_lit!(m, term, b"auid=") {
                Some(s) => {
                    let ptr = s + 5;
                    term = chr(m, ptr, b' ').ok_or(57)?;
                    num(m, ptr, Some(term), 10, 58)?
                }
                None => u64::from(u32::MAX),
            };
            self.set_loginuid(auid);
        }
        if w.exe && self.facts.exe.is_none() {
            match find_lit!(m, 0, b"exe=") {
                Some(s) => {
                    let (exe, close) = Self::string(m, s + 4, 67)?;
                    self.facts.exe = exe;
                    term = close.unwrap_or(term);
                }
                None => self.facts.exe = Some(b"(null)".to_vec()),
            }
        }
        if w.success {
            if let Some(s) = find_lit!(m, term, b"res=") {
                self.facts.success = num(m, s + 4, chr(m, s + 4, b' '), 10, 69)? as i32;
            }
        }
        Ok(())
    }

    pub(super) fn tty(&mut self, m: &[u8]) -> Parsed {
        let w = self.wants;
        let term = self.pid_uid(m, w.pid)?;
        if w.auid {
            let ptr = find_lit!(m, term, b"auid=").ok_or(5)? + 5;
            self.set_loginuid(num(m, ptr, chr(m, ptr, b' '), 10, 6)?);
        }
        Ok(())
    }
}
