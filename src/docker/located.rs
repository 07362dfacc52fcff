//! What discovery says about one component: the file the host really uses, the CIS
//! text's path, and the evidence, so the judge can judge the right file and the report
//! can say why it is the right one.

use std::fmt;
use std::path::{Path, PathBuf};

use super::error::DiscoveryError;

/// Every file, directory or unit a CIS Docker Benchmark audit control names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Component {
    /// /usr/bin/dockerd.
    Dockerd,
    /// /usr/bin/containerd.
    Containerd,
    /// /usr/bin/containerd-shim: containerd 1.x only (2.x has none).
    ContainerdShim,
    /// /usr/bin/containerd-shim-runc-v1.
    ContainerdShimRuncV1,
    /// /usr/bin/containerd-shim-runc-v2.
    ContainerdShimRuncV2,
    /// /usr/bin/runc (CIS 1.2.0 writes /usr/sbin/runc).
    Runc,
    /// Not a control of its own; dockerd's `--init` binary, reported for completeness.
    DockerInit,
    /// /var/lib/docker, moved by `data-root`.
    DataRoot,
    /// /run/containerd, moved by containerd's `state`.
    ContainerdState,
    /// /etc/docker.
    DockerConfigDir,
    /// /etc/docker/daemon.json, moved by `--config-file`.
    DaemonJson,
    /// /etc/containerd/config.toml, moved by containerd's `--config`.
    ContainerdConfig,
    /// /run/containerd/containerd.sock: the socket dockerd talks to.
    ContainerdSock,
    /// The docker.service unit, wherever systemd loads it from.
    DockerService,
    /// The docker.socket unit, wherever systemd loads it from.
    DockerSocket,
    /// /etc/default/docker: Debian's environment file for the service.
    EtcDefaultDocker,
    /// /etc/sysconfig/docker: Red Hat's environment file for the service.
    EtcSysconfigDocker,
}

impl Component {
    /// Every component, in the order discovery and the inventory report them.
    pub const ALL: [Component; 17] = [
        Component::Dockerd,
        Component::Containerd,
        Component::ContainerdShim,
        Component::ContainerdShimRuncV1,
        Component::ContainerdShimRuncV2,
        Component::Runc,
        Component::DockerInit,
        Component::DataRoot,
        Component::ContainerdState,
        Component::DockerConfigDir,
        Component::DaemonJson,
        Component::ContainerdConfig,
        Component::ContainerdSock,
        Component::DockerService,
        Component::DockerSocket,
        Component::EtcDefaultDocker,
        Component::EtcSysconfigDocker,
    ];

    /// The path the CIS texts (1.3.1 and later) write for it; a unit by the directory
    /// the catalog shows for units.
    pub fn cis_path(self) -> &'static str {
        match self {
            Component::Dockerd => "/usr/bin/dockerd",
            Component::Containerd => "/usr/bin/containerd",
            Component::ContainerdShim => "/usr/bin/containerd-shim",
            Component::ContainerdShimRuncV1 => "/usr/bin/containerd-shim-runc-v1",
            Component::ContainerdShimRuncV2 => "/usr/bin/containerd-shim-runc-v2",
            Component::Runc => "/usr/bin/runc",
            Component::DockerInit => "/usr/bin/docker-init",
            Component::DataRoot => "/var/lib/docker",
            Component::ContainerdState => "/run/containerd",
            Component::DockerConfigDir => "/etc/docker",
            Component::DaemonJson => "/etc/docker/daemon.json",
            Component::ContainerdConfig => "/etc/containerd/config.toml",
            Component::ContainerdSock => "/run/containerd/containerd.sock",
            Component::DockerService => "/usr/lib/systemd/system/docker.service",
            Component::DockerSocket => "/usr/lib/systemd/system/docker.socket",
            Component::EtcDefaultDocker => "/etc/default/docker",
            Component::EtcSysconfigDocker => "/etc/sysconfig/docker",
        }
    }

    /// The component a catalog target names: a `Target::Path` literal (either runc
    /// path: 1.2.0 writes /usr/sbin/runc) or a `Target::Unit` name.
    pub fn from_cis_target(path_or_unit: &str) -> Option<Component> {
        match path_or_unit {
            "/usr/sbin/runc" => Some(Component::Runc),
            "docker.service" => Some(Component::DockerService),
            "docker.socket" => Some(Component::DockerSocket),
            p => Component::ALL.into_iter().find(|c| c.cis_path() == p),
        }
    }

    /// A short name for messages ("runc", "docker.service", "/var/lib/docker").
    pub fn name(self) -> &'static str {
        match self {
            Component::DockerService => "docker.service",
            Component::DockerSocket => "docker.socket",
            Component::DataRoot
            | Component::ContainerdState
            | Component::DockerConfigDir
            | Component::DaemonJson
            | Component::ContainerdConfig
            | Component::ContainerdSock
            | Component::EtcDefaultDocker
            | Component::EtcSysconfigDocker => self.cis_path(),
            _ => self.cis_path().rsplit('/').next().unwrap_or(""),
        }
    }

    /// Whether it is a program (found by process, ExecStart and PATH).
    pub fn is_binary(self) -> bool {
        matches!(
            self,
            Component::Dockerd
                | Component::Containerd
                | Component::ContainerdShim
                | Component::ContainerdShimRuncV1
                | Component::ContainerdShimRuncV2
                | Component::Runc
                | Component::DockerInit
        )
    }
}

impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A line of a file: where a setting was read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The file that holds the setting.
    pub file: PathBuf,
    /// 1-based; for a continued line, the line it starts on.
    pub line: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}

/// Why discovery says a component is where it is. `Display` gives the report's
/// `found_by` text (`process 812`, `docker.service ExecStart (/etc/…/override.conf:3)`,
/// `daemon.json data-root`, `PATH of containerd.service`, `CIS path`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Evidence {
    /// A running process whose `comm` names it and whose `/proc/PID/exe` is the file.
    Process {
        /// The process id, as in /proc/PID.
        pid: u32,
    },
    /// The program of a unit's effective `ExecStart=`.
    ExecStart {
        /// The unit's name ("docker.service").
        unit: String,
        /// The line of the unit file or drop-in that set it last.
        origin: Origin,
    },
    /// A daemon's command-line flag, from its unit's ExecStart or its live process.
    Flag {
        /// The flag as written ("--data-root").
        flag: String,
        /// Where the command line came from.
        from: Box<Evidence>,
    },
    /// A key of daemon.json (the file named when `--config-file` moved it).
    DaemonJson {
        /// The JSON key ("data-root").
        key: String,
        /// The daemon.json that was read.
        file: PathBuf,
    },
    /// A key of containerd's config.toml.
    ContainerdToml {
        /// The TOML key ("state").
        key: String,
        /// The config.toml that was read.
        file: PathBuf,
    },
    /// A runtime dockerd runs containers with: `runtimes`/`--add-runtime` and
    /// `default-runtime`/`--default-runtime`.
    Runtime {
        /// The runtime's name ("runc", "nvidia").
        name: String,
        /// Where the runtime was declared.
        from: Box<Evidence>,
    },
    /// A word of a command line that a variable of the service's environment gave
    /// (Debian's `$DOCKER_OPTS` from /etc/default/docker).
    Variable {
        /// The variable's name, without `$`.
        name: String,
        /// The line of the environment file that set it.
        origin: Origin,
        /// The command line that expanded it.
        from: Box<Evidence>,
    },
    /// The `EnvironmentFile=` of a unit.
    EnvironmentFile {
        /// The unit's name.
        unit: String,
        /// The line of the unit file or drop-in naming the environment file.
        origin: Origin,
    },
    /// Looked up on the PATH a service runs with.
    Path {
        /// The service's unit; `None`: no service, so systemd's default PATH.
        unit: Option<String>,
    },
    /// containerd's fallback for shims: the directory of its own executable.
    BesideContainerd {
        /// The containerd executable whose directory was searched.
        containerd: PathBuf,
    },
    /// dockerd's own search for docker-init (its libexec directories).
    DockerLibexec,
    /// Where systemd loads the unit from (its search order).
    UnitSearch,
    /// An OpenRC or sysvinit setting (`/etc/conf.d/docker`, `/etc/default/docker`).
    InitScript {
        /// The variable set ("DOCKERD_BINARY", "DOCKER_OPTS").
        key: String,
        /// The line that sets it.
        origin: Origin,
    },
    /// The containerd dockerd starts itself when none is configured (static installs).
    ManagedContainerd {
        /// dockerd's `exec-root` (/var/run/docker by default), where it keeps that containerd's state.
        exec_root: PathBuf,
    },
    /// The docker snap's dockerd wrapper, which passes dockerd its snap directories
    /// (`--data-root`, `--config-file`) on the command line.
    SnapWrapper {
        /// The snap's service unit.
        unit: String,
        /// The ExecStart line that runs the wrapper.
        origin: Origin,
    },
    /// Nothing else named it: the CIS text's path.
    Cis,
}

impl fmt::Display for Evidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Evidence::Process { pid } => write!(f, "process {pid}"),
            Evidence::ExecStart { unit, origin } => write!(f, "{unit} ExecStart ({origin})"),
            Evidence::Flag { flag, from } => write!(f, "{flag} in {from}"),
            Evidence::DaemonJson { key, file } if file == Path::new("/etc/docker/daemon.json") => {
                write!(f, "daemon.json {key}")
            }
            Evidence::DaemonJson { key, file } => write!(f, "daemon.json {key} ({})", file.display()),
            Evidence::ContainerdToml { key, file } if file == Path::new("/etc/containerd/config.toml") => {
                write!(f, "config.toml {key}")
            }
            Evidence::ContainerdToml { key, file } => write!(f, "config.toml {key} ({})", file.display()),
            Evidence::Runtime { name, from } => write!(f, "runtime {name} ({from})"),
            Evidence::Variable { name, origin, from } => write!(f, "{name} ({origin}) of {from}"),
            Evidence::EnvironmentFile { unit, origin } => write!(f, "{unit} EnvironmentFile ({origin})"),
            Evidence::Path { unit: Some(unit) } => write!(f, "PATH of {unit}"),
            Evidence::Path { unit: None } => f.write_str("PATH (no service; systemd's default)"),
            Evidence::BesideContainerd { containerd } => write!(f, "beside containerd ({})", containerd.display()),
            Evidence::DockerLibexec => f.write_str("dockerd's libexec directories"),
            Evidence::UnitSearch => f.write_str("systemd unit search order"),
            Evidence::InitScript { key, origin } => write!(f, "{key} ({origin})"),
            Evidence::ManagedContainerd { exec_root } => {
                write!(f, "containerd started by dockerd (exec-root {})", exec_root.display())
            }
            Evidence::SnapWrapper { unit, origin } => {
                write!(f, "the docker snap's dockerd wrapper ({unit} ExecStart ({origin}))")
            }
            Evidence::Cis => f.write_str("CIS path"),
        }
    }
}

/// One symlink on the way from a named path to the judged file (parent directories
/// that are links are not listed: the kernel resolves those for a watch too).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SymlinkHop {
    /// The link, with its parent directories resolved.
    pub link: PathBuf,
    /// What it points to, as written.
    pub target: PathBuf,
}

/// Another file of the same name that exists but is not the one the host uses (e.g.
/// /usr/sbin/runc when /usr/local/bin/runc comes first on the service's PATH).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OtherCopy {
    /// The other file (its final path).
    pub path: PathBuf,
    /// How it was seen ("/usr/sbin/runc on the PATH, after /usr/local/bin/runc").
    pub why: String,
}

/// A component that is installed: the file to judge and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    /// What was found.
    pub component: Component,
    /// The judged path: the final inode's path, every symlink resolved inside the root.
    pub path: PathBuf,
    /// The CIS text's path (for a unit, the catalog's default unit directory).
    pub cis_path: PathBuf,
    /// The path as the evidence names it, before symlinks were followed.
    pub named: PathBuf,
    /// Why `named` is the host's file: the report's `found_by`.
    pub found_by: Evidence,
    /// Symlinks that lead to `path`: from `named`, and from the CIS path when it is a
    /// link to the same file (a rule on any of them watches the link, not the file).
    pub symlinks: Vec<SymlinkHop>,
    /// Copies of the same name that the host does not use.
    pub others: Vec<OtherCopy>,
    /// For units: the drop-ins that change it, in the order systemd applies them.
    pub drop_ins: Vec<PathBuf>,
    /// Anything else worth saying (a deleted binary still running, a masked unit, …).
    pub notes: Vec<String>,
}

impl Located {
    /// Whether the CIS path names another file than the judged one (or nothing).
    pub fn differs_from_cis(&self) -> bool {
        self.path != self.cis_path
    }
}

/// A component installed nowhere discovery looks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotInstalled {
    /// What was looked for.
    pub component: Component,
    /// The CIS text's path, as in [`Located::cis_path`].
    pub cis_path: PathBuf,
    /// Every place looked, for the `not_applicable` reason.
    pub looked: Vec<String>,
    /// Why it is absent when that is known ("containerd 2.x has no containerd-shim").
    pub note: Option<String>,
}

impl NotInstalled {
    /// The `not_applicable` reason: "runc: not installed (looked: …)".
    pub fn reason(&self) -> String {
        let what = if self.component.is_binary() { "is not installed" } else { "does not exist" };
        let mut s = format!("{} {what} (looked at: {})", self.component, self.looked.join("; "));
        if let Some(note) = &self.note {
            s.push_str("; ");
            s.push_str(note);
        }
        s
    }
}

/// Discovery's answer for one component.
#[derive(Debug)]
pub enum Location {
    /// Installed: the file to judge.
    Found(Located),
    /// Absent everywhere discovery looks: the judge's `not_applicable`.
    NotInstalled(NotInstalled),
    /// It could not be decided (a file that cannot be read): the judge's `error`.
    Error {
        /// The component that could not be located.
        component: Component,
        /// What could not be read.
        error: DiscoveryError,
    },
}

impl Location {
    /// The component this answer is about, whatever the answer.
    pub fn component(&self) -> Component {
        match self {
            Location::Found(l) => l.component,
            Location::NotInstalled(n) => n.component,
            Location::Error { component, .. } => *component,
        }
    }

    /// The located file; `None` when not installed or undecided.
    pub fn found(&self) -> Option<&Located> {
        match self {
            Location::Found(l) => Some(l),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_targets_map_to_components() {
        assert_eq!(Component::from_cis_target("/usr/bin/dockerd"), Some(Component::Dockerd));
        assert_eq!(Component::from_cis_target("/usr/sbin/runc"), Some(Component::Runc));
        assert_eq!(Component::from_cis_target("/usr/bin/runc"), Some(Component::Runc));
        assert_eq!(Component::from_cis_target("docker.socket"), Some(Component::DockerSocket));
        assert_eq!(Component::from_cis_target("/run/containerd"), Some(Component::ContainerdState));
        assert_eq!(Component::from_cis_target("/usr/bin/docker"), None);
        assert_eq!(Component::ContainerdShimRuncV2.name(), "containerd-shim-runc-v2");
    }

    #[test]
    fn reasons_say_where_discovery_looked() {
        let n = NotInstalled {
            component: Component::ContainerdShim,
            cis_path: PathBuf::from("/usr/bin/containerd-shim"),
            looked: vec!["CIS path: /usr/bin/containerd-shim (absent)".into()],
            note: Some("containerd at /usr/bin/containerd is 2.x".into()),
        };
        assert_eq!(
            n.reason(),
            "containerd-shim is not installed (looked at: CIS path: /usr/bin/containerd-shim (absent)); \
             containerd at /usr/bin/containerd is 2.x"
        );
        let n = NotInstalled { component: Component::DataRoot, note: None, ..n };
        assert!(n.reason().starts_with("/var/lib/docker does not exist (looked at: "));
    }

    #[test]
    fn evidence_reads_as_the_issue_writes_it() {
        let o = Origin { file: PathBuf::from("/etc/systemd/system/docker.service.d/override.conf"), line: 3 };
        let cases = [
            (Evidence::Process { pid: 812 }, "process 812"),
            (
                Evidence::ExecStart { unit: "docker.service".into(), origin: o.clone() },
                "docker.service ExecStart (/etc/systemd/system/docker.service.d/override.conf:3)",
            ),
            (
                Evidence::DaemonJson { key: "data-root".into(), file: PathBuf::from("/etc/docker/daemon.json") },
                "daemon.json data-root",
            ),
            (Evidence::Path { unit: Some("containerd.service".into()) }, "PATH of containerd.service"),
            (Evidence::Cis, "CIS path"),
            (
                Evidence::Flag {
                    flag: "--data-root".into(),
                    from: Box::new(Evidence::ExecStart { unit: "docker.service".into(), origin: o }),
                },
                "--data-root in docker.service ExecStart (/etc/systemd/system/docker.service.d/override.conf:3)",
            ),
        ];
        for (e, text) in cases {
            assert_eq!(e.to_string(), text);
        }
    }
}
