//! `dockaudit check --prove`: shows that each passing (or weak) control is recorded end
//! to end. While listening on the kernel's record stream (the read-log multicast group),
//! dockaudit makes a harmless access to each judged file that the covering rule must
//! record ([`probe`]), waits for the record ([`listen`]), and, when auditd runs, looks
//! for it in auditd's log. A probe never changes the file, and nothing is executed: a
//! file whose rules record only execution is reported as not provable.
//!
//! When a record does not come, the likely cause is read from the kernel's state: audit
//! disabled, records lost (rate limit, backlog), a `never` rule ahead of the covering
//! rule, or no covering rule after all.

mod listen;
pub mod probe;

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use listen::{listen, Awaited, Heard};
pub use probe::{Access, PROBE_XATTR};

use crate::events::log_config;
use crate::judge::{ControlVerdict, Evaluation, HostCheck, Proof, Verdict};
use crate::kernel::{self, AuditClient, RecordStream, Status};
use crate::rule::syscalls::Arch;
use crate::rule::{perm, text, Action, FieldType, FilterList, Rule};

/// How long a probe's record may take to arrive.
const RECORD_WAIT: Duration = Duration::from_secs(2);
/// How long auditd may take to write it (its `flush` setting decides).
const LOG_WAIT: Duration = Duration::from_secs(3);
/// How much of the end of the log is searched for the records.
const LOG_TAIL: u64 = 16 << 20;

/// What proving needs besides the evaluation.
pub struct Context<'a> {
    /// The host's root (`/`, or `--host-root`): the files probed and auditd's log are under it.
    pub root: &'a Path,
    /// The kernel's rules, in order (to name a `never` rule ahead of a covering one).
    pub rules: &'a [Rule],
    /// The native arch, for syscall numbers and rule text.
    pub native: Arch,
}

/// The permissions the recording rules record for the file: a watch's (or `perm=`)
/// bits, or, for a syscall rule without `perm=`, the accesses its syscalls make.
fn recorded_perms(recording: &[Rule], native: Arch) -> u32 {
    let mut perms = 0;
    for rule in recording {
        match rule.field(FieldType::PERM).and_then(|f| f.as_number()) {
            Some(bits) => perms |= bits,
            None => {
                for access in [Access::Write, Access::Attribute, Access::Read] {
                    if access.number(native).is_some_and(|nr| rule.mask.contains(nr)) {
                        perms |= match access {
                            Access::Write => perm::WRITE,
                            Access::Attribute => perm::ATTR,
                            Access::Read => perm::READ,
                        };
                    }
                }
            }
        }
    }
    perms
}

/// `never` rules on the exit list ahead of the first rule recording the control.
fn nevers_ahead(control: &ControlVerdict, rules: &[Rule], native: Arch) -> Vec<String> {
    let first = rules.iter().position(|r| control.recording.contains(r)).unwrap_or(rules.len());
    rules[..first]
        .iter()
        .filter(|r| r.list == FilterList::Exit && r.action == Action::Never)
        .map(|r| String::from_utf8_lossy(&text::to_text(r, native)).into_owned())
        .collect()
}

fn under_root(root: &Path, path: &str) -> PathBuf {
    root.join(path.trim_start_matches('/'))
}

/// Probes every passing or weak control of `eval` (and every failing one with a covering
/// rule, as when audit is disabled), sets its `proof`, and adds the
/// `events-recorded` host check. `stream` must have been joined before the first probe.
pub fn prove(
    eval: &mut Evaluation,
    stream: &mut RecordStream,
    client: &mut AuditClient,
    ctx: &Context<'_>,
) -> Result<(), kernel::Error> {
    let before = client.status()?;
    let pid = std::process::id();
    let mut dropped = 0;
    let mut heard: Vec<(usize, Heard)> = Vec::new();
    for (index, control) in eval.controls.iter_mut().enumerate() {
        // Failing controls with a covering rule too: audit disabled fails them all, and
        // the proof then says what the kernel does with their accesses.
        if !matches!(control.verdict, Verdict::Pass | Verdict::Weak) && control.recording.is_empty() {
            continue;
        }
        let Some(access) = Access::for_perms(recorded_perms(&control.recording, ctx.native)) else {
            control.proof = Some(Proof {
                recorded: false,
                persisted: None,
                serial: None,
                latency_us: None,
                probe: "none".into(),
                reasons: vec![
                    "its rules record only execution, which cannot be proved without executing the file".into()
                ],
            });
            continue;
        };
        let path = under_root(ctx.root, &control.path);
        let path_bytes = path.as_os_str().to_string_lossy().into_owned().into_bytes();
        let Some(syscall) = access.number(ctx.native) else { continue };
        let made = Instant::now();
        let errno = probe::make(access, &path);
        let answer = if errno == 0 { "done".to_string() } else { errno_name(errno) };
        let awaited = Awaited { pid, syscall, path: &path_bytes, made };
        let got = listen(stream, &awaited, RECORD_WAIT, &mut dropped)?;
        let mut proof = Proof {
            recorded: got.is_some(),
            persisted: None,
            serial: got.as_ref().map(|h| h.serial),
            latency_us: got.as_ref().map(|h| h.latency.as_micros() as u64),
            probe: format!("{} -> {answer}", access.describe()),
            reasons: Vec::new(),
        };
        if let Some(h) = &got {
            let keys = if h.keys.is_empty() { "no key".to_string() } else { format!("key {}", h.keys.join(",")) };
            proof.reasons.push(format!("recorded as event {} ({keys})", h.serial));
            heard.push((index, h.clone()));
        } else {
            proof.reasons.extend(nevers_ahead(control, ctx.rules, ctx.native).into_iter().map(|r| {
                format!("a never rule comes before the rule that records this file and may match the probe: {r}")
            }));
        }
        control.proof = Some(proof);
    }
    let after = client.status()?;
    explain_missing(eval, &before, &after, dropped);
    check_persisted(eval, &heard, &after, ctx.root);
    eval.host.push(recorded_check(eval));
    Ok(())
}

fn errno_name(errno: i32) -> String {
    crate::rule::names::errno_name(errno as u32).map_or_else(|| format!("errno {errno}"), str::to_string)
}

/// The kernel-wide reasons a probe's record did not come, added to each one missing.
fn explain_missing(eval: &mut Evaluation, before: &Status, after: &Status, dropped: u64) {
    let mut causes = Vec::new();
    if after.enabled == 0 {
        causes.push("audit is disabled (enabled 0): the kernel records nothing".to_string());
    }
    let lost = after.lost.wrapping_sub(before.lost);
    if lost > 0 {
        causes.push(format!(
            "the kernel lost {lost} record(s) while probing (rate limit {}/s, backlog limit {})",
            after.rate_limit, after.backlog_limit
        ));
    }
    if dropped > 0 {
        causes.push(format!("{dropped} record(s) overflowed dockaudit's receive buffer"));
    }
    for control in &mut eval.controls {
        let Some(proof) = control.proof.as_mut() else { continue };
        if proof.recorded || proof.probe == "none" {
            continue;
        }
        proof.reasons.extend(causes.iter().cloned());
        if proof.reasons.is_empty() {
            proof.reasons.push(format!(
                "no record within {} s: no rule covers this access after all (a rule changed since it was judged?)",
                RECORD_WAIT.as_secs()
            ));
        }
    }
}

/// Whether the recorded probes reached auditd's log: searched in the end of `log_file`
/// until all are there or [`LOG_WAIT`] passes.
fn check_persisted(eval: &mut Evaluation, heard: &[(usize, Heard)], status: &Status, root: &Path) {
    if heard.is_empty() {
        return;
    }
    let log = under_root(root, &log_config(root).log_file.to_string_lossy());
    let outcome: Result<Vec<bool>, String> = if status.pid == 0 {
        Err("no audit daemon is registered (status pid 0): the record reached no log".into())
    } else {
        find_in_log(&log, heard)
    };
    for (i, (index, _)) in heard.iter().enumerate() {
        let Some(proof) = eval.controls[*index].proof.as_mut() else { continue };
        match &outcome {
            Ok(found) if found[i] => {
                proof.persisted = Some(true);
                proof.reasons.push(format!("written to {}", log.display()));
            }
            Ok(_) => {
                proof.persisted = Some(false);
                proof.reasons.push(format!(
                    "not in {} after {} s although pid {} receives the records (auditd's flush, a full disk, \
                     or another log_file?)",
                    log.display(),
                    LOG_WAIT.as_secs(),
                    status.pid
                ));
            }
            Err(why) if status.pid == 0 => {
                proof.persisted = Some(false);
                proof.reasons.push(why.clone());
            }
            Err(why) => proof.reasons.push(why.clone()),
        }
    }
}

fn find_in_log(log: &Path, heard: &[(usize, Heard)]) -> Result<Vec<bool>, String> {
    let needles: Vec<String> = heard.iter().map(|(_, h)| format!("msg=audit({})", h.stamp)).collect();
    let mut found = vec![false; heard.len()];
    let started = Instant::now();
    loop {
        let mut file = std::fs::File::open(log)
            .map_err(|e| format!("whether it reached the log is unknown: {}: {e}", log.display()))?;
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        let _ = file.seek(SeekFrom::Start(len.saturating_sub(LOG_TAIL)));
        let mut tail = Vec::new();
        file.read_to_end(&mut tail).map_err(|e| format!("cannot read {}: {e}", log.display()))?;
        for (i, needle) in needles.iter().enumerate() {
            found[i] |= memchr::memmem::find(&tail, needle.as_bytes()).is_some();
        }
        if found.iter().all(|f| *f) || started.elapsed() >= LOG_WAIT {
            return Ok(found);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The host check `events-recorded`: every probed control recorded (and persisted where
/// that could be checked).
fn recorded_check(eval: &Evaluation) -> HostCheck {
    let probed: Vec<&ControlVerdict> =
        eval.controls.iter().filter(|c| c.proof.as_ref().is_some_and(|p| p.probe != "none")).collect();
    let missing: Vec<&str> =
        probed.iter().filter(|c| c.proof.as_ref().is_some_and(|p| !p.recorded)).map(|c| c.id).collect();
    let unlogged: Vec<&str> =
        probed.iter().filter(|c| c.proof.as_ref().is_some_and(|p| p.persisted == Some(false))).map(|c| c.id).collect();
    let (verdict, reasons) = if probed.is_empty() {
        (Verdict::NotApplicable, vec!["no rule covers a control's file: nothing to probe".to_string()])
    } else if !missing.is_empty() {
        (Verdict::Fail, vec![format!("not recorded: {}", missing.join(", "))])
    } else if !unlogged.is_empty() {
        (Verdict::Weak, vec![format!("recorded, not in auditd's log: {}", unlogged.join(", "))])
    } else {
        (Verdict::Pass, vec![format!("{} control(s) probed, every access recorded", probed.len())])
    };
    HostCheck { id: "events-recorded", title: "An access to each audited Docker file is recorded", verdict, reasons }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::{Field, Operator, SyscallMask};

    #[test]
    fn perms_of_watches_and_of_syscall_rules() {
        let watch = |bits| Rule {
            list: FilterList::Exit,
            action: Action::Always,
            mask: SyscallMask::all(),
            fields: vec![Field::number(FieldType::PERM, Operator::EQUAL, bits)],
        };
        assert_eq!(recorded_perms(&[watch(perm::EXEC)], Arch::X86_64), perm::EXEC);
        assert_eq!(recorded_perms(&[watch(perm::EXEC), watch(perm::ATTR)], Arch::X86_64), perm::EXEC | perm::ATTR);
        let mut mask = SyscallMask::default();
        mask.insert(Access::Attribute.number(Arch::X86_64).unwrap());
        let syscalls = Rule { list: FilterList::Exit, action: Action::Always, mask, fields: vec![] };
        assert_eq!(recorded_perms(&[syscalls], Arch::X86_64), perm::ATTR);
    }
}
