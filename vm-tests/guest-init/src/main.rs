//! PID 1 of the VM tests.
//!
//! Booted by `cargo xtask vm-test` from an initramfs that holds this binary
//! as `/init`, a static `/bin/dockaudit`, the host's `/sbin/auditctl` with its
//! shared libraries, the scenario files under `/vm-tests/scenarios` and the
//! run order in `/vm-tests/plan`. It runs every planned scenario, prints the
//! markers of `vm_scenario::marker` on the console (serial), and reboots
//! (QEMU runs with -no-reboot, so that ends the VM).
//!
//! The same binary is also a helper the init calls for itself:
//! `/init wrap [as=UID] [drop=CAPS] [ns=pid|user] -- PROGRAM ARGS...` runs a
//! program under those conditions, and `/init events N PATH` opens PATH N
//! times, `/init touch PATH` writes to it, `/init chmod MODE PATH` changes its
//! mode (PID 1 itself is never audited: it predates `auditctl -e 1`).
//!
//! The initramfs also holds Debian's `auditd`, `ausearch` and `aureport` in
//! /sbin (the `auditd` step, `auditd.rs`).

mod accounting;
mod auditd;
mod docker;

use std::collections::HashMap;
use std::ffi::CString;
use std::io::{Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use vm_scenario::{marker, ExitExpect, Expect, Namespace, Run, RunOpts, Scenario, Step};

const AUDITCTL: &str = "/sbin/auditctl";
const AUSEARCH: &str = "/sbin/ausearch";
const AUREPORT: &str = "/sbin/aureport";
const DOCKAUDIT: &str = "/bin/dockaudit";
/// A command still running after this long is killed and its scenario fails.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(240);
/// How much of a failing command's output is printed.
const MAX_SHOWN_LINES: usize = 40;
/// How much of a `run show` command's output is printed.
const SHOWN_LINES: usize = 100;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("wrap") => wrap_main(&args[2..]),
        Some("events") => events_main(&args[2..]),
        Some("touch") => auditd::touch_main(&args[2..]),
        Some("chmod") => auditd::chmod_main(&args[2..]),
        Some("stat") => stat_main(&args[2..]),
        Some("exec") => exec_main(&args[2..]),
        Some("audited-by-grep") => docker::audited_by_grep_main(&args[2..]),
        Some("supervise") => docker::supervise_main(&args[2..]),
        Some("auditd") => auditd_main(),
        Some("forget-auditd") => forget_auditd_main(),
        // A stand-in for a daemon (the `process` step): named after the file it runs from.
        Some("idle") => loop {
            std::thread::sleep(Duration::from_secs(3600));
        },
        _ if std::process::id() == 1 => pid1(),
        _ => {
            eprintln!("guest-init: this is the init of the dockaudit test VMs (see vm-tests/README.md)");
            std::process::exit(2);
        }
    }
}

/// `/init exec PROG ARGS...`: runs PROG in place of this process, or says why the
/// kernel would not and exits 126 as a shell does, so a scenario can expect the
/// refusal (`expect exit 126`, `expect stderr-contains Exec format error`).
fn exec_main(args: &[String]) -> ! {
    use std::os::unix::process::CommandExt;
    let Some(prog) = args.first() else {
        eprintln!("usage: /init exec PROG ARGS...");
        std::process::exit(2);
    };
    let err = Command::new(prog).args(&args[1..]).exec();
    eprintln!("exec {prog}: {err}");
    std::process::exit(126);
}

// ---------------------------------------------------------------- PID 1

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    // Start on a fresh line: the kernel may have left a partial one.
    let _ = out.write_all(format!("\n{line}\n").as_bytes());
    let _ = out.flush();
}

fn mount(src: &str, target: &str, fstype: &str) {
    let _ = std::fs::create_dir_all(target);
    let c = |s: &str| CString::new(s).unwrap();
    let (s, t, f) = (c(src), c(target), c(fstype));
    // SAFETY: the three pointers come from CStrings that live until after the call, so
    // they are valid NUL-terminated strings; the data argument may be NULL.
    let rc = unsafe { libc::mount(s.as_ptr(), t.as_ptr(), f.as_ptr(), 0, std::ptr::null()) };
    if rc != 0 {
        say(&format!("guest-init: mount {fstype} on {target}: {}", std::io::Error::last_os_error()));
    }
}

fn power_off() -> ! {
    // SAFETY: sync and reboot take no pointers and touch no memory of ours; reboot needs
    // only CAP_SYS_BOOT, which PID 1 has. QEMU runs with -no-reboot, so a reboot ends it.
    unsafe {
        libc::sync();
        libc::reboot(libc::RB_AUTOBOOT);
    }
    loop {
        std::thread::sleep(Duration::from_secs(1));
    }
}

fn pid1() -> ! {
    mount("proc", "/proc", "proc");
    mount("sysfs", "/sys", "sysfs");
    mount("devtmpfs", "/dev", "devtmpfs");
    mount("tmpfs", "/tmp", "tmpfs");
    std::env::set_var("PATH", "/bin:/sbin");
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    say(&format!("{} {}", marker::BOOT, release.trim()));
    match plan() {
        Ok(plan) => run_plan(&plan),
        Err(e) => say(&format!("{} {e}", marker::ERROR)),
    }
    power_off()
}

fn plan() -> Result<Vec<Scenario>, String> {
    let all = vm_scenario::load_dir(Path::new("/vm-tests/scenarios"))?;
    // xtask puts one plan file per boot in the initramfs and names it on the
    // kernel command line (dockaudit.plan=N).
    let cmdline = std::fs::read_to_string("/proc/cmdline").unwrap_or_default();
    let n = cmdline.split_whitespace().find_map(|w| w.strip_prefix(vm_scenario::PLAN_PARAM)).unwrap_or("0").to_string();
    let file = format!("/vm-tests/plan.{n}");
    let names = std::fs::read_to_string(&file).map_err(|e| format!("{file}: {e}"))?;
    names
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|n| {
            all.iter().find(|s| s.name == n.trim()).cloned().ok_or_else(|| format!("{file} names unknown scenario {n}"))
        })
        .collect()
}

struct Guest {
    /// `auditctl -s` values at boot, to reset to; None without audit.
    baseline: Option<HashMap<String, String>>,
    /// The `daemon` step's process, killed when its scenario ends.
    daemon: Option<std::process::Child>,
    /// The `process` steps' processes, killed when their scenario ends.
    processes: Vec<std::process::Child>,
    /// The `auditd` step's real daemon, stopped when its scenario ends.
    auditd: Option<auditd::Auditd>,
    /// Answers of `dockaudit WORDS... --help`, by WORDS.
    has_subcommand: HashMap<Vec<String>, bool>,
    /// The `soon` steps' commands, waited for when their scenario ends.
    soon: Vec<std::thread::JoinHandle<()>>,
    /// The docker guest's engine, once a `docker-engine` step started it; it runs
    /// until the boot ends.
    engine: Option<docker::Engine>,
}

fn run_plan(plan: &[Scenario]) {
    // A kernel booted with audit=0 (or built without CONFIG_AUDIT) has no
    // audit socket: then there is nothing to reset between scenarios.
    let baseline = match command(&[AUDITCTL, "-s"], &RunOpts::default()) {
        Ok(o) if o.code == 0 => Some(parse_status(&o.stdout)),
        Ok(o) => {
            say(&format!("guest-init: auditctl -s at boot exited {}: {}", o.code, o.stderr.trim()));
            None
        }
        Err(e) => {
            say(&format!("{} cannot run {AUDITCTL}: {e}", marker::ERROR));
            return;
        }
    };
    say(&format!("guest-init: audit status at boot: {:?}", baseline));
    let mut g = Guest {
        baseline,
        daemon: None,
        processes: Vec::new(),
        auditd: None,
        has_subcommand: HashMap::new(),
        soon: Vec::new(),
        engine: None,
    };
    for sc in plan {
        say(&format!("{} {}", marker::START, sc.name));
        let t0 = Instant::now();
        let mut created = Vec::new();
        let mut verdict = g.scenario(sc, &mut created);
        for soon in g.soon.drain(..) {
            let _ = soon.join();
        }
        let stopped = g.auditd.take().map_or(Ok(()), |mut d| d.stop().and_then(|_| d.remove_log()));
        if let Err(e) = stopped {
            verdict = match verdict {
                Verdict::Fail(why) => Verdict::Fail(format!("{why}stopping auditd: {e}\n")),
                _ => Verdict::Fail(format!("stopping auditd: {e}\n")),
            };
        }
        for mut child in g.daemon.take().into_iter().chain(g.processes.drain(..)) {
            let _ = child.kill();
            let _ = child.wait();
        }
        for p in created.iter().rev() {
            let _ = std::fs::remove_dir_all(p).or_else(|_| std::fs::remove_file(p));
        }
        let ms = t0.elapsed().as_millis();
        match verdict {
            Verdict::Pass => say(&format!("{} {} PASS {ms}ms", marker::RESULT, sc.name)),
            Verdict::Skip(why) => say(&format!("{} {} SKIP {why}", marker::RESULT, sc.name)),
            Verdict::Fail(why) => {
                print_block(&why);
                say(&format!("{} {} FAIL {ms}ms", marker::RESULT, sc.name));
            }
        }
    }
    say(marker::DONE);
}

fn print_block(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(b"\n");
    for l in text.lines() {
        let _ = writeln!(out, "  | {l}");
    }
    let _ = out.flush();
}

enum Verdict {
    Pass,
    Skip(String),
    Fail(String),
}

/// The audit daemon's pid the kernel reports (`auditctl -s`), 0 for none.
fn audit_pid() -> Option<u32> {
    let o = command(&[AUDITCTL, "-s"], &RunOpts::default()).ok()?;
    parse_status(&o.stdout).get("pid")?.parse().ok()
}

fn parse_status(text: &str) -> HashMap<String, String> {
    text.lines().filter_map(|l| l.split_once(' ')).map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn resolve(prog: &str) -> String {
    match prog {
        "dockaudit" => DOCKAUDIT.to_string(),
        "auditctl" => AUDITCTL.to_string(),
        "ausearch" => AUSEARCH.to_string(),
        "aureport" => AUREPORT.to_string(),
        "docker" => docker::DOCKER.to_string(),
        p => p.to_string(),
    }
}

impl Guest {
    fn scenario(&mut self, sc: &Scenario, created: &mut Vec<PathBuf>) -> Verdict {
        let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").ok();
        if let Some(why) = vm_scenario::skipped_before_running(sc, vm_scenario::this_arch(), release.as_deref()) {
            return Verdict::Skip(why);
        }
        let needs = sc.requires.iter().map(|w| vec![w.clone()]).chain(sc.requires_args.iter().cloned());
        for words in needs {
            let has = *self.has_subcommand.entry(words.clone()).or_insert_with(|| {
                let mut argv = vec![DOCKAUDIT];
                argv.extend(words.iter().map(String::as_str));
                argv.push("--help");
                matches!(command(&argv, &RunOpts::default()),
                         Ok(o) if o.code == 0 && !o.stdout.trim().is_empty())
            });
            if !has {
                return Verdict::Skip(match &words[..] {
                    [word] => format!("dockaudit has no `{word}` subcommand yet"),
                    _ => format!("dockaudit does not take `{}` yet", words.join(" ")),
                });
            }
        }
        if let Err(e) = self.reset() {
            return Verdict::Fail(format!("resetting the kernel's audit state before this scenario failed:\n{e}"));
        }
        let mut report = String::new();
        let mut saved: HashMap<String, String> = HashMap::new();
        let mut failed = false;
        for step in sc.steps.iter().filter_map(|s| s.for_arch(vm_scenario::this_arch())) {
            let r = match step {
                Step::Dir(p) => make_path(p, None, created),
                Step::File { path, content } => make_path(path, Some(content), created),
                Step::Save { name, argv } => {
                    let prog = resolve(&argv[0]);
                    let mut refs: Vec<&str> = vec![prog.as_str()];
                    refs.extend(argv[1..].iter().map(String::as_str));
                    match command(&refs, &RunOpts::default()) {
                        Ok(o) if o.code == 0 => {
                            saved.insert(name.clone(), o.stdout);
                            Ok(())
                        }
                        Ok(o) => {
                            Err(format!("`save {name}`: `{}` exited {}: {}", argv.join(" "), o.code, o.stderr.trim()))
                        }
                        Err(e) => Err(format!("`save {name}`: {e}")),
                    }
                }
                Step::SaveExit { name, argv } => {
                    let prog = resolve(&argv[0]);
                    let mut refs: Vec<&str> = vec![prog.as_str()];
                    refs.extend(argv[1..].iter().map(String::as_str));
                    match command(&refs, &RunOpts::default()) {
                        Ok(o) => {
                            say(&format!("guest-init: `{}` exited {}", argv.join(" "), o.code));
                            saved.insert(name.clone(), o.code.to_string());
                            Ok(())
                        }
                        Err(e) => Err(format!("`save-exit {name}`: {e}")),
                    }
                }
                Step::Auditctl(args) => setup_cmd(AUDITCTL, args),
                Step::Rules { count, template } => load_rules(*count, template),
                Step::RulesFile(path) => setup_cmd(AUDITCTL, &["-R".into(), vm_scenario::guest_file_path(path)]),
                Step::Daemon => self.start_daemon(),
                Step::Events { count, path } => setup_cmd("/init", &["events".into(), count.to_string(), path.clone()]),
                Step::Process(path) => self.start_process(path, created),
                Step::Soon { ms, argv } => {
                    let (ms, prog, args) = (*ms, resolve(&argv[0]), argv[1..].to_vec());
                    self.soon.push(std::thread::spawn(move || {
                        std::thread::sleep(Duration::from_millis(ms));
                        let _ = Command::new(prog).args(args).stdin(Stdio::null()).status();
                    }));
                    Ok(())
                }
                Step::Touch(path) => {
                    if !Path::new(path).exists() {
                        created.push(PathBuf::from(path));
                    }
                    setup_cmd("/init", &["touch".into(), path.clone()])
                }
                Step::Chmod { mode, path } => setup_cmd("/init", &["chmod".into(), mode.clone(), path.clone()]),
                Step::Auditd { enriched, settings } => match (&self.auditd, &self.daemon) {
                    (None, None) => auditd::start(*enriched, settings).map(|d| self.auditd = Some(d)),
                    _ => Err("an audit daemon already runs in this scenario".into()),
                },
                Step::AuditdStop => match self.auditd.as_mut() {
                    Some(d) => d.stop(),
                    None => Err("`auditd stop` needs an `auditd` step before it".into()),
                },
                Step::WaitLog { text, seconds } => match &self.auditd {
                    Some(d) => auditd::wait_log(&d.log, text, *seconds),
                    None => Err("`wait-log` needs an `auditd` step before it".into()),
                },
                Step::DockerEngine => match self.engine {
                    Some(_) => Ok(()),
                    None => docker::start().map(|e| self.engine = Some(e)),
                },
                // for_arch took the step out of its `on` (which never holds another).
                Step::On { .. } => Ok(()),
                Step::ExportLog(name) => match &self.auditd {
                    Some(d) => auditd::export_log(&d.log, name),
                    None => Err("`export-log` needs an `auditd` step before it".into()),
                },
                Step::Run(run) => {
                    let (ok, text) = check_run(run, &saved);
                    report.push_str(&text);
                    if !ok {
                        failed = true;
                    }
                    Ok(())
                }
            };
            if let Err(e) = r {
                report.push_str(&format!("setup step failed: {e}\n"));
                return Verdict::Fail(report);
            }
        }
        if failed {
            Verdict::Fail(format!("{}:{} ({})\n{report}", sc.file, sc.line, sc.about))
        } else {
            Verdict::Pass
        }
    }

    /// Copy `/init` to `path` and run it there, idle, so `/proc/PID/comm` is the file's
    /// name and `/proc/PID/exe` is `path`: what a daemon started from `path` shows.
    fn start_process(&mut self, path: &str, created: &mut Vec<PathBuf>) -> Result<(), String> {
        make_path(path, Some(""), created)?;
        std::fs::copy("/init", path).map_err(|e| format!("copying /init to {path}: {e}"))?;
        let child =
            Command::new(path).arg("idle").stdin(Stdio::null()).spawn().map_err(|e| format!("starting {path}: {e}"))?;
        self.processes.push(child);
        Ok(())
    }

    /// Start `/init auditd` and wait until the kernel reports its pid.
    fn start_daemon(&mut self) -> Result<(), String> {
        if self.auditd.is_some() {
            return Err("the `auditd` step's daemon already runs in this scenario".into());
        }
        let child = Command::new("/init")
            .arg("auditd")
            .stdin(Stdio::null())
            .spawn()
            .map_err(|e| format!("starting /init auditd: {e}"))?;
        let pid = child.id().to_string();
        self.daemon = Some(child);
        let t0 = Instant::now();
        while t0.elapsed() < Duration::from_secs(10) {
            if let Ok(o) = command(&[AUDITCTL, "-s"], &RunOpts::default()) {
                if parse_status(&o.stdout).get("pid") == Some(&pid) {
                    return Ok(());
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(format!("the audit daemon (pid {pid}) was not registered after 10 s"))
    }

    /// Bring the kernel back to the state of a fresh boot with audit enabled
    /// (as auditd leaves it), in this order: -e 0, -D, then
    /// no rules, enabled 1, failure 1, no rate limit, the boot backlog limit
    /// and wait time, lost counter 0. Nothing to do once rules are locked
    /// (`-e 2`): the `final` scenarios expect to inherit that state.
    fn reset(&self) -> Result<(), String> {
        let Some(baseline) = &self.baseline else { return Ok(()) };
        let now = command(&[AUDITCTL, "-s"], &RunOpts::default()).map_err(|e| e.to_string())?;
        if parse_status(&now.stdout).get("enabled").map(String::as_str) == Some("2") {
            return Ok(());
        }
        let b = |k: &str| baseline.get(k).cloned().unwrap_or_default();
        let settings = [
            "-e",
            "1",
            "-f",
            "1",
            "-r",
            "0",
            "-b",
            &b("backlog_limit"),
            "--backlog_wait_time",
            &b("backlog_wait_time"),
        ];
        // Disable first: with audit off, deleting thousands of rules logs no
        // CONFIG_CHANGE records. (Deleting 5000 syscall rules still took a
        // minute on 6.12 under TCG, 6 s on 5.10: keep rule counts moderate.)
        for args in [&["-e", "0"][..], &["-D"][..], &settings[..], &["--reset-lost"][..]] {
            setup_cmd(AUDITCTL, &args.iter().map(|s| s.to_string()).collect::<Vec<_>>())?;
        }
        let l = command(&[AUDITCTL, "-l"], &RunOpts::default()).map_err(|e| e.to_string())?;
        if l.stdout.trim() != "No rules" {
            return Err(format!("auditctl -l after auditctl -D still lists:\n{}", l.stdout));
        }
        Ok(())
    }
}

/// Create a directory (content None) or a file, recording the topmost path
/// that did not exist so it can be removed after the scenario.
fn make_path(path: &str, content: Option<&str>, created: &mut Vec<PathBuf>) -> Result<(), String> {
    let p = Path::new(path);
    let mut top = None;
    let mut a = Some(p);
    while let Some(x) = a {
        if x.as_os_str().is_empty() || x.exists() {
            break;
        }
        top = Some(x.to_path_buf());
        a = x.parent();
    }
    let r = match content {
        None => std::fs::create_dir_all(p),
        Some(c) => {
            if let Some(parent) = p.parent() {
                let _ = std::fs::create_dir_all(parent);
            }
            std::fs::write(p, c)
        }
    };
    created.extend(top);
    r.map_err(|e| format!("creating {path}: {e}"))
}

fn setup_cmd(prog: &str, args: &[String]) -> Result<(), String> {
    let mut argv = vec![prog.to_string()];
    argv.extend(args.iter().cloned());
    let refs: Vec<&str> = argv.iter().map(String::as_str).collect();
    let o = command(&refs, &RunOpts::default()).map_err(|e| format!("{}: {e}", argv.join(" ")))?;
    if o.code != 0 {
        return Err(format!(
            "`{}` exited {}\n{}{}",
            argv.join(" "),
            o.code,
            shown(&o.stdout, "stdout"),
            shown(&o.stderr, "stderr")
        ));
    }
    Ok(())
}

fn load_rules(count: u32, template: &str) -> Result<(), String> {
    let mut text = String::new();
    for i in 0..count {
        text.push_str(&template.replace("{i}", &i.to_string()));
        text.push('\n');
    }
    let file = "/tmp/.vm-tests-rules";
    std::fs::write(file, text).map_err(|e| format!("{file}: {e}"))?;
    let r = setup_cmd(AUDITCTL, &["-R".into(), file.into()]);
    let _ = std::fs::remove_file(file);
    r
}

/// The last lines of a daemon's log, for a failure report.
fn shown_tail(text: &str, what: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let from = lines.len().saturating_sub(MAX_SHOWN_LINES);
    let mut s = format!("{what} (last {} of {} lines):\n", lines.len() - from, lines.len());
    for l in &lines[from..] {
        s.push_str(&format!("    {l}\n"));
    }
    s
}

fn shown(text: &str, what: &str) -> String {
    if text.is_empty() {
        return format!("({what} empty)\n");
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut s = format!("{what} ({} lines):\n", lines.len());
    for l in lines.iter().take(MAX_SHOWN_LINES) {
        s.push_str(&format!("    {l}\n"));
    }
    if lines.len() > MAX_SHOWN_LINES {
        s.push_str(&format!("    ... {} more lines\n", lines.len() - MAX_SHOWN_LINES));
    }
    s
}

/// Where two outputs first differ, for a readable failure.
fn diff(expected: &str, got: &str, oracle: &str, program: &str) -> String {
    let (e, g): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), got.lines().collect());
    let mut s = format!("{oracle} printed {} lines, {program} {} lines\n", e.len(), g.len());
    let mut shown = 0;
    for i in 0..e.len().max(g.len()) {
        let (a, b) = (e.get(i), g.get(i));
        if a != b {
            if shown == 0 {
                s.push_str(&format!("first difference at line {}:\n", i + 1));
            }
            if let Some(a) = a {
                s.push_str(&format!("    - {a}\n"));
            }
            if let Some(b) = b {
                s.push_str(&format!("    + {b}\n"));
            }
            shown += 1;
            if shown >= 10 {
                s.push_str("    ... (more differences)\n");
                break;
            }
        }
    }
    if shown == 0 && expected != got {
        s.push_str("    (same lines, different line endings or final newline)\n");
    }
    s
}

/// Run one `run` step and check its expectations. Returns (passed, report).
fn check_run(run: &Run, saved: &HashMap<String, String>) -> (bool, String) {
    let argv: Vec<String> =
        run.argv.iter().enumerate().map(|(i, a)| if i == 0 { resolve(a) } else { a.clone() }).collect();
    let refs: Vec<&str> = argv.iter().map(String::as_str).collect();
    let mut head = format!("line {}: run", run.line);
    if let Some(u) = run.opts.uid {
        head.push_str(&format!(" as={u}"));
    }
    if !run.opts.drop_caps.is_empty() {
        head.push_str(&format!(" drop={}", run.opts.drop_caps.join(",")));
    }
    match run.opts.ns {
        Some(Namespace::Pid) => head.push_str(" ns=pid"),
        Some(Namespace::User) => head.push_str(" ns=user"),
        None => {}
    }
    head.push_str(&format!(" {}\n", run.argv.join(" ")));
    let t0 = Instant::now();
    let o = match command(&refs, &run.opts) {
        Ok(o) => o,
        Err(e) => return (false, format!("{head}  could not run: {e}\n")),
    };
    if run.opts.show {
        let mut s = format!("{head}  exit code {}\n", o.code);
        for (text, what) in [(&o.stdout, "stdout"), (&o.stderr, "stderr")] {
            s.push_str(&format!("  {what} ({} lines):\n", text.lines().count()));
            for l in text.lines().take(SHOWN_LINES) {
                s.push_str(&format!("    {l}\n"));
            }
            if text.lines().count() > SHOWN_LINES {
                s.push_str(&format!("    ... {} more lines\n", text.lines().count() - SHOWN_LINES));
            }
        }
        print_block(&s);
    }
    let mut problems = Vec::new();
    let mut expects: Vec<Expect> =
        run.expects.iter().filter_map(|e| e.for_arch(vm_scenario::this_arch())).cloned().collect();
    if expects.is_empty() {
        expects.push(Expect::Exit(ExitExpect::Code(0)));
    }
    for e in &expects {
        let problem = match e {
            Expect::Exit(ExitExpect::Code(c)) => (o.code != *c).then(|| format!("exit code {} (wanted {c})", o.code)),
            Expect::Exit(ExitExpect::Nonzero) => (o.code == 0).then(|| "exit code 0 (wanted nonzero)".to_string()),
            Expect::StdoutSameAs(oracle) | Expect::StdoutSameAsCorrected(oracle) => {
                let correct = matches!(e, Expect::StdoutSameAsCorrected(_));
                let oargv: Vec<String> =
                    oracle.iter().enumerate().map(|(i, a)| if i == 0 { resolve(a) } else { a.clone() }).collect();
                let orefs: Vec<&str> = oargv.iter().map(String::as_str).collect();
                // auditctl reads a dump without restarting it on ENOBUFS, so on
                // a loaded machine its listing of thousands of rules can miss
                // one. A mismatch is re-checked against fresh oracle runs;
                // dockaudit's one output must equal one complete listing.
                let mut oracle_out = Err(std::io::Error::other("not run"));
                for attempt in 1..=3 {
                    oracle_out = command(&orefs, &RunOpts::default()).map(|mut r| {
                        if correct {
                            r.stdout = r.stdout.lines().map(|l| vm_scenario::correct_watch_line(l) + "\n").collect();
                        }
                        r
                    });
                    match &oracle_out {
                        Ok(r) if r.stdout == o.stdout => {
                            if attempt > 1 {
                                say(&format!("guest-init: `{}` matched on attempt {attempt}", oracle.join(" ")));
                            }
                            break;
                        }
                        Ok(r) if r.stdout.lines().count() < o.stdout.lines().count() => continue,
                        _ => break,
                    }
                }
                match oracle_out {
                    Err(err) => Some(format!("oracle `{}` could not run: {err}", oracle.join(" "))),
                    Ok(r) if r.stdout != o.stdout => Some(format!(
                        "stdout differs from `{}`:\n{}",
                        oracle.join(" "),
                        diff(&r.stdout, &o.stdout, &oracle.join(" "), &run.argv[0])
                    )),
                    Ok(_) => None,
                }
            }
            Expect::ExitSameAsSaved(name) => match saved.get(name) {
                None => Some(format!("nothing saved as {name:?} (no `save-exit {name}` step before this run)")),
                Some(want) if *want != o.code.to_string() => {
                    Some(format!("exit code {} (wanted {want}, saved as {name})", o.code))
                }
                Some(_) => None,
            },
            Expect::StdoutSameAsSaved(name) => match saved.get(name) {
                None => Some(format!("nothing saved as {name:?} (no `save {name}` step before this run)")),
                Some(want) if *want != o.stdout => Some(format!(
                    "stdout differs from saved {name}:\n{}",
                    diff(want, &o.stdout, &format!("saved {name}"), &run.argv[0])
                )),
                Some(_) => None,
            },
            Expect::Stdout(want) => (o.stdout != *want)
                .then(|| format!("stdout differs:\n{}", diff(want, &o.stdout, "the scenario", &run.argv[0]))),
            Expect::StdoutLine(t) => {
                (!o.stdout.lines().any(|l| l == t)).then(|| format!("no stdout line is exactly {t:?}"))
            }
            Expect::StdoutContains(t) => (!o.stdout.contains(t.as_str())).then(|| format!("stdout lacks {t:?}")),
            Expect::StdoutLacks(t) => o.stdout.contains(t.as_str()).then(|| format!("stdout contains {t:?}")),
            Expect::StderrContains(t) => (!o.stderr.contains(t.as_str())).then(|| format!("stderr lacks {t:?}")),
            Expect::StdoutEmpty => (!o.stdout.is_empty()).then(|| "stdout is not empty".to_string()),
            Expect::StderrEmpty => (!o.stderr.is_empty()).then(|| "stderr is not empty".to_string()),
            Expect::StdoutLines(n) => {
                let got = o.stdout.lines().count();
                (got != *n).then(|| format!("stdout has {got} lines (wanted {n})"))
            }
            // for_arch took it out of its `on` (which never holds another).
            Expect::On { .. } => None,
            Expect::LossAddsUp(log) => {
                let lost = command(&[AUDITCTL, "-s"], &RunOpts::default())
                    .ok()
                    .and_then(|o| parse_status(&o.stdout).get("lost").and_then(|l| l.parse().ok()));
                accounting::check(&o.stdout, &o.stderr, log, lost).err()
            }
        };
        if let Some(p) = problem {
            problems.push(format!("expect {e}: {p}"));
        }
    }
    if problems.is_empty() {
        return (true, String::new());
    }
    let mut s = head;
    for p in &problems {
        s.push_str(&format!("  FAILED {p}\n"));
    }
    s.push_str(&format!("  exit code {} after {} ms\n", o.code, t0.elapsed().as_millis()));
    for (text, what) in [(&o.stdout, "stdout"), (&o.stderr, "stderr")] {
        for l in shown(text, what).lines() {
            s.push_str(&format!("  {l}\n"));
        }
    }
    (false, s)
}

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Run argv (argv[0] a path) under `opts`, with a timeout; capture output.
fn command(argv: &[&str], opts: &RunOpts) -> std::io::Result<Output> {
    let mut cmd = if opts.uid.is_none() && opts.drop_caps.is_empty() && opts.ns.is_none() {
        let mut c = Command::new(argv[0]);
        c.args(&argv[1..]);
        c
    } else {
        let mut c = Command::new("/init");
        c.arg("wrap");
        if let Some(u) = opts.uid {
            c.arg(format!("as={u}"));
        }
        if !opts.drop_caps.is_empty() {
            c.arg(format!("drop={}", opts.drop_caps.join(",")));
        }
        match opts.ns {
            Some(Namespace::Pid) => {
                c.arg("ns=pid");
            }
            Some(Namespace::User) => {
                c.arg("ns=user");
            }
            None => {}
        }
        c.arg("--").args(argv);
        c
    };
    let mut child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
    let reader = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = r.read_to_end(&mut v);
            String::from_utf8_lossy(&v).into_owned()
        })
    };
    let out = reader(Box::new(child.stdout.take().unwrap()));
    let err = reader(Box::new(child.stderr.take().unwrap()));
    let t0 = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait()? {
            break s;
        }
        if t0.elapsed() > COMMAND_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(std::io::Error::other(format!("still running after {} s, killed", COMMAND_TIMEOUT.as_secs())));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let code = status.code().unwrap_or_else(|| 128 + status.signal().unwrap_or(0));
    Ok(Output { code, stdout: out.join().unwrap_or_default(), stderr: err.join().unwrap_or_default() })
}

// ---------------------------------------------------------------- helpers run as child processes

fn die(msg: String) -> ! {
    eprintln!("guest-init wrap: {msg}");
    std::process::exit(125);
}

fn cap_number(name: &str) -> Option<u32> {
    let n = name.trim().to_ascii_uppercase();
    let n = n.strip_prefix("CAP_").unwrap_or(&n);
    Some(match n {
        "NET_ADMIN" => 12,
        "SYS_ADMIN" => 21,
        "AUDIT_WRITE" => 29,
        "AUDIT_CONTROL" => 30,
        "AUDIT_READ" => 37,
        _ => return n.parse().ok(),
    })
}

fn drop_caps(names: &[String]) {
    #[repr(C)]
    struct Header {
        version: u32,
        pid: i32,
    }
    #[repr(C)]
    #[derive(Clone, Copy, Default)]
    struct Data {
        effective: u32,
        permitted: u32,
        inheritable: u32,
    }
    let mut hdr = Header { version: 0x2008_0522, pid: 0 };
    let mut data = [Data::default(); 2];
    // SAFETY: capget with a _LINUX_CAPABILITY_VERSION_3 header writes exactly two
    // `Data` words (both #[repr(C)], laid out as the kernel's structs), and `hdr` and
    // `data` are live, writable locals of those sizes.
    unsafe {
        if libc::syscall(libc::SYS_capget, &mut hdr as *mut Header, data.as_mut_ptr()) != 0 {
            die(format!("capget: {}", std::io::Error::last_os_error()));
        }
    }
    for name in names {
        let Some(cap) = cap_number(name) else { die(format!("unknown capability {name}")) };
        // SAFETY: PR_CAPBSET_DROP takes integer arguments only; no memory is passed.
        if unsafe { libc::prctl(libc::PR_CAPBSET_DROP, cap as libc::c_ulong, 0, 0, 0) } != 0 {
            die(format!("PR_CAPBSET_DROP {name}: {}", std::io::Error::last_os_error()));
        }
        let (w, bit) = ((cap / 32) as usize, 1u32 << (cap % 32));
        data[w].effective &= !bit;
        data[w].permitted &= !bit;
        data[w].inheritable &= !bit;
    }
    // SAFETY: PR_CAP_AMBIENT takes integers only; capset reads (never writes) the same
    // v3 header and the two #[repr(C)] `Data` words, which are live locals.
    unsafe {
        libc::prctl(libc::PR_CAP_AMBIENT, libc::PR_CAP_AMBIENT_CLEAR_ALL as libc::c_ulong, 0, 0, 0);
        if libc::syscall(libc::SYS_capset, &mut hdr as *mut Header, data.as_ptr()) != 0 {
            die(format!("capset: {}", std::io::Error::last_os_error()));
        }
    }
}

/// `/init wrap [as=UID] [drop=CAPS] [ns=pid|user] -- PROGRAM ARGS...`
fn wrap_main(args: &[String]) -> ! {
    let Some(sep) = args.iter().position(|a| a == "--") else { die("usage: wrap [OPTS] -- PROGRAM ARGS".into()) };
    let (opts, argv) = (&args[..sep], &args[sep + 1..]);
    if argv.is_empty() {
        die("no program".into());
    }
    // Applied in a fixed order whatever the order of the options:
    // 1. drop capabilities; 2. with ns=user: (as=UID first, then) a new user
    // namespace whose root is the caller's uid, so the program keeps its
    // capabilities inside it through exec, as in a rootless container;
    // 3. ns=pid: a new pid namespace (entered by a forked child);
    // 4. as=UID without ns=user: setgroups/setgid/setuid.
    let mut uid = None;
    let (mut user_ns, mut pid_ns) = (false, false);
    for o in opts {
        if let Some(v) = o.strip_prefix("drop=") {
            drop_caps(&v.split(',').map(str::to_string).collect::<Vec<_>>());
        } else if let Some(v) = o.strip_prefix("as=") {
            uid = Some(v.parse::<u32>().unwrap_or_else(|_| die(format!("bad uid {v}"))));
        } else if o == "ns=user" {
            user_ns = true;
        } else if o == "ns=pid" {
            pid_ns = true;
        } else {
            die(format!("unknown option {o}"));
        }
    }
    if user_ns {
        if let Some(u) = uid.take() {
            become_uid(u);
        }
        // SAFETY: geteuid and getegid take no arguments and cannot fail. Read before
        // unshare: inside, unmapped ids read as 65534.
        let (outside, outside_gid) = unsafe { (libc::geteuid(), libc::getegid()) };
        // SAFETY: unshare takes a flag word and no pointers; CLONE_NEWUSER needs a
        // single-threaded caller: `/init wrap` is a fresh exec of guest-init, and the wrap
        // path starts no threads.
        if unsafe { libc::unshare(libc::CLONE_NEWUSER) } != 0 {
            die(format!("unshare(CLONE_NEWUSER): {}", std::io::Error::last_os_error()));
        }
        let write = |f: &str, text: String| {
            std::fs::write(f, text).unwrap_or_else(|e| die(format!("writing {f}: {e}")));
        };
        write("/proc/self/setgroups", "deny".into());
        write("/proc/self/uid_map", format!("0 {outside} 1"));
        write("/proc/self/gid_map", format!("0 {outside_gid} 1"));
    }
    if pid_ns {
        // SAFETY: unshare, fork, waitpid and the W* macros take integers or a pointer to
        // the live local `st`; fork is sound because this process is single-threaded (no
        // other thread can hold a lock the child would inherit: `/init wrap` is a fresh
        // exec and the wrap path starts no threads), and the child only goes on to exec
        // the program.
        unsafe {
            if libc::unshare(libc::CLONE_NEWPID) != 0 {
                die(format!("unshare(CLONE_NEWPID): {}", std::io::Error::last_os_error()));
            }
            // Only children enter the new pid namespace.
            let pid = libc::fork();
            if pid < 0 {
                die(format!("fork: {}", std::io::Error::last_os_error()));
            }
            if pid > 0 {
                let mut st = 0;
                libc::waitpid(pid, &mut st, 0);
                let code = if libc::WIFEXITED(st) { libc::WEXITSTATUS(st) } else { 128 + libc::WTERMSIG(st) };
                std::process::exit(code);
            }
        }
    }
    if let Some(u) = uid {
        become_uid(u);
    }
    let e = Command::new(&argv[0]).args(&argv[1..]).exec();
    die(format!("exec {}: {e}", argv[0]))
}

fn become_uid(u: u32) {
    // SAFETY: setgroups with a count of 0 reads no list, so NULL is allowed; setgid,
    // setuid and prctl(PR_SET_DUMPABLE) take integers only.
    unsafe {
        if libc::setgroups(0, std::ptr::null()) != 0 || libc::setgid(u) != 0 || libc::setuid(u) != 0 {
            die(format!("dropping to uid {u}: {}", std::io::Error::last_os_error()));
        }
        // Changing uid makes the process non-dumpable, which puts root in
        // charge of its /proc/self files (uid_map...): undo that.
        libc::prctl(libc::PR_SET_DUMPABLE, 1 as libc::c_ulong, 0, 0, 0);
    }
}

/// Open a NETLINK_AUDIT socket and send AUDIT_SET (mask AUDIT_STATUS_PID) with
/// `pid`: our own pid registers us as the audit daemon, 0 unregisters the
/// daemon (the kernel allows that to anyone once it finds the daemon dead).
/// Returns the socket.
fn audit_set_pid(pid: u32) -> i32 {
    // SAFETY: sendto gets pointers to `msg` and `addr`, live locals, with their true
    // lengths, so the kernel reads only inside them; sockaddr_nl is plain integers,
    // for which all-zero bytes are a valid value (std::mem::zeroed).
    unsafe {
        let fd = libc::socket(libc::AF_NETLINK, libc::SOCK_RAW | libc::SOCK_CLOEXEC, 9 /* NETLINK_AUDIT */);
        if fd < 0 {
            die(format!("socket(NETLINK_AUDIT): {}", std::io::Error::last_os_error()));
        }
        // nlmsghdr (16 bytes) + struct audit_status (11 u32).
        let mut msg = [0u8; 16 + 44];
        let len = msg.len() as u32;
        msg[0..4].copy_from_slice(&len.to_ne_bytes());
        msg[4..6].copy_from_slice(&1001u16.to_ne_bytes()); // AUDIT_SET
        msg[6..8].copy_from_slice(&((libc::NLM_F_REQUEST | libc::NLM_F_ACK) as u16).to_ne_bytes());
        msg[8..12].copy_from_slice(&1u32.to_ne_bytes());
        msg[16..20].copy_from_slice(&4u32.to_ne_bytes()); // mask: AUDIT_STATUS_PID
        msg[28..32].copy_from_slice(&pid.to_ne_bytes()); // pid
        let mut addr: libc::sockaddr_nl = std::mem::zeroed();
        addr.nl_family = libc::AF_NETLINK as libc::sa_family_t;
        let sent = libc::sendto(
            fd,
            msg.as_ptr().cast(),
            msg.len(),
            0,
            (&addr as *const libc::sockaddr_nl).cast(),
            std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
        );
        if sent < 0 {
            die(format!("AUDIT_SET pid {pid}: {}", std::io::Error::last_os_error()));
        }
        fd
    }
}

/// `/init auditd`: the least an audit daemon does. Registers its pid with
/// AUDIT_SET (mask AUDIT_STATUS_PID) and reads and drops every record the
/// kernel sends, until it is killed.
fn auditd_main() -> ! {
    let fd = audit_set_pid(std::process::id());
    let mut buf = vec![0u8; 1 << 16];
    loop {
        // SAFETY: recv writes at most buf.len() bytes into `buf`, a live Vec.
        let n = unsafe { libc::recv(fd, buf.as_mut_ptr().cast(), buf.len(), 0) };
        if n < 0 && std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            // ENOBUFS and the like: keep reading, as auditd does.
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

/// `/init forget-auditd`: AUDIT_SET pid 0, then read the kernel's answer. Before it
/// answers, the kernel tests the registered daemon's socket and, finding it gone,
/// forgets the daemon; its answer (EACCES) only says we are not that daemon.
fn forget_auditd_main() -> ! {
    let fd = audit_set_pid(0);
    let mut buf = [0u8; 1024];
    // SAFETY: recv writes at most buf.len() bytes into `buf`, a live array.
    unsafe { libc::recv(fd, buf.as_mut_ptr().cast(), buf.len(), 0) };
    std::process::exit(0)
}

/// `/init events N PATH`: open and close PATH N times.
/// `/init stat PATH...`: what a probe must not change, one line per path: mode, owner,
/// group, size, mtime and ctime to the nanosecond.
fn stat_main(paths: &[String]) -> ! {
    use std::os::unix::fs::MetadataExt;
    for path in paths {
        match std::fs::symlink_metadata(path) {
            Ok(m) => println!(
                "{path} mode={:o} uid={} gid={} size={} mtime={}.{:09} ctime={}.{:09}",
                m.mode(),
                m.uid(),
                m.gid(),
                m.size(),
                m.mtime(),
                m.mtime_nsec(),
                m.ctime(),
                m.ctime_nsec()
            ),
            Err(e) => println!("{path} {e}"),
        }
    }
    std::process::exit(0)
}

fn events_main(args: &[String]) -> ! {
    let (Some(n), Some(path)) = (args.first().and_then(|n| n.parse::<u32>().ok()), args.get(1)) else {
        die("usage: events N PATH".into())
    };
    for _ in 0..n {
        if let Err(e) = std::fs::File::open(path) {
            die(format!("open {path}: {e}"));
        }
    }
    std::process::exit(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_points_at_first_difference() {
        let d = diff("a\nb\nc\n", "a\nx\nc\n", "auditctl -l", "dockaudit");
        assert!(d.contains("first difference at line 2"), "{d}");
        assert!(d.contains("- b") && d.contains("+ x"), "{d}");
        let d = diff("a\n", "a", "o", "p");
        assert!(d.contains("final newline"), "{d}");
    }

    #[test]
    fn caps_by_name() {
        assert_eq!(cap_number("CAP_AUDIT_CONTROL"), Some(30));
        assert_eq!(cap_number("audit_read"), Some(37));
        assert_eq!(cap_number("7"), Some(7));
        assert_eq!(cap_number("nope"), None);
    }
}
