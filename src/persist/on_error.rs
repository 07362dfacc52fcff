//! What happens after a line of a rule file fails: the one decision `load`, the boot
//! simulation (`check`, `persistent_rules`) and `check --rules` share.
//!
//! auditctl 3.0.9's `fileopt` (src/auditctl.c) is the model. Every failure of a line is
//! the same to it, whether the line did not parse (a misspelt field, an unknown user or
//! group, a field the kernel's feature bitmap does not allow) or the kernel refused it
//! (a duplicate, a watch on a missing directory, a change after `-e 2`):
//! - before any `-i` or `-c`: the load stops there and `auditctl -R` exits 1;
//! - after `-i` (`ignore = 1`): the line is skipped and the load goes on; exit 0;
//! - after `-c` (`ignore = 1`, `continue_error = 1`): skipped as well, but a line that
//!   fails after it makes the exit status 1 (`continue_error = -1`). A failure before the
//!   `-c` (under an earlier `-i`) does not count, and a later `-i` does not undo `-c`.
//!
//! The flags only ever switch on, so whether a line is skipped depends only on the
//! `-i`/`-c` lines before it: `load` can find a stopping parse error before it sends
//! anything, and the kernel's refusals cannot change that decision.

use crate::rules_file::{Directive, Entry};

/// The `-i`/`-c` state of a load at one line, and whether a failure under `-c` has
/// happened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OnError {
    ignore: bool,
    continue_error: bool,
    failed_under_c: bool,
}

/// What a failed line leads to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// The load goes on without the line; `flag` is the option that says so (`-i`, `-c`).
    Skip {
        /// `-i` or `-c`, for the message.
        flag: &'static str,
    },
    /// The load stops at the line.
    Stop,
}

impl OnError {
    /// Takes note of a line that loaded (or parsed): `-i` and `-c` switch the flags on.
    pub fn see(&mut self, entry: &Entry) {
        match entry {
            Entry::Directive(Directive::IgnoreErrors) => self.ignore = true,
            Entry::Directive(Directive::ContinueOnErrors) => {
                self.ignore = true;
                self.continue_error = true;
            }
            _ => {}
        }
    }

    /// A line failed: whether the load goes on, and (for the exit status) that it failed.
    pub fn line_failed(&mut self) -> Next {
        if !self.ignore {
            return Next::Stop;
        }
        if self.continue_error {
            self.failed_under_c = true;
            Next::Skip { flag: "-c" }
        } else {
            Next::Skip { flag: "-i" }
        }
    }

    /// `auditctl -R`'s exit status after the whole file went through: 1 when a line
    /// failed after `-c`, else 0 (a stopped load is 1 too, decided by the caller).
    pub fn exit_status(&self) -> u8 {
        u8::from(self.failed_under_c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const I: Entry = Entry::Directive(Directive::IgnoreErrors);
    const C: Entry = Entry::Directive(Directive::ContinueOnErrors);

    #[test]
    fn without_a_flag_a_failure_stops_the_load() {
        let mut on = OnError::default();
        assert_eq!(on.line_failed(), Next::Stop);
    }

    #[test]
    fn i_skips_and_exits_0_c_skips_and_exits_1() {
        let mut on = OnError::default();
        on.see(&I);
        assert_eq!(on.line_failed(), Next::Skip { flag: "-i" });
        assert_eq!(on.exit_status(), 0);
        let mut on = OnError::default();
        on.see(&C);
        assert_eq!(on.exit_status(), 0, "-c alone, nothing failed");
        assert_eq!(on.line_failed(), Next::Skip { flag: "-c" });
        assert_eq!(on.exit_status(), 1);
    }

    #[test]
    fn a_failure_under_i_before_c_does_not_count_and_i_does_not_undo_c() {
        let mut on = OnError::default();
        on.see(&I);
        on.line_failed();
        on.see(&C);
        assert_eq!(on.exit_status(), 0);
        on.see(&I);
        assert_eq!(on.line_failed(), Next::Skip { flag: "-c" });
        assert_eq!(on.exit_status(), 1);
    }
}
