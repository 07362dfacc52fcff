//! What discovery adds to a verdict's reasons when the file the host really uses is not
//! simply the CIS path: a rule on the CIS path where nothing exists, another copy of
//! the program that is not the one the host runs (and the rules on it), the drop-ins
//! that change a unit (with whether a rule records them: advice, the verdict stays the
//! unit file's), and discovery's own notes. A rule on a symlink to the judged file is
//! named by the walk itself (`Relation::LinkOnly`). Nothing here changes a verdict.

use std::path::Path;

use super::catalog::Control;
use super::decide::{decide, Demand};
use super::prepare::{Context, RuleTarget};
use super::verdict::Verdict;
use super::walk::FileToJudge;
use crate::docker::{Component, Located};
use crate::host::{resolve, FileId};

/// What the judged file is, for "… is /usr/sbin/dockerd".
fn what(component: Component) -> String {
    match component {
        Component::Dockerd => "the daemon".to_string(),
        c if c.is_binary() => format!("the {c} the host runs"),
        Component::DataRoot => "Docker's data root".to_string(),
        Component::ContainerdState => "containerd's state directory".to_string(),
        Component::DaemonJson => "dockerd's configuration file".to_string(),
        Component::ContainerdConfig => "containerd's configuration file".to_string(),
        Component::ContainerdSock => "the socket dockerd talks to".to_string(),
        Component::DockerService | Component::DockerSocket => "the unit file systemd loads".to_string(),
        _ => "the file the host uses".to_string(),
    }
}

impl Context<'_, '_> {
    /// The reasons discovery adds to a control judged on `file` (see the module doc).
    pub(super) fn advice(&self, control: &Control, file: &FileToJudge, found: &Located) -> Vec<String> {
        let mut out = Vec::new();
        let by = &found.found_by;
        let judged = file.path.display();
        let cis = control.display_path();
        if Path::new(&cis) != file.path {
            let cis_at = resolve(self.fs, Path::new(&cis), false).ok().filter(|r| r.meta.is_none());
            for p in self.preps.iter().filter(|p| !p.never) {
                let (RuleTarget::Watch { at, .. } | RuleTarget::Dir { at, .. }) = &p.target else { continue };
                if cis_at.as_ref().is_some_and(|c| at.meta.is_none() && at.path == c.path) {
                    out.push(format!(
                        "`{}` watches {cis}, a path that does not exist: it records nothing until a file appears there; {} is {judged} (found by {by})",
                        self.text(p.rule),
                        what(found.component)
                    ));
                }
            }
        }
        for other in &found.others {
            let mut reason = format!(
                "another {} exists at {} ({}): the judged file is {judged}, the one the host uses (found by {by})",
                found.component,
                other.path.display(),
                other.why
            );
            let id = resolve(self.fs, &other.path, true).ok().and_then(|r| r.meta).map(|m| m.id);
            let on_it = self.rules_on(id);
            if !on_it.is_empty() {
                reason.push_str(&format!("; {} records that copy, not the judged file", on_it.join(", ")));
            }
            out.push(reason);
        }
        for drop_in in &found.drop_ins {
            let Ok(Some(d)) = self.file_at(drop_in) else { continue };
            let coverage = self.walk(control, &d);
            let decision = decide(&coverage, &Demand::new(control, self.opts.strict), false);
            let recorders: Vec<String> =
                coverage.recorders().map(|h| format!("`{}`", self.text(h.prep.rule))).collect();
            out.push(if decision.verdict == Verdict::Pass {
                format!(
                    "the drop-in {} changes {}; {} records it (advice: the verdict is the unit file's)",
                    drop_in.display(),
                    found.component,
                    recorders.join(", ")
                )
            } else {
                format!(
                    "the drop-in {} changes {}; no rule records changes to it in full (advice, the verdict is the unit file's: -w {} -k docker)",
                    drop_in.display(),
                    found.component,
                    drop_in.display()
                )
            });
        }
        out.extend(found.notes.iter().cloned());
        out
    }

    /// The `always` rules whose path (or the symlink it names) is the file `id`.
    fn rules_on(&self, id: Option<FileId>) -> Vec<String> {
        let Some(id) = id else { return Vec::new() };
        self.preps
            .iter()
            .filter(|p| !p.never)
            .filter(|p| match &p.target {
                RuleTarget::Watch { at, link } | RuleTarget::Dir { at, link } => {
                    at.meta.map(|m| m.id) == Some(id) || link.as_ref().and_then(|l| l.meta).map(|m| m.id) == Some(id)
                }
                RuleTarget::Any => false,
            })
            .map(|p| format!("`{}`", self.text(p.rule)))
            .collect()
    }
}

#[cfg(test)]
#[path = "advice_tests.rs"]
mod tests;
