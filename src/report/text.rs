//! `check --format text`: one line per control, details under findings (and the judged
//! path with how it was found wherever it is not the CIS text's), a summary.

use std::fmt::Write;

use super::{benchmark_title, host_count};
use crate::judge::{Evaluation, Verdict};
use crate::kernel::Compat;
use crate::rules_file::feature;

fn label(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "PASS",
        Verdict::Weak => "WEAK",
        Verdict::Fail => "FAIL",
        Verdict::NotApplicable => "N/A ",
        Verdict::Error => "ERR ",
    }
}

fn paint(v: Verdict, color: bool) -> String {
    if !color {
        return label(v).to_string();
    }
    let code = match v {
        Verdict::Pass => "32",
        Verdict::Weak => "33",
        Verdict::Fail => "31;1",
        Verdict::NotApplicable => "2",
        Verdict::Error => "35;1",
    };
    format!("\x1b[{code}m{}\x1b[0m", label(v))
}

/// `check --format text`; `color` wraps verdict labels in ANSI colour codes.
pub fn render(eval: &Evaluation, color: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "dockaudit check: {}, audit controls{}",
        benchmark_title(eval),
        if eval.strict { " (--strict: the CIS lines exactly)" } else { "" }
    );
    match &eval.audit_status {
        Some(s) => {
            let _ = writeln!(
                out,
                "kernel: enabled {}, auditd pid {}, backlog_limit {}, lost {}",
                s.enabled, s.pid, s.backlog_limit, s.lost
            );
        }
        None => {
            let _ = writeln!(
                out,
                "offline: rules judged without the kernel's audit state; kernel features assumed {:#x} ({}), \
                 as every kernel since 4.17 has",
                feature::ALL,
                feature::names(feature::ALL).join(", ")
            );
        }
    }
    if let Some(abis) = &eval.abis {
        let compat = match &abis.compat {
            Compat::Present(how) => format!("32-bit compat ABI present ({how})"),
            Compat::Absent(how) => format!("no 32-bit compat ABI ({how})"),
            Compat::Unknown(how) => format!("32-bit compat ABI assumed ({how})"),
        };
        let _ = writeln!(out, "arch: {} ({}); {compat}", abis.native.name(), abis.native_from);
    }
    out.push('\n');
    let width = eval.controls.iter().map(|c| c.id.len()).max().unwrap_or(0);
    for c in &eval.controls {
        let _ = writeln!(out, "{}  {:width$}  {}", paint(c.verdict, color), c.id, c.title);
        // The judged path, and how it was found when it is not the CIS text's.
        if c.path != c.cis_path {
            let _ =
                writeln!(out, "      path: {} (found by {}; the CIS text names {})", c.path, c.found_by, c.cis_path);
        } else if c.verdict.is_finding() {
            let _ = writeln!(out, "      path: {}", c.path);
        }
        if c.verdict.is_finding() {
            for r in &c.reasons {
                let _ = writeln!(out, "      why:  {r}");
            }
            for r in &c.rules {
                let _ = writeln!(out, "      rule: {r}");
            }
            let _ = writeln!(out, "      fix:  {}", c.remediation);
        }
        // Shown for passing controls too: an auditor signs them knowing what is hidden.
        for n in &c.notes {
            let _ = writeln!(out, "      note: {n}");
        }
        if let Some(proof) = &c.proof {
            let _ = writeln!(out, "      proof: {}", proof.summary());
            let _ = writeln!(out, "      probe: {}", proof.probe);
        }
        // Shown for passing controls too: they pass only until the next reboot.
        if let Some(p) = c.persistence.as_ref().filter(|p| !p.persistent) {
            let _ = writeln!(out, "      boot: in no rule file, lost at reboot: {}", p.lost_at_reboot.join(", "));
        }
    }
    if !eval.host.is_empty() {
        let _ = writeln!(out, "\nHost");
        let width = eval.host.iter().map(|h| h.id.len()).max().unwrap_or(0);
        for h in &eval.host {
            let _ = writeln!(out, "{}  {:width$}  {}", paint(h.verdict, color), h.id, h.title);
            if h.verdict != Verdict::Pass {
                for r in &h.reasons {
                    let _ = writeln!(out, "      why:  {r}");
                }
            }
        }
    }
    let _ = write!(
        out,
        "\nSummary: {} controls: {} pass, {} weak, {} fail, {} not applicable, {} error",
        eval.controls.len(),
        eval.count(Verdict::Pass),
        eval.count(Verdict::Weak),
        eval.count(Verdict::Fail),
        eval.count(Verdict::NotApplicable),
        eval.count(Verdict::Error)
    );
    if !eval.host.is_empty() {
        let _ = write!(
            out,
            "; host: {} pass, {} weak, {} fail",
            host_count(eval, Verdict::Pass),
            host_count(eval, Verdict::Weak),
            host_count(eval, Verdict::Fail)
        );
    }
    out.push('\n');
    out
}
