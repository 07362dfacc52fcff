//! `struct audit_rule_data`, the kernel's binary rule, in both directions.
//!
//! Layout (native endian): `flags, action, field_count, mask[64], fields[64], values[64],
//! fieldflags[64], buflen, buf[buflen]`. String fields carry their length in `values[i]`
//! and their bytes, in field order, in `buf`.

use super::{Action, Field, FieldType, FieldValue, FilterList, Operator, Rule, SyscallMask};
use super::{MASK_WORDS, MAX_FIELDS};
use crate::wire::{read_u32, write_u32, DecodeError, EncodeError};

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

/// A view of an `audit_rule_data` with checked accessors (and setters over mutable
/// bytes): constructing it proves the fixed part and `buf` are in bounds, so no accessor
/// can panic. Decoding reads through it and encoding writes through it.
pub struct RuleBuffer<T> {
    bytes: T,
}

impl<T: AsRef<[u8]>> RuleBuffer<T> {
    /// Checks the fixed part, `field_count` ≤ 64 and `buflen` against the length.
    pub fn new_checked(bytes: T) -> Result<RuleBuffer<T>, DecodeError> {
        let len = bytes.as_ref().len();
        if len < HEADER_LEN {
            return Err(DecodeError::RuleTruncated { len, need: HEADER_LEN });
        }
        let buffer = RuleBuffer { bytes };
        let field_count = buffer.field_count();
        if field_count as usize > MAX_FIELDS {
            return Err(DecodeError::TooManyFields { count: field_count });
        }
        let buflen = buffer.buflen();
        let available = len - HEADER_LEN;
        if buflen as usize > available {
            return Err(DecodeError::BufPastEnd { buflen, available });
        }
        Ok(buffer)
    }

    fn u32_at(&self, offset: usize) -> u32 {
        // In bounds: every offset used is below HEADER_LEN, checked at construction.
        read_u32(self.bytes.as_ref(), offset).unwrap_or(0)
    }

    /// Entry `index` of the 64-entry array at `base`; 0 past its end, so an index can
    /// never reach into the next member.
    fn entry(&self, base: usize, index: usize) -> u32 {
        // MASK_WORDS and MAX_FIELDS are both the kernel's 64.
        if index < MAX_FIELDS.min(MASK_WORDS) {
            self.u32_at(base + 4 * index)
        } else {
            0
        }
    }

    /// `flags`: the filter list, with AUDIT_FILTER_PREPEND on an `-A` request.
    pub fn flags(&self) -> u32 {
        self.u32_at(FLAGS)
    }
    /// `action`: 0 never, 2 always.
    pub fn action(&self) -> u32 {
        self.u32_at(ACTION)
    }
    /// `field_count`, at most 64 (checked by [`RuleBuffer::new_checked`]).
    pub fn field_count(&self) -> u32 {
        self.u32_at(FIELD_COUNT)
    }
    /// `mask[index]`, syscalls `32 * index` up; 0 for `index` ≥ 64.
    pub fn mask_word(&self, index: usize) -> u32 {
        self.entry(MASK, index)
    }
    /// `fields[index]`, possibly with legacy operator bits; 0 for `index` ≥ 64.
    pub fn field(&self, index: usize) -> u32 {
        self.entry(FIELDS, index)
    }
    /// `values[index]`: the number, or a string field's length in `buf`; 0 for `index` ≥ 64.
    pub fn value(&self, index: usize) -> u32 {
        self.entry(VALUES, index)
    }
    /// `fieldflags[index]`: the operator; 0 for `index` ≥ 64.
    pub fn fieldflags(&self, index: usize) -> u32 {
        self.entry(FIELDFLAGS, index)
    }
    /// `buflen`, within the bytes present (checked by [`RuleBuffer::new_checked`]).
    pub fn buflen(&self) -> u32 {
        self.u32_at(BUFLEN)
    }
    /// `buf`: the string fields' bytes, concatenated in field order, no NULs.
    pub fn buf(&self) -> &[u8] {
        self.bytes.as_ref().get(HEADER_LEN..HEADER_LEN + self.buflen() as usize).unwrap_or(&[])
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> RuleBuffer<T> {
    fn set_u32(&mut self, offset: usize, value: u32) {
        // In bounds as for `u32_at`.
        write_u32(self.bytes.as_mut(), offset, value);
    }

    /// `flags`: the list, OR'ed with AUDIT_FILTER_PREPEND for `-A`.
    pub fn set_flags(&mut self, value: u32) {
        self.set_u32(FLAGS, value)
    }
    /// `action`.
    pub fn set_action(&mut self, value: u32) {
        self.set_u32(ACTION, value)
    }
    /// `field_count`; not checked against 64 (the kernel refuses more).
    pub fn set_field_count(&mut self, value: u32) {
        self.set_u32(FIELD_COUNT, value)
    }
    /// `mask[index]`; an `index` of 64 or more writes nothing.
    pub fn set_mask_word(&mut self, index: usize, value: u32) {
        if index < MASK_WORDS {
            self.set_u32(MASK + 4 * index, value)
        }
    }
    /// `fields[index]`; an `index` of 64 or more writes nothing.
    pub fn set_field(&mut self, index: usize, value: u32) {
        if index < MAX_FIELDS {
            self.set_u32(FIELDS + 4 * index, value)
        }
    }
    /// `values[index]` (a string field's length); an `index` of 64 or more writes nothing.
    pub fn set_value(&mut self, index: usize, value: u32) {
        if index < MAX_FIELDS {
            self.set_u32(VALUES + 4 * index, value)
        }
    }
    /// `fieldflags[index]`; an `index` of 64 or more writes nothing.
    pub fn set_fieldflags(&mut self, index: usize, value: u32) {
        if index < MAX_FIELDS {
            self.set_u32(FIELDFLAGS + 4 * index, value)
        }
    }
    /// `buf`, whose length the buffer was checked against; `buflen` is not changed.
    pub fn buf_mut(&mut self) -> &mut [u8] {
        let end = HEADER_LEN + self.buflen() as usize;
        self.bytes.as_mut().get_mut(HEADER_LEN..end).unwrap_or(&mut [])
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

/// Encodes a rule as the kernel expects it in `AUDIT_ADD_RULE`/`AUDIT_DEL_RULE`;
/// `prepend` sets `AUDIT_FILTER_PREPEND` (`auditctl -A`).
pub fn encode(rule: &Rule, prepend: bool) -> Result<Vec<u8>, EncodeError> {
    if rule.fields.len() > MAX_FIELDS {
        return Err(EncodeError::TooManyFields { count: rule.fields.len() });
    }
    let mut strings = 0usize;
    for field in &rule.fields {
        if field.kind.is_string() != matches!(field.value, FieldValue::Text(_)) {
            return Err(EncodeError::ValueKind { field: field.kind.0 });
        }
        strings += field.as_bytes().map_or(0, <[u8]>::len);
    }
    let buflen = u32::try_from(strings).map_err(|_| EncodeError::StringTooLong {
        field: rule.fields.iter().find(|f| f.kind.is_string()).map_or(0, |f| f.kind.0),
    })?;
    let mut out = vec![0u8; HEADER_LEN + strings];
    // Sized for exactly this rule, so the checks of `new_checked` hold by construction.
    let mut buffer = RuleBuffer { bytes: &mut out[..] };
    buffer.set_u32(BUFLEN, buflen);
    buffer.set_flags(rule.list.raw() | if prepend { FILTER_PREPEND } else { 0 });
    buffer.set_action(rule.action.raw());
    buffer.set_field_count(rule.fields.len() as u32);
    for (index, word) in rule.mask.0.iter().enumerate() {
        buffer.set_mask_word(index, *word);
    }
    let mut offset = 0;
    for (index, field) in rule.fields.iter().enumerate() {
        let value = match &field.value {
            FieldValue::Number(n) => *n,
            FieldValue::Text(bytes) => {
                buffer.buf_mut()[offset..offset + bytes.len()].copy_from_slice(bytes);
                offset += bytes.len();
                u32::try_from(bytes.len()).map_err(|_| EncodeError::StringTooLong { field: field.kind.0 })?
            }
        };
        buffer.set_field(index, field.kind.0);
        buffer.set_value(index, value);
        buffer.set_fieldflags(index, field.op.0);
    }
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
        let bytes = encode(&rule, false).unwrap();
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
        let decoded = decode(&encode(&rule, false).unwrap()).unwrap();
        assert_eq!(decoded.keys().collect::<Vec<_>>(), vec![b"k".as_slice()]);
    }

    #[test]
    fn truncated_header_is_an_error() {
        let bytes = encode(&watch_rule(), false).unwrap();
        for len in [0, 3, 8, 12, HEADER_LEN - 1] {
            let err = decode(&bytes[..len]).unwrap_err();
            assert!(matches!(err, DecodeError::RuleTruncated { .. }), "{len}: {err}");
        }
    }

    #[test]
    fn too_many_fields_is_an_error() {
        let mut bytes = encode(&watch_rule(), false).unwrap();
        bytes[FIELD_COUNT..FIELD_COUNT + 4].copy_from_slice(&65u32.to_ne_bytes());
        let err = decode(&bytes).unwrap_err();
        assert_eq!(err.to_string(), "rule has 65 fields, more than the kernel's maximum of 64");
    }

    #[test]
    fn buflen_past_the_end_is_an_error() {
        let mut bytes = encode(&watch_rule(), false).unwrap();
        bytes.truncate(bytes.len() - 1);
        assert!(matches!(decode(&bytes).unwrap_err(), DecodeError::BufPastEnd { buflen: 22, available: 21 }));
    }

    #[test]
    fn string_past_buflen_is_an_error() {
        let mut bytes = encode(&watch_rule(), false).unwrap();
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
        let mut bytes = encode(&watch_rule(), false).unwrap();
        bytes[FIELDS + 4..FIELDS + 8].copy_from_slice(&150u32.to_ne_bytes());
        let rule = decode(&bytes).unwrap();
        assert_eq!(rule.fields[1], Field::number(FieldType(150), Operator::EQUAL, 0xf));
    }

    #[test]
    fn indexed_accessors_stay_inside_their_array() {
        let rule = watch_rule();
        let bytes = encode(&rule, false).unwrap();
        let buffer = RuleBuffer::new_checked(&bytes[..]).unwrap();
        assert_eq!(buffer.field(0), FieldType::WATCH.0);
        // fields[64] would be values[0] (the path's length): it reads as 0 instead.
        assert_eq!((buffer.field(64), buffer.value(64), buffer.fieldflags(64), buffer.mask_word(64)), (0, 0, 0, 0));
    }

    #[test]
    fn prepend_flag_is_dropped_and_unknown_lists_kept() {
        let mut bytes = encode(&watch_rule(), true).unwrap();
        assert_eq!(RuleBuffer::new_checked(&bytes[..]).unwrap().flags(), 0x14, "prepend is OR'ed into the list");
        assert_eq!(bytes[4..], encode(&watch_rule(), false).unwrap()[4..], "and changes nothing else");
        bytes[FLAGS..FLAGS + 4].copy_from_slice(&0x14u32.to_ne_bytes());
        assert_eq!(decode(&bytes).unwrap().list, FilterList::Exit);
        bytes[FLAGS..FLAGS + 4].copy_from_slice(&0x9u32.to_ne_bytes());
        assert_eq!(decode(&bytes).unwrap().list, FilterList::Other(9));
    }
}
