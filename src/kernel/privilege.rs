//! What the process may do: asked before the kernel is, so errors can be exact, and
//! reduced to the least that the command needs once the socket is open.

use caps::{CapSet, Capability, CapsHashSet};

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

/// What a command keeps after setup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    /// Talking to the kernel's audit subsystem: CAP_AUDIT_CONTROL only.
    AuditControl,
    /// Reading files (offline judging): no capability at all.
    Nothing,
    /// Judging and proving (`check --prove`): CAP_AUDIT_CONTROL and CAP_AUDIT_READ.
    AuditControlAndRead,
    /// Following the live record stream: CAP_AUDIT_READ only. The kernel checks it when
    /// the group is joined; it is kept so the stream can be joined again after an error.
    AuditRead,
}

/// Drops every capability but what `keep` names, from the effective, permitted and
/// inheritable sets and the ambient set, and sets no_new_privs so nothing executed
/// later (dockaudit executes nothing) could regain any. Runs after the audit socket
/// is open and sized, which is when CAP_NET_ADMIN (SO_RCVBUFFORCE) stops mattering.
pub fn drop_privileges(keep: Keep) -> std::io::Result<()> {
    let mut kept = CapsHashSet::new();
    let control = matches!(keep, Keep::AuditControl | Keep::AuditControlAndRead);
    let read = matches!(keep, Keep::AuditRead | Keep::AuditControlAndRead);
    if control && has_audit_control() {
        kept.insert(Capability::CAP_AUDIT_CONTROL);
    }
    if read && caps::has_cap(None, CapSet::Effective, Capability::CAP_AUDIT_READ).unwrap_or(false) {
        kept.insert(Capability::CAP_AUDIT_READ);
    }
    let to_io = |e: caps::errors::CapsError| std::io::Error::other(e.to_string());
    caps::clear(None, CapSet::Ambient).map_err(to_io)?;
    caps::set(None, CapSet::Inheritable, &CapsHashSet::new()).map_err(to_io)?;
    caps::set(None, CapSet::Effective, &kept).map_err(to_io)?;
    caps::set(None, CapSet::Permitted, &kept).map_err(to_io)?;
    nix::sys::prctl::set_no_new_privs().map_err(std::io::Error::from)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs in a forked child so the test process keeps its capabilities.
    fn in_child(keep: Keep) -> (String, String) {
        use nix::unistd::{fork, ForkResult};
        let (read, write) = nix::unistd::pipe().unwrap();
        // SAFETY: the child only allocates, reads /proc, writes to a pipe and `_exit`s.
        // Other test threads may hold locks at the fork; glibc's malloc resets its own in
        // the child (its atfork handlers), and the child takes no other lock.
        match unsafe { fork() }.unwrap() {
            ForkResult::Child => {
                drop(read);
                let ok = drop_privileges(keep).is_ok();
                let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
                let pick = |name: &str| {
                    status
                        .lines()
                        .find(|l| l.starts_with(name))
                        .map(|l| l[name.len()..].trim().to_string())
                        .unwrap_or_default()
                };
                let line = format!("{ok} {} {} {}\n", pick("CapEff:"), pick("CapPrm:"), pick("NoNewPrivs:"));
                let _ = nix::unistd::write(&write, line.as_bytes());
                // SAFETY: ends the child without running the parent's destructors or
                // flushing buffers it shares with the parent.
                unsafe { libc::_exit(0) };
            }
            ForkResult::Parent { child } => {
                drop(write);
                let mut out = String::new();
                use std::io::Read;
                std::fs::File::from(read).read_to_string(&mut out).unwrap();
                nix::sys::wait::waitpid(child, None).unwrap();
                let parts: Vec<&str> = out.split_whitespace().collect();
                assert_eq!(parts.first(), Some(&"true"), "drop_privileges failed: {out}");
                assert_eq!(parts.get(3), Some(&"1"), "no_new_privs not set: {out}");
                (parts[1].to_string(), parts[2].to_string())
            }
        }
    }

    #[test]
    fn keeps_only_audit_control_or_nothing() {
        if !has_audit_control() {
            eprintln!("skipped: needs CAP_AUDIT_CONTROL to observe what is kept");
            return;
        }
        let audit_control = format!("{:016x}", 1u64 << 30);
        assert_eq!(in_child(Keep::AuditControl), (audit_control.clone(), audit_control));
        assert_eq!(in_child(Keep::Nothing), ("0".repeat(16), "0".repeat(16)));
        let audit_read = format!("{:016x}", 1u64 << 37);
        assert_eq!(in_child(Keep::AuditRead), (audit_read.clone(), audit_read));
    }
}
