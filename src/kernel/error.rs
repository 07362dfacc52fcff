//! Why the kernel's audit state could not be read or changed. Every message says what
//! went wrong and, where a person can act, what to do.

use std::time::Duration;

use crate::wire::{DecodeError, EncodeError};

/// Why the kernel's audit state could not be read (or changed).
#[allow(missing_docs)] // each variant's #[error] text is its documentation
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
        "permission denied: reading the kernel's live audit records (events --follow, check --prove) \
         needs CAP_AUDIT_READ (the AUDIT_NLGRP_READLOG multicast group), which this process does not \
         hold; run as root (e.g. sudo dockaudit ...). In a container it also needs the host's user and \
         network namespaces: docker run --net=host --cap-add AUDIT_READ ..."
    )]
    MissingAuditRead,
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
