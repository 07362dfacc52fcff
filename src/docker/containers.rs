//! Which container a process runs in, told from the host: mainline kernels put no
//! container id in audit records, so a followed event's process is looked up in
//! `/proc/PID/cgroup` (Docker's `docker-<id>.scope` or `/docker/<id>`, containerd's
//! `cri-containerd-<id>.scope`, …) while it lives; when it is gone (`docker run … true`
//! exits before its records are read) its parent is asked, and a parent that is a
//! containerd shim names the container in its command line (`-id <id>`). The name is
//! Docker's own, from `<data-root>/containers/<id>/config.v2.json`.
//!
//! Reading those needs no capability: /proc/PID/cgroup and cmdline are world-readable, and
//! Docker's state files are root's, readable by uid 0 without CAP_DAC_OVERRIDE.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Lookups remembered before the cache starts over (pids are reused; containers churn).
const CACHE_LIMIT: usize = 4096;

/// How long "in no container" is believed for a live process before /proc is read again.
const RETRY_AFTER: Duration = Duration::from_millis(250);

/// A container found for a process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerOf {
    /// The full id.
    pub id: String,
    /// Docker's name for it (without the leading `/`), when its state is readable.
    pub name: Option<String>,
}

fn is_id(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// The container id in a `/proc/PID/cgroup` text: the innermost path segment that is, or
/// wraps (`docker-ID.scope`, `cri-containerd-ID.scope`, `crio-ID.scope`, `libpod-ID.scope`),
/// 64 lowercase hex digits.
pub fn id_in_cgroup(text: &str) -> Option<&str> {
    text.lines()
        .filter_map(|line| line.splitn(3, ':').nth(2))
        .flat_map(|path| path.rsplit('/'))
        .map(|segment| {
            let segment = segment.strip_suffix(".scope").unwrap_or(segment);
            segment.rsplit('-').next().unwrap_or(segment)
        })
        .find(|candidate| is_id(candidate))
}

/// The container a containerd shim serves (`containerd-shim-runc-v2 -namespace moby -id ID
/// -address …`), from its NUL-separated command line.
pub fn id_in_shim_cmdline(cmdline: &[u8]) -> Option<String> {
    let args: Vec<&[u8]> = cmdline.split(|&b| b == 0).collect();
    let program = args.first()?;
    if !program.rsplit(|&b| b == b'/').next()?.starts_with(b"containerd-shim") {
        return None;
    }
    let at = args.iter().position(|a| *a == b"-id")?;
    let id = std::str::from_utf8(args.get(at + 1)?).ok()?;
    is_id(id).then(|| id.to_string())
}

/// The `Name` in a container's config.v2.json, without its leading `/`.
pub fn name_in_config(json: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(json).ok()?;
    let name = value.get("Name")?.as_str()?;
    Some(name.trim_start_matches('/').to_string())
}

/// Finds containers of processes through a proc directory and Docker's data roots.
pub struct ContainerLookup {
    proc_dir: PathBuf,
    data_roots: Vec<PathBuf>,
    /// Lookups by pid. A found id for good (a process never leaves its container's
    /// cgroup); "none" only for `retry_after`: a process in no container yet may be moved
    /// into one (`runc init` starts in its parent's cgroup and is put into the container's
    /// moments later), and a flood of one process's records must not read /proc for each.
    by_pid: HashMap<u32, (Option<String>, Instant)>,
    retry_after: Duration,
    names: HashMap<String, Option<String>>,
}

impl ContainerLookup {
    /// Reads `proc_dir` (`/proc`) and names containers from `data_roots` (/var/lib/docker,
    /// or where daemon.json's data-root moved it), first that knows the id.
    pub fn new(proc_dir: &Path, data_roots: Vec<PathBuf>) -> ContainerLookup {
        ContainerLookup {
            proc_dir: proc_dir.to_path_buf(),
            data_roots,
            by_pid: HashMap::new(),
            retry_after: RETRY_AFTER,
            names: HashMap::new(),
        }
    }

    /// How long "in no container" is believed for a live process (default 250 ms).
    pub fn retry_after(mut self, d: Duration) -> ContainerLookup {
        self.retry_after = d;
        self
    }

    /// The container of `pid`, or, when `pid` is gone or in none, the one its parent
    /// `ppid` is in or serves as a shim.
    pub fn of(&mut self, pid: Option<u32>, ppid: Option<u32>) -> Option<ContainerOf> {
        let id = pid.and_then(|p| self.id_of(p, false)).or_else(|| ppid.and_then(|p| self.id_of(p, true)))?;
        let name = self.name_of(&id);
        Some(ContainerOf { id, name })
    }

    fn id_of(&mut self, pid: u32, as_parent: bool) -> Option<String> {
        match self.by_pid.get(&pid) {
            Some((Some(id), _)) => return Some(id.clone()),
            Some((None, at)) if at.elapsed() < self.retry_after => return None,
            _ => {}
        }
        let dir = self.proc_dir.join(pid.to_string());
        let cgroup = std::fs::read_to_string(dir.join("cgroup")).ok();
        let from_cgroup = cgroup.as_deref().and_then(id_in_cgroup).map(str::to_string);
        let id = match from_cgroup {
            Some(id) => Some(id),
            None if as_parent => std::fs::read(dir.join("cmdline")).ok().and_then(|c| id_in_shim_cmdline(&c)),
            None => None,
        };
        // A process that is gone tells nothing; do not remember that.
        if cgroup.is_some() {
            if self.by_pid.len() >= CACHE_LIMIT {
                self.by_pid.clear();
            }
            self.by_pid.insert(pid, (id.clone(), Instant::now()));
        }
        id
    }

    fn name_of(&mut self, id: &str) -> Option<String> {
        if let Some(Some(name)) = self.names.get(id) {
            return Some(name.clone());
        }
        let name = self
            .data_roots
            .iter()
            .find_map(|root| std::fs::read(root.join("containers").join(id).join("config.v2.json")).ok())
            .and_then(|json| name_in_config(&json));
        if self.names.len() >= CACHE_LIMIT {
            self.names.clear();
        }
        // A container being created has no state yet: only a found name is final.
        if name.is_some() {
            self.names.insert(id.to_string(), name.clone());
        }
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00112233445566778899";

    #[test]
    fn ids_in_the_cgroup_layouts_of_docker_and_containerd() {
        // cgroup v2 under systemd (Debian 12 with Docker's systemd cgroup driver).
        assert_eq!(id_in_cgroup(&format!("0::/system.slice/docker-{ID}.scope\n")), Some(ID));
        // cgroupfs driver, v1 with several hierarchies.
        let v1 = format!("12:pids:/docker/{ID}\n11:cpuset:/docker/{ID}\n1:name=systemd:/docker/{ID}\n");
        assert_eq!(id_in_cgroup(&v1), Some(ID));
        // Kubernetes with containerd.
        let k8s = format!(
            "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice/cri-containerd-{ID}.scope\n"
        );
        assert_eq!(id_in_cgroup(&k8s), Some(ID));
        assert_eq!(id_in_cgroup("0::/user.slice/user-1000.slice/session-2.scope\n"), None);
        assert_eq!(id_in_cgroup("0::/init.scope\n"), None);
        assert_eq!(id_in_cgroup(&format!("0::/docker-{}.scope\n", &ID[..63])), None);
        assert_eq!(id_in_cgroup(""), None);
    }

    #[test]
    fn a_shim_names_its_container() {
        let cmdline = format!(
            "/usr/bin/containerd-shim-runc-v2\0-namespace\0moby\0-id\0{ID}\0-address\0/run/containerd/containerd.sock\0"
        );
        assert_eq!(id_in_shim_cmdline(cmdline.as_bytes()), Some(ID.to_string()));
        assert_eq!(id_in_shim_cmdline(format!("/usr/bin/sleep\0-id\0{ID}\0").as_bytes()), None);
        assert_eq!(id_in_shim_cmdline(b"/usr/bin/containerd-shim-runc-v2\0-id\0"), None);
        assert_eq!(id_in_shim_cmdline(b""), None);
    }

    #[test]
    fn looks_up_process_then_parent_then_the_name() {
        let dir = std::env::temp_dir().join(format!("dockaudit-containers-{}", std::process::id()));
        let proc_dir = dir.join("proc");
        let data_root = dir.join("data");
        let write = |path: PathBuf, text: &str| {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write(proc_dir.join("100/cgroup"), &format!("0::/system.slice/docker-{ID}.scope\n"));
        write(proc_dir.join("200/cgroup"), "0::/system.slice/containerd.service\n");
        write(
            proc_dir.join("200/cmdline"),
            &format!("/usr/bin/containerd-shim-runc-v2\0-namespace\0moby\0-id\0{ID}\0"),
        );
        write(proc_dir.join("300/cgroup"), "0::/user.slice\n");
        write(data_root.join(format!("containers/{ID}/config.v2.json")), r#"{"ID":"x","Name":"/happy_turing"}"#);
        let mut lookup = ContainerLookup::new(&proc_dir, vec![dir.join("elsewhere"), data_root]);
        let found = Some(ContainerOf { id: ID.to_string(), name: Some("happy_turing".into()) });
        assert_eq!(lookup.of(Some(100), Some(1)), found);
        assert_eq!(lookup.of(Some(999), Some(200)), found, "gone: its shim parent names it");
        assert_eq!(lookup.of(Some(300), Some(200)), found, "a child of the shim (runc) is the container's");
        assert_eq!(lookup.of(Some(300), Some(1)), None);
        assert_eq!(lookup.of(None, None), None);
        // `runc init` is found in no container, then moved into its cgroup: "none" is
        // believed for a while only, then it is found.
        write(proc_dir.join("400/cgroup"), "0::/\n");
        assert_eq!(lookup.of(Some(400), Some(1)), None);
        write(proc_dir.join("400/cgroup"), &format!("0::/docker/{ID}\n"));
        assert_eq!(lookup.of(Some(400), Some(1)), None, "within retry_after: the cached answer");
        let mut lookup = lookup.retry_after(Duration::ZERO);
        assert_eq!(lookup.of(Some(400), Some(1)), found, "moved into the container's cgroup");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
