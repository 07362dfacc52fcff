//! `dockaudit check`: the kernel's rules (or, offline, rule files) judged against the
//! catalog on the host's files, with what boot will load.

use std::path::Path;
use std::sync::Arc;

use super::{drop_all_privileges, open_client_keeping, read_rule_files, CommandError, Output};
use crate::docker::{self, ProcFs, Processes};
use crate::host::HostFs;
use crate::judge::{self, Evaluation, HostCheck, Options, Verdict};
use crate::kernel::{self, Keep, RecordStream, DEFAULT_STREAM_BUFFER};
use crate::persist::{self, RuleSet};
use crate::prove;
use crate::report::{self, Format};
use crate::rule::syscalls::Arch;
use crate::rule::Rule;
use crate::rules_file::Resolver;

/// `dockaudit check`: reads the kernel's rules and status, judges them against the
/// catalog with the filesystem under `root`, and returns the report and whether it has
/// findings (exit 1).
/// With `prove`, the record stream is joined before privileges are dropped (it needs
/// CAP_AUDIT_READ) and every passing or weak control is probed (`prove`).
pub fn check(opts: &Options, root: &Path, format: Format, color: bool, prove: bool) -> Result<Output, CommandError> {
    // Unknown ids are a usage error: say so before asking the kernel anything.
    judge::select(opts)?;
    // Discovery reads `/proc/PID/exe` of the running daemons, which needs the
    // capabilities the drop takes away (ptrace read access to a process with more
    // capabilities than ours): it runs first, and only reads.
    let opts = &with_discovery(opts, root, true);
    // The filesystem is read after the drop too: Docker's paths are root's, and uid 0
    // stays, so owner permissions still let us stat them.
    let mut stream = if prove { Some(RecordStream::open(DEFAULT_STREAM_BUFFER)?) } else { None };
    let mut client = open_client_keeping(if prove { Keep::AuditControlAndRead } else { Keep::AuditControl })?;
    let status = client.status()?;
    let rules = client.list_rules()?;
    let mut eval = judge::evaluate(&rules, Some(&status), &HostFs::new(root), opts)?;
    let resolver = Resolver::new(root).with_arch(opts.native).with_features(status.feature_bitmap.unwrap_or(0));
    add_persistence(&mut eval, &rules, root, &resolver);
    if let Some(stream) = stream.as_mut() {
        let context = prove::Context { root, rules: &rules, native: opts.native };
        prove::prove(&mut eval, stream, &mut client, &context)?;
    }
    Ok(render_check(&eval, format, color))
}

/// Joins a kernel evaluation with the rule files `root` loads at boot, read by
/// `resolver` (the running kernel's arch and features): each control's persistence
/// and the `persistent-rules` and `rule-files` host checks. Unreadable rule files are
/// a host check in error, not a failed command: the kernel's verdicts stand on their own.
fn add_persistence(eval: &mut Evaluation, kernel: &[Rule], root: &Path, resolver: &Resolver) {
    let native = resolver.native();
    match persist::persistent_rules_with(root, None, resolver) {
        Ok(disk) => {
            judge::annotate(eval, &disk, native);
            let drift = judge::drift_check(eval, kernel, &disk, native);
            eval.host.push(drift);
            eval.host.push(judge::load_check(&disk));
        }
        Err(e) => eval.host.push(HostCheck {
            id: "persistent-rules",
            title: "Loaded rules match the persistent rule files",
            verdict: Verdict::Error,
            reasons: vec![e.to_string()],
        }),
    }
}

/// The rules judged offline: the given rule files read like `auditctl -R`, or else the
/// rule files `root` loads at boot; bare `-S` names in `native`'s table.
pub fn offline_rules(root: &Path, rule_files: &[String], native: Arch) -> Result<RuleSet, CommandError> {
    if rule_files.is_empty() {
        return persist::persistent_rules_as(root, None, native).map_err(|e| CommandError::Input(e.to_string()));
    }
    let files = read_rule_files(rule_files, true)?;
    Ok(persist::rules_from_files(&files, &Resolver::new(root).with_arch(native)))
}

/// Offline judging without dropping privileges (the caller decides): rules from files,
/// applicability from the files under `root`, host checks from the files' control lines.
pub fn offline_evaluation(opts: &Options, root: &Path, rule_files: &[String]) -> Result<Evaluation, CommandError> {
    judge::select(opts)?;
    let opts = &with_discovery(opts, root, false);
    let disk = offline_rules(root, rule_files, opts.native)?;
    let mut eval = judge::evaluate(&disk.plain_rules(), None, &HostFs::new(root), opts)?;
    judge::annotate(&mut eval, &disk, opts.native);
    // Without a status the evaluation's only host check is discovery's, if any.
    let discovery = std::mem::replace(&mut eval.host, judge::offline_host_checks(&disk));
    eval.host.extend(discovery);
    Ok(eval)
}

/// `dockaudit check --root DIR` / `--rules FILE`: no kernel, no capability. Every
/// capability is dropped before a file is read; the audit socket is never opened.
pub fn check_offline(
    opts: &Options,
    root: &Path,
    rule_files: &[String],
    format: Format,
    color: bool,
) -> Result<Output, CommandError> {
    drop_all_privileges()?;
    let eval = offline_evaluation(opts, root, rule_files)?;
    Ok(render_check(&eval, format, color))
}

/// `opts` with the Docker of `root` discovered (once per command): with the live
/// process table under `root` when the kernel's rules are judged (`/`, `--host-root`),
/// without it offline (`--root`, `--rules`), where what runs is what the units say.
/// Judging the kernel's rules, it also says whether SELinux is on (for the notes on
/// never rules by SELinux type); offline the kernel that loads the rules is another.
pub(super) fn with_discovery(opts: &Options, root: &Path, live: bool) -> Options {
    let procs = live.then(|| ProcFs::under(root));
    let found = docker::discover(&HostFs::new(root), procs.as_ref().map(|p| p as &dyn Processes));
    let selinux = if live { selinux_enabled() } else { None };
    let abis = if live { kernel::running(root) } else { kernel::of_root(&HostFs::new(root), opts.arch) };
    Options {
        discovery: Some(Arc::new(found)),
        selinux,
        native: abis.native,
        native_from: abis.native_from,
        compat: abis.compat,
        ..opts.clone()
    }
}

/// Whether SELinux is enabled on the running kernel, read natively: the kernel
/// registers selinuxfs only when SELinux is enabled (`init_sel_fs` returns first
/// otherwise), mounted or not, so `/proc/filesystems` says it, also in a container,
/// whose kernel is the host's. `None` when it cannot be read.
fn selinux_enabled() -> Option<bool> {
    let text = std::fs::read_to_string("/proc/filesystems").ok()?;
    Some(selinux_in(&text))
}

/// Whether a `/proc/filesystems` text lists selinuxfs (`nodev\tselinuxfs`).
fn selinux_in(filesystems: &str) -> bool {
    filesystems.lines().any(|l| l.split_whitespace().last() == Some("selinuxfs"))
}

fn render_check(eval: &Evaluation, format: Format, color: bool) -> Output {
    Output::with_findings(report::render(eval, format, color).into_bytes(), eval.has_findings())
}

#[cfg(test)]
mod tests {
    #[test]
    fn selinuxfs_is_read_from_the_last_column_of_proc_filesystems() {
        // The layout of /proc/filesystems (fs/filesystems.c: "nodev" or blank, a tab, the name).
        assert!(super::selinux_in("nodev\tsysfs\nnodev\tselinuxfs\n\text4\n"));
        assert!(!super::selinux_in("nodev\tsysfs\nnodev\tsecurityfs\n\text4\n"));
        assert!(!super::selinux_in(""));
    }
}
