//! The Docker engine of the docker guest (`docker-engine` step) and the
//! `/init audited-by-grep PATH` helper (docker-bench-security's method).
//!
//! The docker initramfs holds Debian's packages of the kernel's suite and
//! architecture (amd64, arm64) as installed (xtask/src/docker_guest.rs); nothing
//! here differs between the two. The guest loads no kernel module on either (its
//! initramfs holds none), so nothing below needs one. The engine is started the way the packaged units
//! start it: containerd from `containerd.service`'s ExecStart, dockerd from
//! `docker.service`'s with the variables of its EnvironmentFile, both with
//! systemd's default PATH. What the guest changes, and why:
//! - `-H fd://` (socket activation by `docker.socket`) becomes `-H unix://` on the
//!   socket's ListenStream path: there is no systemd to hand over the socket;
//! - `--iptables=false --ip6tables=false --bridge=none --userland-proxy=false`: the
//!   kernel's netfilter and bridge are modules, and the guest has none loaded;
//! - `--storage-driver=vfs`: overlayfs is a module too, and the root is the initramfs;
//! - `DOCKER_RAMDISK=true`: the root is the initramfs (rootfs), where pivot_root
//!   fails; runc then moves the container's root instead, as Docker documents.
//!
//! Each daemon runs under `/init supervise`, a child subreaper, as under systemd: the
//! shims containerd starts are orphaned on purpose (they outlive a containerd
//! restart) and must be reaped when they exit, or they stay as zombies named
//! `containerd-shim` whose /proc/PID/exe cannot be read. PID 1 (this init) reaps
//! only its own commands. The engine runs until the boot ends, across scenarios.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{mount, shown_tail};

pub const DOCKER: &str = "/usr/bin/docker";
/// The image every docker scenario uses, imported from the initramfs's tar.
pub const IMAGE: &str = "dockaudit/busybox";
const IMAGE_TAR: &str = "/vm-tests/docker/busybox.tar";
const CONTAINERD_LOG: &str = "/tmp/containerd.log";
const DOCKERD_LOG: &str = "/tmp/dockerd.log";
/// systemd's default PATH for services (no Environment=PATH in the units).
const SERVICE_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/// Flags the guest adds to dockerd's (see the module comment).
const FORCED: &[&str] =
    &["--iptables=false", "--ip6tables=false", "--bridge=none", "--userland-proxy=false", "--storage-driver=vfs"];
/// How long the daemons get to answer (TCG is slow: dockerd takes 10-30 s).
const PATIENCE: Duration = Duration::from_secs(180);

/// The running engine.
pub struct Engine {
    _containerd: Child,
    _dockerd: Child,
}

/// The unit file of a service, where Debian's packages put it.
fn unit(name: &str) -> Result<String, String> {
    ["/usr/lib/systemd/system", "/lib/systemd/system"]
        .iter()
        .find_map(|d| std::fs::read_to_string(Path::new(d).join(name)).ok())
        .ok_or_else(|| format!("no {name} in /usr/lib/systemd/system or /lib/systemd/system"))
}

/// The values of `Key=` lines of a unit's [Service] (or [Socket]) section.
fn unit_values(text: &str, key: &str) -> Vec<String> {
    text.lines().filter_map(|l| l.trim().strip_prefix(key)?.strip_prefix('=').map(|v| v.trim().to_string())).collect()
}

/// `KEY=VALUE` lines of an EnvironmentFile (quotes removed).
fn environment_file(path: &str) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().trim_matches('"').trim_matches('\'').to_string()))
        .collect()
}

/// A unit's ExecStart as argv: `$VAR` and `${VAR}` words replaced by the variable's
/// words (systemd's rule for a lone `$VAR`), unset ones dropped.
fn exec_start(text: &str, env: &[(String, String)]) -> Result<Vec<String>, String> {
    let line = unit_values(text, "ExecStart").pop().ok_or("no ExecStart")?;
    let mut argv = Vec::new();
    for w in line.split_whitespace() {
        let name = w.strip_prefix("${").and_then(|r| r.strip_suffix('}')).or_else(|| w.strip_prefix('$'));
        match name {
            Some(n) => {
                if let Some((_, v)) = env.iter().rev().find(|(k, _)| k == n) {
                    argv.extend(v.split_whitespace().map(str::to_string));
                }
            }
            None => argv.push(w.to_string()),
        }
    }
    Ok(argv)
}

/// dockerd's argv: the unit's, `-H fd://` replaced by the socket unit's path, plus FORCED.
fn dockerd_argv(service: &str, socket: &str, env: &[(String, String)]) -> Result<Vec<String>, String> {
    let listen = unit_values(socket, "ListenStream").pop().unwrap_or_else(|| "/run/docker.sock".into());
    let mut argv = exec_start(service, env)?;
    for a in argv.iter_mut() {
        if a == "fd://" {
            *a = format!("unix://{listen}");
        } else if a == "--host=fd://" || a == "-H=fd://" {
            *a = format!("--host=unix://{listen}");
        }
    }
    argv.extend(FORCED.iter().map(|s| s.to_string()));
    Ok(argv)
}

fn spawn(argv: &[String], log: &str, env: &[(&str, &str)]) -> Result<Child, String> {
    let out = std::fs::File::create(log).map_err(|e| format!("{log}: {e}"))?;
    let err = out.try_clone().map_err(|e| e.to_string())?;
    let mut c = Command::new("/init");
    c.arg("supervise").arg("--").args(argv).env("PATH", SERVICE_PATH).stdin(Stdio::null()).stdout(out).stderr(err);
    for (k, v) in env {
        c.env(k, v);
    }
    c.spawn().map_err(|e| format!("starting {}: {e}", argv.join(" ")))
}

fn wait_for(what: &str, logs: &[&str], mut ready: impl FnMut() -> bool) -> Result<(), String> {
    let t0 = Instant::now();
    while t0.elapsed() < PATIENCE {
        if ready() {
            crate::say(&format!("guest-init: {what} after {:.1} s", t0.elapsed().as_secs_f64()));
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let mut s = format!("{what}: not after {} s\n", PATIENCE.as_secs());
    for l in logs {
        s.push_str(&shown_tail(&std::fs::read_to_string(l).unwrap_or_default(), l));
    }
    Err(s)
}

fn docker_ok(args: &[&str]) -> bool {
    Command::new(DOCKER)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Mount what the engine needs, start containerd and dockerd, import the image.
pub fn start() -> Result<Engine, String> {
    let t0 = Instant::now();
    if !Path::new(DOCKER).exists() {
        return Err(format!("{DOCKER} is missing: this is not the docker guest's initramfs"));
    }
    mount("cgroup2", "/sys/fs/cgroup", "cgroup2");
    mount("devpts", "/dev/pts", "devpts");
    mount("tmpfs", "/dev/shm", "tmpfs");
    mount("mqueue", "/dev/mqueue", "mqueue");
    let packages = std::fs::read_to_string("/vm-tests/docker/packages").unwrap_or_default();
    // The suite and the packages asked for by name (the libraries left out).
    let shown: Vec<&str> = packages.lines().filter(|p| !p.starts_with("lib")).map(str::trim).collect();
    crate::say(&format!("guest-init: docker guest: {}", shown.join(" ")));

    let containerd = exec_start(&unit("containerd.service")?, &[])?;
    crate::say(&format!("guest-init: starting {}", containerd.join(" ")));
    let containerd = spawn(&containerd, CONTAINERD_LOG, &[])?;
    wait_for("containerd's socket", &[CONTAINERD_LOG], || Path::new("/run/containerd/containerd.sock").exists())?;

    let service = unit("docker.service")?;
    let env: Vec<(String, String)> = unit_values(&service, "EnvironmentFile")
        .iter()
        .flat_map(|f| environment_file(f.trim_start_matches('-')))
        .collect();
    let dockerd = dockerd_argv(&service, &unit("docker.socket").unwrap_or_default(), &env)?;
    crate::say(&format!("guest-init: starting DOCKER_RAMDISK=true {}", dockerd.join(" ")));
    let dockerd = spawn(&dockerd, DOCKERD_LOG, &[("DOCKER_RAMDISK", "true")])?;
    wait_for("dockerd answers `docker version`", &[DOCKERD_LOG, CONTAINERD_LOG], || docker_ok(&["version"]))?;
    if !docker_ok(&["image", "inspect", IMAGE]) {
        let o = Command::new(DOCKER)
            .args(["import", IMAGE_TAR, IMAGE])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("docker import: {e}"))?;
        if !o.status.success() {
            return Err(format!(
                "docker import {IMAGE_TAR} {IMAGE} failed:\n{}{}",
                String::from_utf8_lossy(&o.stderr),
                shown_tail(&std::fs::read_to_string(DOCKERD_LOG).unwrap_or_default(), DOCKERD_LOG)
            ));
        }
    }
    crate::say(&format!("guest-init: docker engine ready in {:.1} s", t0.elapsed().as_secs_f64()));
    Ok(Engine { _containerd: containerd, _dockerd: dockerd })
}

/// `/init supervise -- PROGRAM ARGS...`: run the program as a child subreaper's
/// child, reap every orphan of its descendants, exit with its status when it exits.
pub fn supervise_main(args: &[String]) -> ! {
    let argv = match args.split_first() {
        Some((sep, rest)) if sep == "--" && !rest.is_empty() => rest,
        _ => crate::die("usage: supervise -- PROGRAM ARGS".into()),
    };
    // SAFETY: prctl(PR_SET_CHILD_SUBREAPER) takes integers only.
    if unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1 as libc::c_ulong, 0, 0, 0) } != 0 {
        crate::die(format!("PR_SET_CHILD_SUBREAPER: {}", std::io::Error::last_os_error()));
    }
    // Reaped by the waitpid(-1) loop below, with every orphan.
    #[allow(clippy::zombie_processes)]
    let child = Command::new(&argv[0])
        .args(&argv[1..])
        .spawn()
        .unwrap_or_else(|e| crate::die(format!("starting {}: {e}", argv[0])));
    let main = child.id() as libc::pid_t;
    loop {
        let mut st = 0;
        // SAFETY: waitpid writes the status into `st`, a live local.
        let pid = unsafe { libc::waitpid(-1, &mut st, 0) };
        if pid == main || (pid < 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::ECHILD)) {
            let code = if libc::WIFEXITED(st) { libc::WEXITSTATUS(st) } else { 128 + libc::WTERMSIG(st) };
            std::process::exit(code);
        }
    }
}

/// `/init audited-by-grep PATH`: docker-bench-security's test of whether PATH is
/// audited, `auditctl -l | grep PATH`: prints the lines of `auditctl -l` that hold
/// PATH and exits 0 when there is one, 1 when none (grep's exit codes). The pattern
/// is taken literally; grep reads the `.` of a path as any character, which only
/// widens its matches further.
pub fn audited_by_grep_main(args: &[String]) -> ! {
    let [path] = args else { crate::die("usage: audited-by-grep PATH".into()) };
    let o = Command::new(crate::AUDITCTL).arg("-l").output().unwrap_or_else(|e| crate::die(format!("auditctl: {e}")));
    let text = String::from_utf8_lossy(&o.stdout);
    let hits: Vec<&str> = text.lines().filter(|l| l.contains(path.as_str())).collect();
    for h in &hits {
        println!("{h}");
    }
    std::process::exit(if hits.is_empty() { 1 } else { 0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERVICE: &str = "[Service]\nType=notify\nEnvironmentFile=-/etc/default/docker\n\
        ExecStart=/usr/sbin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock $DOCKER_OPTS\n\
        ExecReload=/bin/kill -s HUP $MAINPID\n";

    #[test]
    fn dockerd_as_the_unit_starts_it_plus_what_the_guest_forces() {
        let socket = "[Socket]\nListenStream=/run/docker.sock\nSocketMode=0660\n";
        let argv = dockerd_argv(SERVICE, socket, &[]).unwrap();
        assert_eq!(
            argv[..4],
            ["/usr/sbin/dockerd", "-H", "unix:///run/docker.sock", "--containerd=/run/containerd/containerd.sock"]
        );
        assert_eq!(argv[4..], *FORCED);
        let env = vec![("DOCKER_OPTS".to_string(), "--debug  --mtu 1400".to_string())];
        let argv = dockerd_argv(SERVICE, socket, &env).unwrap();
        assert_eq!(argv[4..7], ["--debug", "--mtu", "1400"]);
    }

    #[test]
    fn environment_files_skip_comments() {
        let dir = std::env::temp_dir().join(format!("guest-init-env-{}", std::process::id()));
        std::fs::write(&dir, "# DOCKER_OPTS=\"--dns 8.8.8.8\"\nDOCKER_OPTS=\"-D\"\nexport X=1\n").unwrap();
        let env = environment_file(dir.to_str().unwrap());
        std::fs::remove_file(&dir).unwrap();
        assert_eq!(env[0], ("DOCKER_OPTS".to_string(), "-D".to_string()));
    }
}
