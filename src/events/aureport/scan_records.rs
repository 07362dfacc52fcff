//! The rest of `ausearch-parse.c` that aureport's reports reach: user-space records,
//! AVCs, LOGIN, auditd's own records, CONFIG_CHANGE and the MAC records, and the kernel's
//! anomaly, netfilter, TTY, integrity and SOCKADDR records (see `scan` for the method).

use super::scan::{legacy_string, number, quoted, string_at, unescape, Parser, Step};
use super::scan::{Success, FAILED, NO_AUID, SUCCEEDED};
use crate::events::cstr::{chr, find_lit, strtoul};
use crate::events::types;

impl Parser<'_> {
    /// `parse_user`; failures past 20 (aureport's numbers) are forgiven in a USER_AVC.
    pub(super) fn user(&mut self, msg: &[u8], kind: u32) -> Step {
        self.user_coded(msg, kind).map_err(|_| ())
    }

    pub(super) fn user_coded(&mut self, msg: &[u8], kind: u32) -> Result<(), u8> {
        let at = find_lit!(msg, 0, b"pid=").ok_or(1u8)? + 4;
        let mut term = chr(msg, at, b' ').ok_or(1u8)?;
        self.s.pid = number(msg, at, Some(term)).map_err(|()| 1u8)? as u32;
        if self.w.uid {
            let at = find_lit!(msg, term, b"uid=").ok_or(1u8)? + 4;
            term = chr(msg, at, b' ').ok_or(1u8)?;
            self.s.uid = number(msg, at, Some(term)).map_err(|()| 1u8)? as u32;
        }
        let at = match find_lit!(msg, term, b"auid=") {
            Some(at) => at + 5,
            None => find_lit!(msg, term, b"loginuid=").ok_or(1u8)? + 9,
        };
        term = chr(msg, at, b' ').ok_or(1u8)?;
        self.s.auid = number(msg, at, Some(term)).map_err(|()| 1u8)? as u32;
        // VIRT_RESOURCE names a disk.
        if kind == 2501 && self.w.file {
            let found = find_lit!(msg, term, b" path=")
                .map(|a| a + 6)
                .or_else(|| find_lit!(msg, term, b" new-disk=").map(|a| a + 10));
            if let Some(at) = found {
                self.path_at(msg, at).map_err(|()| 1u8)?;
                term = at;
            }
        }
        if self.w.uid {
            // Some records' second uid is the one wanted (USER_LOGIN).
            // A retry past `auid=` moves where the next fields are searched from.
            while let Some(at) = find_lit!(msg, term, b"uid=") {
                let before = if at > 0 { msg[at - 1] } else { 0 };
                if before == b'a' {
                    term = at + 1;
                    continue;
                }
                if before == b's' || before == b'u' {
                    break;
                }
                if before != b'\'' && before != b' ' {
                    return Err(25);
                }
                let digits = msg[at + 4..].iter().take_while(|c| c.is_ascii_digit()).count();
                if digits == 0 {
                    return Err(14);
                }
                term = at + 4 + digits;
                self.s.uid = number(msg, at + 4, Some(term)).map_err(|()| 1u8)? as u32;
                break;
            }
        }
        let mut mptr = term;
        if self.w.comm {
            if let Some(at) = find_lit!(msg, mptr, b"comm=") {
                let (comm, close) = string_at(msg, at + 5).map_err(|()| 16u8)?;
                self.s.comm = comm;
                term = close.unwrap_or(term);
            }
        }
        if let Some(at) = find_lit!(msg, mptr, b"acct=") {
            let at = at + 5;
            term = if msg.get(at) == Some(&b'"') {
                chr(msg, at + 1, b'"').unwrap_or(msg.len())
            } else {
                chr(msg, at, b' ').unwrap_or(msg.len())
            };
        }
        mptr = term;
        if self.w.terminal_host {
            if let Some(at) = find_lit!(msg, mptr, b"hostname=") {
                let at = at + 9;
                // A comma anywhere later ends it, as in aureport.
                let end = chr(msg, at, b',').or_else(|| chr(msg, at, b' ')).ok_or(17u8)?;
                let mut host = msg[at..end].to_vec();
                if host == b"?" {
                    if let Some(addr) = find_lit!(msg, end + 1, b"addr=") {
                        let addr = addr + 5;
                        let end = chr(msg, addr, b',').or_else(|| chr(msg, addr, b' ')).ok_or(18u8)?;
                        host = msg[addr..end].to_vec();
                    }
                }
                self.s.host = Some(host);
            }
        }
        if self.w.file {
            if let Some(at) = find_lit!(msg, mptr, b"cwd=") {
                let (cwd, _) = legacy_string(msg, at + 4).map_err(|()| 20u8)?;
                self.s.cwd = cwd;
            }
        }
        if self.w.terminal_host {
            if let Some(at) = find_lit!(msg, mptr, b"terminal=") {
                let at = at + 9;
                let end = chr(msg, at, b' ').or_else(|| chr(msg, at, b')')).ok_or(19u8)?;
                self.s.terminal = Some(msg[at..end].to_vec());
            }
        }
        if self.w.exe {
            if let Some(at) = find_lit!(msg, mptr, b"exe=") {
                let (exe, _) = legacy_string(msg, at + 4).map_err(|()| 26u8)?;
                self.s.exe = exe;
            }
        }
        if let Some(at) = find_lit!(msg, mptr, b"res=") {
            let at = at + 4;
            chr(msg, at, b'\'').ok_or(21u8)?;
            self.s.success = if msg[at..].starts_with(b"failed") { FAILED } else { SUCCEEDED };
        } else if let Some(at) = find_lit!(msg, mptr, b"result=") {
            let at = at + 7;
            let end = chr(msg, at, b')').ok_or(22u8)?;
            self.s.success = if msg[at..end].eq_ignore_ascii_case(b"success") { SUCCEEDED } else { FAILED };
        }
        Ok(())
    }

    /// `parse_avc`, for AVC and USER_AVC.
    pub(super) fn avc(&mut self, msg: &[u8], kind: u32) -> Step {
        let mut term = 0;
        if let Some(at) = find_lit!(msg, 0, b"avc: ") {
            let at = at + 5;
            if let Some(brace) = chr(msg, at, b'{') {
                let denied = find_lit!(&msg[..brace], at, b"denied").is_some();
                self.s.success = if denied { FAILED } else { SUCCEEDED };
                let mut close = chr(msg, brace + 1, b'}').ok_or(())?;
                while close > 0 && msg[close - 1] == b' ' {
                    close -= 1;
                }
                term = close;
            }
        }
        if kind == types::USER_AVC {
            return match self.user_coded(msg, kind) {
                Err(code) if code <= 20 => Err(()),
                _ => Ok(()),
            };
        }
        if let Some(at) = find_lit!(msg, term, b"pid=") {
            let at = at + 4;
            term = chr(msg, at, b' ').ok_or(())?;
            self.s.pid = number(msg, at, Some(term))? as u32;
        }
        if self.w.comm && self.s.comm.is_none() {
            let at = find_lit!(msg, term, b"comm=").ok_or(())? + 5;
            if msg.get(at) == Some(&b'"') {
                let (comm, close) = quoted(msg, at).ok_or(())?;
                self.s.comm = Some(comm);
                term = close;
            } else {
                self.s.comm = Some(unescape(&msg[at.min(msg.len())..]).ok_or(())?);
                term = at + 6;
            }
        }
        if self.w.file {
            let found = find_lit!(msg, term, b" path=").or_else(|| find_lit!(msg, term, b" name="));
            if let Some(at) = found {
                self.path_at(msg, at + 6)?;
                term += 7;
            }
        }
        find_lit!(msg, term, b"tclass=").ok_or(())?;
        Ok(())
    }

    /// `parse_login`.
    pub(super) fn login(&mut self, msg: &[u8]) -> Step {
        let at = find_lit!(msg, 0, b"pid=").ok_or(())? + 4;
        let mut term = Some(chr(msg, at, b' ').ok_or(())?);
        self.s.pid = number(msg, at, term)? as u32;
        if self.w.uid {
            let from = term.unwrap_or(0);
            let at = find_lit!(msg, from, b"uid=").ok_or(())? + 4;
            term = Some(chr(msg, at, b' ').ok_or(())?);
            self.s.uid = number(msg, at, term)? as u32;
        }
        let from = term.unwrap_or(0);
        let at = if let Some(at) = find_lit!(msg, from, b"new auid=") {
            at + 9
        } else if let Some(at) = find_lit!(msg, from, b" auid=") {
            at + 6
        } else {
            find_lit!(msg, from, b"new loginuid=").ok_or(())? + 13
        };
        term = chr(msg, at, b' ');
        self.s.auid = number(msg, at, term)? as u32;
        let from = term.unwrap_or(0);
        match find_lit!(msg, from, b"res=") {
            Some(at) => {
                let at = at + 4;
                let end = chr(msg, at, b' ');
                self.s.success = number(msg, at, end)? as i32 as Success;
            }
            // An old kernel's LOGIN always succeeded.
            None => self.s.success = SUCCEEDED,
        }
        Ok(())
    }

    /// The daemon records' `res=` after `from`: a word, `failed` or a success; none there
    /// fails the event.
    fn res_word(&mut self, msg: &[u8], from: usize) -> Step {
        if let Some(at) = find_lit!(msg, from, b"res=") {
            let at = at + 4;
            let letters = msg[at..].iter().take_while(|c| c.is_ascii_alphabetic()).count();
            if letters == 0 {
                return Err(());
            }
            self.s.success = if msg[at..].starts_with(b"failed") { FAILED } else { SUCCEEDED };
        }
        Ok(())
    }

    /// `parse_daemon1`: auditd's own records.
    pub(super) fn daemon1(&mut self, msg: &[u8]) -> Step {
        let mptr = chr(msg, 0, b')').unwrap_or(0);
        let at = find_lit!(msg, mptr, b"auid=").ok_or(())? + 5;
        let mut term = chr(msg, at, b' ').ok_or(())?;
        self.s.auid = number(msg, at, Some(term))? as u32;
        let at = find_lit!(msg, term, b"pid=").ok_or(())? + 4;
        term = chr(msg, at, b' ').ok_or(())?;
        self.s.pid = number(msg, at, Some(term))? as u32;
        if self.w.uid {
            if let Some(at) = find_lit!(msg, term, b" uid=") {
                let at = at + 5;
                let end = chr(msg, at, b' ').ok_or(())?;
                self.s.uid = number(msg, at, Some(end))? as u32;
            }
        }
        self.res_word(msg, mptr)
    }

    /// `parse_daemon2`: a remote client of auditd.
    pub(super) fn daemon2(&mut self, msg: &[u8]) -> Step {
        let mut term = 0;
        if self.w.terminal_host {
            if let Some(at) = find_lit!(msg, 0, b"addr=") {
                let at = at + 5;
                term = chr(msg, at, b':').or_else(|| chr(msg, at, b' ')).ok_or(())?;
                self.s.host = Some(msg[at..term].to_vec());
            }
        }
        self.res_word(msg, term)
    }

    /// `parse_simple_message`: CONFIG_CHANGE and the MAC records.
    pub(super) fn simple_message(&mut self, msg: &[u8], kind: u32) -> Step {
        let mut term = 0;
        match find_lit!(msg, 0, b"auid=") {
            // Old kernels' CONFIG_CHANGE has no auid.
            None if kind != types::CONFIG_CHANGE => return Err(()),
            None => {}
            Some(at) => {
                let at = at + 5;
                let end = chr(msg, at, b' ');
                self.s.auid = number(msg, at, end)? as u32;
                term = end.unwrap_or(at);
            }
        }
        if self.w.key {
            if let Some(at) = find_lit!(msg, term, b"key=") {
                let at = at + 4;
                self.keys(msg, at)?;
                if msg.get(at) == Some(&b'"') {
                    term = chr(msg, at + 1, b'"').unwrap_or(term);
                }
            }
        }
        if kind == types::CONFIG_CHANGE {
            self.s.success = SUCCEEDED;
        }
        if let Some(at) = find_lit!(msg, term, b"res=") {
            let at = at + 4;
            let end = chr(msg, at, b' ');
            self.s.success = number(msg, at, end)? as i32 as Success;
        }
        Ok(())
    }

    /// `parse_kernel_anom`: SECCOMP, ANOM_PROMISCUOUS, ANOM_ABEND.
    pub(super) fn kernel_anom(&mut self, msg: &[u8], kind: u32) -> Step {
        let at = find_lit!(msg, 0, b"auid=").ok_or(())? + 5;
        let end = chr(msg, at, b' ');
        self.s.auid = number(msg, at, end)? as u32;
        let mut term = end.unwrap_or(at);
        if self.w.uid {
            if let Some(at) = find_lit!(msg, term, b"uid=") {
                let at = at + 4;
                term = chr(msg, at, b' ').ok_or(())?;
                self.s.uid = number(msg, at, Some(term))? as u32;
            }
        }
        if kind == 1700 {
            return Ok(());
        }
        if let Some(at) = find_lit!(msg, term, b"pid=") {
            let at = at + 4;
            term = chr(msg, at, b' ').ok_or(())?;
            self.s.pid = number(msg, at, Some(term))? as u32;
        }
        if self.w.comm {
            if let Some(at) = find_lit!(msg, term, b"comm=") {
                let (comm, close) = string_at(msg, at + 5)?;
                self.s.comm = comm;
                term = close.unwrap_or(term);
            }
        }
        if self.w.exe {
            match find_lit!(msg, term, b"exe=") {
                Some(at) => {
                    let (exe, close) = string_at(msg, at + 4)?;
                    self.s.exe = exe;
                    term = close.unwrap_or(term);
                }
                None if kind != 1701 => return Err(()),
                None => {}
            }
        }
        if kind == 1326 {
            let Some(at) = find_lit!(msg, term, b"arch=") else { return Ok(()) };
            let at = at + 5;
            term = chr(msg, at, b' ').ok_or(())?;
            strtoul(&msg[at..term], 16).map_err(drop)?;
            let at = find_lit!(msg, term, b"syscall=").ok_or(())? + 8;
            term = chr(msg, at, b' ').ok_or(())?;
            self.s.syscall = number(msg, at, Some(term))? as i32;
        }
        if let Some(at) = find_lit!(msg, term, b"res=") {
            let at = at + 4;
            let end = chr(msg, at, b' ');
            self.s.success = number(msg, at, end)? as i32 as Success;
        }
        Ok(())
    }

    /// `parse_kernel`: NETFILTER_CFG, EVENT_LISTENER; fills only what is still unset.
    pub(super) fn kernel(&mut self, msg: &[u8]) -> Step {
        let mut term = 0;
        if self.s.pid == u32::MAX {
            let at = find_lit!(msg, 0, b" pid=").ok_or(())? + 5;
            term = chr(msg, at, b' ').ok_or(())?;
            self.s.pid = number(msg, at, Some(term))? as u32;
        }
        if self.s.uid == u32::MAX && self.w.uid {
            match find_lit!(msg, term, b"uid=") {
                Some(at) => {
                    let at = at + 4;
                    term = chr(msg, at, b' ').ok_or(())?;
                    self.s.uid = number(msg, at, Some(term))? as u32;
                }
                None => self.s.uid = 0,
            }
        }
        if self.s.auid == NO_AUID {
            match find_lit!(msg, term, b"auid=") {
                Some(at) => {
                    let at = at + 5;
                    term = chr(msg, at, b' ').ok_or(())?;
                    self.s.auid = number(msg, at, Some(term))? as u32;
                }
                None => self.s.auid = u32::MAX,
            }
        }
        if self.s.terminal.is_none() && self.w.terminal_host {
            match find_lit!(msg, term, b"tty=") {
                Some(at) => {
                    let at = at + 4;
                    term = chr(msg, at, b' ').ok_or(())?;
                    self.s.terminal = Some(msg[at..term].to_vec());
                }
                None => self.s.terminal = Some(b"(none)".to_vec()),
            }
        }
        if self.s.comm.is_none() && self.w.comm {
            let at = find_lit!(msg, term, b"comm=").ok_or(())? + 5;
            let (comm, close) = string_at(msg, at)?;
            self.s.comm = comm;
            term = close.unwrap_or(term);
        }
        if self.s.exe.is_none() && self.w.exe {
            match find_lit!(msg, 0, b"exe=") {
                Some(at) => {
                    let (exe, close) = string_at(msg, at + 4)?;
                    self.s.exe = exe;
                    term = close.unwrap_or(term);
                }
                None => self.s.exe = Some(b"(null)".to_vec()),
            }
        }
        if let Some(at) = find_lit!(msg, term, b"res=") {
            let at = at + 4;
            let end = chr(msg, at, b' ');
            self.s.success = number(msg, at, end)? as i32 as Success;
        }
        Ok(())
    }

    /// `parse_pkt`: NETFILTER_PKT's source address is its host.
    pub(super) fn pkt(&mut self, msg: &[u8]) -> Step {
        if self.w.terminal_host {
            if let Some(at) = find_lit!(msg, 0, b"saddr=") {
                let at = at + 6;
                let end = chr(msg, at, b' ').ok_or(())?;
                self.s.host = Some(msg[at..end].to_vec());
            }
        }
        Ok(())
    }

    /// The `pid=` and ` uid=` that `parse_tty` and `parse_integrity` begin with; where
    /// they end. As in C, the uid is read from the `=` of ` uid=` (so it reads 0).
    fn pid_uid(&mut self, msg: &[u8]) -> Result<usize, ()> {
        let mut term = 0;
        if let Some(at) = find_lit!(msg, 0, b"pid=") {
            let at = at + 4;
            term = chr(msg, at, b' ').ok_or(())?;
            self.s.pid = number(msg, at, Some(term))? as u32;
        }
        if self.w.uid {
            if let Some(at) = find_lit!(msg, term, b" uid=") {
                let at = at + 4;
                term = chr(msg, at, b' ').ok_or(())?;
                self.s.uid = number(msg, at, Some(term))? as u32;
            }
        }
        Ok(term)
    }

    /// `parse_tty`.
    pub(super) fn tty(&mut self, msg: &[u8]) -> Step {
        let mut term = self.pid_uid(msg)?;
        let at = find_lit!(msg, term, b"auid=").ok_or(())? + 5;
        let end = chr(msg, at, b' ');
        self.s.auid = number(msg, at, end)? as u32;
        term = end.unwrap_or(at);
        if self.w.comm {
            if let Some(at) = find_lit!(msg, term, b"comm=") {
                self.s.comm = string_at(msg, at + 5)?.0;
            }
        }
        Ok(())
    }

    /// `parse_integrity`.
    pub(super) fn integrity(&mut self, msg: &[u8]) -> Step {
        let mut term = self.pid_uid(msg)?;
        // From the line's start.
        if let Some(at) = find_lit!(msg, 0, b"auid=") {
            let at = at + 5;
            term = chr(msg, at, b' ').ok_or(())?;
            self.s.auid = number(msg, at, Some(term))? as u32;
        }
        if self.w.comm {
            if let Some(at) = find_lit!(msg, term, b"comm=") {
                let (comm, close) = string_at(msg, at + 5)?;
                self.s.comm = comm;
                term = close.unwrap_or(term);
            }
        }
        if self.w.file {
            if let Some(at) = find_lit!(msg, term, b" name=") {
                self.path_at(msg, at + 6)?;
            }
        }
        if let Some(at) = find_lit!(msg, term, b"res=") {
            let at = at + 4;
            let end = chr(msg, at, b' ');
            self.s.success = number(msg, at, end)? as i32 as Success;
        }
        Ok(())
    }

    /// `parse_sockaddr`: a unix socket's path is a file name, an IP address the host.
    pub(super) fn sockaddr(&mut self, msg: &[u8]) -> Step {
        if !(self.w.terminal_host || self.w.file) {
            return Ok(());
        }
        let Some(at) = find_lit!(msg, 0, b"saddr=") else { return Ok(()) };
        let at = at + 6;
        let text = &msg[at..];
        let len = if text.first() == Some(&b'(') {
            memchr::memchr(b')', text).map_or(0, |c| c + 1)
        } else {
            text.iter().take_while(|c| c.is_ascii_hexdigit()).count() / 2
        };
        // unescape's result is a C string: what follows a NUL is lost, and with it the
        // address (sa_family's high byte is 0). Decode all the digits instead.
        let digits = text.iter().take_while(|c| c.is_ascii_hexdigit()).count();
        if text.first() != Some(&b'(') && digits < 2 {
            return Err(());
        }
        let bytes: Vec<u8> = if text.first() == Some(&b'(') {
            unescape(text).ok_or(())?
        } else {
            let nibble = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
            text[..digits].chunks(2).map(|p| nibble(p[0]) << 4 | p.get(1).map_or(0, |&c| nibble(c))).collect()
        };
        let family = u16::from_ne_bytes([bytes.first().copied().unwrap_or(0), bytes.get(1).copied().unwrap_or(0)]);
        match family as i32 {
            libc::AF_INET if len < 16 => Err(()),
            libc::AF_INET6 if len < 28 => Err(()),
            libc::AF_INET if self.w.terminal_host => {
                self.s.host = Some(format!("{}.{}.{}.{}", bytes[4], bytes[5], bytes[6], bytes[7]).into_bytes());
                Ok(())
            }
            libc::AF_INET6 if self.w.terminal_host => {
                let mut octets = [0u8; 16];
                octets.copy_from_slice(&bytes[8..24]);
                self.s.host = Some(std::net::Ipv6Addr::from(octets).to_string().into_bytes());
                Ok(())
            }
            libc::AF_UNIX if len < 4 => Err(()),
            libc::AF_UNIX if self.w.file => {
                let path = &bytes[2..];
                let path = if path.first() == Some(&0) { &path[1..] } else { path };
                let end = path.iter().position(|&b| b == 0).unwrap_or(path.len());
                self.push_file(path[..end].to_vec());
                Ok(())
            }
            _ => Ok(()),
        }
    }
}
