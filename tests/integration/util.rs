//! Small helpers shared by the integration tests: running dockaudit and auditctl, and
//! borrowing the host kernel's audit rules safely.

use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, MutexGuard};

pub fn dockaudit_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_dockaudit"))
}

pub fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

pub fn run(program: &Path, args: &[&str]) -> Output {
    Command::new(program).args(args).output().unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()))
}

pub fn dockaudit(args: &[&str]) -> Output {
    run(&dockaudit_bin(), args)
}

pub fn auditctl_path() -> Option<PathBuf> {
    ["/sbin/auditctl", "/usr/sbin/auditctl"].iter().map(PathBuf::from).find(|p| p.exists())
}

pub fn auditctl(args: &[&str]) -> Output {
    run(&auditctl_path().expect("auditctl is installed"), args)
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

/// Why a host-kernel test cannot run here, if it cannot. Host tests need root, the
/// real auditctl, and a kernel whose rules are not locked.
pub fn host_kernel_unavailable() -> Option<String> {
    if std::env::var_os("DOCKAUDIT_SKIP_HOST_TESTS").is_some() {
        return Some("DOCKAUDIT_SKIP_HOST_TESTS is set".into());
    }
    if !is_root() {
        return Some("not root".into());
    }
    if auditctl_path().is_none() {
        return Some("auditctl is not installed (apt-get install auditd)".into());
    }
    let status = auditctl(&["-s"]);
    if !status.status.success() {
        return Some(format!("auditctl -s failed: {}", String::from_utf8_lossy(&status.stderr)));
    }
    if stdout(&status).lines().any(|l| l == "enabled 2") {
        return Some("the host's audit rules are locked (enabled 2)".into());
    }
    None
}

/// Audit enabled for a test (under [`HostRules`]), put back as it was on drop, also when
/// the test panics: the host keeps audit disabled.
pub struct AuditEnabled(String);

impl AuditEnabled {
    pub fn enable() -> AuditEnabled {
        let status = stdout(&auditctl(&["-s"]));
        let saved = status.lines().find_map(|l| l.strip_prefix("enabled ")).unwrap_or("0").to_string();
        let guard = AuditEnabled(saved);
        assert!(auditctl(&["-e", "1"]).status.success(), "auditctl -e 1");
        guard
    }
}

impl Drop for AuditEnabled {
    fn drop(&mut self) {
        auditctl(&["-e", &self.0]);
    }
}

/// Exclusive use of the host kernel's rules for one test: taken across threads and
/// processes, the rules saved on entry and put back on drop, also when the test panics.
/// Saved and restored as kernel rules over netlink, not as `auditctl -l` text, which
/// auditctl cannot always read back (`filetype=32768`, paths with spaces).
pub struct HostRules {
    saved: Vec<dockaudit::Rule>,
    _lock: File,
    _guard: MutexGuard<'static, ()>,
}

static IN_PROCESS: Mutex<()> = Mutex::new(());

/// The lock every test (and anyone by hand: `flock /run/dockaudit-host-rules.lock ...`)
/// takes before changing the host's rules.
pub const HOST_RULES_LOCK: &str = "/run/dockaudit-host-rules.lock";

impl HostRules {
    pub fn borrow() -> HostRules {
        let guard = IN_PROCESS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let lock = File::create(HOST_RULES_LOCK).expect("create lock file");
        // SAFETY: flock on an fd we own.
        assert_eq!(unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX) }, 0, "flock");
        let saved = dockaudit::AuditClient::open().and_then(|mut c| c.list_rules()).expect("save the host's rules");
        HostRules { saved, _lock: lock, _guard: guard }
    }

    /// Deletes every rule (the test then loads its own).
    pub fn clear(&self) {
        let out = auditctl(&["-D"]);
        assert!(out.status.success(), "auditctl -D: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// Loads rule lines with the real auditctl, one `auditctl -R` of a temp file,
    /// continuing past rules this kernel rejects. Returns auditctl's stderr.
    pub fn load_with_auditctl(&self, rules: &str) -> String {
        let dir = tempdir();
        let file = dir.join("load.rules");
        // `-c` (continue past errors) only works as a line of the file in auditctl 3.0.9.
        std::fs::write(&file, format!("-c\n{rules}")).unwrap();
        let out = auditctl(&["-R", file.to_str().unwrap()]);
        let _ = std::fs::remove_dir_all(&dir);
        String::from_utf8_lossy(&out.stderr).into_owned()
    }
}

impl Drop for HostRules {
    fn drop(&mut self) {
        let restored = dockaudit::AuditClient::open()
            .map_err(|e| e.to_string())
            .and_then(|mut client| dockaudit::persist::restore_and_verify(&mut client, &self.saved));
        match restored {
            Ok(()) => {}
            Err(why) => eprintln!("WARNING: restoring the host's audit rules failed: {why}"),
        }
    }
}

pub fn tempdir() -> PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "dockaudit-test-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Keeps only rule lines: control lines (-D, -b, -f, -e, -r, --backlog_wait_time,
/// --loginuid-immutable, -i, -c) would change host state the tests must not touch.
pub fn rule_lines_only(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| l.starts_with("-a") || l.starts_with("-A") || l.starts_with("-w") || l.starts_with("-W"))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// The rule files of auditd's example corpus, sorted (empty where auditd is missing).
pub fn corpus_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir("/usr/share/doc/auditd/examples/rules")
        .map(|dir| dir.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "rules"));
    files.sort();
    files
}
