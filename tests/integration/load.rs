//! `dockaudit load` against `auditctl -R` on the host kernel: for every file of the
//! Debian corpus and our every-field file, both loads must leave the kernel with the
//! same rules, byte for byte (and so the same `auditctl -l`). Plus all-or-nothing:
//! a rule the kernel rejects mid-file leaves the rules as they were.

use crate::util::{self, HostRules};
use dockaudit::AuditClient;
use std::path::Path;

/// Drops the lines that would change host-wide audit settings (or lock the host).
fn without_status_lines(text: &str) -> String {
    const STATUS: [&str; 6] = ["-e", "-f", "-b", "-r", "--backlog_wait_time", "--loginuid-immutable"];
    text.lines()
        .filter(|l| !l.split(' ').find(|w| !w.is_empty()).is_some_and(|first| STATUS.contains(&first)))
        .map(|l| format!("{l}\n"))
        .collect()
}

fn raw_rules() -> Vec<Vec<u8>> {
    AuditClient::open().expect("open").list_rules_raw().expect("list")
}

fn write_temp(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn load_leaves_the_same_rules_as_auditctl_for_every_corpus_file() {
    if let Some(why) = util::host_kernel_unavailable() {
        eprintln!("skipped: {why}");
        return;
    }
    let host = HostRules::borrow();
    let dir = util::tempdir();
    let mut files = util::corpus_files();
    files.push(util::repo_path("tests/data/rules/every-field.rules"));
    files.push(util::repo_path("tests/data/rules/load-constructs.rules"));
    let (mut identical, mut rejected_lines, mut failures) = (0, 0, Vec::new());
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let mut lines: Vec<String> =
            without_status_lines(&std::fs::read_to_string(file).unwrap()).lines().map(str::to_string).collect();
        // A line this kernel rejects (a watch under a directory this host lacks, a user
        // it does not have) must be rejected by both at the same line; it is then
        // commented out and the file tried again, so every other line is compared.
        loop {
            let path = write_temp(&dir, &name, &(lines.join("\n") + "\n"));
            host.clear();
            let theirs = util::auditctl(&["-R", &path]);
            let their_list = util::stdout(&util::auditctl(&["-l"]));
            let their_raw = raw_rules();
            host.clear();
            let ours = util::dockaudit(&["load", &path]);
            let our_list = util::stdout(&util::auditctl(&["-l"]));
            let our_raw = raw_rules();
            let our_err = String::from_utf8_lossy(&ours.stderr).to_string();
            let their_err = String::from_utf8_lossy(&theirs.stderr).to_string();
            if theirs.status.success() && ours.status.success() {
                if their_list == our_list && their_raw == our_raw {
                    identical += 1;
                } else {
                    failures.push(format!(
                        "{name}: listings differ\n--- auditctl -R\n{their_list}--- dockaudit load\n{our_list}"
                    ));
                }
                break;
            }
            // auditctl -R names the line only for kernel errors (parse errors go to
            // syslog); then the line is the one dockaudit names, and auditctl must fail too.
            let ours_line = our_err
                .split(&format!("{path}:"))
                .nth(1)
                .and_then(|rest| rest.split(':').next())
                .and_then(|n| n.parse::<usize>().ok());
            let theirs_line = their_err
                .split("error in line ")
                .nth(1)
                .and_then(|rest| rest.split(' ').next())
                .and_then(|n| n.parse::<usize>().ok());
            let Some(line) = theirs_line.or(ours_line.filter(|_| !theirs.status.success())) else {
                failures
                    .push(format!("{name}: auditctl ok={}, dockaudit: {our_err}{their_err}", theirs.status.success()));
                break;
            };
            if ours.status.success() || !our_err.contains(&format!("{path}:{line}:")) {
                failures.push(format!("{name}: auditctl refused line {line}: {their_err}\ndockaudit: {our_err}"));
                break;
            }
            if our_list != "No rules\n" {
                failures.push(format!("{name}: a failed dockaudit load left rules behind:\n{our_list}"));
                break;
            }
            rejected_lines += 1;
            lines[line - 1] = format!("# rejected on this host: {}", lines[line - 1]);
        }
    }
    drop(host);
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!(
        "load: {identical} of {} files load identically; {rejected_lines} lines rejected by both at the same line",
        files.len()
    );
    assert!(failures.is_empty(), "{} differences:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(identical, files.len(), "every file must end up compared");
}

#[test]
fn a_rejected_rule_rolls_back_everything_this_load_added() {
    if let Some(why) = util::host_kernel_unavailable() {
        eprintln!("skipped: {why}");
        return;
    }
    let host = HostRules::borrow();
    host.clear();
    host.load_with_auditctl("-w /etc/hosts -p wa -k before\n");
    let before = util::stdout(&util::auditctl(&["-l"]));
    let dir = util::tempdir();
    let path = write_temp(
        &dir,
        "bad.rules",
        "-w /etc/passwd -p wa -k new\n-a always,exit -F arch=b64 -S openat -k new\n\
         -w /nonexistent-dockaudit-dir/file -p wa\n-w /etc/group -p wa\n",
    );
    let out = util::dockaudit(&["load", &path]);
    let after = util::stdout(&util::auditctl(&["-l"]));
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();

    // -D in the file: the rule from before must come back too.
    let path_d = write_temp(&dir, "bad-d.rules", "-D\n-w /etc/passwd -p wa\n-w /nonexistent-dockaudit-dir/x\n");
    let out_d = util::dockaudit(&["load", &path_d]);
    let after_d = util::stdout(&util::auditctl(&["-l"]));
    drop(host);
    let _ = std::fs::remove_dir_all(&dir);

    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!("{path}:3: ")), "{stderr}");
    assert!(stderr.contains("No such file or directory"), "{stderr}");
    assert!(stderr.contains("rolled back"), "{stderr}");
    assert_eq!(after, before);
    assert_eq!(out_d.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out_d.stderr).contains("restored"), "{}", String::from_utf8_lossy(&out_d.stderr));
    assert_eq!(after_d, before);
}

#[test]
fn syntax_errors_name_file_line_and_column_and_touch_nothing() {
    let dir = util::tempdir();
    let path =
        write_temp(&dir, "50-docker.rules", "# docker\n-w /usr/bin/dockerd -k docker\n-a always,exit -F pth=/x\n");
    let out = util::dockaudit(&["load", "--dry-run", &path]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("{path}:3:19: unknown field \"pth\" (expected one of: pid, uid")), "{stderr}");
}

#[test]
fn a_dry_run_reads_standard_input() {
    use std::io::Write;
    let mut child = std::process::Command::new(util::dockaudit_bin())
        .args(["load", "--dry-run", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"-a exit,always -F arch=b64 -S openat -k k\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let stdout = util::stdout(&out);
    let (assumed, rest) = stdout.split_once('\n').unwrap();
    // No kernel is asked: the features assumed are said, the bits libaudit 3.0.9 checks among them.
    assert!(assumed.starts_with("# dry run: no kernel asked; assuming its features are 0x7f ("), "{assumed}");
    for bit in ["executable_path", "exclude_extend", "sessionid_filter", "filter_fs"] {
        assert!(assumed.contains(bit), "{assumed}");
    }
    assert_eq!(rest, "<stdin>:1: add -a always,exit -F arch=b64 -S openat -F key=k\n");
}

/// What the parser builds is what the kernel lists back, once normalized the way
/// `persistent::drift` does it: a loaded file shows no drift against itself.
#[test]
fn parsed_rules_show_no_drift_against_the_kernel_after_loading_them() {
    use dockaudit::persist::drift;
    use dockaudit::rules_file::{parse, Entry, Resolver, RuleOp};
    if let Some(why) = util::host_kernel_unavailable() {
        eprintln!("skipped: {why}");
        return;
    }
    let host = HostRules::borrow();
    let dir = util::tempdir();
    let mut files = util::corpus_files();
    files.push(util::repo_path("tests/data/rules/every-field.rules"));
    let mut compared = 0;
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let text = without_status_lines(&std::fs::read_to_string(file).unwrap());
        let Ok(lines) = parse(&text, &name, &Resolver::new("/")) else { continue };
        // The kernel lists list by list, each in insertion order (-A inserts first).
        let mut lists = vec![Vec::new(); 8];
        for line in lines {
            match line.entry {
                Entry::Rule { op: RuleOp::Append, rule } => lists[rule.list.raw() as usize].push(rule),
                Entry::Rule { op: RuleOp::Prepend, rule } => lists[rule.list.raw() as usize].insert(0, rule),
                _ => {}
            }
        }
        let disk: Vec<_> = lists.into_iter().flatten().collect();
        host.clear();
        let path = write_temp(&dir, &name, &text);
        if !util::dockaudit(&["load", &path]).status.success() {
            continue; // a path this host lacks; covered by the equivalence test
        }
        let kernel = AuditClient::open().unwrap().list_rules().unwrap();
        let d = drift(&kernel, &disk);
        assert!(d.is_clean(), "{name}: {d:#?}");
        compared += 1;
    }
    drop(host);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(compared >= 25, "only {compared} files compared");
}

#[test]
fn the_hosts_own_persistent_rules_parse() {
    let set = dockaudit::persist::persistent_rules(Path::new("/")).expect("read the host's rule files");
    eprintln!("host persistent rules: {:?}, {} rules, problems {:?}", set.source, set.rules.len(), set.problems);
}
