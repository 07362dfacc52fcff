//! The search machinery: follow a named path to its final file inside the root
//! (recording each symlink on the way, since a watch on a link watches the link), try
//! a component's places in order, and list the copies that were not chosen.

use std::path::{Path, PathBuf};

use super::error::DiscoveryError;
use super::located::{Component, Evidence, Located, Location, NotInstalled, OtherCopy, SymlinkHop};
use super::procs::{comm_of, Processes};

use crate::host::{resolve, FileId, FileKind, Filesystem};

/// Linux's `MAXSYMLINKS`.
const MAX_LINKS: usize = 40;

/// Where a named path leads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Followed {
    /// The final path (every symlink resolved), or where the walk stopped.
    pub path: PathBuf,
    /// The links followed in last position (parents that are links are resolved
    /// silently, as the kernel resolves them for a watch).
    pub hops: Vec<SymlinkHop>,
    pub kind: Option<FileKind>,
    pub id: Option<FileId>,
}

/// Follows `named` to its final file inside the root.
pub fn follow(tree: &dyn Filesystem, named: &Path) -> Result<Followed, DiscoveryError> {
    let mut hops = Vec::new();
    let mut current = named.to_path_buf();
    loop {
        let r = resolve(tree, &current, false)?;
        match r.meta {
            Some(m) if m.kind == FileKind::Symlink => {
                if hops.len() >= MAX_LINKS {
                    return Err(DiscoveryError::Loop { path: named.to_path_buf() });
                }
                let target =
                    tree.readlink(&r.path).map_err(|source| DiscoveryError::Read { path: r.path.clone(), source })?;
                current = if target.is_absolute() {
                    target.clone()
                } else {
                    r.path.parent().unwrap_or(Path::new("/")).join(&target)
                };
                hops.push(SymlinkHop { link: r.path, target });
            }
            meta => return Ok(Followed { path: r.path, hops, kind: meta.map(|m| m.kind), id: meta.map(|m| m.id) }),
        }
    }
}

/// A place to look, in the order of the resolution.
#[derive(Clone, Debug)]
pub enum Place {
    /// A path some evidence names.
    Named(PathBuf, Evidence),
    /// The file names looked up on a PATH, directory by directory, as `execvp` does
    /// (`found_by` also names it in the `not installed` reason: "PATH of docker.service").
    Lookup { path: String, names: Vec<String>, found_by: Evidence },
}

/// A component being searched: its places in order and what was looked at.
pub struct Search<'t> {
    pub tree: &'t dyn Filesystem,
    pub component: Component,
    pub looked: Vec<String>,
    /// Where another copy may be (checked only for the `others` list).
    pub also: Vec<PathBuf>,
    pub notes: Vec<String>,
    /// Files to accept: directories for directory components, regular files otherwise
    /// (and a socket for containerd.sock).
    pub want_dir: bool,
    /// Why it is absent, when known (said in the `not installed` reason).
    pub absent_note: Option<String>,
}

/// What a search settled on, before the others are listed.
struct Chosen {
    named: PathBuf,
    followed: Followed,
    found_by: Evidence,
}

impl<'t> Search<'t> {
    pub fn new(tree: &'t dyn Filesystem, component: Component) -> Search<'t> {
        let want_dir =
            matches!(component, Component::DataRoot | Component::ContainerdState | Component::DockerConfigDir);
        Search { tree, component, looked: Vec::new(), also: Vec::new(), notes: Vec::new(), want_dir, absent_note: None }
    }

    fn accepts(&self, f: &Followed) -> bool {
        match f.kind {
            Some(FileKind::Dir) => self.want_dir,
            Some(FileKind::File) => !self.want_dir,
            // A socket is what containerd.sock is; a program or a config file is not.
            Some(FileKind::Other) => self.component == Component::ContainerdSock,
            _ => false,
        }
    }

    /// A live process running the component: `comm` cut from one of `names`, the
    /// exe's file name exactly the name, and (when known) the same inode under the root.
    /// Gives the place and the process's command line.
    pub fn live(
        &mut self,
        procs: &dyn Processes,
        names: &[&str],
    ) -> Result<Option<(Place, Vec<String>)>, DiscoveryError> {
        let comms: Vec<&str> = names.iter().map(|n| comm_of(n)).collect();
        for p in procs.find(&comms)? {
            let Some(exe) = &p.exe else {
                self.notes
                    .push(format!("process {} is named {} but its /proc/{}/exe cannot be read", p.pid, p.comm, p.pid));
                continue;
            };
            let file_name = exe.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if !names.contains(&file_name) {
                continue;
            }
            let f = follow(self.tree, exe)?;
            if p.deleted {
                self.notes.push(format!(
                    "process {} runs a deleted {} (replaced since it started); judged the file now at that path",
                    p.pid,
                    exe.display()
                ));
            } else if let (Some(running), Some(here)) = (p.exe_id, f.id) {
                if running != here {
                    // Another mount namespace (a container running its own dockerd).
                    self.notes.push(format!(
                        "process {} runs {}, which is not the file at that path under this root",
                        p.pid,
                        exe.display()
                    ));
                    continue;
                }
            }
            return Ok(Some((Place::Named(exe.clone(), Evidence::Process { pid: p.pid }), p.cmdline)));
        }
        self.looked.push(format!("processes named {}", comms.join(", ")));
        Ok(None)
    }

    /// Tries `places` in order and returns the component's location.
    pub fn run(mut self, places: &[Place]) -> Location {
        match self.try_places(places) {
            Ok(Some(chosen)) => match self.finish(chosen, places) {
                Ok(l) => Location::Found(l),
                Err(error) => Location::Error { component: self.component, error },
            },
            Ok(None) => Location::NotInstalled(NotInstalled {
                component: self.component,
                cis_path: PathBuf::from(self.component.cis_path()),
                looked: self.looked.into_iter().chain(self.notes).collect(),
                note: self.absent_note,
            }),
            Err(error) => Location::Error { component: self.component, error },
        }
    }

    fn try_places(&mut self, places: &[Place]) -> Result<Option<Chosen>, DiscoveryError> {
        for place in places {
            match place {
                Place::Named(named, found_by) => {
                    let f = follow(self.tree, named)?;
                    if self.accepts(&f) {
                        return Ok(Some(Chosen { named: named.clone(), followed: f, found_by: found_by.clone() }));
                    }
                    let what = if f.hops.is_empty() { "absent" } else { "a dangling link" };
                    let seen = format!("{}: {} ({what})", found_by, named.display());
                    if !self.looked.contains(&seen) {
                        self.looked.push(seen);
                    }
                }
                Place::Lookup { path, names, found_by } => {
                    for dir in path.split(':').filter(|d| d.starts_with('/')) {
                        for name in names {
                            let named = Path::new(dir).join(name);
                            let f = follow(self.tree, &named)?;
                            if self.accepts(&f) {
                                return Ok(Some(Chosen { named, followed: f, found_by: found_by.clone() }));
                            }
                            let dangling = format!("{} (a dangling link)", named.display());
                            if f.kind.is_none() && !f.hops.is_empty() && !self.looked.contains(&dangling) {
                                self.looked.push(dangling);
                            }
                        }
                    }
                    self.looked.push(format!("{} for {} ({path})", found_by, names.join(", ")));
                }
            }
        }
        Ok(None)
    }

    /// The located component: symlinks that lead to it, and the copies not chosen.
    fn finish(&mut self, chosen: Chosen, places: &[Place]) -> Result<Located, DiscoveryError> {
        let judged = chosen.followed.id;
        let mut symlinks = chosen.followed.hops.clone();
        let mut others: Vec<OtherCopy> = Vec::new();
        let mut candidates: Vec<PathBuf> = Vec::new();
        for place in places {
            match place {
                Place::Named(p, _) => candidates.push(p.clone()),
                Place::Lookup { path, names, .. } => {
                    for dir in path.split(':').filter(|d| d.starts_with('/')) {
                        candidates.extend(names.iter().map(|n| Path::new(dir).join(n)));
                    }
                }
            }
        }
        candidates.push(PathBuf::from(self.component.cis_path()));
        candidates.extend(self.also.iter().cloned());
        for named in candidates {
            if named == chosen.named {
                continue;
            }
            let f = follow(self.tree, &named)?;
            if !self.accepts(&f) {
                continue;
            }
            if f.id == judged {
                for hop in f.hops {
                    if !symlinks.contains(&hop) {
                        symlinks.push(hop);
                    }
                }
            } else if f.id.is_some() && !others.iter().any(|o| o.path == f.path) {
                let why = if named == f.path {
                    format!("{} exists too; {} names {}", named.display(), chosen.found_by, chosen.named.display())
                } else {
                    format!(
                        "{} (via {}) exists too; {} names {}",
                        f.path.display(),
                        named.display(),
                        chosen.found_by,
                        chosen.named.display()
                    )
                };
                others.push(OtherCopy { path: f.path, why });
            }
        }
        Ok(Located {
            component: self.component,
            path: chosen.followed.path,
            cis_path: PathBuf::from(self.component.cis_path()),
            named: chosen.named,
            found_by: chosen.found_by,
            symlinks,
            others,
            drop_ins: Vec::new(),
            notes: std::mem::take(&mut self.notes),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::FakeFs;

    #[test]
    fn follow_records_last_component_links_only() {
        let t = FakeFs::new().merged_usr().exe("/usr/sbin/runc").symlink("/usr/bin/runc", "../sbin/runc");
        let f = follow(&t, Path::new("/bin/runc")).unwrap();
        assert_eq!(f.path, Path::new("/usr/sbin/runc"));
        assert_eq!(
            f.hops,
            [SymlinkHop { link: PathBuf::from("/usr/bin/runc"), target: PathBuf::from("../sbin/runc") }]
        );
        let f = follow(&t, Path::new("/sbin/runc")).unwrap();
        assert!(f.hops.is_empty(), "/sbin is a parent: the kernel resolves it for a watch");
        assert_eq!(f.kind, Some(FileKind::File));
        let t = t.symlink("/a", "/b").symlink("/b", "/a");
        assert!(matches!(follow(&t, Path::new("/a")), Err(DiscoveryError::Loop { .. })));
    }

    #[test]
    fn the_first_place_wins_and_the_rest_are_others_or_links() {
        let t = FakeFs::new()
            .merged_usr()
            .exe("/usr/local/bin/runc")
            .exe("/usr/sbin/runc")
            .symlink("/usr/bin/runc", "../sbin/runc");
        let path = crate::docker::unit::SYSTEMD_DEFAULT_PATH.to_string();
        let place = Place::Lookup {
            path,
            names: vec!["runc".into()],
            found_by: Evidence::Path { unit: Some("x.service".into()) },
        };
        let Location::Found(l) = Search::new(&t, Component::Runc).run(&[place]) else { panic!() };
        assert_eq!(l.path, Path::new("/usr/local/bin/runc"));
        assert_eq!(l.others.len(), 1, "{:?}", l.others);
        assert_eq!(l.others[0].path, Path::new("/usr/sbin/runc"));
        assert!(l.symlinks.is_empty(), "the /usr/bin/runc link leads to the other copy");
    }

    #[test]
    fn nothing_found_says_where_it_looked() {
        let t = FakeFs::new().merged_usr();
        let places = [
            Place::Named(PathBuf::from("/usr/bin/dockerd"), Evidence::Cis),
            Place::Lookup {
                path: "/usr/local/bin:/usr/bin".into(),
                names: vec!["dockerd".into()],
                found_by: Evidence::Path { unit: None },
            },
        ];
        let Location::NotInstalled(n) = Search::new(&t, Component::Dockerd).run(&places) else { panic!() };
        assert_eq!(
            n.looked,
            [
                "CIS path: /usr/bin/dockerd (absent)",
                "PATH (no service; systemd's default) for dockerd (/usr/local/bin:/usr/bin)"
            ]
        );
    }
}
