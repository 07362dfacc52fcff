//! The single integration test binary (ripgrep style): one module per area, sharing
//! the helpers in `util`.

mod captures;
mod check;
mod differential;
mod docker;
mod dump;
mod errors;
pub mod events;
mod events_types;
mod fix;
mod follow;
mod interpret;
mod load;
mod load_parity;
mod noise;
mod oracle;
mod oracle_util;
mod privileges;
mod prove;
mod real_logs;
mod report;
mod util;
