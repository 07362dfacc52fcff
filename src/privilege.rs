//! What the process may do, asked before the kernel is, so errors can be exact.

use caps::{CapSet, Capability};

/// Whether CAP_AUDIT_CONTROL is effective now. The kernel checks it on the task that
/// sends each request, not only on the socket's opener.
pub fn has_audit_control() -> bool {
    caps::has_cap(None, CapSet::Effective, Capability::CAP_AUDIT_CONTROL).unwrap_or(false)
}

/// Whether this process lives in the initial user namespace, whose uid map is the
/// identity over the whole range. In any other, the kernel refuses audit requests
/// whatever capabilities the namespace grants.
pub fn in_initial_user_namespace() -> bool {
    match std::fs::read_to_string("/proc/self/uid_map") {
        Ok(map) => map.split_whitespace().collect::<Vec<_>>() == ["0", "0", "4294967295"],
        // Without /proc we cannot tell; let the kernel's answer decide.
        Err(_) => true,
    }
}
