//! `cargo xtask fuzz --seconds N`: every cargo-fuzz target in turn, seeded from the
//! kernel captures and the rule corpora, N seconds each. A crash fails the task and
//! leaves its input under fuzz/artifacts/TARGET/ to be turned into a regression test.

use std::path::Path;
use std::process::Command;

use crate::{cargo, root, run_checked, XResult};

const TARGETS: &[&str] = &["rule_decoder", "netlink_stream", "rules_file_parser", "log_reader"];

/// audit.log seeds for log_reader: every form the reader distinguishes (node=, unknown
/// types, quoted/hex/(null) values, multi-keys, user-space msg='…', ENRICHED parts,
/// interleaving, late and missing EOEs), RAW and ENRICHED. The first byte picks the
/// reassembler's rules and timeout.
const LOG_SEEDS: &[&str] = &[
    "\0type=SYSCALL msg=audit(1700000000.100:10): arch=c000003e syscall=257 success=no exit=-13 a0=ffffff9c a1=7ffd1 a2=0 a3=0 items=1 ppid=1 pid=42 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=3 comm=\"cat\" exe=\"/usr/bin/cat\" subj=unconfined key=\"docker\"\ntype=CWD msg=audit(1700000000.100:10): cwd=\"/etc/docker\"\ntype=PATH msg=audit(1700000000.100:10): item=0 name=\"./daemon.json\" inode=1 dev=fd:00 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL\ntype=PROCTITLE msg=audit(1700000000.100:10): proctitle=636174002F6574632F646F636B6572\ntype=EOE msg=audit(1700000000.100:10): \n",
    "\u{1}node=web1 type=SYSCALL msg=audit(1700000000.100:10): arch=c000003e syscall=87 success=yes exit=0 a0=1 a1=2 a2=0 a3=0 items=1 pid=7 auid=4294967295 uid=0 exe=2F746D702F6D7920746F6F6C key=646F636B657201636F6E7461696E657264\u{1d}ARCH=x86_64 SYSCALL=unlink AUID=\"unset\" UID=\"root\"\nnode=web2 type=SYSCALL msg=audit(1700000000.100:10): syscall=1 a0=1 a1=1 key=(null)\nnode=web1 type=PATH msg=audit(1700000000.100:10): item=0 name=2F746D702F6120622E747874 nametype=DELETE\u{1d}OUID=\"root\" OGID=\"root\"\ntype=EOE msg=audit(1699999990.000:3): \n",
    "\u{4}type=USER_START msg=audit(1700000001.000:11): pid=5 uid=0 auid=1000 ses=3 subj=unconfined msg='op=PAM:session_open grantors=pam_unix acct=\"root\" exe=\"/usr/bin/sudo\" hostname=? addr=? terminal=/dev/pts/0 res=success'\u{1d}UID=\"root\" AUID=\"alice\"\ntype=CONFIG_CHANGE msg=audit(1700000001.500:12): auid=1000 ses=3 op=add_rule key=\"docker\" list=4 res=1\ntype=DAEMON_START msg=audit(1700000002.000:13): op=start ver=3.0.9 format=enriched auid=4294967295 pid=1 uid=0 res=success\ntype=UNKNOWN[1336] msg=audit(1700000005.000:14): x=1\ngarbage\ntype=AVC msg=audit(1700000005.000:15): avc:  denied  { read } for  pid=1 comm=\"x\" path=\"/etc\"\ntype=SYSCALL msg=audit(1700000009",
];

/// fuzz's options.
#[derive(Debug, clap::Args)]
pub struct Options {
    /// Seconds per target
    #[arg(long, value_name = "N", default_value_t = 60)]
    seconds: u64,
    /// A target to run (rule_decoder, netlink_stream, rules_file_parser, log_reader); repeatable
    #[arg(long = "target", value_name = "NAME", default_values_t = TARGETS.iter().map(|t| t.to_string()))]
    targets: Vec<String>,
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len() / 2).filter_map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()).collect()
}

fn netlink_message(kind: u16, flags: u16, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + payload.len() + 3);
    out.extend_from_slice(&(16 + payload.len() as u32).to_ne_bytes());
    out.extend_from_slice(&kind.to_ne_bytes());
    out.extend_from_slice(&flags.to_ne_bytes());
    out.extend_from_slice(&1u32.to_ne_bytes());
    out.extend_from_slice(&0u32.to_ne_bytes());
    out.extend_from_slice(payload);
    out.resize(out.len().next_multiple_of(4), 0);
    out
}

/// Seeds: the captured kernel messages as they are (decoder), as datagrams of ACK,
/// rule messages and DONE (stream), and real rule files (parser).
fn write_seeds(root: &Path) -> XResult<()> {
    let corpus = root.join("fuzz/corpus");
    for target in TARGETS {
        std::fs::create_dir_all(corpus.join(target)).map_err(|e| e.to_string())?;
    }
    let captures = std::fs::read_dir(root.join("tests/data/captures")).map_err(|e| e.to_string())?;
    let mut n = 0;
    for entry in captures.flatten() {
        if entry.path().extension().is_none_or(|e| e != "capture") {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).map_err(|e| e.to_string())?;
        for hex in text.lines().filter_map(|l| l.strip_prefix("bytes: ")) {
            let rule = unhex(hex);
            std::fs::write(corpus.join(format!("rule_decoder/capture-{n}")), &rule).map_err(|e| e.to_string())?;
            let mut datagram = netlink_message(2, 0, &[0; 20]);
            datagram.extend(netlink_message(1013, 2, &rule));
            datagram.extend(netlink_message(3, 2, &[]));
            std::fs::write(corpus.join(format!("netlink_stream/capture-{n}")), &datagram).map_err(|e| e.to_string())?;
            n += 1;
        }
    }
    let mut files = 0;
    for dir in [root.join("tests/data/rules"), Path::new("/usr/share/doc/auditd/examples/rules").to_path_buf()] {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            if entry.path().extension().is_some_and(|e| e == "rules") {
                let dest = corpus.join(format!("rules_file_parser/{}", entry.file_name().to_string_lossy()));
                std::fs::copy(entry.path(), dest).map_err(|e| e.to_string())?;
                files += 1;
            }
        }
    }
    for (i, seed) in LOG_SEEDS.iter().enumerate() {
        std::fs::write(corpus.join(format!("log_reader/seed-{i}")), seed).map_err(|e| e.to_string())?;
    }
    // The logs the real auditd wrote in the VM guests (tests/data/logs/KERNEL/FORMAT.log).
    let mut real = 0;
    for kernel in std::fs::read_dir(root.join("tests/data/logs")).map_err(|e| e.to_string())?.flatten() {
        for log in std::fs::read_dir(kernel.path()).into_iter().flatten().flatten() {
            if log.path().extension().is_some_and(|e| e == "log") {
                let name = format!(
                    "log_reader/real-{}-{}",
                    kernel.file_name().to_string_lossy(),
                    log.file_name().to_string_lossy()
                );
                std::fs::copy(log.path(), corpus.join(name)).map_err(|e| e.to_string())?;
                real += 1;
            }
        }
    }
    eprintln!(
        "fuzz: seeded {n} captured rules, {files} rule files, {} logs and {real} real auditd logs",
        LOG_SEEDS.len()
    );
    Ok(())
}

pub fn fuzz(options: &Options) -> XResult<bool> {
    let root = root();
    let has_cargo_fuzz = Command::new(cargo()).args(["fuzz", "--version"]).output().is_ok_and(|o| o.status.success());
    if !has_cargo_fuzz {
        eprintln!("fuzz: installing cargo-fuzz");
        run_checked(Command::new(cargo()).args(["install", "cargo-fuzz", "--locked"]))?;
    }
    write_seeds(&root)?;
    let mut all_ok = true;
    for target in &options.targets {
        eprintln!("fuzz: {target} for {} s", options.seconds);
        let status = Command::new(cargo())
            .current_dir(&root)
            .env("RUSTC_BOOTSTRAP", "1")
            .args(["fuzz", "run", target.as_str()])
            .arg(root.join("fuzz/corpus").join(target))
            .args(["--", &format!("-max_total_time={}", options.seconds), "-max_len=16384"])
            .status()
            .map_err(|e| format!("cargo fuzz run {target}: {e}"))?;
        if !status.success() {
            eprintln!("fuzz: {target} FAILED; the crashing input is under fuzz/artifacts/{target}/");
            all_ok = false;
        }
    }
    Ok(all_ok)
}
