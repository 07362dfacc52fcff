//! The files of the Docker selection ([`PathMatch`]) and the CIS controls an event
//! belongs to ([`Labels`]), matched as [`Query`] matches `--path`: the command layer
//! fills them from discovery and the persistent rules, which `events` cannot use.

use super::select::Query;

/// A file the Docker selection names: exactly this file, or, for a directory, it and
/// anything under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathMatch {
    /// An absolute path, folded as [`fold`] folds it.
    pub path: Vec<u8>,
    /// Anything under `path` matches too.
    pub under: bool,
}

impl PathMatch {
    /// Exactly this file.
    pub fn file(path: impl AsRef<[u8]>) -> PathMatch {
        PathMatch { path: fold(path.as_ref()), under: false }
    }

    /// This directory and anything under it.
    pub fn dir(path: impl AsRef<[u8]>) -> PathMatch {
        PathMatch { path: fold(path.as_ref()), under: true }
    }

    /// Whether the absolute, folded `name` is selected.
    pub fn matches(&self, name: &[u8]) -> bool {
        if name == self.path.as_slice() {
            return true;
        }
        self.under
            && name.starts_with(&self.path)
            && (self.path.ends_with(b"/") || name.get(self.path.len()) == Some(&b'/'))
    }
}

/// A path folded lexically: `//` and `.` dropped, `..` removes the component before it
/// (the log names the path the process used; symlinks are not followed here).
pub fn fold(path: &[u8]) -> Vec<u8> {
    let mut parts: Vec<&[u8]> = Vec::new();
    for part in path.split(|&b| b == b'/') {
        match part {
            b"" | b"." => {}
            b".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    let mut out = Vec::with_capacity(path.len());
    for p in &parts {
        out.push(b'/');
        out.extend_from_slice(p);
    }
    if out.is_empty() {
        out.push(b'/');
    }
    out
}

/// The CIS controls events belong to: by the files they name and by their keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Labels {
    /// A control id for the events on a file.
    pub paths: Vec<(PathMatch, String)>,
    /// A control id for the events with a key (a rule's that covers the control).
    pub keys: Vec<(String, String)>,
}

impl Labels {
    /// Whether there is nothing to name.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty() && self.keys.is_empty()
    }

    /// The control ids `event` belongs to, sorted (numerically by component), once each.
    pub fn of(&self, event: &super::reassemble::Event) -> Vec<String> {
        let query = Query {
            paths: self.paths.iter().map(|(p, _)| p.clone()).collect(),
            keys_any: self.keys.iter().map(|(k, _)| k.clone()).collect(),
            ..Query::default()
        };
        let head = (event.first_kind(), None);
        let records = event.records_where(|kind| query.reads(kind));
        let Some(facts) = query.facts(records, head, event.len(), &super::text::Names::default()) else {
            return Vec::new();
        };
        let (paths, keys) = query.hits(&facts);
        let mut ids: Vec<String> = paths
            .into_iter()
            .map(|i| self.paths[i].1.clone())
            .chain(keys.into_iter().map(|i| self.keys[i].1.clone()))
            .collect();
        let order = |id: &String| id.split('.').map(|n| n.parse::<u32>().unwrap_or(u32::MAX)).collect::<Vec<_>>();
        ids.sort_by_key(order);
        ids.dedup();
        ids
    }
}
