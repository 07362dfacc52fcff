//! The host-wide checks `check` reports beside the controls, judged from the kernel's
//! audit status alone (offline judging has no status and `boot` answers what the rule
//! files can).

use super::verdict::{HostCheck, Verdict};
use crate::docker::Discovery;
use crate::kernel::Status;

/// `backlog_limit` below this loses events in bursts; auditd's shipped rules use 8192.
pub const MIN_BACKLOG: u32 = 8192;

pub(super) fn host_checks(st: &Status) -> Vec<HostCheck> {
    let check = |id, title, verdict, reason: String| HostCheck { id, title, verdict, reasons: vec![reason] };
    vec![
        match st.enabled {
            0 => check("audit-enabled", "Audit is enabled", Verdict::Fail, "enabled 0: the kernel records no events at all; enable it with auditctl -e 1 (and audit=1 on the kernel command line)".into()),
            n => check("audit-enabled", "Audit is enabled", Verdict::Pass, format!("enabled {n}")),
        },
        if st.pid == 0 {
            check("auditd-running", "An audit daemon receives events", Verdict::Fail, "pid 0: no audit daemon is registered; events only reach the kernel log, rate-limited, and are lost for ausearch".into())
        } else {
            check("auditd-running", "An audit daemon receives events", Verdict::Pass, format!("pid {}", st.pid))
        },
        if st.is_locked() {
            check("rules-locked", "Audit rules are locked", Verdict::Pass, "enabled 2: rules cannot change until reboot".into())
        } else {
            check("rules-locked", "Audit rules are locked", Verdict::Weak, "rules can be changed or deleted at run time by root; end the rules with -e 2 once they are final".into())
        }
        ,
        if st.lost == 0 {
            check("lost-events", "No audit events were lost", Verdict::Pass, "lost 0".into())
        } else {
            check("lost-events", "No audit events were lost", Verdict::Weak, format!("lost {}: the kernel dropped events since boot (backlog full or rate limit)", st.lost))
        },
        if st.backlog_limit >= MIN_BACKLOG {
            check("backlog-limit", "The audit backlog is large enough", Verdict::Pass, format!("backlog_limit {}", st.backlog_limit))
        } else {
            check("backlog-limit", "The audit backlog is large enough", Verdict::Weak, format!("backlog_limit {} is below {MIN_BACKLOG}: bursts lose events; set -b {MIN_BACKLOG} or more", st.backlog_limit))
        },
    ]
}

/// What discovery could not read (an unparsable daemon.json, a process table that is
/// not there): advice (`weak`), as discovery went on with the daemons' defaults; only
/// reported when there is something to say.
pub(super) fn discovery_check(discovery: &Discovery) -> Option<HostCheck> {
    (!discovery.problems.is_empty()).then(|| HostCheck {
        id: "docker-discovery",
        title: "Docker's configuration and processes could be read",
        verdict: Verdict::Weak,
        reasons: discovery
            .problems
            .iter()
            .map(|p| format!("{p}; where the Docker files are was decided without it (the daemons' defaults)"))
            .collect(),
    })
}
