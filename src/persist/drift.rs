//! The kernel's rules against the persistent ones, in one pass.

use std::collections::{HashMap, VecDeque};

use crate::kernel::KernelEq;
use crate::rule::Rule;

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
    /// A reboot would leave the kernel with the same rules in the same order.
    pub fn is_clean(&self) -> bool {
        self.not_persistent.is_empty() && self.not_loaded.is_empty() && !self.order_differs
    }
}

/// Compares the kernel's rules with the persistent ones as multisets, then the order
/// of the rules they share.
pub fn drift<'r>(kernel: &'r [Rule], disk: &'r [Rule]) -> Drift<'r> {
    // Equal rules pair up in order: the first loaded copy with the first copy on disk.
    let mut on_disk: HashMap<KernelEq, VecDeque<usize>> = HashMap::new();
    for (i, rule) in disk.iter().enumerate() {
        on_disk.entry(KernelEq(rule)).or_default().push_back(i);
    }
    let mut matched = vec![false; disk.len()];
    let mut shared_kernel_order = Vec::new();
    let mut not_persistent = Vec::new();
    for rule in kernel {
        match on_disk.get_mut(&KernelEq(rule)).and_then(VecDeque::pop_front) {
            Some(i) => {
                matched[i] = true;
                shared_kernel_order.push(KernelEq(rule));
            }
            None => not_persistent.push(rule),
        }
    }
    let not_loaded = disk.iter().zip(&matched).filter(|(_, m)| !**m).map(|(rule, _)| rule).collect();
    let shared_disk_order: Vec<KernelEq> =
        disk.iter().zip(&matched).filter(|(_, m)| **m).map(|(rule, _)| KernelEq(rule)).collect();
    Drift { not_persistent, not_loaded, order_differs: shared_kernel_order != shared_disk_order }
}
