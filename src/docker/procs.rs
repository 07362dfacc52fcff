//! Running processes, the first evidence of which binary a host runs: a process whose
//! `/proc/PID/comm` is `dockerd`, confirmed by `/proc/PID/exe`. Behind a trait so tests
//! can give a fake process table; the real one reads `/proc` under the host root
//! (`/proc` itself, or `DIR/proc` for `--host-root DIR` with the host pid namespace).
//! Offline judging (`--root`) has no processes: what a disk image runs is its units'.

use std::path::{Path, PathBuf};

use super::error::DiscoveryError;
use crate::host::FileId;

/// The kernel's `TASK_COMM_LEN` less the NUL: `comm` keeps the first 15 bytes of the
/// program's file name, so `containerd-shim-runc-v2` shows as `containerd-shim`.
const COMM_LEN: usize = 15;

/// What `/proc/PID/exe` says after an upgrade replaced the running binary.
const DELETED: &str = " (deleted)";

/// One running process of interest, as read from `/proc/PID`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Process {
    /// The process id, in the pid namespace of the proc directory read.
    pub pid: u32,
    /// `/proc/PID/comm`: the program's file name cut to 15 bytes.
    pub comm: String,
    /// `readlink /proc/PID/exe`, without ` (deleted)`; `None` when unreadable (another
    /// user's process without privilege, a kernel thread).
    pub exe: Option<PathBuf>,
    /// The running file was deleted (replaced by an upgrade since it started).
    pub deleted: bool,
    /// The inode `/proc/PID/exe` leads to, to confirm that the path under the root is
    /// the running file (a bind-mounted host root keeps device and inode).
    pub exe_id: Option<FileId>,
    /// `/proc/PID/cmdline` split at its NULs; empty for a kernel thread.
    pub cmdline: Vec<String>,
}

/// A process table.
pub trait Processes {
    /// The processes whose `comm` is one of `comms` (already cut to 15 bytes, as
    /// the kernel cuts them).
    fn find(&self, comms: &[&str]) -> Result<Vec<Process>, DiscoveryError>;
}

/// `comm` for a program file name.
pub(crate) fn comm_of(name: &str) -> &str {
    let mut end = name.len().min(COMM_LEN);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    &name[..end]
}

/// The real `/proc` at `dir` (e.g. `/proc`, or `/host/proc`).
pub struct ProcFs {
    dir: PathBuf,
}

impl ProcFs {
    /// The proc directory to read, as given (not under any root).
    pub fn new(dir: impl Into<PathBuf>) -> ProcFs {
        ProcFs { dir: dir.into() }
    }

    /// The proc directory of a host root: `ROOT/proc`.
    pub fn under(root: &Path) -> ProcFs {
        ProcFs::new(root.join("proc"))
    }

    fn read(&self, pid: u32, comms: &[&str]) -> Option<Process> {
        use std::os::unix::fs::MetadataExt;
        let dir = self.dir.join(pid.to_string());
        let comm = std::fs::read_to_string(dir.join("comm")).ok()?;
        let comm = comm.trim_end_matches('\n');
        if !comms.contains(&comm) {
            return None;
        }
        let link = std::fs::read_link(dir.join("exe")).ok();
        let (exe, deleted) = match link.as_ref().map(|l| l.to_string_lossy().into_owned()) {
            Some(s) => match s.strip_suffix(DELETED) {
                Some(p) => (Some(PathBuf::from(p)), true),
                None => (Some(PathBuf::from(s)), false),
            },
            None => (None, false),
        };
        let exe_id = std::fs::metadata(dir.join("exe")).ok().map(|m| FileId { dev: m.dev(), ino: m.ino() });
        let cmdline = std::fs::read(dir.join("cmdline"))
            .map(|b| {
                b.split(|&c| c == 0)
                    .filter(|a| !a.is_empty())
                    .map(|a| String::from_utf8_lossy(a).into_owned())
                    .collect()
            })
            .unwrap_or_default();
        Some(Process { pid, comm: comm.to_string(), exe, deleted, exe_id, cmdline })
    }
}

impl Processes for ProcFs {
    fn find(&self, comms: &[&str]) -> Result<Vec<Process>, DiscoveryError> {
        let entries =
            std::fs::read_dir(&self.dir).map_err(|source| DiscoveryError::Proc { path: self.dir.clone(), source })?;
        let mut out: Vec<Process> = entries
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
            // A process that exits while we look is simply not there.
            .filter_map(|pid| self.read(pid, comms))
            .collect();
        out.sort_by_key(|p| p.pid);
        Ok(out)
    }
}

/// A fixed process table: discovery's one snapshot of `/proc` (every component is
/// judged against the same moment), and the fake table tests build with [`ProcessTable::with`].
#[derive(Clone, Debug, Default)]
pub struct ProcessTable(pub Vec<Process>);

impl ProcessTable {
    /// A process running `exe` with this command line; `comm` derived as the kernel does.
    pub fn with(mut self, pid: u32, exe: &str, args: &[&str]) -> ProcessTable {
        let (path, deleted) = match exe.strip_suffix(DELETED) {
            Some(p) => (p, true),
            None => (exe, false),
        };
        let name = Path::new(path).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let mut cmdline = vec![path.to_string()];
        cmdline.extend(args.iter().map(|a| a.to_string()));
        self.0.push(Process {
            pid,
            comm: comm_of(&name).to_string(),
            exe: Some(PathBuf::from(path)),
            deleted,
            exe_id: None,
            cmdline,
        });
        self
    }
}

impl Processes for ProcessTable {
    fn find(&self, comms: &[&str]) -> Result<Vec<Process>, DiscoveryError> {
        Ok(self.0.iter().filter(|p| comms.contains(&p.comm.as_str())).cloned().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comm_is_cut_at_fifteen_bytes() {
        assert_eq!(comm_of("containerd-shim-runc-v2"), "containerd-shim");
        assert_eq!(comm_of("dockerd-current"), "dockerd-current");
        assert_eq!(comm_of("dockerd"), "dockerd");
    }

    #[test]
    fn this_process_is_found_in_the_real_proc() {
        let me = std::fs::read_to_string("/proc/self/comm").unwrap();
        let me = me.trim_end();
        let found = ProcFs::new("/proc").find(&[me]).unwrap();
        let this = found.iter().find(|p| p.pid == std::process::id()).expect("this test process");
        assert_eq!(this.exe.as_deref(), Some(std::env::current_exe().unwrap().as_path()));
        assert!(this.exe_id.is_some() && !this.deleted && !this.cmdline.is_empty());
    }

    /// A fake /proc directory: the real parsing of comm, the exe link (with the
    /// ` (deleted)` the kernel appends) and the NUL-separated cmdline.
    #[test]
    fn a_fake_proc_directory_is_read_as_the_kernel_writes_it() {
        let proc = std::env::temp_dir().join(format!("dockaudit-proc-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&proc);
        for (pid, comm, exe, cmdline) in [
            ("812", "dockerd\n", "/usr/bin/dockerd (deleted)", "/usr/bin/dockerd\0-H\0fd://\0"),
            ("901", "containerd-shim\n", "/usr/bin/containerd-shim-runc-v2", "x\0"),
            ("77", "bash\n", "/usr/bin/bash", "bash\0"),
        ] {
            let d = proc.join(pid);
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join("comm"), comm).unwrap();
            std::fs::write(d.join("cmdline"), cmdline).unwrap();
            std::os::unix::fs::symlink(exe, d.join("exe")).unwrap();
        }
        std::fs::create_dir_all(proc.join("sys")).unwrap();
        std::os::unix::fs::symlink("812", proc.join("self")).unwrap();
        let fs = ProcFs::new(&proc);
        let got = fs.find(&["dockerd", "containerd-shim"]).unwrap();
        assert_eq!(got.iter().map(|p| p.pid).collect::<Vec<_>>(), [812, 901]);
        assert_eq!(
            got[0],
            Process {
                pid: 812,
                comm: "dockerd".into(),
                exe: Some(PathBuf::from("/usr/bin/dockerd")),
                deleted: true,
                exe_id: None,
                cmdline: vec!["/usr/bin/dockerd".into(), "-H".into(), "fd://".into()],
            }
        );
        assert_eq!(got[1].exe.as_deref(), Some(Path::new("/usr/bin/containerd-shim-runc-v2")));
        assert!(!got[1].deleted);
        assert!(ProcFs::new(proc.join("missing")).find(&["dockerd"]).is_err());
        std::fs::remove_dir_all(&proc).unwrap();
    }

    #[test]
    fn the_fake_table_marks_deleted_binaries() {
        let p = ProcessTable::default().with(7, "/usr/bin/dockerd (deleted)", &["-H", "fd://"]);
        let got = p.find(&["dockerd"]).unwrap();
        assert_eq!(got[0].exe.as_deref(), Some(Path::new("/usr/bin/dockerd")));
        assert!(got[0].deleted);
        assert_eq!(got[0].cmdline, ["/usr/bin/dockerd", "-H", "fd://"]);
    }
}
