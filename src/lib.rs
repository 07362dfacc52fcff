//! dockaudit: a native netlink audit client that reads the kernel's audit rules and
//! status, prints them exactly as `auditctl` does, and judges them against the CIS
//! Docker Benchmark. See ARCHITECTURE.md for the map and the dependency rule: each
//! folder is a domain behind a `pub use` facade, and a module only imports the ones
//! listed below it.
//!
//! | layer | modules |
//! |---|---|
//! | commands | `cli` |
//! | decisions and output | `fix`, `report` |
//! | verdicts | `judge` |
//! | the persistent configuration | `persist` |
//! | the rule-file language | `rules_file` |
//! | the kernel; the Docker host as installed | `kernel`, `docker` |
//! | leaves | `rule`, `host`, `wire` |

#[warn(missing_docs)]
pub mod cli;
#[warn(missing_docs)]
pub mod docker;
#[warn(missing_docs)]
pub mod fix;
#[warn(missing_docs)]
pub mod host;
#[warn(missing_docs)]
pub mod judge;
#[warn(missing_docs)]
pub mod kernel;
#[warn(missing_docs)]
pub mod persist;
#[warn(missing_docs)]
pub mod report;
#[warn(missing_docs)]
pub mod rule;
#[warn(missing_docs)]
pub mod rules_file;
#[warn(missing_docs)]
pub mod wire;

pub use kernel::{AuditClient, Error, Features, Status};
pub use rule::Rule;
pub use wire::{DecodeError, EncodeError};
