//! `dockaudit status`: the kernel's audit status exactly as `auditctl -s` prints it.

use super::{open_client, CommandError, Output};
use crate::kernel::{to_auditctl_text, Error};
use crate::report::inventory;

/// `dockaudit status`.
pub fn status(json: bool) -> Result<Output, CommandError> {
    let mut client = open_client()?;
    let status = client.status()?;
    // Kernels before 3.19 have no AUDIT_GET_FEATURE; auditctl then prints no line.
    let features = match client.features() {
        Ok(features) => Some(features),
        Err(Error::Kernel { .. }) => None,
        Err(other) => return Err(other.into()),
    };
    Ok(Output::clean(if json {
        inventory::status_json(&status, features.as_ref()).into_bytes()
    } else {
        to_auditctl_text(&status, features.as_ref()).into_bytes()
    }))
}
