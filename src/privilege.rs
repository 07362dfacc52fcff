//! What the process may do, asked before the kernel is, so errors can be exact.

use caps::{CapSet, Capability};

/// Whether CAP_AUDIT_CONTROL is effective now. The kernel checks it on the task that
/// sends each request, not only on the socket's opener.
pub fn has_audit_control() -> bool {
    caps::has_cap(None, CapSet::Effective, Capability::CAP_AUDIT_CONTROL).unwrap_or(false)
}
