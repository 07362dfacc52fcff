//! Decoder tests from real kernel bytes.
//!
//! `tests/data/captures/shapes.rules` lists rule shapes. Capturing loads each one alone
//! into the kernel with the real auditctl, records the rule message the kernel sends
//! back (hex) and the line `auditctl -l` printed, in `tests/data/captures/<kernel>.capture`.
//! The test then decodes every stored message and renders it, which must give the
//! stored line (in the correct form where auditctl has a known bug).
//!
//! Re-capture on the running kernel (root, auditd installed; host rules are saved and
//! restored):  DOCKAUDIT_RECAPTURE=1 cargo test --test integration captures

use crate::oracle;
use crate::util::{self, HostRules};
use dockaudit::rule::syscalls::Arch;
use dockaudit::rule::{binary, text};
use std::fmt::Write;

struct Capture {
    rule: String,
    auditctl: String,
    bytes: Vec<u8>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex")).collect()
}

fn parse(file: &str) -> Vec<Capture> {
    let mut out = Vec::new();
    let (mut rule, mut auditctl) = (None, None);
    for line in file.lines() {
        if let Some(r) = line.strip_prefix("rule: ") {
            rule = Some(r.to_string());
        } else if let Some(a) = line.strip_prefix("auditctl: ") {
            auditctl = Some(a.to_string());
        } else if let Some(h) = line.strip_prefix("bytes: ") {
            out.push(Capture {
                rule: rule.take().expect("rule before bytes"),
                auditctl: auditctl.take().expect("auditctl before bytes"),
                bytes: unhex(h),
            });
        }
    }
    out
}

fn shapes() -> Vec<String> {
    std::fs::read_to_string(util::repo_path("tests/data/captures/shapes.rules"))
        .unwrap()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

fn recapture() {
    if let Some(why) = util::host_kernel_unavailable() {
        panic!("DOCKAUDIT_RECAPTURE=1 but the host kernel cannot be used: {why}");
    }
    let release = nix::sys::utsname::uname().unwrap().release().to_string_lossy().into_owned();
    let host = HostRules::borrow();
    let mut out = String::new();
    let _ =
        writeln!(out, "# Captured on Linux {release} (x86_64) with {}", util::stdout(&util::auditctl(&["-v"])).trim());
    let _ = writeln!(out, "# Re-capture: DOCKAUDIT_RECAPTURE=1 cargo test --test integration captures");
    for shape in shapes() {
        host.clear();
        let args: Vec<&str> = shape.split_whitespace().collect();
        let loaded = util::auditctl(&args);
        if !loaded.status.success() {
            let _ = writeln!(out, "# skipped (kernel or auditctl rejected it): {shape}");
            continue;
        }
        let raw = dockaudit::AuditClient::open().unwrap().list_rules_raw().unwrap();
        let listed = util::stdout(&util::auditctl(&["-l"]));
        assert_eq!(raw.len(), 1, "{shape} gave {} rules", raw.len());
        let _ = writeln!(out, "\nrule: {shape}\nauditctl: {}\nbytes: {}", listed.trim_end_matches('\n'), hex(&raw[0]));
    }
    drop(host);
    let path = util::repo_path(&format!("tests/data/captures/linux-{release}.capture"));
    std::fs::write(&path, out).unwrap();
    eprintln!("wrote {}", path.display());
}

#[test]
fn captured_rules_decode_and_list_like_auditctl() {
    if std::env::var_os("DOCKAUDIT_RECAPTURE").is_some() {
        recapture();
    }
    let dir = util::repo_path("tests/data/captures");
    let mut compared = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "capture") {
            continue;
        }
        for capture in parse(&std::fs::read_to_string(&path).unwrap()) {
            let rule =
                binary::decode(&capture.bytes).unwrap_or_else(|e| panic!("{}: {}: {e}", path.display(), capture.rule));
            // The stored bytes must be exactly what our encoder produces for the decoded rule.
            assert_eq!(binary::encode(&rule, false).unwrap(), capture.bytes, "{}", capture.rule);
            let ours = String::from_utf8(text::to_text(&rule, Arch::X86_64)).unwrap();
            let expected = oracle::fix_watch_order(&capture.auditctl);
            assert!(
                ours == expected || oracle::accept_pathless_watch(&capture.auditctl, &ours),
                "{}\n rule:     {}\n auditctl: {}\n ours:     {ours}",
                path.display(),
                capture.rule,
                capture.auditctl
            );
            compared += 1;
        }
    }
    assert!(compared >= 40, "only {compared} captured rules found in {}", dir.display());
}

/// Every captured message, mutated many ways (truncated, bytes flipped, lengths and
/// counts overwritten), must decode or return an error; nothing may panic.
#[test]
fn mutated_kernel_bytes_never_panic() {
    let dir = util::repo_path("tests/data/captures");
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut decoded_ok = 0;
    let mut rejected = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "capture") {
            continue;
        }
        for capture in parse(&std::fs::read_to_string(&path).unwrap()) {
            for _ in 0..400 {
                let mut bytes = capture.bytes.clone();
                match next() % 4 {
                    0 => bytes.truncate((next() as usize) % (bytes.len() + 1)),
                    1 => {
                        for _ in 0..1 + next() % 8 {
                            let i = (next() as usize) % bytes.len();
                            bytes[i] ^= 1 << (next() % 8);
                        }
                    }
                    2 => {
                        // field_count, a value, or buflen set to something wild.
                        let at = [8, 524 + 4 * (next() as usize % 64), 1036][next() as usize % 3];
                        let wild = [0u32, 1, 63, 64, 65, 0xFFFF, u32::MAX, 0x8000_0000][next() as usize % 8];
                        bytes[at..at + 4].copy_from_slice(&wild.to_ne_bytes());
                    }
                    _ => bytes.extend((0..next() % 64).map(|_| next() as u8)),
                }
                match binary::decode(&bytes) {
                    Ok(rule) => {
                        // Whatever decodes must also list and re-encode without panicking.
                        let _ = text::to_text(&rule, Arch::X86_64);
                        let _ = binary::encode(&rule, false);
                        decoded_ok += 1;
                    }
                    Err(e) => {
                        assert!(!e.to_string().is_empty());
                        rejected += 1;
                    }
                }
                for message in dockaudit::kernel::messages(&bytes) {
                    let _ = message;
                }
                let _ = dockaudit::Status::decode(&bytes);
            }
        }
    }
    assert!(decoded_ok > 1000 && rejected > 1000, "ok {decoded_ok}, rejected {rejected}");
}
