//! `dockaudit events --format interpret` against the real `ausearch -i` (audit 3.0.9):
//! generated logs of the records auditd writes for Docker-path accesses and user-space
//! activity (SYSCALL with many syscalls and their arguments, EXECVE with aN/aN_len/aN[i],
//! CWD, PATH, PROCTITLE, SOCKADDR, CONFIG_CHANGE, USER_*/CRED_*/SERVICE_*, BPF, ANOM_*,
//! SECCOMP, CAPSET, MMAP, unknown types, hex and `(null)` values, multi-keys, negative
//! exits, `node=`, ENRICHED parts), plus the raw test's logs, printed by both under
//! several time zones with `LC_ALL=C`: the same bytes and exit status, event by event.

use std::path::Path;
use std::process::Output;

use crate::events::{generate, Shape};
use crate::oracle_util::{assert_none_failed, compare_with, hex, run_in, skip_without, tool, Rng};
use crate::util::{dockaudit_bin, tempdir};

fn run(program: &Path, args: &[&str], tz: &str) -> Output {
    run_in(program, args, tz, None)
}

/// (syscall number on x86_64, a0, a1, a2, a3): arguments that exercise auparse's tables.
const SYSCALLS: &[(&str, &str, &str, &str, &str)] = &[
    ("257", "ffffff9c", "7ffd1", "80241", "1b6"), // openat O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC
    ("257", "3", "7ffd1", "0", "0"),              // openat O_RDONLY from a dirfd
    ("257", "ffffff9c", "7ffd1", "490800", "0"),  // openat O_DIRECTORY|O_NONBLOCK|…
    ("2", "7ffd1", "241", "1a4", "0"),            // open with O_CREAT: a2 is a mode
    ("2", "7ffd1", "0", "0", "0"),                // open O_RDONLY
    ("41", "2", "80801", "6", "0"),               // socket inet stream tcp
    ("41", "a", "2", "11", "0"),                  // socket inet6 dgram udp
    ("41", "10", "3", "9", "0"),                  // socket netlink raw audit
    ("41", "1", "5", "0", "0"),                   // socket local seqpacket ip
    ("41", "63", "9", "ff", "0"),                 // unknown family, type, protocol
    ("42", "3", "7ffd1", "10", "0"),              // connect
    ("56", "1200011", "0", "0", "7f00"),          // clone with SIGCHLD
    ("56", "7e020000", "0", "0", "0"),            // clone of namespaces
    ("272", "50000000", "0", "0", "0"),           // unshare
    ("308", "3", "40000000", "0", "0"),           // setns
    ("59", "55d1", "55d2", "55d3", "0"),          // execve
    ("87", "7ffd1", "0", "0", "0"),               // unlink
    ("263", "ffffff9c", "7ffd1", "200", "0"),     // unlinkat
    ("90", "7ffd1", "1ed", "0", "0"),             // chmod 0755
    ("90", "7ffd1", "9ed", "0", "0"),             // chmod sticky
    ("268", "ffffff9c", "7ffd1", "c00", "0"),     // fchmodat suid,sgid
    ("83", "7ffd1", "1c0", "0", "0"),             // mkdir
    ("258", "5", "7ffd1", "1ff", "0"),            // mkdirat
    ("133", "7ffd1", "21b6", "0", "0"),           // mknod
    ("92", "7ffd1", "3e8", "3e9", "0"),           // chown
    ("94", "7ffd1", "0", "0", "0"),               // lchown
    ("260", "ffffff9c", "7ffd1", "0", "100"),     // fchownat
    ("105", "3e8", "0", "0", "0"),                // setuid
    ("117", "ffffffff", "0", "3e9", "0"),         // setresuid
    ("119", "0", "ffffffff", "3e9", "0"),         // setresgid
    ("62", "1f4", "9", "0", "0"),                 // kill SIGKILL
    ("62", "1f4", "40", "0", "0"),                // kill an unknown signal
    ("234", "1f4", "1f5", "f", "0"),              // tgkill SIGTERM
    ("13", "11", "7ffd1", "0", "8"),              // rt_sigaction
    ("9", "0", "1000", "3", "22"),                // mmap
    ("9", "0", "1000", "0", "812"),               // mmap PROT_NONE
    ("10", "7f00", "1000", "5", "0"),             // mprotect
    ("135", "400008", "0", "0", "0"),             // personality
    ("157", "17", "15", "0", "0"),                // prctl CAPBSET_READ
    ("157", "1", "9", "0", "0"),                  // prctl PDEATHSIG
    ("157", "3e8", "0", "0", "0"),                // prctl unknown
    ("101", "10", "1f4", "0", "0"),               // ptrace
    ("321", "5", "7ffd1", "90", "0"),             // bpf
    ("72", "3", "2", "1", "0"),                   // fcntl F_SETFD FD_CLOEXEC
    ("72", "3", "8", "1f4", "0"),                 // fcntl F_SETOWN
    ("72", "3", "406", "0", "0"),                 // fcntl F_DUPFD_CLOEXEC
    ("8", "3", "0", "2", "0"),                    // lseek SEEK_END
    ("21", "7ffd1", "6", "0", "0"),               // access W_OK|R_OK
    ("21", "7ffd1", "0", "0", "0"),               // access F_OK
    ("269", "ffffff9c", "7ffd1", "1", "0"),       // faccessat X_OK
    ("231", "0", "0", "0", "0"),                  // exit_group
    ("60", "1", "0", "0", "0"),                   // exit 1
    ("16", "3", "5401", "7ffd1", "0"),            // ioctl TCGETS
    ("16", "3", "c0045002", "7ffd1", "0"),        // ioctl unknown
    ("166", "7ffd1", "2", "0", "0"),              // umount2 MNT_DETACH
    ("165", "7ffd1", "7ffd2", "7ffd3", "1000"),   // mount MS_BIND
    ("97", "7", "7ffd1", "0", "0"),               // getrlimit RLIMIT_NOFILE
    ("144", "1f4", "40000001", "7ffd1", "0"),     // sched_setscheduler
    ("264", "ffffff9c", "7ffd1", "ffffff9c", "0"), // renameat
    ("265", "ffffff9c", "7ffd1", "4", "7ffd2"),   // linkat
    ("45", "3", "7ffd1", "1000", "40"),           // recvfrom MSG_DONTWAIT
    ("44", "3", "7ffd1", "10", "4000"),           // sendto MSG_NOSIGNAL
    ("47", "3", "7ffd1", "40000000", "0"),        // recvmsg MSG_CMSG_CLOEXEC
    ("233", "4", "1", "5", "7ffd1"),              // epoll_ctl ADD
    ("227", "0", "7ffd1", "0", "0"),              // clock_settime
    ("1", "1", "7ffd1", "10", "0"),               // write
    ("999", "1", "2", "3", "4"),                  // unknown to libaudit
];

fn syscall_body(rng: &mut Rng, enriched: bool) -> (String, String, bool) {
    let (nr, a0, a1, a2, a3) = SYSCALLS[rng.below(SYSCALLS.len() as u64) as usize];
    let exit = rng.pick_str(&["0", "3", "-13", "-2", "-1", "-115", "-512", "-95", "4294967296", "-133"]);
    let success = if exit.starts_with('-') { "no" } else { "yes" };
    let key = rng
        .pick(&[
            "\"docker\"",
            "(null)",
            "\"containerd\"",
            &hex(b"docker\x01containerd"),
            &hex(b"docker\x01runc\x01x"),
            &hex(b"my key"),
            &hex(b"bad\x02key"),
        ])
        .to_string();
    let exe =
        rng.pick_str(&["\"/usr/bin/dockerd\"", "\"/usr/sbin/runc\"", &hex(b"/tmp/my tool"), "(null)"]).to_string();
    let comm = rng.pick_str(&["\"dockerd\"", &hex(b"a b"), &hex(b"tab\there")]).to_string();
    let (arch, nr) = match rng.below(12) {
        0 => ("40000003", rng.pick_str(&["102", "117", "5", "11"])),
        1 => ("c00000b7", rng.pick_str(&["56", "221", "198"])),
        2 => ("deadbeef", nr),
        _ => ("c000003e", nr),
    };
    let subj = rng.pick_str(&[
        "unconfined",
        "system_u:system_r:container_runtime_t:s0-s0:c0,c1023",
        "docker-default (enforce)",
    ]);
    let uid = rng.pick_str(&["0", "1000", "1001", "4294967295", "65534"]);
    let enrich = if enriched {
        let sys = rng.pick_str(&["openat", "unknown-syscall(999)", "socket"]);
        format!(
            "\x1dARCH=x86_64 SYSCALL={sys} AUID=\"alice\" UID=\"root\" GID=\"root\" EUID=\"root\" SUID=\"root\" FSUID=\"root\" EGID=\"root\" SGID=\"root\" FSGID=\"root\""
        )
    } else {
        String::new()
    };
    let body = format!(
        "arch={arch} syscall={nr} success={success} exit={exit} a0={a0} a1={a1} a2={a2} a3={a3} items=2 ppid=1 pid={} auid={uid} uid={} gid={} euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty={} ses={} comm={comm} exe={exe} subj={subj} key={key}{enrich}",
        200 + rng.below(8),
        rng.pick_str(&["0", "1000"]),
        rng.pick_str(&["0", "1001", "4294967295"]),
        rng.pick_str(&["(none)", "pts0"]),
        rng.pick_str(&["3", "4294967295"]),
    );
    (body, nr.to_string(), arch == "c000003e")
}

fn event_lines(rng: &mut Rng, node: &str, stamp: &str, enriched: bool) -> Vec<String> {
    let line = |kind: &str, body: &str| format!("{node}type={kind} msg=audit({stamp}): {body}");
    let enrich = |text: &str| if enriched { format!("\x1d{text}") } else { String::new() };
    match rng.below(16) {
        0 => {
            let kind = rng.pick_str(&["USER_START", "USER_END", "CRED_ACQ", "CRED_DISP", "USER_CMD", "USER_AUTH", "USER_ACCT", "USER_LOGIN"]);
            let acct = rng.pick_str(&["\"root\"", &hex(b"al ice"), "root:", "\"(unknown)\""]).to_string();
            let inner = match kind {
                "USER_CMD" => format!("cwd=\"/root\" cmd={} exe=\"/usr/bin/sudo\" terminal=pts/0 res={}", hex(b"docker ps -a"), rng.pick_str(&["success", "failed"])),
                "USER_LOGIN" => format!("op=login id={} exe=\"/usr/sbin/sshd\" hostname=10.0.0.1 addr=10.0.0.1 terminal=ssh res={}", rng.pick_str(&["1000", "0", "4294967295"]), rng.pick_str(&["success", "failed"])),
                _ => format!("op=PAM:session_open grantors=pam_unix,pam_permit acct={acct} exe=\"/usr/bin/sudo\" hostname=? addr=? terminal=/dev/pts/0 res={}", rng.pick_str(&["success", "failed"])),
            };
            vec![line(kind, &format!("pid=100 uid={} auid=1000 ses=3 subj=unconfined msg='{inner}'{}", rng.pick_str(&["0", "1000"]), enrich("UID=\"root\" AUID=\"alice\"")))]
        }
        1 => {
            let kind = rng.pick_str(&["SERVICE_START", "SERVICE_STOP"]);
            vec![line(kind, &format!("pid=1 uid=0 auid=4294967295 ses=4294967295 subj=unconfined msg='unit=docker comm=\"systemd\" exe=\"/usr/lib/systemd/systemd\" hostname=? addr=? terminal=? res={}'{}", rng.pick_str(&["success", "failed"]), enrich("UID=\"root\" AUID=\"unset\"")))]
        }
        2 => {
            let key = rng.pick_str(&["\"docker\"", "(null)", &hex(b"docker\x01containerd")]).to_string();
            vec![line("CONFIG_CHANGE", &format!("auid=1000 ses=3 subj=unconfined op={} key={key} list={} res={}", rng.pick_str(&["add_rule", "remove_rule"]), rng.pick_str(&["4", "1", "2", "5", "9"]), rng.pick_str(&["0", "1", "2"])))]
        }
        3 => vec![line("BPF", &format!("prog-id={} op={}", rng.below(90), rng.pick_str(&["LOAD", "UNLOAD"])))],
        4 => vec![line("ANOM_ABEND", &format!("auid=1000 uid=1000 gid=1000 ses=3 subj=unconfined pid=300 comm=\"dockerd\" exe=\"/usr/bin/dockerd\" sig={} res=1", rng.pick_str(&["11", "6", "40"])))],
        5 => vec![line("ANOM_PROMISCUOUS", &format!("dev=veth12 prom={} old_prom=0 auid=4294967295 uid=0 gid=0 ses=4294967295", rng.pick_str(&["256", "0"])))],
        6 => vec![line(rng.pick_str(&["UNKNOWN[1336]", "UNKNOWN[1999]"]), "op=mystery value=1 name=2F746D70")],
        7 => vec![line("LOGIN", &format!("pid=101 uid=0 subj=unconfined old-auid=4294967295 auid={} tty=(none) old-ses=4294967295 ses=5 res=1", rng.pick_str(&["1000", "0", "1001"])))],
        8 => vec![line("DAEMON_START", "op=start ver=3.0.9 format=enriched kernel=6.1.0 auid=4294967295 pid=1 uid=0 ses=4294967295 subj=unconfined res=success")],
        9 => vec![line("SECCOMP", &format!("auid=4294967295 uid=0 gid=0 ses=4294967295 subj=docker-default (enforce) pid=400 comm=\"runc\" exe=\"/usr/sbin/runc\" sig=0 arch=c000003e syscall={} compat=0 ip=0x7f0 code={}", rng.pick_str(&["41", "321", "999"]), rng.pick_str(&["0x50000", "0x7fff0000", "0x80000000", "0x7ffc0000"])))],
        10 => vec![line("NETFILTER_CFG", &format!("table=filter family={} entries=4 op=xt_replace pid=500 subj=unconfined comm=\"dockerd\"", rng.pick_str(&["2", "10", "7"])))],
        _ => {
            let (body, nr, x86) = syscall_body(rng, enriched);
            let mut lines = vec![line("SYSCALL", &body)];
            if nr == "59" && x86 {
                lines.push(line("EXECVE", &format!("argc=3 a0=\"runc\" a1={} a2_len=20 a2[0]={} a2[1]=\"x\"", hex(b"--root /run/my dir"), hex(b"0123456789"))));
                lines.push(line("BPRM_FCAPS", "fver=2 fp=0000000000200000 fi=0 fe=1 old_pp=0000000000000000 old_pi=0 old_pe=0 old_pa=0 pp=000001ffffffffff pi=0 pe=0000000000200000 pa=0 frootid=0"));
            }
            if nr == "42" || rng.below(6) == 0 {
                let saddr = rng.pick_str(&[
                    "02000035C0A8010A0000000000000000",
                    "0A000050000000000000000000000000000000000000000100000000",
                    "0A000050000000000000000000000000000000000A0000010000000000",
                    "01002F72756E2F646F636B65722E736F636B00",
                    "0100002F636F6E7461696E6572642D73696D",
                    "10000000C8000000FFFFFFFF",
                    "0200",
                    "11000300000000000000000000000000",
                    "FF00",
                    "01",
                ]);
                lines.push(line("SOCKADDR", &format!("saddr={saddr}{}", enrich("SADDR={ saddr_fam=inet laddr=192.168.1.10 lport=53 }"))));
            }
            if rng.below(8) == 0 {
                lines.push(line("CAPSET", "pid=600 cap_pi=0000000000000000 cap_pp=00000000a80425fb cap_pe=00000000a80425fb cap_pa=0"));
                lines.push(line("MMAP", "fd=3 flags=0x2"));
            }
            lines.push(line("CWD", &format!("cwd={}", rng.pick_str(&["\"/root\"", "\"/etc/docker\"", &hex(b"/home/a b"), &hex(b"/tmp/new\nline")]))));
            for item in 0..2 {
                let name = rng.pick_str(&["\"/etc/docker/daemon.json\"", "\"/var/lib/docker\"", "\"./daemon.json\"", "(null)", &hex(b"/tmp/a b.txt"), &hex(b"/tmp/nul\0x")]).to_string();
                let mode = rng.pick_str(&["0100644", "040755", "0120777", "0140777", "020666", "0104755", "041777", "060660", "010600", "0"]);
                lines.push(line("PATH", &format!(
                    "item={item} name={name} inode=131 dev=fd:00 mode={mode} ouid={} ogid={} rdev=00:00 obj=system_u:object_r:container_var_lib_t:s0 nametype={} cap_fp={} cap_fi=0 cap_fe={} cap_fver={} cap_frootid=0{}",
                    rng.pick_str(&["0", "1000", "1001"]),
                    rng.pick_str(&["0", "1001", "998"]),
                    rng.pick_str(&["NORMAL", "PARENT", "CREATE", "DELETE", "UNKNOWN"]),
                    rng.pick_str(&["0", "0000000000200000", "ffffffffff", "20000000000"]),
                    rng.pick_str(&["0", "1"]),
                    rng.pick_str(&["0", "2"]),
                    enrich("OUID=\"root\" OGID=\"root\"")
                )));
            }
            let title = rng.pick_str(&["\"bash\"", &hex(b"dockerd\0-H\0fd://"), &hex(b"runc\0--root\0/run/docker/runtime-runc/moby\0"), "616263", "61626", &hex(b"a\tb")]).to_string();
            lines.push(line("PROCTITLE", &format!("proctitle={title}")));
            if rng.below(8) != 0 {
                lines.push(line("EOE", ""));
            }
            lines
        }
    }
}

/// A log of `events` events, each one's records in a row, stamps increasing.
fn generate_wide(seed: u64, events: usize, nodes: bool, enriched: bool) -> String {
    let mut rng = Rng(seed | 1);
    let mut out = String::new();
    let mut ms = 1_735_689_600_000u64;
    for serial in 0..events as u64 {
        ms += rng.below(3_000_000);
        let stamp = format!("{}.{:03}:{}", ms / 1000, ms % 1000, 5000 + serial);
        let node = if nodes { rng.pick_str(&["node=web1 ", "node=db-2 ", ""]) } else { "" };
        for line in event_lines(&mut rng, node, &stamp, enriched) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// `dockaudit events --format interpret` and `ausearch -i` on `file` under `tz`: the
/// number of events both print alike, or the first difference.
fn compare(file: &str, ours: &[&str], theirs: &[&str], tz: &str) -> Result<usize, String> {
    let mut our_args = vec!["events", "--format", "interpret", "--input", file];
    our_args.extend_from_slice(ours);
    let mut their_args = vec!["-i", "-if", file];
    their_args.extend_from_slice(theirs);
    let out = compare_with(file, &our_args, "ausearch", &their_args, tz, None)?;
    Ok(String::from_utf8_lossy(&out.stdout).matches("----\n").count())
}

#[test]
fn interpret_output_equals_ausearch_i() {
    if skip_without("ausearch") {
        return;
    }
    let dir = tempdir();
    let mut logs = Vec::new();
    for (seed, nodes, enriched) in [(11, false, false), (12, true, false), (13, false, true), (14, true, true)] {
        let file = dir.join(format!("wide-{seed}.log"));
        std::fs::write(&file, generate_wide(seed, 1500, nodes, enriched)).unwrap();
        logs.push(file);
    }
    for shape in [
        Shape { nodes: true, ..Shape::new(21, 1000, 4, 40) },
        Shape { enriched: true, malformed: true, ..Shape::new(22, 1000, 8, 5) },
    ] {
        let file = dir.join(format!("raw-{}.log", shape.seed));
        std::fs::write(&file, generate(&shape)).unwrap();
        logs.push(file);
    }
    // The selection is the raw test's business (tests/integration/events.rs,
    // events_types.rs); these vary what is printed, and check that `--format interpret`
    // selects as `ausearch -i` does (it also reads SYSCALL's arch=). Names given to
    // --uid/--auid make ausearch print an event's last record with its first record's
    // ENRICHED names (`enriched_names_of_the_last_record`): these logs end every
    // multi-record event with EOE or PROCTITLE, which print no names.
    let selections: &[(&[&str], &[&str])] = &[
        (&["--all"], &[]),
        (&["-k", "docker"], &["-k", "docker"]),
        (&["--success", "no"], &["-sv", "no"]),
        (&["-p", "203"], &["-p", "203"]),
        (&["--uid", "0"], &["-ui", "0"]),
        (&["--uid", "root"], &["-ui", "root"]),
        (&["--auid", "1000"], &["-ul", "1000"]),
        (&["--auid", "root"], &["-ul", "root"]),
        (&["--syscall", "41"], &["-sc", "41"]),
        (&["--syscall", "unlink"], &["-sc", "unlink"]),
    ];
    let (mut events, mut runs, mut failures) = (0, 0, Vec::new());
    for file in &logs {
        for tz in ["UTC", "America/New_York", "Asia/Kolkata"] {
            for (ours, theirs) in selections {
                runs += 1;
                match compare(file.to_str().unwrap(), ours, theirs, tz) {
                    Ok(n) => events += n,
                    Err(e) => failures.push(e),
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!("interpret oracle: {events} events byte-identical to ausearch -i");
    assert_none_failed("interpret oracle (ausearch -i)", runs, &failures);
}

/// ausearch 3.0.9 with a name given to `-ui`/`-ul` loads the ENRICHED names of the
/// event's first record (a SYSCALL) to compare them, and `-i` then prints the event's
/// last record with those names instead of its own (`ausearch_load_interpretations` runs
/// once per event while loaded), so a PATH printed first shows `ouid` resolved on the
/// reading host. dockaudit does not reproduce it: every record is printed with its own
/// names, what `ausearch -i` prints without the selector.
#[test]
fn enriched_names_of_the_last_record() {
    if skip_without("ausearch") {
        return;
    }
    let dir = tempdir();
    let file = dir.join("audit.log");
    std::fs::write(
        &file,
        "type=SYSCALL msg=audit(1700000000.000:1): arch=c000003e syscall=257 success=yes exit=3 a0=1 a1=2 a2=0 a3=0 items=1 ppid=1 pid=5 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=3 comm=\"cat\" exe=\"/usr/bin/cat\" key=\"docker\"\x1dARCH=x86_64 SYSCALL=openat AUID=\"alice\" UID=\"root\" GID=\"root\" EUID=\"root\" SUID=\"root\" FSUID=\"root\" EGID=\"root\" SGID=\"root\" FSGID=\"root\"\n\
         type=PATH msg=audit(1700000000.000:1): item=0 name=\"/etc/docker/daemon.json\" inode=1 dev=fd:00 mode=0100644 ouid=54321 ogid=54321 rdev=00:00 nametype=NORMAL\x1dOUID=\"bob\" OGID=\"bobs\"\n",
    )
    .unwrap();
    let file = file.to_str().unwrap();
    let ausearch = tool("ausearch").expect("checked");
    let theirs_plain = run(&ausearch, &["-i", "-if", file], "UTC");
    let theirs_named = run(&ausearch, &["-i", "-if", file, "-ui", "root"], "UTC");
    let ours = run(&dockaudit_bin(), &["events", "--format", "interpret", "--input", file, "--uid", "root"], "UTC");
    let text = |o: &Output| String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(text(&theirs_plain).contains("ouid=bob ogid=bobs"), "{}", text(&theirs_plain));
    assert!(
        !text(&theirs_named).contains("ouid=bob"),
        "ausearch no longer mixes the names up:\n{}",
        text(&theirs_named)
    );
    assert_eq!(text(&ours), text(&theirs_plain));
    assert_eq!(ours.status.code(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

/// `ausearch -i` reads every SYSCALL record's `arch=` (report_format > RPT_DEFAULT) and
/// gives up an event without one, which `--raw` prints: so does `--format interpret`.
#[test]
fn a_syscall_without_arch_is_dropped_as_ausearch_i_drops_it() {
    if skip_without("ausearch") {
        return;
    }
    let dir = tempdir();
    let file = dir.join("audit.log");
    let event = |sec: u64, arch: &str| {
        format!("type=SYSCALL msg=audit({sec}.000:{sec}): {arch}syscall=257 success=yes exit=3 a0=1 a1=2 a2=0 a3=0 items=0 ppid=1 pid=5 auid=1000 uid=0 key=\"docker\"\ntype=EOE msg=audit({sec}.000:{sec}): \n")
    };
    std::fs::write(
        &file,
        [event(1700000000, ""), event(1700000001, "arch=c000003e "), event(1700000002, "arch=c000003e")].concat(),
    )
    .unwrap();
    let file = file.to_str().unwrap();
    for (ours, theirs) in [(&["--all"][..], &[][..]), (&["-k", "docker"], &["-k", "docker"])] {
        match compare(file, ours, theirs, "UTC") {
            Ok(events) => assert_eq!(events, 1, "{ours:?}"),
            Err(e) => panic!("{e}"),
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
