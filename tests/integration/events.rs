//! `dockaudit events --format raw` against the real `ausearch --raw` (audit 3.0.9) on
//! logs generated here: interleaved and out-of-order events, multi-keys, hex values,
//! user-space records, `node=` prefixes, events without EOE, ENRICHED lines, malformed
//! lines, rotated and gzipped files. Same options, same bytes, same exit status.
//! Only reads files; never touches the host's audit state.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::oracle_util::{assert_none_failed, compare_grouping, compare_with, hex, run_in, skip_without, tool, Rng};
use crate::util::{dockaudit_bin, tempdir};

/// Runs a program in UTC and the C locale, `stdin` given as its input.
pub fn run(program: &Path, args: &[&str], stdin: Option<&Path>) -> Output {
    run_in(program, args, "UTC", stdin)
}

/// How a generated log looks.
#[derive(Clone, Copy)]
pub struct Shape {
    pub seed: u64,
    pub events: usize,
    /// Concurrent events whose records interleave.
    pub width: usize,
    /// Mean milliseconds between events.
    pub gap_ms: u64,
    pub nodes: bool,
    pub enriched: bool,
    pub malformed: bool,
    /// What aureport's reports read beyond ausearch's selectors: an old kernel's PATH
    /// ending in `nametype=PARENT`, several items, unix and inet SOCKADDRs, a SYSCALL
    /// without `exe=` (aureport drops its event), hex `comm`, USER_LOGINs from a host,
    /// CONFIG_CHANGE rule loads with `res=0`. Off: the logs stay as they were.
    pub extras: bool,
}

impl Shape {
    /// `events` events, `width` at a time, `gap_ms` apart, with none of the options.
    pub const fn new(seed: u64, events: usize, width: usize, gap_ms: u64) -> Shape {
        Shape { seed, events, width, gap_ms, nodes: false, enriched: false, malformed: false, extras: false }
    }
}

const START: u64 = 1_700_000_000;

/// One event's lines (without stamps' prefix decisions made yet).
fn event_lines(rng: &mut Rng, shape: &Shape, node: &str, sec: u64, msec: u64, serial: u64) -> Vec<String> {
    let stamp = format!("{node}type={{}} msg=audit({sec}.{msec:03}:{serial}): ");
    let line = |kind: &str, body: String| format!("{}{body}", stamp.replace("{}", kind));
    let enrich = |text: &str| if shape.enriched { format!("\x1d{text}") } else { String::new() };
    match rng.below(10) {
        0 => {
            let kind = if shape.extras {
                rng.pick(&["USER_START", "USER_LOGIN", "CRED_ACQ", "USER_CMD", "USER_AUTH", "SERVICE_START"])
            } else {
                rng.pick(&["USER_START", "USER_END", "CRED_ACQ", "USER_CMD", "USER_AUTH", "SERVICE_START"])
            };
            let res = rng.pick(&["success", "failed"]);
            let exe = rng.pick(&["\"/usr/bin/sudo\"", "\"/usr/sbin/sshd\"", "2F7573722F62696E2F646F636B6572"]);
            let uid = rng.pick(&["0", "1000"]);
            let (host, addr, terminal) = if shape.extras {
                (rng.pick(&["?", "web1", "?"]), rng.pick(&["?", "10.0.0.7"]), rng.pick(&["/dev/pts/0", "ssh", "cron"]))
            } else {
                ("?".to_string(), "?".to_string(), "/dev/pts/0".to_string())
            };
            vec![line(
                &kind,
                format!(
                    "pid={} uid={uid} auid=1000 ses=3 subj=unconfined msg='op=PAM:session_open grantors=pam_unix acct=\"root\" exe={exe} hostname={host} addr={addr} terminal={terminal} res={res}'{}",
                    100 + rng.below(5),
                    enrich("UID=\"root\" AUID=\"alice\"")
                ),
            )]
        }
        1 => {
            let key = rng.pick(&["\"docker\"", "\"dockerd-rules\"", "(null)", &hex(b"docker\x01containerd")]);
            vec![line(
                "CONFIG_CHANGE",
                format!(
                    "auid=1000 ses=3 subj=unconfined op=add_rule key={key} list=4 res={}{}",
                    rng.below(2),
                    enrich("AUID=\"alice\"")
                ),
            )]
        }
        2 if rng.below(3) == 0 => vec![line(
            "DAEMON_START",
            format!("op=start ver=3.0.9 format=enriched kernel=6.1.0 auid=4294967295 pid=1 uid=0 ses=4294967295 res=success{}", enrich("AUID=\"unset\"")),
        )],
        2 if rng.below(2) == 0 => vec![line("UNKNOWN[1336]", "op=mystery value=1".into())],
        2 => vec![line(
            "LOGIN",
            format!(
                "pid={} uid=0 subj=unconfined old-auid=4294967295 auid={} tty=(none) old-ses=4294967295 ses=5 res={}",
                100 + rng.below(5),
                rng.pick(&["1000", "0"]),
                rng.below(2)
            ),
        )],
        3 if rng.below(2) == 0 => vec![line(
            "USER_AVC",
            format!(
                "pid=1 uid=0 auid=4294967295 ses=4294967295 subj=unconfined msg='avc:  {} {{ {} }} for auid=1000 uid=0 gid=0 path=\"/run/docker.sock\" cmdline=\"docker ps\" scontext=a tcontext=b tclass=unix_stream_socket exe=\"/usr/bin/dbus-daemon\" sauid=0 hostname=? addr=? terminal=?'",
                rng.pick(&["denied", "granted"]),
                rng.pick(&["connectto", "status"])
            ),
        )],
        _ => {
            let (nr, name) = [("257", "openat"), ("87", "unlink"), ("263", "unlinkat"), ("59", "execve"), ("2", "open"), ("90", "chmod")]
                [rng.below(6) as usize];
            let ok = rng.below(3) != 0;
            let exit = if ok { "0".to_string() } else { rng.pick(&["-13", "-2", "-1"]) };
            let key = rng.pick(&["\"docker\"", "\"dockerd\"", "(null)", "\"containerd\"", &hex(b"docker\x01containerd"), &hex(b"runc\x01x")]);
            let exe = rng.pick(&["\"/usr/bin/dockerd\"", "\"/usr/bin/cat\"", "\"/usr/bin/containerd\"", &hex(b"/tmp/my tool")]);
            let items = if shape.extras { rng.below(4) } else { rng.below(3) };
            let comm = if shape.extras && rng.below(6) == 0 { hex(b"my comm") } else { "\"x\"".to_string() };
            let exe_field = if shape.extras && rng.below(25) == 0 { String::new() } else { format!(" exe={exe}") };
            let mut lines = Vec::new();
            if rng.below(8) == 0 {
                lines.push(line(
                    "AVC",
                    format!(
                        "avc:  {}  {{ read }} for  pid={} comm=\"x\" {}=\"{}\" dev=\"dm-0\" ino=393231 scontext=a tcontext=b tclass=file permissive=0",
                        rng.pick(&["denied", "granted"]),
                        200 + rng.below(8),
                        rng.pick(&["name", "path"]),
                        rng.pick(&["daemon.json", "/etc/docker/daemon.json", "/var/lib/docker"])
                    ),
                ));
            }
            lines.push(line(
                "SYSCALL",
                format!(
                    "arch=c000003e syscall={nr} success={} exit={exit} a0=ffffff9c a1=7ffd1 a2=0 a3=0 items={items} ppid=1 pid={} auid={} uid={} gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=3 comm={comm}{exe_field} subj=unconfined key={key}{}",
                    if ok { "yes" } else { "no" },
                    200 + rng.below(8),
                    rng.pick(&["0", "1000", "4294967295"]),
                    rng.pick(&["0", "1000"]),
                    enrich(&format!("ARCH=x86_64 SYSCALL={name} AUID=\"alice\" UID=\"root\""))
                ),
            ));
            if nr == "59" {
                lines.push(line("EXECVE", format!("argc=2 a0=\"cat\" a1={}", hex(b"/etc/docker/my file"))));
            }
            lines.push(line("CWD", format!("cwd={}", rng.pick(&["\"/root\"", "\"/etc/docker\"", &hex(b"/home/a b")]))));
            if shape.extras && rng.below(5) == 0 {
                let saddr = rng.pick(&[
                    // AF_UNIX /run/docker.sock, an abstract name, AF_INET 127.0.0.1:80, AF_INET6 ::1.
                    &hex(b"\x01\x00/run/docker.sock\x00"),
                    &hex(b"\x01\x00\x00abstract"),
                    "020000507F0000010000000000000000",
                    "0A000050000000000000000000000000000000000000000100000000",
                ]);
                lines.push(line("SOCKADDR", format!("saddr={saddr}")));
            }
            for item in 0..items {
                let name = rng.pick(&[
                    "\"/etc/docker/daemon.json\"",
                    "\"/var/lib/docker\"",
                    "\"/usr/bin/docker\"",
                    "\"./daemon.json\"",
                    "(null)",
                    &hex(b"/tmp/a b.txt"),
                ]);
                if shape.extras && item == 0 && items > 1 && rng.below(2) == 0 {
                    // An old kernel's parent entry: nametype last on the line.
                    lines.push(line(
                        "PATH",
                        format!("item={item} name=\"/etc/\" inode=12 dev=fd:00 mode=040755 ouid=0 ogid=0 rdev=00:00 nametype=PARENT"),
                    ));
                    continue;
                }
                lines.push(line(
                    "PATH",
                    format!(
                        "item={item} name={name} inode=131 dev=fd:00 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0{}",
                        enrich("OUID=\"root\" OGID=\"root\"")
                    ),
                ));
            }
            lines.push(line("PROCTITLE", format!("proctitle={}", rng.pick(&["\"bash\"", &hex(b"cat\0/etc/docker/daemon.json")]))));
            if rng.below(10) != 0 {
                lines.push(line("EOE", String::new()));
            }
            lines
        }
    }
}

/// A log of `shape.events` events, their records interleaved `shape.width` at a time.
pub fn generate(shape: &Shape) -> String {
    generate_with(shape, event_lines)
}

/// One event's lines: the generator's choice of record types.
pub type EventLines = fn(&mut Rng, &Shape, &str, u64, u64, u64) -> Vec<String>;

/// [`generate`] with another choice of events.
pub fn generate_with(shape: &Shape, event_lines: EventLines) -> String {
    let mut rng = Rng(shape.seed | 1);
    let mut out = String::new();
    let mut active: Vec<std::collections::VecDeque<String>> = Vec::new();
    let mut now_ms = START * 1000;
    let mut serial = 1000;
    let mut started = 0;
    while started < shape.events || !active.is_empty() {
        let start_new =
            started < shape.events && (active.len() < shape.width || rng.below(4) == 0) && rng.below(3) != 0;
        if start_new || active.is_empty() {
            now_ms += rng.below(2 * shape.gap_ms + 1);
            // Now and then a long syscall logs with the stamp of its start, seconds ago.
            let stamp_ms = if rng.below(40) == 0 { now_ms.saturating_sub(3000 + rng.below(2000)) } else { now_ms };
            serial += 1;
            let node = if shape.nodes { rng.pick(&["node=web1 ", "node=web2 ", ""]) } else { String::new() };
            let lines = event_lines(&mut rng, shape, &node, stamp_ms / 1000, stamp_ms % 1000, serial);
            active.push(lines.into());
            // Logs gathered from several hosts: the same stamp on another node is another
            // event, and ties in stamp are broken as ausearch breaks them.
            if shape.nodes && rng.below(10) == 0 {
                let twin = if node == "node=web1 " { "node=web3 " } else { "node=web1 " };
                let lines = event_lines(&mut rng, shape, twin, stamp_ms / 1000, stamp_ms % 1000, serial);
                active.push(lines.into());
            }
            started += 1;
            if shape.malformed && rng.below(50) == 0 {
                out.push_str(&rng.pick(&["garbage\n", "type=SYSCALL msg=audit(abc): x=1\n", "\n", "node=x\n"]));
            }
            // A late EOE of an event long gone: ausearch drops it.
            if rng.below(60) == 0 {
                out.push_str(&format!("type=EOE msg=audit({}.000:{}): \n", now_ms / 1000 - 5, serial - 3));
            }
            continue;
        }
        let i = rng.below(active.len() as u64) as usize;
        if let Some(line) = active[i].pop_front() {
            out.push_str(&line);
            out.push('\n');
        }
        if active[i].is_empty() {
            active.swap_remove(i);
        }
    }
    out
}

/// Runs `dockaudit events --format raw OURS` and `ausearch --raw THEIRS` on the same input.
pub fn compare(what: &str, ours: &[&str], theirs: &[&str], stdin: Option<&Path>) -> Result<(), String> {
    let mut our_args = vec!["events", "--format", "raw"];
    our_args.extend_from_slice(ours);
    let mut their_args = vec!["--raw"];
    their_args.extend_from_slice(theirs);
    compare_with(what, &our_args, "ausearch", &their_args, "UTC", stdin).map(drop)
}

/// [`compare`] on `file` for each selection (ours after `--input FILE`, ausearch's after
/// `-if FILE`); the failures added to `failures`, the number of comparisons returned.
pub fn compare_selections(
    what: &str,
    file: &str,
    selections: &[(&[&str], &[&str])],
    failures: &mut Vec<String>,
) -> usize {
    for (ours, theirs) in selections {
        let mut o = vec!["--input", file];
        o.extend_from_slice(ours);
        let mut t = vec!["-if", file];
        t.extend_from_slice(theirs);
        if let Err(e) = compare(what, &o, &t, None) {
            failures.push(e);
        }
    }
    selections.len()
}

/// (our options, ausearch's options): the same selection in both spellings.
const SELECTIONS: &[(&[&str], &[&str])] = &[
    (&["-k", "docker"], &["-k", "docker"]),
    (&["-k", "tain"], &["-k", "tain"]),
    (&["-k", "containerd", "-w"], &["-k", "containerd", "-w"]),
    (&["-k", "null"], &["-k", "null"]),
    (&["-k", "no-such-key"], &["-k", "no-such-key"]),
    (&["-p", "203"], &["-p", "203"]),
    (&["-p", "101"], &["-p", "101"]),
    (&["--uid", "1000"], &["-ui", "1000"]),
    (&["--uid", "root"], &["-ui", "root"]),
    (&["--auid", "1000"], &["-ul", "1000"]),
    (&["--auid", "4294967295"], &["-ul", "4294967295"]),
    (&["--syscall", "openat"], &["-sc", "openat"]),
    (&["--syscall", "87"], &["-sc", "87"]),
    (&["--success", "no"], &["-sv", "no"]),
    (&["--success", "yes"], &["-sv", "yes"]),
    (&["-x", "/usr/bin/dockerd"], &["-x", "/usr/bin/dockerd"]),
    (&["-x", "tool"], &["-x", "tool"]),
    (&["-x", "sudo", "-w"], &["-x", "sudo", "-w"]),
    (&["-f", "/etc/docker"], &["-f", "/etc/docker"]),
    (&["-f", "a b.txt"], &["-f", "a b.txt"]),
    (&["-f", "(null)"], &["-f", "(null)"]),
    (&["-f", "/var/lib/docker", "-w"], &["-f", "/var/lib/docker", "-w"]),
    (&["-k", "docker", "--success", "no", "--uid", "0"], &["-k", "docker", "-sv", "no", "-ui", "0"]),
    (&["-k", "docker", "--start", "11/14/23 22:14:00"], &["-k", "docker", "-ts", "11/14/23", "22:14:00"]),
    (
        &["--start", "2023-11-14T22:13:40Z", "--end", "2023-11-14T22:15:00Z"],
        &["-ts", "11/14/23", "22:13:40", "-te", "11/14/23", "22:15:00"],
    ),
];

const SHAPES: &[Shape] = &[
    Shape::new(1, 1500, 3, 40),
    Shape { nodes: true, malformed: true, ..Shape::new(2, 1500, 8, 5) },
    Shape { enriched: true, ..Shape::new(3, 1500, 4, 400) },
    Shape { nodes: true, enriched: true, malformed: true, ..Shape::new(4, 3000, 12, 1) },
];

#[test]
fn raw_output_equals_ausearch_for_every_selection() {
    if skip_without("ausearch") {
        return;
    }
    assert_raw_equals_ausearch("events oracle (ausearch --raw)", SHAPES, event_lines, SELECTIONS);
}

/// [`compare_selections`] on the log of each shape (its events by `lines`).
pub fn assert_raw_equals_ausearch(name: &str, shapes: &[Shape], lines: EventLines, selections: &[(&[&str], &[&str])]) {
    let dir = tempdir();
    let (mut cases, mut failures) = (0, Vec::new());
    for shape in shapes {
        let file = dir.join(format!("audit-{}.log", shape.seed));
        std::fs::write(&file, generate_with(shape, lines)).unwrap();
        cases +=
            compare_selections(&format!("shape {}", shape.seed), file.to_str().unwrap(), selections, &mut failures);
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert_none_failed(name, cases, &failures);
}

/// What is read, our options, ausearch's, and a file given as standard input.
type Run<'a> = (&'a str, Vec<&'a str>, Vec<&'a str>, Option<&'a Path>);

fn gzip(text: &str) -> Vec<u8> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(text.as_bytes()).unwrap();
    gz.finish().unwrap()
}

/// Rotated logs, oldest first, with events spanning files; the oldest gzipped for us and
/// decompressed for ausearch (which cannot read .gz). Read as a directory, as the default
/// log of a root, and from stdin.
#[test]
fn rotated_gzipped_and_default_logs_equal_ausearch() {
    if skip_without("ausearch") {
        return;
    }
    let dir = tempdir();
    let log = generate(&Shape { enriched: true, malformed: true, ..Shape::new(9, 3000, 6, 20) });
    let lines: Vec<&str> = log.lines().collect();
    let third = lines.len() / 3;
    let parts = [&lines[..third], &lines[third..2 * third], &lines[2 * third..]];
    let text = |part: &[&str]| part.iter().map(|l| format!("{l}\n")).collect::<String>();
    // Theirs: plain files. Ours: a fake root whose auditd.conf names the log, .2 gzipped.
    let plain = dir.join("plain");
    let root = dir.join("root");
    std::fs::create_dir_all(&plain).unwrap();
    std::fs::create_dir_all(root.join("etc/audit")).unwrap();
    std::fs::create_dir_all(root.join("srv/log")).unwrap();
    std::fs::write(root.join("etc/audit/auditd.conf"), "log_file = /srv/log/audit.log\n").unwrap();
    for (name, part) in [("audit.log.2", parts[0]), ("audit.log.1", parts[1]), ("audit.log", parts[2])] {
        std::fs::write(plain.join(name), text(part)).unwrap();
        if name == "audit.log.2" {
            std::fs::write(root.join("srv/log/audit.log.2.gz"), gzip(&text(part))).unwrap();
        } else {
            std::fs::write(root.join("srv/log").join(name), text(part)).unwrap();
        }
    }
    // The last line written without its newline: a log being written. RAW: ausearch
    // prints memory past the end of such a line when its event is ENRICHED.
    let whole = plain.join("whole.log");
    let raw = generate(&Shape { nodes: true, malformed: true, ..Shape::new(10, 2000, 6, 20) });
    std::fs::write(&whole, raw.trim_end_matches('\n')).unwrap();
    let (plain_s, root_s, log_dir) =
        (plain.to_str().unwrap(), root.to_str().unwrap(), root.join("srv/log").to_str().unwrap().to_string());
    let mut failures = Vec::new();
    let mut cases = 0;
    for (ours, theirs) in SELECTIONS.iter().take(8) {
        let runs: [Run; 4] = [
            ("directory", vec!["--input", &log_dir], vec!["-if", plain_s], None),
            ("default log of --root", vec!["--root", root_s], vec!["-if", plain_s], None),
            // ausearch reads stdin only from a pipe; ours reads the file given as stdin.
            ("stdin", vec!["--input", "-"], vec!["-if", whole.to_str().unwrap()], Some(&whole)),
            (
                "unterminated last line",
                vec!["--input", whole.to_str().unwrap()],
                vec!["-if", whole.to_str().unwrap()],
                None,
            ),
        ];
        for (what, mut o, mut t, stdin) in runs {
            o.extend_from_slice(ours);
            t.extend_from_slice(theirs);
            cases += 1;
            if let Err(e) = compare(what, &o, &t, stdin) {
                failures.push(e);
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert_none_failed("events oracle (ausearch --raw; rotation, gz, stdin)", cases, &failures);
}

#[test]
fn unreadable_input_is_exit_2_and_malformed_lines_are_named() {
    let dir = tempdir();
    let out = run(&dockaudit_bin(), &["events", "--input", dir.join("missing.log").to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let bad = dir.join("bad.log");
    std::fs::write(&bad, "garbage\ntype=SYSCALL msg=audit(1.000:1): syscall=1 a0=1 a1=1 key=\"k\"\n").unwrap();
    let out = run(&dockaudit_bin(), &["events", "--input", bad.to_str().unwrap(), "-k", "k"], None);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("bad.log:1: skipped"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(&dockaudit_bin(), &["events", "--input", bad.to_str().unwrap(), "-k", "zzz"], None);
    assert_eq!(out.status.code(), Some(1));
    let out = run(&dockaudit_bin(), &["events", "--input", bad.to_str().unwrap(), "--start", "someday"], None);
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every event holds exactly the lines ausearch's holds ([`compare_grouping`]).
#[test]
fn events_are_grouped_as_ausearch_groups_them() {
    if skip_without("ausearch") {
        return;
    }
    let dir = tempdir();
    let mut failures = Vec::new();
    let (mut cases, mut events) = (0, 0);
    for shape in SHAPES {
        let file = dir.join(format!("audit-{}.log", shape.seed));
        std::fs::write(&file, generate(shape)).unwrap();
        let file = file.to_str().unwrap();
        for (ours, theirs) in SELECTIONS.iter().take(16) {
            cases += 1;
            match compare_grouping(&format!("shape {}", shape.seed), file, ours, theirs) {
                Ok(n) => events += n,
                Err(e) => failures.push(e),
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!("events grouping oracle: {events} events of ausearch");
    assert_none_failed("events grouping oracle", cases, &failures);
    assert!(events > 10_000, "the selections found too few events ({events}) to prove anything");
}

/// `--start`/`--end` with ausearch's keywords select what `-ts`/`-te` select, in several
/// time zones (one without DST, two with it in opposite halves of the year): events every
/// 17 minutes over the last 400 days and the next one.
#[test]
fn time_keywords_equal_ausearch_in_several_zones() {
    if skip_without("ausearch") {
        return;
    }
    let ausearch = tool("ausearch").expect("checked");
    let dir = tempdir();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let mut log = String::new();
    let mut serial = 1;
    let mut t = now - 400 * 86_400 + 7;
    while t < now + 86_400 {
        // Keep clear of "now" and "recent" so a second passing between the runs is harmless.
        let near = |edge: u64| t.abs_diff(edge) < 30;
        if !near(now) && !near(now - 600) {
            log.push_str(&format!(
                "type=SYSCALL msg=audit({t}.000:{serial}): arch=c000003e syscall=2 success=yes exit=3 a0=1 a1=2 a2=0 a3=0 items=0 ppid=1 pid=5 auid=0 uid=0 key=\"docker\"\ntype=EOE msg=audit({t}.000:{serial}): \n"
            ));
        }
        serial += 1;
        t += 17 * 60;
    }
    let file = dir.join("audit.log");
    std::fs::write(&file, log).unwrap();
    let file = file.to_str().unwrap();
    let mut failures = Vec::new();
    let mut cases = 0;
    for tz in ["UTC", "America/New_York", "Australia/Sydney", "Asia/Kolkata"] {
        for word in ["now", "recent", "today", "yesterday", "this-week", "week-ago", "this-month", "this-year"] {
            for (ours, theirs) in [("--start", "-ts"), ("--end", "-te")] {
                cases += 1;
                let a = Command::new(dockaudit_bin())
                    .args(["events", "--format", "raw", "--input", file, ours, word])
                    .env("TZ", tz)
                    .output()
                    .unwrap();
                let b =
                    Command::new(&ausearch).args(["--raw", "-if", file, theirs, word]).env("TZ", tz).output().unwrap();
                if a.stdout != b.stdout {
                    let first =
                        |o: &Output| String::from_utf8_lossy(&o.stdout).lines().next().unwrap_or("").to_string();
                    let last = |o: &Output| String::from_utf8_lossy(&o.stdout).lines().last().unwrap_or("").to_string();
                    failures.push(format!(
                        "TZ={tz} {ours} {word}: {} lines ({} … {}) vs ausearch's {} ({} … {})",
                        a.stdout.iter().filter(|&&c| c == b'\n').count(),
                        first(&a),
                        last(&a),
                        b.stdout.iter().filter(|&&c| c == b'\n').count(),
                        first(&b),
                        last(&b),
                    ));
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert_none_failed("events time oracle (ausearch --raw)", cases, &failures);
}

/// One event of the Docker-selection log: its lines (EOE last), and whether `--control
/// 1.1.18` and the default selection keep it.
pub struct Planted {
    pub lines: Vec<String>,
    pub runc: bool,
    pub docker: bool,
}

fn planted(serial: u64, key: &str, cwd: &str, name: &str, runc: bool, docker: bool) -> Planted {
    let at = format!("msg=audit(1700000000.{serial:03}:{serial})");
    let lines = vec![
        format!(
            "type=SYSCALL {at}: arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=7ffd a2=0 a3=0 items=1 ppid=1 pid={} auid=1000 uid=0 gid=0 euid=0 comm=\"cat\" exe=\"/usr/bin/cat\" key={key}",
            100 + serial
        ),
        format!("type=CWD {at}: cwd=\"{cwd}\""),
        format!("type=PATH {at}: item=0 name=\"{name}\" inode={serial} dev=fd:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL"),
        format!("type=EOE {at}: "),
    ];
    Planted { lines, runc, docker }
}

/// A root with runc in /usr/sbin and its /usr/bin link (Debian's layout), containerd's
/// unit, a rules.d file keying runc `runc-exec`, and a log of events on runc by both
/// names, on /etc/passwd with several keys and under /etc/docker.
pub fn docker_selection_root() -> (PathBuf, Vec<Planted>) {
    let root = tempdir();
    let write = |path: &str, text: &str| {
        let file = root.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, text).unwrap();
        file
    };
    let runc = write("usr/sbin/runc", "#!/bin/sh\n");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&runc, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::create_dir_all(root.join("usr/bin")).unwrap();
    std::os::unix::fs::symlink("../sbin/runc", root.join("usr/bin/runc")).unwrap();
    write(
        "lib/systemd/system/containerd.service",
        "[Service]\nExecStart=/usr/bin/containerd\n\n[Install]\nWantedBy=multi-user.target\n",
    );
    write("etc/audit/rules.d/docker.rules", "-w /usr/sbin/runc -k runc-exec\n-w /etc/passwd -k identity\n");
    let events = vec![
        planted(1, "\"runc-exec\"", "/", "/usr/sbin/runc", true, true),
        planted(2, "(null)", "/", "/usr/bin/runc", true, true),
        planted(3, "\"identity\"", "/", "/etc/passwd", false, false),
        // The rule's key on another file: a Docker event by its key only.
        planted(4, "\"runc-exec\"", "/", "/etc/passwd", false, true),
        // The CIS key.
        planted(5, "\"docker\"", "/", "/etc/passwd", false, true),
        // A relative name in /usr/sbin.
        planted(6, "(null)", "/usr/sbin", "runc", true, true),
        // Not runc, only its name's prefix.
        planted(7, "(null)", "/", "/usr/sbin/runc-old", false, false),
        // Under /etc/docker, a directory control.
        planted(8, "(null)", "/etc/docker", "./daemon.json", false, true),
    ];
    let log: String = events.iter().flat_map(|e| &e.lines).map(|l| format!("{l}\n")).collect();
    write("var/log/audit/audit.log", &log);
    (root, events)
}

#[test]
fn control_and_default_select_the_docker_events() {
    let (root, events) = docker_selection_root();
    let root_s = root.to_str().unwrap();
    let raw = |args: &[&str]| {
        let mut all = vec!["events", "--root", root_s];
        all.extend_from_slice(args);
        let out = run(&dockaudit_bin(), &all, None);
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let expect = |keep: fn(&Planted) -> bool| -> String {
        events.iter().filter(|e| keep(e)).flat_map(|e| &e.lines).map(|l| format!("{l}\n")).collect()
    };
    let (code, out, err) = raw(&["--control", "1.1.18", "--format", "raw"]);
    assert_eq!((code, out.as_str()), (Some(0), expect(|e| e.runc).as_str()), "{err}");
    let (code, out, err) = raw(&["--format", "raw"]);
    assert_eq!((code, out.as_str()), (Some(0), expect(|e| e.docker).as_str()), "{err}");
    // --word is no selector; --all, or any selector, turns the default off.
    let (_, out, _) = raw(&["--word", "--format", "raw"]);
    assert_eq!(out, expect(|e| e.docker));
    let (_, out, _) = raw(&["--all", "--format", "raw"]);
    assert_eq!(out, expect(|_| true));
    let (_, out, _) = raw(&["--key", "identity", "--format", "raw"]);
    assert_eq!(out, expect(|e| e.lines[0].contains("identity")));
    // ANDed with the other options; a control of nothing logged is exit 1.
    let (_, out, _) = raw(&["--control", "1.1.18", "--key", "runc", "--format", "raw"]);
    assert_eq!(out, expect(|e| e.lines[0].contains("runc-exec") && e.runc));
    let (code, out, _) = raw(&["--control", "1.1.17,1.1.4", "--format", "raw"]);
    assert_eq!((code, out.as_str()), (Some(1), ""));
    let (code, _, err) = raw(&["--control", "9.9.9"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("unknown control id \"9.9.9\""), "{err}");

    // JSON: the controls of each event, by file and by the rule's key.
    let (_, out, err) = raw(&["--all", "--format", "json"]);
    let controls: Vec<Vec<String>> = out
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["controls"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect()
        })
        .collect();
    let runc = vec!["1.1.18".to_string()];
    // /etc/docker (1.1.6) and daemon.json (1.1.11).
    let etc_docker = vec!["1.1.6".to_string(), "1.1.11".to_string()];
    assert_eq!(controls, [runc.clone(), runc.clone(), vec![], runc.clone(), vec![], runc, vec![], etc_docker], "{err}");
    let _ = std::fs::remove_dir_all(&root);
}
