//! Any bytes as audit.log: every line parsed, the records reassembled (with an 8 KiB
//! memory bound: about six events in flight, so forced completion is reached by short
//! inputs too), every event selected, printed raw, interpreted, as JSON and as text, and
//! read as aureport reads it (also from a reassembler that stores SYSCALL lines only,
//! as `report` does).
//! Nothing may panic, and no accepted record may be lost or duplicated: the emitted
//! events hold exactly the records the reassembler kept. The same lines are also
//! followed (`--follow`'s loop, a line starting with `!` standing for an overrun), and
//! each is turned into a multicast record's log line.
#![no_main]

use dockaudit::events::aureport::{scan, Wanted};
use dockaudit::events::{
    follow, log_line, render, types, EndRules, Event, Feed, Format, Item, Labels, Lines, Names, NoContainers, Options,
    PathMatch, Query, Reassembler, Record, SyscallFilter, Until, UserFilter,
};
use libfuzzer_sys::fuzz_target;

fn out_json(event: &Event, names: &Names) -> Vec<u8> {
    let mut out = Vec::new();
    render(event, Format::Json, names, &mut out);
    out
}

/// The input's lines as a followed stream.
struct Script<'a> {
    lines: Lines<&'a [u8]>,
    line: Vec<u8>,
}

impl Feed for Script<'_> {
    fn next(&mut self, _: std::time::Duration) -> std::io::Result<Item<'_>> {
        Ok(match self.lines.next_line() {
            Ok(Some((_, line, _))) if line.first() == Some(&b'!') => Item::Overrun(line.get(1).map(|&b| u64::from(b))),
            Ok(Some((_, line, _))) if line.is_empty() => Item::Idle,
            Ok(Some((_, line, _))) => {
                self.line.clear();
                self.line.extend_from_slice(line);
                Item::Line(&self.line)
            }
            _ => Item::End,
        })
    }
    fn kernel_serials(&self) -> bool {
        true
    }
    fn name(&self) -> String {
        "fuzz".into()
    }
}

fuzz_target!(|data: &[u8]| {
    let names = Names::default();
    let queries = [
        Query::default(),
        Query {
            key: Some("docker".into()),
            path: Some("/etc".into()),
            exe: Some("d".into()),
            pid: Some(1),
            uid: Some(UserFilter::Name("root".into())),
            auid: Some(UserFilter::Id(0)),
            syscall: Some(SyscallFilter::Name("openat".into())),
            success: Some(true),
            start: Some(1),
            end: Some(u64::MAX / 2),
            exact: false,
            paths: Vec::new(),
            keys_any: Vec::new(),
            interpret: true,
        },
        Query { key: Some(String::new()), exact: true, ..Query::default() },
        // The Docker selection: files and keys ORed, with a directory tree.
        Query {
            paths: vec![PathMatch::dir("/etc/docker"), PathMatch::file("/usr/sbin/runc")],
            keys_any: vec!["docker".into()],
            ..Query::default()
        },
    ];
    // The first byte picks the rules and the timeout, so both paths are fuzzed.
    let (rules, timeout, data) = match data.split_first() {
        Some((b, rest)) => {
            (if b & 1 == 0 { EndRules::Ausearch } else { EndRules::Auparse }, u64::from(b >> 1 & 7), rest)
        }
        None => (EndRules::Ausearch, 2, data),
    };
    let mut reassembler = Reassembler::with_limit(rules, timeout, 8192);
    let (mut kept, mut emitted) = (0usize, 0usize);
    let mut out = Vec::new();
    let mut check = |event: &Event| {
        emitted += event.len();
        assert!(!event.is_empty());
        for query in &queries {
            let _ = query.matches(event.records(), &names);
        }
        for format in [Format::Raw, Format::Interpret, Format::Json, Format::Text] {
            out.clear();
            render(event, format, &names, &mut out);
        }
        let json: serde_json::Value = serde_json::from_slice(&out_json(event, &names)).expect("valid JSON");
        assert!(json.is_object());
    };
    let mut lines = Lines::new(data);
    while let Ok(Some((_, line, _))) = lines.next_line() {
        if let Ok(record) = Record::parse(line) {
            for (_, value) in record.fields() {
                let _ = (value.text(), value.int(), value.inner_fields().count());
            }
            let _ = record.enrichment_fields().count();
            if reassembler.push(&record, &mut check) {
                kept += 1;
            }
        }
    }
    reassembler.finish(&mut check);
    assert_eq!(kept, emitted, "records kept and records emitted differ");

    let every = Wanted { exe: true, key: true, file: true, comm: true, terminal_host: true, uid: true };
    let mut reassembler = Reassembler::with_limit(rules, timeout, 8192).storing(|kind| kind == types::SYSCALL);
    let (mut kept, mut emitted) = (0usize, 0usize);
    let mut check = |event: &Event| {
        emitted += event.len();
        assert!(event.records().all(|r| r.kind == types::SYSCALL), "only SYSCALL lines were stored");
        let _ = scan(event.records(), every);
        let _ = scan(event.records(), Wanted::default());
    };
    let mut lines = Lines::new(data);
    while let Ok(Some((_, line, _))) = lines.next_line() {
        if let Ok(record) = Record::parse(line) {
            if reassembler.push(&record, &mut check) {
                kept += 1;
            }
        }
    }
    reassembler.finish(&mut check);
    assert_eq!(kept, emitted, "records kept and records counted differ when lines are not stored");

    let mut converted = Vec::new();
    let mut lines = Lines::new(data);
    while let Ok(Some((_, line, _))) = lines.next_line() {
        log_line(line.len() as u16, line, &mut converted);
        let _ = Record::parse(&converted);
    }
    for format in [Format::Json, Format::Text, Format::Interpret] {
        let options = Options { format, eoe_timeout: timeout, names: Names::default(), labels: Labels::default() };
        let mut feed = Script { lines: Lines::new(data), line: Vec::new() };
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let summary =
            follow(&queries[0], &mut feed, &options, &Until::default(), &mut NoContainers, &mut out, &mut err)
                .expect("writing to memory cannot fail");
        assert!(summary.selected <= summary.events);
    }
});
