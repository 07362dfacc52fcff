//! The byte layer under the kernel's structures: the one native-endian u32 reader and
//! writer, and the errors of decoding and encoding. `rule::binary`, `kernel::status` and
//! `kernel::netlink` build their checked buffers on it, so a length is checked in one
//! place and an offset cannot panic.

/// Bytes that do not form what they claim to be. Names the part that is wrong.
#[allow(missing_docs)] // each variant's #[error] text is its documentation
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("netlink message truncated: {len} bytes left in the datagram, a header needs 16")]
    HeaderTruncated { len: usize },
    #[error("netlink message length {len} is smaller than its own 16-byte header")]
    LengthTooSmall { len: u32 },
    #[error("netlink message length {len} runs past the end of the datagram ({available} bytes left)")]
    LengthPastDatagram { len: u32, available: usize },
    #[error("NLMSG_ERROR message truncated: {len} bytes, need at least 4")]
    ErrorTruncated { len: usize },
    #[error("audit rule truncated: {len} bytes, the fixed part of audit_rule_data is {need}")]
    RuleTruncated { len: usize, need: usize },
    #[error("rule has {count} fields, more than the kernel's maximum of 64")]
    TooManyFields { count: u32 },
    #[error("rule buflen {buflen} runs past the end of the message ({available} bytes of buf present)")]
    BufPastEnd { buflen: u32, available: usize },
    #[error("string of field {field} (field #{index}) has length {len} at offset {offset}, past buflen {buflen}")]
    StringPastBuf { field: u32, index: usize, offset: usize, len: u32, buflen: usize },
    #[error("audit status truncated: {len} bytes, need at least {need}")]
    StatusTruncated { len: usize, need: usize },
    #[error("audit features truncated: {len} bytes, need 16")]
    FeaturesTruncated { len: usize },
}

/// A rule that cannot be put into a `struct audit_rule_data`.
#[allow(missing_docs)] // each variant's #[error] text is its documentation
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    #[error("rule has {count} fields, more than the kernel's maximum of 64")]
    TooManyFields { count: usize },
    #[error("field {field} has a value of the wrong kind (string fields take text, others numbers)")]
    ValueKind { field: u32 },
    #[error("string of field {field} is too long")]
    StringTooLong { field: u32 },
}

/// The native-endian u32 at byte `offset`, or `None` when it does not fit.
pub fn read_u32(bytes: &[u8], offset: usize) -> Option<u32> {
    let chunk = bytes.get(offset..offset.checked_add(4)?)?;
    Some(u32::from_ne_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]))
}

/// Writes `value` native-endian at byte `offset`; `false` (and nothing written) when it
/// does not fit.
pub fn write_u32(bytes: &mut [u8], offset: usize, value: u32) -> bool {
    match offset.checked_add(4).and_then(|end| bytes.get_mut(offset..end)) {
        Some(chunk) => {
            chunk.copy_from_slice(&value.to_ne_bytes());
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn u32s_in_and_out_of_bounds() {
        let mut bytes = [0u8; 6];
        assert!(write_u32(&mut bytes, 2, 0xdead_beef));
        assert_eq!(read_u32(&bytes, 2), Some(0xdead_beef));
        assert!(!write_u32(&mut bytes, 3, 1), "past the end");
        assert!(!write_u32(&mut bytes, usize::MAX - 1, 1), "offset overflow");
        assert_eq!(read_u32(&bytes, 3), None);
        assert_eq!(read_u32(&bytes, usize::MAX), None);
    }
}
