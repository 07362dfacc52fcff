//! The scenario files of the VM tests (`vm-tests/scenarios/*.scn`).
//!
//! This crate only parses; the guest init (`vm-tests/guest-init`) runs the
//! scenarios inside a VM and xtask (`cargo xtask vm-test`) uses the parsed
//! names to check the result markers. The format is documented in
//! `vm-tests/README.md`; keep the two in step.
//!
//! std only: it is built for the host and for the static musl guest.

use std::fmt;
use std::path::Path;

/// The architectures of the guests, as `skip-arch` names them.
pub const ARCHES: [&str; 2] = ["x86_64", "arm64"];

/// The lines `on ARCH` may precede: setup steps and expectations, not `run` (its
/// `expect` lines follow it) nor the scenario's own settings.
pub const ON_STEPS: [&str; 12] = [
    "auditctl",
    "rules",
    "rules-file",
    "dir",
    "file",
    "events",
    "touch",
    "chmod",
    "save",
    "save-exit",
    "soon",
    "expect",
];

/// The architecture this program was built for, as `skip-arch` names it.
pub fn this_arch() -> &'static str {
    match std::env::consts::ARCH {
        "aarch64" => "arm64",
        a => a,
    }
}

/// One scenario: a name, a few setup steps and the commands it checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    pub name: String,
    /// File the scenario comes from (base name) and its `scenario` line.
    pub file: String,
    pub line: usize,
    pub about: String,
    /// `final N`: leaves kernel state that cannot be undone in this boot.
    /// Such scenarios run after all others, in ascending `N`.
    pub final_order: Option<u32>,
    /// `requires WORD`: a dockaudit subcommand this scenario needs; the
    /// guest skips the scenario (SKIP, not PASS) when `dockaudit WORD --help`
    /// fails, so scenarios can be written before the subcommand lands.
    pub requires: Vec<String>,
    /// `requires-args WORDS...`: dockaudit arguments this scenario needs; the
    /// guest skips it while `dockaudit WORDS... --help` fails or prints
    /// nothing (clap rejects an unknown flag or value before it reads
    /// `--help`), so scenarios can use a flag or a value before it lands.
    pub requires_args: Vec<Vec<String>>,
    /// `min-kernel X.Y`: SKIP on older kernels (for features they lack).
    pub min_kernel: Option<(u32, u32)>,
    /// `skip-arch ARCH REASON...`: SKIP, with the reason, in the guests of that
    /// architecture (`x86_64`, `arm64`), where the scenario cannot mean anything.
    pub skip_arch: Vec<(String, String)>,
    /// `kernel-cmdline WORDS...`: extra kernel command line words. Scenarios
    /// with the same words share one boot of each kernel (the plain ones
    /// run in the first boot).
    pub cmdline: Vec<String>,
    /// `cpu ARCH MODEL`: the guests of ARCH boot QEMU's MODEL instead of the default
    /// CPU (a boot of its own); on other architectures the scenario is SKIP.
    pub cpu: Option<(String, String)>,
    /// `guest docker`: runs in the docker guest (the kernel's suite's Docker engine
    /// in the initramfs, more memory), a boot of its own; SKIP on kernels without one.
    pub docker: bool,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// `dir PATH`: create a directory (and its parents).
    Dir(String),
    /// `file PATH [TEXT]`: create a file (and its parents) holding TEXT and a
    /// newline, or `file PATH <<END` ... `END`: holding those lines.
    /// `content` is the exact file text.
    File { path: String, content: String },
    /// `daemon`: start a minimal audit daemon (registers its pid with
    /// AUDIT_SET and reads the records) until the scenario ends.
    Daemon,
    /// `save NAME PROGRAM ARGS...`: run a command as root (must exit 0) and
    /// keep its stdout for `expect stdout same-as-saved NAME`.
    Save { name: String, argv: Vec<String> },
    /// `save-exit NAME PROGRAM ARGS...`: run a command as root, whatever its exit
    /// status, and keep that status for `expect exit same-as-saved NAME` (auditctl -R's
    /// status on a file that fails lines under `-c` is 1).
    SaveExit { name: String, argv: Vec<String> },
    /// `auditctl ARGS...`: run the real auditctl as root; must exit 0.
    Auditctl(Vec<String>),
    /// `rules N TEMPLATE`: load N rules with one `auditctl -R`, each the
    /// TEMPLATE with `{i}` replaced by 0..N-1.
    Rules { count: u32, template: String },
    /// `rules-file PATH`: `auditctl -R` of a file from the host (relative
    /// to the repository root, or absolute), copied into the initramfs
    /// under `/vm-tests/files/`.
    RulesFile(String),
    /// `events N PATH`: open and close PATH N times (to make audit records).
    Events { count: u32, path: String },
    /// `process PATH`: a copy of the guest init at PATH, running (idle) until the
    /// scenario ends, so a process named after PATH's file runs from PATH.
    Process(String),
    /// `soon MS PROGRAM ARGS...`: run the command as root in the background MS
    /// milliseconds after this step, while the steps after it go on (a `run` of
    /// `dockaudit events --follow` sees what it does); its exit status is not
    /// checked, and the scenario waits for it before it ends.
    Soon { ms: u64, argv: Vec<String> },
    /// `touch PATH`: from a child process, open PATH for writing (created
    /// when missing, mode 0644) and append a line.
    Touch(String),
    /// `chmod MODE PATH`: chmod PATH to octal MODE from a child process.
    Chmod { mode: String, path: String },
    /// `auditd [raw|enriched] [KEY=VALUE...]`: write /etc/audit/auditd.conf
    /// and start the real `/sbin/auditd -n` until the scenario ends.
    Auditd { enriched: bool, settings: Vec<(String, String)> },
    /// `auditd stop`: stop that daemon now (SIGTERM, wait, the kernel forgets its
    /// pid); its log stays until the scenario ends, complete with DAEMON_END.
    AuditdStop,
    /// `wait-log TEXT [SECONDS]`: wait until a line of the audit log contains
    /// TEXT and the log stopped growing (default 10 s).
    WaitLog { text: String, seconds: u32 },
    /// `docker-engine`: mount what the engine needs, start containerd and dockerd as
    /// their packaged units do and import the test image, unless this boot already
    /// did; the engine runs until the boot ends (docker guest only).
    DockerEngine,
    /// `export-log NAME`: print the audit log on the console (base64, between
    /// `marker::FILE` lines); xtask writes it to target/vm/logs/KERNEL/NAME.log.
    ExportLog(String),
    /// `run [OPTIONS] PROGRAM ARGS...` followed by its `expect` lines.
    Run(Run),
    /// `on ARCH STEP`: a setup step taken only in the guests of that architecture
    /// (`x86_64`, `arm64`), e.g. a rule naming a syscall only one of them has.
    On { arch: String, step: Box<Step> },
}

impl Step {
    /// The step as the guests of `arch` take it: an `on` step's own step on its
    /// architecture, nothing on the others; any other step as it is.
    pub fn for_arch(&self, arch: &str) -> Option<&Step> {
        match self {
            Step::On { arch: a, step } => (a == arch).then_some(step),
            s => Some(s),
        }
    }

    /// The step itself, whatever architecture an `on` names (for the host's view:
    /// the files `rules-file` steps need).
    pub fn inner(&self) -> &Step {
        match self {
            Step::On { step, .. } => step,
            s => s,
        }
    }
}

/// Settings of the `auditd` step: the log, flushed on every record (SYNC) so
/// a scenario can read it while auditd runs, and whatever keeps auditd from
/// suspending or mailing on a small tmpfs. A step's KEY=VALUE overrides these.
pub const AUDITD_CONF: &[(&str, &str)] = &[
    ("local_events", "yes"),
    ("write_logs", "yes"),
    ("log_file", AUDIT_LOG),
    ("log_group", "root"),
    ("flush", "SYNC"),
    ("freq", "0"),
    ("max_log_file", "0"),
    ("num_logs", "0"),
    ("priority_boost", "0"),
    ("name_format", "NONE"),
    ("max_log_file_action", "IGNORE"),
    // auditd wants space_left above admin_space_left (MiB).
    ("space_left", "2"),
    ("space_left_action", "IGNORE"),
    ("verify_email", "no"),
    ("action_mail_acct", "root"),
    ("admin_space_left", "1"),
    ("admin_space_left_action", "IGNORE"),
    ("disk_full_action", "IGNORE"),
    ("disk_error_action", "IGNORE"),
    ("use_libwrap", "no"),
    ("tcp_listen_queue", "5"),
    ("tcp_max_per_addr", "1"),
    ("tcp_client_max_idle", "0"),
    ("transport", "TCP"),
    ("distribute_network", "no"),
    ("q_depth", "2000"),
    ("overflow_action", "IGNORE"),
    ("max_restarts", "10"),
    ("plugin_dir", "/etc/audit/plugins.d"),
    ("end_of_event_timeout", "2"),
];

/// Where the `auditd` step's daemon writes (`log_file` of AUDITD_CONF).
pub const AUDIT_LOG: &str = "/var/log/audit/audit.log";

/// The auditd.conf text for `log_format` RAW or ENRICHED with these overrides
/// (a key not in AUDITD_CONF is added at the end).
pub fn auditd_conf(enriched: bool, settings: &[(String, String)]) -> String {
    let mut lines: Vec<(String, String)> =
        vec![("log_format".into(), if enriched { "ENRICHED" } else { "RAW" }.into())];
    lines.extend(AUDITD_CONF.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    for (k, v) in settings {
        match lines.iter_mut().find(|(key, _)| key == k) {
            Some(l) => l.1 = v.clone(),
            None => lines.push((k.clone(), v.clone())),
        }
    }
    lines.iter().map(|(k, v)| format!("{k} = {v}\n")).collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub line: usize,
    pub opts: RunOpts,
    pub argv: Vec<String>,
    /// No `expect` line at all means `expect exit 0`.
    pub expects: Vec<Expect>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunOpts {
    /// `as=UID`: setgroups([]), setgid(UID), setuid(UID): no capabilities.
    pub uid: Option<u32>,
    /// `drop=CAP_A,CAP_B`: stay uid 0 but drop these capabilities from every set.
    pub drop_caps: Vec<String>,
    /// `ns=pid` or `ns=user`: run in a new namespace of that kind.
    pub ns: Option<Namespace>,
    /// `show`: print its stdout and stderr on the console even when it passes
    /// (for output worth reading in the console log).
    pub show: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Namespace {
    Pid,
    User,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// `expect exit N` / `expect exit nonzero`
    Exit(ExitExpect),
    /// `expect stdout same-as PROGRAM ARGS...`: byte-identical to what that
    /// command (run as root, right after) prints. The oracle check.
    StdoutSameAs(Vec<String>),
    /// `expect stdout same-as-corrected PROGRAM ARGS...`: the same, after
    /// rewriting the watch lines auditctl 3.0.9 garbles when a rule's perm or
    /// key field comes before its path (` -p x-w /usr/bin/yum -k k` becomes
    /// `-w /usr/bin/yum -p x -k k`; bug 2 of auditctl-format.md).
    StdoutSameAsCorrected(Vec<String>),
    /// `expect stdout same-as-saved NAME`: identical to what a `save` step kept.
    StdoutSameAsSaved(String),
    /// `expect exit same-as-saved NAME`: the exit status a `save-exit` step kept.
    ExitSameAsSaved(String),
    /// `expect stdout <<END` ... `END`: exactly these lines.
    Stdout(String),
    /// `expect stdout-line TEXT`: some line of stdout is exactly TEXT.
    StdoutLine(String),
    /// `expect stdout-contains TEXT`
    StdoutContains(String),
    /// `expect stdout-lacks TEXT`
    StdoutLacks(String),
    /// `expect stderr-contains TEXT`
    StderrContains(String),
    /// `expect stdout-empty`
    StdoutEmpty,
    /// `expect stderr-empty`
    StderrEmpty,
    /// `expect stdout-lines N`: stdout has exactly N lines.
    StdoutLines(usize),
    /// `expect loss-adds-up LOG`: for a `dockaudit events --follow --all --format raw` run,
    /// the records it printed plus the records it reported lost (`lost N record(s)` on
    /// stderr, at least one) equal the records auditd wrote to LOG with a serial between
    /// the first and the last printed (auditd's own DAEMON_* records aside).
    LossAddsUp(String),
    /// `on ARCH expect ...`: checked only in the guests of that architecture (e.g. a
    /// syscall's number).
    On { arch: String, expect: Box<Expect> },
}

impl Expect {
    /// The expectation as the guests of `arch` check it (see `Step::for_arch`).
    pub fn for_arch(&self, arch: &str) -> Option<&Expect> {
        match self {
            Expect::On { arch: a, expect } => (a == arch).then_some(expect),
            e => Some(e),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitExpect {
    Code(i32),
    Nonzero,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub file: String,
    pub line: usize,
    pub msg: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.msg)
    }
}

impl std::error::Error for ParseError {}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expect::Exit(ExitExpect::Code(c)) => write!(f, "exit {c}"),
            Expect::Exit(ExitExpect::Nonzero) => write!(f, "exit nonzero"),
            Expect::StdoutSameAs(a) => write!(f, "stdout same-as {}", a.join(" ")),
            Expect::StdoutSameAsCorrected(a) => write!(f, "stdout same-as-corrected {}", a.join(" ")),
            Expect::StdoutSameAsSaved(n) => write!(f, "stdout same-as-saved {n}"),
            Expect::ExitSameAsSaved(n) => write!(f, "exit same-as-saved {n}"),
            Expect::Stdout(_) => write!(f, "stdout <<exact text>>"),
            Expect::StdoutLine(t) => write!(f, "stdout-line {t}"),
            Expect::StdoutContains(t) => write!(f, "stdout-contains {t}"),
            Expect::StdoutLacks(t) => write!(f, "stdout-lacks {t}"),
            Expect::StderrContains(t) => write!(f, "stderr-contains {t}"),
            Expect::StdoutEmpty => write!(f, "stdout-empty"),
            Expect::StderrEmpty => write!(f, "stderr-empty"),
            Expect::StdoutLines(n) => write!(f, "stdout-lines {n}"),
            Expect::LossAddsUp(log) => write!(f, "loss-adds-up {log}"),
            Expect::On { arch, expect } => write!(f, "(on {arch}) {expect}"),
        }
    }
}

/// Split a line into words: whitespace separates, '...' and "..." group
/// (no escapes inside), nothing else is special.
pub fn split_words(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for c in s.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => cur.push(c),
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                in_word = true;
            }
            None if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            None => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if let Some(q) = quote {
        return Err(format!("unterminated {q} quote"));
    }
    if in_word {
        out.push(cur);
    }
    Ok(out)
}

fn valid_name(n: &str) -> bool {
    !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
}

/// The lines after a `<<MARK` line up to the line MARK, each with a newline.
fn heredoc<'a>(lines: &mut impl Iterator<Item = (usize, &'a str)>, mark: &str) -> Result<String, String> {
    if mark.is_empty() {
        return Err("`<<` needs an end marker".into());
    }
    let mut body = String::new();
    for (_, l) in lines.by_ref() {
        if l.trim() == mark {
            return Ok(body);
        }
        body.push_str(l);
        body.push('\n');
    }
    Err(format!("no end marker {mark:?} before end of file"))
}

/// Parse one scenario file. `file` is used in error messages and `Scenario::file`.
pub fn parse(file: &str, text: &str) -> Result<Vec<Scenario>, ParseError> {
    let err = |line: usize, msg: String| ParseError { file: file.to_string(), line, msg };
    let mut out: Vec<Scenario> = Vec::new();
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
    while let Some((no, raw)) = lines.next() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (kw, rest) = match line.split_once(char::is_whitespace) {
            Some((k, r)) => (k, r.trim()),
            None => (line, ""),
        };
        if kw == "scenario" {
            if !valid_name(rest) {
                return Err(err(no, format!("bad scenario name {rest:?} (letters, digits, - _ . only)")));
            }
            out.push(Scenario {
                name: rest.to_string(),
                file: file.to_string(),
                line: no,
                about: String::new(),
                final_order: None,
                requires: Vec::new(),
                requires_args: Vec::new(),
                min_kernel: None,
                skip_arch: Vec::new(),
                cmdline: Vec::new(),
                cpu: None,
                docker: false,
                steps: Vec::new(),
            });
            continue;
        }
        let Some(sc) = out.last_mut() else {
            return Err(err(no, format!("{kw:?} before the first `scenario` line")));
        };
        // `on ARCH STEP`: the step's own line after the architecture.
        let (only_on, kw, rest) = if kw == "on" {
            let (arch, step) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            let (k, r) = step.trim().split_once(char::is_whitespace).unwrap_or((step.trim(), ""));
            if !ARCHES.contains(&arch) || !ON_STEPS.contains(&k) {
                return Err(err(
                    no,
                    format!(
                        "`on` needs an architecture ({}) and a setup step ({}), got {rest:?}",
                        ARCHES.join(", "),
                        ON_STEPS.join(", ")
                    ),
                ));
            }
            (Some(arch.to_string()), k, r.trim())
        } else {
            (None, kw, rest)
        };
        let steps_before = sc.steps.len();
        let words = || split_words(rest).map_err(|e| err(no, e));
        let need = |what: &str| -> Result<(), ParseError> {
            if rest.is_empty() {
                Err(err(no, format!("`{kw}` needs {what}")))
            } else {
                Ok(())
            }
        };
        match kw {
            "about" => sc.about = rest.to_string(),
            "final" => {
                let n = rest.parse().map_err(|_| err(no, format!("`final` needs a number, got {rest:?}")))?;
                sc.final_order = Some(n);
            }
            "requires" => {
                need("a dockaudit subcommand")?;
                sc.requires.extend(words()?);
            }
            "requires-args" => {
                need("dockaudit arguments")?;
                sc.requires_args.push(words()?);
            }
            "touch" => {
                need("a path")?;
                sc.steps.push(Step::Touch(rest.to_string()));
            }
            "chmod" => {
                let w = words()?;
                let [mode, path] = &w[..] else {
                    return Err(err(no, "`chmod` needs an octal mode and a path".into()));
                };
                if u32::from_str_radix(mode, 8).is_err() {
                    return Err(err(no, format!("bad octal mode {mode:?}")));
                }
                sc.steps.push(Step::Chmod { mode: mode.clone(), path: path.clone() });
            }
            "auditd" if rest == "stop" => sc.steps.push(Step::AuditdStop),
            "auditd" => {
                let mut enriched = false;
                let mut settings = Vec::new();
                for (i, w) in words()?.into_iter().enumerate() {
                    match (i, w.as_str()) {
                        (0, "raw") => enriched = false,
                        (0, "enriched") => enriched = true,
                        _ => match w.split_once('=') {
                            Some((k, v)) if !k.is_empty() && !v.is_empty() => {
                                settings.push((k.to_string(), v.to_string()))
                            }
                            _ => return Err(err(no, format!("`auditd` takes raw|enriched and KEY=VALUE, got {w:?}"))),
                        },
                    }
                }
                sc.steps.push(Step::Auditd { enriched, settings });
            }
            "wait-log" => {
                let w = words()?;
                let (text, seconds) = match &w[..] {
                    [t] => (t.clone(), 10),
                    [t, s] => (t.clone(), s.parse().map_err(|_| err(no, format!("bad seconds {s:?}")))?),
                    _ => return Err(err(no, "`wait-log` needs TEXT and optionally SECONDS".into())),
                };
                sc.steps.push(Step::WaitLog { text, seconds });
            }
            "export-log" => {
                if !valid_name(rest) {
                    return Err(err(no, format!("`export-log` needs a name (letters, digits, - _ .), got {rest:?}")));
                }
                sc.steps.push(Step::ExportLog(rest.to_string()));
            }
            "min-kernel" => {
                sc.min_kernel =
                    Some(parse_version(rest).ok_or_else(|| err(no, format!("`min-kernel` needs X.Y, got {rest:?}")))?);
            }
            "skip-arch" => {
                let (arch, why) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
                if !ARCHES.contains(&arch) || why.trim().is_empty() {
                    return Err(err(
                        no,
                        format!("`skip-arch` needs an architecture ({}) and a reason, got {rest:?}", ARCHES.join(", ")),
                    ));
                }
                sc.skip_arch.push((arch.to_string(), why.trim().to_string()));
            }
            "guest" if rest == "docker" => sc.docker = true,
            "guest" => return Err(err(no, format!("`guest` takes `docker`, got {rest:?}"))),
            "docker-engine" if rest.is_empty() => sc.steps.push(Step::DockerEngine),
            "cpu" => {
                let parts: Vec<&str> = rest.split_whitespace().collect();
                match parts[..] {
                    [arch, model] if ARCHES.contains(&arch) => sc.cpu = Some((arch.to_string(), model.to_string())),
                    _ => {
                        return Err(err(
                            no,
                            format!(
                                "`cpu` needs an architecture ({}) and a QEMU CPU model, got {rest:?}",
                                ARCHES.join(", ")
                            ),
                        ))
                    }
                }
            }
            "kernel-cmdline" => {
                need("kernel command line words")?;
                sc.cmdline = words()?;
            }
            "rules-file" => {
                need("a path")?;
                sc.steps.push(Step::RulesFile(rest.to_string()));
            }
            "dir" => {
                need("a path")?;
                sc.steps.push(Step::Dir(rest.to_string()));
            }
            "file" => {
                need("a path")?;
                let (path, content) = match rest.split_once(char::is_whitespace) {
                    Some((p, c)) if c.trim().starts_with("<<") => {
                        let mark = c.trim()[2..].trim();
                        (p.to_string(), heredoc(&mut lines, mark).map_err(|m| err(no, m))?)
                    }
                    Some((p, c)) => (p.to_string(), format!("{}\n", c.trim())),
                    None => (rest.to_string(), String::new()),
                };
                sc.steps.push(Step::File { path, content });
            }
            "daemon" => sc.steps.push(Step::Daemon),
            "process" => {
                need("a path")?;
                sc.steps.push(Step::Process(rest.to_string()));
            }
            "soon" => {
                let w = words()?;
                let ms = w.first().and_then(|m| m.parse().ok());
                match ms {
                    Some(ms) if w.len() >= 2 => sc.steps.push(Step::Soon { ms, argv: w[1..].to_vec() }),
                    _ => return Err(err(no, "`soon` needs milliseconds and a command".into())),
                }
            }
            "save" => {
                let w = words()?;
                if w.len() < 2 {
                    return Err(err(no, "`save` needs a name and a command".into()));
                }
                sc.steps.push(Step::Save { name: w[0].clone(), argv: w[1..].to_vec() });
            }
            "save-exit" => {
                let w = words()?;
                if w.len() < 2 {
                    return Err(err(no, "`save-exit` needs a name and a command".into()));
                }
                sc.steps.push(Step::SaveExit { name: w[0].clone(), argv: w[1..].to_vec() });
            }
            "auditctl" => {
                need("arguments")?;
                sc.steps.push(Step::Auditctl(words()?));
            }
            "rules" | "events" => {
                let (n, arg) = rest.split_once(char::is_whitespace).ok_or_else(|| {
                    err(
                        no,
                        format!(
                            "`{kw}` needs a count and {}",
                            if kw == "rules" { "a rule template" } else { "a path" }
                        ),
                    )
                })?;
                let count: u32 = n.parse().map_err(|_| err(no, format!("bad count {n:?}")))?;
                let arg = arg.trim().to_string();
                sc.steps.push(if kw == "rules" {
                    Step::Rules { count, template: arg }
                } else {
                    Step::Events { count, path: arg }
                });
            }
            "run" => {
                let mut opts = RunOpts::default();
                let mut argv = Vec::new();
                for w in words()? {
                    if !argv.is_empty() {
                        argv.push(w);
                    } else if let Some(v) = w.strip_prefix("as=") {
                        opts.uid = Some(v.parse().map_err(|_| err(no, format!("bad uid in {w:?}")))?);
                    } else if let Some(v) = w.strip_prefix("drop=") {
                        opts.drop_caps = v.split(',').map(str::to_string).collect();
                    } else if w == "show" {
                        opts.show = true;
                    } else if let Some(v) = w.strip_prefix("ns=") {
                        opts.ns = Some(match v {
                            "pid" => Namespace::Pid,
                            "user" => Namespace::User,
                            _ => return Err(err(no, format!("ns= must be pid or user, got {v:?}"))),
                        });
                    } else {
                        argv.push(w);
                    }
                }
                if argv.is_empty() {
                    return Err(err(no, "`run` needs a program".into()));
                }
                sc.steps.push(Step::Run(Run { line: no, opts, argv, expects: Vec::new() }));
            }
            "expect" => {
                let Some(Step::Run(run)) = sc.steps.last_mut() else {
                    return Err(err(no, "`expect` must follow a `run` line".into()));
                };
                let (what, arg) = match rest.split_once(char::is_whitespace) {
                    Some((w, a)) => (w, a.trim()),
                    None => (rest, ""),
                };
                let e = match (what, arg) {
                    ("exit", "nonzero") => Expect::Exit(ExitExpect::Nonzero),
                    ("exit", a) if a.starts_with("same-as-saved ") => {
                        Expect::ExitSameAsSaved(a["same-as-saved ".len()..].trim().to_string())
                    }
                    ("exit", n) => {
                        Expect::Exit(ExitExpect::Code(n.parse().map_err(|_| err(no, format!("bad exit code {n:?}")))?))
                    }
                    ("stdout", a) if a.starts_with("same-as ") => {
                        let argv = split_words(&a["same-as ".len()..]).map_err(|e| err(no, e))?;
                        Expect::StdoutSameAs(argv)
                    }
                    ("stdout", a) if a.starts_with("same-as-corrected ") => {
                        let argv = split_words(&a["same-as-corrected ".len()..]).map_err(|e| err(no, e))?;
                        Expect::StdoutSameAsCorrected(argv)
                    }
                    ("stdout", a) if a.starts_with("same-as-saved ") => {
                        Expect::StdoutSameAsSaved(a["same-as-saved ".len()..].trim().to_string())
                    }
                    ("stdout", a) if a.starts_with("<<") => {
                        Expect::Stdout(heredoc(&mut lines, a[2..].trim()).map_err(|m| err(no, m))?)
                    }
                    ("stdout-line", t) if !t.is_empty() => Expect::StdoutLine(t.to_string()),
                    ("stdout-contains", t) if !t.is_empty() => Expect::StdoutContains(t.to_string()),
                    ("stdout-lacks", t) if !t.is_empty() => Expect::StdoutLacks(t.to_string()),
                    ("stderr-contains", t) if !t.is_empty() => Expect::StderrContains(t.to_string()),
                    ("stdout-empty", "") => Expect::StdoutEmpty,
                    ("stderr-empty", "") => Expect::StderrEmpty,
                    ("loss-adds-up", log) if !log.is_empty() => Expect::LossAddsUp(log.to_string()),
                    ("stdout-lines", n) => {
                        Expect::StdoutLines(n.parse().map_err(|_| err(no, format!("bad line count {n:?}")))?)
                    }
                    _ => return Err(err(no, format!("unknown or incomplete expectation {rest:?}"))),
                };
                run.expects.push(e);
            }
            _ => return Err(err(no, format!("unknown directive {kw:?}"))),
        }
        if let Some(arch) = only_on {
            if kw == "expect" {
                if let Some(Step::Run(run)) = sc.steps.last_mut() {
                    if let Some(e) = run.expects.pop() {
                        run.expects.push(Expect::On { arch, expect: Box::new(e) });
                    }
                }
            } else if let Some(step) = sc.steps.pop().filter(|_| sc.steps.len() == steps_before) {
                sc.steps.push(Step::On { arch, step: Box::new(step) });
            }
        }
    }
    for sc in &out {
        if !sc.steps.iter().any(|s| matches!(s, Step::Run(_))) {
            return Err(err(sc.line, format!("scenario {} has no `run` line", sc.name)));
        }
    }
    Ok(out)
}

/// Undo auditctl 3.0.9's garbled watch line (bug 2 of auditctl-format.md):
/// ` -p x-w /usr/bin/yum -k k` -> `-w /usr/bin/yum -p x -k k`. Other lines
/// are returned unchanged.
pub fn correct_watch_line(line: &str) -> String {
    if !(line.starts_with(" -p ") || line.starts_with(" -k ")) {
        return line.to_string();
    }
    let Some(w) = line.find("-w ") else {
        return line.to_string();
    };
    let tail = &line[w + 3..];
    let path_end = tail.find(" -").unwrap_or(tail.len());
    let path = &tail[..path_end];
    let flags = format!("{}{}", &line[..w], &tail[path_end..]);
    let (mut perms, mut keys) = (Vec::new(), Vec::new());
    for part in flags.split(" -").filter(|p| !p.is_empty()) {
        match part.split_once(' ') {
            Some(("p", v)) => perms.push(v),
            Some(("k", v)) => keys.push(v),
            _ => return line.to_string(),
        }
    }
    let mut fixed = format!("-w {path}");
    for p in perms {
        fixed.push_str(&format!(" -p {p}"));
    }
    for k in keys {
        fixed.push_str(&format!(" -k {k}"));
    }
    fixed
}

/// Why `sc` is SKIP on a kernel of `arch` (as `skip-arch` names it) and `release`
/// (`uname -r`, when known), before anything runs: `min-kernel`, `skip-arch`. The guest
/// asks this of each scenario; xtask asks it to leave out a boot where it holds for all.
pub fn skipped_before_running(sc: &Scenario, arch: &str, release: Option<&str>) -> Option<String> {
    if let Some((maj, min)) = sc.min_kernel {
        if release.and_then(parse_version).is_some_and(|v| v < (maj, min)) {
            return Some(format!("needs kernel {maj}.{min} or newer"));
        }
    }
    let (arch, why) = sc.skip_arch.iter().find(|(a, _)| a == arch)?;
    Some(format!("not on {arch}: {why}"))
}

/// "6.1.0-50-amd64" or "6.1" -> (6, 1).
pub fn parse_version(s: &str) -> Option<(u32, u32)> {
    let mut it = s.trim().split(|c: char| !c.is_ascii_digit());
    Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
}

/// Where the guest finds the copy of a `rules-file` path: an absolute host
/// path at the same path, a repository-relative one under /vm-tests/files/.
pub fn guest_file_path(path: &str) -> String {
    if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/vm-tests/files/{path}")
    }
}

/// The `*.scn` files of a directory, in file-name order (the order they run in).
pub fn scenario_files(dir: &Path) -> Result<Vec<std::path::PathBuf>, String> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "scn"))
        .collect();
    files.sort();
    Ok(files)
}

/// Parse every `*.scn` file of a directory, in file-name order, and check
/// that names are unique.
pub fn load_dir(dir: &Path) -> Result<Vec<Scenario>, String> {
    let mut all: Vec<Scenario> = Vec::new();
    for f in scenario_files(dir)? {
        let text = std::fs::read_to_string(&f).map_err(|e| format!("{}: {e}", f.display()))?;
        let base = f.file_name().unwrap_or_default().to_string_lossy().into_owned();
        let scs = parse(&base, &text).map_err(|e| e.to_string())?;
        for sc in scs {
            if let Some(prev) = all.iter().find(|p| p.name == sc.name) {
                return Err(format!(
                    "{}:{}: scenario {} already defined at {}:{}",
                    sc.file, sc.line, sc.name, prev.file, prev.line
                ));
            }
            all.push(sc);
        }
    }
    Ok(all)
}

/// The order the guest runs scenarios in: all ordinary ones in file order,
/// then the `final` ones by ascending number (ties keep file order).
pub fn run_order(mut scs: Vec<Scenario>) -> Vec<Scenario> {
    scs.sort_by_key(|s| s.final_order.map_or((0, 0), |n| (1, n)));
    scs
}

/// What sets one boot apart from another: the guest and the extra kernel command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Boot {
    /// The docker guest (`guest docker`).
    pub docker: bool,
    /// `kernel-cmdline` words.
    pub cmdline: Vec<String>,
    /// `cpu`: the architecture whose guests boot another CPU model, and the model.
    pub cpu: Option<(String, String)>,
}

/// Split a run order into boots: the plain boot first, then those with a kernel
/// command line in order of first appearance, then those with another CPU, then the
/// docker guest's.
pub fn boots(plan: &[Scenario]) -> Vec<(Boot, Vec<Scenario>)> {
    let mut out: Vec<(Boot, Vec<Scenario>)> = Vec::new();
    for sc in plan {
        let key = Boot { docker: sc.docker, cmdline: sc.cmdline.clone(), cpu: sc.cpu.clone() };
        match out.iter_mut().find(|(b, _)| *b == key) {
            Some((_, v)) => v.push(sc.clone()),
            None => out.push((key, vec![sc.clone()])),
        }
    }
    out.sort_by_key(|(b, _)| (b.docker, b.cpu.is_some(), !b.cmdline.is_empty()));
    out
}

/// The kernel command line word that tells the guest which plan file to run.
pub const PLAN_PARAM: &str = "dockaudit.plan=";

/// Result markers printed on the serial console, one line each.
pub mod marker {
    /// `DOCKAUDIT-BOOT <uname -r>`: the guest init started.
    pub const BOOT: &str = "DOCKAUDIT-BOOT";
    /// `DOCKAUDIT-START <name>`: a scenario begins (names the hung one on timeout).
    pub const START: &str = "DOCKAUDIT-START";
    /// `DOCKAUDIT-RESULT <name> PASS|FAIL|SKIP [reason]`
    pub const RESULT: &str = "DOCKAUDIT-RESULT";
    /// `DOCKAUDIT-DONE`: every scenario of the plan ran; the guest powers off.
    pub const DONE: &str = "DOCKAUDIT-DONE";
    /// `DOCKAUDIT-ERROR <text>`: the guest could not run the plan at all.
    pub const ERROR: &str = "DOCKAUDIT-ERROR";
    /// `DOCKAUDIT-FILE <name> <base64>`: a piece of a file the guest hands to xtask
    /// (`export-log`), in order; several lines per file.
    pub const FILE: &str = "DOCKAUDIT-FILE";
    /// `DOCKAUDIT-FILE-END <name> <bytes>`: the file is complete and has that size.
    pub const FILE_END: &str = "DOCKAUDIT-FILE-END";
}

/// Standard base64 (RFC 4648, padded), for files sent over the console.
pub mod b64 {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    /// Encode bytes.
    pub fn encode(data: &[u8]) -> String {
        let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
        for chunk in data.chunks(3) {
            let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
            let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    /// Decode; None on a character outside the alphabet or a bad length.
    pub fn decode(text: &str) -> Option<Vec<u8>> {
        let t = text.trim_end_matches('=').as_bytes();
        if !text.len().is_multiple_of(4) || text.len() - t.len() > 2 {
            return None;
        }
        let mut out = Vec::with_capacity(t.len() * 3 / 4);
        for chunk in t.chunks(4) {
            let mut n = 0u32;
            for (i, c) in chunk.iter().enumerate() {
                let v = ALPHABET.iter().position(|a| a == c)? as u32;
                n |= v << (18 - 6 * i);
            }
            let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
            out.extend_from_slice(&bytes[..chunk.len() - 1]);
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
# a comment
scenario watch-basic
about a watch lists like auditctl
dir /etc/docker
file /etc/docker/daemon.json {"a": 1}
auditctl -w /etc/docker -p rwxa -k docker
run dockaudit list
expect exit 0
expect stdout same-as auditctl -l
expect stdout <<END
-w /etc/docker -p rwxa -k docker
END
run as=1000 ns=pid dockaudit list --key "a b"
expect exit 3
expect stderr-contains CAP_AUDIT_CONTROL

scenario locked
final 20
requires list status
rules 3 -a always,exit -F arch=b64 -S openat -F uid={i}
events 5 /etc/hostname
run dockaudit status
"#;

    #[test]
    fn parses_sample() {
        let scs = parse("x.scn", SAMPLE).unwrap();
        assert_eq!(scs.len(), 2);
        let a = &scs[0];
        assert_eq!(a.name, "watch-basic");
        assert_eq!(a.line, 3);
        assert_eq!(a.steps.len(), 5);
        assert_eq!(a.steps[1], Step::File { path: "/etc/docker/daemon.json".into(), content: "{\"a\": 1}\n".into() });
        let Step::Run(r) = &a.steps[3] else { panic!() };
        assert_eq!(r.expects[2], Expect::Stdout("-w /etc/docker -p rwxa -k docker\n".into()));
        assert_eq!(r.expects[1], Expect::StdoutSameAs(vec!["auditctl".into(), "-l".into()]));
        let Step::Run(r) = &a.steps[4] else { panic!() };
        assert_eq!(r.opts.uid, Some(1000));
        assert_eq!(r.opts.ns, Some(Namespace::Pid));
        assert_eq!(r.argv, ["dockaudit", "list", "--key", "a b"]);
        let b = &scs[1];
        assert_eq!(b.final_order, Some(20));
        assert_eq!(b.requires, ["list", "status"]);
        assert!(matches!(b.steps[0], Step::Rules { count: 3, .. }));
    }

    #[test]
    fn errors_name_file_and_line() {
        let e = parse("f.scn", "scenario a\nrun x\nexpect nothing\n").unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("f.scn", 3));
        let e = parse("f.scn", "run x\n").unwrap_err();
        assert_eq!(e.line, 1);
        let e = parse("f.scn", "scenario a\nabout no run\n").unwrap_err();
        assert!(e.msg.contains("no `run`"), "{e}");
        let e = parse("f.scn", "scenario a\nrun x\nexpect stdout <<E\nabc\n").unwrap_err();
        assert!(e.msg.contains("end marker"), "{e}");
    }

    #[test]
    fn final_scenarios_run_last_in_order() {
        let text = "scenario z\nfinal 2\nrun x\nscenario y\nfinal 1\nrun x\nscenario a\nrun x\nscenario b\nrun x\n";
        let names: Vec<_> = run_order(parse("f", text).unwrap()).into_iter().map(|s| s.name).collect();
        assert_eq!(names, ["a", "b", "y", "z"]);
    }

    #[test]
    fn arch_lines() {
        let scs = parse("f", "scenario a\nskip-arch arm64 no  x32 there\nrun x\n").unwrap();
        assert_eq!(scs[0].skip_arch, [("arm64".to_string(), "no  x32 there".to_string())]);
        assert!(parse("f", "scenario a\nskip-arch arm64\n").is_err());
        assert!(parse("f", "scenario a\nskip-arch mips why\n").is_err());
        let scs =
            parse("f", "scenario a\non arm64 auditctl -a always,exit -S openat\non x86_64 file /x <<E\nt\nE\nrun x\n")
                .unwrap();
        let on_arm = Step::Auditctl(split_words("-a always,exit -S openat").unwrap());
        assert_eq!(scs[0].steps[0], Step::On { arch: "arm64".into(), step: Box::new(on_arm.clone()) });
        assert_eq!(scs[0].steps[0].for_arch("arm64"), Some(&on_arm));
        assert_eq!(scs[0].steps[0].for_arch("x86_64"), None);
        assert_eq!(scs[0].steps[1].inner(), &Step::File { path: "/x".into(), content: "t\n".into() });
        assert_eq!(scs[0].steps[2].for_arch("arm64"), Some(&scs[0].steps[2]));
        assert!(parse("f", "scenario a\non arm64 run x\n").is_err());
        let scs =
            parse("f", "scenario a\nrun x\non arm64 expect stdout-contains syscall=221\nexpect exit 0\n").unwrap();
        let Step::Run(r) = &scs[0].steps[0] else { panic!() };
        let e = Expect::StdoutContains("syscall=221".into());
        assert_eq!(r.expects[0], Expect::On { arch: "arm64".into(), expect: Box::new(e.clone()) });
        assert_eq!(r.expects[0].for_arch("arm64"), Some(&e));
        assert_eq!(r.expects[0].for_arch("x86_64"), None);
        assert_eq!(r.expects[1].for_arch("x86_64"), Some(&Expect::Exit(ExitExpect::Code(0))));
        assert!(parse("f", "scenario a\non sparc auditctl -D\nrun x\n").is_err());
    }

    #[test]
    fn versions_and_files() {
        assert_eq!(parse_version("6.12.107+deb13-amd64"), Some((6, 12)));
        assert_eq!(parse_version("5.10"), Some((5, 10)));
        assert_eq!(parse_version("x"), None);
        let scs = parse("f", "scenario a\nmin-kernel 5.16\nrules-file tests/data/x.rules\nrun x\n").unwrap();
        assert_eq!(scs[0].min_kernel, Some((5, 16)));
        assert_eq!(scs[0].steps[0], Step::RulesFile("tests/data/x.rules".into()));
        assert_eq!(guest_file_path("/usr/share/x.rules"), "/usr/share/x.rules");
        assert_eq!(guest_file_path("tests/data/x.rules"), "/vm-tests/files/tests/data/x.rules");
    }

    #[test]
    fn corrects_garbled_watch_lines() {
        assert_eq!(correct_watch_line(" -p x-w /usr/bin/yum -k k"), "-w /usr/bin/yum -p x -k k");
        assert_eq!(correct_watch_line(" -p wa-w /etc/x -k a -k b"), "-w /etc/x -p wa -k a -k b");
        assert_eq!(correct_watch_line("-w /etc/x -p wa"), "-w /etc/x -p wa");
        assert_eq!(correct_watch_line(" -p w"), " -p w");
    }

    #[test]
    fn boots_group_by_cmdline_plain_first() {
        let text =
            "scenario a\nkernel-cmdline audit=0\nrun x\nscenario b\nrun x\nscenario c\nkernel-cmdline audit=0\nrun x\n";
        let b = boots(&parse("f", text).unwrap());
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].0, Boot::default());
        assert_eq!(b[0].1[0].name, "b");
        assert_eq!(b[1].0.cmdline, ["audit=0"]);
        assert_eq!(b[1].1.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["a", "c"]);
    }

    #[test]
    fn skips_known_before_running() {
        let text = "scenario a\nmin-kernel 6.7\nskip-arch arm64 x86 only\nrun x\nscenario b\nrun x\n";
        let scs = parse("f", text).unwrap();
        let skip = |arch, rel| skipped_before_running(&scs[0], arch, rel);
        assert_eq!(skip("x86_64", Some("6.1.0-50-amd64")).as_deref(), Some("needs kernel 6.7 or newer"));
        assert_eq!(skip("x86_64", Some("6.12.117+deb13-amd64")), None);
        assert_eq!(skip("x86_64", None), None, "an unknown release runs");
        assert_eq!(skip("arm64", Some("6.12.117+deb13-arm64")).as_deref(), Some("not on arm64: x86 only"));
        assert_eq!(skipped_before_running(&scs[1], "arm64", Some("5.10")), None);
    }

    #[test]
    fn another_cpu_is_a_boot_of_its_own_after_the_command_line_ones() {
        let text = "scenario c\ncpu arm64 a64fx\nrun x\nscenario a\nkernel-cmdline audit=0\nrun x\n\
                    scenario p\nrun x\n";
        let b = boots(&parse("f", text).unwrap());
        let names: Vec<&str> = b.iter().map(|(_, s)| s[0].name.as_str()).collect();
        assert_eq!(names, ["p", "a", "c"]);
        assert_eq!(b[2].0.cpu, Some(("arm64".to_string(), "a64fx".to_string())));
        assert!(parse("f", "scenario c\ncpu a64fx\nrun x\n").is_err());
        assert!(parse("f", "scenario c\ncpu sparc a64fx\nrun x\n").is_err());
    }

    #[test]
    fn docker_guest_boots_last_and_its_steps() {
        let text = "scenario d\nguest docker\ndocker-engine\nrun show docker ps\nscenario p\nrun x\n\
                    scenario a\nkernel-cmdline audit=0\nrun x\n";
        let scs = parse("f", text).unwrap();
        assert!(scs[0].docker && !scs[1].docker);
        assert_eq!(scs[0].steps[0], Step::DockerEngine);
        let Step::Run(r) = &scs[0].steps[1] else { panic!() };
        assert!(r.opts.show);
        assert_eq!(r.argv, ["docker", "ps"]);
        let b = boots(&scs);
        let names: Vec<&str> = b.iter().map(|(_, s)| s[0].name.as_str()).collect();
        assert_eq!(names, ["p", "a", "d"]);
        assert!(b[2].0.docker);
        assert!(parse("f", "scenario d\nguest vm\nrun x\n").is_err());
        assert!(parse("f", "scenario d\ndocker-engine now\nrun x\n").is_err());
    }

    #[test]
    fn save_exit_and_its_expectation() {
        let text = "scenario a\nsave-exit st auditctl -R /r\nrun x\nexpect exit same-as-saved st\n";
        let sc = &parse("f", text).unwrap()[0];
        assert_eq!(
            sc.steps[0],
            Step::SaveExit { name: "st".into(), argv: vec!["auditctl".into(), "-R".into(), "/r".into()] }
        );
        let Step::Run(r) = &sc.steps[1] else { panic!() };
        assert_eq!(r.expects, [Expect::ExitSameAsSaved("st".into())]);
        assert!(parse("f", "scenario a\nsave-exit st\n").is_err());
    }

    #[test]
    fn file_heredoc_and_save() {
        let text = "scenario a\nfile /r <<EOF\n-w /x\n  -w /y\nEOF\nfile /e\nsave before auditctl -l\nrun x\nexpect stdout same-as-saved before\n";
        let sc = &parse("f", text).unwrap()[0];
        assert_eq!(sc.steps[0], Step::File { path: "/r".into(), content: "-w /x\n  -w /y\n".into() });
        assert_eq!(sc.steps[1], Step::File { path: "/e".into(), content: String::new() });
        assert_eq!(sc.steps[2], Step::Save { name: "before".into(), argv: vec!["auditctl".into(), "-l".into()] });
        let Step::Run(r) = &sc.steps[3] else { panic!() };
        assert_eq!(r.expects[0], Expect::StdoutSameAsSaved("before".into()));
    }

    #[test]
    fn auditd_steps_and_requires_args() {
        let text = "scenario a\nrequires-args events --format interpret\nauditd enriched flush=INCREMENTAL_ASYNC name_format=HOSTNAME\n\
                    touch /etc/docker/x\nchmod 600 /etc/docker/x\nwait-log 'type=EOE' 5\nexport-log raw-6.1\nrun x\n";
        let sc = &parse("f", text).unwrap()[0];
        assert_eq!(sc.requires_args, [["events", "--format", "interpret"]]);
        let Step::Auditd { enriched, settings } = &sc.steps[0] else { panic!() };
        assert!(*enriched);
        let conf = auditd_conf(*enriched, settings);
        assert!(conf.starts_with("log_format = ENRICHED\n"), "{conf}");
        assert!(conf.contains("\nflush = INCREMENTAL_ASYNC\n") && !conf.contains("flush = SYNC"), "{conf}");
        assert!(conf.contains("\nname_format = HOSTNAME\n"), "{conf}");
        assert_eq!(sc.steps[1], Step::Touch("/etc/docker/x".into()));
        assert_eq!(sc.steps[2], Step::Chmod { mode: "600".into(), path: "/etc/docker/x".into() });
        assert_eq!(sc.steps[3], Step::WaitLog { text: "type=EOE".into(), seconds: 5 });
        assert_eq!(sc.steps[4], Step::ExportLog("raw-6.1".into()));
        assert!(parse("f", "scenario a\nauditd raw flush\nrun x\n").is_err());
        assert_eq!(parse("f", "scenario a\nauditd stop\nrun x\n").unwrap()[0].steps[0], Step::AuditdStop);
        assert!(parse("f", "scenario a\nchmod 9 /x\nrun x\n").is_err());
        assert!(parse("f", "scenario a\nexport-log a/b\nrun x\n").is_err());
        assert!(auditd_conf(false, &[]).starts_with("log_format = RAW\n"));
    }

    #[test]
    fn base64_round_trips() {
        assert_eq!(b64::encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(b64::encode(b"fo"), "Zm8=");
        assert_eq!(b64::encode(b"f"), "Zg==");
        for n in 0..70u8 {
            let data: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37) ^ 0x1d).collect();
            assert_eq!(b64::decode(&b64::encode(&data)).unwrap(), data);
        }
        assert_eq!(b64::decode("Zm8"), None);
        assert_eq!(b64::decode("Zm*="), None);
    }

    #[test]
    fn words() {
        assert_eq!(split_words(r#" a 'b c' "d"e  "#).unwrap(), ["a", "b c", "de"]);
        assert!(split_words("'x").is_err());
        assert_eq!(split_words("").unwrap(), Vec::<String>::new());
    }
}
