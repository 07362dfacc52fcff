//! Each table family on values auditd really writes, against what `ausearch -i` 3.0.9
//! printed for them (checked by hand with the real tool; the integration test
//! `interpret` compares whole logs).

use super::fields::{adjust_type, interpret, lookup_type, FieldType, Id, Interps};
use super::*;
use crate::events::reassemble::{EndRules, Reassembler};

fn value(rtype: u32, name: &str, val: &str, syscall: i32, a0: u64, a1: u64) -> String {
    let names = Names::default();
    let ftype = adjust_type(rtype, name.as_bytes(), val.as_bytes());
    let id = Id { syscall, machine: 1, a0, a1, name: name.as_bytes(), val: val.as_bytes() };
    String::from_utf8(interpret(ftype, &id, &names, &Interps::default())).unwrap()
}

fn syscall_arg(nr: i32, name: &str, val: &str) -> String {
    value(rtype::SYSCALL, name, val, nr, 0, 0)
}

#[test]
fn errno_exits() {
    assert_eq!(value(1300, "exit", "-13", 257, 0, 0), "EACCES(Permission denied)");
    assert_eq!(value(1300, "exit", "-2", 257, 0, 0), "ENOENT(No such file or directory)");
    assert_eq!(value(1300, "exit", "-115", 257, 0, 0), "EINPROGRESS(Operation now in progress)");
    assert_eq!(value(1300, "exit", "-512", 257, 0, 0), "(null)(Unknown error 512)");
    assert_eq!(value(1300, "exit", "3", 257, 0, 0), "3");
}

#[test]
fn open_clone_mmap_and_socket_arguments() {
    assert_eq!(syscall_arg(257, "a0", "ffffff9c"), "AT_FDCWD");
    assert_eq!(syscall_arg(257, "a2", "80241"), "O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC");
    assert_eq!(syscall_arg(257, "a2", "0"), "O_RDONLY");
    assert_eq!(syscall_arg(56, "a2", "0"), "0x0");
    assert_eq!(syscall_arg(272, "a0", "50000000"), "CLONE_NEWUSER|CLONE_NEWNET");
    assert_eq!(syscall_arg(9, "a2", "3"), "PROT_READ|PROT_WRITE");
    assert_eq!(syscall_arg(9, "a3", "22"), "MAP_PRIVATE|MAP_ANONYMOUS");
    assert_eq!(syscall_arg(41, "a0", "2"), "inet");
    assert_eq!(syscall_arg(41, "a1", "80801"), "SOCK_STREAM");
    assert_eq!(syscall_arg(41, "a0", "63"), "unknown-family(0x63)");
    assert_eq!(syscall_arg(62, "a1", "9"), "SIGKILL");
    assert_eq!(syscall_arg(90, "a1", "1ed"), "0755");
    assert_eq!(syscall_arg(135, "a0", "40008"), "PER_LINUX32|~ADDR_NO_RANDOMIZE");
    assert_eq!(syscall_arg(87, "a1", "7ffd1"), "0x7ffd1");
}

#[test]
fn modes_caps_success_and_lists() {
    assert_eq!(value(1302, "mode", "0100644", 0, 0, 0), "file,644");
    assert_eq!(value(1302, "mode", "041777", 0, 0, 0), "dir,sticky,777");
    assert_eq!(value(1302, "mode", "0", 0, 0, 0), "000,000");
    assert_eq!(value(1302, "cap_fp", "0000000000200000", 0, 0, 0), "sys_admin");
    assert_eq!(value(1302, "cap_fp", "0", 0, 0, 0), "none");
    assert_eq!(value(1302, "cap_fe", "1", 0, 0, 0), "1");
    assert_eq!(value(1305, "res", "1", 0, 0, 0), "yes");
    assert_eq!(value(1305, "res", "2", 0, 0, 0), "unset");
    assert_eq!(value(1305, "list", "4", 0, 0, 0), "exit");
    assert_eq!(value(1300, "ses", "4294967295", 0, 0, 0), "unset");
    assert_eq!(value(1300, "uid", "4294967295", 0, 0, 0), "unset");
    assert_eq!(value(1300, "uid", "0", 0, 0, 0), "root");
    assert_eq!(value(1300, "gid", "1001", 0, 0, 0), "unknown(1001)");
}

#[test]
fn escaped_values_and_sockaddrs() {
    assert_eq!(value(1307, "cwd", "2F686F6D652F612062", 0, 0, 0), "/home/a b");
    assert_eq!(value(1307, "cwd", "2F746D702F6E65770A6C696E65", 0, 0, 0), "/tmp/new\\012line");
    assert_eq!(value(1302, "name", "(null)", 0, 0, 0), "(null)");
    assert_eq!(value(1327, "proctitle", "646F636B657264002D4800666420", 0, 0, 0), "dockerd -H fd ");
    assert_eq!(value(1327, "proctitle", "61626", 0, 0, 0), "ab`");
    assert_eq!(value(1309, "a1", "2D2D726F6F74", 0, 0, 0), "--root");
    assert_eq!(value(1309, "a2_len", "20", 0, 0, 0), "20");
    assert_eq!(
        value(1306, "saddr", "02000035C0A8010A0000000000000000", 0, 0, 0),
        "{ saddr_fam=inet laddr=192.168.1.10 lport=53 }"
    );
    assert_eq!(
        value(1306, "saddr", "01002F72756E2F646F636B65722E736F636B00", 0, 0, 0),
        "{ saddr_fam=local path=/run/docker.sock }"
    );
    assert_eq!(
        value(1306, "saddr", "10000000C8000000FFFFFFFF", 0, 0, 0),
        "{ saddr_fam=netlink nlnk-fam=16 nlnk-pid=200 }"
    );
    assert_eq!(value(1306, "saddr", "0200", 0, 0, 0), "{ saddr_fam=inet sockaddr len too short }");
    assert_eq!(lookup_type(b"subj"), FieldType::MacLabel);
}

#[test]
fn enrichment_names_win_except_unknowns() {
    let interps = Interps::new(b"ARCH=x86_64 SYSCALL=unknown-syscall(999) AUID=\"alice\"");
    let names = Names::default();
    let id = |name: &'static str, val: &'static str| Id {
        syscall: 999,
        machine: 1,
        a0: 0,
        a1: 0,
        name: name.as_bytes(),
        val: val.as_bytes(),
    };
    assert_eq!(interpret(FieldType::Uid, &id("auid", "1000"), &names, &interps), b"alice");
    assert_eq!(interpret(FieldType::Syscall, &id("syscall", "999"), &names, &interps), b"unknown-syscall(999)");
    assert_eq!(
        Interps::new(b"SADDR={ saddr_fam=inet laddr=1.2.3.4 lport=1 }").get(b"saddr"),
        Some(&b"{ saddr_fam=inet laddr=1.2.3.4 lport=1 }"[..])
    );
}

#[test]
fn records_print_last_first_with_their_quirks() {
    let mut r = Reassembler::new(EndRules::Ausearch, 2);
    let mut events = Vec::new();
    for line in [
        "node=h type=SYSCALL msg=audit(0.897:7): arch=c000003e syscall=87 success=yes exit=0 a0=7ffd1 key=646F636B65720178\x1dAUID=\"alice\"",
        "node=h type=EOE msg=audit(0.897:7): ",
        "type=USER_CMD msg=audit(1.000:8): pid=1 uid=0 msg='cwd=\"/\" new-role=r,r res=success'",
    ] {
        r.push(&Record::parse(line.as_bytes()).unwrap(), &mut |e| events.push(e.clone()));
    }
    r.finish(&mut |e| events.push(e.clone()));
    let mut out = Vec::new();
    for event in &events {
        write_event(&mut out, event, &Names::default());
    }
    let text = String::from_utf8(out).unwrap();
    // The time zone of the test run decides the clock; the shape is what is checked.
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "----");
    assert!(lines[1].starts_with("node=h type=EOE msg=audit(") && lines[1].ends_with(".897:7) : "), "{text}");
    assert_eq!(lines[2], "");
    assert!(
        lines[3].ends_with(") : arch=x86_64 syscall=unlink success=yes exit=0 a0=0x7ffd1 key=docker key=x "),
        "{text}"
    );
    assert!(lines[5].ends_with(") : pid=1 uid=root msg='cwd=/ new-role=r,r res=success' "), "{text}");
}

#[test]
fn borrowed_values_are_what_interpret_builds() {
    let names = Names::default();
    let enriched = Interps::new(b"AUID=\"alice\" UID=bob SYSCALL=openat EXE=unknown-x");
    let cases: &[(&str, &str)] = &[
        ("auid", "1000"),
        ("uid", "1000"),
        ("uid", "0"),
        ("gid", "4294967295"),
        ("gid", "77"),
        ("syscall", "257"),
        ("exe", "\"/usr/bin/x\""),
        ("exe", "\"unterminated"),
        ("comm", "\"tab\there\""),
        ("key", "\"a\u{1}b\""),
        ("key", "6B6579"),
        ("name", "\"/etc/passwd\""),
        ("cap_fp", "0"),
        ("cap_fp", "1"),
        ("ses", "4294967295"),
        ("ses", "7"),
    ];
    for interps in [Interps::default(), enriched] {
        for &(name, val) in cases {
            let ftype = adjust_type(rtype::SYSCALL, name.as_bytes(), val.as_bytes());
            let id = Id { syscall: 257, machine: 1, a0: 0, a1: 0, name: name.as_bytes(), val: val.as_bytes() };
            let built = interpret(ftype, &id, &names, &interps);
            if let Some(borrowed) = fields::interpret_borrowed(ftype, name.as_bytes(), val.as_bytes(), &names, &interps)
            {
                assert_eq!(borrowed, &built[..], "{name}={val}");
            }
        }
    }
}
