//! A systemd unit as systemd loads it, natively: the fragment found in the search
//! order (`crate::units`), then the drop-ins (`NAME.d/*.conf` and `TYPE.d/*.conf` in
//! every unit directory, applied in lexical order of their file names, a name in a
//! higher-priority directory hiding the same name below), so a drop-in that resets
//! `ExecStart=` or adds `Environment=PATH=` is seen exactly as the service runs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::error::DiscoveryError;
use super::exec::{env_file, environment_assignments, exec_command};
use super::located::Origin;
use super::tree::{existing, list_dir, read_text};
use crate::host::{find_unit, Filesystem, UNIT_DIRS};

/// systemd's PATH for services that set none (merged /usr; `/sbin:/bin` are added on
/// split-/usr hosts).
pub const SYSTEMD_DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin";

/// One `Key=value` line (continuations joined), in the order systemd applies them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting {
    pub section: String,
    pub key: String,
    pub value: String,
    pub origin: Origin,
}

/// An `ExecStart=` command after resets, with the environment expanded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecCommand {
    pub argv: Vec<String>,
    /// For each word of `argv`, the variable it was expanded from.
    pub vars: Vec<Option<String>>,
    pub origin: Origin,
}

/// A loaded unit.
#[derive(Clone, Debug)]
pub struct Unit {
    pub name: String,
    /// Where systemd found it, as the path in its unit directory.
    pub fragment: PathBuf,
    /// Linked to /dev/null: systemd will not start it.
    pub masked: bool,
    /// Drop-ins applied, in order.
    pub drop_ins: Vec<PathBuf>,
    pub settings: Vec<Setting>,
    /// `EnvironmentFile=` files in effect: (path, optional, origin, read or not).
    pub environment_files: Vec<(PathBuf, bool, Origin, bool)>,
    /// The environment the service starts with (Environment= then EnvironmentFile=).
    pub environment: Vec<(String, String)>,
    /// Where each variable of `environment` was set (the last setting wins).
    pub env_origins: Vec<(String, Origin)>,
    /// The effective `ExecStart=` list (an empty `ExecStart=` resets it).
    pub exec_start: Vec<ExecCommand>,
    split_usr: bool,
}

impl Unit {
    /// The program the service runs and the line that says so: the first command of
    /// the effective `ExecStart=` list.
    pub fn main_command(&self) -> Option<&ExecCommand> {
        self.exec_start.first()
    }

    /// The line that set a variable of the service's environment.
    pub fn env_origin(&self, name: &str) -> Option<&Origin> {
        self.env_origins.iter().rev().find(|(k, _)| k == name).map(|(_, o)| o)
    }

    /// The PATH the service runs with: `Environment=PATH=` (or an environment file's),
    /// else `ExecSearchPath=` (systemd ≥ 250 sets PATH from it), else systemd's default.
    pub fn path(&self) -> String {
        match self.environment.iter().rev().find(|(k, _)| k == "PATH") {
            Some((_, v)) => v.clone(),
            None => self.exec_search_path(),
        }
    }

    /// Where systemd looks up an `ExecStart=` program that is not an absolute path:
    /// `ExecSearchPath=`, else its compiled-in default (not the service's PATH).
    pub fn exec_search_path(&self) -> String {
        let set = self.settings.iter().rev().find(|s| s.section == "Service" && s.key == "ExecSearchPath");
        match set.map(|s| s.value.trim()).filter(|v| !v.is_empty()) {
            Some(v) => v.to_string(),
            None => default_path(self.split_usr),
        }
    }
}

/// systemd's default PATH on this root.
pub fn default_path(split_usr: bool) -> String {
    if split_usr {
        format!("{SYSTEMD_DEFAULT_PATH}:/sbin:/bin")
    } else {
        SYSTEMD_DEFAULT_PATH.to_string()
    }
}

/// Whether `/bin` is a directory of its own (not a link into /usr).
pub fn is_split_usr(tree: &dyn Filesystem) -> bool {
    tree.lstat(Path::new("/bin")).is_ok_and(|m| m.kind == crate::host::FileKind::Dir)
}

/// Loads `name` (e.g. `docker.service`), or `None` when no unit directory has it.
pub fn load(tree: &dyn Filesystem, name: &str) -> Result<Option<Unit>, DiscoveryError> {
    let Some(fragment) = find_unit(tree, name)? else { return Ok(None) };
    let masked = existing(tree, &fragment)?.is_some_and(|r| r.path == Path::new("/dev/null"));
    let mut settings = Vec::new();
    if !masked {
        if let Some(f) = read_text(tree, &fragment)? {
            parse(&f.text, &fragment, &mut settings);
        }
    }
    let drop_ins = drop_ins(tree, name)?;
    for d in &drop_ins {
        if let Some(f) = read_text(tree, d)? {
            parse(&f.text, d, &mut settings);
        }
    }
    let mut unit = Unit {
        name: name.to_string(),
        fragment,
        masked,
        drop_ins,
        settings,
        environment_files: Vec::new(),
        environment: Vec::new(),
        env_origins: Vec::new(),
        exec_start: Vec::new(),
        split_usr: is_split_usr(tree),
    };
    environment(tree, &mut unit)?;
    let section = if name.ends_with(".service") { "Service" } else { "" };
    for s in unit.settings.iter().filter(|s| s.section == section && s.key == "ExecStart") {
        if s.value.trim().is_empty() {
            unit.exec_start.clear();
        } else {
            let (argv, vars) = exec_command(&s.value, name, &unit.environment).into_iter().unzip();
            unit.exec_start.push(ExecCommand { argv, vars, origin: s.origin.clone() });
        }
    }
    Ok(Some(unit))
}

/// The drop-ins systemd applies to `name`, in order.
fn drop_ins(tree: &dyn Filesystem, name: &str) -> Result<Vec<PathBuf>, DiscoveryError> {
    let kind = name.rsplit('.').next().unwrap_or("");
    // File name -> path; the first (highest-priority) directory holding a name wins.
    let mut by_name: BTreeMap<String, PathBuf> = BTreeMap::new();
    for dir in UNIT_DIRS {
        for sub in [format!("{name}.d"), format!("{kind}.d")] {
            let d = Path::new(dir).join(sub);
            for file in list_dir(tree, &d)? {
                if file.ends_with(".conf") {
                    by_name.entry(file.clone()).or_insert_with(|| d.join(&file));
                }
            }
        }
    }
    let mut out = Vec::new();
    for path in by_name.into_values() {
        // A drop-in linked to /dev/null masks the same name below it.
        if existing(tree, &path)?.is_some_and(|r| r.path != Path::new("/dev/null")) {
            out.push(path);
        }
    }
    Ok(out)
}

/// Parses a unit file's lines into `out`: sections, `Key=value`, `#`/`;` comments,
/// backslash continuation (joined with a space; comment lines inside are skipped).
pub fn parse(text: &str, file: &Path, out: &mut Vec<Setting>) {
    let mut section = String::new();
    let mut pending: Option<(String, usize)> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if pending.is_some() && (line.starts_with('#') || line.starts_with(';')) {
            continue;
        }
        let (mut joined, start) = match pending.take() {
            Some((mut acc, start)) => {
                acc.push(' ');
                acc.push_str(line);
                (acc, start)
            }
            None => {
                if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                    continue;
                }
                if line.starts_with('[') && line.ends_with(']') {
                    section = line[1..line.len() - 1].to_string();
                    continue;
                }
                (line.to_string(), i + 1)
            }
        };
        if joined.ends_with('\\') {
            joined.pop();
            pending = Some((joined.trim_end().to_string(), start));
            continue;
        }
        if let Some((k, v)) = joined.split_once('=') {
            out.push(Setting {
                section: section.clone(),
                key: k.trim().to_string(),
                value: v.trim().to_string(),
                origin: Origin { file: file.to_path_buf(), line: start },
            });
        }
    }
    if let Some((joined, start)) = pending {
        if let Some((k, v)) = joined.split_once('=') {
            let origin = Origin { file: file.to_path_buf(), line: start };
            out.push(Setting { section, key: k.trim().to_string(), value: v.trim().to_string(), origin });
        }
    }
}

/// `Environment=` in order (an empty one resets), then the `EnvironmentFile=` files
/// (a leading `-`: optional), whose values override.
fn environment(tree: &dyn Filesystem, unit: &mut Unit) -> Result<(), DiscoveryError> {
    let mut env: Vec<(String, String)> = Vec::new();
    let mut origins: Vec<(String, Origin)> = Vec::new();
    let mut files: Vec<(PathBuf, bool, Origin)> = Vec::new();
    for s in unit.settings.iter().filter(|s| s.section == "Service") {
        match s.key.as_str() {
            "Environment" if s.value.is_empty() => {
                env.clear();
                origins.clear();
            }
            "Environment" => {
                for (k, v) in environment_assignments(&s.value) {
                    origins.push((k.clone(), s.origin.clone()));
                    env.push((k, v));
                }
            }
            "EnvironmentFile" if s.value.is_empty() => files.clear(),
            "EnvironmentFile" => {
                let optional = s.value.starts_with('-');
                files.push((PathBuf::from(s.value.trim_start_matches('-')), optional, s.origin.clone()));
            }
            _ => {}
        }
    }
    for (path, optional, origin) in files {
        let text = read_text(tree, &path)?;
        let read = text.is_some();
        if let Some(f) = text {
            for (k, v, line) in env_file(&f.text) {
                origins.push((k.clone(), Origin { file: path.clone(), line }));
                env.push((k, v));
            }
        }
        unit.environment_files.push((path, optional, origin, read));
    }
    unit.environment = env;
    unit.env_origins = origins;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::FakeFs;

    const DEBIAN: &str = "[Unit]\nDescription=Docker\n\n[Service]\nType=notify\n\
        EnvironmentFile=-/etc/default/docker\n\
        ExecStart=/usr/sbin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock $DOCKER_OPTS\n";

    #[test]
    fn the_fragment_its_environment_file_and_exec_start() {
        let t = FakeFs::new().merged_usr().file_with("/usr/lib/systemd/system/docker.service", DEBIAN).file_with(
            "/etc/default/docker",
            "#DOCKER_OPTS=\"--dns 8.8.8.8\"\nDOCKER_OPTS=\"--data-root=/srv/docker\"\n",
        );
        let u = load(&t, "docker.service").unwrap().unwrap();
        assert_eq!(u.fragment, Path::new("/usr/lib/systemd/system/docker.service"));
        let cmd = u.main_command().unwrap();
        assert_eq!(
            cmd.argv,
            [
                "/usr/sbin/dockerd",
                "-H",
                "fd://",
                "--containerd=/run/containerd/containerd.sock",
                "--data-root=/srv/docker"
            ]
        );
        assert_eq!(cmd.origin.to_string(), "/usr/lib/systemd/system/docker.service:7");
        assert_eq!(u.path(), SYSTEMD_DEFAULT_PATH);
        assert!(u.environment_files[0].1 && u.environment_files[0].3);
        assert_eq!(cmd.vars[4].as_deref(), Some("DOCKER_OPTS"));
        assert_eq!(u.env_origin("DOCKER_OPTS").unwrap().to_string(), "/etc/default/docker:2");
        assert!(load(&t, "containerd.service").unwrap().is_none());
    }

    #[test]
    fn drop_ins_reset_exec_start_in_lexical_order_and_higher_directories_hide_lower() {
        let t = FakeFs::new()
            .merged_usr()
            .file_with("/usr/lib/systemd/system/docker.service", DEBIAN)
            .file_with("/usr/lib/systemd/system/docker.service.d/10-path.conf", "[Service]\nEnvironment=PATH=/opt/bin\n")
            .file_with("/etc/systemd/system/docker.service.d/10-path.conf", "[Service]\nEnvironment=\"PATH=/opt/docker/bin:/usr/bin\"\n")
            .file_with(
                "/etc/systemd/system/docker.service.d/override.conf",
                "[Service]\n# reset, then the new command\nExecStart=\nExecStart=/opt/docker/bin/dockerd \\\n  --data-root /data \\\n  # a comment inside\n  -H fd://\n",
            )
            .file_with("/run/systemd/system/service.d/50-all.conf", "[Service]\nEnvironment=ALL=1\n");
        let u = load(&t, "docker.service").unwrap().unwrap();
        assert_eq!(
            u.drop_ins,
            [
                PathBuf::from("/etc/systemd/system/docker.service.d/10-path.conf"),
                PathBuf::from("/run/systemd/system/service.d/50-all.conf"),
                PathBuf::from("/etc/systemd/system/docker.service.d/override.conf"),
            ]
        );
        assert_eq!(u.exec_start.len(), 1);
        assert_eq!(u.exec_start[0].argv, ["/opt/docker/bin/dockerd", "--data-root", "/data", "-H", "fd://"]);
        assert_eq!(u.exec_start[0].origin.to_string(), "/etc/systemd/system/docker.service.d/override.conf:4");
        assert_eq!(u.path(), "/opt/docker/bin:/usr/bin");
    }

    #[test]
    fn a_relative_program_is_looked_up_on_exec_search_path_not_on_the_environment_path() {
        let t = FakeFs::new().merged_usr().file_with(
            "/etc/systemd/system/docker.service",
            "[Service]\nEnvironment=PATH=/opt/env\nExecStart=dockerd\n",
        );
        let u = load(&t, "docker.service").unwrap().unwrap();
        assert_eq!((u.path().as_str(), u.exec_search_path()), ("/opt/env", SYSTEMD_DEFAULT_PATH.to_string()));
        let t = t.file_with(
            "/etc/systemd/system/docker.service.d/x.conf",
            "[Service]\nExecSearchPath=/opt/bin\nEnvironment=\n",
        );
        let u = load(&t, "docker.service").unwrap().unwrap();
        assert_eq!((u.path().as_str(), u.exec_search_path()), ("/opt/bin", "/opt/bin".to_string()));
    }

    #[test]
    fn a_masked_unit_runs_nothing() {
        let t = FakeFs::new()
            .merged_usr()
            .file_with("/usr/lib/systemd/system/docker.service", DEBIAN)
            .file_with("/dev/null", "")
            .symlink("/etc/systemd/system/docker.service", "/dev/null");
        let u = load(&t, "docker.service").unwrap().unwrap();
        assert!(u.masked);
        assert!(u.exec_start.is_empty());
    }
}
