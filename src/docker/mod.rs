//! Docker discovery: which files a Docker host really uses for each component the CIS
//! Docker Benchmark's audit controls name, and the evidence for it.
//!
//! The CIS texts write fixed paths (`/usr/bin/dockerd`, `/usr/bin/runc`,
//! `/var/lib/docker`), but Debian runs `/usr/sbin/dockerd` and `/usr/sbin/runc`,
//! openSUSE `/usr/sbin/containerd`, daemon.json's `data-root` moves /var/lib/docker and
//! a drop-in can change `ExecStart=`; a rule on the literal path can audit nothing at
//! all. Discovery finds each component in the order of
//! `shared/reference/docker-layouts.md`:
//!
//! 1. the running process (`/proc/PID/comm` confirmed by `/proc/PID/exe`), when
//!    judging a live host;
//! 2. the service manager: the systemd unit in its search order with its drop-ins
//!    and environment, OpenRC's `/etc/conf.d/docker`, sysvinit's `/etc/default/docker`;
//! 3. the daemons' configuration: dockerd's flags and daemon.json, containerd's flags
//!    and config.toml (with the files it imports);
//! 4. the PATH the service runs with (the shims also beside containerd);
//! 5. the CIS path.
//!
//! Every symlink is resolved inside the root being judged; everything but `/proc`
//! works offline under `--root`. Nothing is executed and nothing opened for writing.
//!
//! Discovery reads the root through the judge's own [`Filesystem`](crate::host::Filesystem)
//! (`HostFs` under `/`, `--root` or `--host-root`; `FakeFs` in tests).
//!
//! For the judge: discover once per run (`HostFs::new(root)`; processes only when
//! the kernel's rules are judged: `ProcFs::new("/proc")` on the host,
//! `ProcFs::under(host_root)` with `--host-root`, `None` with `--root`/`--rules`),
//! then per control `discovery.for_cis_target(literal)` with the catalog's
//! `Target::Path` literal or `Target::Unit` name: `Found` is judged on `path` (the
//! final inode; `symlinks` and `others` name the rules that only look right),
//! `NotInstalled::reason()` is the `not_applicable` reason, `Error` is `error`. The
//! CIS path to report is the catalog's own literal (1.2.0 writes /usr/sbin/runc).
//!
//! ```
//! use dockaudit::docker::{discover, Component, Location};
//! use dockaudit::host::FakeFs;
//! let root = FakeFs::new()
//!     .merged_usr()
//!     .exe("/usr/sbin/runc")
//!     .symlink("/usr/bin/runc", "../sbin/runc");
//! let found = discover(&root, None);
//! let Location::Found(runc) = found.get(Component::Runc) else { panic!() };
//! assert_eq!(runc.path.to_str(), Some("/usr/sbin/runc"));
//! assert_eq!(runc.found_by.to_string(), "PATH (no service; systemd's default)");
//! assert_eq!(runc.symlinks[0].link.to_str(), Some("/usr/bin/runc"));
//! ```

mod config;
mod containers;
mod discover;
mod error;
mod exec;
mod located;
mod procs;
mod runtimes;
mod search;
mod tree;
mod unit;

#[cfg(test)]
mod layouts;
#[cfg(test)]
pub(crate) use layouts::{layout, layouts, Layout};

pub use config::{ContainerdConfig, DockerdConfig, Value};
pub use containers::{id_in_cgroup, id_in_shim_cmdline, name_in_config, ContainerLookup, ContainerOf};
pub use discover::{discover, Discovery};
pub use error::DiscoveryError;
pub use located::{Component, Evidence, Located, Location, NotInstalled, Origin, OtherCopy, SymlinkHop};
pub use procs::{ProcFs, Process, ProcessTable, Processes};
pub use unit::SYSTEMD_DEFAULT_PATH;
