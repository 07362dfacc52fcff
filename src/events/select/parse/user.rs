//! User-space and daemon records: `parse_user` (USER_*, CRED_*, SERVICE_*, …), LOGIN,
//! DAEMON_*, and `parse_simple_message` (CONFIG_CHANGE, the MAC records).

use super::{alpha_res, num, Parsed, Parser, VIRT_RESOURCE};
use crate::events::cstr::{at, chr, find_lit};
use crate::events::record::types;

impl Parser<'_> {
    pub(super) fn user(&mut self, kind: u32, m: &[u8]) -> Parsed {
        let w = self.wants;
        let mut term = 0;
        if w.pid {
            let ptr = find_lit!(m, term, b"pid=").ok_or(1)? + 4;
            term = chr(m, ptr, b' ').ok_or(2)?;
            self.facts.pid = num(m, ptr, Some(term), 10, 3)? as u32;
        }
        if w.uid {
            let ptr = find_lit!(m, term, b"uid=").ok_or(4)? + 4;
            term = chr(m, ptr, b' ').ok_or(5)?;
            self.set_uid(num(m, ptr, Some(term), 10, 6)?);
        }
        if w.auid {
            let ptr = match find_lit!(m, term, b"auid=") {
                Some(s) => s + 5,
                None => find_lit!(m, term, b"loginuid=").ok_or(7)? + 9,
            };
            term = chr(m, ptr, b' ').ok_or(8)?;
            self.set_loginuid(num(m, ptr, Some(term), 10, 9)?);
        }
        if kind == VIRT_RESOURCE && w.files {
            let found = match find_lit!(m, term, b" path=") {
                Some(s) => Some(s + 6),
                None => find_lit!(m, term, b" new-disk=").map(|s| s + 10),
            };
            if let Some(at_) = found {
                self.path_value(m, at_)?;
                term = at_;
            }
        }
        // "some records the second uid is what we want. USER_LOGIN for example."
        if w.uid {
            while let Some(s) = find_lit!(m, term, b"uid=") {
                let before = if s > 0 { m[s - 1] } else { 0 };
                if before == b'a' {
                    term = s + 1;
                    continue;
                }
                if before == b's' || before == b'u' {
                    break;
                }
                if before != b'\'' && before != b' ' {
                    return Err(25);
                }
                let ptr = s + 4;
                let end = ptr + m[ptr..].iter().take_while(|c| c.is_ascii_digit()).count();
                if end == ptr {
                    return Err(14);
                }
                term = end;
                self.set_uid(num(m, ptr, Some(end), 10, 15)?);
                break;
            }
        }
        // acct= is always read, and moves the start of what follows past its value.
        let mut mptr = term;
        if let Some(s) = find_lit!(m, mptr, b"acct=") {
            let ptr = s + 5;
            let rest = |from: usize, stop: u8| m.get(from..).unwrap_or(b"").iter().take_while(|&&c| c != stop).count();
            mptr = if at(m, ptr) == b'"' { ptr + 1 + rest(ptr + 1, b'"') } else { ptr + rest(ptr, b' ') };
        }
        if w.files {
            if let Some(s) = find_lit!(m, mptr, b"cwd=") {
                let ptr = s + 4;
                if at(m, ptr) == b'"' {
                    let close = chr(m, ptr + 1, b'"').ok_or(20)?;
                    self.facts.cwd = Some(m[ptr + 1..close].to_vec());
                } else {
                    self.facts.cwd = Self::legacy(m, ptr).0;
                }
            }
        }
        if w.exe {
            if let Some(s) = find_lit!(m, mptr, b"exe=") {
                let ptr = s + 4;
                if at(m, ptr) == b'"' {
                    let close = chr(m, ptr + 1, b'"').ok_or(26)?;
                    self.facts.exe = Some(m[ptr + 1..close].to_vec());
                } else {
                    self.facts.exe = Self::legacy(m, ptr).0;
                }
            }
        }
        if w.success {
            if let Some(s) = find_lit!(m, mptr, b"res=") {
                let ptr = s + 4;
                let end = chr(m, ptr, b'\'').ok_or(21)?;
                self.facts.success = i32::from(!m[ptr..end].starts_with(b"failed"));
            } else if let Some(s) = find_lit!(m, mptr, b"result=") {
                let ptr = s + 7;
                let end = chr(m, ptr, b')').ok_or(22)?;
                self.facts.success = i32::from(m[ptr..end].eq_ignore_ascii_case(b"success"));
            }
        }
        Ok(())
    }

    pub(super) fn login(&mut self, m: &[u8]) -> Parsed {
        let w = self.wants;
        let mut term = Some(0);
        if w.pid {
            let ptr = find_lit!(m, 0, b"pid=").ok_or(1)? + 4;
            let end = chr(m, ptr, b' ').ok_or(2)?;
            self.facts.pid = num(m, ptr, Some(end), 10, 3)? as u32;
            term = Some(end);
        }
        if w.uid {
            let ptr = find_lit!(m, term.unwrap_or(0), b"uid=").ok_or(4)? + 4;
            let end = chr(m, ptr, b' ').ok_or(5)?;
            self.set_uid(num(m, ptr, Some(end), 10, 6)?);
            term = Some(end);
        }
        if w.auid {
            let from = term.unwrap_or(0);
            let ptr = if let Some(s) = find_lit!(m, from, b"new auid=") {
                s + 9
            } else if let Some(s) = find_lit!(m, from, b" auid=") {
                // The 3.14 kernel's form.
                s + 6
            } else {
                find_lit!(m, from, b"new loginuid=").ok_or(7)? + 13
            };
            term = chr(m, ptr, b' ');
            self.set_loginuid(num(m, ptr, term, 10, 8)?);
        }
        if w.success {
            match find_lit!(m, term.unwrap_or(0), b"res=") {
                Some(s) => self.facts.success = num(m, s + 4, chr(m, s + 4, b' '), 10, 9)? as i32,
                // An older kernel's, always successful.
                None => self.facts.success = 1,
            }
        }
        Ok(())
    }

    pub(super) fn daemon1(&mut self, m: &[u8]) -> Parsed {
        let w = self.wants;
        // "Not all messages have a ')', use it if its there."
        let mptr = chr(m, 0, b')').unwrap_or(0);
        let mut term = mptr;
        if w.auid {
            let ptr = find_lit!(m, mptr, b"auid=").ok_or(1)? + 5;
            term = chr(m, ptr, b' ').ok_or(2)?;
            self.set_loginuid(num(m, ptr, Some(term), 10, 3)?);
        }
        if w.pid {
            let ptr = find_lit!(m, term, b"pid=").ok_or(4)? + 4;
            term = chr(m, ptr, b' ').ok_or(5)?;
            self.facts.pid = num(m, ptr, Some(term), 10, 6)? as u32;
        }
        // event_uid != -1: a name's uid too, but no name is looked up.
        if w.uid {
            if let Some(s) = find_lit!(m, term, b" uid=") {
                let ptr = s + 5;
                let end = chr(m, ptr, b' ').ok_or(7)?;
                self.facts.uid = num(m, ptr, Some(end), 10, 8)? as u32;
            }
        }
        if w.success {
            if let Some(s) = find_lit!(m, mptr, b"res=") {
                self.facts.success = alpha_res(m, s + 4).ok_or(12)?;
            }
        }
        Ok(())
    }

    pub(super) fn daemon2(&mut self, m: &[u8]) -> Parsed {
        if self.wants.success {
            if let Some(s) = find_lit!(m, 0, b"res=") {
                self.facts.success = alpha_res(m, s + 4).ok_or(2)?;
            }
        }
        Ok(())
    }

    pub(super) fn simple_message(&mut self, kind: u32, m: &[u8]) -> Parsed {
        let w = self.wants;
        let mut term = 0;
        if w.auid {
            // Old kernels' CONFIG_CHANGE has no auid.
            match find_lit!(m, 0, b"auid=") {
                None if kind != types::CONFIG_CHANGE => return Err(1),
                None => {}
                Some(s) => {
                    let ptr = s + 5;
                    let end = chr(m, ptr, b' ');
                    self.set_loginuid(num(m, ptr, end, 10, 2)?);
                    term = end.unwrap_or(ptr);
                }
            }
        }
        if w.key {
            if let Some(s) = find_lit!(m, term, b"key=") {
                let ptr = s + 4;
                if at(m, ptr) == b'"' {
                    term = chr(m, ptr + 1, b'"').ok_or(6)?;
                }
                self.add_keys(m, ptr, 6, 8)?;
            }
        }
        if kind == types::CONFIG_CHANGE {
            self.facts.success = 1;
        }
        if w.success {
            if let Some(s) = find_lit!(m, term, b"res=") {
                self.facts.success = num(m, s + 4, chr(m, s + 4, b' '), 10, 7)? as i32;
            }
        }
        Ok(())
    }
}
