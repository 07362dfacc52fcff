//! auditctl 3.0.9 is the oracle, but it has known listing bugs
//! (shared/reference/auditctl-format.md). These turn its output into the correct form
//! so comparisons stay byte-exact everywhere else. Each normalization names its bug.

use dockaudit::rule::syscalls::{self, Arch};

/// Bug 2: a watch whose perm (or key) field precedes its path prints as
/// ` -p x-w /usr/bin/yum -k k`. The correct form is `-w PATH -p PERMS -k KEY...`.
/// One implementation serves these tests and the VM guests' comparisons.
pub use vm_scenario::correct_watch_line as fix_watch_order;

/// Bug 3: auditctl's ` -p w` for a path-less watch-form rule; we print the rule form,
/// which must hold the same permissions on all syscalls.
pub fn accept_pathless_watch(auditctl: &str, ours: &str) -> bool {
    if !auditctl.starts_with(" -p ") || auditctl.contains("-w ") {
        return false;
    }
    let perms = auditctl[4..].split(' ').next().unwrap_or("");
    ours.starts_with("-a ") && ours.contains(" -S all") && ours.contains(&format!(" -F perm={perms}"))
}

/// Bug 1: auditctl names the syscalls of a rule without an arch field from the table
/// of the last rule that had one. Re-names them from the native table.
pub fn fix_arch_leak(lines: &[String], native: Arch) -> Vec<String> {
    let mut last_arch_b32 = false;
    lines
        .iter()
        .map(|line| {
            if line.contains(" -F arch=b32") {
                last_arch_b32 = true;
                return line.clone();
            }
            if line.contains(" -F arch=") {
                last_arch_b32 = false;
                return line.clone();
            }
            if !last_arch_b32 || !line.starts_with("-a ") || line.contains(" -S all") {
                return line.clone();
            }
            let Some(start) = line.find(" -S ") else { return line.clone() };
            let list_start = start + 4;
            let list_end = line[list_start..].find(' ').map_or(line.len(), |i| list_start + i);
            let compat = Arch::bits_for(native, false);
            let renamed: Vec<String> = line[list_start..list_end]
                .split(',')
                .map(|name| {
                    let number = name.parse::<u32>().ok().or_else(|| syscalls::syscall_number(compat, name));
                    match number {
                        Some(n) => syscalls::syscall_name(native, n).map_or_else(|| n.to_string(), str::to_string),
                        None => name.to_string(),
                    }
                })
                .collect();
            // auditctl lists in number order of the wrong table; ours is the same numbers.
            format!("{}{}{}", &line[..list_start], renamed.join(","), &line[list_end..])
        })
        .collect()
}

/// The oracle's listing in the correct form, line by line.
pub fn correct_listing(auditctl_output: &str, native: Arch) -> Vec<String> {
    let lines: Vec<String> = auditctl_output.lines().map(fix_watch_order).collect();
    fix_arch_leak(&lines, native)
}

#[test]
fn watch_order_fix_matches_the_reference_example() {
    assert_eq!(fix_watch_order(" -p x-w /usr/bin/yum -k k"), "-w /usr/bin/yum -p x -k k");
    assert_eq!(fix_watch_order(" -k first-w /etc/hosts -p w"), "-w /etc/hosts -p w -k first");
    assert_eq!(fix_watch_order("-w /etc/docker -p wa"), "-w /etc/docker -p wa");
}
