//! `check --format prometheus`: node_exporter textfile-collector format. One gauge
//! series per control: 0 pass, 1 weak, 2 fail, 3 error, -1 not applicable (so
//! `dockaudit_control_status > 0` is the alert), the verdict also as a label.

use std::fmt::Write;

use crate::judge::{Evaluation, Verdict};

fn value(v: Verdict) -> i32 {
    match v {
        Verdict::Pass => 0,
        Verdict::Weak => 1,
        Verdict::Fail => 2,
        Verdict::Error => 3,
        Verdict::NotApplicable => -1,
    }
}

/// Label values escape backslash, double quote and newline (exposition format).
fn esc(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// `check --format prometheus`: the textfile-collector exposition text.
pub fn render(eval: &Evaluation) -> String {
    let b = eval.benchmark.version();
    let mut out = String::new();
    out.push_str("# HELP dockaudit_control_status CIS Docker Benchmark audit control verdict: 0 pass, 1 weak, 2 fail, 3 error, -1 not applicable.\n");
    out.push_str("# TYPE dockaudit_control_status gauge\n");
    for c in &eval.controls {
        let _ = writeln!(
            out,
            "dockaudit_control_status{{benchmark=\"{b}\",id=\"{}\",path=\"{}\",status=\"{}\"}} {}",
            esc(c.id),
            esc(&c.path),
            c.verdict.as_str(),
            value(c.verdict)
        );
    }
    if eval.controls.iter().any(|c| c.proof.is_some()) {
        out.push_str(
            "# HELP dockaudit_control_recorded check --prove: 1 when the probe's record arrived, 0 when not.\n",
        );
        out.push_str("# TYPE dockaudit_control_recorded gauge\n");
        for c in &eval.controls {
            if let Some(proof) = &c.proof {
                let _ = writeln!(
                    out,
                    "dockaudit_control_recorded{{benchmark=\"{b}\",id=\"{}\",path=\"{}\",persisted=\"{}\"}} {}",
                    esc(c.id),
                    esc(&c.path),
                    proof.persisted.map_or("unknown", |p| if p { "yes" } else { "no" }),
                    i32::from(proof.recorded)
                );
            }
        }
    }
    // Only where a rule set has them, so the series of others stay as they were.
    if eval.controls.iter().any(|c| !c.notes.is_empty()) {
        out.push_str("# HELP dockaudit_control_notes Notes on a control that do not change its verdict (never rules that hide particular processes).\n");
        out.push_str("# TYPE dockaudit_control_notes gauge\n");
        for c in &eval.controls {
            let _ = writeln!(
                out,
                "dockaudit_control_notes{{benchmark=\"{b}\",id=\"{}\",path=\"{}\"}} {}",
                esc(c.id),
                esc(&c.path),
                c.notes.len()
            );
        }
    }
    if !eval.host.is_empty() {
        out.push_str("# HELP dockaudit_host_check_status Host audit check verdict: 0 pass, 1 weak, 2 fail, 3 error.\n");
        out.push_str("# TYPE dockaudit_host_check_status gauge\n");
        for h in &eval.host {
            let _ = writeln!(
                out,
                "dockaudit_host_check_status{{check=\"{}\",status=\"{}\"}} {}",
                h.id,
                h.verdict.as_str(),
                value(h.verdict)
            );
        }
    }
    out.push_str("# HELP dockaudit_controls Number of controls per verdict.\n");
    out.push_str("# TYPE dockaudit_controls gauge\n");
    for v in Verdict::ALL {
        let _ = writeln!(out, "dockaudit_controls{{benchmark=\"{b}\",status=\"{}\"}} {}", v.as_str(), eval.count(v));
    }
    out
}
