//! The kernel's live record stream: a `NETLINK_AUDIT` socket joined to the
//! `AUDIT_NLGRP_READLOG` multicast group. It is a copy of what auditd gets, delivered
//! whether or not auditd runs, and joining it never registers this process as the audit
//! daemon (which would take audit.log's records away or stall the host on a slow reader).
//!
//! Each datagram is one record: the netlink header's type is the record type, the payload
//! is `audit(SEC.MSEC:SERIAL): fields` with no `type=`, `node=` or enrichment. The
//! header's length is not trusted: the datagram's is used.
//!
//! Loss is never silent. When records arrive faster than they are read, the kernel drops
//! them for this socket only, counts them in the socket's `sk_drops` (the `Drops` column of
//! /proc/net/netlink) and makes the next `recv` fail once with ENOBUFS; [`Received::Overrun`]
//! carries the exact number of records dropped since the last overrun.

use std::io;
use std::os::fd::{AsFd, AsRawFd};
use std::time::Duration;

use netlink_sys::{Socket, SocketAddr};

use super::netlink::{receive, socket_error, wait_readable, NETLINK_AUDIT};
use super::Error;

/// `AUDIT_NLGRP_READLOG`: the kernel's read-only copy of every record.
pub const AUDIT_NLGRP_READLOG: u32 = 1;
/// The receive buffer asked for by default: about 16,000 records of kernel accounting
/// (an audit skb is charged 1–2 KiB), a burst of a third of a second at 50,000 records/s.
pub const DEFAULT_STREAM_BUFFER: usize = 32 << 20;
/// The largest record the kernel writes is under 9 KiB (`MAX_AUDIT_MESSAGE_LENGTH` 8970);
/// room for more, and a bigger datagram is reported, never silently cut.
const DATAGRAM_LEN: usize = 64 << 10;
const HEADER_LEN: usize = 16;

/// What one read of the stream gave.
#[derive(Debug, PartialEq, Eq)]
pub enum Received<'a> {
    /// A record: its type and its text (`audit(…): fields`), trailing NULs and newlines cut.
    Record {
        /// The record type (`nlmsg_type`).
        kind: u16,
        /// The text after the netlink header.
        text: &'a [u8],
    },
    /// The socket overflowed: the kernel dropped records for this socket.
    Overrun {
        /// How many, exactly, when /proc/net/netlink says so (since the last overrun);
        /// `None` when it cannot be read.
        dropped: Option<u64>,
    },
    /// Nothing arrived within the wait.
    Idle,
}

/// The live record stream.
pub struct RecordStream {
    socket: Socket,
    buffer: Vec<u8>,
    inode: Option<u64>,
    drops_seen: u64,
    granted: usize,
}

impl RecordStream {
    /// Opens a socket, sizes its receive buffer (`SO_RCVBUFFORCE` when CAP_NET_ADMIN allows,
    /// else `SO_RCVBUF`, capped by net.core.rmem_max) and joins the read-log group, which
    /// the kernel allows with CAP_AUDIT_READ in the initial user namespace only.
    pub fn open(buffer: usize) -> Result<RecordStream, Error> {
        let mut socket = Socket::new(NETLINK_AUDIT).map_err(socket_error)?;
        size_receive_buffer(&socket, buffer);
        socket.bind(&SocketAddr::new(0, 1 << (AUDIT_NLGRP_READLOG - 1))).map_err(join_error)?;
        let granted = nix::sys::socket::getsockopt(&socket.as_fd(), nix::sys::socket::sockopt::RcvBuf)
            .map_err(|e| Error::Io(e.into()))?;
        let inode = std::fs::metadata(format!("/proc/self/fd/{}", socket.as_raw_fd())).ok().map(|m| {
            use std::os::unix::fs::MetadataExt;
            m.ino()
        });
        let mut stream = RecordStream { socket, buffer: vec![0; DATAGRAM_LEN], inode, drops_seen: 0, granted };
        stream.drops_seen = stream.drops().unwrap_or(0);
        Ok(stream)
    }

    /// The receive buffer the kernel granted (it reports twice what it charges against).
    pub fn buffer_granted(&self) -> usize {
        self.granted
    }

    /// Waits up to `wait` for the next record.
    pub fn next(&mut self, wait: Duration) -> Result<Received<'_>, Error> {
        wait_readable(&self.socket, wait).map_err(Error::Io)?;
        let (len, from) = match receive(&self.socket, &mut self.buffer) {
            Ok(got) => got,
            Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => {
                return Ok(Received::Overrun { dropped: self.take_drops() });
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(Received::Idle),
            Err(e) => return Err(Error::Io(e)),
        };
        // Only the kernel (port 0) speaks on this group.
        if from.port_number() != 0 || len < HEADER_LEN {
            return Ok(Received::Idle);
        }
        if len > self.buffer.len() {
            return Err(Error::Io(io::Error::other(format!(
                "a {len}-byte audit record does not fit the {}-byte receive buffer",
                self.buffer.len()
            ))));
        }
        let kind = u16::from_ne_bytes([self.buffer[4], self.buffer[5]]);
        let mut text = &self.buffer[HEADER_LEN..len];
        while let [rest @ .., b'\0' | b'\n'] = text {
            text = rest;
        }
        Ok(Received::Record { kind, text })
    }

    /// Records the kernel dropped for this socket so far (`sk_drops`), from /proc/net/netlink.
    pub fn drops(&self) -> Option<u64> {
        let table = std::fs::read_to_string("/proc/net/netlink").ok()?;
        socket_drops(&table, self.inode?)
    }

    /// Records dropped since the last [`Received::Overrun`] (none are pending otherwise).
    pub fn undeclared_drops(&mut self) -> u64 {
        self.take_drops().unwrap_or(0)
    }

    /// Drops since they were last taken, when /proc/net/netlink says.
    fn take_drops(&mut self) -> Option<u64> {
        let now = self.drops()?;
        let lost = now.saturating_sub(self.drops_seen);
        self.drops_seen = now;
        Some(lost)
    }
}

/// The `Drops` column of the line of /proc/net/netlink whose `Inode` is `inode`; the
/// columns are found by the header's names, not their positions.
pub fn socket_drops(table: &str, inode: u64) -> Option<u64> {
    let mut lines = table.lines();
    let header: Vec<&str> = lines.next()?.split_whitespace().collect();
    let drops = header.iter().position(|h| *h == "Drops")?;
    let ino = header.iter().position(|h| *h == "Inode")?;
    lines.map(|l| l.split_whitespace().collect::<Vec<_>>()).find_map(|cols| {
        (cols.get(ino)?.parse::<u64>().ok()? == inode).then(|| cols.get(drops)?.parse().ok()).flatten()
    })
}

fn size_receive_buffer(socket: &Socket, bytes: usize) {
    use nix::sys::socket::{setsockopt, sockopt};
    // Best effort: a smaller buffer still works, and its overruns are counted.
    if setsockopt(&socket.as_fd(), sockopt::RcvBufForce, &bytes).is_err() {
        let _ = setsockopt(&socket.as_fd(), sockopt::RcvBuf, &bytes);
    }
}

fn join_error(e: io::Error) -> Error {
    match e.raw_os_error() {
        Some(libc::EPERM) | Some(libc::EACCES) => Error::MissingAuditRead,
        Some(libc::ECONNREFUSED) => Error::UserNamespace,
        _ => Error::Io(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Read off a 6.1 kernel.
    const TABLE: &str = "\
sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode
0000000000000000 0   4194470    00000000 0        0        0     2        0        31338
0000000000000000 9   2147483650 00000001 0        0        0     2        1417     48211
";

    #[test]
    fn drops_by_inode() {
        assert_eq!(socket_drops(TABLE, 48211), Some(1417));
        assert_eq!(socket_drops(TABLE, 31338), Some(0));
        assert_eq!(socket_drops(TABLE, 7), None);
        assert_eq!(socket_drops("", 7), None);
        assert_eq!(socket_drops("garbage\n1 2 3", 3), None);
    }
}
