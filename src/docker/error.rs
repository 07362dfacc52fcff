//! What can go wrong while discovering, typed so the judge can tell "could not look"
//! (an `error` verdict) from "looked and found nothing" (`not_applicable`).

use std::io;
use std::path::PathBuf;

use crate::host::ResolveError;

/// Why discovery could not look at something; the judge turns it into an `error` verdict.
#[derive(Debug, thiserror::Error)]
#[allow(missing_docs)] // each variant's #[error] text is its documentation
pub enum DiscoveryError {
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: io::Error },
    #[error("cannot list {path}: {source}")]
    List { path: PathBuf, source: io::Error },
    #[error("{path} is larger than {limit} bytes; not read")]
    TooLarge { path: PathBuf, limit: u64 },
    /// dockerd refuses to start with such a file, so the values it would hold are
    /// unknown; discovery goes on with dockerd's defaults and says so.
    #[error("{path} is not valid JSON: {message}")]
    Json { path: PathBuf, message: String },
    #[error("{path} is not valid TOML: {message}")]
    Toml { path: PathBuf, message: String },
    #[error("cannot read the process table {path}: {source}")]
    Proc { path: PathBuf, source: io::Error },
    #[error("{path}: too many levels of symbolic links")]
    Loop { path: PathBuf },
}
