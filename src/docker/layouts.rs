//! Discovery on hand-built roots, one per layout `shared/reference/docker-layouts.md`
//! lists from upstream packaging (the Debian packages themselves are unpacked and
//! judged in `tests/integration/docker.rs`), plus the configurations that move a
//! component: a drop-in resetting `ExecStart=`, `data-root`, `--config-file`,
//! containerd's `--config`, a runc shadowing another, and a live process table.
//!
//! Each layout is a named fixture ([`layouts`], [`Layout`]): the discovery tests here
//! take their roots from it, and `fix`'s tests judge and fix every one of them end to
//! end (`fix/layouts_tests.rs`).

use std::path::Path;

use super::*;
use crate::host::{FakeFs, HostFs};

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

/// (judged path, found_by) of a component, for compact assertions.
fn at(d: &Discovery, c: Component) -> (String, String) {
    let l = found(d, c);
    (l.path.display().to_string(), l.found_by.to_string())
}

fn pair(path: &str, by: &str) -> (String, String) {
    (path.to_string(), by.to_string())
}

const CONTAINERD_SERVICE: &str = "[Unit]\nDescription=containerd\n\n[Service]\n\
    ExecStartPre=-/sbin/modprobe overlay\nExecStart=/usr/bin/containerd\nType=notify\n";

/// Docker's own packages (docker-ce + containerd.io): everything in /usr/bin, runc a
/// real file, docker-init in /usr/libexec/docker, containerd.io 2.x (no shim v1).
fn docker_ce(unit_dir: &str) -> FakeFs {
    FakeFs::new()
        .merged_usr()
        .exe("/usr/bin/dockerd")
        .exe("/usr/bin/docker")
        .exe("/usr/bin/containerd")
        .exe("/usr/bin/containerd-shim-runc-v2")
        .exe("/usr/bin/runc")
        .exe("/usr/libexec/docker/docker-init")
        .file_with(
            &format!("{unit_dir}/docker.service"),
            "[Unit]\nDescription=Docker\n\n[Service]\nType=notify\n\
             ExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock\n",
        )
        .file_with(&format!("{unit_dir}/docker.socket"), "[Socket]\nListenStream=/run/docker.sock\n")
        .file_with(&format!("{unit_dir}/containerd.service"), CONTAINERD_SERVICE)
        .file_with("/etc/containerd/config.toml", "disabled_plugins = [\"cri\"]\n")
        .dir("/etc/docker")
        .dir("/var/lib/docker")
}

/// The static binaries of download.docker.com, copied to /usr/local/bin.
fn static_usr_local_bin() -> FakeFs {
    let mut t = FakeFs::new().merged_usr();
    for bin in ["dockerd", "containerd", "containerd-shim-runc-v2", "runc", "docker-init", "docker"] {
        t = t.exe(&format!("/usr/local/bin/{bin}"));
    }
    t
}

/// One way a Docker host is laid out: the root as its packaging (and configuration)
/// leaves it, and the processes running when it is judged live.
#[derive(Clone, Debug)]
pub(crate) struct Layout {
    /// What it is, for messages ("docker-ce deb", "Fedora 42").
    pub name: &'static str,
    /// The root, as `--root` would read it.
    pub root: FakeFs,
    /// The running daemons, for a layout judged live; `None` offline.
    pub procs: Option<ProcessTable>,
}

impl Layout {
    fn new(name: &'static str, root: FakeFs) -> Layout {
        Layout { name, root, procs: None }
    }

    fn live(name: &'static str, root: FakeFs, procs: ProcessTable) -> Layout {
        Layout { name, root, procs: Some(procs) }
    }

    /// Discovery on this layout, with its processes when it has some.
    pub(crate) fn discover(&self) -> Discovery {
        discover(&self.root, self.procs.as_ref().map(|p| p as &dyn Processes))
    }
}

/// Every layout discovery is tested on, each a named fixture (the judge and `fix` are
/// proven on all of them in `fix`'s tests).
pub(crate) fn layouts() -> Vec<Layout> {
    let drop_in = docker_ce("/usr/lib/systemd/system")
        .exe("/opt/docker/dockerd")
        .file_with(
            "/etc/systemd/system/docker.service.d/override.conf",
            "[Service]\nExecStart=\nExecStart=/opt/docker/dockerd -H fd:// --data-root /data\n",
        )
        .dir("/data");
    let live = docker_ce("/usr/lib/systemd/system")
        .exe("/opt/new/dockerd")
        .exe("/opt/new/containerd")
        .exe("/opt/new/containerd-shim-runc-v2")
        .dir("/data");
    vec![
        // Debian bookworm's docker.io, containerd and runc: dockerd and runc in /usr/sbin,
        // /usr/bin/runc -> ../sbin/runc, units under /lib (the judge's and fix's own tests).
        Layout::new(
            "Debian bookworm",
            FakeFs::new()
                .merged_usr()
                .exe("/usr/sbin/dockerd")
                .exe("/usr/bin/containerd")
                .exe("/usr/bin/containerd-shim")
                .exe("/usr/bin/containerd-shim-runc-v1")
                .exe("/usr/bin/containerd-shim-runc-v2")
                .exe("/usr/sbin/runc")
                .symlink("/usr/bin/runc", "../sbin/runc")
                .file_with(
                    "/lib/systemd/system/docker.service",
                    "[Service]\nEnvironmentFile=-/etc/default/docker\n\
                     ExecStart=/usr/sbin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock $DOCKER_OPTS\n",
                )
                .file_with("/lib/systemd/system/docker.socket", "[Socket]\nListenStream=/run/docker.sock\n")
                .file_with("/lib/systemd/system/containerd.service", CONTAINERD_SERVICE)
                .file_with("/etc/default/docker", "#DOCKER_OPTS=\"--dns 8.8.8.8\"\n")
                .dir("/etc/docker")
                .file_with("/etc/containerd/config.toml", "version = 2\n")
                .dir("/var/lib/docker"),
        ),
        // Docker's own deb packages: units under /lib/systemd/system (/lib -> usr/lib).
        Layout::new(
            "docker-ce deb",
            docker_ce("/lib/systemd/system"),
        ),
        // Docker's own rpm packages: units under /usr/lib/systemd/system.
        Layout::new(
            "docker-ce rpm",
            docker_ce("/usr/lib/systemd/system"),
        ),
        // openSUSE: containerd, its shims and runc in /usr/sbin, /usr/bin/runc a link, /etc/sysconfig/docker.
        Layout::new(
            "openSUSE",
            FakeFs::new()
                .merged_usr()
                .exe("/usr/bin/dockerd")
                .exe("/usr/sbin/containerd")
                .exe("/usr/sbin/containerd-shim")
                .exe("/usr/sbin/containerd-shim-runc-v2")
                .exe("/usr/sbin/runc")
                .symlink("/usr/bin/runc", "../sbin/runc")
                .file_with(
                    "/usr/lib/systemd/system/docker.service",
                    "[Service]\nEnvironmentFile=/etc/sysconfig/docker\n\
                     ExecStart=/usr/bin/dockerd --add-runtime oci=/usr/sbin/runc $DOCKER_NETWORK_OPTIONS $DOCKER_OPTS\n",
                )
                .file_with("/usr/lib/systemd/system/containerd.service", "[Service]\nExecStart=/usr/sbin/containerd\n")
                .file_with("/etc/sysconfig/docker", "DOCKER_OPTS=\"\"\n"),
        ),
        // Fedora 42: /usr/sbin -> bin, everything in /usr/bin.
        Layout::new(
            "Fedora 42",
            FakeFs::new()
                .dir("/usr/bin")
                .symlink("/usr/sbin", "bin")
                .symlink("/bin", "usr/bin")
                .symlink("/sbin", "usr/bin")
                .exe("/usr/bin/dockerd")
                .exe("/usr/bin/containerd")
                .exe("/usr/bin/containerd-shim-runc-v2")
                .exe("/usr/bin/runc")
                .file_with("/usr/lib/systemd/system/docker.service", "[Service]\nExecStart=/usr/bin/dockerd -H fd://\n")
                .file_with("/usr/lib/systemd/system/containerd.service", CONTAINERD_SERVICE),
        ),
        // RHEL 7's docker: dockerd-current with its own runc added by --add-runtime and its own containerd.
        Layout::new(
            "RHEL 7",
            FakeFs::new()
                .merged_usr()
                .exe("/usr/bin/dockerd-current")
                .exe("/usr/bin/docker-containerd-current")
                .exe("/usr/libexec/docker/docker-runc-current")
                .exe("/usr/libexec/docker/docker-init-current")
                .file_with(
                    "/usr/lib/systemd/system/docker.service",
                    "[Service]\nEnvironmentFile=-/etc/sysconfig/docker\nEnvironmentFile=-/etc/sysconfig/docker-storage\n\
                     ExecStart=/usr/bin/dockerd-current \\\n          \
                     --add-runtime docker-runc=/usr/libexec/docker/docker-runc-current \\\n          \
                     --default-runtime=docker-runc \\\n          \
                     --init-path=/usr/libexec/docker/docker-init-current \\\n          \
                     $OPTIONS $DOCKER_STORAGE_OPTIONS\n",
                )
                .file_with("/etc/sysconfig/docker", "OPTIONS='--selinux-enabled --log-driver=journald'\n"),
        ),
        // The static binaries of download.docker.com in /usr/local/bin, started by hand: no units.
        Layout::new(
            "static /usr/local/bin",
            static_usr_local_bin(),
        ),
        // The docker snap: binaries under /snap/docker/current, data under /var/snap/docker.
        Layout::new(
            "snap",
            FakeFs::new()
                .merged_usr()
                .exe("/usr/bin/snap")
                .symlink("/snap/docker/current", "2915")
                .exe("/snap/docker/2915/bin/dockerd")
                .exe("/snap/docker/2915/bin/containerd")
                .exe("/snap/docker/2915/bin/containerd-shim-runc-v2")
                .exe("/snap/docker/2915/bin/runc")
                .file_with(
                    "/etc/systemd/system/snap.docker.dockerd.service",
                    "[Unit]\nDescription=Service for snap application docker.dockerd\n[Service]\n\
                     ExecStart=/usr/bin/snap run docker.dockerd\n",
                )
                .dir("/var/snap/docker/common/var-lib-docker")
                .file_with("/var/snap/docker/2915/config/daemon.json", "{}")
                .symlink("/var/snap/docker/current", "2915"),
        ),
        // docker-ce with a drop-in that resets `ExecStart=` to another dockerd and another data root.
        Layout::new(
            "drop-in resetting ExecStart=",
            drop_in.clone(),
        ),
        // The same drop-in, and a full copy of docker.service in /etc hiding the packaged unit.
        Layout::new(
            "drop-in on a docker.service copied to /etc",
            drop_in.file_with("/etc/systemd/system/docker.service", "[Service]\nExecStart=/usr/bin/dockerd\n"),
        ),
        // docker-ce with daemon.json's `data-root` on a link to another disk.
        Layout::new(
            "data-root moved in daemon.json",
            docker_ce("/usr/lib/systemd/system")
                .file_with("/etc/docker/daemon.json", "{\"data-root\": \"/srv/docker\"}")
                .symlink("/srv/docker", "/mnt/disk/docker")
                .dir("/mnt/disk/docker"),
        ),
        // docker-ce with daemon.json moved by `--config-file` in a drop-in, naming another data root.
        Layout::new(
            "--config-file",
            docker_ce("/usr/lib/systemd/system")
                .file_with(
                    "/etc/systemd/system/docker.service.d/config.conf",
                    "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd --config-file=/opt/etc/dockerd.json\n",
                )
                .file_with("/opt/etc/dockerd.json", "{\"data-root\": \"/opt/docker\"}")
                .dir("/opt/docker"),
        ),
        // Debian's unit with `$DOCKER_OPTS` from /etc/default/docker moving the data root.
        Layout::new(
            "DOCKER_OPTS in /etc/default/docker",
            FakeFs::new()
                .merged_usr()
                .exe("/usr/sbin/dockerd")
                .file_with(
                    "/usr/lib/systemd/system/docker.service",
                    "[Service]\nEnvironmentFile=-/etc/default/docker\n\
                     ExecStart=/usr/sbin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock $DOCKER_OPTS\n",
                )
                .file_with("/etc/default/docker", "# Debian's comment\nDOCKER_OPTS=\"--data-root /srv/docker\"\n")
                .dir("/srv/docker"),
        ),
        // docker-ce with containerd's `--config` in a drop-in, its `state` and socket elsewhere.
        Layout::new(
            "containerd --config",
            docker_ce("/usr/lib/systemd/system")
                .file_with(
                    "/etc/systemd/system/containerd.service.d/10-config.conf",
                    "[Service]\nExecStart=\nExecStart=/usr/bin/containerd --config /etc/containerd/docker.toml\n",
                )
                .file_with(
                    "/etc/containerd/docker.toml",
                    "version = 2\nstate = \"/run/docker-containerd\"\n[grpc]\naddress = \"/run/docker-containerd/c.sock\"\n",
                )
                .dir("/run/docker-containerd")
                .file_with("/run/docker-containerd/c.sock", ""),
        ),
        // A /usr/local/bin/runc shadowing Debian's /usr/sbin/runc on containerd.service's PATH.
        Layout::new(
            "runc shadowed in /usr/local/bin",
            FakeFs::new()
                .merged_usr()
                .exe("/usr/sbin/dockerd")
                .exe("/usr/bin/containerd")
                .exe("/usr/sbin/runc")
                .symlink("/usr/bin/runc", "../sbin/runc")
                .exe("/usr/local/bin/runc")
                .file_with("/usr/lib/systemd/system/containerd.service", CONTAINERD_SERVICE),
        ),
        // docker-ce with nvidia-container-runtime as the default runtime (it wraps the runc on the PATH).
        Layout::new(
            "nvidia default runtime",
            docker_ce("/usr/lib/systemd/system").exe("/usr/bin/nvidia-container-runtime").file_with(
                "/etc/docker/daemon.json",
                r#"{"default-runtime": "nvidia", "runtimes": {"nvidia": {"path": "nvidia-container-runtime"}}}"#,
            ),
        ),
        // docker-ce with an old daemon.json redefining the runtime runc.
        Layout::new(
            "runc redefined in daemon.json",
            docker_ce("/usr/lib/systemd/system")
                .exe("/opt/runc/runc")
                .file_with("/etc/docker/daemon.json", r#"{"runtimes": {"runc": {"path": "/opt/runc/runc"}}}"#),
        ),
        // containerd and its shim in /opt/containerd/bin, not on the service's PATH.
        Layout::new(
            "containerd in /opt with its shims",
            FakeFs::new()
                .merged_usr()
                .exe("/opt/containerd/bin/containerd")
                .exe("/opt/containerd/bin/containerd-shim-runc-v2")
                .file_with(
                    "/usr/lib/systemd/system/containerd.service",
                    "[Service]\nExecStart=/opt/containerd/bin/containerd\n",
                ),
        ),
        // containerd 2.x (no containerd-shim, no -runc-v1) with its unit.
        Layout::new(
            "containerd 2.x",
            FakeFs::new()
                .merged_usr()
                .file_with("/usr/bin/containerd", "\x7fELF ... github.com/containerd/containerd/v2/cmd/containerd ...")
                .exe("/usr/bin/containerd-shim-runc-v2")
                .file_with("/usr/lib/systemd/system/containerd.service", CONTAINERD_SERVICE),
        ),
        // OpenRC with DOCKERD_BINARY and DOCKER_OPTS in /etc/conf.d/docker.
        Layout::new(
            "OpenRC /etc/conf.d/docker",
            FakeFs::new()
                .merged_usr()
                .exe("/usr/bin/dockerd")
                .exe("/opt/bin/dockerd")
                .file_with("/etc/init.d/docker", "#!/sbin/openrc-run\n")
                .file_with("/etc/conf.d/docker", "DOCKERD_BINARY=\"/opt/bin/dockerd\"\nDOCKER_OPTS=\"--data-root /data\"\n")
                .dir("/data"),
        ),
        // sysvinit with DOCKERD in /etc/default/docker and no init script.
        Layout::new(
            "sysvinit /etc/default/docker",
            FakeFs::new()
                .merged_usr()
                .exe("/usr/sbin/dockerd")
                .file_with("/etc/default/docker", "DOCKERD=/usr/sbin/dockerd\n"),
        ),
        // Alpine: OpenRC's init script naming dockerd by default.
        Layout::new(
            "Alpine OpenRC",
            FakeFs::new()
                .merged_usr()
                .exe("/usr/bin/dockerd")
                .file_with(
                    "/etc/init.d/docker",
                    "#!/sbin/openrc-run\nsupervisor=supervise-daemon\nname=\"Docker Daemon\"\n\
                     command=\"${DOCKERD_BINARY:-/usr/bin/dockerd}\"\ncommand_args=\"${DOCKER_OPTS}\"\n",
                )
                .file_with("/etc/conf.d/docker", "#DOCKERD_BINARY=\"/usr/bin/dockerd\"\nDOCKER_OPTS=\"\"\n"),
        ),
        // Debian without systemd: the sysvinit script naming dockerd.
        Layout::new(
            "Debian sysvinit",
            FakeFs::new()
                .merged_usr()
                .exe("/usr/sbin/dockerd")
                .file_with("/etc/init.d/docker", "#!/bin/sh\nBASE=docker\nDOCKERD=/usr/sbin/dockerd\n")
                .file_with("/etc/default/docker", "#DOCKER_OPTS=\"--dns 8.8.8.8\"\n"),
        ),
        // docker-ce on disk, and the daemons running from /opt/new (judged live).
        Layout::live(
            "live processes",
            live.clone(),
            ProcessTable::default()
                .with(812, "/opt/new/dockerd", &["--data-root", "/data", "--containerd=/run/containerd/containerd.sock"])
                .with(700, "/opt/new/containerd", &[])
                .with(901, "/opt/new/containerd-shim-runc-v2", &["-namespace", "moby"])
                .with(902, "/usr/bin/sleep", &[]),
        ),
        // The same, the running dockerd deleted by an upgrade of /usr/bin/dockerd.
        Layout::live(
            "live dockerd deleted by an upgrade",
            live,
            ProcessTable::default().with(812, "/usr/bin/dockerd (deleted)", &[]),
        ),
    ]
}

/// The layout named `name`.
#[track_caller]
pub(crate) fn layout(name: &str) -> Layout {
    layouts().into_iter().find(|l| l.name == name).unwrap_or_else(|| panic!("no layout named {name:?}"))
}

#[test]
fn docker_ce_deb_and_rpm() {
    for name in ["docker-ce deb", "docker-ce rpm"] {
        let d = discover(&layout(name).root, None);
        assert_eq!(
            at(&d, Component::Dockerd),
            pair("/usr/bin/dockerd", "docker.service ExecStart (/usr/lib/systemd/system/docker.service:6)")
        );
        assert_eq!(
            at(&d, Component::Containerd),
            pair("/usr/bin/containerd", "containerd.service ExecStart (/usr/lib/systemd/system/containerd.service:6)")
        );
        assert_eq!(
            at(&d, Component::ContainerdShimRuncV2),
            pair("/usr/bin/containerd-shim-runc-v2", "PATH of containerd.service")
        );
        assert_eq!(at(&d, Component::Runc), pair("/usr/bin/runc", "PATH of containerd.service"));
        assert!(found(&d, Component::Runc).symlinks.is_empty() && found(&d, Component::Runc).others.is_empty());
        assert_eq!(
            at(&d, Component::DockerInit),
            pair("/usr/libexec/docker/docker-init", "dockerd's libexec directories")
        );
        assert_eq!(at(&d, Component::DataRoot), pair("/var/lib/docker", "CIS path"));
        assert_eq!(
            at(&d, Component::DockerService),
            pair("/usr/lib/systemd/system/docker.service", "systemd unit search order")
        );
        assert_eq!(at(&d, Component::ContainerdConfig), pair("/etc/containerd/config.toml", "CIS path"));
        for c in [Component::ContainerdShim, Component::ContainerdShimRuncV1] {
            let n = absent(&d, c);
            assert!(n.looked.iter().any(|l| l.starts_with("PATH of containerd.service")), "{:?}", n.looked);
        }
        // Offline, /run is empty: the socket and state directory exist only at run time.
        let sock = absent(&d, Component::ContainerdSock);
        assert!(sock.reason().contains("--containerd in docker.service ExecStart"), "{}", sock.reason());
        assert!(sock.reason().contains("only while containerd runs"), "{}", sock.reason());
        assert!(absent(&d, Component::EtcSysconfigDocker).reason().contains("/etc/sysconfig/docker"));
        assert!(d.problems.is_empty(), "{:?}", d.problems);
    }
}

#[test]
fn open_suse_runs_containerd_and_its_shims_from_usr_sbin() {
    let t = layout("openSUSE").root;
    let d = discover(&t, None);
    assert_eq!(
        at(&d, Component::Containerd),
        pair("/usr/sbin/containerd", "containerd.service ExecStart (/usr/lib/systemd/system/containerd.service:2)")
    );
    assert_eq!(at(&d, Component::ContainerdShim), pair("/usr/sbin/containerd-shim", "PATH of containerd.service"));
    assert_eq!(
        at(&d, Component::ContainerdShimRuncV2),
        pair("/usr/sbin/containerd-shim-runc-v2", "PATH of containerd.service")
    );
    let runc = found(&d, Component::Runc);
    assert_eq!(runc.path, Path::new("/usr/sbin/runc"));
    assert_eq!(runc.symlinks, [SymlinkHop { link: "/usr/bin/runc".into(), target: "../sbin/runc".into() }]);
    assert!(runc.others.is_empty(), "the oci runtime is the same file: {:?}", runc.others);
    assert_eq!(
        at(&d, Component::EtcSysconfigDocker),
        pair("/etc/sysconfig/docker", "docker.service EnvironmentFile (/usr/lib/systemd/system/docker.service:2)")
    );
    assert_eq!(d.dockerd.runtimes[0].0, "oci");
}

#[test]
fn fedora_42_merged_usr_sbin_into_bin() {
    let t = layout("Fedora 42").root;
    let d = discover(&t, None);
    let runc = found(&d, Component::Runc);
    // Found first as /usr/sbin/runc on the PATH; judged as the file, /usr/bin/runc.
    assert_eq!((runc.named.as_path(), runc.path.as_path()), (Path::new("/usr/sbin/runc"), Path::new("/usr/bin/runc")));
    assert!(runc.symlinks.is_empty(), "/usr/sbin is a parent link, resolved for a watch too");
    assert!(runc.others.is_empty());
    assert_eq!(found(&d, Component::ContainerdShimRuncV2).path, Path::new("/usr/bin/containerd-shim-runc-v2"));
}

#[test]
fn rhel_7_dockerd_current_with_its_own_runtime_and_containerd() {
    let t = layout("RHEL 7").root;
    let d = discover(&t, None);
    assert_eq!(
        at(&d, Component::Dockerd),
        pair("/usr/bin/dockerd-current", "docker.service ExecStart (/usr/lib/systemd/system/docker.service:4)")
    );
    assert_eq!(
        at(&d, Component::Runc),
        pair(
            "/usr/libexec/docker/docker-runc-current",
            "runtime docker-runc (--default-runtime in docker.service ExecStart (/usr/lib/systemd/system/docker.service:4))"
        )
    );
    assert_eq!(
        at(&d, Component::Containerd),
        pair("/usr/bin/docker-containerd-current", "containerd started by dockerd (exec-root /var/run/docker)")
    );
    assert_eq!(found(&d, Component::DockerInit).path, Path::new("/usr/libexec/docker/docker-init-current"));
    let state = absent(&d, Component::ContainerdState);
    assert!(state.reason().contains("/var/run/docker/containerd"), "{}", state.reason());
    assert!(absent(&d, Component::ContainerdShimRuncV2).reason().contains("beside containerd"));
}

#[test]
fn a_static_install_in_usr_local_bin_without_units() {
    let t = layout("static /usr/local/bin").root;
    let d = discover(&t, None);
    let by = "PATH (no service; systemd's default)";
    assert_eq!(at(&d, Component::Dockerd), pair("/usr/local/bin/dockerd", by));
    assert_eq!(
        at(&d, Component::Containerd),
        pair("/usr/local/bin/containerd", "containerd started by dockerd (exec-root /var/run/docker)")
    );
    assert_eq!(at(&d, Component::Runc), pair("/usr/local/bin/runc", by));
    assert_eq!(at(&d, Component::ContainerdShimRuncV2), pair("/usr/local/bin/containerd-shim-runc-v2", by));
    assert_eq!(at(&d, Component::DockerInit), pair("/usr/local/bin/docker-init", by));
    let svc = absent(&d, Component::DockerService);
    assert!(svc.reason().contains("/etc/systemd/system"), "{}", svc.reason());
    let dockerd = found(&d, Component::Dockerd);
    assert!(dockerd.differs_from_cis() && dockerd.others.is_empty());
    let sock = absent(&d, Component::ContainerdSock);
    assert!(sock.reason().contains("/var/run/docker/containerd/containerd.sock"), "{}", sock.reason());
}

#[test]
fn the_snap() {
    let t = layout("snap").root;
    let d = discover(&t, None);
    let unit = "snap.docker.dockerd.service ExecStart (/etc/systemd/system/snap.docker.dockerd.service:4)";
    assert_eq!(at(&d, Component::Dockerd), pair("/snap/docker/2915/bin/dockerd", unit));
    let dockerd = found(&d, Component::Dockerd);
    assert_eq!(dockerd.symlinks, [], "current is a parent directory link");
    assert_eq!(found(&d, Component::Containerd).path, Path::new("/snap/docker/2915/bin/containerd"));
    assert_eq!(found(&d, Component::Runc).path, Path::new("/snap/docker/2915/bin/runc"));
    assert_eq!(
        found(&d, Component::ContainerdShimRuncV2).path,
        Path::new("/snap/docker/2915/bin/containerd-shim-runc-v2")
    );
    let data = found(&d, Component::DataRoot);
    assert_eq!(data.path, Path::new("/var/snap/docker/common/var-lib-docker"));
    assert!(data.found_by.to_string().starts_with("--data-root in the docker snap's dockerd wrapper"));
    assert_eq!(found(&d, Component::DaemonJson).path, Path::new("/var/snap/docker/2915/config/daemon.json"));
    let svc = found(&d, Component::DockerService);
    assert_eq!(svc.path, Path::new("/etc/systemd/system/snap.docker.dockerd.service"));
    assert!(svc.notes[0].contains("the snap"));
}

#[test]
fn a_drop_in_resetting_exec_start_moves_dockerd_and_is_listed() {
    let t = layout("drop-in resetting ExecStart=").root;
    let d = discover(&t, None);
    assert_eq!(
        at(&d, Component::Dockerd),
        pair("/opt/docker/dockerd", "docker.service ExecStart (/etc/systemd/system/docker.service.d/override.conf:3)")
    );
    let dockerd = found(&d, Component::Dockerd);
    assert_eq!(dockerd.others[0].path, Path::new("/usr/bin/dockerd"), "the packaged dockerd still exists");
    assert_eq!(
        found(&d, Component::DockerService).drop_ins,
        [Path::new("/etc/systemd/system/docker.service.d/override.conf")]
    );
    // A full copy in /etc hides the packaged unit, which is then another copy.
    let t = layout("drop-in on a docker.service copied to /etc").root;
    let d = discover(&t, None);
    let svc = found(&d, Component::DockerService);
    assert_eq!(svc.path, Path::new("/etc/systemd/system/docker.service"));
    assert_eq!(svc.others[0].path, Path::new("/usr/lib/systemd/system/docker.service"));
    assert_eq!(
        at(&d, Component::Dockerd).1,
        "docker.service ExecStart (/etc/systemd/system/docker.service.d/override.conf:3)",
        "the drop-in still applies to the copy in /etc"
    );
    assert_eq!(
        at(&d, Component::DataRoot),
        pair("/data", "--data-root in docker.service ExecStart (/etc/systemd/system/docker.service.d/override.conf:3)")
    );
    assert_eq!(found(&d, Component::DataRoot).others[0].path, Path::new("/var/lib/docker"));
}

#[test]
fn data_root_moved_in_daemon_json_and_daemon_json_moved_by_config_file() {
    let t = layout("data-root moved in daemon.json").root;
    let d = discover(&t, None);
    assert_eq!(at(&d, Component::DataRoot), pair("/mnt/disk/docker", "daemon.json data-root"));
    assert_eq!(
        found(&d, Component::DataRoot).symlinks,
        [SymlinkHop { link: "/srv/docker".into(), target: "/mnt/disk/docker".into() }]
    );

    let t = layout("--config-file").root;
    let d = discover(&t, None);
    let json = found(&d, Component::DaemonJson);
    assert_eq!(json.path, Path::new("/opt/etc/dockerd.json"));
    assert_eq!(
        json.found_by.to_string(),
        "--config-file in docker.service ExecStart (/etc/systemd/system/docker.service.d/config.conf:3)"
    );
    assert!(json.notes[0].contains("outside /etc/docker"));
    assert_eq!(at(&d, Component::DataRoot), pair("/opt/docker", "daemon.json data-root (/opt/etc/dockerd.json)"));
}

#[test]
fn a_flag_from_etc_default_docker_names_the_line_that_set_it() {
    let t = layout("DOCKER_OPTS in /etc/default/docker").root;
    let d = discover(&t, None);
    assert_eq!(
        at(&d, Component::DataRoot),
        pair(
            "/srv/docker",
            "--data-root in DOCKER_OPTS (/etc/default/docker:2) of docker.service ExecStart \
             (/usr/lib/systemd/system/docker.service:3)"
        )
    );
}

#[test]
fn containerd_config_moved_with_another_state_directory() {
    let t = layout("containerd --config").root;
    let d = discover(&t, None);
    let file = "/etc/containerd/docker.toml";
    assert_eq!(
        at(&d, Component::ContainerdConfig),
        pair(
            file,
            "--config in containerd.service ExecStart (/etc/systemd/system/containerd.service.d/10-config.conf:3)"
        )
    );
    assert_eq!(
        at(&d, Component::ContainerdState),
        pair("/run/docker-containerd", &format!("config.toml state ({file})"))
    );
    // dockerd's --containerd still names the default socket: that is what Docker talks to.
    let sock = absent(&d, Component::ContainerdSock);
    assert!(sock.reason().contains("/run/containerd/containerd.sock"), "{}", sock.reason());
}

#[test]
fn a_runc_in_usr_local_bin_shadows_the_packaged_one() {
    let t = layout("runc shadowed in /usr/local/bin").root;
    let d = discover(&t, None);
    let runc = found(&d, Component::Runc);
    assert_eq!(
        (runc.path.to_str().unwrap(), runc.found_by.to_string().as_str()),
        ("/usr/local/bin/runc", "PATH of containerd.service")
    );
    let others: Vec<&Path> = runc.others.iter().map(|o| o.path.as_path()).collect();
    assert_eq!(others, [Path::new("/usr/sbin/runc")]);
    assert!(
        runc.others[0].why.contains("PATH of containerd.service names /usr/local/bin/runc"),
        "{}",
        runc.others[0].why
    );
}

#[test]
fn runtimes_that_are_not_runc_leave_runc_to_the_path() {
    // nvidia-container-runtime wraps the runc on the PATH.
    let t = layout("nvidia default runtime").root;
    let d = discover(&t, None);
    let runc = found(&d, Component::Runc);
    assert_eq!(
        (runc.path.to_str().unwrap(), runc.found_by.to_string()),
        ("/usr/bin/runc", "PATH of containerd.service".into())
    );
    assert_eq!(runc.notes, ["the default runtime is nvidia (nvidia-container-runtime), not runc"]);
    // An old daemon.json redefining runc itself.
    let t = layout("runc redefined in daemon.json").root;
    let d = discover(&t, None);
    assert_eq!(at(&d, Component::Runc), pair("/opt/runc/runc", "runtime runc (daemon.json runtimes)"));
    assert_eq!(found(&d, Component::Runc).others[0].path, Path::new("/usr/bin/runc"));
}

#[test]
fn shims_beside_containerd_when_not_on_its_path() {
    let t = layout("containerd in /opt with its shims").root;
    let d = discover(&t, None);
    assert_eq!(
        at(&d, Component::ContainerdShimRuncV2),
        pair("/opt/containerd/bin/containerd-shim-runc-v2", "beside containerd (/opt/containerd/bin/containerd)")
    );
}

#[test]
fn containerd_2_is_named_when_the_v1_shims_are_absent() {
    let t = layout("containerd 2.x").root;
    let d = discover(&t, None);
    for c in [Component::ContainerdShim, Component::ContainerdShimRuncV1] {
        let n = absent(&d, c);
        assert_eq!(
            n.note.as_deref(),
            Some("containerd at /usr/bin/containerd is 2.x, which has no containerd-shim nor containerd-shim-runc-v1")
        );
    }
}

#[test]
fn open_rc_and_sysvinit_settings_name_dockerd_without_systemd() {
    let t = layout("OpenRC /etc/conf.d/docker").root;
    let d = discover(&t, None);
    assert_eq!(at(&d, Component::Dockerd), pair("/opt/bin/dockerd", "DOCKERD_BINARY (/etc/conf.d/docker:1)"));
    assert_eq!(at(&d, Component::DataRoot), pair("/data", "--data-root in DOCKER_OPTS (/etc/conf.d/docker:2)"));
    assert_eq!(found(&d, Component::Dockerd).others[0].path, Path::new("/usr/bin/dockerd"));

    let t = layout("sysvinit /etc/default/docker").root;
    let d = discover(&t, None);
    assert_eq!(at(&d, Component::Dockerd), pair("/usr/sbin/dockerd", "DOCKERD (/etc/default/docker:1)"));
}

#[test]
fn init_scripts_name_dockerd_by_default_alpine_and_debian_without_systemd() {
    let alpine = layout("Alpine OpenRC").root;
    let d = discover(&alpine, None);
    assert_eq!(at(&d, Component::Dockerd), pair("/usr/bin/dockerd", "command (/etc/init.d/docker:4)"));
    let debian = layout("Debian sysvinit").root;
    let d = discover(&debian, None);
    assert_eq!(at(&d, Component::Dockerd), pair("/usr/sbin/dockerd", "DOCKERD (/etc/init.d/docker:3)"));
}

#[test]
fn live_processes_come_first_and_carry_their_flags() {
    let live = layout("live processes");
    let (t, procs) = (live.root, live.procs.unwrap());
    let d = discover(&t, Some(&procs));
    assert_eq!(at(&d, Component::Dockerd), pair("/opt/new/dockerd", "process 812"));
    assert_eq!(found(&d, Component::Dockerd).others[0].path, Path::new("/usr/bin/dockerd"));
    assert_eq!(at(&d, Component::Containerd), pair("/opt/new/containerd", "process 700"));
    assert_eq!(at(&d, Component::ContainerdShimRuncV2), pair("/opt/new/containerd-shim-runc-v2", "process 901"));
    assert_eq!(at(&d, Component::DataRoot), pair("/data", "--data-root in process 812"));

    // After an upgrade the running file is deleted; the path names the new one.
    let procs = layout("live dockerd deleted by an upgrade").procs.unwrap();
    let d = discover(&t, Some(&procs));
    let dockerd = found(&d, Component::Dockerd);
    assert_eq!(
        (dockerd.path.as_path(), dockerd.found_by.to_string()),
        (Path::new("/usr/bin/dockerd"), "process 812".into())
    );
    assert!(dockerd.notes[0].contains("deleted"), "{:?}", dockerd.notes);

    // No process: the unit decides, and the reason says no process was seen.
    let d = discover(&FakeFs::new().merged_usr(), Some(&ProcessTable::default()));
    assert!(absent(&d, Component::Dockerd).looked[0].starts_with("processes named dockerd"));
}

#[test]
fn a_runtime_file_missing_on_a_live_host_is_not_said_to_be_judged_offline() {
    let live = layout("live processes");
    let d = live.discover();
    for c in [Component::ContainerdState, Component::ContainerdSock] {
        let reason = absent(&d, c).reason();
        assert!(reason.contains("it exists only while containerd runs"), "{reason}");
        assert!(!reason.contains("offline"), "{reason}");
    }
    let d = discover(&live.root, None);
    assert!(absent(&d, Component::ContainerdState).reason().contains("judging a root offline, /run is empty"));
}

#[test]
fn an_unreadable_process_table_is_a_problem_and_discovery_goes_on_from_the_files() {
    let procs = ProcFs::new("/nonexistent/proc");
    let d = discover(&layout("docker-ce rpm").root, Some(&procs));
    assert!(matches!(d.problems.as_slice(), [DiscoveryError::Proc { .. }]), "{:?}", d.problems);
    assert_eq!(found(&d, Component::Dockerd).path, Path::new("/usr/bin/dockerd"));
}

/// On a real root: containerd's socket is a socket, and is found; a FIFO where a
/// program should be is not a program (and is never opened).
#[test]
fn a_socket_is_containerd_sock_and_a_fifo_is_no_program() {
    let root = std::env::temp_dir().join(format!("dockaudit-layout-sock-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("run/containerd")).unwrap();
    std::fs::create_dir_all(root.join("usr/bin")).unwrap();
    let _listener = std::os::unix::net::UnixListener::bind(root.join("run/containerd/containerd.sock")).unwrap();
    let fifo = std::ffi::CString::new(root.join("usr/bin/dockerd").into_os_string().into_encoded_bytes()).unwrap();
    // SAFETY: a NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
    let d = discover(&HostFs::new(&root), None);
    assert_eq!(at(&d, Component::ContainerdSock), pair("/run/containerd/containerd.sock", "CIS path"));
    assert_eq!(at(&d, Component::ContainerdState), pair("/run/containerd", "CIS path"));
    assert!(matches!(d.get(Component::Dockerd), Location::NotInstalled(_)));
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn every_component_has_a_location_and_unknown_targets_none() {
    let d = discover(&FakeFs::new(), None);
    assert_eq!(d.iter().count(), Component::ALL.len());
    for c in Component::ALL {
        assert_eq!(d.get(c).component(), c);
        assert!(matches!(d.get(c), Location::NotInstalled(_)), "{c}");
    }
    assert!(d.for_cis_target("/usr/sbin/runc").is_some());
    assert!(d.for_cis_target("/usr/bin/docker").is_none());
}
