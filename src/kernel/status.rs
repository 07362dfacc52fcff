//! `struct audit_status` (AUDIT_GET) and `struct audit_features` (AUDIT_GET_FEATURE),
//! decoded ourselves because netlink-packet-audit stops at 40 bytes.

use serde::Serialize;

use crate::wire::{read_u32, write_u32, DecodeError};

/// The kernel's `struct audit_status`, as an `AUDIT_GET` reply carries it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Status {
    /// `AUDIT_STATUS_*` bits of the members an `AUDIT_SET` changes; 0 in a reply.
    pub mask: u32,
    /// 0 off, 1 on, 2 on and locked until reboot.
    pub enabled: u32,
    /// 0 silent, 1 printk, 2 panic.
    pub failure: u32,
    /// auditd's pid; 0 when no daemon receives events.
    pub pid: u32,
    /// Records per second before the `failure` action is taken (`-r`); 0 is no limit.
    pub rate_limit: u32,
    /// Records that may wait for auditd (`-b`) before the kernel waits or drops.
    pub backlog_limit: u32,
    /// Records dropped since boot or the last `--reset-lost`.
    pub lost: u32,
    /// Records waiting for auditd at the time of the reply.
    pub backlog: u32,
    /// Absent from kernels older than 3.18 (32-byte status).
    pub feature_bitmap: Option<u32>,
    /// In jiffies (`--backlog_wait_time`); absent, like `feature_bitmap`, before 3.18.
    pub backlog_wait_time: Option<u32>,
    /// Sent by kernels from 5.9 on (44-byte status).
    pub backlog_wait_time_actual: Option<u32>,
}

/// The members of `struct audit_status`, by u32 index: the one definition of its layout.
mod member {
    pub const MASK: usize = 0;
    pub const ENABLED: usize = 1;
    pub const FAILURE: usize = 2;
    pub const PID: usize = 3;
    pub const RATE_LIMIT: usize = 4;
    pub const BACKLOG_LIMIT: usize = 5;
    pub const LOST: usize = 6;
    pub const BACKLOG: usize = 7;
    pub const FEATURE_BITMAP: usize = 8;
    pub const BACKLOG_WAIT_TIME: usize = 9;
    pub const BACKLOG_WAIT_TIME_ACTUAL: usize = 10;
    /// Members in the newest layout (5.9+: 44 bytes).
    pub const COUNT: usize = 11;
}

/// The oldest status layout we accept: up to `backlog`.
const MIN_STATUS_LEN: usize = 4 * (member::BACKLOG + 1);
/// The status a request carries: the newest layout, which every kernel accepts (it
/// copies at most what it knows into a zeroed struct).
pub const STATUS_LEN: usize = 4 * member::COUNT;

fn word(bytes: &[u8], index: usize) -> Option<u32> {
    read_u32(bytes, index * 4)
}

/// An `AUDIT_SET` change: which member of `struct audit_status`, and its mask bit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setting {
    /// `-e`: 0, 1, or 2 to lock the rules until reboot.
    Enabled,
    /// `-f`: 0 silent, 1 printk, 2 panic.
    Failure,
    /// `-r`: records per second, 0 for no limit.
    RateLimit,
    /// `-b`: records queued for auditd.
    BacklogLimit,
    /// `--backlog_wait_time`: jiffies; kernels before 3.18 have none.
    BacklogWaitTime,
}

impl Setting {
    /// Every setting, in the order auditctl's status lists them.
    pub const ALL: [Setting; 5] =
        [Setting::Enabled, Setting::Failure, Setting::RateLimit, Setting::BacklogLimit, Setting::BacklogWaitTime];

    /// (`AUDIT_STATUS_*` mask bit, member index)
    fn slot(self) -> (u32, usize) {
        match self {
            Setting::Enabled => (0x1, member::ENABLED),
            Setting::Failure => (0x2, member::FAILURE),
            Setting::RateLimit => (0x8, member::RATE_LIMIT),
            Setting::BacklogLimit => (0x10, member::BACKLOG_LIMIT),
            Setting::BacklogWaitTime => (0x20, member::BACKLOG_WAIT_TIME),
        }
    }

    /// The auditctl option that sets it.
    pub fn flag(self) -> &'static str {
        match self {
            Setting::Enabled => "-e",
            Setting::Failure => "-f",
            Setting::RateLimit => "-r",
            Setting::BacklogLimit => "-b",
            Setting::BacklogWaitTime => "--backlog_wait_time",
        }
    }

    /// Its name in `auditctl -s`.
    pub fn name(self) -> &'static str {
        match self {
            Setting::Enabled => "enabled",
            Setting::Failure => "failure",
            Setting::RateLimit => "rate_limit",
            Setting::BacklogLimit => "backlog_limit",
            Setting::BacklogWaitTime => "backlog_wait_time",
        }
    }

    fn index(self) -> usize {
        match self {
            Setting::Enabled => 0,
            Setting::Failure => 1,
            Setting::RateLimit => 2,
            Setting::BacklogLimit => 3,
            Setting::BacklogWaitTime => 4,
        }
    }

    /// Changes the member in a status as the kernel's `AUDIT_SET` does (for stand-ins).
    pub fn put(self, status: &mut Status, value: u32) {
        match self {
            Setting::Enabled => status.enabled = value,
            Setting::Failure => status.failure = value,
            Setting::RateLimit => status.rate_limit = value,
            Setting::BacklogLimit => status.backlog_limit = value,
            Setting::BacklogWaitTime => status.backlog_wait_time = Some(value),
        }
    }

    /// The current value in a status reply; `None` where the kernel's status has no such
    /// member (backlog_wait_time before 3.18).
    pub fn get(self, status: &Status) -> Option<u32> {
        match self {
            Setting::Enabled => Some(status.enabled),
            Setting::Failure => Some(status.failure),
            Setting::RateLimit => Some(status.rate_limit),
            Setting::BacklogLimit => Some(status.backlog_limit),
            Setting::BacklogWaitTime => status.backlog_wait_time,
        }
    }

    /// The `AUDIT_SET` payload that changes this member alone: the kernel copies it into
    /// a zeroed `struct audit_status` and changes only the members whose bit is in `mask`.
    pub fn request(self, value: u32) -> [u8; STATUS_LEN] {
        let mut status = [0u8; STATUS_LEN];
        let (bit, index) = self.slot();
        // Both offsets lie inside STATUS_LEN by construction of `member`.
        write_u32(&mut status, 4 * member::MASK, bit);
        write_u32(&mut status, 4 * index, value);
        status
    }
}

/// What a sequence of setting changes leaves (a rules file's `-e`, `-f`, `-b`, …, last
/// one wins): `None` where nothing set it, so the kernel's value stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    values: [Option<u32>; Setting::ALL.len()],
    /// `--loginuid-immutable` was sent.
    pub loginuid_immutable: bool,
}

impl Settings {
    /// The last value set; `None` when no line set it.
    pub fn get(&self, setting: Setting) -> Option<u32> {
        self.values[setting.index()]
    }

    /// Records a change; a later one for the same setting wins.
    pub fn set(&mut self, setting: Setting, value: u32) {
        self.values[setting.index()] = Some(value);
    }
}

impl Status {
    /// Any length from 32 bytes (up to `backlog`) on; members a kernel does not send are `None`.
    pub fn decode(bytes: &[u8]) -> Result<Status, DecodeError> {
        if bytes.len() < MIN_STATUS_LEN {
            return Err(DecodeError::StatusTruncated { len: bytes.len(), need: MIN_STATUS_LEN });
        }
        let w = |i| word(bytes, i).unwrap_or(0);
        Ok(Status {
            mask: w(member::MASK),
            enabled: w(member::ENABLED),
            failure: w(member::FAILURE),
            pid: w(member::PID),
            rate_limit: w(member::RATE_LIMIT),
            backlog_limit: w(member::BACKLOG_LIMIT),
            lost: w(member::LOST),
            backlog: w(member::BACKLOG),
            feature_bitmap: word(bytes, member::FEATURE_BITMAP),
            backlog_wait_time: word(bytes, member::BACKLOG_WAIT_TIME),
            backlog_wait_time_actual: word(bytes, member::BACKLOG_WAIT_TIME_ACTUAL),
        })
    }

    /// `enabled` is 2: no rule or setting can change until reboot.
    pub fn is_locked(&self) -> bool {
        self.enabled == 2
    }
}

/// `AUDIT_FEATURE_LOGINUID_IMMUTABLE` (feature number 1; 0 is
/// `AUDIT_FEATURE_ONLY_UNSET_LOGINUID`) as a bit of the feature masks. Seen on Debian
/// 5.10, 6.1 and 6.12 guests: after `auditctl --loginuid-immutable` the kernel reports
/// features = lock = 0x2.
pub const FEATURE_LOGINUID_IMMUTABLE: u32 = 1 << 1;

/// The kernel's `struct audit_features`, as `AUDIT_GET_FEATURE` answers and
/// `AUDIT_SET_FEATURE` takes it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Features {
    /// `AUDIT_FEATURE_VERSION`, 1 on every kernel so far.
    pub version: u32,
    /// Which feature bits this kernel knows.
    pub mask: u32,
    /// Which feature bits are on (see [`FEATURE_LOGINUID_IMMUTABLE`]).
    pub features: u32,
    /// Which feature bits cannot change until reboot.
    pub lock: u32,
}

/// `sizeof(struct audit_features)`: version, mask, features, lock.
pub const FEATURES_LEN: usize = 16;

impl Features {
    /// The struct as an `AUDIT_SET_FEATURE` request carries it.
    pub fn to_bytes(&self) -> [u8; FEATURES_LEN] {
        let mut bytes = [0u8; FEATURES_LEN];
        for (i, word) in [self.version, self.mask, self.features, self.lock].into_iter().enumerate() {
            write_u32(&mut bytes, 4 * i, word);
        }
        bytes
    }

    /// The first 16 bytes; a longer reply's tail is ignored.
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
        assert_eq!(Features::decode(&features.to_bytes()).unwrap(), features);
        let text = to_auditctl_text(&status, Some(&features));
        assert!(text.ends_with("backlog_wait_time 60000\nloginuid_immutable 1 locked\n"), "{text}");
    }

    #[test]
    fn a_set_request_changes_one_member_under_its_mask_bit() {
        let request = Setting::BacklogWaitTime.request(60000);
        let decoded = Status::decode(&request).unwrap();
        assert_eq!((decoded.mask, decoded.backlog_wait_time), (0x20, Some(60000)));
        assert_eq!(
            Status { mask: 0, backlog_wait_time: None, backlog_wait_time_actual: None, ..decoded },
            Status { feature_bitmap: Some(0), ..Status::default() }
        );
        for setting in Setting::ALL {
            let decoded = Status::decode(&setting.request(7)).unwrap();
            assert_eq!(setting.get(&decoded), Some(7), "{setting:?}");
        }
    }

    #[test]
    fn short_inputs_are_errors() {
        assert_eq!(Status::decode(&[0; 31]).unwrap_err(), DecodeError::StatusTruncated { len: 31, need: 32 });
        assert_eq!(Features::decode(&[0; 15]).unwrap_err(), DecodeError::FeaturesTruncated { len: 15 });
    }
}
