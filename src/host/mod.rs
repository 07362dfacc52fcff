//! The host's files as the judge sees them: the `Filesystem` seam (the real one rooted
//! at `/` or `--root`, and a fake), symlink resolution as the kernel's path walk does it,
//! and systemd's unit search path. A leaf: it knows nothing of audit.

mod filesystem;
mod units;

pub use filesystem::{
    resolve, CachedResolver, FakeFs, FileId, FileKind, Filesystem, HostFs, Meta, ResolveError, Resolved,
};
pub use units::{find_unit, UNIT_DIRS};
