//! `check --format junit`: JUnit XML for CI. One testsuite for the controls, one for
//! the host checks; `fail` and `weak` are failures (type says which), `error` is an
//! error, `not_applicable` is skipped. A failure's body names the judged path where it
//! is not the CIS path (the path also appears in its reasons and fix line).

use std::fmt::Write;

use super::benchmark_title;
use crate::judge::{Evaluation, Verdict};

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 cannot carry other control characters at all.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => out.push('?'),
            c => out.push(c),
        }
    }
    out
}

struct Case {
    classname: String,
    name: String,
    status: Verdict,
    message: String,
    body: String,
    /// Notes that do not change the verdict: a passing case's `system-out`.
    notes: Vec<String>,
}

fn suite(out: &mut String, name: &str, cases: &[Case]) {
    let count = |f: fn(Verdict) -> bool| cases.iter().filter(|c| f(c.status)).count();
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
        esc(name),
        cases.len(),
        count(|v| matches!(v, Verdict::Fail | Verdict::Weak)),
        count(|v| v == Verdict::Error),
        count(|v| v == Verdict::NotApplicable)
    );
    for c in cases {
        let open = format!("    <testcase classname=\"{}\" name=\"{}\"", esc(&c.classname), esc(&c.name));
        let (msg, body) = (esc(&c.message), esc(&c.body));
        let _ = match c.status {
            Verdict::Pass if c.notes.is_empty() => writeln!(out, "{open}/>"),
            Verdict::Pass => {
                let notes: Vec<String> = c.notes.iter().map(|n| format!("note: {n}")).collect();
                writeln!(out, "{open}>\n      <system-out>{}</system-out>\n    </testcase>", esc(&notes.join("\n")))
            }
            Verdict::NotApplicable => writeln!(out, "{open}>\n      <skipped message=\"{msg}\"/>\n    </testcase>"),
            Verdict::Error => {
                writeln!(out, "{open}>\n      <error type=\"error\" message=\"{msg}\">{body}</error>\n    </testcase>")
            }
            v => writeln!(
                out,
                "{open}>\n      <failure type=\"{}\" message=\"{msg}\">{body}</failure>\n    </testcase>",
                v.as_str()
            ),
        };
    }
    out.push_str("  </testsuite>\n");
}

/// `check --format junit`: a `testsuites` document.
pub fn render(eval: &Evaluation) -> String {
    let class = format!("dockaudit.cis-docker-{}", eval.benchmark.version());
    let controls: Vec<Case> = eval
        .controls
        .iter()
        .map(|c| {
            let mut body = String::new();
            // The judged path, as the text report shows it, where it is not the CIS path.
            if c.path != c.cis_path {
                let _ = writeln!(body, "path: {} (found by {}; the CIS text names {})", c.path, c.found_by, c.cis_path);
            }
            for r in &c.reasons {
                let _ = writeln!(body, "why:  {r}");
            }
            for r in &c.rules {
                let _ = writeln!(body, "rule: {r}");
            }
            for n in &c.notes {
                let _ = writeln!(body, "note: {n}");
            }
            if let Some(proof) = &c.proof {
                let _ = writeln!(body, "proof: {}", proof.summary());
            }
            let _ = write!(body, "fix:  {}", c.remediation);
            Case {
                classname: class.clone(),
                name: format!("{} {}", c.id, c.title),
                status: c.verdict,
                message: c.reasons.first().cloned().unwrap_or_default(),
                body,
                notes: c.notes.clone(),
            }
        })
        .collect();
    let host: Vec<Case> = eval
        .host
        .iter()
        .map(|h| Case {
            classname: "dockaudit.host".into(),
            name: format!("{} {}", h.id, h.title),
            status: h.verdict,
            message: h.reasons.join("; "),
            body: h.reasons.join("\n"),
            notes: Vec::new(),
        })
        .collect();
    let all = controls.len() + host.len();
    let count = |f: fn(Verdict) -> bool| controls.iter().chain(&host).filter(|c| f(c.status)).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"dockaudit check\" tests=\"{all}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
        count(|v| matches!(v, Verdict::Fail | Verdict::Weak)),
        count(|v| v == Verdict::Error),
        count(|v| v == Verdict::NotApplicable)
    );
    suite(&mut out, &benchmark_title(eval), &controls);
    if !host.is_empty() {
        suite(&mut out, "Host audit configuration", &host);
    }
    out.push_str("</testsuites>\n");
    out
}
