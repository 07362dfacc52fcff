//! The programs dockerd and containerd start: the shims (on containerd's PATH, else
//! beside containerd), runc (the default runtime's binary, else `runc` on the PATH the
//! shim inherits from containerd) and docker-init (`init-path`, dockerd's libexec
//! directories, its PATH). None of them runs long enough to be found by process
//! except the shims.

use std::path::{Path, PathBuf};

use super::config::DockerdConfig;
use super::located::{Component, Evidence, Location};
use super::procs::Processes;
use super::search::{Place, Search};
use super::unit::Unit;
use crate::host::Filesystem;

/// Where copies of a program are commonly installed (for the `others` list).
pub const STANDARD_BIN_DIRS: [&str; 6] =
    ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

/// A string every containerd 2.x binary holds (its Go module path) and no 1.x does.
const CONTAINERD_V2_MODULE: &[u8] = b"github.com/containerd/containerd/v2/";
/// dockerd's own directories for docker-init before its PATH (moby `lookupBinPath`).
const DOCKER_LIBEXEC: [&str; 4] =
    ["/usr/local/libexec/docker", "/usr/libexec/docker", "/usr/local/lib/docker", "/usr/lib/docker"];

/// Where containerd looks for its shims.
pub struct Shims<'t> {
    pub tree: &'t dyn Filesystem,
    pub procs: Option<&'t dyn Processes>,
    pub path: String,
    pub path_of: Option<String>,
    pub containerd: Option<PathBuf>,
    /// Whether containerd is 2.x (scanned once, and only when a v1 shim is missing).
    pub v2: std::cell::OnceCell<bool>,
}

impl Shims<'_> {
    /// A shim: a running one, containerd's PATH, then containerd's own directory.
    pub fn find(&self, component: Component, name: &str) -> Location {
        let mut search = Search::new(self.tree, component);
        let mut places = Vec::new();
        if let Some(p) = self.procs {
            match search.live(p, &[name]) {
                Ok(Some((place, _))) => places.push(place),
                Ok(None) => {}
                Err(error) => return Location::Error { component, error },
            }
        }
        places.push(Place::Lookup {
            path: self.path.clone(),
            names: vec![name.to_string()],
            found_by: Evidence::Path { unit: self.path_of.clone() },
        });
        if let Some(c) = &self.containerd {
            let beside = c.parent().unwrap_or(Path::new("/")).join(name);
            places.push(Place::Named(beside, Evidence::BesideContainerd { containerd: c.clone() }));
        }
        places.push(Place::Named(PathBuf::from(component.cis_path()), Evidence::Cis));
        search.also.extend(STANDARD_BIN_DIRS.iter().map(|d| Path::new(d).join(name)));
        let mut location = search.run(&places);
        if let (Location::NotInstalled(n), Some(c)) = (&mut location, &self.containerd) {
            let v2 = *self.v2.get_or_init(|| self.tree.contains(c, CONTAINERD_V2_MODULE).unwrap_or(false));
            if v2 && component != Component::ContainerdShimRuncV2 {
                n.note = Some(format!(
                    "containerd at {} is 2.x, which has no containerd-shim nor containerd-shim-runc-v1",
                    c.display()
                ));
            }
        }
        location
    }
}

/// runc: the default runtime's binary when it is a runc (`--default-runtime` with
/// `--add-runtime`, daemon.json), else `runc` on the PATH containerd's shim runs with.
pub fn find_runc(tree: &dyn Filesystem, cfg: &DockerdConfig, path: &str, path_of: &Option<String>) -> Location {
    let mut search = Search::new(tree, Component::Runc);
    let mut places = Vec::new();
    let is_runc = |p: &str| Path::new(p).file_name().is_some_and(|n| n.to_string_lossy().contains("runc"));
    // The default runtime (runc unless `default-runtime` says otherwise), when it is
    // defined with a path and that path is a runc.
    let default_name = cfg.default_runtime.as_ref().map_or("runc", |d| d.value.as_str());
    match cfg.runtimes.iter().rev().find(|(n, _)| n == default_name) {
        Some((name, rt)) if is_runc(&rt.value) => {
            let from = cfg.default_runtime.as_ref().map_or(&rt.found_by, |d| &d.found_by).clone();
            let found_by = Evidence::Runtime { name: name.clone(), from: Box::new(from) };
            if rt.value.starts_with('/') {
                places.push(Place::Named(PathBuf::from(&rt.value), found_by));
            } else {
                places.push(Place::Lookup { path: path.to_string(), names: vec![rt.value.clone()], found_by });
            }
        }
        Some((name, rt)) => search.notes.push(format!("the default runtime is {name} ({}), not runc", rt.value)),
        None if default_name != "runc" => {
            search.notes.push(format!("the default runtime {default_name} is not defined"))
        }
        None => {}
    }
    places.push(Place::Lookup {
        path: path.to_string(),
        names: vec!["runc".into()],
        found_by: Evidence::Path { unit: path_of.clone() },
    });
    places.push(Place::Named(PathBuf::from("/usr/bin/runc"), Evidence::Cis));
    places.push(Place::Named(PathBuf::from("/usr/sbin/runc"), Evidence::Cis));
    for (_, rt) in cfg.runtimes.iter().filter(|(_, rt)| rt.value.starts_with('/') && is_runc(&rt.value)) {
        search.also.push(PathBuf::from(&rt.value));
    }
    search.also.extend(STANDARD_BIN_DIRS.iter().map(|d| Path::new(d).join("runc")));
    search.run(&places)
}

/// docker-init: `init-path`, dockerd's libexec directories, its PATH.
pub fn find_docker_init(tree: &dyn Filesystem, cfg: &DockerdConfig, path: &str, u: Option<&Unit>) -> Location {
    let mut places = Vec::new();
    if let Some(p) = &cfg.init_path {
        places.push(Place::Named(p.value.clone(), p.found_by.clone()));
    }
    places.push(Place::Lookup {
        path: DOCKER_LIBEXEC.join(":"),
        names: vec!["docker-init".into()],
        found_by: Evidence::DockerLibexec,
    });
    places.push(Place::Lookup {
        path: path.to_string(),
        names: vec!["docker-init".into()],
        found_by: Evidence::Path { unit: u.map(|u| u.name.clone()) },
    });
    Search::new(tree, Component::DockerInit).run(&places)
}
