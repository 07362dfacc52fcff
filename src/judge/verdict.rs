//! What `check` answers: a verdict per CIS control and per host-wide check, the
//! options that choose the controls, and the selection itself. Plain data: the
//! reports, `fix` and the boot annotations read these types, and nothing here knows
//! how a verdict is reached.

use std::sync::Arc;

use serde::Serialize;

use super::catalog::{Benchmark, Control};
use crate::docker::Discovery;
use crate::kernel::{Compat, KernelAbis, Status};
use crate::rule::syscalls::Arch;
use crate::rule::Rule;

/// The outcome of one control or host check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every event the control demands is recorded.
    Pass,
    /// Some are recorded, not all (or, for a host check, advice).
    Weak,
    /// None is recorded.
    Fail,
    /// The file or unit is not on the host.
    NotApplicable,
    /// The control could not be judged (an unreadable or looping path).
    Error,
}

impl Verdict {
    /// Every verdict, from best to worst: the order reports count them in.
    pub const ALL: [Verdict; 5] = [Verdict::Pass, Verdict::Weak, Verdict::Fail, Verdict::NotApplicable, Verdict::Error];

    /// The name reports print, as JSON spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Weak => "weak",
            Verdict::Fail => "fail",
            Verdict::NotApplicable => "not_applicable",
            Verdict::Error => "error",
        }
    }

    /// What makes `check` exit 1.
    pub fn is_finding(self) -> bool {
        matches!(self, Verdict::Weak | Verdict::Fail | Verdict::Error)
    }
}

/// One control's verdict with everything an auditor needs to check it by hand.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ControlVerdict {
    /// The CIS control's id (`1.1.3`).
    pub id: &'static str,
    /// The CIS control's title.
    pub title: &'static str,
    /// The path judged: the file the host really uses as discovery found it (the final
    /// inode, every symlink resolved), else the catalog's path or the unit file systemd
    /// loads.
    pub path: String,
    /// The path the CIS text names (the catalog's literal; a unit in the catalog's
    /// default unit directory).
    pub cis_path: String,
    /// How `path` was found: discovery's evidence (`process 812`, `docker.service
    /// ExecStart (/lib/systemd/system/docker.service:11)`, `daemon.json data-root`,
    /// `PATH of containerd.service`), `CIS path` when nothing else named it, `systemd
    /// unit search order` for a unit, `not found` when it is installed nowhere.
    pub found_by: String,
    /// The verdict; JSON keeps the key `status` that reports have always had.
    #[serde(rename = "status")]
    pub verdict: Verdict,
    /// Why, in sentences an auditor can check by hand.
    pub reasons: Vec<String>,
    /// The rules the verdict rests on, in `auditctl -l` form and kernel order.
    pub rules: Vec<String>,
    /// What an auditor should know that does not change the verdict: a `never` rule
    /// that hides the events of particular processes (noise control), and whether it
    /// can match anything on this host. Empty for most controls.
    pub notes: Vec<String>,
    /// The CIS remediation line for this path.
    pub remediation: String,
    /// The CIS profile level (1 or 2).
    pub level: u8,
    /// The CIS assessment status: "Automated" (1.3.1+) or "Scored" (1.2.0).
    pub assessment: &'static str,
    /// Whether the rules that record this file come back at boot; `None` when no rule
    /// records it or the persistent rule files were not consulted.
    pub persistence: Option<Persistence>,
    /// The `always` rules that record the file (a subset of `rules`), kept as rules so
    /// persistence and `fix` can match them against other rule sets.
    #[serde(skip)]
    pub recording: Vec<Rule>,
    /// `check --prove`: whether a harmless access to the file was recorded; absent
    /// without `--prove` and for controls that were not probed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proof: Option<Proof>,
}

/// What `check --prove` saw when it touched a control's file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Proof {
    /// The record of the probe (the covering rule's key, the file's path) arrived on the
    /// kernel's record stream.
    pub recorded: bool,
    /// It reached auditd's log file (`Some(false)`: it did not, or no daemon writes one);
    /// `None` when that could not be checked (the log unreadable, not recorded).
    pub persisted: Option<bool>,
    /// The record's serial.
    pub serial: Option<u64>,
    /// From the probe to the record's arrival, in microseconds (JSON: `latency_ms`).
    #[serde(rename = "latency_ms", serialize_with = "as_milliseconds")]
    pub latency_us: Option<u64>,
    /// The access made (`openat(O_WRONLY|O_DIRECTORY) -> ENOTDIR`), or why none was.
    pub probe: String,
    /// Why it was not recorded or persisted, or where it was found.
    pub reasons: Vec<String>,
}

impl Proof {
    /// One line for the text and JUnit reports.
    pub fn summary(&self) -> String {
        let latency = self.latency_us.map_or(String::new(), |us| format!(", {:.1} ms", us as f64 / 1000.0));
        let why = |reasons: &[String]| reasons.join("; ");
        match (self.recorded, self.persisted, self.serial) {
            (true, Some(true), Some(serial)) => format!("recorded (event {serial}{latency}) and in auditd's log"),
            (true, _, Some(serial)) => {
                let rest: Vec<String> = self.reasons.iter().skip(1).cloned().collect();
                let logged = if self.persisted == Some(false) { "not in auditd's log" } else { "log not checked" };
                format!("recorded (event {serial}{latency}), {logged}: {}", why(&rest))
            }
            _ if self.probe == "none" => format!("not provable: {}", why(&self.reasons)),
            _ => format!("NOT recorded: {}", why(&self.reasons)),
        }
    }
}

fn as_milliseconds<S: serde::Serializer>(us: &Option<u64>, s: S) -> Result<S::Ok, S::Error> {
    match us {
        Some(us) => s.serialize_f64(*us as f64 / 1000.0),
        None => s.serialize_none(),
    }
}

/// Whether a control's recording rules are in the persistent rule files.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Persistence {
    /// Every recording rule is loaded again at boot.
    pub persistent: bool,
    /// Where each recording rule found on disk comes from (`file:line`).
    pub sources: Vec<String>,
    /// Recording rules that are loaded but in no rule file, in `auditctl -l` form.
    pub lost_at_reboot: Vec<String>,
}

/// A host-wide check (audit enabled, auditd running, ...), reported beside the controls.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HostCheck {
    /// A stable id (`audit-enabled`, `rules-locked`, ...).
    pub id: &'static str,
    /// What is checked, as a statement.
    pub title: &'static str,
    /// The verdict; JSON keeps the key `status` that reports have always had.
    #[serde(rename = "status")]
    pub verdict: Verdict,
    /// Why, with the value the verdict rests on.
    pub reasons: Vec<String>,
}

/// Everything `check` judged: the controls and the host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evaluation {
    /// The benchmark version judged against.
    pub benchmark: Benchmark,
    /// Whether `--strict` demanded the CIS lines themselves.
    pub strict: bool,
    /// The kernel's audit status; `None` when judged offline (rules from a file):
    /// nothing is known about the kernel.
    pub audit_status: Option<Status>,
    /// One verdict per selected control, in catalog order.
    pub controls: Vec<ControlVerdict>,
    /// The host-wide checks.
    pub host: Vec<HostCheck>,
    /// The kernel ABIs judged for, when the caller said how it knows them.
    pub abis: Option<KernelAbis>,
}

impl Evaluation {
    /// How many controls got this verdict.
    pub fn count(&self, verdict: Verdict) -> usize {
        self.controls.iter().filter(|c| c.verdict == verdict).count()
    }

    /// Exit 1: a control failed, is weak or could not be judged, or a host check failed.
    /// Host `weak` checks (rules not locked, lost events, small backlog) are advice.
    pub fn has_findings(&self) -> bool {
        self.controls.iter().any(|c| c.verdict.is_finding())
            || self.host.iter().any(|h| matches!(h.verdict, Verdict::Fail | Verdict::Error))
    }
}

/// What to judge and how strictly.
#[derive(Clone, Debug)]
pub struct Options {
    /// The benchmark version whose controls are judged.
    pub benchmark: Benchmark,
    /// `--strict`: all four permission classes, and one recording rule must be the
    /// CIS line itself (its `-p` and the key `docker`).
    pub strict: bool,
    /// Control ids to judge (empty: all).
    pub only: Vec<String>,
    /// Control ids not to judge.
    pub skip: Vec<String>,
    /// The arch whose syscall numbers the rules use: the kernel's
    /// ([`crate::kernel::running`] live, [`crate::kernel::of_root`] for a root).
    pub native: Arch,
    /// Where `native` and `compat` come from, in words (`kernel::KernelAbis::native_from`);
    /// empty when the caller set them (tests, the library's default), and then the
    /// evaluation does not report them.
    pub native_from: String,
    /// `--arch`: offline, the arch of the kernel the rules are for, whatever the root's
    /// files say (`None`: what they say).
    pub arch: Option<Arch>,
    /// Whether that kernel has a 32-bit compat ABI, whose calls a rule must record too
    /// (unknown is judged as present).
    pub compat: Compat,
    /// Where the judged root's Docker really is ([`crate::docker::discover`], once per
    /// run): each control is judged on the file discovery found. `None` judges the
    /// catalog's paths as written.
    pub discovery: Option<Arc<Discovery>>,
    /// Whether SELinux is enabled on the running kernel, for saying that a never rule
    /// on an SELinux type matches nothing; `None` when not known (offline: the kernel
    /// that will load the rules is not this one).
    pub selinux: Option<bool>,
}

impl Options {
    /// Every control of the benchmark, not strict, for this machine's arch.
    pub fn new(benchmark: Benchmark) -> Options {
        Options {
            benchmark,
            strict: false,
            only: Vec::new(),
            skip: Vec::new(),
            native: Arch::native(),
            native_from: String::new(),
            arch: None,
            compat: Compat::Present(String::new()),
            discovery: None,
            selinux: None,
        }
    }
}

/// `--only` or `--skip` named a control the benchmark does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown control id {id:?} for CIS Docker Benchmark {benchmark}; its audit controls are {known}")]
pub struct UnknownControl {
    /// The id as given.
    pub id: String,
    /// The benchmark's version.
    pub benchmark: &'static str,
    /// The benchmark's control ids, comma-separated.
    pub known: String,
}

/// The controls `--only`/`--skip` leave, in catalog order. Unknown ids are an error, so
/// a typo does not silently turn a check into a pass.
pub fn select(opts: &Options) -> Result<Vec<&'static Control>, UnknownControl> {
    let all = opts.benchmark.controls();
    for id in opts.only.iter().chain(&opts.skip) {
        if !all.iter().any(|c| c.id == id) {
            return Err(UnknownControl {
                id: id.clone(),
                benchmark: opts.benchmark.version(),
                known: all.iter().map(|c| c.id).collect::<Vec<_>>().join(", "),
            });
        }
    }
    Ok(all
        .iter()
        .filter(|c| opts.only.is_empty() || opts.only.iter().any(|id| id == c.id))
        .filter(|c| !opts.skip.iter().any(|id| id == c.id))
        .collect())
}
