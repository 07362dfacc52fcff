//! Output gathered in memory and written in blocks, for the readers that print as they
//! read (`events`, `report`).

use std::io::Write;

use super::EventsError;

/// Output is gathered and written in blocks of this size.
const OUT_BLOCK: usize = 64 << 10;

/// The output buffer and where it goes. A failed write is kept and stops the reading
/// (`dockaudit events | head`: reading stops there).
pub(super) struct Blocks<'o> {
    /// What is gathered, not written yet.
    pub(super) buf: Vec<u8>,
    out: &'o mut dyn Write,
    error: Option<std::io::Error>,
}

impl<'o> Blocks<'o> {
    pub(super) fn new(out: &'o mut dyn Write) -> Blocks<'o> {
        Blocks { buf: Vec::with_capacity(OUT_BLOCK * 2), out, error: None }
    }

    /// Writes the buffer once a block is full; false when that failed (stop reading).
    pub(super) fn spill(&mut self) -> bool {
        if self.buf.len() >= OUT_BLOCK {
            if let Err(e) = self.out.write_all(&self.buf) {
                self.error = Some(e);
                return false;
            }
            self.buf.clear();
        }
        true
    }

    /// The write error that stopped the reading, if one did.
    pub(super) fn failed(&mut self) -> Result<(), EventsError> {
        self.error.take().map_or(Ok(()), |e| Err(EventsError::Write(e)))
    }

    /// Writes the rest and flushes.
    pub(super) fn finish(self) -> Result<(), EventsError> {
        self.out.write_all(&self.buf).and_then(|()| self.out.flush()).map_err(EventsError::Write)
    }
}
