//! dockaudit: a native netlink audit client that reads the kernel's audit rules and
//! status, prints them exactly as `auditctl` does, and judges them against the CIS
//! Docker Benchmark. See ARCHITECTURE.md for the map and the dependency rule: each
//! folder is a domain behind a `pub use` facade, and a module only imports the ones
//! listed below it.
//!
//! | layer | modules |
//! |---|---|
//! | commands | `cli` |
//! | decisions, proof and output | `fix`, `prove`, `report` |
//! | verdicts | `judge` |
//! | the persistent configuration | `persist` |
//! | the rule-file language | `rules_file` |
//! | the Docker host as installed; the audit log | `docker`, `events` |
//! | the kernel | `kernel` |
//! | leaves | `rule`, `host`, `wire` |

#![warn(missing_docs)]

pub mod cli;
pub mod docker;
pub mod events;
pub mod fix;
pub mod host;
pub mod judge;
pub mod kernel;
pub mod persist;
pub mod prove;
pub mod report;
pub mod rule;
pub mod rules_file;
pub mod wire;

pub use kernel::{AuditClient, Error, Features, Status};
pub use rule::Rule;
pub use wire::{DecodeError, EncodeError};
