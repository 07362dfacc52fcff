//! Docker discovery on what is really installed: roots unpacked from Debian's own
//! `docker.io`, `containerd`, `runc` and `tini` packages of bookworm, trixie and sid
//! (`cargo xtask docker-roots`), and processes named `dockerd`, `containerd` and
//! `containerd-shim-runc-v2` running on this host from paths the CIS text does not
//! name. Neither touches the audit subsystem.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::Mutex;

use dockaudit::docker::{
    discover, Component, Discovery, DiscoveryError, Evidence, Located, Location, NotInstalled, ProcFs, Process,
    Processes, SymlinkHop,
};

use dockaudit::host::HostFs;

use crate::util::{repo_path, tempdir};

/// The root of one suite, built (once) by the xtask when it is not cached yet;
/// `Err` says why it cannot be had here, and the test is skipped.
pub(crate) fn debian_root(suite: &str) -> Result<PathBuf, String> {
    static BUILDING: Mutex<()> = Mutex::new(());
    let _one_at_a_time = BUILDING.lock().unwrap_or_else(|e| e.into_inner());
    let cache = repo_path("target/docker-roots").join(suite);
    if !cache.join("packages").is_file() {
        // A target directory of its own: the one `cargo test` is using may be locked.
        let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .current_dir(repo_path("."))
            .args(["run", "-q", "-p", "xtask", "--target-dir"])
            .arg(repo_path("target/docker-roots/xtask-target"))
            .args(["--", "docker-roots", suite])
            .output()
            .map_err(|e| format!("cannot run cargo xtask docker-roots: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "`cargo xtask docker-roots {suite}` failed: {}",
                String::from_utf8_lossy(&out.stderr).lines().rfind(|l| !l.trim().is_empty()).unwrap_or("").trim()
            ));
        }
    }
    Ok(cache.join("root"))
}

fn found(d: &Discovery, c: Component) -> &Located {
    match d.get(c) {
        Location::Found(l) => l,
        other => panic!("{c}: {other:?}"),
    }
}

fn absent(d: &Discovery, c: Component) -> &NotInstalled {
    match d.get(c) {
        Location::NotInstalled(n) => n,
        other => panic!("{c}: {other:?}"),
    }
}

/// What every Debian suite has in common (the reference's verified table).
fn debian_common(suite: &str) -> Option<Discovery> {
    let root = match debian_root(suite) {
        Ok(r) => r,
        Err(why) => {
            eprintln!("skipped: Debian {suite} root: {why}");
            return None;
        }
    };
    let d = discover(&HostFs::new(&root), None);
    assert!(d.problems.is_empty(), "{suite}: {:?}", d.problems);
    let unit = "/usr/lib/systemd/system/docker.service";

    // 1.1.3: /usr/sbin/dockerd, named by docker.service; /usr/bin/dockerd does not exist.
    let dockerd = found(&d, Component::Dockerd);
    assert_eq!(dockerd.path, Path::new("/usr/sbin/dockerd"), "{suite}");
    assert!(dockerd.found_by.to_string().starts_with(&format!("docker.service ExecStart ({unit}:")), "{suite}");
    assert!(dockerd.differs_from_cis() && dockerd.others.is_empty() && dockerd.symlinks.is_empty(), "{suite}");

    // 1.1.18: /usr/sbin/runc on containerd's PATH; /usr/bin/runc is a link to it.
    let runc = found(&d, Component::Runc);
    assert_eq!(runc.path, Path::new("/usr/sbin/runc"), "{suite}");
    assert_eq!(runc.found_by.to_string(), "PATH of containerd.service", "{suite}");
    assert_eq!(runc.symlinks, [SymlinkHop { link: "/usr/bin/runc".into(), target: "../sbin/runc".into() }]);
    assert!(runc.others.is_empty(), "{suite}: {:?}", runc.others);

    let containerd = found(&d, Component::Containerd);
    assert_eq!(containerd.path, Path::new("/usr/bin/containerd"), "{suite}");
    assert!(containerd.found_by.to_string().starts_with("containerd.service ExecStart (/usr/lib/systemd/system/"));
    let v2 = found(&d, Component::ContainerdShimRuncV2);
    assert_eq!(
        (v2.path.as_path(), v2.found_by.to_string()),
        (Path::new("/usr/bin/containerd-shim-runc-v2"), "PATH of containerd.service".to_string())
    );

    // Units where systemd finds them (/lib is a link into /usr here).
    assert_eq!(found(&d, Component::DockerService).path, Path::new(unit));
    assert_eq!(found(&d, Component::DockerSocket).path, Path::new("/usr/lib/systemd/system/docker.socket"));
    assert!(found(&d, Component::DockerService).drop_ins.is_empty());
    let default = found(&d, Component::EtcDefaultDocker);
    assert!(default.found_by.to_string().starts_with(&format!("docker.service EnvironmentFile ({unit}:")));
    assert_eq!(found(&d, Component::ContainerdConfig).path, Path::new("/etc/containerd/config.toml"));
    assert_eq!(found(&d, Component::DockerConfigDir).path, Path::new("/etc/docker"));
    assert!(absent(&d, Component::EtcSysconfigDocker).reason().contains("/etc/sysconfig/docker"));

    // What exists only once the daemons ran: not installed offline, and said so.
    assert!(absent(&d, Component::DataRoot).reason().contains("/var/lib/docker"));
    let sock = absent(&d, Component::ContainerdSock).reason();
    assert!(sock.contains("--containerd in docker.service ExecStart") && sock.contains("only while"), "{sock}");
    assert!(absent(&d, Component::ContainerdState).reason().contains("/run/containerd"));
    Some(d)
}

#[test]
fn debian_bookworm_and_trixie() {
    for suite in ["bookworm", "trixie"] {
        let Some(d) = debian_common(suite) else { return };
        for (c, path) in [
            (Component::ContainerdShim, "/usr/bin/containerd-shim"),
            (Component::ContainerdShimRuncV1, "/usr/bin/containerd-shim-runc-v1"),
        ] {
            assert_eq!(found(&d, c).path, Path::new(path), "{suite}");
        }
        // docker-init -> tini-static, found on dockerd's PATH.
        let init = found(&d, Component::DockerInit);
        assert_eq!(init.path, Path::new("/usr/bin/tini-static"), "{suite}");
        assert_eq!(init.symlinks[0].link, Path::new("/usr/bin/docker-init"));
    }
}

#[test]
fn debian_sid_has_containerd_2_without_the_v1_shims() {
    let Some(d) = debian_common("sid") else { return };
    for c in [Component::ContainerdShim, Component::ContainerdShimRuncV1] {
        let n = absent(&d, c);
        assert_eq!(
            n.note.as_deref(),
            Some("containerd at /usr/bin/containerd is 2.x, which has no containerd-shim nor containerd-shim-runc-v1")
        );
        assert!(n.looked.iter().any(|l| l.starts_with("PATH of containerd.service")), "{:?}", n.looked);
    }
    // sid's tini ships no tini-static: docker-init is a dangling link, and said so.
    let init = absent(&d, Component::DockerInit);
    assert!(init.reason().contains("/usr/bin/docker-init (a dangling link)"), "{}", init.reason());
}

/// The real `/proc`, limited to the processes this test started (a real dockerd on
/// the machine must not make the test depend on it).
struct Only<'a>(ProcFs, &'a [u32]);

impl Processes for Only<'_> {
    fn find(&self, comms: &[&str]) -> Result<Vec<Process>, DiscoveryError> {
        Ok(self.0.find(comms)?.into_iter().filter(|p| self.1.contains(&p.pid)).collect())
    }
}

pub(crate) struct Running(pub(crate) Vec<Child>);

impl Drop for Running {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Held by every test that runs processes named after the daemons: `check` on the host
/// must see only its own test's.
pub(crate) static DAEMONS: Mutex<()> = Mutex::new(());

/// Copies of `sleep` named after the daemons, run from a temporary directory.
pub(crate) fn spawn_as(dir: &Path, names: &[&str]) -> Running {
    let sleep = ["/usr/bin/sleep", "/bin/sleep"].into_iter().find(|p| Path::new(p).exists()).expect("sleep");
    let mut children = Vec::new();
    for name in names {
        let exe = dir.join(name);
        std::fs::copy(sleep, &exe).unwrap();
        children.push(Command::new(&exe).arg("60").spawn().unwrap());
    }
    // The child has exec'd once /proc/PID/exe names the copy.
    for (c, name) in children.iter().zip(names) {
        let exe = Path::new("/proc").join(c.id().to_string()).join("exe");
        for _ in 0..200 {
            if std::fs::read_link(&exe).is_ok_and(|l| l.ends_with(name)) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }
    Running(children)
}

#[test]
fn live_processes_are_found_by_comm_and_exe_on_this_host() {
    let _daemons = DAEMONS.lock().unwrap_or_else(|e| e.into_inner());
    let dir = std::fs::canonicalize(tempdir()).unwrap();
    let running = spawn_as(&dir, &["dockerd", "containerd", "containerd-shim-runc-v2"]);
    let pids: Vec<u32> = running.0.iter().map(|c| c.id()).collect();
    let d = discover(&HostFs::new("/"), Some(&Only(ProcFs::new("/proc"), &pids)));
    for (i, c) in [Component::Dockerd, Component::Containerd, Component::ContainerdShimRuncV2].into_iter().enumerate() {
        let l = found(&d, c);
        assert_eq!(l.path, dir.join(c.name()), "{c}");
        assert_eq!(l.found_by, Evidence::Process { pid: pids[i] }, "{c}");
    }
    drop(running);

    // A binary deleted while it runs (an upgrade): the process is seen, its file is not.
    let running = spawn_as(&dir, &["dockerd"]);
    std::fs::remove_file(dir.join("dockerd")).unwrap();
    let pid = running.0[0].id();
    let d = discover(&HostFs::new("/"), Some(&Only(ProcFs::new("/proc"), &[pid])));
    let looked = match d.get(Component::Dockerd) {
        Location::NotInstalled(n) => n.looked.join("; "),
        Location::Found(l) => {
            assert_ne!(l.found_by, Evidence::Process { pid });
            l.notes.join("; ")
        }
        Location::Error { error, .. } => panic!("{error}"),
    };
    assert!(looked.contains(&format!("process {pid} runs a deleted {}", dir.join("dockerd").display())), "{looked}");
    drop(running);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--host-root DIR`: the host's `/` bind-mounted at DIR keeps inodes, so the process's
/// exe path, looked up under DIR, must be the very file that runs (a hard link stands
/// in for the bind mount here); a copy at that path is another file and is refused.
#[test]
fn under_a_host_root_the_running_file_is_confirmed_by_its_inode() {
    let _daemons = DAEMONS.lock().unwrap_or_else(|e| e.into_inner());
    let dir = std::fs::canonicalize(tempdir()).unwrap();
    let running = spawn_as(&dir, &["dockerd"]);
    let pid = running.0[0].id();
    let exe = dir.join("dockerd");
    let host = dir.join("host");
    let under = host.join(exe.strip_prefix("/").unwrap());
    std::fs::create_dir_all(under.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink("/proc", host.join("proc")).unwrap();
    std::fs::hard_link(&exe, &under).unwrap();
    let procs = Only(ProcFs::under(&host), &[pid]);
    let d = discover(&HostFs::new(&host), Some(&procs));
    let l = found(&d, Component::Dockerd);
    assert_eq!((l.path.as_path(), &l.found_by), (exe.as_path(), &Evidence::Process { pid }));

    std::fs::remove_file(&under).unwrap();
    std::fs::copy(&exe, &under).unwrap();
    let d = discover(&HostFs::new(&host), Some(&procs));
    let said = match d.get(Component::Dockerd) {
        Location::Found(l) => {
            assert_ne!(l.found_by, Evidence::Process { pid });
            l.notes.join("; ")
        }
        Location::NotInstalled(n) => n.looked.join("; "),
        Location::Error { error, .. } => panic!("{error}"),
    };
    assert!(said.contains(&format!("process {pid} runs {}, which is not the file", exe.display())), "{said}");
    drop(running);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The CIS remediation lines of 1.6.0 that load on Debian bookworm's root: the
/// watches whose parent directory exists (the kernel refuses `-w /etc/sysconfig/docker`
/// and the /run/containerd lines there, and the boot load stops at the first refused
/// line). `-w /usr/bin/dockerd` loads (its parent exists) and watches nothing.
const BOOKWORM_CIS_LINES: &str = "-w /usr/bin/dockerd -k docker\n-w /var/lib/docker -k docker\n\
    -w /etc/docker -k docker\n-w /lib/systemd/system/docker.service -k docker\n\
    -w /lib/systemd/system/docker.socket -k docker\n-w /etc/default/docker -k docker\n\
    -w /etc/docker/daemon.json -k docker\n-w /etc/containerd/config.toml -k docker\n\
    -w /usr/bin/containerd -k docker\n-w /usr/bin/containerd-shim -k docker\n\
    -w /usr/bin/containerd-shim-runc-v1 -k docker\n-w /usr/bin/containerd-shim-runc-v2 -k docker\n\
    -w /usr/bin/runc -k docker\n";

fn controls(out: &std::process::Output) -> Vec<serde_json::Value> {
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    report["controls"].as_array().unwrap().clone()
}

fn by_id<'a>(controls: &'a [serde_json::Value], id: &str) -> &'a serde_json::Value {
    controls.iter().find(|c| c["id"] == id).unwrap()
}

/// The real binary on the roots unpacked from Debian bookworm's, trixie's and sid's
/// packages, judged offline with the CIS lines: 1.1.3 and 1.1.18 are judged on
/// /usr/sbin, with the evidence, and fail for the true reasons; `fix` proposes the rules
/// for the files the host runs, and with them every installed control passes.
#[test]
fn check_and_fix_on_debian_judge_the_files_the_host_runs() {
    // Installed controls: bookworm and trixie have every shim; sid's containerd 2.x
    // has neither containerd-shim nor containerd-shim-runc-v1.
    for (suite, installed) in [("bookworm", 11), ("trixie", 11), ("sid", 9)] {
        match debian_root(suite) {
            Ok(root) => check_and_fix_on(suite, &root, installed),
            Err(why) => eprintln!("skipped: Debian {suite} root: {why}"),
        }
    }
}

fn check_and_fix_on(suite: &str, root: &Path, installed: usize) {
    let root = root.to_str().unwrap();
    let dir = tempdir();
    let cis = dir.join("cis.rules");
    std::fs::write(&cis, BOOKWORM_CIS_LINES).unwrap();
    let cis = cis.to_str().unwrap();

    let before = crate::util::dockaudit(&["check", "--root", root, "--rules", cis, "--format", "json"]);
    assert_eq!(before.status.code(), Some(1), "{}", String::from_utf8_lossy(&before.stderr));
    let before = controls(&before);
    let dockerd = by_id(&before, "1.1.3");
    assert_eq!(
        (&dockerd["path"], &dockerd["cis_path"], &dockerd["status"]),
        (&"/usr/sbin/dockerd".into(), &"/usr/bin/dockerd".into(), &"fail".into())
    );
    let by = dockerd["found_by"].as_str().unwrap();
    assert!(by.starts_with("docker.service ExecStart (/usr/lib/systemd/system/docker.service:"), "{dockerd:#}");
    assert!(
        dockerd["reasons"].to_string().contains("watches /usr/bin/dockerd, a path that does not exist"),
        "{dockerd:#}"
    );
    let runc = by_id(&before, "1.1.18");
    assert_eq!(
        (&runc["path"], &runc["cis_path"], &runc["found_by"], &runc["status"]),
        (&"/usr/sbin/runc".into(), &"/usr/bin/runc".into(), &"PATH of containerd.service".into(), &"fail".into())
    );
    assert!(runc["reasons"].to_string().contains("watches the symlink /usr/bin/runc"), "{runc:#}");
    // Where Debian uses the CIS path, nothing differs.
    for id in ["1.1.6", "1.1.7", "1.1.14", "1.1.17"] {
        let c = by_id(&before, id);
        assert_eq!((&c["path"], &c["status"]), (&c["cis_path"], &"pass".into()), "{c:#}");
    }

    let fix = crate::util::dockaudit(&["fix", "--root", root, "--rules", cis]);
    assert_eq!(fix.status.code(), Some(0), "{}", String::from_utf8_lossy(&fix.stderr));
    let plan = crate::util::stdout(&fix);
    assert!(plan.contains("\n-w /usr/sbin/dockerd -p rwxa -k docker\n"), "{plan}");
    assert!(plan.contains("\n-w /usr/sbin/runc -p rwxa -k docker\n"), "{plan}");
    assert!(plan.contains("2 rule(s) for 2 control(s)") && !plan.contains("never rule"), "{plan}");
    let fixed = dir.join("fix.rules");
    std::fs::write(&fixed, &fix.stdout).unwrap();

    let after = crate::util::dockaudit(&[
        "check",
        "--root",
        root,
        "--rules",
        cis,
        "--rules",
        fixed.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(after.status.code(), Some(0), "{}", String::from_utf8_lossy(&after.stdout));
    let after = controls(&after);
    for c in &after {
        assert!(c["status"] == "pass" || c["status"] == "not_applicable", "{c:#}");
        let was = by_id(&before, c["id"].as_str().unwrap());
        assert_eq!((&c["path"], &c["found_by"]), (&was["path"], &was["found_by"]));
    }
    assert_eq!(after.iter().filter(|c| c["status"] == "pass").count(), installed, "{suite}");
    let _ = std::fs::remove_dir_all(&dir);
}
