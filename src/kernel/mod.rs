//! The kernel's audit subsystem as dockaudit talks to it: one `NETLINK_AUDIT` socket
//! (`AuditClient`), the status and features structs, the settings `AUDIT_SET` changes,
//! the `AuditControl` seam every change goes through (a `FakeKernel` in tests), and
//! the capabilities a request needs, and which syscall ABIs the kernel has (`abi`: its
//! native arch and whether it has a 32-bit compat ABI, live or for a root). A leaf: it knows rules only as bytes and `Rule`s.

mod abi;
mod control;
mod error;
#[cfg(test)]
mod fake;
mod multicast;
mod netlink;
mod privilege;
mod rule_table;
mod status;

pub use abi::{compat_symbol, elf_arch, of_root, running, running_native, Compat, KernelAbis};
pub use control::AuditControl;
pub use error::Error;
#[cfg(test)]
pub(crate) use fake::FakeKernel;
pub use multicast::{socket_drops, Received, RecordStream, AUDIT_NLGRP_READLOG, DEFAULT_STREAM_BUFFER};
pub use netlink::{error_code, messages, AuditClient, Dumped, Message, NETLINK_AUDIT};
pub use privilege::{drop_privileges, has_audit_control, in_initial_user_namespace, Keep};
pub use rule_table::{same_rule, KernelEq, RuleTable, TableError};
pub use status::{
    to_auditctl_text, Features, Setting, Settings, Status, FEATURES_LEN, FEATURE_LOGINUID_IMMUTABLE, STATUS_LEN,
};
