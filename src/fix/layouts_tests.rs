//! The judge and `fix` end to end on every layout discovery is tested on
//! (`docker::layouts`): the upstream packagings, the configurations that move a
//! component, a live process table. For each layout and benchmark table:
//!
//! 1. no rules: every installed control (not `not_applicable`) fails, judged on the path
//!    discovery found, with discovery's evidence as `found_by`;
//! 2. the CIS remediation lines of the catalog, on the CIS literal paths, loaded in a
//!    fake kernel that refuses what the kernel refuses on these files (a watch under a
//!    missing directory): a control passes exactly when its CIS line lies on the judged
//!    file, and a CIS line that misses it (a missing path, a symlink, another copy) is
//!    named in the reasons;
//! 3. `fix::plan` on that kernel, `fix::apply`, judged again: every installed control
//!    passes (with `--strict` too), nothing is left to propose, and every proposed rule
//!    names the judged path (a file that exists, never a symlink or under one).

use crate::kernel::AuditControl;
use crate::rule::text;
use std::fmt::Write as _;
use std::sync::Arc;

use super::*;
use crate::docker::{layouts, Discovery, Layout, Location};
use crate::host::FakeFs;
use crate::judge::{Benchmark, Control, Target};
use crate::kernel::FakeKernel;
use crate::rule::syscalls::Arch;

/// The benchmark tables (1.7.0 judges with 1.6.0's).
const TABLES: [Benchmark; 2] = [Benchmark::V1_6_0, Benchmark::V1_2_0];

fn options(benchmark: Benchmark, discovery: &Arc<Discovery>) -> Options {
    let mut opts = Options::new(benchmark);
    opts.native = Arch::X86_64;
    opts.discovery = Some(Arc::clone(discovery));
    opts
}

fn catalog(benchmark: Benchmark, id: &str) -> &'static Control {
    benchmark.controls().iter().find(|c| c.id == id).expect("a control of the table")
}

fn target(control: &Control) -> &'static str {
    match control.target {
        Target::Path(p) | Target::Unit(p) => p,
    }
}

/// The path a rule watches (`path=` or `dir=`).
fn watched(rule: &Rule) -> Option<String> {
    [FieldType::WATCH, FieldType::DIR]
        .into_iter()
        .find_map(|kind| rule.field(kind))
        .and_then(|f| f.as_bytes())
        .map(|b| String::from_utf8_lossy(b).into_owned())
}

/// The final inode's path of `path` when it exists, following every link.
fn final_path(fs: &FakeFs, path: &str) -> Option<String> {
    match resolve(fs, Path::new(path), true) {
        Ok(Resolved { path, meta: Some(_) }) => Some(path.display().to_string()),
        _ => None,
    }
}

/// Where a watch on `path` sits: its parent resolved, the last component as written
/// (a watch on a symlink watches the link).
fn watch_point(fs: &FakeFs, path: &str) -> Option<String> {
    resolve(fs, Path::new(path), false).ok().map(|r| r.path.display().to_string())
}

/// What one layout and table gave; `problems` is empty when everything holds.
#[derive(Default)]
struct Outcome {
    installed: usize,
    not_applicable: usize,
    failing_without_rules: usize,
    cis_lines_loaded: usize,
    cis_lines_refused: Vec<String>,
    passing_with_cis: usize,
    rules_proposed: usize,
    passing_after_fix: usize,
    problems: Vec<String>,
}

impl Outcome {
    fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        if !ok {
            self.problems.push(what());
        }
    }
}

fn judge_and_fix(layout: &Layout, benchmark: Benchmark, state: &Path) -> Outcome {
    let fs = &layout.root;
    let discovery = Arc::new(layout.discover());
    let opts = options(benchmark, &discovery);
    let resolver = Resolver::over(fs.clone()).with_arch(Arch::X86_64);
    let mut out = Outcome::default();

    // 1. No rules: every installed control fails, on discovery's path, with its evidence.
    let bare = evaluate(&[], None, fs, &opts).unwrap();
    let mut judged: Vec<(&'static str, String)> = Vec::new();
    for c in &bare.controls {
        let control = catalog(benchmark, c.id);
        let location = discovery.for_cis_target(target(control));
        if c.verdict == Verdict::NotApplicable {
            out.not_applicable += 1;
            out.check(!matches!(location, Some(Location::Found(_))), || {
                format!("{} is not applicable although discovery found it: {location:?}", c.id)
            });
            continue;
        }
        out.installed += 1;
        judged.push((c.id, c.path.clone()));
        out.failing_without_rules += usize::from(c.verdict == Verdict::Fail);
        out.check(c.verdict == Verdict::Fail, || format!("{} is {} with no rules: {c:#?}", c.id, c.verdict.as_str()));
        match location {
            Some(Location::Found(found)) => {
                out.check(c.path == found.path.display().to_string(), || {
                    format!("{} is judged on {}, discovery found {}", c.id, c.path, found.path.display())
                });
                out.check(c.found_by == found.found_by.to_string(), || {
                    format!("{} says found by {:?}, discovery says {:?}", c.id, c.found_by, found.found_by.to_string())
                });
            }
            // Discovery found it nowhere the host would use it, and the CIS path exists.
            Some(Location::NotInstalled(_)) => {
                out.check(c.found_by == "CIS path" && c.path == control.display_path(), || {
                    format!("{} is judged on {} ({}) where discovery found nothing", c.id, c.path, c.found_by)
                });
            }
            other => out.problems.push(format!("{}: discovery gave {other:?}", c.id)),
        }
    }

    // 2. The CIS lines, on the literal paths, where the kernel takes them.
    let mut kernel = FakeKernel::new(1).over(fs.clone());
    for control in benchmark.controls() {
        let line = control.remediation_line(&control.display_path());
        let rule = match rules_file::parse_line(&line, "cis.rules", 1, &resolver) {
            Ok(Some(Line { entry: Entry::Rule { rule, .. }, .. })) => rule,
            other => panic!("{line}: {other:?}"),
        };
        match kernel.add_rule(&rule, false) {
            Ok(()) => out.cis_lines_loaded += 1,
            Err(_) => out.cis_lines_refused.push(line),
        }
    }
    let loaded = kernel.rule_list();
    let with_cis = evaluate(&loaded, Some(&kernel.status), fs, &opts).unwrap();
    for (id, path) in &judged {
        let c = with_cis.controls.iter().find(|c| c.id == *id).unwrap();
        out.check(&c.path == path, || format!("{id} is judged on {} with the CIS lines, on {path} without", c.path));
        let cis = catalog(benchmark, id).display_path();
        let on_the_file = loaded.iter().any(|r| watched(r).is_some_and(|w| watch_point(fs, &w).as_ref() == Some(path)));
        out.passing_with_cis += usize::from(c.verdict == Verdict::Pass);
        // A CIS line that misses the judged file (a missing path, a symlink, another
        // copy) is named in the reasons.
        let cis_rule = loaded.iter().find(|r| watched(r).is_some_and(|w| w == cis));
        if let (false, Some(rule)) = (c.verdict == Verdict::Pass, cis_rule) {
            let named = format!("`{}`", String::from_utf8_lossy(&text::to_text(rule, Arch::X86_64)));
            out.check(c.reasons.iter().any(|r| r.contains(&named)), || {
                format!("{id} is {} with {named} loaded, and no reason names it: {:#?}", c.verdict.as_str(), c.reasons)
            });
        }
        out.check((c.verdict == Verdict::Pass) == on_the_file, || {
            format!(
                "{id} is {} with the CIS lines, yet the CIS line on {cis} {} the judged {path}: {c:#?}",
                c.verdict.as_str(),
                if on_the_file { "lies on" } else { "does not lie on" }
            )
        });
    }

    // 3. fix: plan on that kernel, apply, judge again.
    let plan = plan(&loaded, Some(&kernel.status), fs, &opts, &resolver).unwrap();
    let rendered = render(&plan);
    out.check(!plan.has_manual(), || format!("the plan leaves controls to a person:\n{rendered}"));
    for (fix, rule, _) in plan.rules() {
        out.rules_proposed += 1;
        let judged_path = judged.iter().find(|(id, _)| *id == fix.id).map(|(_, p)| p);
        out.check(judged_path == Some(&fix.path), || {
            format!("{}'s rule goes on {}, the judged path is {judged_path:?}", fix.id, fix.path)
        });
        out.check(final_path(fs, &fix.path).as_ref() == Some(&fix.path), || {
            format!(
                "{}'s rule goes on {}, which is missing or a link (final: {:?})",
                fix.id,
                fix.path,
                final_path(fs, &fix.path)
            )
        });
        out.check(watched(rule).as_ref() == Some(&fix.path), || {
            format!("{}'s rule watches {:?}, not {}", fix.id, watched(rule), fix.path)
        });
    }
    if let Err(e) = apply(&mut kernel, &plan, state, Arch::X86_64) {
        out.problems.push(format!("apply failed: {e}\n{rendered}"));
        return out;
    }
    let after = evaluate(&kernel.rule_list(), Some(&kernel.status), fs, &opts).unwrap();
    for c in &after.controls {
        match judged.iter().find(|(id, _)| *id == c.id) {
            Some((_, path)) => {
                out.passing_after_fix += usize::from(c.verdict == Verdict::Pass);
                out.check(c.verdict == Verdict::Pass && &c.path == path, || {
                    format!(
                        "{} is {} on {} after fix (judged on {path} before):\n{rendered}{c:#?}",
                        c.id,
                        c.verdict.as_str(),
                        c.path
                    )
                });
            }
            None => out.check(c.verdict == Verdict::NotApplicable, || {
                format!("{} was not applicable and is {} after fix", c.id, c.verdict.as_str())
            }),
        }
    }
    // --strict (the CIS perms and key on the judged file) is content with the same rules.
    let strict = Options { strict: true, ..opts.clone() };
    let after_strict = evaluate(&kernel.rule_list(), Some(&kernel.status), fs, &strict).unwrap();
    for c in after_strict.controls.iter().filter(|c| judged.iter().any(|(id, _)| *id == c.id)) {
        out.check(c.verdict == Verdict::Pass, || format!("{} is {} with --strict after fix", c.id, c.verdict.as_str()));
    }
    // Fixed: nothing more to propose.
    let again = super::plan(&kernel.rule_list(), Some(&kernel.status), fs, &opts, &resolver).unwrap();
    out.check(again.fixes.is_empty(), || format!("after apply the plan is not empty:\n{}", render(&again)));
    out
}

/// How many controls each layout has installed, for 1.6.0 and 1.2.0: a control that
/// turns `not_applicable` (discovery no longer finding it) must be seen, since every
/// check above holds trivially for it.
const INSTALLED: &[(&str, usize, usize)] = &[
    ("Debian bookworm", 12, 8),
    ("docker-ce deb", 9, 7),
    ("docker-ce rpm", 9, 7),
    ("openSUSE", 7, 5),
    ("Fedora 42", 5, 4),
    ("RHEL 7", 5, 5),
    ("static /usr/local/bin", 4, 3),
    ("snap", 7, 6),
    ("drop-in resetting ExecStart=", 9, 7),
    ("drop-in on a docker.service copied to /etc", 9, 7),
    ("data-root moved in daemon.json", 10, 8),
    ("--config-file", 10, 8),
    ("DOCKER_OPTS in /etc/default/docker", 4, 4),
    ("containerd --config", 10, 7),
    ("runc shadowed in /usr/local/bin", 3, 3),
    ("nvidia default runtime", 10, 8),
    ("runc redefined in daemon.json", 10, 8),
    ("containerd in /opt with its shims", 2, 1),
    ("containerd 2.x", 2, 1),
    ("OpenRC /etc/conf.d/docker", 2, 2),
    ("sysvinit /etc/default/docker", 2, 2),
    ("Alpine OpenRC", 1, 1),
    ("Debian sysvinit", 2, 2),
    ("live processes", 9, 7),
    ("live dockerd deleted by an upgrade", 9, 7),
];

#[test]
fn on_every_layout_each_installed_control_is_judged_where_the_host_runs_it_and_fix_makes_it_pass() {
    let dir = std::env::temp_dir().join(format!("dockaudit-fix-layouts-{}", std::process::id()));
    let mut table = String::new();
    let mut problems = String::new();
    let all = layouts();
    let mut installed: Vec<(&str, usize, usize)> = Vec::new();
    for (n, layout) in all.iter().enumerate() {
        installed.push((layout.name, 0, 0));
        for benchmark in TABLES {
            let state = dir.join(format!("{n}-{}.rules", benchmark.version()));
            let o = judge_and_fix(layout, benchmark, &state);
            let counts = installed.last_mut().unwrap();
            match benchmark {
                Benchmark::V1_2_0 => counts.2 = o.installed,
                _ => counts.1 = o.installed,
            }
            let line = format!(
                "{:<45} {}: installed {:>2} (fail without rules {:>2}), not applicable {:>2}; CIS lines loaded {:>2}, \
                 refused {}, passing with them {:>2}; fix proposes {:>2}, passing after it {:>2}/{}",
                layout.name,
                benchmark.version(),
                o.installed,
                o.failing_without_rules,
                o.not_applicable,
                o.cis_lines_loaded,
                o.cis_lines_refused.len(),
                o.passing_with_cis,
                o.rules_proposed,
                o.passing_after_fix,
                o.installed,
            );
            writeln!(table, "{line}").unwrap();
            for p in &o.problems {
                writeln!(problems, "{} ({}): {p}", layout.name, benchmark.version()).unwrap();
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!("{table}");
    assert!(problems.is_empty(), "{problems}\n{table}");
    assert_eq!(installed, INSTALLED, "installed controls per layout (1.6.0, 1.2.0):\n{table}");
}

#[test]
fn the_fake_kernel_refuses_a_watch_it_cannot_place_on_the_layout_as_the_kernel_does() {
    let fs = layouts().into_iter().find(|l| l.name == "Debian bookworm").unwrap().root;
    let resolver = Resolver::over(fs.clone()).with_arch(Arch::X86_64);
    let mut kernel = FakeKernel::new(1).over(fs.clone());
    let mut add = |line: &str| {
        let Ok(Some(Line { entry: Entry::Rule { rule, .. }, .. })) = rules_file::parse_line(line, "t", 1, &resolver)
        else {
            panic!("{line}")
        };
        kernel.add_rule(&rule, false).is_ok()
    };
    // A missing file in a directory that exists, a symlink, a tree: placed.
    assert!(add("-w /usr/bin/dockerd -k docker"));
    assert!(add("-w /usr/bin/runc -k docker"));
    assert!(add("-w /etc/docker -k docker"));
    // Under a missing directory (a path or a tree): ENOENT.
    assert!(!add("-w /etc/sysconfig/docker -k docker"));
    assert!(!add("-a exit,always -F path=/run/containerd -F perm=war -k docker"));
    assert!(!add("-a always,exit -F dir=/srv/none -F perm=wa -k docker"));
    assert_eq!(kernel.rules.iter().count(), 3);
}
