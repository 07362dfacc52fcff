//! `struct audit_status` (AUDIT_GET) and `struct audit_features` (AUDIT_GET_FEATURE),
//! decoded ourselves because netlink-packet-audit stops at 40 bytes.

use crate::error::DecodeError;
use serde::Serialize;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Status {
    pub mask: u32,
    /// 0 off, 1 on, 2 on and locked until reboot.
    pub enabled: u32,
    /// 0 silent, 1 printk, 2 panic.
    pub failure: u32,
    /// auditd's pid; 0 when no daemon receives events.
    pub pid: u32,
    pub rate_limit: u32,
    pub backlog_limit: u32,
    pub lost: u32,
    pub backlog: u32,
    /// Absent from kernels older than 3.18 (32-byte status).
    pub feature_bitmap: Option<u32>,
    pub backlog_wait_time: Option<u32>,
    /// Sent by kernels from 5.9 on (44-byte status).
    pub backlog_wait_time_actual: Option<u32>,
}

/// The oldest status layout we accept: up to `backlog`.
const MIN_STATUS_LEN: usize = 32;

fn word(bytes: &[u8], index: usize) -> Option<u32> {
    let chunk = bytes.get(index * 4..index * 4 + 4)?;
    Some(u32::from_ne_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]))
}

impl Status {
    pub fn decode(bytes: &[u8]) -> Result<Status, DecodeError> {
        if bytes.len() < MIN_STATUS_LEN {
            return Err(DecodeError::StatusTruncated { len: bytes.len(), need: MIN_STATUS_LEN });
        }
        let w = |i| word(bytes, i).unwrap_or(0);
        Ok(Status {
            mask: w(0),
            enabled: w(1),
            failure: w(2),
            pid: w(3),
            rate_limit: w(4),
            backlog_limit: w(5),
            lost: w(6),
            backlog: w(7),
            feature_bitmap: word(bytes, 8),
            backlog_wait_time: word(bytes, 9),
            backlog_wait_time_actual: word(bytes, 10),
        })
    }

    pub fn is_locked(&self) -> bool {
        self.enabled == 2
    }
}

/// `AUDIT_FEATURE_LOGINUID_IMMUTABLE` (feature number 1; 0 is
/// `AUDIT_FEATURE_ONLY_UNSET_LOGINUID`) as a bit of the feature masks. Seen on Debian
/// 5.10, 6.1 and 6.12 guests: after `auditctl --loginuid-immutable` the kernel reports
/// features = lock = 0x2.
pub const FEATURE_LOGINUID_IMMUTABLE: u32 = 1 << 1;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Features {
    pub version: u32,
    /// Which feature bits this kernel knows.
    pub mask: u32,
    pub features: u32,
    pub lock: u32,
}

impl Features {
    pub fn decode(bytes: &[u8]) -> Result<Features, DecodeError> {
        match (word(bytes, 0), word(bytes, 1), word(bytes, 2), word(bytes, 3)) {
            (Some(version), Some(mask), Some(features), Some(lock)) => Ok(Features { version, mask, features, lock }),
            _ => Err(DecodeError::FeaturesTruncated { len: bytes.len() }),
        }
    }

    /// `(enabled, locked)` when the kernel knows the loginuid_immutable feature.
    pub fn loginuid_immutable(&self) -> Option<(bool, bool)> {
        (self.mask & FEATURE_LOGINUID_IMMUTABLE != 0)
            .then_some((self.features & FEATURE_LOGINUID_IMMUTABLE != 0, self.lock & FEATURE_LOGINUID_IMMUTABLE != 0))
    }
}

/// The lines of `auditctl -s`, in its order.
pub fn to_auditctl_text(status: &Status, features: Option<&Features>) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = write!(
        out,
        "enabled {}\nfailure {}\npid {}\nrate_limit {}\nbacklog_limit {}\nlost {}\nbacklog {}\n",
        status.enabled,
        status.failure,
        status.pid,
        status.rate_limit,
        status.backlog_limit,
        status.lost,
        status.backlog
    );
    if let Some(wait) = status.backlog_wait_time {
        let _ = writeln!(out, "backlog_wait_time {wait}");
    }
    if let Some(actual) = status.backlog_wait_time_actual {
        let _ = writeln!(out, "backlog_wait_time_actual {actual}");
    }
    if let Some((on, locked)) = features.and_then(Features::loginuid_immutable) {
        let _ = writeln!(out, "loginuid_immutable {} {}", u32::from(on), if locked { "locked" } else { "unlocked" });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(words: &[u32]) -> Vec<u8> {
        words.iter().flat_map(|w| w.to_ne_bytes()).collect()
    }

    #[test]
    fn decodes_the_44_byte_status_and_prints_like_auditctl() {
        let status = Status::decode(&bytes(&[0x7f, 0, 1, 0, 0, 64, 0, 0, 0x7f, 15000, 0])).unwrap();
        let features = Features::decode(&bytes(&[1, 0xffff_ffff, 0, 0])).unwrap();
        assert_eq!(
            to_auditctl_text(&status, Some(&features)),
            "enabled 0\nfailure 1\npid 0\nrate_limit 0\nbacklog_limit 64\nlost 0\nbacklog 0\n\
             backlog_wait_time 15000\nbacklog_wait_time_actual 0\nloginuid_immutable 0 unlocked\n"
        );
    }

    #[test]
    fn the_40_byte_status_has_no_actual_wait_line() {
        let status = Status::decode(&bytes(&[0, 2, 2, 77, 5, 8192, 3, 1, 0x7f, 60000])).unwrap();
        assert_eq!(status.backlog_wait_time_actual, None);
        assert!(status.is_locked());
        // The reply a 6.12 guest sent after `auditctl --loginuid-immutable`.
        let features = Features::decode(&bytes(&[1, 0xffff_ffff, 2, 2])).unwrap();
        let text = to_auditctl_text(&status, Some(&features));
        assert!(text.ends_with("backlog_wait_time 60000\nloginuid_immutable 1 locked\n"), "{text}");
    }

    #[test]
    fn short_inputs_are_errors() {
        assert_eq!(Status::decode(&[0; 31]).unwrap_err(), DecodeError::StatusTruncated { len: 31, need: 32 });
        assert_eq!(Features::decode(&[0; 15]).unwrap_err(), DecodeError::FeaturesTruncated { len: 15 });
    }
}
