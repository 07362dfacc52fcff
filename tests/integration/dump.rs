//! Large dumps on the host kernel: thousands of rules, and a socket buffer too small
//! for them, where the dump must restart and never come back partial.

use crate::util::{self, HostRules};
use dockaudit::{AuditClient, Error};

fn many_rules(count: usize) -> String {
    (0..count).map(|i| format!("-a always,exit -F arch=b64 -S openat,unlinkat -F uid={i} -k many{i}\n")).collect()
}

#[test]
fn thousands_of_rules_come_back_whole_or_not_at_all() {
    if let Some(why) = util::host_kernel_unavailable() {
        eprintln!("skipped: {why}");
        return;
    }
    let host = HostRules::borrow();
    host.clear();
    host.load_with_auditctl(&many_rules(3000));
    let expected = util::stdout(&util::auditctl(&["-l"])).lines().count();
    assert_eq!(expected, 3000);

    let mut client = AuditClient::open().unwrap();
    assert_eq!(client.list_rules().unwrap().len(), expected);

    // 4 KiB holds a handful of rule messages. The kernel's dump thread blocks on a
    // full receiver (netlink_unicast without nonblock), so the dump must still come
    // back whole; if a kernel overran us instead, the client must restart, and only
    // a whole list or DumpOverflow is acceptable.
    let mut small = AuditClient::open().unwrap();
    small.set_socket_buffer(4096).unwrap();
    match small.list_rules() {
        Ok(rules) => assert_eq!(rules.len(), expected, "a dump may only succeed whole"),
        Err(Error::DumpOverflow { attempts }) => assert_eq!(attempts, 5),
        Err(other) => panic!("unexpected error: {other}"),
    }
    eprintln!("dump restarts with a 4 KiB socket buffer: {}", small.dump_restarts());
    drop(host);
}
