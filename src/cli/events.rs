//! `dockaudit events`: what the audit rules recorded, searched like `ausearch`. The
//! events are written as they are found (a log can be gigabytes), so the output goes
//! straight to `out` instead of coming back in an `Output`.
//!
//! The Docker selection is computed here, where every layer may be used, and handed to
//! `events` as plain files and keys (`events` may not use `docker`, `judge`, `persist`):
//! - a control's files: discovery (`docker::discover` on `--root`, offline: the log is
//!   history, and no capability is kept to read /proc) gives the judged path; its CIS
//!   path, the path the evidence named and the symlinks leading to it are added, since a
//!   record names the path the process used. Directory controls (a directory under the
//!   root, or the CIS /var/lib/docker, /etc/docker, /run/containerd when absent) match
//!   their whole tree; a control not installed is matched on its CIS path;
//! - the Docker keys: the keys of the persistent rules (`persist::persistent_rules`)
//!   whose watch, path or dir field names one of a control's files or something under a
//!   directory control, and the CIS key `docker`.
//!
//! `--control IDS` selects on the files of those controls only; with no selector at all
//! the files of every control or the Docker keys select (`--all`: every event). JSON
//! events get the control ids by the same files and keys (`docker` names no control).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use super::args::EventsArgs;
use super::{drop_all_privileges, CommandError, Outcome, Output};
use crate::docker::{discover, Component, ContainerLookup, Location};
use crate::events::{
    self, Container, Containers, EventsError, Feed, Input, Labels, LiveFeed, NoContainers, Options, PathMatch, Query,
    TailFeed, Until,
};
use crate::host::HostFs;
use crate::judge::{self, Benchmark, Control, Target, UnknownControl};
use crate::kernel::{self, drop_privileges, Keep};
use crate::rule::FieldType;

/// The CIS key every remediation line sets.
pub const CIS_KEY: &str = "docker";

/// The controls whose audited target is a directory, by their CIS path.
const DIRECTORY_TARGETS: [&str; 3] = ["/var/lib/docker", "/etc/docker", "/run/containerd"];

/// The files each control of `controls` judges under `root`, with its id.
pub(super) fn control_files(root: &Path, controls: &[&Control]) -> Vec<(PathMatch, String)> {
    let discovery = discover(&HostFs::new(root), None);
    let mut files = Vec::new();
    for control in controls {
        let (literal, cis) = match control.target {
            Target::Path(p) => (p, p.to_string()),
            Target::Unit(u) => (u, control.display_path()),
        };
        let mut paths = vec![cis.clone()];
        let mut under = DIRECTORY_TARGETS.contains(&cis.as_str());
        if let Some(Location::Found(l)) = discovery.for_cis_target(literal) {
            under |= root.join(l.path.strip_prefix("/").unwrap_or(&l.path)).is_dir();
            let links = l.symlinks.iter().map(|s| &s.link);
            for p in [&l.path, &l.cis_path, &l.named].into_iter().chain(links) {
                paths.push(p.to_string_lossy().into_owned());
            }
        }
        let mut seen = Vec::new();
        for p in paths {
            let m = if under { PathMatch::dir(&p) } else { PathMatch::file(&p) };
            if !seen.contains(&m) {
                seen.push(m.clone());
                files.push((m, control.id.to_string()));
            }
        }
    }
    files
}

/// The keys of the persistent rules of `root` that cover one of `files`, each with the
/// control it covers; unreadable rules give none (said on `err`).
pub(super) fn rule_keys(root: &Path, files: &[(PathMatch, String)], err: &mut dyn Write) -> Vec<(String, String)> {
    let rules = match crate::persist::persistent_rules(root) {
        Ok(rules) => rules,
        Err(e) => {
            let _ = writeln!(err, "dockaudit: the persistent rules are not used for the Docker keys: {e}");
            return Vec::new();
        }
    };
    let mut keys: Vec<(String, String)> = Vec::new();
    for sourced in &rules.rules {
        let rule = &sourced.rule;
        let watched = [FieldType::WATCH, FieldType::DIR]
            .into_iter()
            .filter_map(|kind| rule.field(kind).and_then(|f| f.as_bytes()))
            .map(events::fold)
            .collect::<Vec<_>>();
        for (file, id) in files {
            // The rule's path is the file, or something in a directory control's tree.
            if !watched.iter().any(|w| file.matches(w)) {
                continue;
            }
            for key in rule.keys() {
                let pair = (String::from_utf8_lossy(key).into_owned(), id.clone());
                if !keys.contains(&pair) {
                    keys.push(pair);
                }
            }
        }
    }
    keys
}

/// The benchmark's controls named by `ids` (none for none); an unknown id is an error,
/// as for check's `--only`.
fn named_controls(ids: &[String]) -> Result<Vec<&'static Control>, UnknownControl> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    judge::select(&judge::Options { only: ids.to_vec(), ..judge::Options::new(Benchmark::DEFAULT) })
}

/// Searches the inputs (with no capability at all) or follows the live stream or a file,
/// writing the selected events to `out` and what it had to skip or lost to `err`.
pub fn events(args: &EventsArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<Output, CommandError> {
    // The live stream is joined while CAP_AUDIT_READ is held; everything else holds nothing.
    let mut feed: Option<Box<dyn Feed>> = None;
    if args.follow && args.log.input.is_empty() {
        let live = LiveFeed::open(args.buffer).map_err(CommandError::Audit)?;
        drop_privileges(Keep::AuditRead).map_err(|e| CommandError::Audit(kernel::Error::DropPrivileges(e)))?;
        feed = Some(Box::new(live));
    } else {
        drop_all_privileges()?;
    }
    let (query, options) = selection(args, err)?;
    if args.follow {
        let feed = match feed {
            Some(feed) => feed,
            None => open_followed_file(args)?,
        };
        return follow(args, feed, &query, &options, out, err);
    }
    let inputs: Vec<Input> = args.log.input.iter().map(|i| Input::from_arg(i)).collect();
    let sources = events::resolve(&args.log.root, &inputs)?;
    let summary = match events::search(&query, &sources, &options, out) {
        Ok(summary) => summary,
        // `dockaudit events | head`: a closed pipe is not an error worth a message.
        Err(EventsError::Write(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            return Ok(Output::clean(Vec::new()));
        }
        Err(e) => return Err(e.into()),
    };
    for malformed in &summary.malformed_lines {
        let _ = writeln!(err, "dockaudit: {malformed}");
    }
    let more = summary.malformed - summary.malformed_lines.len() as u64;
    if more > 0 {
        let _ = writeln!(err, "dockaudit: {more} more malformed line(s) skipped");
    }
    found(summary.selected, err)
}

fn found(selected: u64, err: &mut dyn Write) -> Result<Output, CommandError> {
    if selected == 0 {
        let _ = writeln!(err, "<no matches>");
        return Ok(Output { bytes: Vec::new(), outcome: Outcome::NoMatch });
    }
    Ok(Output::clean(Vec::new()))
}

/// The query and output options the flags ask for, with the Docker selection filled in.
fn selection(args: &EventsArgs, err: &mut dyn Write) -> Result<(Query, Options), CommandError> {
    let mut options = Options::for_root(args.format, &args.log.root);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    let time = |t: &Option<String>, end: bool| -> Result<Option<u64>, EventsError> {
        Ok(t.as_deref().map(|t| events::parse_time(t, end, now)).transpose()?)
    };
    let mut query = Query {
        key: args.key.clone(),
        exact: args.word,
        path: args.path.clone(),
        exe: args.exe.clone(),
        pid: args.pid,
        uid: args.uid.as_deref().map(|u| events::user_filter(u, &options.names)).transpose()?,
        auid: args.auid.as_deref().map(|u| events::user_filter(u, &options.names)).transpose()?,
        syscall: args.syscall.as_deref().map(events::syscall_filter).transpose()?,
        success: args.success.as_deref().map(events::success_filter).transpose()?,
        start: time(&args.log.start, false)?,
        end: time(&args.log.end, true)?,
        paths: Vec::new(),
        keys_any: Vec::new(),
        interpret: args.format == events::Format::Interpret,
    };
    let named = named_controls(&args.control)?;
    // --word alone selects nothing: it changes how the string selectors match.
    let selectors = Query { exact: false, ..query.clone() };
    let default_selection = selectors.is_empty() && named.is_empty() && !args.all;
    if !named.is_empty() || default_selection || matches!(args.format, events::Format::Json | events::Format::Text) {
        let all: Vec<&Control> = Benchmark::DEFAULT.controls().iter().collect();
        let files = control_files(&args.log.root, &all);
        let keys = rule_keys(&args.log.root, &files, err);
        if !named.is_empty() {
            query.paths =
                files.iter().filter(|(_, id)| named.iter().any(|c| c.id == id)).map(|(p, _)| p.clone()).collect();
        } else if default_selection {
            query.paths = files.iter().map(|(p, _)| p.clone()).collect();
            query.keys_any = keys.iter().map(|(k, _)| k.clone()).chain([CIS_KEY.to_string()]).collect();
            query.keys_any.sort();
            query.keys_any.dedup();
        }
        options.labels = Labels { paths: files, keys };
    }
    Ok((query, options))
}

/// `--follow --input X`: one file (a directory's audit.log) or `-`.
fn open_followed_file(args: &EventsArgs) -> Result<Box<dyn Feed>, CommandError> {
    let [input] = args.log.input.as_slice() else {
        return Err(CommandError::Usage("--follow reads one input (a file, a directory's audit.log, or -)".into()));
    };
    if input == "-" {
        let feed = TailFeed::stdin().map_err(|source| EventsError::Open { path: "-".into(), source })?;
        return Ok(Box::new(feed));
    }
    let mut path = PathBuf::from(input);
    if path.is_dir() {
        path.push("audit.log");
    }
    let feed = TailFeed::open(&path, args.log.start.is_some()).map_err(|source| EventsError::Open { path, source })?;
    Ok(Box::new(feed))
}

/// Set by SIGINT and SIGTERM: following ends cleanly, pending events printed.
static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn request_stop(_: libc::c_int) {
    STOP.store(true, Ordering::Relaxed);
}

fn on_stop_signals() {
    for signal in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: the handler only stores to an atomic, which is async-signal-safe; no
        // SA_RESTART, so a blocked poll returns and the loop sees the flag.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = request_stop as *const () as libc::sighandler_t;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
}

/// Where Docker keeps container state under `root`: discovery's data-root, and the default.
fn data_roots(root: &Path) -> Vec<PathBuf> {
    let mut roots = Vec::new();
    if let Location::Found(l) = discover(&HostFs::new(root), None).get(Component::DataRoot) {
        roots.push(root.join(l.path.strip_prefix("/").unwrap_or(&l.path)));
    }
    roots.push(root.join("var/lib/docker"));
    roots.dedup();
    roots
}

/// The container lookup of the host being followed.
struct HostContainers(ContainerLookup);

impl Containers for HostContainers {
    fn of(&mut self, pid: Option<u32>, ppid: Option<u32>) -> Option<Container> {
        self.0.of(pid, ppid).map(|c| Container { id: c.id, name: c.name })
    }
}

fn follow(
    args: &EventsArgs,
    mut feed: Box<dyn Feed>,
    query: &Query,
    options: &Options,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Output, CommandError> {
    on_stop_signals();
    let until = Until {
        events: args.max_events,
        duration: args.duration.map(|s| std::time::Duration::from_secs_f64(s.max(0.0))),
        signal: Some(&STOP),
    };
    // Only this host's processes can be asked for their container.
    let mut containers: Box<dyn Containers> = if args.log.root == Path::new("/") {
        Box::new(HostContainers(ContainerLookup::new(Path::new("/proc"), data_roots(&args.log.root))))
    } else {
        Box::new(NoContainers)
    };
    let summary = match events::follow(query, feed.as_mut(), options, &until, containers.as_mut(), out, err) {
        Ok(summary) => summary,
        Err(EventsError::Write(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            return Ok(Output::clean(Vec::new()));
        }
        Err(e) => return Err(e.into()),
    };
    if summary.malformed > 0 {
        let _ = writeln!(err, "dockaudit: {} malformed line(s) skipped", summary.malformed);
    }
    if summary.lost_records > 0 || summary.lost_events > 0 || summary.uncounted_overruns > 0 {
        let _ = writeln!(
            err,
            "dockaudit: in all {} record(s) read, {} lost to the receive buffer{}, {} event(s) missing by serial",
            summary.records,
            summary.lost_records,
            if summary.uncounted_overruns > 0 { " (and some uncounted)" } else { "" },
            summary.lost_events
        );
    }
    found(summary.selected, err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_files_and_the_keys_of_the_rules_covering_them() {
        let root = std::env::temp_dir().join(format!("dockaudit-cli-events-{}", std::process::id()));
        let write = |path: &str, text: &str| {
            let file = root.join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, text).unwrap();
        };
        write("usr/sbin/runc", "");
        std::fs::create_dir_all(root.join("usr/bin")).unwrap();
        std::os::unix::fs::symlink("../sbin/runc", root.join("usr/bin/runc")).unwrap();
        write("etc/docker/daemon.json", "{}");
        std::fs::create_dir_all(root.join("var/lib/docker/volumes")).unwrap();
        write(
            "etc/audit/rules.d/docker.rules",
            "-w /etc/docker -k etc-docker\n\
             -a always,exit -F path=/usr/bin/runc -F perm=x -k runc-cis\n\
             -w /var/lib/docker/volumes -k volumes\n\
             -w /usr/sbin -k sbin\n\
             -w /etc/passwd -k identity\n",
        );
        let controls: Vec<&Control> = Benchmark::DEFAULT.controls().iter().collect();
        let files = control_files(&root, &controls);
        let of = |id: &str| files.iter().filter(|(_, i)| i == id).map(|(p, _)| p.clone()).collect::<Vec<_>>();
        assert_eq!(of("1.1.18"), [PathMatch::file("/usr/bin/runc"), PathMatch::file("/usr/sbin/runc")]);
        assert_eq!(of("1.1.6"), [PathMatch::dir("/etc/docker")]);
        assert_eq!(of("1.1.5"), [PathMatch::dir("/var/lib/docker")]);
        let mut err = Vec::new();
        let keys = rule_keys(&root, &files, &mut err);
        let pair = |k: &str, id: &str| (k.to_string(), id.to_string());
        assert!(keys.contains(&pair("etc-docker", "1.1.6")), "{keys:?}");
        assert!(keys.contains(&pair("runc-cis", "1.1.18")), "{keys:?}");
        assert!(keys.contains(&pair("volumes", "1.1.5")), "{keys:?}");
        assert!(!keys.iter().any(|(k, _)| k == "sbin" || k == "identity"), "{keys:?}");
        assert!(err.is_empty(), "{}", String::from_utf8_lossy(&err));
        assert!(named_controls(&["1.1.99".into()]).is_err());
        let _ = std::fs::remove_dir_all(&root);
    }
}
