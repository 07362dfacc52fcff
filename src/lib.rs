//! dockaudit: a native netlink audit client that reads the kernel's audit rules and
//! status, prints them exactly as `auditctl` does, and judges them against the CIS
//! Docker Benchmark. See ARCHITECTURE.md for the map.

pub mod args;
pub mod boot;
pub mod catalog;
pub mod cli;
pub mod error;
pub mod evaluate;
pub mod events;
pub mod filesystem;
pub mod fix;
pub mod load;
pub mod names;
pub mod netlink;
pub mod persistent;
pub mod privilege;
pub mod report;
pub mod rule;
pub mod rules_file;
pub mod status;
pub mod syscalls;
#[cfg(test)]
mod testrules;
pub mod units;

pub use error::{DecodeError, EncodeError, Error};
pub use netlink::AuditClient;
pub use rule::Rule;
pub use status::{Features, Status};
