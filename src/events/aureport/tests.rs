//! The reading and counting rules, one quirk each; the whole reports are compared with
//! the real aureport in `tests/integration/report.rs`.

use super::*;
use crate::events::Record;

fn items(lines: &[&str], kind: Kind) -> Option<Items> {
    scan(lines.iter().map(|l| Record::parse(l.as_bytes()).unwrap()), kind.wanted())
}

const SYSCALL: &str = "type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=257 success=no exit=-13 a0=ffffff9c a1=7ffd a2=0 a3=0 items=1 ppid=1 pid=42 auid=1000 uid=0 gid=0 euid=0 tty=(none) ses=3 comm=\"cat\" exe=\"/usr/bin/cat\" key=646F636B657201636F6E7461696E657264";

#[test]
fn a_syscall_gives_every_column() {
    let s = items(&[SYSCALL], Kind::User).unwrap();
    assert_eq!((s.pid, s.auid, s.uid, s.syscall, s.success), (42, 1000, 0, 257, scan::FAILED));
    assert_eq!(s.exe.as_deref(), Some(&b"/usr/bin/cat"[..]));
    assert_eq!(s.terminal.as_deref(), Some(&b"(none)"[..]));
    let k = items(&[SYSCALL], Kind::Key).unwrap();
    assert_eq!(k.keys, Some(vec![b"docker".to_vec(), b"containerd".to_vec()]));
    let c = items(&[SYSCALL], Kind::Syscall).unwrap();
    assert_eq!(c.comm.as_deref(), Some(&b"cat"[..]));
}

#[test]
fn a_syscall_without_exe_drops_the_event_where_exe_is_read() {
    let no_exe = SYSCALL.replace(" exe=\"/usr/bin/cat\"", "");
    assert!(items(&[&no_exe], Kind::Key).is_none());
    assert!(items(&[&no_exe], Kind::Syscall).is_some());
    let no_a1 = SYSCALL.replace(" a1=7ffd", "");
    assert!(items(&[&no_a1], Kind::Syscall).is_none());
}

#[test]
fn files_join_the_cwd_and_note_what_follows_type() {
    let lines = [
        SYSCALL,
        "type=CWD msg=audit(1.000:1): cwd=\"/root\"",
        "type=PATH msg=audit(1.000:1): item=0 name=\"/etc/\" inode=1 nametype=PARENT",
        "type=PATH msg=audit(1.000:1): item=1 name=\"./a\" inode=2 nametype=NORMAL cap_fp=0",
        "type=PATH msg=audit(1.000:1): item=2 name=2F746D702F612062 inode=3 nametype=PARENT cap_fp=0",
    ];
    let s = items(&lines, Kind::File).unwrap();
    let names: Vec<&[u8]> = s.files.as_ref().unwrap().iter().map(|f| f.name.as_slice()).collect();
    assert_eq!(names, [&b"/etc/"[..], b"/root/./a", b"/tmp/a b"]);
    assert_eq!(text::row_file(&s), b"/root/./a");
    // A newer kernel's parent entry is not skipped: PARENT does not end its line.
    let s = items(&[SYSCALL, lines[4], lines[3]], Kind::File).unwrap();
    assert_eq!(text::row_file(&s), b"/tmp/a b");
}

#[test]
fn user_records_and_their_quirks() {
    let login = "type=USER_LOGIN msg=audit(1.000:2): pid=7 uid=0 auid=1000 ses=1 msg='op=login acct=\"bob\" exe=\"/usr/sbin/sshd\" hostname=? addr=10.0.0.7 terminal=ssh res=failed'";
    let s = items(&[login], Kind::Exe).unwrap();
    assert_eq!(s.host.as_deref(), Some(&b"10.0.0.7"[..]));
    assert_eq!(s.terminal.as_deref(), Some(&b"ssh"[..]));
    assert_eq!(s.success, scan::FAILED);
    // A comma anywhere after hostname= ends the host there.
    let comma = login.replace("terminal=ssh", "terminal=a,b").replace("hostname=?", "hostname=web1");
    assert_eq!(items(&[&comma], Kind::Exe).unwrap().host.as_deref(), Some(&b"web1 addr=10.0.0.7 terminal=a"[..]));
    // No closing quote after res=: the event is malformed.
    assert!(items(&[login.trim_end_matches('\'')], Kind::Key).is_none());
}

#[test]
fn config_changes_count_under_their_key_unless_no_config() {
    let load = "type=CONFIG_CHANGE msg=audit(1.000:3): auid=1000 ses=3 op=add_rule key=\"docker\" list=4 res=0";
    let s = items(&[load], Kind::Key).unwrap();
    assert_eq!((s.keys.clone(), s.success, s.auid), (Some(vec![b"docker".to_vec()]), scan::FAILED, 1000));
    let null = load.replace("key=\"docker\"", "key=(null)");
    assert_eq!(items(&[&null], Kind::Key).unwrap().keys, Some(vec![b"(null)".to_vec()]));
}

#[test]
fn unescape_is_ausearchs() {
    assert_eq!(unescape(b"414243 x"), Some(b"ABC".to_vec()));
    assert_eq!(unescape(b"41424"), Some(b"AB@".to_vec()));
    assert_eq!(unescape(b"4100 42"), Some(b"A".to_vec()));
    assert_eq!(unescape(b"(null) x"), Some(b"(null)".to_vec()));
    assert_eq!(unescape(b"4"), None);
    assert_eq!(unescape(b"(open"), None);
}

fn render(kind: Kind, summary: bool, lines: &str) -> (String, ReportSummary) {
    let dir = std::env::temp_dir().join(format!("dockaudit-aureport-{}-{kind:?}-{summary}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("audit.log");
    std::fs::write(&file, lines).unwrap();
    let options = ReportOptions {
        kind,
        summary,
        filter: Filter::All,
        no_config: false,
        start: None,
        end: None,
        format: ReportFormat::Text,
        eoe_timeout: 2,
        labels: Labels::default(),
    };
    let mut out = Vec::new();
    let summary = report(&[Source::File(file)], &options, &mut out).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    (String::from_utf8(out).unwrap(), summary)
}

#[test]
fn a_multi_key_counts_under_each_key_but_is_one_row() {
    let log = format!(
        "{SYSCALL}\ntype=CONFIG_CHANGE msg=audit(2.000:3): auid=0 ses=3 op=add_rule key=\"containerd\" list=4 res=1\n"
    );
    let (text, summary) = render(Kind::Key, true, &log);
    assert!(text.ends_with("total  key\n===========================\n2  containerd\n1  docker\n"), "{text}");
    assert_eq!(summary.rows, 2);
    let (text, summary) = render(Kind::Key, false, &log);
    assert!(text.contains(" docker no /usr/bin/cat 1000 1\n"), "{text}");
    assert!(text.contains(" containerd yes ? 0 3\n"), "{text}");
    assert!(!summary.nothing_found(false));
    let (text, summary) = render(
        Kind::Syscall,
        false,
        "type=DAEMON_START msg=audit(1.000:1): op=start auid=4294967295 pid=1 uid=0 res=success\n",
    );
    assert!(text.ends_with(NOTHING), "{text}");
    assert!(summary.nothing_found(false));
}
