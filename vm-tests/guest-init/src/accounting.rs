//! `expect loss-adds-up LOG`: whether `dockaudit events --follow` accounted for every
//! record. The truth is the log the real auditd wrote at the same time: it receives the
//! kernel's records by unicast, with the backlog wait that never drops them, while the
//! follower reads the multicast copy through a small buffer. Over the serials the follower
//! printed, the records in the log must be exactly those printed plus those it said it
//! lost. The kernel must have lost nothing itself (its `lost` counter, reset before each
//! scenario): a record it dropped on auditd's side only would be missing from the truth.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Waits (up to 20 s) until auditd has written the last printed serial to `log`, then
/// checks [`loss_adds_up`]; `kernel_lost` is the status' lost counter.
pub fn check(stdout: &str, stderr: &str, log: &str, kernel_lost: Option<u64>) -> Result<(), String> {
    match kernel_lost {
        Some(0) => {}
        Some(n) => return Err(format!("the kernel itself lost {n} record(s): the log is no complete truth")),
        None => return Err("auditctl -s did not say how many records the kernel lost".into()),
    }
    let last = stdout.lines().filter_map(serial_of).map(|(s, _)| s).max();
    let t0 = Instant::now();
    loop {
        let text = std::fs::read_to_string(log).map_err(|e| format!("cannot read {log}: {e}"))?;
        let written = last.is_some_and(|last| text.contains(&format!(":{last}):")));
        if written || t0.elapsed() > Duration::from_secs(20) {
            return loss_adds_up(stdout, stderr, &text);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The serial of a log line (`… msg=audit(SEC.MSEC:SERIAL): …`) and whether it is one of
/// auditd's own records (DAEMON_*, numbered by auditd, not the kernel).
fn serial_of(line: &str) -> Option<(u64, bool)> {
    let start = line.find("msg=audit(")? + "msg=audit(".len();
    let rest = &line[start..];
    let colon = rest.find(':')?;
    let close = rest.find(')')?;
    let serial = rest.get(colon + 1..close)?.parse().ok()?;
    Some((serial, line.contains("type=DAEMON_")))
}

/// The sum of `lost N record(s)` on stderr.
fn reported_lost(stderr: &str) -> u64 {
    let count = |rest: &str| -> Option<u64> {
        let (n, rest) = rest.split_once(' ')?;
        rest.starts_with("record(s)").then(|| n.parse().ok())?
    };
    stderr.lines().filter_map(|l| l.strip_prefix("dockaudit: lost ")).filter_map(count).sum()
}

/// Ok when printed + lost = logged over the printed serials; else what differs.
pub fn loss_adds_up(stdout: &str, stderr: &str, log: &str) -> Result<(), String> {
    let mut printed: BTreeMap<u64, u64> = BTreeMap::new();
    for (serial, _) in stdout.lines().filter_map(serial_of) {
        *printed.entry(serial).or_default() += 1;
    }
    let (Some(&first), Some(&last)) = (printed.keys().next(), printed.keys().next_back()) else {
        return Err("the follower printed no record".into());
    };
    let lost = reported_lost(stderr);
    if lost == 0 {
        return Err("no loss was reported: the flood did not overrun the buffer".into());
    }
    let mut logged: BTreeMap<u64, u64> = BTreeMap::new();
    let mut syscall_events = std::collections::BTreeSet::new();
    for line in log.lines() {
        let Some((serial, daemon)) = serial_of(line) else { continue };
        if !daemon && (first..=last).contains(&serial) {
            *logged.entry(serial).or_default() += 1;
            if line.contains("type=SYSCALL ") {
                syscall_events.insert(serial);
            }
        }
    }
    for serial in &syscall_events {
        *logged.entry(*serial).or_default() += 1;
    }
    let printed_total: u64 = printed.values().sum();
    let logged_total: u64 = logged.values().sum();
    if printed_total + lost == logged_total {
        return Ok(());
    }
    let extra: Vec<u64> =
        printed.iter().filter(|(s, n)| logged.get(s).is_none_or(|l| l < n)).map(|(s, _)| *s).take(5).collect();
    // The first such serial's lines on both sides, to see what differs.
    let shown = extra.first().map_or(String::new(), |s| {
        let tag = format!(":{s}):");
        let pick = |text: &str| text.lines().filter(|l| l.contains(&tag)).collect::<Vec<_>>().join("\n    ");
        format!("\n  printed:\n    {}\n  logged:\n    {}", pick(stdout), pick(log))
    });
    Err(format!(
        "serials {first}..={last}: printed {printed_total} + reported lost {lost} = {} records, the kernel sent \
         {logged_total} (the log's records and an EOE per syscall event); printed more at serials {extra:?}{shown}",
        printed_total + lost
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_up_over_the_printed_serials_only() {
        let log = "type=SYSCALL msg=audit(1.000:9): a\n\
                   type=SYSCALL msg=audit(1.000:10): a\ntype=PATH msg=audit(1.000:10): a\n\
                   type=SYSCALL msg=audit(1.000:11): a\ntype=PATH msg=audit(1.000:11): a\n\
                   type=DAEMON_ROTATE msg=audit(1.000:11): a\n\
                   type=SYSCALL msg=audit(1.000:12): a\n\
                   type=SYSCALL msg=audit(1.000:13): a\n";
        // 10: all three records (EOE included); 11: lost, three; 12: SYSCALL, its EOE lost.
        let out =
            "type=SYSCALL msg=audit(1.000:10): a\ntype=PATH msg=audit(1.000:10): a\ntype=EOE msg=audit(1.000:10): \n\
                   type=SYSCALL msg=audit(1.000:12): a\n";
        assert_eq!(loss_adds_up(out, "dockaudit: lost 4 record(s): the receive buffer overflowed\n", log), Ok(()));
        assert!(loss_adds_up(out, "dockaudit: lost 1 record(s): x\n", log).is_err());
        assert!(loss_adds_up(out, "", log).is_err(), "no loss reported");
        assert!(loss_adds_up("", "dockaudit: lost 1 record(s): x\n", log).is_err());
    }
}
