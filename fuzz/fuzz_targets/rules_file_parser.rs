//! Any text as a rules file: parse must not panic, and every rule it accepts must
//! encode to bytes the decoder reads back as the same rule.
#![no_main]

use dockaudit::rule::binary;
use dockaudit::rule::syscalls::Arch;
use dockaudit::rules_file::{parse, Entry, Resolver};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // An empty root: names resolve from nothing, so no host file shapes the result.
    let resolver = Resolver::new("/nonexistent-fuzz-root").with_arch(Arch::X86_64);
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(lines) = parse(text, "fuzz.rules", &resolver) {
        for line in lines {
            if let Entry::Rule { rule, .. } = line.entry {
                let bytes = binary::encode(&rule, false).expect("parsed rules encode");
                assert_eq!(binary::decode(&bytes).as_ref(), Ok(&rule));
            }
        }
    }
});
