//! Any bytes as an audit_rule_data payload: decode must not panic, and whatever
//! decodes must list, serialize to JSON and re-encode to the same bytes' meaning.
#![no_main]

use dockaudit::rule::syscalls::Arch;
use dockaudit::rule::{binary, text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(rule) = binary::decode(data) {
        for arch in [Arch::X86_64, Arch::Aarch64] {
            let _ = text::to_text(&rule, arch);
        }
        let _ = dockaudit::report::inventory::rules_json(&[&rule], Arch::X86_64);
        if let Ok(bytes) = binary::encode(&rule, false) {
            assert_eq!(binary::decode(&bytes).as_ref(), Ok(&rule), "encode/decode round trip");
        }
    }
});
