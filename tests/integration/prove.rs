//! `check --prove` on the host kernel, under the host-rules lock with audit enabled for
//! the test (and put back): the CIS watches record the probes (no auditd here, so not
//! persisted), the probed files do not change, and a `never` rule ahead of the watch
//! that excludes dockaudit on daemon.json is named as the cause when its probe is not
//! recorded. The daemon, disk-full and rate-limit cases run in the VM guests.

use std::os::unix::fs::MetadataExt;
use std::path::Path;

use crate::check::DockerPaths;
use crate::util::{self, dockaudit, dockaudit_bin, AuditEnabled, HostRules};

fn stat(path: &str) -> (u32, u32, u64, i64, i64, i64, i64) {
    let m = std::fs::symlink_metadata(path).unwrap();
    (m.mode(), m.uid(), m.size(), m.mtime(), m.mtime_nsec(), m.ctime(), m.ctime_nsec())
}

fn proofs(args: &[&str]) -> serde_json::Value {
    let out = dockaudit(args);
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

fn control<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["controls"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap()
}

#[test]
fn prove_records_each_probe_and_names_a_never_rule_that_hides_one() {
    if let Some(why) = util::host_kernel_unavailable() {
        eprintln!("skipped: {why}");
        return;
    }
    let host = HostRules::borrow();
    let _paths = DockerPaths::create();
    let _enabled = AuditEnabled::enable();
    host.clear();
    assert!(host.load_with_auditctl("-w /etc/docker -k docker\n-w /var/lib/docker -k docker\n").is_empty());
    let files = ["/etc/docker", "/etc/docker/daemon.json", "/var/lib/docker"];
    let before: Vec<_> = files.iter().map(|f| stat(f)).collect();
    let report = proofs(&["check", "--prove", "--only", "1.1.5,1.1.6,1.1.11", "--format", "json"]);
    for id in ["1.1.5", "1.1.6", "1.1.11"] {
        let proof = &control(&report, id)["proof"];
        assert_eq!(proof["recorded"], true, "{id}: {proof}");
        assert_eq!(proof["persisted"], false, "{id}: no auditd on this host: {proof}");
        assert!(proof["serial"].as_u64().is_some() && proof["latency_ms"].as_f64().is_some(), "{id}: {proof}");
    }
    let after: Vec<_> = files.iter().map(|f| stat(f)).collect();
    assert_eq!(before, after, "a probe changed a file");
    let recorded = report["host"].as_array().unwrap().iter().find(|h| h["id"] == "events-recorded").unwrap();
    assert_eq!(recorded["status"], "weak", "{recorded}");

    let exe = std::fs::canonicalize(dockaudit_bin()).unwrap();
    let never = format!("-A exit,never -F path=/etc/docker/daemon.json -F exe={}\n", exe.display());
    assert!(host.load_with_auditctl(&never).is_empty());
    let report = proofs(&["check", "--prove", "--only", "1.1.6,1.1.11", "--format", "json"]);
    let hidden = &control(&report, "1.1.11")["proof"];
    assert_eq!(hidden["recorded"], false, "{hidden}");
    let reasons = hidden["reasons"].to_string();
    assert!(reasons.contains("a never rule comes before") && reasons.contains(exe.to_str().unwrap()), "{reasons}");
    assert_eq!(control(&report, "1.1.6")["proof"]["recorded"], true);
    let text = util::stdout(&dockaudit(&["check", "--prove", "--only", "1.1.11"]));
    assert!(text.contains("      proof: NOT recorded: a never rule comes before"), "{text}");
    assert!(Path::new("/etc/docker/daemon.json").exists());
}
