//! Any bytes as a datagram from the kernel: several messages, bad lengths, padding.
//! Splitting and decoding each payload as the client would must not panic.
#![no_main]

use dockaudit::kernel::{error_code, messages};
use dockaudit::rule::binary;
use dockaudit::{Features, Status};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for message in messages(data) {
        let Ok(message) = message else { break };
        match message.kind {
            2 => drop(error_code(message.payload)),
            1000 => drop(Status::decode(message.payload)),
            1013 => drop(binary::decode(message.payload)),
            1019 => drop(Features::decode(message.payload)),
            _ => {}
        }
    }
});
