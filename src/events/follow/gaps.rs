//! Serial gaps: the kernel numbers every event it logs, one serial per event shared by
//! its records, so a serial that never arrives is an event lost before it reached this
//! reader (the rate limit, the backlog, or this socket's overrun, which is counted
//! separately and exactly). Events finish out of serial order by a little (several CPUs,
//! a record logged late in a syscall), so a hole is only declared lost once it has stayed
//! open for the reassembly window.

use std::collections::BTreeMap;

/// Holes are tracked as ranges; a jump larger than this is a reboot or a serial reset,
/// not a loss.
const MAX_JUMP: u64 = 1 << 20;

/// Missing serials, found and not yet declared.
#[derive(Debug, Default)]
pub struct Gaps {
    max: Option<u64>,
    /// start → (end inclusive, wall second it opened).
    holes: BTreeMap<u64, (u64, u64)>,
    /// After an overrun the next serial starts afresh: what was dropped is counted already.
    resync: bool,
}

/// Serials declared lost: how many, and the lowest and highest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lost {
    /// Missing events (serials).
    pub events: u64,
    /// The lowest missing serial.
    pub first: u64,
    /// The highest.
    pub last: u64,
}

impl Gaps {
    /// A serial arrived at wall second `now`.
    pub fn see(&mut self, serial: u64, now: u64) {
        match self.max {
            Some(max) if serial > max => {
                if serial - max > 1 && serial - max <= MAX_JUMP && !self.resync {
                    self.holes.insert(max + 1, (serial - 1, now));
                }
                self.max = Some(serial);
            }
            Some(_) => self.fill(serial),
            None => self.max = Some(serial),
        }
        self.resync = false;
    }

    /// The socket overflowed: its drops are counted exactly elsewhere, so the holes they
    /// leave are not reported again.
    pub fn overrun(&mut self) {
        self.holes.clear();
        self.resync = true;
    }

    fn fill(&mut self, serial: u64) {
        let Some((&start, &(end, opened))) = self.holes.range(..=serial).next_back() else { return };
        if serial > end {
            return;
        }
        self.holes.remove(&start);
        if start < serial {
            self.holes.insert(start, (serial - 1, opened));
        }
        if serial < end {
            self.holes.insert(serial + 1, (end, opened));
        }
    }

    /// Holes open for `window` seconds or more at `now` (all of them with `None`): lost.
    pub fn declare(&mut self, now: Option<u64>, window: u64) -> Option<Lost> {
        let due: Vec<u64> = self
            .holes
            .iter()
            .filter(|(_, &(_, opened))| now.is_none_or(|now| opened.saturating_add(window) <= now))
            .map(|(&start, _)| start)
            .collect();
        let mut lost: Option<Lost> = None;
        for start in due {
            let Some((end, _)) = self.holes.remove(&start) else { continue };
            let l = lost.get_or_insert(Lost { events: 0, first: start, last: end });
            l.events += end - start + 1;
            l.first = l.first.min(start);
            l.last = l.last.max(end);
        }
        lost
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn late_serials_fill_their_holes_and_the_rest_is_lost_after_the_window() {
        let mut g = Gaps::default();
        for s in [10, 11, 15, 13] {
            g.see(s, 100);
        }
        assert_eq!(g.declare(Some(101), 2), None, "still within the window");
        assert_eq!(g.declare(Some(102), 2), Some(Lost { events: 2, first: 12, last: 14 }));
        assert_eq!(g.declare(None, 2), None);
    }

    #[test]
    fn an_overrun_is_not_counted_twice_and_a_reset_is_no_loss() {
        let mut g = Gaps::default();
        g.see(1, 0);
        g.see(3, 0);
        g.overrun();
        g.see(40, 0);
        g.see(42, 0);
        assert_eq!(g.declare(None, 2), Some(Lost { events: 1, first: 41, last: 41 }));
        g.see(42 + MAX_JUMP + 5, 0);
        assert_eq!(g.declare(None, 2), None);
    }
}
