//! The kernel's rule lists as the kernel keeps them (`kernel/auditfilter.c`): one list
//! per filter, rules in the order they were added (`-A` puts one first), no two the
//! same under `audit_compare_rule`. The boot simulation and the fake kernel both keep
//! their rules here, so both refuse what the real kernel refuses, with its errno.

use std::borrow::Borrow;
use std::hash::{Hash, Hasher};

use crate::rule::Rule;

/// `AUDIT_NR_FILTERS`: lists 0 to 7 exist; the kernel refuses others with EINVAL.
const LISTS: usize = 8;

/// The kernel's notion of "the same rule" (`audit_compare_rule`): list, action, fields
/// and syscalls, ignoring the syscall-class bits the kernel clears from the mask.
pub fn same_rule(a: &Rule, b: &Rule) -> bool {
    KernelEq(a) == KernelEq(b)
}

/// A rule under [`same_rule`]'s equality, hashable, so 10,000 loaded rules are matched
/// with their persistent twins in one pass and without copies.
#[derive(Clone, Copy, Debug)]
pub struct KernelEq<'r>(pub &'r Rule);

impl KernelEq<'_> {
    fn mask(&self) -> (&[u32], u32) {
        let (last, words) = self.0.mask.0.split_last().unwrap_or((&0, &[]));
        (words, last & 0x0000_FFFF)
    }
}

impl PartialEq for KernelEq<'_> {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (self.0, other.0);
        a.list == b.list && a.action == b.action && a.fields == b.fields && self.mask() == other.mask()
    }
}

impl Eq for KernelEq<'_> {}

impl Hash for KernelEq<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.list.hash(state);
        self.0.action.hash(state);
        self.0.fields.hash(state);
        self.mask().hash(state);
    }
}

/// Why the kernel refuses an `AUDIT_ADD_RULE` or `AUDIT_DEL_RULE` on its lists.
#[allow(missing_docs)] // each variant's #[error] text is its documentation
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    #[error("the kernel has no list {0} (Invalid argument)")]
    NoSuchList(u32),
    #[error("the rule exists already (File exists)")]
    Exists,
    #[error("no such rule to delete (No such file or directory)")]
    NoSuchRule,
}

impl TableError {
    /// The errno the kernel answers with.
    pub fn errno(self) -> i32 {
        match self {
            TableError::NoSuchList(_) => libc::EINVAL,
            TableError::Exists => libc::EEXIST,
            TableError::NoSuchRule => libc::ENOENT,
        }
    }
}

/// The kernel's lists of `T`s, each a rule (or a rule with where it came from).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleTable<T> {
    lists: Vec<Vec<T>>,
}

impl<T> Default for RuleTable<T> {
    fn default() -> Self {
        RuleTable { lists: (0..LISTS).map(|_| Vec::new()).collect() }
    }
}

impl<T: Borrow<Rule>> RuleTable<T> {
    /// Whether the kernel would take `rule` now; [`RuleTable::add`] checks the same.
    ///
    /// A prepended rule is never a duplicate: `audit_add_rule` looks for an equal rule
    /// while the new one still carries `AUDIT_FILTER_PREPEND` in the flags that
    /// `audit_compare_rule` compares, and clears the flag only after, so `-A` of a loaded
    /// rule loads a second copy (seen on 6.1: `vm-tests/scenarios/44-never-noise.scn`).
    pub fn check_add(&self, rule: &Rule, prepend: bool) -> Result<(), TableError> {
        match !prepend && self.list(rule)?.iter().any(|r| same_rule(r.borrow(), rule)) {
            true => Err(TableError::Exists),
            false => self.list(rule).map(|_| ()),
        }
    }

    /// `AUDIT_ADD_RULE`: first in its list with `prepend` (`-A`), else last.
    pub fn add(&mut self, entry: T, prepend: bool) -> Result<(), TableError> {
        self.check_add(entry.borrow(), prepend)?;
        let list = self.list_mut(entry.borrow())?;
        if prepend {
            list.insert(0, entry);
        } else {
            list.push(entry);
        }
        Ok(())
    }

    /// Removes the rule the kernel considers the same as `rule`.
    pub fn delete(&mut self, rule: &Rule) -> Result<T, TableError> {
        let list = self.list_mut(rule)?;
        let position = list.iter().position(|r| same_rule(r.borrow(), rule)).ok_or(TableError::NoSuchRule)?;
        Ok(list.remove(position))
    }

    /// `-D` (every rule) or `-D -k KEY` (the rules carrying exactly that key); how many went.
    pub fn delete_all(&mut self, key: Option<&str>) -> usize {
        let mut deleted = 0;
        for list in &mut self.lists {
            let before = list.len();
            list.retain(|r| key.is_some_and(|k| !r.borrow().has_key(k)));
            deleted += before - list.len();
        }
        deleted
    }

    /// The rule the kernel considers the same as `rule`, if any.
    pub fn find(&self, rule: &Rule) -> Option<&T> {
        self.list(rule).ok()?.iter().find(|r| same_rule((*r).borrow(), rule))
    }

    /// In the order the kernel lists them: list by list, each in its order.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.lists.iter().flatten()
    }

    /// Rules over all lists.
    pub fn len(&self) -> usize {
        self.lists.iter().map(Vec::len).sum()
    }

    /// No rule in any list: `auditctl -l` would say `No rules`.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The rules in the kernel's listing order, as [`RuleTable::iter`] yields them.
    pub fn into_vec(self) -> Vec<T> {
        self.lists.into_iter().flatten().collect()
    }

    fn list(&self, rule: &Rule) -> Result<&Vec<T>, TableError> {
        let raw = rule.list.raw();
        self.lists.get(raw as usize).ok_or(TableError::NoSuchList(raw))
    }

    fn list_mut(&mut self, rule: &Rule) -> Result<&mut Vec<T>, TableError> {
        let raw = rule.list.raw();
        self.lists.get_mut(raw as usize).ok_or(TableError::NoSuchList(raw))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::{Action, Field, FieldType, FilterList, Operator, SyscallMask};

    fn watch(path: &str, key: &str) -> Rule {
        Rule {
            list: FilterList::Exit,
            action: Action::Always,
            mask: SyscallMask::all(),
            fields: vec![
                Field::text(FieldType::WATCH, Operator::EQUAL, path),
                Field::text(FieldType::FILTERKEY, Operator::EQUAL, key),
            ],
        }
    }

    #[test]
    fn refuses_what_the_kernel_refuses() {
        let mut table = RuleTable::default();
        table.add(watch("/a", "k"), false).unwrap();
        // The class bits of the last mask word do not make a rule different.
        let mut twin = watch("/a", "k");
        twin.mask.0[63] &= 0x0000_FFFF;
        assert_eq!(table.add(twin.clone(), false), Err(TableError::Exists));
        // -A skips the duplicate check (the kernel compares while the prepend flag is set),
        // and the copy it loaded makes a later -a of it a duplicate again.
        table.add(twin.clone(), true).unwrap();
        assert_eq!(table.iter().count(), 2);
        assert_eq!(table.add(twin.clone(), false), Err(TableError::Exists));
        // A delete takes the first equal rule in list order: the prepended copy.
        assert_eq!(table.delete(&twin).unwrap(), twin);
        assert_eq!(table.delete(&watch("/b", "k")), Err(TableError::NoSuchRule));
        let mut odd = watch("/c", "k");
        odd.list = FilterList::Other(9);
        assert_eq!(table.add(odd, false), Err(TableError::NoSuchList(9)));
        assert_eq!(
            [TableError::NoSuchList(9), TableError::Exists, TableError::NoSuchRule].map(TableError::errno),
            [libc::EINVAL, libc::EEXIST, libc::ENOENT]
        );
        assert_eq!(table.delete(&twin).unwrap(), watch("/a", "k"));
        assert!(table.is_empty());
    }

    #[test]
    fn orders_list_by_list_and_prepends() {
        let mut table = RuleTable::default();
        let mut user = watch("/u", "k");
        user.list = FilterList::User;
        table.add(watch("/a", "k"), false).unwrap();
        table.add(user.clone(), false).unwrap();
        table.add(watch("/b", "k"), true).unwrap();
        let paths: Vec<_> = table.iter().map(|r: &Rule| r.fields[0].as_bytes().unwrap().to_vec()).collect();
        assert_eq!(paths, [b"/u".to_vec(), b"/b".to_vec(), b"/a".to_vec()]);
        assert!(table.find(&user).is_some());
    }

    #[test]
    fn delete_all_by_exact_key() {
        let mut table = RuleTable::default();
        for (path, key) in [("/a", "docker"), ("/b", "dockerd"), ("/c", "docker")] {
            table.add(watch(path, key), false).unwrap();
        }
        assert_eq!(table.delete_all(Some("docker")), 2);
        assert_eq!(table.len(), 1);
        assert_eq!(table.delete_all(None), 1);
        assert!(table.is_empty());
    }
}
