//! `never` rules that name particular processes (`-F exe=`, `-F subj_type=`, `-F pid=`,
//! `-F ppid=`): deliberate noise control, such as the `-a never,exit -F
//! subj_type=crond_t` and `-a never,exit -F exe=/usr/bin/vmtoolsd` that open widely
//! used rule sets. The walk lets their events through unless `--strict`
//! (`Role::Exempts`); here is the note a report shows for each, and whether the rule
//! can match anything on the host judged:
//! - `exe=` names an inode: the kernel resolves the path when the rule is loaded, without
//!   following its last component, and compares it with the running program's inode. A
//!   path that does not exist matches no process until a program is installed there; a
//!   symlink matches none (a running program is never a symlink). Checked on the
//!   filesystem judged (the host, or the root under `--root`), as the rule paths are.
//! - `subj_type=` matches nothing when SELinux is not enabled: the kernel keeps the rule
//!   with no LSM rule behind it, and the field never holds. Known only from the running
//!   kernel (`Options::selinux`, filled by `check` and `fix` when they judge the
//!   kernel's rules); offline nothing is said, since the kernel that loads the rules
//!   there is another one.
//! - `pid=` and `ppid=` name whatever process has that number now: said in the note,
//!   not checked.

use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use super::prepare::{process_fields, Context};
use crate::host::{resolve, FileKind};
use crate::rule::{text, Field, FieldType, Rule};

/// `subj_type=crond_t`: a field as `auditctl -l` writes it, without its `-F`.
fn field_words(f: &Field) -> String {
    let t = text::field_text(f);
    t.strip_prefix("-F ").map(str::to_string).unwrap_or(t)
}

impl Context<'_, '_> {
    /// The note for a process-specific never rule that matches the file's events
    /// before any always rule does.
    pub(super) fn noise_note(&self, rule: &Rule) -> String {
        let named: Vec<String> = process_fields(rule).map(field_words).collect();
        let mut note = format!(
            "`{}` comes earlier in the exit list and hides the events of the processes it names ({}): noise control, not a gap{}",
            self.text(rule),
            named.join(" "),
            if self.opts.strict { "; --strict counts it as one" } else { " (--strict counts it as one)" }
        );
        if let Some(why) = self.matches_nothing(rule) {
            note.push_str(&format!("; {why}"));
        } else if rule.fields.iter().any(|f| matches!(f.kind, FieldType::PID | FieldType::PPID)) {
            note.push_str("; a pid names whatever process has that number now, another one after a reboot");
        }
        note
    }

    /// Why the rule can match no process on the host judged, if it cannot.
    fn matches_nothing(&self, rule: &Rule) -> Option<String> {
        process_fields(rule).find_map(|f| match f.kind {
            FieldType::SUBJ_TYPE if self.opts.selinux == Some(false) => Some(format!(
                "SELinux is not enabled on this kernel (no selinuxfs in /proc/filesystems), so {} matches no process",
                field_words(f)
            )),
            FieldType::EXE => {
                let bytes = f.as_bytes()?;
                let path = Path::new(std::ffi::OsStr::from_bytes(bytes));
                let at = resolve(self.fs, path, false).ok()?;
                let shown = path.display();
                match at.meta.map(|m| m.kind) {
                    None => Some(format!(
                        "{shown} does not exist{}, so it matches no process until a program is installed there",
                        self.where_()
                    )),
                    Some(FileKind::Symlink) => Some(format!(
                        "{shown} is a symlink{}: the kernel compares the running program with the link itself, so it matches no process",
                        self.where_()
                    )),
                    Some(_) => None,
                }
            }
            _ => None,
        })
    }
}

#[cfg(test)]
#[path = "noise_tests.rs"]
mod tests;
