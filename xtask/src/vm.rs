//! `cargo xtask vm-test`: boot each test kernel once in QEMU with an
//! initramfs made here, let the guest init run the scenarios of
//! vm-tests/scenarios, and judge the run from the serial console.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use vm_scenario::{marker, Scenario};

use crate::cpio::Cpio;
use crate::kernels::{self, Arch, Kernel};
use crate::{arm64_tools, compat_program, docker_guest, junit, root, tools, XResult};

/// The environment note shown under `cargo xtask vm-test --help` (and `test --help`).
pub const ENVIRONMENT: &str = "\
environment: DOCKAUDIT_QEMU_ARGS adds QEMU arguments (e.g. \"-cpu max\");
DOCKAUDIT_DEBIAN_MIRROR replaces the archive URI read from /etc/apt.";

/// vm-test's options (also `cargo xtask test`'s).
#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// A kernel to boot: 5.10, 6.1, 6.12 (or bullseye, bookworm, trixie: Debian's
    /// linux-image-amd64, cached under target/vm), or the path of a bzImage; repeat for
    /// several. Of --arch's architecture(s); `arm64:6.1` or `x86_64:6.12` names one
    /// architecture's kernel whatever --arch says. Default: --arch's matrix (x86_64:
    /// 5.10 6.1 6.12; arm64: 6.1 6.12); `cargo xtask test`'s: both
    #[arg(long = "kernel", value_name = "K", verbatim_doc_comment)]
    pub kernels: Vec<String>,
    /// The guests' architecture: x86_64 (qemu-system-x86_64), arm64 (qemu-system-aarch64
    /// -M virt, Debian's arm64 kernels and auditd, dockaudit built for
    /// aarch64-unknown-linux-musl) or all [default: x86_64]
    #[arg(long, value_name = "ARCH", verbatim_doc_comment, value_parser = ["x86_64", "arm64", "all"])]
    pub arch: Option<String>,
    /// The *.scn files to use (default vm-tests/scenarios; vm-tests/selftest holds a
    /// deliberately failing one)
    #[arg(long = "scenarios-dir", value_name = "D", verbatim_doc_comment)]
    pub scenario_dir: Option<PathBuf>,
    /// Run only this scenario; NAME may end in *; repeatable
    #[arg(long = "scenario", value_name = "NAME")]
    pub scenarios: Vec<String>,
    /// Write a JUnit XML report (one testsuite per kernel)
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// QEMU accelerator (kvm is opt-in)
    #[arg(long, value_name = "ACCEL", default_value = "tcg", value_parser = ["tcg", "kvm"])]
    pub accel: String,
    /// Limit for one boot, after which QEMU is killed
    #[arg(long, value_name = "SECS", default_value = "600", value_parser = parse_seconds)]
    pub timeout: Duration,
    /// Kernels booted at once (default: number of CPUs)
    #[arg(long, value_name = "N", default_value_t = default_jobs(), hide_default_value = true,
          value_parser = parse_jobs)]
    pub jobs: usize,
    /// Ask apt again for the newest kernel of each suite
    #[arg(long)]
    pub refresh: bool,
    /// Keep the initramfs and console logs (always in target/vm) and print the QEMU
    /// command lines
    #[arg(long, verbatim_doc_comment)]
    pub keep: bool,
}

impl Options {
    /// The kernels to boot, each with its architecture, as given (`--kernel`, `--arch`)
    /// or by default (`for_test`: `cargo xtask test`'s matrix).
    pub fn kernel_args(&self, for_test: bool) -> XResult<Vec<(Arch, String)>> {
        let arches: Vec<Arch> = match self.arch.as_deref() {
            // `cargo xtask test` boots both matrices (vm-tests/README.md has the cost).
            None if for_test && self.kernels.is_empty() => vec![Arch::X86_64, Arch::Arm64],
            None | Some("x86_64") => vec![Arch::X86_64],
            Some("arm64") => vec![Arch::Arm64],
            _ => vec![Arch::X86_64, Arch::Arm64],
        };
        if self.kernels.is_empty() {
            return Ok(arches.iter().flat_map(|a| a.kernels().iter().map(|(s, _)| (*a, s.to_string()))).collect());
        }
        let mut v = Vec::new();
        for k in &self.kernels {
            match k.split_once(':') {
                Some(("arm64", rest)) => v.push((Arch::Arm64, rest.to_string())),
                Some(("x86_64", rest)) => v.push((Arch::X86_64, rest.to_string())),
                _ if arches.len() > 1 && Path::new(k).is_file() => {
                    return Err(format!("--kernel {k}: with --arch all, say whose image it is (arm64:PATH)"))
                }
                _ => v.extend(arches.iter().map(|a| (*a, k.clone()))),
            }
        }
        Ok(v)
    }
}

fn default_jobs() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

fn parse_seconds(v: &str) -> XResult<Duration> {
    v.parse().map(Duration::from_secs).map_err(|_| format!("bad number {v}"))
}

fn parse_jobs(v: &str) -> XResult<usize> {
    v.parse().ok().filter(|n| *n > 0).ok_or_else(|| format!("bad number {v}"))
}

fn selected(sc: &Scenario, filters: &[String]) -> bool {
    filters.is_empty()
        || filters.iter().any(|f| match f.strip_suffix('*') {
            Some(prefix) => sc.name.starts_with(prefix),
            None => sc.name == *f,
        })
}

/// `cargo xtask vm-test` (`for_test`: as part of `cargo xtask test`, whose default
/// matrix adds an arm64 kernel).
pub fn vm_test(o: &Options, for_test: bool) -> XResult<bool> {
    let t0 = Instant::now();
    let root = root();
    let scenarios_dir = o.scenario_dir.clone().unwrap_or_else(|| root.join("vm-tests/scenarios"));
    let all = vm_scenario::load_dir(&scenarios_dir)?;
    let plan: Vec<Scenario> = vm_scenario::run_order(all.into_iter().filter(|s| selected(s, &o.scenarios)).collect());
    if plan.is_empty() {
        return Err(format!("no scenario matches {:?}", o.scenarios));
    }
    tools::ensure_tools()?;
    let kernels: Vec<Kernel> = o
        .kernel_args(for_test)?
        .iter()
        .map(|(arch, k)| kernels::resolve(k, *arch, &root, o.refresh))
        .collect::<XResult<_>>()?;
    let work = root.join("target/vm");
    // One plain initramfs per architecture: its dockaudit, guest init and audit tools.
    let mut initrds: Vec<(Arch, PathBuf)> = Vec::new();
    for arch in [Arch::X86_64, Arch::Arm64] {
        if !kernels.iter().any(|k| k.arch == arch) {
            continue;
        }
        let (dockaudit, init, tools, out) = match arch {
            Arch::X86_64 => (
                tools::build_static("dockaudit", "dockaudit")?,
                tools::build_static("guest-init", "guest-init")?,
                [tools::audit_tool_files()?, vec![compat_program::files(&root, arch, o.refresh)?]].concat(),
                work.join("initramfs.cpio"),
            ),
            Arch::Arm64 => (
                tools::build_static_aarch64("dockaudit", "dockaudit")?,
                tools::build_static_aarch64("guest-init", "guest-init")?,
                [
                    arm64_tools::audit_tool_files(&root, o.refresh)?,
                    vec![compat_program::files(&root, arch, o.refresh)?],
                ]
                .concat(),
                work.join("initramfs-arm64.cpio"),
            ),
        };
        write_initramfs(&out, &init, &dockaudit, &tools, &scenarios_dir, &plan)?;
        initrds.push((arch, out));
    }
    let initrd_of = |arch: Arch| initrds.iter().find(|(a, _)| *a == arch).map(|(_, p)| p.as_path()).unwrap();
    // One boot per kernel for the plain scenarios, one more per distinct
    // `kernel-cmdline` (e.g. audit=0), one more for the docker guest.
    let boots: Vec<(vm_scenario::Boot, Vec<String>)> =
        vm_scenario::boots(&plan).into_iter().map(|(b, scs)| (b, scs.into_iter().map(|s| s.name).collect())).collect();
    // The docker guest's initramfs per architecture and suite, for the kernels that
    // have one, each appended to its architecture's plain initramfs.
    let mut docker_initrds: Vec<(Arch, &str, PathBuf)> = Vec::new();
    if boots.iter().any(|(b, _)| b.docker) {
        for k in &kernels {
            let Some(suite) = docker_guest::suite_for(&k.label) else { continue };
            if docker_initrds.iter().any(|(a, s, _)| *a == k.arch && *s == suite) {
                continue;
            }
            let initrd = initrd_of(k.arch);
            let base = std::fs::read(initrd).map_err(|e| format!("{}: {e}", initrd.display()))?;
            let out = work.join(format!("initramfs-docker-{}.cpio", k.arch.suite_dir(suite)));
            docker_guest::write_initramfs(&root, k.arch, suite, &base, &out, o.refresh)?;
            docker_initrds.push((k.arch, suite, out));
        }
    }
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len() / 1024).unwrap_or(0);
    let docker_sizes: String =
        docker_initrds.iter().map(|(a, s, p)| format!(", docker guest {} {} KiB", a.suite_dir(s), size(p))).collect();
    let sizes: Vec<String> = initrds.iter().map(|(a, p)| format!("{} {} KiB", a.name(), size(p))).collect();
    eprintln!(
        "vm-test: {} scenarios on {} kernel(s), accel {}, initramfs {}{docker_sizes}, prepared in {:.1} s",
        plan.len(),
        kernels.len(),
        o.accel,
        sizes.join(", "),
        t0.elapsed().as_secs_f64()
    );
    let logs = work.join("logs");
    std::fs::create_dir_all(&logs).map_err(|e| e.to_string())?;

    // Boot up to `jobs` kernels at once; each VM is one TCG thread.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let slots: std::sync::Mutex<Vec<Option<BootResult>>> =
        std::sync::Mutex::new((0..kernels.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..o.jobs.clamp(1, kernels.len()) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let Some(k) = kernels.get(i) else { break };
                let mut r: Option<BootResult> = None;
                for (n, (kind, names)) in boots.iter().enumerate() {
                    let cpu = kind.cpu.as_ref().map(|(arch, model)| (arch.as_str(), model.as_str()));
                    let before = skipped_before_booting(k, names, &plan);
                    let b = if let Some(reasons) = before {
                        skipped_each(k, reasons)
                    } else if let Some((arch, model)) = cpu.filter(|(arch, _)| *arch != k.arch.name()) {
                        skipped_because(k, names, &format!("the scenario boots an {arch} CPU ({model})"))
                    } else if kind.docker {
                        let suite = docker_guest::suite_for(&k.label);
                        match docker_initrds.iter().find(|(a, s, _)| *a == k.arch && Some(*s) == suite) {
                            Some((_, _, image)) => {
                                let guest = Guest { initrd: image, memory: docker_guest::MEMORY, cpu: None };
                                boot(k, &guest, names, o, &logs, n, &kind.cmdline)
                            }
                            None => skipped(k, names),
                        }
                    } else {
                        let cpu = cpu.map(|(_, model)| model);
                        let guest = Guest { initrd: initrd_of(k.arch), memory: MEMORY, cpu };
                        boot(k, &guest, names, o, &logs, n, &kind.cmdline)
                    };
                    r = Some(match r {
                        None => b,
                        Some(prev) => merge(prev, b, kind),
                    });
                }
                let r = r.expect("at least one boot");
                print_kernel_summary(&r);
                slots.lock().unwrap()[i] = Some(r);
            });
        }
    });
    let results = slots.into_inner().unwrap();
    let results: Vec<BootResult> = results.into_iter().map(|r| r.expect("every kernel booted")).collect();
    if let Some(path) = &o.junit {
        std::fs::write(path, junit::render(&results)).map_err(|e| format!("{}: {e}", path.display()))?;
        eprintln!("vm-test: wrote {}", path.display());
    }
    if !o.keep {
        for (_, p) in &initrds {
            let _ = std::fs::remove_file(p);
        }
        for (_, _, p) in &docker_initrds {
            let _ = std::fs::remove_file(p);
        }
    }
    let (mut pass, mut fail, mut skip) = (0, 0, 0);
    for r in &results {
        for c in &r.cases {
            match c.status {
                Status::Pass => pass += 1,
                Status::Skip(_) => skip += 1,
                _ => fail += 1,
            }
        }
        fail += r.boot_errors.len();
    }
    println!("vm-test: {} kernel(s) in {:.0} s", results.len(), t0.elapsed().as_secs_f64());
    println!("vm-test: {pass} passed, {fail} failed, {skip} skipped");
    Ok(fail == 0)
}

/// The plain initramfs; `tools` are the audit tools and their libraries (host path,
/// guest path) of the guest's architecture.
fn write_initramfs(
    out: &Path,
    init: &Path,
    dockaudit: &Path,
    tools: &[(PathBuf, String)],
    scn_dir: &Path,
    plan: &[Scenario],
) -> XResult<()> {
    let read = |p: &Path| std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()));
    let mut c = Cpio::new();
    let mut dirs: Vec<String> = [
        "dev",
        "proc",
        "sys",
        "tmp",
        "bin",
        "sbin",
        "etc",
        "etc/audit",
        "etc/audit/plugins.d",
        "root",
        "run",
        "var",
        "var/log",
        "var/log/audit",
        "var/run",
        "vm-tests",
        "vm-tests/scenarios",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for (_, guest) in tools {
        let mut p = Path::new(guest).parent();
        while let Some(d) = p {
            let s = d.to_string_lossy().trim_start_matches('/').to_string();
            if !s.is_empty() && !dirs.contains(&s) {
                dirs.push(s);
            }
            p = d.parent();
        }
    }
    dirs.sort();
    for d in &dirs {
        c.dir(d);
    }
    c.char_dev("dev/console", 0o600, 5, 1);
    c.char_dev("dev/null", 0o666, 1, 3);
    c.file("init", 0o755, &read(init)?);
    c.file("bin/dockaudit", 0o755, &read(dockaudit)?);
    for (host, guest) in tools {
        c.file(guest, 0o755, &read(host)?);
    }
    c.file("etc/passwd", 0o644, b"root:x:0:0:root:/root:/bin/false\nchrony:x:101:101:chrony:/tmp:/bin/false\nuser:x:1000:1000:user:/tmp:/bin/false\n");
    c.file("etc/group", 0o644, b"root:x:0:\nchrony:x:101:\nuser:x:1000:\n");
    for f in vm_scenario::scenario_files(scn_dir)? {
        let name = f.file_name().unwrap_or_default().to_string_lossy().into_owned();
        c.file(&format!("vm-tests/scenarios/{name}"), 0o644, &read(&f)?);
    }
    // Files named by `rules-file` steps.
    let mut copied: Vec<String> = Vec::new();
    for sc in plan {
        for step in &sc.steps {
            let vm_scenario::Step::RulesFile(path) = step.inner() else {
                continue;
            };
            if copied.contains(path) {
                continue;
            }
            let host = if Path::new(path).is_absolute() { PathBuf::from(path) } else { root().join(path) };
            let guest = vm_scenario::guest_file_path(path);
            if let Some(parent) = Path::new(&guest).parent() {
                c.dirs_to(&parent.to_string_lossy(), &mut dirs);
            }
            c.file(&guest, 0o644, &read(&host).map_err(|e| format!("scenario {}: rules-file {e}", sc.name))?);
            copied.push(path.clone());
        }
    }
    for (n, (_, scs)) in vm_scenario::boots(plan).iter().enumerate() {
        let text: String = scs.iter().map(|s| format!("{}\n", s.name)).collect();
        c.file(&format!("vm-tests/plan.{n}"), 0o644, text.as_bytes());
    }
    std::fs::create_dir_all(out.parent().unwrap()).map_err(|e| e.to_string())?;
    std::fs::write(out, c.finish()).map_err(|e| format!("{}: {e}", out.display()))
}

#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Pass,
    Fail,
    Skip(String),
    /// No result marker came for it.
    Missing,
    /// It was running when the boot timed out.
    Hung,
}

#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    pub status: Status,
    pub seconds: f64,
    /// Console lines between its START and RESULT markers.
    pub output: String,
}

#[derive(Debug, Clone)]
pub struct BootResult {
    pub label: String,
    /// `uname -r` of the guest (from DOCKAUDIT-BOOT), else what we knew.
    pub release: String,
    pub image: PathBuf,
    pub seconds: f64,
    pub cases: Vec<Case>,
    /// Whole-boot failures: panic, timeout, missing DONE, duplicated markers...
    pub boot_errors: Vec<String>,
    /// Files the guest printed (`export-log`): name and bytes.
    pub files: Vec<(String, Vec<u8>)>,
    pub console_tail: String,
}

/// Fold a further boot of the same kernel into the first one's result.
fn merge(mut first: BootResult, next: BootResult, kind: &vm_scenario::Boot) -> BootResult {
    first.seconds += next.seconds;
    first.cases.extend(next.cases);
    first.files.extend(next.files);
    let with = if kind.docker {
        format!("the docker guest{}", if kind.cmdline.is_empty() { String::new() } else { " and ".into() })
    } else {
        String::new()
    } + &kind.cmdline.iter().map(|w| format!("`{w}`")).collect::<Vec<_>>().join(" ")
        + &kind.cpu.as_ref().map(|(_, model)| format!("the CPU {model}")).unwrap_or_default();
    first.boot_errors.extend(next.boot_errors.iter().map(|e| format!("boot with {with}: {e}")));
    if !next.boot_errors.is_empty() {
        first.console_tail = next.console_tail;
    }
    first
}

/// Guest memory of the plain boots.
const MEMORY: &str = "512M";

/// The initramfs a boot uses and the memory it gets.
struct Guest<'a> {
    initrd: &'a Path,
    memory: &'a str,
    /// A QEMU CPU model other than the arch's default (`cpu` in a scenario).
    cpu: Option<&'a str>,
}

/// The result of a docker boot on a kernel without a docker guest: every scenario skipped.
fn skipped(k: &Kernel, names: &[String]) -> BootResult {
    let suites: Vec<String> =
        docker_guest::SUITES.iter().map(|(series, s)| format!("{} ({s})", k.arch.label(series))).collect();
    let why = format!("no docker guest for kernel {} (there is one for {})", k.label, suites.join(", "));
    skipped_because(k, names, &why)
}

/// The result of a boot not made: every scenario skipped for `why`.
fn skipped_because(k: &Kernel, names: &[String], why: &str) -> BootResult {
    skipped_each(k, names.iter().map(|n| (n.clone(), why.to_string())).collect())
}

/// Each scenario's reason to SKIP when all of `names` have one before anything runs on
/// `k` (`skip-arch`, `min-kernel`, as the guest would say): that boot is not needed.
fn skipped_before_booting(k: &Kernel, names: &[String], plan: &[Scenario]) -> Option<Vec<(String, String)>> {
    names
        .iter()
        .map(|n| {
            let sc = plan.iter().find(|s| &s.name == n)?;
            let why = vm_scenario::skipped_before_running(sc, k.arch.name(), k.release.as_deref())?;
            Some((n.clone(), why))
        })
        .collect()
}

/// The result of a boot not made: each scenario skipped with its reason.
fn skipped_each(k: &Kernel, reasons: Vec<(String, String)>) -> BootResult {
    BootResult {
        label: k.label.clone(),
        release: k.release.clone().unwrap_or_else(|| k.label.clone()),
        image: k.image.clone(),
        seconds: 0.0,
        cases: reasons
            .into_iter()
            .map(|(name, why)| Case { name, status: Status::Skip(why), seconds: 0.0, output: String::new() })
            .collect(),
        boot_errors: Vec::new(),
        files: Vec::new(),
        console_tail: String::new(),
    }
}

/// The QEMU program of an architecture.
fn qemu_program(arch: Arch) -> &'static str {
    match arch {
        Arch::X86_64 => "qemu-system-x86_64",
        Arch::Arm64 => "qemu-system-aarch64",
    }
}

fn qemu_command(k: &Kernel, guest: &Guest, accel: &str, plan: usize, cmdline: &[String]) -> Command {
    let mut c = Command::new(qemu_program(k.arch));
    if k.arch == Arch::Arm64 {
        // The generic virt board (PL011 UART at ttyAMA0, GIC, PSCI for the reboot);
        // a Cortex-A57 rather than `max`: `max` adds pointer authentication, which
        // Debian's kernels use and TCG emulates slowly; the A57 also runs AArch32
        // programs, what arch=b32 rules are about.
        match guest.cpu {
            // A scenario's CPU may claim the GICv3 system registers (a64fx does), which
            // the board's default GICv2 leaves undefined: the kernel oopses at once.
            Some(model) => c.args(["-M", "virt,gic-version=3", "-cpu", model]),
            None => c.args(["-M", "virt", "-cpu", if accel == "kvm" { "host" } else { "cortex-a57" }]),
        };
    }
    c.args(["-accel", accel, "-m", guest.memory, "-smp", "1", "-nographic", "-no-reboot", "-nodefaults"]);
    c.args(["-serial", "stdio"]);
    if k.arch == Arch::X86_64 {
        match guest.cpu {
            Some(model) => c.args(["-cpu", model]),
            None if accel == "kvm" => c.args(["-cpu", "host"]),
            None => &mut c,
        };
    }
    c.arg("-kernel").arg(&k.image).arg("-initrd").arg(guest.initrd);
    let console = match k.arch {
        Arch::X86_64 => "ttyS0",
        Arch::Arm64 => "ttyAMA0",
    };
    let mut append =
        format!("console={console} panic=-1 oops=panic loglevel=4 rdinit=/init {}{plan}", vm_scenario::PLAN_PARAM);
    for w in cmdline {
        append.push(' ');
        append.push_str(w);
    }
    c.arg("-append").arg(append);
    // Extra QEMU arguments for debugging, e.g. "-cpu max".
    if let Ok(extra) = std::env::var("DOCKAUDIT_QEMU_ARGS") {
        c.args(extra.split_whitespace());
    }
    c
}

fn boot(
    k: &Kernel,
    guest: &Guest,
    names: &[String],
    o: &Options,
    logs: &Path,
    plan: usize,
    cmdline: &[String],
) -> BootResult {
    let t0 = Instant::now();
    let label = k.release.clone().unwrap_or_else(|| k.label.clone());
    let mut cmd = qemu_command(k, guest, &o.accel, plan, cmdline);
    if o.keep {
        eprintln!("vm-test: {label}: {:?}", cmd);
    }
    let suffix = if plan == 0 { String::new() } else { format!("-boot{}", plan + 1) };
    let log_path = logs.join(format!("{}{suffix}.log", label.replace('/', "_")));
    let mut log = std::fs::File::create(&log_path).ok();
    let mut result = BootResult {
        label: k.label.clone(),
        release: label.clone(),
        image: k.image.clone(),
        seconds: 0.0,
        cases: Vec::new(),
        boot_errors: Vec::new(),
        files: Vec::new(),
        console_tail: String::new(),
    };
    let mut child = match cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn() {
        Ok(c) => c,
        Err(e) => {
            result.boot_errors.push(format!("cannot start {}: {e}", qemu_program(k.arch)));
            return finish(result, names, &[], None);
        }
    };
    let (tx, rx) = mpsc::channel::<String>();
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let tx2 = tx.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).split(b'\n').map_while(Result::ok) {
            let s = String::from_utf8_lossy(&line).replace('\r', "");
            if tx.send(s).is_err() {
                break;
            }
        }
    });
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx2.send(format!("[qemu stderr] {line}"));
        }
    });
    let deadline = t0 + o.timeout;
    let mut lines = Vec::new();
    let mut timed_out = false;
    loop {
        let now = Instant::now();
        if now >= deadline {
            timed_out = true;
            break;
        }
        match rx.recv_timeout(deadline - now) {
            Ok(l) => {
                if let Some(f) = log.as_mut() {
                    let _ = writeln!(f, "{l}");
                }
                lines.push((t0.elapsed().as_secs_f64(), l));
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                timed_out = true;
                break;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    if timed_out {
        let _ = child.kill();
    }
    let status = child.wait().ok();
    result.seconds = t0.elapsed().as_secs_f64();
    if timed_out {
        result.boot_errors.push(format!("timed out after {} s; QEMU killed", o.timeout.as_secs()));
    } else if let Some(s) = status.filter(|s| !s.success()) {
        result.boot_errors.push(format!("QEMU exited with {s}"));
    }
    let mut r = finish(result, names, &lines, Some(timed_out));
    eprintln!("vm-test: {label}: console log in {}", log_path.display());
    if !r.files.is_empty() {
        let dir = logs.join(k.label.replace('/', "_"));
        let written = std::fs::create_dir_all(&dir).and_then(|_| {
            r.files.iter().try_for_each(|(name, body)| std::fs::write(dir.join(format!("{name}.log")), body))
        });
        match written {
            Ok(()) => eprintln!("vm-test: {label}: {} exported log(s) in {}", r.files.len(), dir.display()),
            Err(e) => r.boot_errors.push(format!("writing the exported logs to {}: {e}", dir.display())),
        }
    }
    r
}

/// Judge one boot from its console lines (with their arrival times).
fn finish(mut r: BootResult, names: &[String], lines: &[(f64, String)], timed_out: Option<bool>) -> BootResult {
    let mut results: HashMap<String, Case> = HashMap::new();
    let mut current: Option<(String, f64, String)> = None;
    let mut done = false;
    let mut booted = false;
    let mut panic_line = None;
    // Files being printed (`export-log`): name -> base64 so far.
    let mut files: Vec<(String, String)> = Vec::new();
    for (t, line) in lines {
        let l = line.trim();
        // Markers may be preceded by kernel output on the same line.
        let at = |m: &str| l.find(m).map(|i| &l[i + m.len()..]);
        if let Some(rest) = at(marker::FILE_END) {
            let (name, size) = rest.trim().split_once(' ').unwrap_or((rest.trim(), ""));
            let text = files.iter().position(|(n, _)| n == name).map(|i| files.remove(i).1).unwrap_or_default();
            match vm_scenario::b64::decode(&text) {
                Some(body) if size.parse() == Ok(body.len()) => r.files.push((name.to_string(), body)),
                _ => {
                    r.boot_errors.push(format!("exported file {name}: garbled on the console (expected {size} bytes)"))
                }
            }
        } else if let Some(rest) = at(marker::FILE) {
            let (name, chunk) = rest.trim().split_once(' ').unwrap_or((rest.trim(), ""));
            match files.iter_mut().find(|(n, _)| n == name) {
                Some((_, text)) => text.push_str(chunk),
                None => files.push((name.to_string(), chunk.to_string())),
            }
        } else if let Some(rest) = at(marker::BOOT) {
            booted = true;
            if !rest.trim().is_empty() {
                r.release = rest.trim().to_string();
            }
        } else if let Some(rest) = at(marker::START) {
            current = Some((rest.trim().to_string(), *t, String::new()));
        } else if let Some(rest) = at(marker::RESULT) {
            let mut w = rest.split_whitespace();
            let name = w.next().unwrap_or("").to_string();
            let verdict = w.next().unwrap_or("");
            let reason: Vec<&str> = w.collect();
            let (start, output) = match current.take() {
                Some((n, s, out)) if n == name => (s, out),
                other => {
                    current = other;
                    (*t, String::new())
                }
            };
            let status = match verdict {
                "PASS" => Status::Pass,
                "FAIL" => Status::Fail,
                "SKIP" => Status::Skip(reason.join(" ")),
                v => {
                    r.boot_errors.push(format!("scenario {name}: unknown verdict {v:?}"));
                    Status::Fail
                }
            };
            if !names.contains(&name) {
                r.boot_errors.push(format!("result marker for a scenario not in the plan: {name}"));
            } else if results.contains_key(&name) {
                r.boot_errors.push(format!("duplicated result marker for scenario {name}"));
                if let Some(c) = results.get_mut(&name) {
                    c.status = Status::Fail;
                }
            } else {
                results.insert(name.clone(), Case { name, status, seconds: t - start, output });
            }
        } else if at(marker::DONE).is_some() {
            if done {
                r.boot_errors.push("duplicated DOCKAUDIT-DONE marker".into());
            }
            done = true;
        } else if let Some(rest) = at(marker::ERROR) {
            r.boot_errors.push(format!("guest init error: {}", rest.trim()));
        } else if let Some((_, _, out)) = current.as_mut() {
            if !l.is_empty() {
                out.push_str(line);
                out.push('\n');
            }
        }
        if panic_line.is_none() && (l.contains("Kernel panic") || l.contains("BUG: ") || l.contains("Oops: ")) {
            panic_line = Some(l.to_string());
        }
    }
    if let Some(p) = &panic_line {
        let during = current.as_ref().map(|(n, _, _)| format!(" during scenario {n}")).unwrap_or_default();
        r.boot_errors.push(format!("kernel panic or oops{during}: {p}"));
    }
    if timed_out.is_some() && !booted {
        r.boot_errors.push("the guest init never started (no DOCKAUDIT-BOOT marker)".into());
    }
    let hung = if timed_out == Some(true) { current.as_ref().map(|(n, _, _)| n.clone()) } else { None };
    if let Some(h) = &hung {
        r.boot_errors.push(format!("scenario {h} hung: no result before the timeout"));
    }
    if timed_out.is_some() && !done && hung.is_none() {
        r.boot_errors.push("no DOCKAUDIT-DONE marker: the guest did not finish the plan".into());
    }
    if let (Some(p), Some((_, _, out))) = (&panic_line, current.as_mut()) {
        out.push_str(&format!("kernel panic or oops while this scenario ran: {p}\n"));
    }
    for n in names {
        let case = results.remove(n).unwrap_or_else(|| {
            let (status, output) = match &current {
                Some((c, _, out)) if c == n => {
                    (if hung.as_deref() == Some(n) { Status::Hung } else { Status::Missing }, out.clone())
                }
                _ => (Status::Missing, String::new()),
            };
            Case { name: n.clone(), status, seconds: 0.0, output }
        });
        r.cases.push(case);
    }
    let tail: Vec<&str> =
        lines.iter().rev().filter(|(_, l)| !l.trim().is_empty()).take(40).map(|(_, l)| l.as_str()).collect();
    r.console_tail = tail.into_iter().rev().collect::<Vec<_>>().join("\n");
    r
}

fn print_kernel_summary(r: &BootResult) {
    use std::fmt::Write as _;
    let mut out = String::new();
    let count = |f: fn(&Status) -> bool| r.cases.iter().filter(|c| f(&c.status)).count();
    let pass = count(|s| *s == Status::Pass);
    let skip = count(|s| matches!(s, Status::Skip(_)));
    let fail = r.cases.len() - pass - skip;
    let _ = writeln!(
        out,
        "kernel {} ({}): {pass} passed, {fail} failed, {skip} skipped in {:.1} s",
        r.release, r.label, r.seconds
    );
    for c in &r.cases {
        match &c.status {
            Status::Pass => {}
            Status::Skip(why) => {
                let _ = writeln!(out, "  SKIP {}: {why}", c.name);
            }
            s => {
                let what = match s {
                    Status::Missing => "no result marker".to_string(),
                    Status::Hung => "hung (QEMU killed at the timeout)".to_string(),
                    _ => "failed".to_string(),
                };
                let _ = writeln!(out, "  FAIL {} [{}]: {what}", c.name, r.release);
                for l in c.output.lines().take(60) {
                    let _ = writeln!(out, "    {l}");
                }
            }
        }
    }
    for e in &r.boot_errors {
        let _ = writeln!(out, "  BOOT FAILURE [{}]: {e}", r.release);
    }
    if !r.boot_errors.is_empty() {
        let _ = writeln!(out, "  last console lines:");
        for l in r.console_tail.lines() {
            let _ = writeln!(out, "    {l}");
        }
    }
    print!("{out}");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn br() -> BootResult {
        BootResult {
            label: "6.1".into(),
            release: "?".into(),
            image: PathBuf::new(),
            seconds: 0.0,
            cases: vec![],
            boot_errors: vec![],
            files: vec![],
            console_tail: String::new(),
        }
    }

    fn lines(text: &str) -> Vec<(f64, String)> {
        text.lines().enumerate().map(|(i, l)| (i as f64, l.to_string())).collect()
    }

    fn names(n: &[&str]) -> Vec<String> {
        n.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn all_markers_present() {
        let log = "noise\nDOCKAUDIT-BOOT 6.1.0-9-amd64\nDOCKAUDIT-START a\nDOCKAUDIT-RESULT a PASS 3ms\n\
                   DOCKAUDIT-START b\n  | why\nDOCKAUDIT-RESULT b FAIL 1ms\nDOCKAUDIT-START c\n\
                   DOCKAUDIT-RESULT c SKIP no list yet\nDOCKAUDIT-DONE\n";
        let r = finish(br(), &names(&["a", "b", "c"]), &lines(log), Some(false));
        assert_eq!(r.release, "6.1.0-9-amd64");
        assert!(r.boot_errors.is_empty(), "{:?}", r.boot_errors);
        assert_eq!(r.cases[0].status, Status::Pass);
        assert_eq!(r.cases[1].status, Status::Fail);
        assert_eq!(r.cases[1].output, "  | why\n");
        assert_eq!(r.cases[2].status, Status::Skip("no list yet".into()));
    }

    #[test]
    fn missing_duplicated_and_done() {
        let log = "DOCKAUDIT-BOOT x\nDOCKAUDIT-START a\nDOCKAUDIT-RESULT a PASS\nDOCKAUDIT-RESULT a PASS\n";
        let r = finish(br(), &names(&["a", "b"]), &lines(log), Some(false));
        assert_eq!(r.cases[0].status, Status::Fail);
        assert_eq!(r.cases[1].status, Status::Missing);
        assert!(r.boot_errors.iter().any(|e| e.contains("duplicated")));
        assert!(r.boot_errors.iter().any(|e| e.contains("DOCKAUDIT-DONE")));
    }

    #[test]
    fn timeout_names_the_hung_scenario_and_panics_are_failures() {
        let log = "DOCKAUDIT-BOOT x\nDOCKAUDIT-START a\nDOCKAUDIT-RESULT a PASS\nDOCKAUDIT-START b\n";
        let r = finish(br(), &names(&["a", "b"]), &lines(log), Some(true));
        assert_eq!(r.cases[1].status, Status::Hung);
        assert!(r.boot_errors.iter().any(|e| e.contains("scenario b hung")), "{:?}", r.boot_errors);
        let log =
            "DOCKAUDIT-BOOT x\nDOCKAUDIT-START a\n[ 1.0] Kernel panic - not syncing: audit: backlog limit exceeded\n";
        let r = finish(br(), &names(&["a"]), &lines(log), Some(false));
        assert!(
            r.boot_errors.iter().any(|e| e.contains("kernel panic or oops during scenario a")),
            "{:?}",
            r.boot_errors
        );
        assert_eq!(r.cases[0].status, Status::Missing);
    }

    #[test]
    fn exported_files_are_decoded_and_kept_out_of_the_output() {
        let body = b"type=EOE msg=audit(1.2:3): \x1dX\n".repeat(5);
        let text = vm_scenario::b64::encode(&body);
        let (a, b) = text.split_at(40);
        let log = format!(
            "DOCKAUDIT-BOOT x\nDOCKAUDIT-START a\nDOCKAUDIT-FILE raw {a}\n[  1.0] DOCKAUDIT-FILE raw {b}\n\
             DOCKAUDIT-FILE-END raw {}\nDOCKAUDIT-FILE cut QUJD\nDOCKAUDIT-FILE-END cut 4\n\
             DOCKAUDIT-RESULT a PASS 1ms\nDOCKAUDIT-DONE\n",
            body.len()
        );
        let r = finish(br(), &names(&["a"]), &lines(&log), Some(false));
        assert_eq!(r.files, [("raw".to_string(), body)]);
        assert!(r.boot_errors.iter().any(|e| e.contains("exported file cut")), "{:?}", r.boot_errors);
        assert_eq!(r.cases[0].output, "");
    }

    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        o: Options,
    }

    fn parse(args: &[&str]) -> Result<Options, clap::Error> {
        use clap::Parser;
        Cli::try_parse_from(std::iter::once("vm-test").chain(args.iter().copied())).map(|c| c.o)
    }

    #[test]
    fn options() {
        let o = parse(&["--kernel", "6.1", "--junit=o.xml", "--timeout", "30", "--keep"]).unwrap();
        assert_eq!(o.kernels, ["6.1"]);
        assert_eq!(o.junit, Some(PathBuf::from("o.xml")));
        assert_eq!(o.timeout, Duration::from_secs(30));
        assert!(o.keep);
        assert!(parse(&["--accel", "hvf"]).is_err());
        assert!(parse(&["--jobs", "0"]).is_err());
        assert_eq!(parse(&["--help"]).unwrap_err().kind(), clap::error::ErrorKind::DisplayHelp);
        let o = parse(&[]).unwrap();
        let k = |o: &Options, test| -> Vec<String> {
            o.kernel_args(test).unwrap().iter().map(|(a, k)| format!("{}:{k}", a.name())).collect()
        };
        assert_eq!(k(&o, false), ["x86_64:5.10", "x86_64:6.1", "x86_64:6.12"]);
        assert_eq!(k(&o, true), ["x86_64:5.10", "x86_64:6.1", "x86_64:6.12", "arm64:6.1", "arm64:6.12"]);
        let o = parse(&["--arch", "arm64"]).unwrap();
        assert_eq!(k(&o, false), ["arm64:6.1", "arm64:6.12"]);
        assert_eq!(k(&o, true), ["arm64:6.1", "arm64:6.12"]);
        let o = parse(&["--arch", "all", "--kernel", "6.12", "--kernel", "x86_64:5.10"]).unwrap();
        assert_eq!(k(&o, true), ["x86_64:6.12", "arm64:6.12", "x86_64:5.10"]);
        let o = parse(&["--kernel", "arm64:6.1", "--kernel", "6.1"]).unwrap();
        assert_eq!(k(&o, true), ["arm64:6.1", "x86_64:6.1"]);
        assert!(parse(&["--arch", "riscv64"]).is_err());
        assert_eq!((o.accel.as_str(), o.timeout, o.refresh), ("tcg", Duration::from_secs(600), false));
        assert!(o.jobs >= 1);
        assert_eq!(parse(&["--kernel", "6.1", "--kernel", "trixie"]).unwrap().kernels, ["6.1", "trixie"]);
    }
}
