//! `dockaudit events --format raw` against the real `ausearch --raw` (audit 3.0.9) on
//! logs of the record types real hosts write besides syscall events, each as the kernel
//! or its user-space source writes it and with fields missing or odd: ANOM_ABEND,
//! ANOM_PROMISCUOUS, NETFILTER_CFG (old and new kernels), SECCOMP, AVC, USER_AVC,
//! USER_*/CRED_*/SERVICE_*, LOGIN (old and new form), DAEMON_*, CONFIG_CHANGE, MAC_STATUS,
//! EVENT_LISTENER, BPF, TTY, INTEGRITY_RULE, EXECVE, SOCKADDR (unix, inet, too short),
//! x86_64, i386 and aarch64 SYSCALLs. Every selector dockaudit shares with ausearch, alone
//! and combined: the same bytes and the same exit status.

use crate::events::{assert_raw_equals_ausearch, generate_with, run, Shape};
use crate::oracle_util::{assert_none_failed, hex, skip_without, tool, Rng};
use crate::util::{dockaudit_bin, tempdir};

/// A field with the given probability of being left out (records with missing fields).
fn maybe(rng: &mut Rng, field: &str) -> String {
    if rng.below(8) == 0 {
        String::new()
    } else {
        format!("{field} ")
    }
}

fn user_record(rng: &mut Rng, enrich: &dyn Fn(&str) -> String) -> (String, String) {
    let kind = rng.pick(&[
        "USER_START",
        "USER_END",
        "USER_LOGIN",
        "USER_CMD",
        "USER_ACCT",
        "USER_AUTH",
        "CRED_ACQ",
        "CRED_DISP",
        "CRED_REFR",
        "USER_ROLE_CHANGE",
        "SERVICE_START",
        "SERVICE_STOP",
        "ADD_USER",
        "USER_MGMT",
    ]);
    let res = rng.pick(&["success", "failed"]);
    let exe = rng.pick(&["\"/usr/bin/sudo\"", "\"/usr/sbin/sshd\"", &hex(b"/usr/bin/my su"), "/usr/bin/legacy"]);
    let inner = match kind.as_str() {
        "USER_CMD" => format!(
            "cwd={} cmd={} exe={exe} terminal=pts/0 res={res}",
            rng.pick(&["\"/root\"", &hex(b"/home/a b"), "/legacy/dir"]),
            hex(b"docker ps")
        ),
        "USER_LOGIN" => format!(
            "op=login id={} exe={exe} hostname=10.0.0.1 addr=10.0.0.1 terminal=ssh res={res}",
            rng.pick(&["1000", "0", "4294967295"])
        ),
        "SERVICE_START" | "SERVICE_STOP" => format!(
            "unit=docker comm=\"systemd\" exe=\"/usr/lib/systemd/systemd\" hostname=? addr=? terminal=? res={res}"
        ),
        "ADD_USER" | "USER_MGMT" => format!(
            "op=adding-user id={} exe=\"/usr/sbin/useradd\" hostname=? addr=? terminal=pts/0 res={res}",
            rng.pick(&["1001", "1002"])
        ),
        "USER_ROLE_CHANGE" => format!("op=role-change old-uid=0 new-role=sysadm_r exe={exe} res={res}"),
        _ => format!(
            "op=PAM:session_open grantors=pam_unix acct={} exe={exe} hostname=? addr=? terminal=/dev/pts/0 res={res}",
            rng.pick(&["\"root\"", &hex(b"al ice"), "legacy:acct"])
        ),
    };
    let close = if rng.below(20) == 0 { "" } else { "'" };
    let body = format!(
        "pid={} {}auid={} ses=3 subj=unconfined msg='{inner}{close}{}",
        rng.pick(&["1", "100", "300"]),
        maybe_pick(rng, "uid", &["0", "1000"]),
        rng.pick(&["1000", "0", "4294967295"]),
        enrich("UID=\"root\" AUID=\"alice\"")
    );
    (kind, body)
}

fn syscall_event(rng: &mut Rng, line: &dyn Fn(&str, String) -> String, enrich: &dyn Fn(&str) -> String) -> Vec<String> {
    let (arch, nr, name) = match rng.below(6) {
        0 => ("40000003", rng.pick(&["5", "11", "102", "2"]), "open"),
        1 => ("c00000b7", rng.pick(&["56", "221", "198", "2"]), "openat"),
        _ => ("c000003e", rng.pick(&["2", "257", "59", "42", "41", "0", "87"]), "openat"),
    };
    let ok = rng.below(3) != 0;
    let mut lines = Vec::new();
    if rng.below(6) == 0 {
        lines.push(line(
            "AVC",
            format!(
                "avc:  {}  {{ {} }} for  {}comm=\"runc\" {}=\"{}\" dev=\"dm-0\" ino=1 scontext=a tcontext=b {}permissive=0",
                rng.pick(&["denied", "granted"]),
                rng.pick(&["read", "write open"]),
                maybe_pick(rng, "pid", &["300", "301"]),
                rng.pick(&["name", "path"]),
                rng.pick(&["daemon.json", "/etc/docker/daemon.json", "/run/docker.sock"]),
                maybe(rng, "tclass=file"),
            ),
        ));
    }
    let body = format!(
        "{}syscall={nr} success={} exit={} a0=ffffff9c {}a2=0 a3=0 items=1 ppid=1 {}{}{}gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=3 comm=\"x\" {}subj=unconfined {}",
        maybe(rng, &format!("arch={arch}")),
        if ok { "yes" } else { "no" },
        if ok { "3" } else { "-13" },
        maybe(rng, "a1=7ffd1"),
        maybe_pick(rng, "pid", &["300", "301"]),
        maybe_pick(rng, "auid", &["0", "1000", "4294967295"]),
        maybe_pick(rng, "uid", &["0", "1000"]),
        maybe_pick(rng, "exe", &["\"/usr/sbin/runc\"", "\"/usr/bin/dockerd\"", &hex(b"/tmp/my tool")]),
        rng.pick(&["key=\"docker\"", "key=(null)", &format!("key={}", hex(b"docker\x01runc")), ""]),
    );
    lines.push(line(
        "SYSCALL",
        format!("{body}{}", enrich(&format!("ARCH=x86_64 SYSCALL={name} AUID=\"alice\" UID=\"root\""))),
    ));
    if nr == "59" {
        lines.push(line("EXECVE", format!("argc=2 a0=\"runc\" a1={}", hex(b"--root /run/x"))));
    }
    if nr == "42" || rng.below(5) == 0 {
        let saddr = rng.pick(&[
            &hex(b"\x01\x00/run/docker.sock\x00"),
            &hex(b"\x01\x00\x00/containerd-shim/abc\x00"),
            "02000035C0A8010A0000000000000000",
            "0A000050000000000000000000000000000000000000000100000000",
            "0200",
            "01",
            "FF00",
            "(null)",
        ]);
        lines.push(line("SOCKADDR", format!("saddr={saddr}")));
    }
    lines.push(line("CWD", format!("cwd={}", rng.pick(&["\"/etc/docker\"", &hex(b"/home/a b")]))));
    let name = rng.pick(&[
        "\"/etc/docker/daemon.json\"",
        "\"./daemon.json\"",
        "(null)",
        &hex(b"/run/a b.sock"),
        "\"/usr/sbin/runc\"",
    ]);
    lines.push(line(
        "PATH",
        format!(
            "item=0 {}inode=1 dev=fd:00 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL{}",
            maybe(rng, &format!("name={name}")),
            enrich("OUID=\"root\" OGID=\"root\"")
        ),
    ));
    lines.push(line("PROCTITLE", format!("proctitle={}", hex(b"runc\0--root"))));
    if rng.below(6) != 0 {
        lines.push(line("EOE", String::new()));
    }
    lines
}

/// `NAME=one of values`, now and then left out.
fn maybe_pick(rng: &mut Rng, name: &str, values: &[&str]) -> String {
    let value = rng.pick(values);
    maybe(rng, &format!("{name}={value}"))
}

/// One event of a type real logs hold beside syscall events.
fn varied_lines(rng: &mut Rng, shape: &Shape, node: &str, sec: u64, msec: u64, serial: u64) -> Vec<String> {
    let stamp = format!("{node}type={{}} msg=audit({sec}.{msec:03}:{serial}): ");
    let line = |kind: &str, body: String| format!("{}{body}", stamp.replace("{}", kind));
    let enriched = shape.enriched;
    let enrich = move |text: &str| if enriched { format!("\x1d{text}") } else { String::new() };
    let auid = rng.pick(&["1000", "0", "4294967295"]);
    let uid = rng.pick(&["0", "1000"]);
    match rng.below(24) {
        0 | 1 => {
            let (kind, body) = user_record(rng, &enrich);
            vec![line(&kind, body)]
        }
        2 => vec![line(
            "ANOM_ABEND",
            format!(
                "{}uid={uid} gid=0 ses=3 subj=unconfined pid={} comm=\"dockerd\" {}sig=11 res=1",
                maybe(rng, &format!("auid={auid}")),
                rng.pick(&["300", "301"]),
                maybe(rng, "exe=\"/usr/bin/dockerd\"")
            ),
        )],
        3 => vec![line(
            "ANOM_PROMISCUOUS",
            format!("dev=veth12 prom=256 old_prom=0 {}uid={uid} gid=0 ses=4294967295", maybe(rng, &format!("auid={auid}"))),
        )],
        4 => {
            let body = if rng.below(2) == 0 {
                "table=filter family=2 entries=4 op=xt_replace pid=500 subj=unconfined comm=\"dockerd\"".to_string()
            } else {
                format!(
                    "table=nat family=2 entries=12 op=xt_register pid=501 uid={uid} auid={auid} tty=(none) ses=3 subj=unconfined comm=\"iptables\" exe=\"/usr/sbin/xtables-nft-multi\""
                )
            };
            vec![line("NETFILTER_CFG", body)]
        }
        5 => vec![line(
            "SECCOMP",
            format!(
                "auid={auid} uid={uid} gid=0 ses=4294967295 subj=docker-default (enforce) pid=400 comm=\"runc\" {}sig=0 {}syscall={} compat=0 ip=0x7f0 code=0x50000",
                maybe(rng, "exe=\"/usr/sbin/runc\""),
                maybe_pick(rng, "arch", &["c000003e", "40000003"]),
                rng.pick(&["41", "0", "5", "321"])
            ),
        )],
        6 => vec![line(
            "USER_AVC",
            format!(
                "pid=1 uid=0 auid={auid} ses=4294967295 subj=unconfined msg='avc:  {} {{ {} }} for auid=1000 uid={uid} gid=0 path=\"/run/docker.sock\" cmdline=\"docker ps\" scontext=a tcontext=b tclass=unix_stream_socket exe=\"/usr/bin/dbus-daemon\" sauid=0 hostname=? addr=? terminal=?'",
                rng.pick(&["denied", "granted"]),
                rng.pick(&["connectto", "status"])
            ),
        )],
        7 => {
            let body = if rng.below(3) == 0 {
                format!("login pid=101 uid=0 old auid=4294967295 new auid={auid} old ses=4294967295 new ses=5")
            } else {
                format!(
                    "pid=101 uid=0 subj=unconfined old-auid=4294967295 auid={auid} tty=(none) old-ses=4294967295 ses=5 {}",
                    maybe_pick(rng, "res", &["1", "0"])
                )
            };
            vec![line("LOGIN", body)]
        }
        8 => {
            let kind = rng.pick(&["DAEMON_START", "DAEMON_END", "DAEMON_ROTATE", "DAEMON_ACCEPT", "DAEMON_CLOSE"]);
            vec![line(
                &kind,
                format!(
                    "op={} ver=3.0.9 format=enriched kernel=6.1.0 auid={auid} pid=1 uid={uid} ses=4294967295 subj=unconfined res={}{}",
                    rng.pick(&["start", "terminate"]),
                    rng.pick(&["success", "failed"]),
                    enrich("AUID=\"unset\" UID=\"root\"")
                ),
            )]
        }
        9 => {
            let body = match rng.below(3) {
                0 => format!("auid={auid} ses=3 subj=unconfined op=add_rule key={} list=4 res={}", rng.pick(&["\"docker\"", "(null)", &hex(b"docker\x01runc")]), rng.pick(&["0", "1"])),
                1 => format!("auid={auid} ses=3 op=updated_rules path=\"/etc/docker\" key=\"docker\" list=4 res=1"),
                _ => format!("op=set audit_enabled=1 old=1 auid={auid} ses=3 subj=unconfined res=1"),
            };
            vec![line("CONFIG_CHANGE", format!("{body}{}", enrich("AUID=\"alice\"")))]
        }
        10 => vec![line("MAC_STATUS", format!("enforcing=1 old_enforcing=0 {}ses=3 enabled=1 old-enabled=1 lsm=selinux res=1", maybe(rng, &format!("auid={auid}"))))],
        11 => vec![line(
            "EVENT_LISTENER",
            format!("pid=1 uid={uid} auid={auid} tty=(none) ses=4294967295 subj=unconfined comm=\"systemd-journal\" exe=\"/usr/lib/systemd/systemd-journald\" nl-mcgrp=1 op=connect res=1"),
        )],
        12 => vec![line("BPF", format!("prog-id={} op={}", rng.below(90), rng.pick(&["LOAD", "UNLOAD"])))],
        13 => vec![line("TTY", format!("tty pid=600 uid={uid} auid={auid} ses=3 major=136 minor=0 comm=\"bash\" data=6C730D"))],
        14 => vec![line(
            "INTEGRITY_RULE",
            format!("file=\"/usr/sbin/runc\" hash=\"sha256:00\" ppid=1 pid=700 auid={auid} uid={uid} gid=0 euid=0 ses=3 comm=\"runc\" exe=\"/usr/sbin/runc\""),
        )],
        _ => syscall_event(rng, &line, &enrich),
    }
}

/// (our options, ausearch's options).
const SELECTIONS: &[(&[&str], &[&str])] = &[
    (&["--uid", "0"], &["-ui", "0"]),
    (&["--uid", "1000"], &["-ui", "1000"]),
    (&["--uid", "root"], &["-ui", "root"]),
    (&["--uid", "4294967295"], &["-ui", "4294967295"]),
    (&["--auid", "0"], &["-ul", "0"]),
    (&["--auid", "1000"], &["-ul", "1000"]),
    (&["--auid", "4294967295"], &["-ul", "4294967295"]),
    (&["--auid", "4294967294"], &["-ul", "4294967294"]),
    (&["--auid", "root"], &["-ul", "root"]),
    (&["--uid", "1000", "--auid", "1000"], &["-ui", "1000", "-ul", "1000"]),
    (&["--uid", "root", "--auid", "0"], &["-ui", "root", "-ul", "0"]),
    (&["-p", "300"], &["-p", "300"]),
    (&["-p", "1"], &["-p", "1"]),
    (&["-p", "500"], &["-p", "500"]),
    (&["--syscall", "0"], &["-sc", "0"]),
    (&["--syscall", "41"], &["-sc", "41"]),
    (&["--syscall", "5"], &["-sc", "5"]),
    (&["--syscall", "59"], &["-sc", "59"]),
    (&["--success", "yes"], &["-sv", "yes"]),
    (&["--success", "no"], &["-sv", "no"]),
    (&["-x", "runc"], &["-x", "runc"]),
    (&["-x", "null"], &["-x", "null"]),
    (&["-x", "/usr/bin/dockerd", "-w"], &["-x", "/usr/bin/dockerd", "-w"]),
    (&["-x", "legacy"], &["-x", "legacy"]),
    (&["-f", "/etc/docker"], &["-f", "/etc/docker"]),
    (&["-f", "docker.sock"], &["-f", "docker.sock"]),
    (&["-f", "containerd-shim"], &["-f", "containerd-shim"]),
    (&["-f", "a b"], &["-f", "a b"]),
    (&["-f", "/etc/docker/daemon.json", "-w"], &["-f", "/etc/docker/daemon.json", "-w"]),
    (&["-k", "docker"], &["-k", "docker"]),
    (&["-k", "runc", "-w"], &["-k", "runc", "-w"]),
    (&["-k", "null"], &["-k", "null"]),
    (&["-p", "300", "--success", "no", "-x", "runc"], &["-p", "300", "-sv", "no", "-x", "runc"]),
    (&["--uid", "0", "-f", "/etc", "-k", "docker"], &["-ui", "0", "-f", "/etc", "-k", "docker"]),
    (&["--auid", "1000", "--syscall", "2", "--success", "yes"], &["-ul", "1000", "-sc", "2", "-sv", "yes"]),
    (
        &["--start", "2023-11-14T22:14:00Z", "--end", "2023-11-14T22:20:00Z", "--uid", "0"],
        &["-ts", "11/14/23", "22:14:00", "-te", "11/14/23", "22:20:00", "-ui", "0"],
    ),
];

const SHAPES: &[Shape] =
    &[Shape::new(31, 2500, 3, 300), Shape { nodes: true, enriched: true, ..Shape::new(32, 2500, 6, 100) }];

#[test]
fn raw_output_equals_ausearch_on_every_record_type() {
    if skip_without("ausearch") {
        return;
    }
    assert_raw_equals_ausearch("events record-type oracle (ausearch --raw)", SHAPES, varied_lines, SELECTIONS);
}

/// `--syscall NAME` reads the name in each event's own arch; ausearch's `-sc NAME` keeps
/// the events of one arch (the machine's, or `--arch`'s) with that arch's number. So ours
/// is the union of ausearch's over the arches dockaudit knows, in log order.
#[test]
fn syscall_names_are_ausearch_per_arch_united() {
    if skip_without("ausearch") {
        return;
    }
    let ausearch = tool("ausearch").expect("checked");
    let dir = tempdir();
    let mut failures = Vec::new();
    let mut cases = 0;
    for shape in SHAPES {
        let file = dir.join(format!("sc-{}.log", shape.seed));
        std::fs::write(&file, generate_with(shape, varied_lines)).unwrap();
        let file = file.to_str().unwrap();
        let all = run(&ausearch, &["--raw", "-if", file], None).stdout;
        for name in ["open", "openat", "socket", "execve", "read", "socketcall", "clone"] {
            cases += 1;
            let mut wanted = std::collections::HashSet::new();
            for arch in ["x86_64", "i386", "aarch64", "arm"] {
                let out = run(&ausearch, &["--raw", "-if", file, "--arch", arch, "-sc", name], None);
                wanted.extend(String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect::<Vec<_>>());
            }
            let expected: String = String::from_utf8_lossy(&all)
                .lines()
                .filter(|l| wanted.contains(*l))
                .map(|l| format!("{l}\n"))
                .collect();
            let ours = run(&dockaudit_bin(), &["events", "--format", "raw", "--input", file, "--syscall", name], None);
            let code = if expected.is_empty() { 1 } else { 0 };
            if ours.stdout != expected.as_bytes() || ours.status.code() != Some(code) {
                failures.push(format!(
                    "shape {} --syscall {name}: {} lines (exit {:?}), ausearch per arch {} lines",
                    shape.seed,
                    String::from_utf8_lossy(&ours.stdout).lines().count(),
                    ours.status.code(),
                    expected.lines().count()
                ));
            }
            // On the machine's own arch the name is the same selection as ausearch's.
            if std::env::consts::ARCH == "x86_64" {
                cases += 1;
                let theirs = run(&ausearch, &["--raw", "-if", file, "-sc", name], None);
                let native = run(&ausearch, &["--raw", "-if", file, "--arch", "x86_64", "-sc", name], None);
                if theirs.stdout != native.stdout {
                    failures.push(format!("ausearch -sc {name} is not --arch x86_64 -sc {name}"));
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert_none_failed("events syscall-name oracle (ausearch --raw)", cases, &failures);
}
