//! Serial gaps: the kernel numbers every event it logs, one serial per event shared by
//! its records, so a serial that never arrives is an event lost before it reached this
//! reader (the rate limit, the backlog, or this socket's overrun, which is counted
//! separately and exactly). Events finish out of serial order by a little (several CPUs,
//! a record logged late in a syscall), so a hole is only declared lost once it has stayed
//! open for the reassembly window.
//!
//! A socket overrun leaves holes too: the records dropped while the socket was full.
//! Those are already counted, so their holes are not reported again: the first hole to
//! open after a drop report (however late the next record comes), and any hole that opens
//! within [`OVERRUN_SHADOW_MS`] of a drop report, before or after it, are taken for the
//! overrun's (a drop is reported late when it is found at a tick while the socket stays
//! congested). While the socket overflows, a loss on the kernel's side is therefore not
//! told apart from it; the records are counted either way.

use std::collections::BTreeMap;

/// Holes are tracked as ranges; a jump larger than this is a reboot or a serial reset,
/// not a loss.
const MAX_JUMP: u64 = 1 << 20;

/// Missing serials, found and not yet declared.
#[derive(Debug, Default)]
pub struct Gaps {
    max: Option<u64>,
    /// start → (end inclusive, wall second it opened, millisecond it opened).
    holes: BTreeMap<u64, (u64, u64, u64)>,
    /// When drops were last reported (milliseconds).
    last_drop_ms: Option<u64>,
    /// Drops were reported and no hole has opened since.
    pending: bool,
}

/// How close to a drop report a hole is taken for the overrun's, milliseconds.
pub const OVERRUN_SHADOW_MS: u64 = 2000;

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
    /// A serial arrived at wall time `now_ms` (milliseconds).
    pub fn see(&mut self, serial: u64, now_ms: u64) {
        match self.max {
            Some(max) if serial > max => {
                let shadowed = self.last_drop_ms.is_some_and(|d| now_ms.saturating_sub(d) < OVERRUN_SHADOW_MS);
                if serial - max > 1 && serial - max <= MAX_JUMP {
                    if !shadowed && !self.pending {
                        self.holes.insert(max + 1, (serial - 1, now_ms / 1000, now_ms));
                    }
                    self.pending = false;
                }
                self.max = Some(serial);
            }
            Some(_) => self.fill(serial),
            None => self.max = Some(serial),
        }
    }

    /// The socket dropped records (counted exactly elsewhere), reported at `now_ms`.
    pub fn overrun(&mut self, now_ms: u64) {
        self.last_drop_ms = Some(now_ms);
        self.pending = true;
        self.holes.retain(|_, &mut (_, _, opened)| opened.saturating_add(OVERRUN_SHADOW_MS) <= now_ms);
    }

    fn fill(&mut self, serial: u64) {
        let Some((&start, &(end, opened, opened_ms))) = self.holes.range(..=serial).next_back() else { return };
        if serial > end {
            return;
        }
        self.holes.remove(&start);
        if start < serial {
            self.holes.insert(start, (serial - 1, opened, opened_ms));
        }
        if serial < end {
            self.holes.insert(serial + 1, (end, opened, opened_ms));
        }
    }

    /// Holes open for `window` seconds or more at `now` (all of them with `None`): lost.
    pub fn declare(&mut self, now: Option<u64>, window: u64) -> Option<Lost> {
        let due: Vec<u64> = self
            .holes
            .iter()
            .filter(|(_, &(_, opened, _))| now.is_none_or(|now| opened.saturating_add(window) <= now))
            .map(|(&start, _)| start)
            .collect();
        let mut lost: Option<Lost> = None;
        for start in due {
            let Some((end, _, _)) = self.holes.remove(&start) else { continue };
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
            g.see(s, 100_000);
        }
        assert_eq!(g.declare(Some(101), 2), None, "still within the window");
        assert_eq!(g.declare(Some(102), 2), Some(Lost { events: 2, first: 12, last: 14 }));
        assert_eq!(g.declare(None, 2), None);
    }

    #[test]
    fn holes_near_an_overrun_are_its_own() {
        let mut g = Gaps::default();
        g.see(1, 0);
        // Reported first (ENOBUFS), the holes come when records flow again.
        g.overrun(10);
        g.see(40, 20);
        g.see(45, 1_500);
        // Reported late (drops found at a tick), just after a hole opened.
        g.see(60, 5_000);
        g.overrun(5_200);
        assert_eq!(g.declare(None, 2), None);
        // The first hole after a report is its own, however late.
        g.see(61, 5_300);
        g.see(65, 9_000);
        // Far from any drop, a hole is the kernel's.
        g.see(70, 10_000);
        assert_eq!(g.declare(None, 2), Some(Lost { events: 4, first: 66, last: 69 }));
        g.see(72 + MAX_JUMP + 5, 30_000);
        assert_eq!(g.declare(None, 2), None, "a reset is no loss");
    }
}
