//! What the oracle tests of `events` and `report` share: finding and running the real
//! ausearch/aureport and dockaudit in one locale and time zone, comparing their outputs
//! (where they part: exit codes, line counts, the first differing line), ausearch's
//! grouping of events, the fixed random sequence the log generators draw from, and the
//! tally every oracle test ends with.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::util::dockaudit_bin;

/// The installed audit tool `name` (ausearch, aureport).
pub fn tool(name: &str) -> Option<PathBuf> {
    ["/usr/sbin", "/sbin"].iter().map(|d| Path::new(d).join(name)).find(|p| p.is_file())
}

/// Whether the test must be skipped for want of the tool `name` (said on stderr).
pub fn skip_without(name: &str) -> bool {
    if tool(name).is_none() {
        eprintln!("SKIPPED: {name} is not installed (apt-get install auditd)");
        return true;
    }
    false
}

/// Runs `program` in the time zone `tz` and the C locale, `stdin` given as its input.
pub fn run_in(program: &Path, args: &[&str], tz: &str, stdin: Option<&Path>) -> Output {
    let mut command = Command::new(program);
    command.args(args).env("TZ", tz).env("LC_ALL", "C");
    if let Some(file) = stdin {
        command.stdin(std::fs::File::open(file).unwrap());
    }
    command.output().unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()))
}

/// Runs `dockaudit OURS` and the tool `oracle` with `theirs` alike ([`run_in`]): our
/// output when both print the same bytes with the same exit status, else where they part.
pub fn compare_with(
    what: &str,
    ours: &[&str],
    oracle: &str,
    theirs: &[&str],
    tz: &str,
    stdin: Option<&Path>,
) -> Result<Output, String> {
    let a = run_in(&dockaudit_bin(), ours, tz, stdin);
    let b = run_in(&tool(oracle).expect("checked by the caller"), theirs, tz, stdin);
    let code = |o: &Output| o.status.code().unwrap_or(-1);
    if a.stdout == b.stdout && code(&a) == code(&b) {
        return Ok(a);
    }
    let (x, y) = (String::from_utf8_lossy(&a.stdout), String::from_utf8_lossy(&b.stdout));
    let at = x.lines().zip(y.lines()).position(|(p, q)| p != q).unwrap_or(x.lines().count().min(y.lines().count()));
    Err(format!(
        "{what} TZ={tz}: dockaudit {ours:?} (exit {}, {} lines) != {oracle} {theirs:?} (exit {}, {} lines); first differing line {}:\n ours:   {:?}\n theirs: {:?}\nstderr: {}",
        code(&a),
        x.lines().count(),
        code(&b),
        y.lines().count(),
        at + 1,
        x.lines().nth(at),
        y.lines().nth(at),
        String::from_utf8_lossy(&a.stderr),
    ))
}

/// `--format raw` cannot show where one event ends and the next begins; ausearch's default
/// form can (`----` between events, each event's lines last first, enrichment hidden). Our
/// JSON says how many records each event has, which cuts our raw lines into events: every
/// event must hold exactly the lines ausearch's holds. The number of ausearch's events,
/// or where they part.
pub fn compare_grouping(what: &str, file: &str, ours: &[&str], theirs: &[&str]) -> Result<usize, String> {
    let with = |format: &str| {
        let mut args = vec!["events", "--format", format, "--input", file];
        args.extend_from_slice(ours);
        run_in(&dockaudit_bin(), &args, "UTC", None).stdout
    };
    let counts: Vec<usize> = String::from_utf8_lossy(&with("json"))
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["auditd"]["records"].as_array().map_or(0, Vec::len)
        })
        .collect();
    let raw = String::from_utf8_lossy(&with("raw")).into_owned();
    let mut lines = raw.lines().map(|l| l.split('\x1d').next().unwrap_or(""));
    let ours_events: Vec<Vec<&str>> = counts.iter().map(|&n| lines.by_ref().take(n).collect()).collect();
    let mut args = vec!["-if", file];
    args.extend_from_slice(theirs);
    let ausearch = tool("ausearch").expect("checked by the caller");
    let text = String::from_utf8_lossy(&run_in(&ausearch, &args, "UTC", None).stdout).into_owned();
    let theirs_events: Vec<Vec<&str>> = text
        .split("----\n")
        .filter(|block| !block.is_empty())
        .map(|block| block.lines().skip(1).collect::<Vec<_>>().into_iter().rev().collect())
        .collect();
    if ours_events == theirs_events {
        return Ok(theirs_events.len());
    }
    let at = ours_events.iter().zip(&theirs_events).position(|(a, b)| a != b);
    Err(format!(
        "{what} {ours:?}: {} events vs ausearch's {}; first differing event {at:?}:\n ours:   {:?}\n theirs: {:?}",
        ours_events.len(),
        theirs_events.len(),
        at.map(|i| &ours_events[i]),
        at.map(|i| &theirs_events[i]),
    ))
}

/// Says how many comparisons `name` made, and fails with the first few failures.
pub fn assert_none_failed(name: &str, cases: usize, failures: &[String]) {
    eprintln!("{name}: {cases} comparisons, {} failed", failures.len());
    assert!(
        failures.is_empty(),
        "{} of {cases} failed; the first:\n{}",
        failures.len(),
        failures[..failures.len().min(8)].join("\n\n")
    );
}

/// xorshift64*: a fixed, dependency-free sequence so every run tests the same logs.
pub struct Rng(pub u64);

impl Rng {
    #[allow(clippy::should_implement_trait)] // a generator, not an iterator
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// One of `items`, owned (the items may borrow temporaries).
    pub fn pick(&mut self, items: &[&str]) -> String {
        self.pick_str(items).to_string()
    }
    /// One of `items`.
    pub fn pick_str<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// `text` as auditd writes an escaped value: upper-case hex.
pub fn hex(text: &[u8]) -> String {
    text.iter().map(|b| format!("{b:02X}")).collect()
}
