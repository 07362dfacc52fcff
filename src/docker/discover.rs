//! Discovery proper: for every component, the places in the order the reference
//! (`shared/reference/docker-layouts.md`) gives — the live process, the service
//! manager, the daemons' configuration, the service's PATH, the CIS path — and the
//! first one that holds the file wins.

use std::path::{Path, PathBuf};

use super::config::{self, CommandLine, ContainerdConfig, DockerdConfig, Value};
use super::error::DiscoveryError;
use super::exec::{env_file, split_words};
use super::located::{Component, Evidence, Located, Location, NotInstalled, Origin, OtherCopy};
use super::procs::{ProcessTable, Processes};
use super::runtimes::{find_docker_init, find_runc, Shims, STANDARD_BIN_DIRS};
use super::search::{follow, Place, Search};
use super::tree::read_text;
use super::unit::{self, default_path, Unit};
use crate::host::{Filesystem, UNIT_DIRS};

/// Where every component is, with the evidence. Build it with [`discover`].
#[derive(Debug)]
pub struct Discovery {
    locations: Vec<Location>,
    /// The configuration discovery read (for reports that want to show it).
    pub dockerd: DockerdConfig,
    /// containerd's configuration, as discovery read it.
    pub containerd: ContainerdConfig,
    /// Files that could not be used (an unparsable daemon.json: dockerd will not
    /// start with it), each reported once; discovery went on with the defaults.
    pub problems: Vec<DiscoveryError>,
}

impl Discovery {
    /// The location of one component.
    pub fn get(&self, component: Component) -> &Location {
        self.locations.iter().find(|l| l.component() == component).expect("every component is located")
    }

    /// The location for a catalog target (`Target::Path` literal or `Target::Unit`
    /// name); `None` for a target discovery does not know.
    pub fn for_cis_target(&self, path_or_unit: &str) -> Option<&Location> {
        Component::from_cis_target(path_or_unit).map(|c| self.get(c))
    }

    /// Every component's location, one each.
    pub fn iter(&self) -> impl Iterator<Item = &Location> {
        self.locations.iter()
    }
}

/// The snap's unit, used when there is no docker.service.
const SNAP_UNIT: &str = "snap.docker.dockerd.service";
/// Where the docker snap keeps its binaries (`current` links to the revision).
const SNAP_BIN: &str = "/snap/docker/current/bin";
/// snapd puts the snap's own directories first on an app's PATH.
const SNAP_PATH: &str =
    "/snap/docker/current/usr/sbin:/snap/docker/current/usr/bin:/snap/docker/current/sbin:/snap/docker/current/bin";
/// What the docker snap's wrapper passes dockerd (its documented locations: the
/// wrapper script itself is in the snap and not read here).
const SNAP_DOCKERD_FLAGS: [&str; 2] =
    ["--data-root=/var/snap/docker/common/var-lib-docker", "--config-file=/var/snap/docker/current/config/daemon.json"];
/// Every `comm` a daemon or shim shows (`comm` keeps 15 bytes of the file name).
const LIVE_COMMS: [&str; 5] = ["dockerd", "dockerd-current", "containerd", "docker-containe", "containerd-shim"];
/// dockerd's file names (RHEL 7 ran `dockerd-current`).
const DOCKERD_NAMES: [&str; 2] = ["dockerd", "dockerd-current"];
/// containerd's file names (RHEL 7's docker ran its own `docker-containerd-current`).
const CONTAINERD_NAMES: [&str; 3] = ["containerd", "docker-containerd", "docker-containerd-current"];
const SHIMS: [(Component, &str); 3] = [
    (Component::ContainerdShim, "containerd-shim"),
    (Component::ContainerdShimRuncV1, "containerd-shim-runc-v1"),
    (Component::ContainerdShimRuncV2, "containerd-shim-runc-v2"),
];

/// A daemon as found: its location, command line and the services around it.
struct Daemon {
    location: Location,
    args: CommandLine,
}

impl Daemon {
    fn error(component: Component, error: DiscoveryError) -> Daemon {
        Daemon { location: Location::Error { component, error }, args: CommandLine::default() }
    }
}

/// The running daemon, if any, as the first place to look, and its command line as
/// the flags it runs with.
fn live(
    search: &mut Search,
    procs: Option<&dyn Processes>,
    names: &[&str],
    places: &mut Vec<Place>,
    args: &mut Option<CommandLine>,
) -> Result<(), DiscoveryError> {
    if let Some((place, cmdline)) = procs.map(|p| search.live(p, names)).transpose()?.flatten() {
        if let Place::Named(_, from) = &place {
            *args = Some(CommandLine::uniform(cmdline, from));
        }
        places.push(place);
    }
    Ok(())
}

/// Finds every component under `tree`. `processes` is the live process table when
/// judging a running host (`/` or `--host-root`), `None` offline (`--root`).
/// Never fails as a whole: a component that cannot be decided is [`Location::Error`],
/// a configuration file that cannot be used is in [`Discovery::problems`].
pub fn discover(tree: &dyn Filesystem, processes: Option<&dyn Processes>) -> Discovery {
    let mut problems = Vec::new();
    // Judging a live host (`/`, `--host-root`) rather than a root offline (`--root`).
    let judging_live = processes.is_some();
    // One read of the process table for every component: /proc is scanned once, and
    // all of them see the same moment. Without it, discovery goes on offline.
    let snapshot = processes.and_then(|p| match p.find(&LIVE_COMMS) {
        Ok(list) => Some(ProcessTable(list)),
        Err(e) => {
            problems.push(e);
            None
        }
    });
    let processes = snapshot.as_ref().map(|t| t as &dyn Processes);
    let mut load = |name: &str| match unit::load(tree, name) {
        Ok(u) => u,
        Err(e) => {
            problems.push(e);
            None
        }
    };
    let docker_unit = load("docker.service").or_else(|| load(SNAP_UNIT));
    let socket_unit = load("docker.socket");
    let containerd_unit = load("containerd.service");
    let split_usr = unit::is_split_usr(tree);
    let docker_path = match &docker_unit {
        Some(u) if u.name == SNAP_UNIT => format!("{SNAP_PATH}:{}", u.path()),
        Some(u) => u.path(),
        None => default_path(split_usr),
    };

    let dockerd = find_dockerd(tree, processes, docker_unit.as_ref(), &docker_path);
    let dcfg = config::dockerd(tree, &dockerd.args, &mut problems);
    // dockerd starts a containerd of its own when none is configured and none is
    // installed as a service (the static tarball, the dind image).
    let managed = dockerd.location.found().is_some() && dcfg.containerd.is_none() && containerd_unit.is_none();
    let containerd =
        find_containerd(tree, processes, containerd_unit.as_ref(), managed, &dcfg.exec_root, &docker_path, split_usr);
    let ccfg = config::containerd(tree, &containerd.args, &mut problems);
    // The shims and runc run in containerd's environment.
    let (shim_path, shim_path_of) = match (&containerd_unit, managed) {
        (Some(u), _) => (u.path(), Some(u.name.clone())),
        (None, true) => (docker_path.clone(), docker_unit.as_ref().map(|u| u.name.clone())),
        (None, false) => (default_path(split_usr), None),
    };
    let containerd_file = containerd.location.found().map(|l| l.path.clone());

    let mut locations = vec![dockerd.location, containerd.location];
    let shims = Shims {
        tree,
        procs: processes,
        path: shim_path.clone(),
        path_of: shim_path_of.clone(),
        containerd: containerd_file,
        v2: std::cell::OnceCell::new(),
    };
    for (component, name) in SHIMS {
        locations.push(shims.find(component, name));
    }
    locations.push(find_runc(tree, &dcfg, &shim_path, &shim_path_of));
    locations.push(find_docker_init(tree, &dcfg, &docker_path, docker_unit.as_ref()));

    let exec_root_state = dcfg.exec_root.join("containerd");
    let managed_ev = Evidence::ManagedContainerd { exec_root: dcfg.exec_root.clone() };
    let state = if managed {
        Value { value: exec_root_state.clone(), found_by: managed_ev.clone() }
    } else {
        ccfg.state.clone()
    };
    let sock = match (&dcfg.containerd, managed) {
        (Some(v), _) => v.clone(),
        (None, true) => Value { value: exec_root_state.join("containerd.sock"), found_by: managed_ev },
        (None, false) => ccfg.address.clone(),
    };
    // Offline, /run is empty; on a live host its absence means containerd does not run.
    let runtime_note = if judging_live {
        "it exists only while containerd runs"
    } else {
        "it exists only while containerd runs (judging a root offline, /run is empty)"
    };
    locations.push(find_file(
        tree,
        Component::DataRoot,
        &dcfg.data_root,
        Some("dockerd creates it when it first starts"),
    ));
    locations.push(find_file(tree, Component::ContainerdState, &state, Some(runtime_note)));
    locations.push(find_file(tree, Component::DockerConfigDir, &cis(Component::DockerConfigDir), None));
    locations.push(find_file(tree, Component::DaemonJson, &dcfg.config_file, None));
    locations.push(find_file(tree, Component::ContainerdConfig, &ccfg.config_file, None));
    let mut sock_location = find_file(tree, Component::ContainerdSock, &sock, Some(runtime_note));
    if let Location::Found(l) = &mut sock_location {
        if dcfg.containerd.is_some() && !managed && ccfg.address.value != sock.value {
            l.notes.push(format!(
                "dockerd talks to {}, containerd listens on {} ({})",
                sock.value.display(),
                ccfg.address.value.display(),
                ccfg.address.found_by
            ));
        }
    }
    locations.push(sock_location);
    locations.push(find_unit_file(tree, Component::DockerService, docker_unit.as_ref()));
    locations.push(find_unit_file(tree, Component::DockerSocket, socket_unit.as_ref()));
    for c in [Component::EtcDefaultDocker, Component::EtcSysconfigDocker] {
        let named = Path::new(c.cis_path());
        let referenced = docker_unit.as_ref().and_then(|u| u.environment_files.iter().find(|f| f.0 == named));
        let value = match referenced {
            Some((_, _, origin, _)) => Value {
                value: named.to_path_buf(),
                found_by: Evidence::EnvironmentFile {
                    unit: docker_unit.as_ref().unwrap().name.clone(),
                    origin: origin.clone(),
                },
            },
            None => cis(c),
        };
        locations.push(find_file(tree, c, &value, None));
    }
    Discovery { locations, dockerd: dcfg, containerd: ccfg, problems }
}

fn cis(c: Component) -> Value<PathBuf> {
    Value { value: PathBuf::from(c.cis_path()), found_by: Evidence::Cis }
}

/// The place a unit's main command names: an absolute program, or a name systemd
/// looks up (on `ExecSearchPath=` or its default). The snap's `snap run docker.dockerd` runs the
/// snap's own dockerd.
fn exec_place(u: &Unit) -> Option<(Place, CommandLine, Evidence)> {
    let cmd = u.main_command()?;
    let found_by = Evidence::ExecStart { unit: u.name.clone(), origin: cmd.origin.clone() };
    let program = cmd.argv.first()?;
    // Each word with its evidence: the ExecStart= line, or the variable that gave it.
    let word_evidence = |var: &Option<String>| match var.as_ref().and_then(|v| Some((v, u.env_origin(v)?))) {
        Some((name, origin)) => {
            Evidence::Variable { name: name.clone(), origin: origin.clone(), from: Box::new(found_by.clone()) }
        }
        None => found_by.clone(),
    };
    let args = CommandLine { words: cmd.argv.iter().cloned().zip(cmd.vars.iter().map(word_evidence)).collect() };
    if program.ends_with("/snap") && cmd.argv.get(1).is_some_and(|a| a == "run") {
        let app = cmd.argv.get(2)?;
        let bin = if app == "docker.dockerd" { "dockerd" } else { app.rsplit('.').next()? };
        let args = CommandLine::uniform([bin.to_string()], &found_by);
        return Some((Place::Named(Path::new(SNAP_BIN).join(bin), found_by.clone()), args, found_by));
    }
    if program.starts_with('/') {
        return Some((Place::Named(PathBuf::from(program), found_by.clone()), args, found_by));
    }
    let place = Place::Lookup { path: u.exec_search_path(), names: vec![program.clone()], found_by: found_by.clone() };
    Some((place, args, found_by))
}

/// dockerd: process, docker.service (or the snap's unit), OpenRC/sysvinit settings,
/// PATH, CIS path.
fn find_dockerd(tree: &dyn Filesystem, procs: Option<&dyn Processes>, u: Option<&Unit>, path: &str) -> Daemon {
    let names = DOCKERD_NAMES;
    let mut search = Search::new(tree, Component::Dockerd);
    let mut places = Vec::new();
    let mut args: Option<CommandLine> = None;
    if let Err(e) = live(&mut search, procs, &names, &mut places, &mut args) {
        return Daemon::error(Component::Dockerd, e);
    }
    match u {
        Some(u) if u.masked => search.looked.push(format!("{} is masked ({})", u.name, u.fragment.display())),
        Some(u) => match exec_place(u) {
            Some((place, a, from)) => {
                if u.name == SNAP_UNIT {
                    let Evidence::ExecStart { unit, origin } = from else { unreachable!("exec_place gives ExecStart") };
                    let a = std::iter::once("dockerd").chain(SNAP_DOCKERD_FLAGS).map(String::from);
                    args.get_or_insert(CommandLine::uniform(a, &Evidence::SnapWrapper { unit, origin }));
                } else {
                    args.get_or_insert(a);
                }
                places.push(place);
            }
            None => search.looked.push(format!("{} has no ExecStart", u.name)),
        },
        None => {
            search.looked.push(format!("docker.service and {SNAP_UNIT} (not in {})", UNIT_DIRS.join(", ")));
            // OpenRC's conf.d, then sysvinit's default file: only without systemd's unit.
            for (file, bin_key) in [("/etc/conf.d/docker", "DOCKERD_BINARY"), ("/etc/default/docker", "DOCKERD")] {
                let text = read_text(tree, Path::new(file)).unwrap_or_else(|e| {
                    search.looked.push(e.to_string());
                    None
                });
                if let Some(f) = text {
                    let vars = env_file(&f.text);
                    let origin = |line| Origin { file: PathBuf::from(file), line };
                    if let Some((k, v, line)) = vars.iter().rev().find(|(k, _, _)| k == bin_key) {
                        places.push(Place::Named(
                            PathBuf::from(v),
                            Evidence::InitScript { key: k.clone(), origin: origin(*line) },
                        ));
                    }
                    if let Some((k, v, line)) = vars.iter().rev().find(|(k, _, _)| k == "DOCKER_OPTS") {
                        let mut a = vec!["dockerd".to_string()];
                        a.extend(split_words(v));
                        let from = Evidence::InitScript { key: k.clone(), origin: origin(*line) };
                        args.get_or_insert(CommandLine::uniform(a, &from));
                    }
                }
            }
            // The init script's own default (Debian's `DOCKERD=`, OpenRC's `command=`).
            if let Ok(Some(f)) = read_text(tree, Path::new(INIT_SCRIPT)) {
                if let Some((key, program, line)) = init_script_program(&f.text) {
                    let origin = Origin { file: PathBuf::from(INIT_SCRIPT), line };
                    places.push(Place::Named(PathBuf::from(program), Evidence::InitScript { key, origin }));
                }
            }
        }
    }
    let unit_name = u.map(|u| u.name.clone());
    places.push(Place::Lookup {
        path: path.to_string(),
        names: names.map(String::from).to_vec(),
        found_by: Evidence::Path { unit: unit_name },
    });
    places.push(Place::Named(PathBuf::from(Component::Dockerd.cis_path()), Evidence::Cis));
    search.also.extend(STANDARD_BIN_DIRS.iter().flat_map(|d| names.map(|n| Path::new(d).join(n))));
    let location = search.run(&places);
    Daemon { location, args: args.unwrap_or_default() }
}

const INIT_SCRIPT: &str = "/etc/init.d/docker";

/// The program an init script runs by default: Debian's sysvinit script sets
/// `DOCKERD=/usr/sbin/dockerd`, Alpine's OpenRC script
/// `command="${DOCKERD_BINARY:-/usr/bin/dockerd}"` (the conf.d and default files,
/// read before, override both). Gives (key, program, line).
fn init_script_program(text: &str) -> Option<(String, String, usize)> {
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        let Some((key, value)) = line.split_once('=') else { continue };
        if key != "DOCKERD" && key != "command" {
            continue;
        }
        let value = split_words(value).into_iter().next().unwrap_or_default();
        let program = match value.strip_prefix("${").and_then(|v| v.strip_suffix('}')) {
            Some(param) => param.split_once(":-").map(|(_, default)| default.to_string()).unwrap_or_default(),
            None => value,
        };
        if program.starts_with('/') {
            return Some((key.to_string(), program, i + 1));
        }
    }
    None
}

/// containerd: process, containerd.service, dockerd's own (managed) containerd on
/// dockerd's PATH, PATH, CIS path. RHEL 7's docker ran `docker-containerd-current`.
fn find_containerd(
    tree: &dyn Filesystem,
    procs: Option<&dyn Processes>,
    u: Option<&Unit>,
    managed: bool,
    exec_root: &Path,
    docker_path: &str,
    split_usr: bool,
) -> Daemon {
    let names = CONTAINERD_NAMES;
    let mut search = Search::new(tree, Component::Containerd);
    let mut places = Vec::new();
    let mut args: Option<CommandLine> = None;
    if let Err(e) = live(&mut search, procs, &names, &mut places, &mut args) {
        return Daemon::error(Component::Containerd, e);
    }
    let path = match u {
        Some(u) if u.masked => {
            search.looked.push(format!("{} is masked ({})", u.name, u.fragment.display()));
            u.path()
        }
        Some(u) => {
            match exec_place(u) {
                Some((place, a, _)) => {
                    args.get_or_insert(a);
                    places.push(place);
                }
                None => search.looked.push(format!("{} has no ExecStart", u.name)),
            }
            u.path()
        }
        None if managed => docker_path.to_string(),
        None => {
            search.looked.push(format!("containerd.service (not in {})", UNIT_DIRS.join(", ")));
            default_path(split_usr)
        }
    };
    let found_by = match (u, managed) {
        (Some(u), _) => Evidence::Path { unit: Some(u.name.clone()) },
        (None, true) => Evidence::ManagedContainerd { exec_root: exec_root.to_path_buf() },
        (None, false) => Evidence::Path { unit: None },
    };
    places.push(Place::Lookup { path, names: names.map(String::from).to_vec(), found_by });
    places.push(Place::Named(PathBuf::from(Component::Containerd.cis_path()), Evidence::Cis));
    search.also.extend(STANDARD_BIN_DIRS.iter().map(|d| Path::new(d).join("containerd")));
    let location = search.run(&places);
    Daemon { location, args: args.unwrap_or_default() }
}

/// A file or directory at the path its configuration names.
fn find_file(tree: &dyn Filesystem, c: Component, v: &Value<PathBuf>, absent_note: Option<&str>) -> Location {
    let mut search = Search::new(tree, c);
    search.absent_note = absent_note.map(String::from);
    let places = [Place::Named(v.value.clone(), v.found_by.clone())];
    if v.found_by != Evidence::Cis {
        // The CIS path is looked at too, so a copy left there is listed as another.
        search.also.push(PathBuf::from(c.cis_path()));
    }
    let loc = search.run(&places);
    // A directory that exists but where the CIS path names another: say so.
    if let Location::Found(mut l) = loc {
        if c == Component::DaemonJson && !l.path.starts_with("/etc/docker") {
            l.notes.push("daemon.json is outside /etc/docker: a rule on /etc/docker does not cover it".into());
        }
        return Location::Found(l);
    }
    loc
}

/// A unit file: where systemd loads it from, with its drop-ins.
fn find_unit_file(tree: &dyn Filesystem, c: Component, u: Option<&Unit>) -> Location {
    let name = c.name();
    let Some(u) = u else {
        return Location::NotInstalled(NotInstalled {
            component: c,
            cis_path: PathBuf::from(c.cis_path()),
            looked: vec![format!("{name} in {}", UNIT_DIRS.join(", "))],
            note: None,
        });
    };
    let followed = match follow(tree, &u.fragment) {
        Ok(f) => f,
        Err(error) => return Location::Error { component: c, error },
    };
    let mut notes = Vec::new();
    if u.masked {
        notes.push(format!("{} is masked (linked to /dev/null): systemd will not start it", u.name));
    }
    if u.name == SNAP_UNIT {
        notes.push(format!("Docker is the snap: {SNAP_UNIT} stands for docker.service"));
    }
    if u.exec_start.len() > 1 {
        notes.push(format!(
            "{} has {} ExecStart= lines; systemd starts such a service only when Type=oneshot",
            u.name,
            u.exec_start.len()
        ));
    }
    for (path, optional, origin, read) in &u.environment_files {
        if !optional && !read {
            notes.push(format!(
                "EnvironmentFile={} ({origin}) is missing: systemd will not start {}",
                path.display(),
                u.name
            ));
        }
    }
    // Copies lower in the search order are not loaded: a rule on one of them watches
    // a file systemd ignores.
    let mut others = Vec::new();
    for dir in UNIT_DIRS {
        let copy = Path::new(dir).join(&u.name);
        match follow(tree, &copy) {
            Ok(f) if f.id.is_some() && f.id != followed.id && !others.iter().any(|o: &OtherCopy| o.path == f.path) => {
                let why = format!(
                    "{} exists too; systemd loads {} (earlier in its search order)",
                    copy.display(),
                    u.fragment.display()
                );
                others.push(OtherCopy { path: f.path, why });
            }
            Ok(_) => {}
            Err(error) => return Location::Error { component: c, error },
        }
    }
    Location::Found(Located {
        component: c,
        path: followed.path,
        cis_path: PathBuf::from(c.cis_path()),
        named: u.fragment.clone(),
        found_by: Evidence::UnitSearch,
        symlinks: followed.hops,
        others,
        drop_ins: u.drop_ins.clone(),
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docker::procs::comm_of;

    /// The one snapshot of /proc must hold every process a search asks for.
    #[test]
    fn the_snapshot_asks_for_every_comm_the_searches_use() {
        let names = DOCKERD_NAMES.iter().chain(&CONTAINERD_NAMES).chain(SHIMS.iter().map(|(_, n)| n));
        for name in names {
            assert!(LIVE_COMMS.contains(&comm_of(name)), "{name}");
        }
    }
}
