use std::collections::VecDeque;

use super::*;
use crate::events::{Labels, Names, PathMatch};

/// A feed that plays back a script (an empty line is a quiet moment), then ends.
struct Script {
    items: VecDeque<Result<Vec<u8>, Option<u64>>>,
    line: Vec<u8>,
}

impl Feed for Script {
    fn next(&mut self, _: Duration) -> std::io::Result<Item<'_>> {
        Ok(match self.items.pop_front() {
            None => Item::End,
            Some(Err(dropped)) => Item::Overrun(dropped),
            Some(Ok(line)) if line.is_empty() => Item::Idle,
            Some(Ok(line)) => {
                self.line = line;
                Item::Line(&self.line)
            }
        })
    }
    fn kernel_serials(&self) -> bool {
        true
    }
    fn name(&self) -> String {
        "script".into()
    }
}

fn feed(items: &[Result<&str, Option<u64>>]) -> Script {
    Script { items: items.iter().map(|i| i.map(|l| l.as_bytes().to_vec())).collect(), line: Vec::new() }
}

struct OneContainer;

impl Containers for OneContainer {
    fn of(&mut self, pid: Option<u32>, ppid: Option<u32>) -> Option<Container> {
        (pid == Some(42) || ppid == Some(7)).then(|| Container { id: "ab".repeat(32), name: Some("web".into()) })
    }
}

fn options(format: Format) -> Options {
    Options { format, eoe_timeout: 2, names: Names::default(), labels: Labels::default() }
}

const OPEN: [&str; 3] = [
    "type=SYSCALL msg=audit(1700000000.100:10): arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=7ffd1 a2=0 a3=0 items=1 ppid=7 pid=42 auid=4294967295 uid=0 exe=\"/usr/bin/cat\" key=\"docker\"",
    "type=PATH msg=audit(1700000000.100:10): item=0 name=\"/etc/docker/daemon.json\"",
    "type=PROCTITLE msg=audit(1700000000.100:10): proctitle=636174",
];

fn run(items: &[Result<&str, Option<u64>>], options: &Options, until: &Until<'_>) -> (String, String, FollowSummary) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let query = Query::default();
    let summary = follow(&query, &mut feed(items), options, until, &mut OneContainer, &mut out, &mut err).unwrap();
    (String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap(), summary)
}

#[test]
fn an_event_is_written_at_its_proctitle_with_its_container() {
    let items: Vec<_> = OPEN.iter().map(|l| Ok(*l)).collect();
    let (out, err, summary) = run(&items, &options(Format::Text), &Until::default());
    assert!(out.ends_with(" key=docker container=web(abababababab)\n"), "{out}");
    assert_eq!(err, "");
    assert_eq!((summary.records, summary.events, summary.selected), (3, 1, 1));
    let mut with_labels = options(Format::Json);
    with_labels.labels = Labels { paths: vec![(PathMatch::dir("/etc/docker"), "1.1.6".into())], keys: vec![] };
    let (out, _, _) = run(&items, &with_labels, &Until::default());
    let json: serde_json::Value = serde_json::from_str(out.trim_end()).unwrap();
    assert_eq!(json["container"], serde_json::json!({"id": "ab".repeat(32), "name": "web"}));
    assert_eq!(json["controls"], serde_json::json!(["1.1.6"]));
}

#[test]
fn overruns_are_reported_on_stderr_and_as_json_loss_objects() {
    let mut items: Vec<_> = vec![Err(Some(17)), Err(None)];
    items.extend(OPEN.iter().map(|l| Ok(*l)));
    let (out, err, summary) = run(&items, &options(Format::Json), &Until::default());
    assert!(err.contains("lost 17 record(s): the receive buffer overflowed"), "{err}");
    assert!(err.contains("how many is unknown"), "{err}");
    let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert_eq!(lines[0]["loss"], serde_json::json!({"records": 17, "cause": "receive-buffer"}));
    assert_eq!(lines[0]["event"]["kind"], "pipeline_error");
    assert_eq!(lines[1]["loss"]["records"], serde_json::Value::Null);
    assert_eq!(lines[2]["event"]["sequence"], 10);
    assert_eq!((summary.lost_records, summary.uncounted_overruns), (17, 1));
}

#[test]
fn stops_after_the_asked_number_of_events_and_skips_malformed_lines() {
    let second: Vec<String> = OPEN.iter().map(|l| l.replace(":10)", ":11)")).collect();
    let mut items: Vec<Result<&str, Option<u64>>> = vec![Ok("garbage")];
    items.extend(OPEN.iter().map(|l| Ok(*l)));
    items.extend(second.iter().map(|l| Ok(l.as_str())));
    let until = Until { events: Some(1), ..Until::default() };
    let (out, _, summary) = run(&items, &options(Format::Raw), &until);
    assert_eq!(out.lines().count(), 3, "{out}");
    assert_eq!((summary.selected, summary.malformed), (1, 1));
    let stop = AtomicBool::new(true);
    let (out, _, summary) = run(&items, &options(Format::Raw), &Until { signal: Some(&stop), ..Until::default() });
    assert_eq!((out.as_str(), summary.records), ("", 0));
}

#[test]
fn an_event_without_proctitle_ends_with_the_input_or_a_quiet_moment_past_its_time() {
    let (out, _, summary) = run(&[Ok(OPEN[0]), Ok(OPEN[1])], &options(Format::Raw), &Until::default());
    assert_eq!((out.lines().count(), summary.events), (2, 1), "{out}");
    // Stamped long ago by the wall clock: a quiet moment ends it before its PATH comes.
    let (out, _, summary) = run(&[Ok(OPEN[0]), Ok(""), Ok(OPEN[1])], &options(Format::Raw), &Until::default());
    assert_eq!((out.lines().count(), summary.events), (2, 2), "{out}");
}
