//! The verdicts: the CIS Docker Benchmark's audit controls (`catalog`), judged with
//! the kernel's semantics on the host's files (`evaluate`), and what boot will load
//! (`boot`). Pure functions of rules, status and files: nothing here reads the kernel.
//!
//! Judging, one job per file: `evaluate` (the entry point: prepare the rules, locate
//! each control's file, judge it) → `prepare` (each rule's target resolved once, its
//! perms, arch filter, syscall-class coverage per ABI: `syscall_classes`) → `walk`
//! (the first-match walk of the exit list over one file: a `Coverage`) → `decide`
//! (the verdict, a pure function of the coverage) → `explain` (the reasons and the
//! rules cited; `noise` the notes on never rules that name particular processes).
//! `host_checks` judges the audit status; `verdict` holds the result types the
//! reports, `fix` and `boot` read.

mod advice;
mod boot;
mod catalog;
mod decide;
mod evaluate;
mod explain;
mod host_checks;
mod noise;
mod prepare;
mod syscall_classes;
mod verdict;
mod walk;

pub use boot::{annotate, drift_check, load_check, offline_host_checks};
pub use catalog::{Benchmark, Control, Remediation, Target, DEFAULT_UNIT_DIR};
pub use evaluate::evaluate;
pub use host_checks::MIN_BACKLOG;
pub use verdict::{
    select, ControlVerdict, Evaluation, HostCheck, Options, Persistence, Proof, UnknownControl, Verdict,
};
