//! The single integration test binary (ripgrep style): one module per area, sharing
//! the helpers in `util`.

mod captures;
mod differential;
mod errors;
mod load;
mod oracle;
mod util;
