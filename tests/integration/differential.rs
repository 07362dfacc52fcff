//! `dockaudit list`/`status` against the real `auditctl -l`/`-s` on the host kernel:
//! every file of auditd's example corpus, our every-field rules, and generated rules.
//! Runs as root only, serialized, with the host's rules saved and restored.

use crate::oracle;
use crate::util::{self, HostRules};
use dockaudit::rule::syscalls::Arch;
use std::path::PathBuf;

fn rule_files() -> Vec<PathBuf> {
    let mut files = util::corpus_files();
    files.push(util::repo_path("tests/data/rules/every-field.rules"));
    files
}

/// Loads `rules`, then compares the two listings line by line. Returns lines compared.
fn compare_listing(host: &HostRules, what: &str, rules: &str, failures: &mut Vec<String>) -> usize {
    host.clear();
    host.load_with_auditctl(rules);
    let theirs = oracle::correct_listing(&util::stdout(&util::auditctl(&["-l"])), Arch::native());
    let ours_out = util::dockaudit(&["list"]);
    assert!(ours_out.status.success(), "dockaudit list failed: {}", String::from_utf8_lossy(&ours_out.stderr));
    let ours: Vec<String> = util::stdout(&ours_out).lines().map(str::to_string).collect();
    if ours.len() != theirs.len() {
        failures.push(format!("{what}: {} lines from dockaudit, {} from auditctl", ours.len(), theirs.len()));
    }
    for (o, t) in ours.iter().zip(&theirs) {
        if o != t && !oracle::accept_pathless_watch(t, o) {
            failures.push(format!("{what}:\n  auditctl: {t}\n  dockaudit: {o}"));
        }
    }
    ours.len().min(theirs.len())
}

#[test]
fn list_and_status_match_auditctl_on_the_host_kernel() {
    if let Some(why) = util::host_kernel_unavailable() {
        eprintln!("skipped: {why}");
        return;
    }
    let host = HostRules::borrow();
    let mut failures = Vec::new();
    let mut compared = 0;
    let mut everything = String::new();
    for file in rule_files() {
        let text = util::rule_lines_only(&std::fs::read_to_string(&file).unwrap());
        compared += compare_listing(&host, &file.display().to_string(), &text, &mut failures);
        everything.push_str(&text);
    }
    // All at once: order across lists and the arch-leak bug only show with many rules.
    compared += compare_listing(&host, "all files together", &everything, &mut failures);
    compared += compare_listing(&host, "generated rules", &generated_rules(300), &mut failures);

    let theirs = util::stdout(&util::auditctl(&["-s"]));
    let ours = util::stdout(&util::dockaudit(&["status"]));
    if ours != theirs {
        failures.push(format!("status:\n--- auditctl -s\n{theirs}--- dockaudit status\n{ours}"));
    }
    drop(host);
    eprintln!("differential: {compared} listing lines compared with auditctl -l");
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
    assert!(compared > 500, "only {compared} lines compared");
}

#[test]
fn key_filter_and_json_agree_with_the_text_listing() {
    if let Some(why) = util::host_kernel_unavailable() {
        eprintln!("skipped: {why}");
        return;
    }
    let host = HostRules::borrow();
    host.clear();
    host.load_with_auditctl(&util::rule_lines_only(
        &std::fs::read_to_string(util::repo_path("tests/data/rules/every-field.rules")).unwrap(),
    ));
    for key in ["access", "k", "second", "nomatch"] {
        let theirs = oracle::correct_listing(&util::stdout(&util::auditctl(&["-l", "-k", key])), Arch::native());
        let ours = util::stdout(&util::dockaudit(&["list", "--key", key]));
        assert_eq!(ours.lines().collect::<Vec<_>>(), theirs, "-k {key}");
    }
    let text = util::stdout(&util::dockaudit(&["list"]));
    let json: serde_json::Value =
        serde_json::from_slice(&util::dockaudit(&["list", "--format", "json"]).stdout).unwrap();
    let from_json: Vec<&str> = json["rules"].as_array().unwrap().iter().map(|r| r["text"].as_str().unwrap()).collect();
    assert_eq!(from_json, text.lines().collect::<Vec<_>>());
    let rule = json["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["text"].as_str().unwrap().contains("exit=-EACCES"))
        .unwrap();
    let exit = rule["fields"].as_array().unwrap().iter().find(|f| f["name"] == "exit").unwrap();
    assert_eq!(exit["value"], serde_json::json!(4294967283u32));
    assert_eq!(exit["display"], "-EACCES");
    assert_eq!(rule["syscalls"][0]["name"], "openat");
}

/// Rules nobody wrote by hand: a deterministic mix of lists, arches, syscalls,
/// operators and fields, to catch shapes the corpus does not have.
fn generated_rules(count: usize) -> String {
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let syscalls64 = [
        "open",
        "openat",
        "chmod",
        "fchmodat",
        "unlink",
        "rename",
        "mount",
        "execve",
        "kill",
        "connect",
        "bind",
        "ptrace",
        "setuid",
        "init_module",
        "322",
        "400",
    ];
    let syscalls32 =
        ["open", "chmod", "unlink", "execve", "socketcall", "ipc", "mount", "chown32", "setuid32", "5", "300"];
    let numeric = [
        "uid",
        "euid",
        "gid",
        "auid",
        "pid",
        "ppid",
        "sessionid",
        "exit",
        "success",
        "devmajor",
        "inode",
        "obj_uid",
        "a0",
        "a2",
        "pers",
    ];
    let ops = ["=", "!=", "<", ">", "<=", ">=", "&", "&="];
    let values = ["0", "1", "1000", "-1", "4294967295", "0x10", "65535", "-13", "7"];
    let mut out = String::new();
    for i in 0..count {
        let action = ["always", "never"][next(2)];
        match next(10) {
            0 => out.push_str(&format!("-a {action},exclude -F msgtype{}{}\n", ops[next(2)], 1300 + next(40))),
            1 => out.push_str(&format!("-a {action},user -F uid{}{}\n", ops[next(6)], values[next(5)])),
            2 => out.push_str(&format!(
                "-w /etc/gen{i} -p {} -k gen{i}\n",
                ["r", "w", "x", "a", "wa", "rwxa", "rx"][next(7)]
            )),
            _ => {
                let b32 = next(3) == 0;
                let table: &[&str] = if b32 { &syscalls32 } else { &syscalls64 };
                let mut rule = format!("-a {action},exit -F arch={}", if b32 { "b32" } else { "b64" });
                if next(8) == 0 {
                    rule.push_str(" -S all");
                } else {
                    let n = 1 + next(4);
                    let chosen: Vec<&str> = (0..n).map(|_| table[next(table.len())]).collect();
                    rule.push_str(&format!(" -S {}", chosen.join(",")));
                }
                for _ in 0..next(4) {
                    let field = numeric[next(numeric.len())];
                    let op = if field == "exit" || field == "success" { ops[next(2)] } else { ops[next(ops.len())] };
                    rule.push_str(&format!(" -F {field}{op}{}", values[next(values.len())]));
                }
                if next(2) == 0 {
                    rule.push_str(&format!(" -k gen{i}"));
                }
                out.push_str(&rule);
                out.push('\n');
            }
        }
    }
    out
}
