//! The single integration test binary (ripgrep style): one module per area, sharing
//! the helpers in `util`.

mod captures;
mod check;
mod differential;
mod docker;
mod dump;
mod errors;
mod events;
mod events_types;
mod fix;
mod follow;
mod interpret;
mod load;
mod oracle;
mod privileges;
mod util;
