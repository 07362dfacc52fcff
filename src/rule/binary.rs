//! `struct audit_rule_data`, the kernel's binary rule, in both directions.
//!
//! Layout (native endian): flags, action, field_count, mask[64], fields[64], values[64],
//! fieldflags[64], buflen, buf[buflen]. String fields carry their length in `values[i]`
//! and their bytes, in field order, in `buf`.

use super::{Action, Field, FieldType, FieldValue, FilterList, Operator, Rule, SyscallMask};
use super::{MASK_WORDS, MAX_FIELDS};
use crate::error::DecodeError;

const FLAGS: usize = 0;
const ACTION: usize = 4;
const FIELD_COUNT: usize = 8;
const MASK: usize = 12;
const FIELDS: usize = MASK + 4 * MASK_WORDS;
const VALUES: usize = FIELDS + 4 * MAX_FIELDS;
const FIELDFLAGS: usize = VALUES + 4 * MAX_FIELDS;
const BUFLEN: usize = FIELDFLAGS + 4 * MAX_FIELDS;
/// Size of the fixed part; `buf` follows.
pub const HEADER_LEN: usize = BUFLEN + 4;

/// `AUDIT_FILTER_PREPEND`: the `-A` request flag, which the kernel echoes beside the list.
const FILTER_PREPEND: u32 = 0x10;

/// A view of an `audit_rule_data` with checked accessors: constructing it proves the
/// fixed part and `buf` are in bounds, so the accessors cannot panic.
pub struct RuleBuffer<'a> {
    bytes: &'a [u8],
}

impl<'a> RuleBuffer<'a> {
    pub fn new_checked(bytes: &'a [u8]) -> Result<RuleBuffer<'a>, DecodeError> {
        if bytes.len() < HEADER_LEN {
            return Err(DecodeError::RuleTruncated { len: bytes.len(), need: HEADER_LEN });
        }
        let buffer = RuleBuffer { bytes };
        let field_count = buffer.field_count();
        if field_count as usize > MAX_FIELDS {
            return Err(DecodeError::TooManyFields { count: field_count });
        }
        let buflen = buffer.buflen();
        let available = bytes.len() - HEADER_LEN;
        if buflen as usize > available {
            return Err(DecodeError::BufPastEnd { buflen, available });
        }
        Ok(buffer)
    }

    fn u32_at(&self, offset: usize) -> u32 {
        let mut word = [0u8; 4];
        word.copy_from_slice(&self.bytes[offset..offset + 4]);
        u32::from_ne_bytes(word)
    }

    pub fn flags(&self) -> u32 {
        self.u32_at(FLAGS)
    }
    pub fn action(&self) -> u32 {
        self.u32_at(ACTION)
    }
    pub fn field_count(&self) -> u32 {
        self.u32_at(FIELD_COUNT)
    }
    pub fn mask_word(&self, index: usize) -> u32 {
        self.u32_at(MASK + 4 * index)
    }
    pub fn field(&self, index: usize) -> u32 {
        self.u32_at(FIELDS + 4 * index)
    }
    pub fn value(&self, index: usize) -> u32 {
        self.u32_at(VALUES + 4 * index)
    }
    pub fn fieldflags(&self, index: usize) -> u32 {
        self.u32_at(FIELDFLAGS + 4 * index)
    }
    pub fn buflen(&self) -> u32 {
        self.u32_at(BUFLEN)
    }
    pub fn buf(&self) -> &'a [u8] {
        &self.bytes[HEADER_LEN..HEADER_LEN + self.buflen() as usize]
    }
}

/// Decodes one rule message payload.
pub fn decode(bytes: &[u8]) -> Result<Rule, DecodeError> {
    let buffer = RuleBuffer::new_checked(bytes)?;
    // Whatever is not the prepend flag is the list; a list number from a newer kernel
    // stays visible as `FilterList::Other` rather than being folded into a known one.
    let list = FilterList::from_raw(buffer.flags() & !FILTER_PREPEND);
    let action = Action::from_raw(buffer.action());

    let mut mask = SyscallMask::default();
    for (index, word) in mask.0.iter_mut().enumerate() {
        *word = buffer.mask_word(index);
    }

    let buf = buffer.buf();
    let mut offset = 0usize;
    let field_count = buffer.field_count() as usize;
    let mut fields = Vec::with_capacity(field_count);
    for index in 0..field_count {
        // Old kernels and userspace put the operator in the field word; the kernel
        // ignores those bits there, and so do we.
        let kind = FieldType(buffer.field(index) & !Operator::MASK & !0x8000_0000);
        let op = Operator(buffer.fieldflags(index) & Operator::MASK);
        let raw = buffer.value(index);
        let value = if kind.is_string() {
            let len = raw as usize;
            let text = buf.get(offset..offset.saturating_add(len)).ok_or(DecodeError::StringPastBuf {
                field: kind.0,
                index,
                offset,
                len: raw,
                buflen: buf.len(),
            })?;
            offset += len;
            FieldValue::Text(text.to_vec())
        } else {
            FieldValue::Number(raw)
        };
        fields.push(Field { kind, op, value });
    }
    Ok(Rule { list, action, mask, fields })
}

/// Encodes a rule as the kernel expects it in `AUDIT_ADD_RULE`/`AUDIT_DEL_RULE`.
pub fn encode(rule: &Rule) -> Result<Vec<u8>, crate::error::EncodeError> {
    use crate::error::EncodeError;
    if rule.fields.len() > MAX_FIELDS {
        return Err(EncodeError::TooManyFields { count: rule.fields.len() });
    }
    let strings: usize = rule.fields.iter().filter_map(Field::as_bytes).map(<[u8]>::len).sum();
    let mut out = vec![0u8; HEADER_LEN + strings];
    let mut put = |offset: usize, value: u32| out[offset..offset + 4].copy_from_slice(&value.to_ne_bytes());
    put(FLAGS, rule.list.raw());
    put(ACTION, rule.action.raw());
    put(FIELD_COUNT, rule.fields.len() as u32);
    for (index, word) in rule.mask.0.iter().enumerate() {
        put(MASK + 4 * index, *word);
    }
    let mut text = Vec::with_capacity(strings);
    for (index, field) in rule.fields.iter().enumerate() {
        if field.kind.is_string() != matches!(field.value, FieldValue::Text(_)) {
            return Err(EncodeError::ValueKind { field: field.kind.0 });
        }
        let value = match &field.value {
            FieldValue::Number(n) => *n,
            FieldValue::Text(bytes) => {
                text.extend_from_slice(bytes);
                u32::try_from(bytes.len()).map_err(|_| EncodeError::StringTooLong { field: field.kind.0 })?
            }
        };
        put(FIELDS + 4 * index, field.kind.0);
        put(VALUES + 4 * index, value);
        put(FIELDFLAGS + 4 * index, field.op.0);
    }
    put(BUFLEN, text.len() as u32);
    out[HEADER_LEN..].copy_from_slice(&text);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn watch_rule() -> Rule {
        Rule {
            list: FilterList::Exit,
            action: Action::Always,
            mask: SyscallMask::all(),
            fields: vec![
                Field::text(FieldType::WATCH, Operator::EQUAL, "/usr/bin/dockerd"),
                Field::number(FieldType::PERM, Operator::EQUAL, 0xf),
                Field::text(FieldType::FILTERKEY, Operator::EQUAL, "docker"),
            ],
        }
    }

    #[test]
    fn round_trips() {
        let rule = watch_rule();
        let bytes = encode(&rule).unwrap();
        assert_eq!(bytes.len(), HEADER_LEN + "/usr/bin/dockerd".len() + "docker".len());
        assert_eq!(decode(&bytes).unwrap(), rule);
    }

    #[test]
    fn exe_is_a_string_so_the_key_after_it_is_read_from_the_right_offset() {
        let rule = Rule {
            list: FilterList::Exit,
            action: Action::Always,
            mask: SyscallMask::all(),
            fields: vec![
                Field::text(FieldType::EXE, Operator::EQUAL, "/usr/bin/ls"),
                Field::text(FieldType::FILTERKEY, Operator::EQUAL, "k"),
            ],
        };
        let decoded = decode(&encode(&rule).unwrap()).unwrap();
        assert_eq!(decoded.keys().collect::<Vec<_>>(), vec![b"k".as_slice()]);
    }

    #[test]
    fn truncated_header_is_an_error() {
        let bytes = encode(&watch_rule()).unwrap();
        for len in [0, 3, 8, 12, HEADER_LEN - 1] {
            let err = decode(&bytes[..len]).unwrap_err();
            assert!(matches!(err, DecodeError::RuleTruncated { .. }), "{len}: {err}");
        }
    }

    #[test]
    fn too_many_fields_is_an_error() {
        let mut bytes = encode(&watch_rule()).unwrap();
        bytes[FIELD_COUNT..FIELD_COUNT + 4].copy_from_slice(&65u32.to_ne_bytes());
        let err = decode(&bytes).unwrap_err();
        assert_eq!(err.to_string(), "rule has 65 fields, more than the kernel's maximum of 64");
    }

    #[test]
    fn buflen_past_the_end_is_an_error() {
        let mut bytes = encode(&watch_rule()).unwrap();
        bytes.truncate(bytes.len() - 1);
        assert!(matches!(decode(&bytes).unwrap_err(), DecodeError::BufPastEnd { buflen: 22, available: 21 }));
    }

    #[test]
    fn string_past_buflen_is_an_error() {
        let mut bytes = encode(&watch_rule()).unwrap();
        // The key claims 7 bytes where 6 remain.
        bytes[VALUES + 8..VALUES + 12].copy_from_slice(&7u32.to_ne_bytes());
        let err = decode(&bytes).unwrap_err();
        assert!(matches!(err, DecodeError::StringPastBuf { field: 210, index: 2, .. }), "{err}");
        // A length near u32::MAX must not overflow the offset arithmetic.
        bytes[VALUES..VALUES + 4].copy_from_slice(&u32::MAX.to_ne_bytes());
        assert!(matches!(decode(&bytes).unwrap_err(), DecodeError::StringPastBuf { index: 0, .. }));
    }

    #[test]
    fn unknown_field_numbers_are_kept_raw() {
        let mut bytes = encode(&watch_rule()).unwrap();
        bytes[FIELDS + 4..FIELDS + 8].copy_from_slice(&150u32.to_ne_bytes());
        let rule = decode(&bytes).unwrap();
        assert_eq!(rule.fields[1], Field::number(FieldType(150), Operator::EQUAL, 0xf));
    }

    #[test]
    fn prepend_flag_is_dropped_and_unknown_lists_kept() {
        let mut bytes = encode(&watch_rule()).unwrap();
        bytes[FLAGS..FLAGS + 4].copy_from_slice(&0x14u32.to_ne_bytes());
        assert_eq!(decode(&bytes).unwrap().list, FilterList::Exit);
        bytes[FLAGS..FLAGS + 4].copy_from_slice(&0x9u32.to_ne_bytes());
        assert_eq!(decode(&bytes).unwrap().list, FilterList::Other(9));
    }
}
