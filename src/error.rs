//! Typed errors. Every message says what went wrong and, where a person can act, what to do.

use std::time::Duration;

/// Bytes that do not form what they claim to be. Names the part that is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("netlink message truncated: {len} bytes left in the datagram, a header needs 16")]
    HeaderTruncated { len: usize },
    #[error("netlink message length {len} is smaller than its own 16-byte header")]
    LengthTooSmall { len: u32 },
    #[error("netlink message length {len} runs past the end of the datagram ({available} bytes left)")]
    LengthPastDatagram { len: u32, available: usize },
    #[error("NLMSG_ERROR message truncated: {len} bytes, need at least 4")]
    ErrorTruncated { len: usize },
    #[error("audit rule truncated: {len} bytes, the fixed part of audit_rule_data is {need}")]
    RuleTruncated { len: usize, need: usize },
    #[error("rule has {count} fields, more than the kernel's maximum of 64")]
    TooManyFields { count: u32 },
    #[error("rule buflen {buflen} runs past the end of the message ({available} bytes of buf present)")]
    BufPastEnd { buflen: u32, available: usize },
    #[error("string of field {field} (field #{index}) has length {len} at offset {offset}, past buflen {buflen}")]
    StringPastBuf { field: u32, index: usize, offset: usize, len: u32, buflen: usize },
    #[error("audit status truncated: {len} bytes, need at least {need}")]
    StatusTruncated { len: usize, need: usize },
    #[error("audit features truncated: {len} bytes, need 16")]
    FeaturesTruncated { len: usize },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    #[error("rule has {count} fields, more than the kernel's maximum of 64")]
    TooManyFields { count: usize },
    #[error("field {field} has a value of the wrong kind (string fields take text, others numbers)")]
    ValueKind { field: u32 },
    #[error("string of field {field} is too long")]
    StringTooLong { field: u32 },
}

/// Why the kernel's audit state could not be read (or changed).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "this kernel has no audit support (socket(NETLINK_AUDIT) failed with EPROTONOSUPPORT): \
         it was built without CONFIG_AUDIT, so there are no audit rules to read"
    )]
    NoAuditSupport,
    #[error(
        "permission denied: talking to the kernel's audit subsystem needs CAP_AUDIT_CONTROL, which \
         this process does not hold; run as root (e.g. sudo dockaudit ...). In a container it also \
         needs the host pid namespace: docker run --pid=host --cap-add AUDIT_CONTROL ..."
    )]
    MissingCapability,
    #[error(
        "permission denied by the kernel although this process holds CAP_AUDIT_CONTROL: the kernel \
         only answers audit requests from the initial pid namespace, so this is most likely a \
         container; run it in the host pid namespace (docker run --pid=host --cap-add AUDIT_CONTROL \
         ..., or hostPID: true in Kubernetes)"
    )]
    NotInitialPidNamespace,
    #[error(
        "the kernel refused the audit socket (ECONNREFUSED): dockaudit runs in a non-initial user \
         namespace (rootless container or unshare -U), where the kernel hides audit on purpose; \
         run it in the host user namespace as root"
    )]
    UserNamespace,
    #[error("the kernel rejected {request}: {source}")]
    Kernel { request: &'static str, source: std::io::Error },
    #[error("no answer from the kernel to {request} within {waited:?}")]
    Timeout { request: &'static str, waited: Duration },
    #[error("the rule dump overflowed the socket buffer {attempts} times in a row (ENOBUFS); gave up rather than return a partial list")]
    DumpOverflow { attempts: u32 },
    #[error("malformed reply from the kernel to {request}: {source}")]
    Decode { request: &'static str, source: DecodeError },
    #[error("cannot encode the rule: {0}")]
    Encode(#[from] EncodeError),
    #[error("could not drop privileges after opening the audit socket: {0}")]
    DropPrivileges(std::io::Error),
    #[error("audit socket: {0}")]
    Io(#[from] std::io::Error),
}

/// Why `dockaudit check` could not produce a verdict.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The kernel's rules or status could not be read (exit 3).
    #[error(transparent)]
    Audit(#[from] Error),
    /// `--only`/`--skip` named a control the benchmark does not have (exit 2).
    #[error(transparent)]
    UnknownControl(#[from] crate::evaluate::UnknownControl),
    /// A rule file or root given for offline judging cannot be read (exit 2).
    #[error("{0}")]
    Input(String),
}

impl CheckError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CheckError::Audit(_) => 3,
            CheckError::UnknownControl(_) | CheckError::Input(_) => 2,
        }
    }
}
