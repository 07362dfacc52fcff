//! `cargo xtask fuzz --seconds N`: every cargo-fuzz target in turn, seeded from the
//! kernel captures and the rule corpora, N seconds each. A crash fails the task and
//! leaves its input under fuzz/artifacts/TARGET/ to be turned into a regression test.

use std::path::Path;
use std::process::Command;

use crate::{cargo, root, run_checked, XResult};

const TARGETS: &[&str] = &["rule_decoder", "netlink_stream", "rules_file_parser"];

/// fuzz's options.
#[derive(Debug, clap::Args)]
pub struct Options {
    /// Seconds per target
    #[arg(long, value_name = "N", default_value_t = 60)]
    seconds: u64,
    /// A target to run (rule_decoder, netlink_stream, rules_file_parser); repeatable
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
    eprintln!("fuzz: seeded {n} captured rules and {files} rule files");
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
