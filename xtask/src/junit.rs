//! JUnit XML: one `testsuite` per kernel, named by its release, one
//! `testcase` per scenario, failures carrying the guest's output. A boot
//! that failed as a whole (panic, timeout, missing markers) adds a failed
//! testcase named `(boot)`.

use crate::vm::{BootResult, Status};

/// Escape for XML text and attributes; drop characters XML 1.0 forbids.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            '\t' | '\n' | '\r' => o.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => o.push(c),
        }
    }
    o
}

pub fn render(results: &[BootResult]) -> String {
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let total: usize = results.iter().map(|r| r.cases.len() + usize::from(!r.boot_errors.is_empty())).sum();
    let failed = |r: &BootResult| {
        r.cases.iter().filter(|c| matches!(c.status, Status::Fail | Status::Missing | Status::Hung)).count()
            + usize::from(!r.boot_errors.is_empty())
    };
    let skipped = |r: &BootResult| r.cases.iter().filter(|c| matches!(c.status, Status::Skip(_))).count();
    let all_failed: usize = results.iter().map(failed).sum();
    let all_skipped: usize = results.iter().map(skipped).sum();
    let secs: f64 = results.iter().map(|r| r.seconds).sum();
    x.push_str(&format!(
        "<testsuites name=\"dockaudit vm-test\" tests=\"{total}\" failures=\"{all_failed}\" skipped=\"{all_skipped}\" time=\"{secs:.3}\">\n"
    ));
    for r in results {
        let n = r.cases.len() + usize::from(!r.boot_errors.is_empty());
        x.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{n}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{:.3}\">\n",
            esc(&r.release),
            failed(r),
            skipped(r),
            r.seconds
        ));
        x.push_str(&format!(
            "    <properties>\n      <property name=\"kernel\" value=\"{}\"/>\n      <property name=\"image\" value=\"{}\"/>\n    </properties>\n",
            esc(&r.label),
            esc(&r.image.display().to_string())
        ));
        let class = format!("vm.{}", r.release);
        for c in &r.cases {
            x.push_str(&format!(
                "    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\"",
                esc(&class),
                esc(&c.name),
                c.seconds
            ));
            let failure = match &c.status {
                Status::Pass => None,
                Status::Skip(why) => {
                    x.push_str(&format!(">\n      <skipped message=\"{}\"/>\n    </testcase>\n", esc(why)));
                    continue;
                }
                Status::Fail => Some(
                    c.output
                        .lines()
                        .find_map(|l| l.split_once("FAILED ").map(|(_, m)| m.trim()))
                        .or_else(|| {
                            c.output.lines().find_map(|l| l.split_once("setup step failed: ").map(|(_, m)| m.trim()))
                        })
                        .unwrap_or("scenario failed"),
                ),
                Status::Missing => Some("no result marker from the guest"),
                Status::Hung => Some("hung: no result before the boot timeout"),
            };
            match failure {
                None => x.push_str("/>\n"),
                Some(msg) => x.push_str(&format!(
                    ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                    esc(msg),
                    esc(&c.output)
                )),
            }
        }
        if !r.boot_errors.is_empty() {
            x.push_str(&format!(
                "    <testcase classname=\"{}\" name=\"(boot)\" time=\"{:.3}\">\n      <failure message=\"{}\">{}\n\nlast console lines:\n{}</failure>\n    </testcase>\n",
                esc(&class),
                r.seconds,
                esc(&r.boot_errors[0]),
                esc(&r.boot_errors.join("\n")),
                esc(&r.console_tail)
            ));
        }
        x.push_str("  </testsuite>\n");
    }
    x.push_str("</testsuites>\n");
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::Case;
    use std::path::PathBuf;

    #[test]
    fn suites_cases_and_escaping() {
        let r = BootResult {
            label: "6.1".into(),
            release: "6.1.0-9-amd64".into(),
            image: PathBuf::from("/k"),
            seconds: 1.5,
            cases: vec![
                Case { name: "a".into(), status: Status::Pass, seconds: 0.1, output: String::new() },
                Case { name: "b".into(), status: Status::Fail, seconds: 0.2, output: "x < y & \u{1b}[0m\n".into() },
                Case { name: "c".into(), status: Status::Skip("later".into()), seconds: 0.0, output: String::new() },
            ],
            boot_errors: vec![],
            files: vec![],
            console_tail: String::new(),
        };
        let x = render(&[r]);
        assert!(
            x.contains("<testsuite name=\"6.1.0-9-amd64\" tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"1\""),
            "{x}"
        );
        assert!(x.contains("x &lt; y &amp; [0m"), "{x}");
        assert!(x.contains("<skipped message=\"later\"/>"));
        assert!(!x.contains('\u{1b}'));
    }
}
