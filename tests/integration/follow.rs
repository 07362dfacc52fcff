//! `dockaudit events --follow`, the real binary: a log file followed across auditd's
//! rotation, and the kernel's live stream on the host (under the host-rules lock, audit
//! enabled for the test and put back as found): an access arrives with its key and path,
//! and without CAP_AUDIT_READ the command says so and exits 3. The loss and flood cases
//! run in the VM guests (vm-tests/scenarios), where flooding the kernel harms nothing.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{self, dockaudit_bin, HostRules};

fn spawn(args: &[&str]) -> Child {
    Command::new(dockaudit_bin())
        .args(args)
        .env("TZ", "UTC")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn record(serial: u32, key: &str) -> String {
    format!(
        "type=SYSCALL msg=audit(1700000000.{:03}:{serial}): arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c \
         a1=7ffd1 a2=0 a3=0 items=1 ppid=1 pid=99 auid=4294967295 uid=0 exe=\"/usr/bin/cat\" key=\"{key}\"\n\
         type=PATH msg=audit(1700000000.{:03}:{serial}): item=0 name=\"/etc/docker/daemon.json\"\n\
         type=PROCTITLE msg=audit(1700000000.{:03}:{serial}): proctitle=636174\n",
        serial % 1000,
        serial % 1000,
        serial % 1000
    )
}

fn append(path: &Path, text: &str) {
    std::fs::OpenOptions::new().append(true).create(true).open(path).unwrap().write_all(text.as_bytes()).unwrap();
}

#[test]
fn follows_a_log_file_across_rotation() {
    let dir = util::tempdir();
    let log = dir.join("audit.log");
    append(&log, &record(1, "docker"));
    let child = spawn(&[
        "events",
        "--follow",
        "--input",
        log.to_str().unwrap(),
        "-k",
        "docker",
        "--format",
        "raw",
        "--duration",
        "3",
    ]);
    std::thread::sleep(Duration::from_millis(600));
    append(&log, &record(2, "docker"));
    append(&log, &record(3, "other"));
    std::thread::sleep(Duration::from_millis(400));
    // auditd's rotation: the file renamed, a new one at the path.
    std::fs::rename(&log, dir.join("audit.log.1")).unwrap();
    append(&dir.join("audit.log.1"), &record(4, "docker"));
    append(&log, &record(5, "docker"));
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let serials: Vec<&str> =
        stdout.lines().filter(|l| l.starts_with("type=SYSCALL")).map(|l| &l[l.find(':').unwrap() + 1..][..1]).collect();
    // Not 1 (there before the follow began), not 3 (another key); 4 was written to the
    // rotated file before the new one appeared, and is read before it.
    assert_eq!(serials, ["2", "4", "5"], "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Waits until `pid` has a NETLINK_AUDIT socket in the read-log group (/proc/net/netlink).
fn wait_joined(pid: u32) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        let table = std::fs::read_to_string("/proc/net/netlink").unwrap_or_default();
        let joined = table.lines().skip(1).any(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            cols.len() > 3 && cols[1] == "9" && cols[2] == pid.to_string() && cols[3] == "00000001"
        });
        if joined {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("dockaudit never joined the read-log group");
}

#[test]
fn follows_the_kernel_stream_live() {
    if let Some(why) = util::host_kernel_unavailable() {
        eprintln!("skipped: {why}");
        return;
    }
    let host = HostRules::borrow();
    let _enabled = util::AuditEnabled::enable();
    host.clear();
    let dir = util::tempdir();
    let file = dir.join("watched");
    std::fs::write(&file, "x").unwrap();
    let watch = format!("-w {} -p wa -k dockaudit-follow-test", file.display());
    assert!(host.load_with_auditctl(&watch).is_empty());
    let mut child = spawn(&[
        "events",
        "--follow",
        "-k",
        "dockaudit-follow-test",
        "--format",
        "json",
        "--max-events",
        "1",
        "--duration",
        "20",
    ]);
    wait_joined(child.id());
    std::fs::OpenOptions::new().append(true).open(&file).unwrap().write_all(b"y").unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let status = child.wait().unwrap();
    let event: serde_json::Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
    assert_eq!(event["tags"], serde_json::json!(["dockaudit-follow-test"]), "{line}");
    assert_eq!(event["process"]["pid"], std::process::id(), "{line}");
    assert!(line.contains(&format!("\"{}\"", file.display())), "{line}");
    assert_eq!(status.code(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn following_the_kernel_needs_cap_audit_read() {
    if let Some(why) = util::host_kernel_unavailable() {
        eprintln!("skipped: {why}");
        return;
    }
    // Root, with every capability but CAP_AUDIT_READ.
    let out = Command::new("setpriv")
        .args(["--bounding-set", "-audit_read", "--inh-caps", "-audit_read", "--"])
        .arg(dockaudit_bin())
        .args(["events", "--follow", "--duration", "1"])
        .output()
        .expect("setpriv (util-linux)");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("needs CAP_AUDIT_READ"), "{stderr}");
    assert!(stderr.contains("--cap-add AUDIT_READ"), "{stderr}");
}
