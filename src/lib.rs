//! dockaudit: a native netlink audit client that reads the kernel's audit rules and
//! status, prints them exactly as `auditctl` does, and judges them against the CIS
//! Docker Benchmark. See ARCHITECTURE.md for the map.

pub mod error;
pub mod netlink;
pub mod privilege;
pub mod rule;
pub mod status;

pub use error::{DecodeError, EncodeError, Error};
pub use netlink::AuditClient;
pub use rule::Rule;
pub use status::{Features, Status};
pub mod cli;
pub mod report;
