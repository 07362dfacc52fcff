//! `check --rules FIXTURE --root ROOT` on never rules that name particular processes
//! (issue #15): the opening never rules of Neo23x0's audit.rules (one SELinux type, one
//! program) before the Docker watches are noise control: the controls pass and each
//! lists the exclusions as notes in every format; `--strict` makes them weak. A never
//! rule that hides root keeps its weak verdict.

use std::path::Path;

use crate::util::{dockaudit, stdout, tempdir};

/// Lines 81-91 of Neo23x0's audit.rules (retyped, the shapes only), then CIS watches.
const RULES: &str = "\
-a never,user -F subj_type=crond_t
-a never,exit -F subj_type=crond_t
-a exit,never -F arch=b64 -S all -F exe=/usr/bin/vmtoolsd
-w /etc/docker -k docker
-w /usr/lib/systemd/system/docker.service -k docker
";

fn root() -> std::path::PathBuf {
    let root = tempdir();
    for d in ["etc/docker", "usr/lib/systemd/system", "usr/bin"] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    std::fs::write(root.join("usr/lib/systemd/system/docker.service"), "[Service]\nExecStart=/usr/bin/dockerd\n")
        .unwrap();
    root
}

fn check(root: &Path, rules: &str, extra: &[&str]) -> (Option<i32>, String) {
    let file = root.join("fixture.rules");
    std::fs::write(&file, rules).unwrap();
    let mut args = vec!["check", "--root", root.to_str().unwrap(), "--rules", file.to_str().unwrap()];
    args.extend_from_slice(extra);
    let out = dockaudit(&args);
    (out.status.code(), stdout(&out))
}

fn controls(json: &str) -> Vec<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v["controls"].as_array().unwrap().clone()
}

#[test]
fn process_specific_never_rules_pass_with_notes_and_are_weak_under_strict() {
    let root = root();
    let (code, json) = check(&root, RULES, &["--only", "1.1.6,1.1.7", "--format", "json"]);
    let cs = controls(&json);
    for c in &cs {
        assert_eq!(c["status"], "pass", "{c:#}");
        let notes: Vec<&str> = c["notes"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
        assert_eq!(notes.len(), 2, "{c:#}");
        assert!(notes[0].contains("(subj_type=crond_t): noise control, not a gap"), "{notes:?}");
        // Offline, SELinux is not judged; the program is looked for in the root.
        assert!(!notes[0].contains("SELinux"), "{notes:?}");
        assert!(notes[1].contains("/usr/bin/vmtoolsd does not exist under"), "{notes:?}");
    }
    // Only rule-files findings are left (none here): the exit code says no finding.
    assert_eq!(code, Some(0), "{json}");

    let (_, text) = check(&root, RULES, &["--only", "1.1.6"]);
    assert!(text.contains("PASS  1.1.6"), "{text}");
    assert!(text.contains("      note: `-a never,exit -S all -F subj_type=crond_t` comes earlier"), "{text}");

    let (code, json) = check(&root, RULES, &["--only", "1.1.6,1.1.7", "--strict", "--format", "json"]);
    assert_eq!(code, Some(1));
    for c in controls(&json) {
        assert_eq!(c["status"], "weak", "{c:#}");
        assert_eq!(c["notes"].as_array().unwrap().len(), 2, "{c:#}");
    }

    // The other formats carry the notes too.
    let (_, sarif) = check(&root, RULES, &["--only", "1.1.6", "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(sarif["runs"][0]["results"][0]["properties"]["notes"].as_array().unwrap().len(), 2);
    let (_, junit) = check(&root, RULES, &["--only", "1.1.6", "--format", "junit"]);
    assert!(junit.contains("<system-out>note: `-a never,exit -S all -F subj_type=crond_t`"), "{junit}");
    let (_, prom) = check(&root, RULES, &["--only", "1.1.6", "--format", "prometheus"]);
    assert!(
        prom.contains("dockaudit_control_notes{benchmark=\"1.6.0\",id=\"1.1.6\",path=\"/etc/docker\"} 2\n"),
        "{prom}"
    );
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_never_rule_that_hides_root_stays_weak_and_is_no_note() {
    let root = root();
    let (code, json) = check(
        &root,
        "-a never,exit -S all -F uid=0\n-w /etc/docker -k docker\n",
        &["--only", "1.1.6", "--format", "json"],
    );
    let c = &controls(&json)[0];
    assert_eq!((code, &c["status"]), (Some(1), &"weak".into()), "{c:#}");
    assert_eq!(c["notes"].as_array().unwrap().len(), 0, "{c:#}");
    let _ = std::fs::remove_dir_all(&root);
}
