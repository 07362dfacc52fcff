//! Counting for the summary reports: one count per distinct value in a hash map, with
//! aureport's order at the end: by count, highest first, and among equal counts the value
//! seen first comes first (aureport appends each new value to a list and sorts it with
//! adjacent swaps of strictly smaller counts, a stable sort; `slist_sort_by_hits`).

use std::collections::HashMap;

/// Counts of values in the order they were first seen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    index: HashMap<Vec<u8>, usize>,
    rows: Vec<(Vec<u8>, u64)>,
}

impl Tally {
    /// An empty tally.
    pub fn new() -> Tally {
        Tally::default()
    }

    /// Counts one more `value`.
    pub fn add(&mut self, value: &[u8]) {
        match self.index.get(value) {
            Some(&i) => self.rows[i].1 += 1,
            None => {
                self.index.insert(value.to_vec(), self.rows.len());
                self.rows.push((value.to_vec(), 1));
            }
        }
    }

    /// How many distinct values.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether nothing was counted.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The values with their counts, in aureport's order.
    pub fn sorted(self) -> Vec<(Vec<u8>, u64)> {
        let mut rows = self.rows;
        // sort_by_key is stable: equal counts keep their first-seen order.
        rows.sort_by_key(|row| std::cmp::Reverse(row.1));
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(values: &[&str]) -> Vec<(String, u64)> {
        let mut t = Tally::new();
        for v in values {
            t.add(v.as_bytes());
        }
        t.sorted().into_iter().map(|(v, n)| (String::from_utf8(v).unwrap(), n)).collect()
    }

    /// aureport's list sort, written the way aureport-output.c does it (adjacent swaps,
    /// start over after each), as the independent truth for the order.
    fn aureport_order(values: &[&str]) -> Vec<(String, u64)> {
        let mut list: Vec<(String, u64)> = Vec::new();
        for v in values {
            match list.iter_mut().find(|(s, _)| s == v) {
                Some(row) => row.1 += 1,
                None => list.push((v.to_string(), 1)),
            }
        }
        let mut i = 0;
        while i + 1 < list.len() {
            if list[i].1 < list[i + 1].1 {
                list.swap(i, i + 1);
                i = 0;
                continue;
            }
            i += 1;
        }
        list
    }

    #[test]
    fn counts_descend_and_ties_keep_first_seen_order() {
        let values = ["b", "a", "c", "a", "d", "c", "e", "b", "f"];
        assert_eq!(
            tally(&values),
            [("b".into(), 2), ("a".into(), 2), ("c".into(), 2), ("d".into(), 1), ("e".into(), 1), ("f".into(), 1)]
        );
    }

    #[test]
    fn equals_aureports_sort_on_generated_lists() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for round in 0..200 {
            let len = round % 40;
            let values: Vec<String> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    format!("v{}", x % (1 + round as u64 % 9))
                })
                .collect();
            let refs: Vec<&str> = values.iter().map(String::as_str).collect();
            assert_eq!(tally(&refs), aureport_order(&refs), "{refs:?}");
        }
    }

    #[test]
    fn empty_and_len() {
        let mut t = Tally::new();
        assert!(t.is_empty());
        t.add(b"docker");
        t.add(b"docker");
        assert_eq!(t.len(), 1);
        assert_eq!(t.sorted(), [(b"docker".to_vec(), 2)]);
    }
}
