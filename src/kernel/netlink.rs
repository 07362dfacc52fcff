//! The netlink audit client: one `NETLINK_AUDIT` socket, requests with sequence numbers,
//! and a receive loop that copes with what real kernels send (ACK before the dump,
//! several messages per datagram, unpadded lengths, ENOBUFS, silence).

use std::io;
use std::os::fd::{AsFd, AsRawFd};
use std::time::{Duration, Instant};

use netlink_packet_audit::constants::{
    AUDIT_ADD_RULE, AUDIT_DEL_RULE, AUDIT_GET, AUDIT_GET_FEATURE, AUDIT_LIST_RULES, AUDIT_SET, AUDIT_SET_FEATURE,
};
use netlink_packet_core::{NetlinkBuffer, NLM_F_ACK, NLM_F_REQUEST};
use netlink_sys::{Socket, SocketAddr};

use super::status::{Setting, FEATURES_LEN, FEATURE_LOGINUID_IMMUTABLE};
use super::{privilege, Error, Features, Status};
use crate::rule::{binary, Rule};
use crate::wire::{read_u32, DecodeError};

/// `socket(AF_NETLINK, SOCK_RAW, 9)`, as the `isize` `netlink_sys::Socket::new` takes.
pub const NETLINK_AUDIT: isize = 9;
const NLMSG_NOOP: u16 = 1;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const HEADER_LEN: usize = 16;

/// Room for the largest rule the kernel can send (64 string fields of up to PATH_MAX)
/// and more; a datagram bigger than this is reported, never silently cut.
const RECV_BUFFER_LEN: usize = 512 * 1024;
/// Socket buffer asked for, so a 10,000-rule dump (about 10.7 MB of messages, more in
/// kernel accounting) does not overflow while we decode.
const SOCKET_BUFFER_LEN: usize = 64 * 1024 * 1024;
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// How often a dump that overflowed is restarted before giving up.
const MAX_DUMP_ATTEMPTS: u32 = 5;

/// One netlink message inside a datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Message<'a> {
    /// `nlmsg_type`: an `AUDIT_*` request number or `NLMSG_ERROR`/`NLMSG_DONE`.
    pub kind: u16,
    /// `nlmsg_flags`: `NLM_F_MULTI` on each message of a rule dump.
    pub flags: u16,
    /// `nlmsg_seq`: the request's sequence number echoed back.
    pub seq: u32,
    /// `nlmsg_pid`: the sender's port, 0 for the kernel; anything else is ignored.
    pub port: u32,
    /// The bytes after the header up to `nlmsg_len`, without the padding that follows.
    pub payload: &'a [u8],
}

fn align4(len: usize) -> usize {
    (len + 3) & !3
}

/// Splits a datagram into its netlink messages. A message whose `nlmsg_len` is not a
/// multiple of 4 is followed by padding, except possibly the last one.
pub fn messages(datagram: &[u8]) -> impl Iterator<Item = Result<Message<'_>, DecodeError>> {
    let mut rest = datagram;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        if rest.len() < HEADER_LEN {
            let len = rest.len();
            rest = &[];
            return Some(Err(DecodeError::HeaderTruncated { len }));
        }
        let header = NetlinkBuffer::new(rest);
        let len = header.length();
        if (len as usize) < HEADER_LEN {
            rest = &[];
            return Some(Err(DecodeError::LengthTooSmall { len }));
        }
        if len as usize > rest.len() {
            let available = rest.len();
            rest = &[];
            return Some(Err(DecodeError::LengthPastDatagram { len, available }));
        }
        let message = Message {
            kind: header.message_type(),
            flags: header.flags(),
            seq: header.sequence_number(),
            port: header.port_number(),
            payload: &rest[HEADER_LEN..len as usize],
        };
        rest = rest.get(align4(len as usize)..).unwrap_or(&[]);
        Some(Ok(message))
    })
}

/// The errno of an `NLMSG_ERROR` payload; 0 is an acknowledgement.
pub fn error_code(payload: &[u8]) -> Result<i32, DecodeError> {
    // `struct nlmsgerr` starts with the negative errno.
    read_u32(payload, 0).map(|word| word as i32).ok_or(DecodeError::ErrorTruncated { len: payload.len() })
}

/// What a request's answer consists of, besides the ACK.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Answer {
    /// Nothing: changes (add/delete rule, set) are answered by the ACK alone.
    AckOnly,
    /// One message of the request's type.
    Reply,
    /// Messages until NLMSG_DONE.
    Dump,
}

/// What [`AuditClient::stream_rules`] hands over.
// Boxing the rule would cost an allocation per rule; a Dumped lives for one call.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Dumped {
    /// The next rule, in the kernel's listing order.
    Rule(Rule),
    /// The dump overflowed the socket buffer and is sent again from the first rule.
    Restart,
}

/// A connection to the kernel's audit subsystem.
pub struct AuditClient {
    socket: Socket,
    /// Who answers: the kernel (port 0), except in tests that stand in for it.
    kernel_port: u32,
    seq: u32,
    recv_buffer: Vec<u8>,
    timeout: Duration,
    /// Socket buffer to ask for on (re)opened sockets.
    socket_buffer: usize,
    dump_restarts: u32,
}

impl AuditClient {
    /// Opens the socket. Checks the capability first so the error can say exactly what
    /// is missing instead of relaying a bare EPERM later.
    pub fn open() -> Result<AuditClient, Error> {
        let socket = open_socket()?;
        if !privilege::in_initial_user_namespace() {
            return Err(Error::UserNamespace);
        }
        if !privilege::has_audit_control() {
            return Err(Error::MissingCapability);
        }
        Ok(AuditClient::with_socket(socket))
    }

    /// A client on a socket the caller opened (tests use a protocol nobody answers on).
    pub fn with_socket(socket: Socket) -> AuditClient {
        AuditClient {
            socket,
            kernel_port: 0,
            seq: 0,
            recv_buffer: vec![0; RECV_BUFFER_LEN],
            timeout: DEFAULT_TIMEOUT,
            socket_buffer: SOCKET_BUFFER_LEN,
            dump_restarts: 0,
        }
    }

    /// Asks for a different socket receive buffer (the default is 64 MiB, enough for
    /// 10,000+ rules). Smaller buffers make overflowed dumps, which are restarted.
    pub fn set_socket_buffer(&mut self, bytes: usize) -> Result<(), Error> {
        self.socket_buffer = bytes;
        size_socket_buffer(&self.socket, bytes)
    }

    /// How many rule dumps had to be restarted because the socket buffer overflowed.
    pub fn dump_restarts(&self) -> u32 {
        self.dump_restarts
    }

    /// How long to wait for the kernel before giving up on a request.
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    /// `AUDIT_GET`, as `auditctl -s` asks for it.
    pub fn status(&mut self) -> Result<Status, Error> {
        let payload = self.request_one("AUDIT_GET", AUDIT_GET, &[])?;
        Status::decode(&payload).map_err(|source| Error::Decode { request: "AUDIT_GET", source })
    }

    /// `AUDIT_GET_FEATURE`; [`Error::Kernel`] on kernels before 3.19, which lack it.
    pub fn features(&mut self) -> Result<Features, Error> {
        // The request carries an (empty) struct audit_features, as auditctl sends it.
        let payload = self.request_one("AUDIT_GET_FEATURE", AUDIT_GET_FEATURE, &[0u8; FEATURES_LEN])?;
        Features::decode(&payload).map_err(|source| Error::Decode { request: "AUDIT_GET_FEATURE", source })
    }

    /// `AUDIT_LIST_RULES`, whole or not at all: an overflowed dump is restarted, never cut.
    pub fn list_rules(&mut self) -> Result<Vec<Rule>, Error> {
        let mut rules = Vec::new();
        self.stream_rules(|dumped| match dumped {
            Dumped::Rule(rule) => rules.push(rule),
            Dumped::Restart => rules.clear(),
        })?;
        Ok(rules)
    }

    /// The rules one at a time, in kernel order, for callers that need not hold them
    /// all (`list` renders each as it arrives). `each` may see [`Dumped::Restart`]:
    /// the dump overflowed and starts again, so what it saw so far must be forgotten.
    pub fn stream_rules(&mut self, mut each: impl FnMut(Dumped)) -> Result<(), Error> {
        self.dump_rules(|payload| {
            match payload {
                None => each(Dumped::Restart),
                Some(bytes) => each(Dumped::Rule(
                    binary::decode(bytes).map_err(|source| Error::Decode { request: "AUDIT_LIST_RULES", source })?,
                )),
            }
            Ok(())
        })
    }

    /// `AUDIT_ADD_RULE`; `prepend` puts the rule first in its list (`auditctl -A`).
    pub fn add_rule(&mut self, rule: &Rule, prepend: bool) -> Result<(), Error> {
        let bytes = binary::encode(rule, prepend)?;
        self.exchange("AUDIT_ADD_RULE", AUDIT_ADD_RULE, &bytes, Answer::AckOnly, &mut |_| Ok(()))
    }

    /// `AUDIT_DEL_RULE`: the kernel deletes the rule equal to this one.
    pub fn delete_rule(&mut self, rule: &Rule) -> Result<(), Error> {
        let bytes = binary::encode(rule, false)?;
        self.exchange("AUDIT_DEL_RULE", AUDIT_DEL_RULE, &bytes, Answer::AckOnly, &mut |_| Ok(()))
    }

    /// `AUDIT_SET` of one status member (`auditctl -e/-f/-r/-b/--backlog_wait_time`).
    pub fn set(&mut self, setting: Setting, value: u32) -> Result<(), Error> {
        self.exchange("AUDIT_SET", AUDIT_SET, &setting.request(value), Answer::AckOnly, &mut |_| Ok(()))
    }

    /// `AUDIT_SET_FEATURE` making loginuid immutable and locking that until reboot,
    /// as `auditctl --loginuid-immutable` does.
    pub fn set_loginuid_immutable(&mut self) -> Result<(), Error> {
        let bit = FEATURE_LOGINUID_IMMUTABLE;
        let request = Features { version: 1, mask: bit, features: bit, lock: bit }.to_bytes();
        self.exchange("AUDIT_SET_FEATURE", AUDIT_SET_FEATURE, &request, Answer::AckOnly, &mut |_| Ok(()))
    }

    /// The rule payloads exactly as the kernel sent them (for captures and tests).
    pub fn list_rules_raw(&mut self) -> Result<Vec<Vec<u8>>, Error> {
        let mut payloads = Vec::new();
        self.dump_rules(|payload| {
            match payload {
                Some(bytes) => payloads.push(bytes.to_vec()),
                None => payloads.clear(),
            }
            Ok(())
        })?;
        Ok(payloads)
    }

    /// Runs an AUDIT_LIST_RULES dump, restarting it from scratch on ENOBUFS so a caller
    /// never sees a partial list: `each` gets every rule payload, and `None` before a
    /// restarted dump.
    fn dump_rules(&mut self, mut each: impl FnMut(Option<&[u8]>) -> Result<(), Error>) -> Result<(), Error> {
        for attempt in 0..MAX_DUMP_ATTEMPTS {
            if attempt > 0 {
                each(None)?;
            }
            match self.exchange("AUDIT_LIST_RULES", AUDIT_LIST_RULES, &[], Answer::Dump, &mut |message| {
                if message.kind == AUDIT_LIST_RULES {
                    each(Some(message.payload))?;
                }
                Ok(())
            }) {
                Err(Error::Io(e)) if e.raw_os_error() == Some(libc::ENOBUFS) => {
                    // The kernel thread may still be sending the old dump: a new socket
                    // keeps its tail out of the next attempt.
                    self.dump_restarts += 1;
                    self.socket = open_socket()?;
                    size_socket_buffer(&self.socket, self.socket_buffer)?;
                }
                Err(e) => return Err(e),
                Ok(()) => return Ok(()),
            }
        }
        Err(Error::DumpOverflow { attempts: MAX_DUMP_ATTEMPTS })
    }

    fn request_one(&mut self, name: &'static str, kind: u16, payload: &[u8]) -> Result<Vec<u8>, Error> {
        let mut reply = None;
        self.exchange(name, kind, payload, Answer::Reply, &mut |message| {
            if message.kind == kind && reply.is_none() {
                reply = Some(message.payload.to_vec());
            }
            Ok(())
        })?;
        reply.ok_or(Error::Decode { request: name, source: DecodeError::StatusTruncated { len: 0, need: 4 } })
    }

    /// Sends one request and feeds every message of its answer to `on_message` until the
    /// answer is complete: for a dump, the ACK and NLMSG_DONE; for a change, the ACK
    /// alone; otherwise the ACK and one reply of the request's type.
    fn exchange(
        &mut self,
        name: &'static str,
        kind: u16,
        payload: &[u8],
        answer: Answer,
        on_message: &mut dyn FnMut(&Message) -> Result<(), Error>,
    ) -> Result<(), Error> {
        self.seq = self.seq.wrapping_add(1);
        let seq = self.seq;
        let mut request = vec![0u8; HEADER_LEN + payload.len()];
        {
            let mut header = NetlinkBuffer::new(&mut request[..]);
            header.set_length((HEADER_LEN + payload.len()) as u32);
            header.set_message_type(kind);
            header.set_flags(NLM_F_REQUEST | NLM_F_ACK);
            header.set_sequence_number(seq);
            header.set_port_number(0);
        }
        request[HEADER_LEN..].copy_from_slice(payload);
        let kernel = SocketAddr::new(self.kernel_port, 0);
        retry_eintr(|| self.socket.send_to(&request, &kernel, 0)).map_err(|e| classify(name, e))?;

        let deadline = Instant::now() + self.timeout;
        let mut acked = false;
        let mut finished = answer == Answer::AckOnly;
        while !(acked && finished) {
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(Error::Timeout { request: name, waited: self.timeout });
            }
            // Non-blocking first: during a dump the next message is almost always
            // there already, and a poll per message would double the syscalls.
            let (len, from) = match receive(&self.socket, &mut self.recv_buffer) {
                Ok(ok) => ok,
                Err(e) if e.raw_os_error() == Some(libc::EAGAIN) => {
                    wait_readable(&self.socket, remaining).map_err(|e| classify(name, e))?;
                    continue;
                }
                Err(e) => return Err(classify(name, e)),
            };
            // Only the kernel speaks for the kernel.
            if from.port_number() != self.kernel_port {
                continue;
            }
            if len > self.recv_buffer.len() {
                return Err(Error::Decode {
                    request: name,
                    source: DecodeError::LengthPastDatagram { len: len as u32, available: self.recv_buffer.len() },
                });
            }
            for message in messages(&self.recv_buffer[..len]) {
                let message = message.map_err(|source| Error::Decode { request: name, source })?;
                if message.seq != seq {
                    continue;
                }
                match message.kind {
                    NLMSG_NOOP => {}
                    NLMSG_ERROR => {
                        let code =
                            error_code(message.payload).map_err(|source| Error::Decode { request: name, source })?;
                        if code != 0 {
                            return Err(classify(name, io::Error::from_raw_os_error(-code)));
                        }
                        acked = true;
                    }
                    NLMSG_DONE => finished = true,
                    _ => {
                        on_message(&message)?;
                        if answer == Answer::Reply && message.kind == kind {
                            finished = true;
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

fn retry_eintr<T>(mut f: impl FnMut() -> io::Result<T>) -> io::Result<T> {
    loop {
        match f() {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

fn open_socket() -> Result<Socket, Error> {
    let mut socket = Socket::new(NETLINK_AUDIT).map_err(socket_error)?;
    socket.bind_auto().map_err(Error::Io)?;
    size_socket_buffer(&socket, SOCKET_BUFFER_LEN)?;
    Ok(socket)
}

pub(super) fn size_socket_buffer(socket: &Socket, bytes: usize) -> Result<(), Error> {
    use nix::sys::socket::{setsockopt, sockopt};
    // SO_RCVBUFFORCE passes rmem_max but needs CAP_NET_ADMIN; without it the kernel
    // caps SO_RCVBUF at rmem_max, and an overflow is handled by restarting the dump.
    if setsockopt(&socket.as_fd(), sockopt::RcvBufForce, &bytes).is_err() {
        setsockopt(&socket.as_fd(), sockopt::RcvBuf, &bytes).map_err(|e| Error::Io(e.into()))?;
    }
    Ok(())
}

pub(super) fn socket_error(e: io::Error) -> Error {
    match e.raw_os_error() {
        // What socket() says on a kernel built without CONFIG_AUDIT.
        Some(libc::EPROTONOSUPPORT) | Some(libc::EAFNOSUPPORT) => Error::NoAuditSupport,
        _ => classify("socket(NETLINK_AUDIT)", e),
    }
}

/// Blocks until the socket has data or `timeout` passes (the caller re-checks its deadline).
pub(super) fn wait_readable(socket: &Socket, timeout: Duration) -> io::Result<()> {
    let mut poll = libc::pollfd { fd: socket.as_raw_fd(), events: libc::POLLIN, revents: 0 };
    let millis = timeout.as_millis().clamp(1, i32::MAX as u128) as libc::c_int;
    // SAFETY: `poll` reads and writes exactly one pollfd, which lives on this stack frame.
    let n = unsafe { libc::poll(&mut poll, 1, millis) };
    if n < 0 {
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
    Ok(())
}

/// One datagram; the length is the datagram's real size (MSG_TRUNC), which may exceed
/// the buffer.
pub(super) fn receive(socket: &Socket, buffer: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
    retry_eintr(|| {
        // SAFETY: sockaddr_nl is plain integers, for which all-zero bytes are a valid value.
        let mut addr: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
        let mut addr_len = std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t;
        // SAFETY: buffer and addr are valid for writes of the lengths passed.
        let n = unsafe {
            libc::recvfrom(
                socket.as_raw_fd(),
                buffer.as_mut_ptr().cast(),
                buffer.len(),
                libc::MSG_TRUNC | libc::MSG_DONTWAIT,
                (&mut addr as *mut libc::sockaddr_nl).cast(),
                &mut addr_len,
            )
        };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok((n as usize, SocketAddr::new(addr.nl_pid, addr.nl_groups)))
    })
}

/// Turns the errnos people hit into errors that say what to do.
fn classify(request: &'static str, e: io::Error) -> Error {
    match e.raw_os_error() {
        Some(libc::EPERM) | Some(libc::EACCES) => {
            if privilege::has_audit_control() {
                Error::NotInitialPidNamespace
            } else {
                Error::MissingCapability
            }
        }
        Some(libc::ECONNREFUSED) => Error::UserNamespace,
        Some(libc::EPROTONOSUPPORT) => Error::NoAuditSupport,
        Some(libc::ENOBUFS) => Error::Io(e),
        _ if e.kind() == io::ErrorKind::Interrupted => Error::Io(e),
        Some(_) if request.starts_with("socket") => Error::Io(e),
        Some(_) => Error::Kernel { request, source: e },
        None => Error::Io(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use netlink_packet_core::NLM_F_MULTIPART;

    fn message(kind: u16, flags: u16, seq: u32, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![0u8; HEADER_LEN];
        let mut header = NetlinkBuffer::new(&mut out[..]);
        header.set_length((HEADER_LEN + payload.len()) as u32);
        header.set_message_type(kind);
        header.set_flags(flags);
        header.set_sequence_number(seq);
        out.extend_from_slice(payload);
        out
    }

    #[test]
    fn splits_several_messages_with_unaligned_lengths() {
        let mut datagram = message(AUDIT_LIST_RULES, NLM_F_MULTIPART, 7, b"abcde");
        datagram.extend_from_slice(&[0, 0, 0]); // padding to 4
        datagram.extend(message(NLMSG_DONE, NLM_F_MULTIPART, 7, b"x"));
        let parsed: Vec<_> = messages(&datagram).collect::<Result<_, _>>().unwrap();
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[0].payload, b"abcde");
        assert_eq!(parsed[1].kind, NLMSG_DONE);
        assert_eq!(parsed[1].payload, b"x");
    }

    #[test]
    fn bad_lengths_are_errors() {
        let mut datagram = message(AUDIT_GET, 0, 1, &[0; 8]);
        datagram[0..4].copy_from_slice(&8u32.to_ne_bytes());
        assert_eq!(messages(&datagram).next().unwrap().unwrap_err(), DecodeError::LengthTooSmall { len: 8 });
        datagram[0..4].copy_from_slice(&100u32.to_ne_bytes());
        assert_eq!(
            messages(&datagram).next().unwrap().unwrap_err(),
            DecodeError::LengthPastDatagram { len: 100, available: 24 }
        );
        assert_eq!(messages(&datagram[..10]).next().unwrap().unwrap_err(), DecodeError::HeaderTruncated { len: 10 });
        assert_eq!(messages(&datagram).count(), 1, "iteration stops after an error");
    }

    #[test]
    fn errnos_map_to_errors_that_say_what_to_do() {
        let err = socket_error(io::Error::from_raw_os_error(libc::EPROTONOSUPPORT));
        assert!(matches!(err, Error::NoAuditSupport));
        assert!(err.to_string().contains("CONFIG_AUDIT"));
        let err = classify("AUDIT_GET", io::Error::from_raw_os_error(libc::ECONNREFUSED));
        assert!(err.to_string().contains("user namespace"), "{err}");
        let err = classify("AUDIT_GET", io::Error::from_raw_os_error(libc::EINVAL));
        assert_eq!(err.to_string(), "the kernel rejected AUDIT_GET: Invalid argument (os error 22)");
    }

    /// A client whose "kernel" is a silent userspace socket on NETLINK_USERSOCK.
    fn client_with_stand_in_kernel() -> (AuditClient, Socket, u32) {
        let mut kernel = Socket::new(netlink_sys::protocols::NETLINK_USERSOCK).unwrap();
        let kernel_port = kernel.bind_auto().unwrap().port_number();
        let mut socket = Socket::new(netlink_sys::protocols::NETLINK_USERSOCK).unwrap();
        let client_port = socket.bind_auto().unwrap().port_number();
        let mut client = AuditClient::with_socket(socket);
        client.kernel_port = kernel_port;
        client.set_timeout(Duration::from_millis(300));
        (client, kernel, client_port)
    }

    fn status_reply(seq: u32) -> Vec<u8> {
        let mut reply = message(AUDIT_GET, 0, seq, &[7u8; 44]);
        reply.extend(message(NLMSG_ERROR, 0, seq, &[0u8; 20]));
        reply
    }

    #[test]
    fn a_kernel_that_never_answers_gives_a_bounded_timeout() {
        let (mut client, _kernel, _) = client_with_stand_in_kernel();
        let started = Instant::now();
        let err = client.status().unwrap_err();
        assert!(matches!(err, Error::Timeout { request: "AUDIT_GET", .. }), "{err}");
        assert!(started.elapsed() < Duration::from_secs(3));
    }

    #[test]
    fn answers_from_other_senders_and_other_sequences_are_ignored() {
        let (mut client, kernel, client_port) = client_with_stand_in_kernel();
        let to_client = SocketAddr::new(client_port, 0);
        // A forged reply with the right sequence number from some other socket.
        let mut forger = Socket::new(netlink_sys::protocols::NETLINK_USERSOCK).unwrap();
        forger.bind_auto().unwrap();
        forger.send_to(&status_reply(1), &to_client, 0).unwrap();
        // A stale reply from the kernel, for an earlier request.
        kernel.send_to(&status_reply(0), &to_client, 0).unwrap();
        assert!(matches!(client.status().unwrap_err(), Error::Timeout { .. }));
        // The control: the same reply from the kernel with the current sequence is believed.
        kernel.send_to(&status_reply(2), &to_client, 0).unwrap();
        assert_eq!(client.status().unwrap().enabled, 0x0707_0707);
    }

    #[test]
    fn error_payloads() {
        assert_eq!(error_code(&(-1i32).to_ne_bytes()).unwrap(), -1);
        assert_eq!(error_code(&[0, 0]).unwrap_err(), DecodeError::ErrorTruncated { len: 2 });
    }
}
