//! The search end to end over in-memory logs.

use super::*;

fn log(dir: &Path, name: &str, text: &str) -> Source {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    Source::File(path)
}

fn tempdir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dockaudit-events-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const LOG: &str = "\
type=SYSCALL msg=audit(100.000:1): arch=c000003e syscall=87 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=2 ppid=1 pid=10 auid=0 uid=0 comm=\"rm\" exe=\"/usr/bin/rm\" key=\"docker\"
garbage line
type=PATH msg=audit(100.000:1): item=0 name=\"/etc/docker/x\"
type=SYSCALL msg=audit(100.500:2): arch=c000003e syscall=2 success=no exit=-2 a0=1 a1=2 a2=3 a3=4 items=0 ppid=1 pid=11 auid=0 uid=0 comm=\"cat\" exe=\"/usr/bin/cat\" key=(null)
type=EOE msg=audit(100.000:1): 
type=EOE msg=audit(100.500:2): 
type=SYSCALL msg=audit(101";

#[test]
fn raw_search_selects_reports_and_tolerates_a_partial_line() {
    let dir = tempdir("raw");
    let source = log(&dir, "audit.log", LOG);
    let options = Options { format: Format::Raw, eoe_timeout: 2, names: Names::default(), labels: Labels::default() };
    let query = Query { key: Some("dock".into()), ..Query::default() };
    let mut out = Vec::new();
    let summary = search(&query, &[source], &options, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = LOG.lines().collect();
    assert_eq!(text, format!("{}\n{}\n{}\n", lines[0], lines[2], lines[4]));
    assert_eq!((summary.events, summary.selected, summary.malformed, summary.records), (2, 1, 1, 5));
    assert!(summary.truncated_last_line);
    assert_eq!(
        summary.malformed_lines[0].to_string(),
        format!(
            "{}:2: skipped: the line does not start with `type=` (or `node=NAME type=`)",
            dir.join("audit.log").display()
        )
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn json_and_text_formats() {
    let dir = tempdir("json");
    let source = log(&dir, "audit.log", LOG);
    let query = Query { pid: Some(11), ..Query::default() };
    let mut out = Vec::new();
    let options = Options { format: Format::Json, eoe_timeout: 2, names: Names::default(), labels: Labels::default() };
    search(&query, std::slice::from_ref(&source), &options, &mut out).unwrap();
    let event: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(event["schema_version"], 1);
    assert_eq!(event["process"]["pid"], 11);
    assert_eq!(event["auditd"]["errno"], "ENOENT");
    assert_eq!(event["auditd"]["syscall"], "open");
    assert_eq!(event["event"]["outcome"], "failure");
    let mut out = Vec::new();
    let options = Options { format: Format::Text, ..options };
    search(&query, &[source], &options, &mut out).unwrap();
    assert!(String::from_utf8(out).unwrap().contains(" open failed ENOENT exe=\"/usr/bin/cat\""));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn docker_selection_and_json_controls() {
    let dir = tempdir("controls");
    let source = log(&dir, "audit.log", LOG);
    let labels = Labels {
        paths: vec![
            (PathMatch::dir("/etc/docker"), "1.1.6".into()),
            (PathMatch::file("/usr/bin/runc"), "1.1.18".into()),
        ],
        keys: vec![("runc-exec".into(), "1.1.18".into())],
    };
    let options = Options { format: Format::Json, eoe_timeout: 2, names: Names::default(), labels };
    let controls = |query: &Query| {
        let mut out = Vec::new();
        search(query, std::slice::from_ref(&source), &options, &mut out).unwrap();
        String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["controls"].clone())
            .collect::<Vec<_>>()
    };
    // Every event gets the field; the one under /etc/docker names its control.
    assert_eq!(controls(&Query::default()), [serde_json::json!(["1.1.6"]), serde_json::json!([])]);
    // The selectors: a tree, and an exact key ORed with it; `dock` is not the key `docker`.
    let by_path = Query { paths: vec![PathMatch::dir("/etc/docker")], ..Query::default() };
    assert_eq!(controls(&by_path).len(), 1);
    let by_key = Query { keys_any: vec!["dock".into()], ..Query::default() };
    assert!(controls(&by_key).is_empty());
    let either = Query { keys_any: vec!["docker".into()], paths: vec![PathMatch::file("/usr/bin/runc")], ..by_key };
    assert_eq!(controls(&either).len(), 1);
    // Without labels, no field: the JSON of an ausearch-like search is unchanged.
    let plain = Options { labels: Labels::default(), ..options.clone() };
    let mut out = Vec::new();
    search(&Query::default(), &[source], &plain, &mut out).unwrap();
    assert!(!String::from_utf8(out).unwrap().contains("\"controls\""));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn gzip_inputs_are_read_transparently() {
    use std::io::Write as _;
    let dir = tempdir("gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(LOG.as_bytes()).unwrap();
    std::fs::write(dir.join("audit.log.1.gz"), gz.finish().unwrap()).unwrap();
    std::fs::write(dir.join("audit.log"), "").unwrap();
    let sources = resolve(Path::new("/"), &[Input::Path(dir.clone())]).unwrap();
    let options = Options { format: Format::Raw, eoe_timeout: 2, names: Names::default(), labels: Labels::default() };
    let summary = search(&Query::default(), &sources, &options, &mut Vec::new()).unwrap();
    assert_eq!((summary.files, summary.events), (2, 2));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn selector_values() {
    let names = Names::default();
    assert_eq!(user_filter("42", &names).unwrap(), UserFilter::Id(42));
    assert!(matches!(user_filter("nobody-here", &names), Err(EventsError::UnknownUser(_))));
    assert_eq!(syscall_filter("openat").unwrap(), SyscallFilter::Name("openat".into()));
    assert_eq!(syscall_filter("257").unwrap(), SyscallFilter::Number(257));
    assert!(syscall_filter("frobnicate").is_err());
    assert!(success_filter("maybe").is_err());
}
