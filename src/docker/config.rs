//! The daemons' own configuration: dockerd's flags and daemon.json, containerd's flags
//! and config.toml. These move the directories and files the CIS text names
//! (`data-root` moves /var/lib/docker, `--config-file` moves daemon.json, containerd's
//! `state` moves /run/containerd) and say which runc dockerd runs (`runtimes`,
//! `default-runtime`, `--add-runtime`, `--default-runtime`).

use std::path::{Path, PathBuf};

use super::error::DiscoveryError;
use super::located::Evidence;
use super::tree::{list_dir, read_text};
use crate::host::Filesystem;

/// A configured value and what set it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Value<T> {
    /// The setting as discovery resolved it (a default when nothing set it).
    pub value: T,
    /// What set it: a flag, a config key, or `Cis` for dockerd's/containerd's default.
    pub found_by: Evidence,
}

fn flag(name: &str, (value, from): (String, Evidence)) -> Value<PathBuf> {
    Value { value: PathBuf::from(value), found_by: Evidence::Flag { flag: name.to_string(), from: Box::new(from) } }
}

/// A daemon's command line, each word with the evidence for it: the unit's
/// `ExecStart=` line, the variable that gave it, or the live process.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommandLine {
    pub words: Vec<(String, Evidence)>,
}

impl CommandLine {
    /// Words that all have the same evidence.
    pub fn uniform(words: impl IntoIterator<Item = String>, from: &Evidence) -> CommandLine {
        CommandLine { words: words.into_iter().map(|w| (w, from.clone())).collect() }
    }

    fn texts(&self) -> Vec<String> {
        self.words.iter().map(|(w, _)| w.clone()).collect()
    }

    /// The last value of a flag and the evidence of the word that gave it.
    fn last(&self, names: &[&str]) -> Option<(String, Evidence)> {
        flag_values(&self.texts(), names).pop().map(|(i, v)| (v, self.words[i].1.clone()))
    }

    fn all(&self, names: &[&str]) -> Vec<(String, Evidence)> {
        flag_values(&self.texts(), names).into_iter().map(|(i, v)| (v, self.words[i].1.clone())).collect()
    }
}

/// Every value given to one of the flags `names` (`--long`, `-s`; `--long=v`,
/// `--long v`, `-s v`; Go's `flag` package also takes `-long`), with the index of
/// the flag's word.
pub fn flag_values(args: &[String], names: &[&str]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        let at = i;
        for name in names {
            let bare = name.trim_start_matches('-');
            let spellings = [format!("--{bare}"), format!("-{bare}")];
            for s in &spellings {
                if let Some(v) = a.strip_prefix(s.as_str()).and_then(|r| r.strip_prefix('=')) {
                    out.push((at, v.to_string()));
                } else if a == s {
                    if let Some(v) = args.get(i + 1) {
                        out.push((at, v.clone()));
                        i += 1;
                    }
                }
            }
        }
        i += 1;
    }
    out
}

/// dockerd's settings that move or name a CIS component.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DockerdConfig {
    /// daemon.json (`--config-file`), and whether it exists.
    pub config_file: Value<PathBuf>,
    /// Whether `config_file` exists; dockerd starts without one.
    pub config_file_exists: bool,
    /// /var/lib/docker unless `--data-root` or daemon.json `data-root` moves it.
    pub data_root: Value<PathBuf>,
    /// /var/run/docker unless `--exec-root` or `exec-root` moves it.
    pub exec_root: PathBuf,
    /// The containerd socket (`--containerd`, `containerd`); `None`: dockerd decides.
    pub containerd: Option<Value<PathBuf>>,
    /// Runtimes added (`--add-runtime name=path`, daemon.json `runtimes`): name, path
    /// as written (absolute, or a name looked up on the PATH).
    pub runtimes: Vec<(String, Value<String>)>,
    /// `--default-runtime` / `default-runtime`; `None`: runc.
    pub default_runtime: Option<Value<String>>,
    /// `--init-path` / `init-path`.
    pub init_path: Option<Value<PathBuf>>,
}

pub const DAEMON_JSON: &str = "/etc/docker/daemon.json";
pub const DATA_ROOT: &str = "/var/lib/docker";
pub const EXEC_ROOT: &str = "/var/run/docker";

/// dockerd's configuration from its command line and the
/// daemon.json it reads. Problems (an unparsable daemon.json) are pushed to `problems`
/// and the defaults kept, so the rest of discovery goes on.
pub fn dockerd(tree: &dyn Filesystem, args: &CommandLine, problems: &mut Vec<DiscoveryError>) -> DockerdConfig {
    let config_file = match args.last(&["--config-file"]) {
        Some(p) => flag("--config-file", p),
        None => Value { value: PathBuf::from(DAEMON_JSON), found_by: Evidence::Cis },
    };
    let mut c = DockerdConfig {
        config_file_exists: false,
        data_root: Value { value: PathBuf::from(DATA_ROOT), found_by: Evidence::Cis },
        exec_root: PathBuf::from(EXEC_ROOT),
        containerd: None,
        runtimes: Vec::new(),
        default_runtime: None,
        init_path: None,
        config_file,
    };
    // daemon.json first; flags after it (dockerd refuses a setting given both ways, so
    // when both are there the service does not start; the flag is reported).
    match read_text(tree, &c.config_file.value) {
        Ok(Some(f)) => {
            c.config_file_exists = true;
            match serde_json::from_str::<serde_json::Value>(&f.text) {
                Ok(json) => daemon_json(&json, &c.config_file.value.clone(), &mut c),
                Err(e) => {
                    problems.push(DiscoveryError::Json { path: c.config_file.value.clone(), message: e.to_string() })
                }
            }
        }
        Ok(None) => {}
        Err(e) => problems.push(e),
    }
    // `-g`/`--graph`: the name before 17.05, still accepted by the dockerd of RHEL 7.
    for name in ["--data-root", "--graph", "-g"] {
        if let Some(v) = args.last(&[name]) {
            c.data_root = flag(name, v);
        }
    }
    if let Some((v, _)) = args.last(&["--exec-root"]) {
        c.exec_root = PathBuf::from(v);
    }
    if let Some(v) = args.last(&["--containerd"]) {
        c.containerd = Some(flag("--containerd", v));
    }
    // A socket may be written as an address (`unix:///run/containerd/containerd.sock`).
    if let Some(v) = &mut c.containerd {
        if let Some(path) = v.value.to_str().and_then(|p| p.strip_prefix("unix://")) {
            v.value = PathBuf::from(path);
        }
    }
    for (v, from) in args.all(&["--add-runtime"]) {
        if let Some((name, path)) = v.split_once('=') {
            let found_by = Evidence::Flag { flag: "--add-runtime".into(), from: Box::new(from) };
            c.runtimes.push((name.to_string(), Value { value: path.to_string(), found_by }));
        }
    }
    if let Some((v, from)) = args.last(&["--default-runtime"]) {
        let found_by = Evidence::Flag { flag: "--default-runtime".into(), from: Box::new(from) };
        c.default_runtime = Some(Value { value: v, found_by });
    }
    if let Some(v) = args.last(&["--init-path"]) {
        c.init_path = Some(flag("--init-path", v));
    }
    c
}

fn daemon_json(json: &serde_json::Value, file: &Path, c: &mut DockerdConfig) {
    let ev = |key: &str| Evidence::DaemonJson { key: key.to_string(), file: file.to_path_buf() };
    let text = |key: &str| json.get(key).and_then(|v| v.as_str()).filter(|s| !s.is_empty());
    for key in ["graph", "data-root"] {
        if let Some(v) = text(key) {
            c.data_root = Value { value: PathBuf::from(v), found_by: ev(key) };
        }
    }
    if let Some(v) = text("exec-root") {
        c.exec_root = PathBuf::from(v);
    }
    if let Some(v) = text("containerd") {
        c.containerd = Some(Value { value: PathBuf::from(v), found_by: ev("containerd") });
    }
    if let Some(v) = text("default-runtime") {
        c.default_runtime = Some(Value { value: v.to_string(), found_by: ev("default-runtime") });
    }
    if let Some(v) = text("init-path") {
        c.init_path = Some(Value { value: PathBuf::from(v), found_by: ev("init-path") });
    }
    if let Some(runtimes) = json.get("runtimes").and_then(|r| r.as_object()) {
        for (name, rt) in runtimes {
            // `path`, or for a shim runtime (runtimeType) the runc options' BinaryName.
            let path = rt
                .get("path")
                .and_then(|p| p.as_str())
                .or_else(|| rt.pointer("/options/BinaryName").and_then(|p| p.as_str()));
            if let Some(p) = path.filter(|p| !p.is_empty()) {
                c.runtimes.push((name.clone(), Value { value: p.to_string(), found_by: ev("runtimes") }));
            }
        }
    }
}

/// containerd's settings that move a CIS component.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerdConfig {
    /// config.toml (`--config`/`-c`), and whether it exists.
    pub config_file: Value<PathBuf>,
    /// Whether `config_file` exists; containerd starts without one.
    pub config_file_exists: bool,
    /// /run/containerd unless `state` (or `--state`) moves it.
    pub state: Value<PathBuf>,
    /// /run/containerd/containerd.sock unless `[grpc] address` (or `--address`) moves it.
    pub address: Value<PathBuf>,
}

pub const CONTAINERD_TOML: &str = "/etc/containerd/config.toml";
pub const CONTAINERD_STATE: &str = "/run/containerd";
pub const CONTAINERD_SOCK: &str = "/run/containerd/containerd.sock";

/// containerd's configuration from its command line and config.toml.
pub fn containerd(tree: &dyn Filesystem, args: &CommandLine, problems: &mut Vec<DiscoveryError>) -> ContainerdConfig {
    let config_file = match args.last(&["--config", "-c"]) {
        Some(p) => flag("--config", p),
        None => Value { value: PathBuf::from(CONTAINERD_TOML), found_by: Evidence::Cis },
    };
    let mut c = ContainerdConfig {
        config_file_exists: false,
        state: Value { value: PathBuf::from(CONTAINERD_STATE), found_by: Evidence::Cis },
        address: Value { value: PathBuf::from(CONTAINERD_SOCK), found_by: Evidence::Cis },
        config_file,
    };
    let file = c.config_file.value.clone();
    let mut seen = Vec::new();
    c.config_file_exists = containerd_toml(tree, &file, &mut c, &mut seen, problems);
    if let Some(v) = args.last(&["--state"]) {
        c.state = flag("--state", v);
    }
    if let Some(v) = args.last(&["--address", "-a"]) {
        c.address = flag("--address", v);
    }
    c
}

/// Applies one config.toml and, after it, the files its `imports` name (relative to
/// its directory; `*` and `?` in the file name), as containerd merges them: a value
/// in an imported file overrides the importing one. Says whether `file` exists.
fn containerd_toml(
    tree: &dyn Filesystem,
    file: &Path,
    c: &mut ContainerdConfig,
    seen: &mut Vec<PathBuf>,
    problems: &mut Vec<DiscoveryError>,
) -> bool {
    if seen.iter().any(|s| s == file) || seen.len() > 32 {
        return true;
    }
    seen.push(file.to_path_buf());
    let text = match read_text(tree, file) {
        Ok(Some(f)) => f.text,
        Ok(None) => return false,
        Err(e) => {
            problems.push(e);
            return true;
        }
    };
    let t = match text.parse::<toml::Table>() {
        Ok(t) => t,
        Err(e) => {
            problems.push(DiscoveryError::Toml { path: file.to_path_buf(), message: e.to_string() });
            return true;
        }
    };
    let ev = |key: &str| Evidence::ContainerdToml { key: key.to_string(), file: file.to_path_buf() };
    if let Some(s) = t.get("state").and_then(|v| v.as_str()).filter(|s| !s.is_empty()) {
        c.state = Value { value: PathBuf::from(s), found_by: ev("state") };
    }
    let grpc = t.get("grpc").and_then(|g| g.get("address")).and_then(|v| v.as_str());
    if let Some(a) = grpc.filter(|s| !s.is_empty()).map(|a| a.strip_prefix("unix://").unwrap_or(a)) {
        c.address = Value { value: PathBuf::from(a), found_by: ev("[grpc] address") };
    }
    let dir = file.parent().unwrap_or(Path::new("/"));
    let imports = t.get("imports").and_then(|i| i.as_array()).cloned().unwrap_or_default();
    for pattern in imports.iter().filter_map(|i| i.as_str()) {
        let pattern = dir.join(pattern);
        let (Some(parent), Some(name)) = (pattern.parent(), pattern.file_name().and_then(|n| n.to_str())) else {
            continue;
        };
        if !name.contains(['*', '?']) {
            containerd_toml(tree, &pattern, c, seen, problems);
            continue;
        }
        match list_dir(tree, parent) {
            Ok(names) => {
                for n in names.iter().filter(|n| glob(name, n)) {
                    containerd_toml(tree, &parent.join(n), c, seen, problems);
                }
            }
            Err(e) => problems.push(e),
        }
    }
    true
}

/// Shell-style matching of one file name: `*` any run, `?` one character.
fn glob(pattern: &str, name: &str) -> bool {
    fn go(p: &[char], n: &[char]) -> bool {
        match (p.first(), n.first()) {
            (None, None) => true,
            (Some('*'), _) => go(&p[1..], n) || (!n.is_empty() && go(p, &n[1..])),
            (Some('?'), Some(_)) => go(&p[1..], &n[1..]),
            (Some(a), Some(b)) if a == b => go(&p[1..], &n[1..]),
            _ => false,
        }
    }
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    go(&p, &n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::FakeFs;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    fn args(s: &str) -> CommandLine {
        CommandLine::uniform(words(s), &Evidence::Cis)
    }

    #[test]
    fn flags_in_every_spelling() {
        let a = words("dockerd --data-root=/a --exec-root /b -c /c.toml -config=/d.toml --add-runtime x=/y -H fd://");
        let values = |names: &[&str]| flag_values(&a, names).into_iter().map(|(_, v)| v).collect::<Vec<_>>();
        assert_eq!(values(&["--data-root"]), ["/a"]);
        assert_eq!(values(&["--exec-root"]), ["/b"]);
        assert_eq!(values(&["--config", "-c"]), ["/c.toml", "/d.toml"]);
        assert_eq!(values(&["--add-runtime"]), ["x=/y"]);
        assert!(values(&["--containerd"]).is_empty());
        assert_eq!(flag_values(&a, &["--exec-root"])[0].0, 2, "the index of the flag's word");
    }

    #[test]
    fn daemon_json_moves_data_root_and_flags_name_runtimes() {
        let t = FakeFs::new().file_with(
            "/etc/docker/daemon.json",
            r#"{"data-root": "/srv/docker", "runtimes": {"nv": {"path": "/usr/bin/nvidia-container-runtime"}},
                "default-runtime": "nv", "containerd": "unix:///run/c.sock"}"#,
        );
        let from = Evidence::Process { pid: 9 };
        let mut problems = Vec::new();
        let c =
            dockerd(&t, &CommandLine::uniform(words("dockerd --add-runtime oci=/usr/sbin/runc"), &from), &mut problems);
        assert!(problems.is_empty());
        assert_eq!(c.data_root.value, Path::new("/srv/docker"));
        assert_eq!(c.data_root.found_by.to_string(), "daemon.json data-root");
        assert_eq!(c.containerd.unwrap().value, Path::new("/run/c.sock"));
        assert_eq!(c.default_runtime.unwrap().value, "nv");
        let names: Vec<&str> = c.runtimes.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["nv", "oci"]);
        assert_eq!(c.runtimes[1].1.found_by.to_string(), "--add-runtime in process 9");
    }

    #[test]
    fn config_file_moves_daemon_json_and_a_broken_one_is_a_problem() {
        let t = FakeFs::new()
            .file_with("/srv/custom.json", "{\"data-root\": \"/data\"}")
            .file_with(DAEMON_JSON, "{not json");
        let mut problems = Vec::new();
        let c = dockerd(&t, &args("dockerd --config-file /srv/custom.json"), &mut problems);
        assert_eq!(c.data_root.value, Path::new("/data"));
        assert_eq!(c.data_root.found_by.to_string(), "daemon.json data-root (/srv/custom.json)");
        let c = dockerd(&t, &args("dockerd"), &mut problems);
        assert_eq!(c.data_root.value, Path::new(DATA_ROOT));
        assert!(matches!(problems.as_slice(), [DiscoveryError::Json { .. }]));
    }

    #[test]
    fn containerd_imports_override_the_main_file_in_order() {
        let t = FakeFs::new()
            .file_with(
                CONTAINERD_TOML,
                "version = 3\nimports = [\"conf.d/*.toml\", \"/etc/k8s.toml\"]\nstate = \"/run/a\"\n",
            )
            .file_with("/etc/containerd/conf.d/10-state.toml", "state = \"/run/b\"\n")
            .file_with("/etc/containerd/conf.d/20-grpc.toml", "[grpc]\naddress = \"/run/b/c.sock\"\n")
            .file_with("/etc/containerd/conf.d/README", "not toml")
            .file_with("/etc/k8s.toml", "state = \"/run/k8s\"\nimports = [\"/etc/containerd/config.toml\"]\n");
        let mut problems = Vec::new();
        let c = containerd(&t, &args("containerd"), &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(c.state.value, Path::new("/run/k8s"), "imported last, and the cycle back is not followed");
        assert_eq!(c.address.found_by.to_string(), "config.toml [grpc] address (/etc/containerd/conf.d/20-grpc.toml)");
        assert!(glob("*.toml", "a.toml") && glob("1?-*", "10-x") && !glob("*.toml", "README"));
    }

    #[test]
    fn containerd_config_moves_state_and_address() {
        let t = FakeFs::new().file_with(
            "/etc/containerd/other.toml",
            "version = 3\nstate = \"/run/k8s-containerd\"\n[grpc]\n  address = \"/run/k8s-containerd/containerd.sock\"\n",
        );
        let mut problems = Vec::new();
        let c = containerd(&t, &args("containerd --config /etc/containerd/other.toml"), &mut problems);
        assert!(problems.is_empty() && c.config_file_exists);
        assert_eq!(c.state.value, Path::new("/run/k8s-containerd"));
        assert_eq!(c.state.found_by.to_string(), "config.toml state (/etc/containerd/other.toml)");
        assert_eq!(c.address.found_by.to_string(), "config.toml [grpc] address (/etc/containerd/other.toml)");
        let c = containerd(&t, &args("containerd"), &mut problems);
        assert!(!c.config_file_exists);
        assert_eq!(c.state.value, Path::new(CONTAINERD_STATE));
    }
}
