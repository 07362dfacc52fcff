//! `bench`'s `--follow` throughput: records generated at a controlled rate on the host
//! kernel, read by `dockaudit events --follow --all --format raw`, counted on its stdout.
//!
//! It needs the host's audit enabled with one watch rule for as long as it runs. The
//! host is borrowed under the lock every host test takes ([`HostRules`]): its rules and
//! its settings (enabled, rate limit, backlog limit and wait) are saved first and put
//! back afterwards, also on failure, panic (xtask unwinds) or Ctrl-C (a handler turns
//! it into a normal stop). It never sets `-e 2` or `-f 2`, never registers an audit
//! daemon. Without auditd the kernel hands each record to printk after the multicast
//! copy, rate limited by printk_ratelimit (10 per 5 s), so the kernel log stays quiet.
//!
//! The records come from threads opening a watched temporary file: each open is one
//! event of five records (SYSCALL, CWD, PATH, PROCTITLE, EOE), paced to the asked rate.
//! Loss is counted independently of dockaudit (events generated minus the events of the
//! watch's key on its stdout) and compared with what dockaudit says it lost.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use dockaudit::kernel::Setting;

use crate::bench::HostRules;
use crate::{run_checked, XResult};

const KEY: &str = "dockaudit-follow-bench";
/// Records per open of the watched file.
const RECORDS_PER_EVENT: u64 = 5;
/// Room for bursts while kauditd catches up (the default, 64, makes writers wait).
pub const BACKLOG: u32 = 32_768;
pub const GENERATE: Duration = Duration::from_secs(5);
pub const THREADS: usize = 2;

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::Relaxed);
}

/// The host's audit settings and rules, borrowed; put back on drop.
struct HostAudit {
    saved: dockaudit::Status,
    /// Dropped after `drop` below has put the settings back: the rules come back last.
    _rules: HostRules,
}

impl HostAudit {
    fn borrow() -> XResult<HostAudit> {
        let rules = HostRules::borrow()?;
        let saved = client()?.status().map_err(|e| e.to_string())?;
        if saved.pid != 0 {
            return Err(format!("an audit daemon (pid {}) runs on this host; not touching its settings", saved.pid));
        }
        Ok(HostAudit { saved, _rules: rules })
    }

    fn settings(&self) -> Vec<(Setting, u32)> {
        let mut settings = vec![
            (Setting::Enabled, self.saved.enabled),
            (Setting::RateLimit, self.saved.rate_limit),
            (Setting::BacklogLimit, self.saved.backlog_limit),
        ];
        if let Some(wait) = self.saved.backlog_wait_time {
            settings.push((Setting::BacklogWaitTime, wait));
        }
        settings
    }
}

impl Drop for HostAudit {
    fn drop(&mut self) {
        let restored = client().and_then(|mut c| {
            for (setting, value) in self.settings() {
                c.set(setting, value).map_err(|e| format!("{setting:?} {value}: {e}"))?;
            }
            // A counter, not a setting: the waits of this run (if any) are not left behind.
            if self.saved.backlog_wait_time_actual == Some(0) {
                if let Some(auditctl) = crate::tools::auditctl_path() {
                    run_checked(Command::new(auditctl).arg("--reset_backlog_wait_time_actual"))?;
                }
            }
            c.status().map_err(|e| e.to_string())
        });
        match restored {
            Ok(now) if now.enabled == self.saved.enabled && now.backlog_limit == self.saved.backlog_limit => {
                eprintln!(
                    "bench: host audit settings restored (enabled {}, rate_limit {}, backlog_limit {})",
                    now.enabled, now.rate_limit, now.backlog_limit
                )
            }
            Ok(now) => eprintln!("bench: WARNING: host audit settings not as saved: {now:?}, wanted {:?}", self.saved),
            Err(why) => eprintln!("bench: WARNING: restoring the host's audit settings failed: {why}"),
        }
    }
}

fn client() -> XResult<dockaudit::AuditClient> {
    dockaudit::AuditClient::open().map_err(|e| e.to_string())
}

/// One follow run's counts.
pub struct FollowRun {
    /// Records per second asked for; 0: as fast as the threads go.
    pub asked: u64,
    pub generated_records: u64,
    pub generate_seconds: f64,
    pub generated_events: u64,
    /// Lines dockaudit wrote (it prints no EOE line when following: the event ends at PROCTITLE).
    pub received_records: u64,
    pub received_events: u64,
    /// Records of the generated events that never reached stdout.
    pub missing_records: u64,
    /// What dockaudit reported lost (receive buffer records; events missing by serial × 5).
    pub reported_records: u64,
    pub reported_events: u64,
    /// The kernel's own lost counter went up by this much (backlog or rate limit).
    pub kernel_lost: u64,
    pub rss_kib: Option<u64>,
    pub buffer_note: String,
}

impl FollowRun {
    pub fn generated_rate(&self) -> f64 {
        self.generated_records as f64 / self.generate_seconds
    }

    /// Every missing record accounted for by what dockaudit reported.
    pub fn loss_reported(&self) -> bool {
        self.missing_records <= self.reported_records + self.reported_events * RECORDS_PER_EVENT
    }
}

/// Runs the follow measurement at each rate (records/s; 0 = unthrottled).
pub fn bench_follow(dockaudit: &Path, rates: &[u64]) -> XResult<Vec<FollowRun>> {
    let auditctl = crate::tools::auditctl_path().ok_or("auditctl is missing (apt-get install auditd)")?;
    let dir = std::env::temp_dir().join(format!("dockaudit-follow-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let watched = dir.join("watched");
    std::fs::write(&watched, b"x").map_err(|e| format!("{}: {e}", watched.display()))?;
    // SAFETY: installs a handler that only stores to an atomic; restored below.
    let previous = unsafe {
        [libc::SIGINT, libc::SIGTERM].map(|s| (s, libc::signal(s, on_signal as *const () as libc::sighandler_t)))
    };
    let result = (|| {
        let host = HostAudit::borrow()?;
        let mut c = client()?;
        run_checked(Command::new(&auditctl).arg("-w").arg(&watched).args(["-p", "r", "-k", KEY]))?;
        for (setting, value) in
            [(Setting::RateLimit, 0), (Setting::BacklogLimit, BACKLOG.max(host.saved.backlog_limit))]
        {
            c.set(setting, value).map_err(|e| format!("{setting:?}: {e}"))?;
        }
        c.set(Setting::Enabled, 1).map_err(|e| format!("enable: {e}"))?;
        let mut runs = Vec::new();
        for &rate in rates {
            if INTERRUPTED.load(Ordering::Relaxed) {
                return Err("interrupted".to_string());
            }
            runs.push(one_run(dockaudit, &watched, rate, &mut c)?);
        }
        drop(host);
        Ok(runs)
    })();
    // SAFETY: puts back the dispositions saved above.
    unsafe {
        for (signal, handler) in previous {
            libc::signal(signal, handler);
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    if INTERRUPTED.load(Ordering::Relaxed) {
        return Err("interrupted (the host's audit state was restored)".into());
    }
    result
}

fn one_run(dockaudit: &Path, watched: &Path, rate: u64, client: &mut dockaudit::AuditClient) -> XResult<FollowRun> {
    let lost_before = client.status().map_err(|e| e.to_string())?.lost;
    let rss_file = std::env::temp_dir().join(format!("dockaudit-follow-rss-{}", std::process::id()));
    let seconds = GENERATE.as_secs_f64() + 3.0;
    let mut child = Command::new("/usr/bin/time")
        .args(["-f", "%M", "-o"])
        .arg(&rss_file)
        .arg(dockaudit)
        .args(["events", "--follow", "--all", "--format", "raw", "--duration", &seconds.to_string()])
        .env("TZ", "UTC")
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("/usr/bin/time {}: {e}", dockaudit.display()))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut stderr = child.stderr.take().ok_or("no stderr")?;
    let counter = std::thread::spawn(move || count_lines(stdout));
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    // Joining the group takes a moment; events from before it are not the reader's loss.
    std::thread::sleep(Duration::from_millis(1000));
    let (events, took) = generate(watched, rate);
    let status = child.wait().map_err(|e| e.to_string())?;
    let (received_records, received_events) = counter.join().map_err(|_| "the counting thread panicked")?;
    let stderr = errors.join().map_err(|_| "the stderr thread panicked")?;
    let lost_after = client.status().map_err(|e| e.to_string())?.lost;
    if !matches!(status.code(), Some(0 | 1)) {
        return Err(format!("dockaudit events --follow failed ({status}): {stderr}"));
    }
    let (reported_records, reported_events) = reported_loss(&stderr);
    let rss_kib =
        std::fs::read_to_string(&rss_file).ok().and_then(|t| t.lines().rev().find_map(|l| l.trim().parse().ok()));
    let _ = std::fs::remove_file(&rss_file);
    for line in stderr.lines().filter(|l| !l.is_empty()) {
        eprintln!("bench: follow at {}: {line}", if rate == 0 { "max".to_string() } else { rate.to_string() });
    }
    Ok(FollowRun {
        asked: rate,
        generated_records: events * RECORDS_PER_EVENT,
        generate_seconds: took.as_secs_f64(),
        generated_events: events,
        received_records,
        received_events,
        missing_records: events.saturating_sub(received_events) * RECORDS_PER_EVENT,
        reported_records,
        reported_events,
        kernel_lost: u64::from(lost_after.wrapping_sub(lost_before)),
        rss_kib,
        buffer_note: format!("default --buffer ({} MiB asked)", dockaudit::kernel::DEFAULT_STREAM_BUFFER >> 20),
    })
}

/// Lines on stdout (records) and SYSCALL records of the watch's key (events).
fn count_lines(stdout: impl Read) -> (u64, u64) {
    let mut reader = BufReader::with_capacity(1 << 20, stdout);
    let needle = format!("key=\"{KEY}\"");
    let (mut records, mut events) = (0, 0);
    let mut line = Vec::with_capacity(1024);
    while reader.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) {
        records += 1;
        if line.starts_with(b"type=SYSCALL ") && line.windows(needle.len()).any(|w| w == needle.as_bytes()) {
            events += 1;
        }
        line.clear();
    }
    (records, events)
}

/// dockaudit's own account: `lost N record(s)` per overrun, `lost N event(s)` per gap.
fn reported_loss(stderr: &str) -> (u64, u64) {
    let mut records = 0;
    let mut events = 0;
    for line in stderr.lines() {
        let Some(rest) = line.strip_prefix("dockaudit: lost ") else { continue };
        let mut words = rest.split_whitespace();
        let n: u64 = words.next().and_then(|w| w.parse().ok()).unwrap_or(0);
        match words.next() {
            Some("record(s):") => records += n,
            Some("event(s):") => events += n,
            _ => {}
        }
    }
    (records, events)
}

/// Opens `watched` from THREADS threads for GENERATE, `rate` records/s in all (0: flat
/// out); the events done and the time it took.
fn generate(watched: &Path, rate: u64) -> (u64, Duration) {
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let per_thread = rate as f64 / RECORDS_PER_EVENT as f64 / THREADS as f64;
    let threads: Vec<_> = (0..THREADS)
        .map(|_| {
            let done = Arc::clone(&done);
            let path = PathBuf::from(watched);
            std::thread::spawn(move || {
                let mut mine = 0u64;
                while started.elapsed() < GENERATE && !INTERRUPTED.load(Ordering::Relaxed) {
                    if rate > 0 && mine as f64 >= per_thread * started.elapsed().as_secs_f64() {
                        std::thread::sleep(Duration::from_micros(200));
                        continue;
                    }
                    for _ in 0..8 {
                        if std::fs::File::open(&path).is_ok() {
                            mine += 1;
                        }
                    }
                }
                done.fetch_add(mine, Ordering::Relaxed);
            })
        })
        .collect();
    for t in threads {
        let _ = t.join();
    }
    (done.load(Ordering::Relaxed), started.elapsed())
}
