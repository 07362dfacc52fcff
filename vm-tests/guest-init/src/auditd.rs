//! The real audit daemon in the guest (`auditd`, `wait-log` and `export-log`
//! steps) and the `touch`/`chmod` helpers that make records on its log.
//!
//! Debian's `/sbin/auditd` (copied from the host with its libraries) runs
//! with `-n` as a child of PID 1, so the init can stop it (SIGTERM) when its
//! scenario ends and then check that the kernel has forgotten its pid.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use vm_scenario::marker;

use crate::{audit_pid, die};

const AUDITD: &str = "/sbin/auditd";
const CONF: &str = "/etc/audit/auditd.conf";
/// auditd's stderr, shown when it does not come up.
const STDERR: &str = "/tmp/.auditd.stderr";
/// How long auditd gets to register and, later, to exit on SIGTERM.
const PATIENCE: Duration = Duration::from_secs(10);

/// A running auditd and the log it writes.
pub struct Auditd {
    child: Child,
    /// Set once it has been stopped (`auditd stop`).
    stopped: bool,
    pub log: String,
}

/// Write auditd.conf and start `/sbin/auditd -n`; return once the kernel
/// reports its pid (it registers with AUDIT_SET after opening its log).
pub fn start(enriched: bool, settings: &[(String, String)]) -> Result<Auditd, String> {
    let conf = vm_scenario::auditd_conf(enriched, settings);
    let log =
        settings.iter().find(|(k, _)| k == "log_file").map_or(vm_scenario::AUDIT_LOG.to_string(), |(_, v)| v.clone());
    for dir in ["/etc/audit/plugins.d", "/var/log/audit", "/var/run"] {
        std::fs::create_dir_all(dir).map_err(|e| format!("creating {dir}: {e}"))?;
    }
    // auditd refuses a config file others can write.
    std::fs::write(CONF, conf).map_err(|e| format!("{CONF}: {e}"))?;
    let _ = std::fs::set_permissions(CONF, std::fs::Permissions::from_mode(0o640));
    let stderr = std::fs::File::create(STDERR).map_err(|e| format!("{STDERR}: {e}"))?;
    let child = Command::new(AUDITD)
        .arg("-n")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .map_err(|e| format!("starting {AUDITD} -n: {e}"))?;
    let mut d = Auditd { child, stopped: false, log };
    let pid = d.child.id();
    let t0 = Instant::now();
    while t0.elapsed() < PATIENCE {
        if let Ok(Some(status)) = d.child.try_wait() {
            return Err(format!("{AUDITD} -n exited with {status} before registering:\n{}", diagnose()));
        }
        if audit_pid() == Some(pid) {
            return Ok(d);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = d.child.kill();
    let _ = d.child.wait();
    Err(format!("{AUDITD} (pid {pid}) was not registered after {} s:\n{}", PATIENCE.as_secs(), stderr_text()))
}

/// Without -f auditd says why it stopped only to syslog, which the guest
/// lacks: run `auditd -f` (messages on stderr, no log) for a second to hear it.
fn diagnose() -> String {
    let stderr = std::fs::File::create(STDERR).ok();
    let mut c = Command::new(AUDITD);
    c.arg("-f").stdin(Stdio::null()).stdout(Stdio::null());
    if let Some(f) = stderr {
        c.stderr(f);
    }
    if let Ok(mut child) = c.spawn() {
        std::thread::sleep(Duration::from_secs(1));
        let _ = child.kill();
        let _ = child.wait();
    }
    format!("`{AUDITD} -f` says:\n{}", stderr_text())
}

fn stderr_text() -> String {
    let t = std::fs::read_to_string(STDERR).unwrap_or_default();
    if t.trim().is_empty() {
        "(no output on stderr)".into()
    } else {
        t
    }
}

impl Auditd {
    /// SIGTERM, wait (SIGKILL after PATIENCE), check that the kernel no longer
    /// names a daemon. Once only.
    pub fn stop(&mut self) -> Result<(), String> {
        if std::mem::replace(&mut self.stopped, true) {
            return Ok(());
        }
        let pid = self.child.id();
        // SAFETY: kill takes integers only; the pid is our own child's, not yet reaped.
        unsafe {
            libc::kill(pid as libc::pid_t, libc::SIGTERM);
        }
        let t0 = Instant::now();
        let mut problem = None;
        loop {
            match self.child.try_wait() {
                Ok(Some(_)) => break,
                Ok(None) if t0.elapsed() < PATIENCE => std::thread::sleep(Duration::from_millis(20)),
                _ => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    problem = Some(format!("auditd (pid {pid}) ignored SIGTERM for {} s; killed", PATIENCE.as_secs()));
                    break;
                }
            }
        }
        // auditd 3.0.9 sends AUDIT_SET pid 0 at exit, yet the kernel still named
        // it afterwards in these guests (no CONFIG_CHANGE audit_pid=0 was logged),
        // and it would until a record fails to reach it. Forget it explicitly.
        if audit_pid().is_some_and(|p| p != 0) {
            let _ = Command::new("/init").arg("forget-auditd").stdin(Stdio::null()).status();
        }
        let t0 = Instant::now();
        while audit_pid().is_some_and(|p| p != 0) {
            if t0.elapsed() > PATIENCE {
                problem.get_or_insert(format!("the kernel still names auditd (pid {pid}) after it exited"));
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        problem.map_or(Ok(()), Err)
    }

    /// Remove the log, its rotations and the config.
    pub fn remove_log(&self) -> Result<(), String> {
        if let Some(dir) = Path::new(&self.log).parent() {
            for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let _ = std::fs::remove_file(e.path());
            }
        }
        let _ = std::fs::remove_file(CONF);
        Ok(())
    }
}

/// Wait until a line of `log` contains `text`, then until the log has not
/// grown for 300 ms (the rest of that event), at most `seconds` in all.
pub fn wait_log(log: &str, text: &str, seconds: u32) -> Result<(), String> {
    let t0 = Instant::now();
    let limit = Duration::from_secs(seconds.into());
    let found = loop {
        let body = std::fs::read(log).unwrap_or_default();
        if String::from_utf8_lossy(&body).lines().any(|l| l.contains(text)) {
            break true;
        }
        if t0.elapsed() > limit {
            break false;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    if !found {
        let lines = std::fs::read_to_string(log).map(|t| t.lines().count()).unwrap_or(0);
        return Err(format!("no line of {log} ({lines} lines) contains {text:?} after {seconds} s"));
    }
    let size = || std::fs::metadata(log).map(|m| m.len()).unwrap_or(0);
    let (mut last, mut since) = (size(), Instant::now());
    while since.elapsed() < Duration::from_millis(300) && t0.elapsed() < limit {
        std::thread::sleep(Duration::from_millis(50));
        let now = size();
        if now != last {
            (last, since) = (now, Instant::now());
        }
    }
    Ok(())
}

/// Print `log` on the console for xtask: base64 in lines of 76 characters,
/// then its size.
pub fn export_log(log: &str, name: &str) -> Result<(), String> {
    let body = std::fs::read(log).map_err(|e| format!("{log}: {e}"))?;
    let text = vm_scenario::b64::encode(&body);
    let mut out = std::io::stdout().lock();
    let mut s = String::from("\n");
    for chunk in text.as_bytes().chunks(76) {
        s.push_str(&format!("{} {name} {}\n", marker::FILE, String::from_utf8_lossy(chunk)));
    }
    s.push_str(&format!("{} {name} {}\n", marker::FILE_END, body.len()));
    out.write_all(s.as_bytes()).and_then(|_| out.flush()).map_err(|e| format!("console: {e}"))
}

/// `/init touch PATH`: open PATH for appending (created 0644 when missing) and write a line.
pub fn touch_main(args: &[String]) -> ! {
    let [path] = args else { die("usage: touch PATH".into()) };
    let r = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(b"touched by the vm tests\n"));
    if let Err(e) = r {
        die(format!("touch {path}: {e}"));
    }
    std::process::exit(0)
}

/// `/init chmod MODE PATH`: chmod PATH to the octal MODE.
pub fn chmod_main(args: &[String]) -> ! {
    let [mode, path] = args else { die("usage: chmod MODE PATH".into()) };
    let Ok(m) = u32::from_str_radix(mode, 8) else { die(format!("bad octal mode {mode}")) };
    if let Err(e) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(m)) {
        die(format!("chmod {mode} {path}: {e}"));
    }
    std::process::exit(0)
}
