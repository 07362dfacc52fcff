use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use super::apply::STATE_HEADER;
use super::*;
use crate::host::{FakeFs, HostFs};
use crate::judge::Benchmark;
use crate::kernel::FakeKernel;
use crate::persist::LoadError;
use crate::rule::syscalls::Arch;
use crate::rule::text;
use crate::rules_file::parse;

/// A Docker host's files in a temp directory, judged through HostFs like `--root`.
struct Root(PathBuf);

impl Root {
    fn new() -> Root {
        use std::sync::atomic::{AtomicU32, Ordering};
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "dockaudit-fix-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        for d in ["etc/audit/rules.d", "etc/docker", "usr/bin", "run/containerd", "var/lib/docker/overlay2"] {
            std::fs::create_dir_all(dir.join(d)).unwrap();
        }
        for f in ["usr/bin/dockerd", "usr/bin/containerd", "etc/docker/daemon.json"] {
            std::fs::write(dir.join(f), "").unwrap();
        }
        Root(dir)
    }

    fn rules(&self, text: &str) -> Vec<Rule> {
        rules_read_by(text, &self.resolver())
    }

    fn resolver(&self) -> Resolver {
        Resolver::new(&self.0).with_arch(Arch::X86_64)
    }

    fn plan(&self, rules: &[Rule], status: Option<&Status>) -> Plan {
        plan(rules, status, &HostFs::new(&self.0), &opts(), &self.resolver()).unwrap()
    }

    fn judge(&self, rules: &[Rule]) -> Evaluation {
        evaluate(rules, None, &HostFs::new(&self.0), &opts()).unwrap()
    }
}

impl Drop for Root {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn opts() -> Options {
    let mut opts = Options::new(Benchmark::V1_6_0);
    opts.native = Arch::X86_64;
    opts
}

fn not_passing(eval: &Evaluation) -> Vec<&str> {
    eval.controls.iter().filter(|c| c.verdict.is_finding()).map(|c| c.id).collect()
}

const MIXED: &str =
    "-w /usr/bin/dockerd -p x -k docker\n-w /etc/docker -k docker\n-a always,exit -F arch=b64 -S open -k other\n";

/// The rules of a rules file's text, read with `resolver`.
fn rules_read_by(text: &str, resolver: &Resolver) -> Vec<Rule> {
    parse(text, "t.rules", resolver)
        .unwrap()
        .into_iter()
        .filter_map(|l| match l.entry {
            Entry::Rule { rule, .. } => Some(rule),
            Entry::Directive(_) => None,
        })
        .collect()
}

#[test]
fn one_cis_rule_per_failing_or_weak_control_under_a_comment_naming_it() {
    let root = Root::new();
    let rules = root.rules(MIXED);
    let plan = root.plan(&rules, None);
    assert_eq!(
        render(&plan),
        format!(
            "## dockaudit fix: CIS Docker Benchmark 1.6.0 audit controls; 4 rule(s) for 4 control(s).\n\
             \n# 1.1.3 Ensure auditing is configured for the Docker daemon\n-w /usr/bin/dockerd -p rwxa -k docker\n\
             \n# 1.1.4 Ensure auditing is configured for Docker files and directories - /run/containerd\n\
             -a always,exit -F path=/run/containerd -F perm=war -k docker\n\
             \n# 1.1.5 Ensure auditing is configured for Docker files and directories - /var/lib/docker\n-w /var/lib/docker -p rwxa -k docker\n\
             \n# 1.1.14 Ensure auditing is configured for Docker files and directories - /usr/bin/containerd\n-w /usr/bin/containerd -p rwxa -k docker\n"
        )
    );
    // /var/lib/docker is a directory here: the -w line is a tree watch, as auditctl makes it.
    let var = plan.rules().find(|(f, _, _)| f.id == "1.1.5").unwrap().1;
    assert!(var.field(FieldType::DIR).is_some());
    // The proof: with the plan's rules added, everything applicable passes.
    let mut fixed = rules.clone();
    fixed.extend(plan.rules().map(|(_, r, _)| r.clone()));
    assert_eq!(not_passing(&root.judge(&fixed)), Vec::<&str>::new());
    assert!(!plan.has_manual());
    // Nothing left: a plan that says so.
    let again = root.plan(&fixed, None);
    assert!(again.fixes.is_empty());
    assert!(render(&again).contains("Nothing to fix"));
}

#[test]
fn an_earlier_never_rule_is_beaten_by_prepending_and_named() {
    let root = Root::new();
    let rules = root.rules(
        "-a never,exit -F path=/usr/bin/dockerd\n-a never,exit -F dir=/var/lib/docker/overlay2\n\
         -a always,exit -F path=/run/containerd -F perm=war -k docker\n-w /usr/bin/containerd -k docker\n-w /etc/docker -k docker\n",
    );
    let plan = root.plan(&rules, None);
    let text = render(&plan);
    assert!(text.contains(
        "# 1.1.3 Ensure auditing is configured for the Docker daemon\n\
         # added first (-A): `-a never,exit -S all -F path=/usr/bin/dockerd` comes earlier and would suppress an appended rule\n\
         -A always,exit -F path=/usr/bin/dockerd -F perm=rwxa -k docker\n"
    ), "{text}");
    assert!(text.contains("-A always,exit -F dir=/var/lib/docker -F perm=rwxa -k docker\n"), "{text}");
    let mut fixed: Vec<Rule> = plan.rules().filter(|(_, _, p)| *p).map(|(_, r, _)| r.clone()).collect();
    fixed.reverse();
    fixed.extend(rules);
    fixed.extend(plan.rules().filter(|(_, _, p)| !*p).map(|(_, r, _)| r.clone()));
    assert_eq!(not_passing(&root.judge(&fixed)), Vec::<&str>::new());
}

#[test]
fn what_no_added_rule_can_fix_is_said_and_makes_no_rule() {
    let root = Root::new();
    // The CIS line is there but shadowed: adding it again is refused by the kernel.
    let rules = root.rules("-a never,exit -F path=/usr/bin/dockerd\n-w /usr/bin/dockerd -p rwxa -k docker\n-a always,exclude -F msgtype=SYSCALL\n");
    let plan = root.plan(&rules, None);
    assert!(plan.has_manual());
    let text = render(&plan);
    assert!(text.contains("# /usr/bin/dockerd (fail) cannot be fixed by adding a rule:\n#   `-w /usr/bin/dockerd -p rwxa -k docker` is there already"), "{text}");
    assert!(text.contains("drops SYSCALL records"), "{text}");
    assert!(!text.lines().any(|l| l.starts_with('-')), "{text}");
}

#[test]
fn with_audit_disabled_the_plan_is_made_as_if_enabled_and_says_so() {
    let root = Root::new();
    let status = Status { enabled: 0, ..Status::default() };
    let plan = root.plan(&root.rules(MIXED), Some(&status));
    assert_eq!(plan.rules().count(), 4);
    assert!(render(&plan).contains("## audit is disabled (enabled 0)"));
}

fn kernel_with(root: &Root, text: &str) -> FakeKernel {
    FakeKernel::holding(1, root.rules(text))
}

fn state_path(root: &Root) -> PathBuf {
    root.0.join("run/dockaudit/applied.rules")
}

#[test]
fn apply_then_check_passes_and_revert_restores_the_earlier_rules_exactly() {
    let root = Root::new();
    // The user's own docker-keyed rule and an unrelated one must survive the revert.
    let mut kernel = kernel_with(
        &root,
        "-w /etc/docker -p rwxa -k docker\n-w /etc/passwd -p wa -k identity\n-w /usr/bin/dockerd -p x -k docker\n",
    );
    let before = kernel.listing();
    let plan = root.plan(&kernel.rule_list(), Some(&kernel.status));
    let state = state_path(&root);
    let report = apply(&mut kernel, &plan, &state, Arch::X86_64).unwrap();
    assert_eq!(report.added.len(), 4);
    assert_eq!(not_passing(&root.judge(&kernel.rule_list())), Vec::<&str>::new());
    let recorded = std::fs::read_to_string(&state).unwrap();
    assert!(
        recorded.starts_with(STATE_HEADER) && recorded.ends_with("-w /usr/bin/containerd -p rwxa -k docker\n"),
        "{recorded}"
    );
    assert_eq!(std::fs::metadata(&state).unwrap().permissions().mode() & 0o777, 0o600);

    // A second apply has nothing to add and records nothing twice.
    let again = root.plan(&kernel.rule_list(), Some(&kernel.status));
    assert_eq!(apply(&mut kernel, &again, &state, Arch::X86_64).unwrap().added.len(), 0);

    let reverted = revert(&mut kernel, &state, Arch::X86_64).unwrap();
    assert_eq!(reverted.removed, report.added);
    assert_eq!(kernel.listing(), before);
    assert!(!state.exists());
    // Nothing recorded: nothing to do, nothing touched.
    let calls = kernel.calls.len();
    assert_eq!(revert(&mut kernel, &state, Arch::X86_64).unwrap(), RevertReport::default());
    assert_eq!(kernel.calls.len(), calls);
}

#[test]
fn revert_leaves_rules_deleted_meanwhile_alone_and_says_so() {
    let root = Root::new();
    let mut kernel = kernel_with(&root, "");
    let plan = root.plan(&[], Some(&kernel.status));
    let state = state_path(&root);
    apply(&mut kernel, &plan, &state, Arch::X86_64).unwrap();
    let gone = kernel.rule_list().remove(0);
    kernel.rules.delete(&gone).unwrap();
    let reverted = revert(&mut kernel, &state, Arch::X86_64).unwrap();
    assert_eq!(reverted.gone, vec![String::from_utf8(text::to_text(&gone, Arch::X86_64)).unwrap()]);
    assert!(kernel.rules.is_empty());
}

#[test]
fn a_rejected_rule_in_the_middle_rolls_back_and_records_nothing() {
    let root = Root::new();
    let mut kernel = kernel_with(&root, "-w /etc/passwd -p wa -k identity\n");
    let before = kernel.listing();
    let plan = root.plan(&kernel.rule_list(), Some(&kernel.status));
    // The third of four rules is refused, as a kernel refuses a watch it cannot place.
    kernel.refuse_path = "/var/lib/docker";
    let state = state_path(&root);
    let err = apply(&mut kernel, &plan, &state, Arch::X86_64).unwrap_err();
    let message = err.to_string();
    assert!(message.starts_with("dockaudit fix:"), "{message}");
    assert!(message.contains("rolled back: removed the 2 rule(s) this load had added"), "{message}");
    // A refusal rolled back, not a kernel out of reach: exit 1 (cli::CommandError).
    assert!(matches!(err, FixError::Load(LoadError::Rejected { .. })), "{err:?}");
    assert_eq!(kernel.listing(), before);
    assert!(!state.exists());
}

#[test]
fn a_locked_kernel_is_refused_by_apply_and_revert_before_anything_is_sent() {
    let root = Root::new();
    let mut kernel = kernel_with(&root, "-w /usr/bin/dockerd -p rwxa -k docker\n");
    let plan = root.plan(&[], Some(&kernel.status));
    kernel.status.enabled = 2;
    let state = state_path(&root);
    std::fs::create_dir_all(state.parent().unwrap()).unwrap();
    std::fs::write(&state, format!("{STATE_HEADER}-w /usr/bin/dockerd -p rwxa -k docker\n")).unwrap();
    for (verb, err) in [
        ("apply", apply(&mut kernel, &plan, &state, Arch::X86_64).unwrap_err()),
        ("revert", revert(&mut kernel, &state, Arch::X86_64).unwrap_err()),
    ] {
        assert!(matches!(err, FixError::Locked(_)), "{err}");
        let message = err.to_string();
        assert!(
            message.contains("locked (enabled 2)") && message.contains(&format!("--{verb} changed nothing")),
            "{message}"
        );
    }
    assert!(kernel.calls.is_empty(), "{:?}", kernel.calls);
    assert_eq!(kernel.listing(), vec!["-w /usr/bin/dockerd -p rwxa -k docker"]);
}

#[test]
fn write_is_atomic_idempotent_and_touches_no_other_file() {
    use std::os::unix::fs::MetadataExt;
    let root = Root::new();
    let dir = root.0.join("etc/audit/rules.d");
    std::fs::write(dir.join("10-base.rules"), "-b 8192\n").unwrap();
    let file = dir.join("50-dockaudit.rules");
    assert!(write_atomic(&file, b"-w /usr/bin/dockerd -p rwxa -k docker\n", RULES_FILE_MODE).unwrap());
    let first = std::fs::metadata(&file).unwrap();
    assert_eq!(first.mode() & 0o7777, 0o640);
    // The same bytes: not rewritten (same inode, same mtime).
    assert!(!write_atomic(&file, b"-w /usr/bin/dockerd -p rwxa -k docker\n", RULES_FILE_MODE).unwrap());
    let second = std::fs::metadata(&file).unwrap();
    assert_eq!((first.ino(), first.mtime_nsec()), (second.ino(), second.mtime_nsec()));
    // New bytes replace the file whole (a new inode: rename, not an in-place write) and keep its mode.
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert!(write_atomic(&file, b"-w /etc/docker -p rwxa -k docker\n", RULES_FILE_MODE).unwrap());
    let third = std::fs::metadata(&file).unwrap();
    assert_ne!(third.ino(), first.ino());
    assert_eq!(third.mode() & 0o7777, 0o600);
    let mut names: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names, ["10-base.rules", "50-dockaudit.rules"]);
    assert_eq!(std::fs::read_to_string(dir.join("10-base.rules")).unwrap(), "-b 8192\n");
}

// --- the file discovery found ----------------------------------------------------

/// Debian bookworm as installed (see `judge::advice`'s tests): dockerd and runc in
/// /usr/sbin, `/usr/bin/runc -> ../sbin/runc`, units under /lib -> usr/lib.
fn bookworm() -> FakeFs {
    crate::docker::layout("Debian bookworm").root
}

/// The CIS lines of 1.6.0 for the files bookworm has.
const BOOKWORM_CIS: &str = "-w /usr/bin/dockerd -k docker\n-w /var/lib/docker -k docker\n-w /etc/docker -k docker\n\
    -w /lib/systemd/system/docker.service -k docker\n-w /lib/systemd/system/docker.socket -k docker\n\
    -w /etc/default/docker -k docker\n-w /etc/containerd/config.toml -k docker\n-w /usr/bin/containerd -k docker\n\
    -w /usr/bin/containerd-shim -k docker\n-w /usr/bin/containerd-shim-runc-v1 -k docker\n\
    -w /usr/bin/containerd-shim-runc-v2 -k docker\n-w /usr/bin/runc -k docker\n";

fn discovered(fs: &FakeFs, strict: bool) -> Options {
    let mut opts = opts();
    opts.strict = strict;
    opts.discovery = Some(std::sync::Arc::new(crate::docker::discover(fs, None)));
    opts
}

#[test]
fn on_bookworm_the_rules_go_on_the_files_the_host_runs_and_apply_makes_every_installed_control_pass() {
    let fs = bookworm();
    let resolver = Resolver::over(fs.clone()).with_arch(Arch::X86_64);
    let rules = crate::rules_file::test_rules(BOOKWORM_CIS, &fs);
    let opts = discovered(&fs, false);
    let plan = plan(&rules, None, &fs, &opts, &resolver).unwrap();
    let text = render(&plan);
    assert!(!plan.has_manual(), "{text}");
    let lines: Vec<&str> = plan.rules().map(|(f, _, _)| f.id).collect();
    assert_eq!(lines, ["1.1.3", "1.1.18"], "{text}");
    assert!(
        text.contains(
            "# 1.1.3 Ensure auditing is configured for the Docker daemon\n\
             # the file the host uses: /usr/sbin/dockerd (found by docker.service ExecStart \
             (/usr/lib/systemd/system/docker.service:3); the CIS text names /usr/bin/dockerd)\n\
             -w /usr/sbin/dockerd -p rwxa -k docker\n"
        ),
        "{text}"
    );
    assert!(text.contains("-w /usr/sbin/runc -p rwxa -k docker\n"), "{text}");
    assert!(!text.contains("never rule"), "no never rule is involved: {text}");
    assert!(
        !text.contains("-w /usr/bin/runc") && !text.contains("-w /usr/bin/dockerd"),
        "no rule on a symlink or a missing path: {text}"
    );

    // Applied on the fake kernel that holds the CIS lines: every installed control passes.
    let mut kernel = FakeKernel::holding(1, rules);
    let state = std::env::temp_dir().join(format!("dockaudit-fix-bookworm-{}/applied.rules", std::process::id()));
    let report = apply(&mut kernel, &plan, &state, Arch::X86_64).unwrap();
    assert_eq!(report.added, ["-w /usr/sbin/dockerd -p rwxa -k docker", "-w /usr/sbin/runc -p rwxa -k docker"]);
    let after = evaluate(&kernel.rule_list(), Some(&kernel.status), &fs, &opts).unwrap();
    let bad: Vec<(&str, Verdict)> = after
        .controls
        .iter()
        .filter(|c| c.verdict != Verdict::NotApplicable && c.verdict != Verdict::Pass)
        .map(|c| (c.id, c.verdict))
        .collect();
    assert_eq!(bad, []);
    let _ = std::fs::remove_dir_all(state.parent().unwrap());

    // --strict: the CIS perms and key on the judged files; the plan's lines have both.
    let strict = discovered(&fs, true);
    let plan = super::plan(&kernel.rule_list(), None, &fs, &strict, &resolver).unwrap();
    assert!(plan.fixes.is_empty(), "{}", render(&plan));
    let weak = crate::rules_file::test_rules("-w /usr/sbin/dockerd -p wa -k docker\n", &fs);
    let plan = super::plan(&weak, None, &fs, &strict, &resolver).unwrap();
    let fix = plan.fixes.iter().find(|f| f.id == "1.1.3").unwrap();
    assert_eq!((fix.path.as_str(), fix.was), ("/usr/sbin/dockerd", Verdict::Weak));
    assert!(matches!(&fix.action, FixAction::Append { line, .. } if line == "-w /usr/sbin/dockerd -p rwxa -k docker"));
}

#[test]
fn the_reason_an_existing_cis_rule_does_not_pass_is_the_true_one() {
    let fs = bookworm();
    let resolver = Resolver::over(fs.clone()).with_arch(Arch::X86_64);
    // The right rule, on the judged file, but every SYSCALL record is dropped: no
    // never rule is involved, and the plan must not say there is one.
    let rules = crate::rules_file::test_rules(
        "-w /usr/sbin/runc -p rwxa -k docker\n-a always,exclude -F msgtype=SYSCALL\n",
        &fs,
    );
    let plan = plan(&rules, None, &fs, &discovered(&fs, false), &resolver).unwrap();
    let text = render(&plan);
    assert!(text.contains("#   `-w /usr/sbin/runc -p rwxa -k docker` is there already, yet the control is fail; adding it again changes nothing"), "{text}");
    assert!(!text.contains("before the never rule"), "{text}");
    // Without discovery, judged on the catalog's /usr/bin/runc (a symlink here), the
    // plan still puts the rule on the file the link leads to.
    let rules = crate::rules_file::test_rules("-w /usr/bin/runc -k docker\n", &fs);
    let plan = super::plan(&rules, None, &fs, &opts(), &resolver).unwrap();
    let fix = plan.fixes.iter().find(|f| f.id == "1.1.18").unwrap();
    assert!(
        matches!(&fix.action, FixAction::Append { line, .. } if line == "-w /usr/sbin/runc -p rwxa -k docker"),
        "{}",
        render(&plan)
    );
}

/// The CIS rule for /etc/docker is loaded but a never rule on the tree comes first
/// (issue #15): `fix` must not propose the rule that is there, and the `-A` form of
/// the same rule is an exact duplicate of it (the real kernel loads it: `-A` skips the
/// duplicate check, VM scenario kernel-prepend-skips-the-duplicate-check): the plan
/// prepends it split by arch, `--apply` loads it, the control passes, `--revert`
/// removes exactly what it added.
#[test]
fn a_loaded_cis_rule_shadowed_by_a_never_rule_is_prepended_split_by_arch_and_apply_makes_it_pass() {
    let root = Root::new();
    let loaded = "-a never,exit -F dir=/etc/docker\n-w /etc/docker -p rwxa -k docker\n";
    let mut kernel = kernel_with(&root, loaded);
    let before = kernel.listing();
    // Why split: the unsplit -A line is the loaded rule, listed alike.
    let unsplit = root.rules("-A always,exit -F dir=/etc/docker -F perm=rwxa -k docker\n").remove(0);
    assert_eq!(text::to_text(&unsplit, Arch::X86_64), text::to_text(&kernel.rule_list()[1], Arch::X86_64));

    let plan = root.plan(&kernel.rule_list(), Some(&kernel.status));
    let fix = plan.fixes.iter().find(|f| f.id == "1.1.6").unwrap();
    let FixAction::Prepend { lines, already, never, .. } = &fix.action else { panic!("{}", render(&plan)) };
    assert_eq!(
        lines,
        &[
            "-A always,exit -F arch=b64 -F dir=/etc/docker -F perm=rwxa -k docker",
            "-A always,exit -F arch=b32 -F dir=/etc/docker -F perm=rwxa -k docker"
        ]
    );
    assert_eq!(already.as_deref(), Some("-w /etc/docker -p rwxa -k docker"));
    assert_eq!(never, &["-a never,exit -S all -F dir=/etc/docker"]);
    // No proposed rule is one the kernel holds.
    assert!(!plan.rules().any(|(_, r, _)| kernel.rule_list().iter().any(|k| same_rule(k, r))));
    let text = render(&plan);
    assert!(text.contains("# `-w /etc/docker -p rwxa -k docker` is there already, but `-a never,exit -S all -F dir=/etc/docker` comes earlier and suppresses it"), "{text}");

    let state = state_path(&root);
    apply(&mut kernel, &plan, &state, Arch::X86_64).unwrap();
    assert_eq!(not_passing(&root.judge(&kernel.rule_list())), Vec::<&str>::new());
    revert(&mut kernel, &state, Arch::X86_64).unwrap();
    assert_eq!(kernel.listing(), before);
}

/// Under --strict a never rule on one program makes the control weak; the CIS rule is
/// loaded after it, so the plan prepends rather than appends it again, and it passes.
#[test]
fn under_strict_a_noise_never_rule_before_the_loaded_cis_rule_is_beaten_by_prepending() {
    let root = Root::new();
    let mut kernel =
        kernel_with(&root, "-a never,exit -S all -F exe=/usr/bin/containerd\n-w /etc/docker -p rwxa -k docker\n");
    let mut strict = opts();
    strict.strict = true;
    strict.only = vec!["1.1.6".into()];
    let resolver = root.resolver();
    let plan = plan(&kernel.rule_list(), Some(&kernel.status), &HostFs::new(&root.0), &strict, &resolver).unwrap();
    assert!(matches!(&plan.fixes[0].action, FixAction::Prepend { lines, .. } if lines.len() == 2), "{}", render(&plan));
    apply(&mut kernel, &plan, &state_path(&root), Arch::X86_64).unwrap();
    let after = evaluate(&kernel.rule_list(), None, &HostFs::new(&root.0), &strict).unwrap();
    assert_eq!(after.controls[0].verdict, Verdict::Pass, "{:#?}", after.controls[0]);
    // Without --strict it passes before any fix, with the never rule as a note.
    let lax =
        root.judge(&root.rules("-a never,exit -S all -F exe=/usr/bin/containerd\n-w /etc/docker -p rwxa -k docker\n"));
    let c = lax.controls.iter().find(|c| c.id == "1.1.6").unwrap();
    assert_eq!((c.verdict, c.notes.len()), (Verdict::Pass, 1));
}

/// The same shadowed CIS rule on an arm64 kernel built without `CONFIG_COMPAT`: the
/// judge asks for no 32-bit coverage, so the split is the `arch=b64` line alone (an
/// `arch=b32` rule would record calls nothing can make), and it passes.
#[test]
fn on_arm64_without_compat_the_split_is_b64_alone() {
    let root = Root::new();
    let resolver = Resolver::new(&root.0).with_arch(Arch::Aarch64);
    let rules = |text: &str| rules_read_by(text, &resolver);
    let loaded = rules("-a never,exit -F dir=/etc/docker\n-w /etc/docker -p rwxa -k docker\n");
    let mut opts = Options::new(Benchmark::V1_6_0);
    opts.native = Arch::Aarch64;
    opts.compat = crate::kernel::Compat::Absent("CONFIG_COMPAT is not set in /boot/config-6.1.0-28-arm64".into());
    let plan = plan(&loaded, None, &HostFs::new(&root.0), &opts, &resolver).unwrap();
    let fix = plan.fixes.iter().find(|f| f.id == "1.1.6").unwrap();
    let FixAction::Prepend { lines, .. } = &fix.action else { panic!("{}", render(&plan)) };
    assert_eq!(lines, &["-A always,exit -F arch=b64 -F dir=/etc/docker -F perm=rwxa -k docker"]);
    let mut fixed = rules(&lines[0]);
    fixed.extend(loaded);
    let eval = evaluate(&fixed, None, &HostFs::new(&root.0), &opts).unwrap();
    let v = eval.controls.iter().find(|c| c.id == "1.1.6").unwrap();
    assert_eq!(v.verdict, Verdict::Pass, "{:#?}", v.reasons);

    // With the compat ABI the same plan asks for both.
    opts.compat = crate::kernel::Compat::Present("CONFIG_COMPAT=y".into());
    let plan = super::plan(
        &rules("-a never,exit -F dir=/etc/docker\n-w /etc/docker -p rwxa -k docker\n"),
        None,
        &HostFs::new(&root.0),
        &opts,
        &resolver,
    )
    .unwrap();
    let fix = plan.fixes.iter().find(|f| f.id == "1.1.6").unwrap();
    let FixAction::Prepend { lines, .. } = &fix.action else { panic!("{}", render(&plan)) };
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[1].contains("-F arch=b32"));
}
