//! The kernel's rules against the persistent ones: the kernel's notion of "the same
//! rule", and the drift between two lists, in one pass.

use std::collections::{HashMap, VecDeque};

use crate::rule::Rule;

/// The kernel's notion of "the same rule" (`audit_compare_rule`): list, action, fields
/// and syscalls, ignoring the syscall-class bits the kernel clears from the mask.
pub fn same_rule(a: &Rule, b: &Rule) -> bool {
    Kernelwise(a) == Kernelwise(b)
}

/// A rule under [`same_rule`]'s equality, hashable, so 10,000 loaded rules are matched
/// with their persistent twins in one pass and without copies.
#[derive(Clone, Copy)]
struct Kernelwise<'r>(&'r Rule);

impl Kernelwise<'_> {
    fn mask(&self) -> (&[u32], u32) {
        let (last, words) = self.0.mask.0.split_last().unwrap_or((&0, &[]));
        (words, last & 0x0000_FFFF)
    }
}

impl PartialEq for Kernelwise<'_> {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (self.0, other.0);
        a.list == b.list && a.action == b.action && a.fields == b.fields && self.mask() == other.mask()
    }
}

impl Eq for Kernelwise<'_> {}

impl std::hash::Hash for Kernelwise<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.list.hash(state);
        self.0.action.hash(state);
        self.0.fields.hash(state);
        self.mask().hash(state);
    }
}

/// Rules loaded but lost at reboot, and rules on disk but not loaded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Drift<'r> {
    /// In the kernel, not in the persistent rules: gone after a reboot.
    pub not_persistent: Vec<&'r Rule>,
    /// In the persistent rules, not in the kernel: back (or new) after a reboot.
    pub not_loaded: Vec<&'r Rule>,
    /// Same rules, but in another order within a list (first match decides, so it matters).
    pub order_differs: bool,
}

impl Drift<'_> {
    pub fn is_clean(&self) -> bool {
        self.not_persistent.is_empty() && self.not_loaded.is_empty() && !self.order_differs
    }
}

/// Compares the kernel's rules with the persistent ones as multisets, then the order
/// of the rules they share.
pub fn drift<'r>(kernel: &'r [Rule], disk: &'r [Rule]) -> Drift<'r> {
    // Equal rules pair up in order: the first loaded copy with the first copy on disk.
    let mut on_disk: HashMap<Kernelwise, VecDeque<usize>> = HashMap::new();
    for (i, rule) in disk.iter().enumerate() {
        on_disk.entry(Kernelwise(rule)).or_default().push_back(i);
    }
    let mut matched = vec![false; disk.len()];
    let mut shared_kernel_order = Vec::new();
    let mut not_persistent = Vec::new();
    for rule in kernel {
        match on_disk.get_mut(&Kernelwise(rule)).and_then(VecDeque::pop_front) {
            Some(i) => {
                matched[i] = true;
                shared_kernel_order.push(Kernelwise(rule));
            }
            None => not_persistent.push(rule),
        }
    }
    let not_loaded = disk.iter().zip(&matched).filter(|(_, m)| !**m).map(|(rule, _)| rule).collect();
    let shared_disk_order: Vec<Kernelwise> =
        disk.iter().zip(&matched).filter(|(_, m)| **m).map(|(rule, _)| Kernelwise(rule)).collect();
    Drift { not_persistent, not_loaded, order_differs: shared_kernel_order != shared_disk_order }
}
