//! The command line's definitions: the clap derive structs the binary parses and
//! `cargo xtask dist` turns into the man pages and shell completions, so the help
//! text, the man pages and the completions cannot disagree.

use std::path::PathBuf;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use crate::judge::Benchmark;
use crate::report;
use crate::rule::syscalls::Arch;

/// The exit codes, shown under `--help` (and in the man pages).
pub const EXIT_CODES: &str = "\
Exit codes:
  0  success (for check: no control failed, is weak or could not be judged, and no
     host check failed)
  1  findings (check: a control failed, is weak or could not be judged, or a host
     check failed; load: the kernel refused a line and everything was rolled back,
     its rules are locked, or a line failed after -c (the rest loaded); fix: a control cannot be fixed by adding a rule, the
     kernel refused (rolled back), its rules are locked, or the file cannot be written;
     events: no event matched, or none while following; report: a detailed report
     found no event)
  2  usage error (unknown flag, benchmark version or control id; load, check --rules,
     fix --rules: a rule file cannot be read or parsed; events, report: an input cannot
     be read)
  3  the audit state could not be read: missing CAP_AUDIT_CONTROL (events --follow:
     CAP_AUDIT_READ), not in the host pid namespace, a user namespace, a kernel without
     audit, or a kernel error";

// The parsed command line. `//`, not `///`: a doc comment here would become the
// `--help` long about, which must stay the Cargo.toml description.
#[allow(missing_docs)]
#[derive(Parser)]
#[command(name = "dockaudit", version, about, after_help = EXIT_CODES)]
pub struct Args {
    // The one subcommand given; clap refuses a command line without one.
    #[command(subcommand)]
    pub command: Command,
}

/// `list --format` and `status --format`; `check` takes `report::Format`.
// The variants stay without `///`: a doc comment on a value would add it to `--help`.
#[allow(missing_docs)]
#[derive(Clone, Copy, ValueEnum)]
pub enum ListFormat {
    // auditctl's own output, byte for byte.
    Text,
    // A JSON document for machines (`inventory::rules_json` / `status_json`).
    Json,
}

/// The exit codes of `events`.
pub const EVENTS_EXIT_CODES: &str = "\
Exit codes:
  0  events found
  1  no event matched
  2  usage error, or an input cannot be read";

/// `dockaudit events`: what the audit rules recorded, searched like `ausearch`.
#[derive(clap::Args)]
pub struct EventsArgs {
    /// Events with a key containing KEY (like `ausearch -k`; --word for exact).
    #[arg(short, long)]
    pub key: Option<String>,
    /// String options (--key, --path, --exe) match whole values, not substrings.
    #[arg(short, long)]
    pub word: bool,
    /// Events on a file name containing PATH (or run in a directory containing it).
    #[arg(short = 'f', long)]
    pub path: Option<String>,
    /// Events of an executable containing EXE.
    #[arg(short = 'x', long)]
    pub exe: Option<String>,
    /// Events of this process id.
    #[arg(short, long)]
    pub pid: Option<u32>,
    /// Events of this user id (number or name from /etc/passwd).
    #[arg(long)]
    pub uid: Option<String>,
    /// Events of this login (audit) user id (number or name).
    #[arg(long)]
    pub auid: Option<String>,
    /// Events of this syscall (name or number).
    #[arg(long)]
    pub syscall: Option<String>,
    /// Events that succeeded (yes) or failed (no).
    #[arg(long, value_name = "yes|no")]
    pub success: Option<String>,
    /// Events on the file a CIS control judges (ids of the default benchmark, comma-separated
    /// or repeated, as check's --only).
    ///
    /// The file discovery finds under --root, its CIS path and the symlinks to it, matched
    /// exactly against the events' file names (PATH `name=`, relative ones joined to the
    /// CWD, `.` and `..` folded); for a directory control (/var/lib/docker, /etc/docker,
    /// /run/containerd) anything under it too. JSON events carry the ids of the controls
    /// they belong to (`controls`), by file and by the keys of the rules covering them.
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub control: Vec<String>,
    /// Without any selector, every event (as ausearch without options) instead of the
    /// Docker events.
    #[arg(long)]
    pub all: bool,
    /// The logs read and the time window.
    #[command(flatten)]
    pub log: LogArgs,
    /// Output form. (No `-i`: ausearch's interpret is `--format interpret`.)
    #[arg(long, value_enum, default_value = "text")]
    pub format: crate::events::Format,
    /// Print events as they happen: from the kernel's audit multicast stream (needs
    /// CAP_AUDIT_READ only; with or without auditd; never registers as the audit daemon),
    /// or with --input FILE from that file as it is written, across rotation (from its end,
    /// or from its start with --start). Lost records are reported on stderr (and as a
    /// `loss` object in JSON); events carry their container. Stops on SIGINT or SIGTERM.
    #[arg(long)]
    pub follow: bool,
    /// With --follow: the receive buffer to ask the kernel for, in bytes (K, M suffixes).
    #[arg(long, value_name = "BYTES", default_value = "32M", value_parser = byte_size, requires = "follow")]
    pub buffer: usize,
    /// With --follow: stop after N selected events.
    #[arg(long, value_name = "N", requires = "follow")]
    pub max_events: Option<u64>,
    /// With --follow: stop after SECONDS.
    #[arg(long, value_name = "SECONDS", requires = "follow")]
    pub duration: Option<f64>,
}

fn byte_size(v: &str) -> Result<usize, String> {
    let (digits, unit) = match v.strip_suffix(['K', 'k']) {
        Some(d) => (d, 1 << 10),
        None => match v.strip_suffix(['M', 'm']) {
            Some(d) => (d, 1 << 20),
            None => (v, 1),
        },
    };
    digits
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(unit))
        .filter(|n| (4096..=1 << 30).contains(n))
        .ok_or_else(|| format!("{v:?} is not a size from 4K to 1024M"))
}

/// The exit codes of `report`.
pub const REPORT_EXIT_CODES: &str = "\
Exit codes:
  0  the report was printed (a summary, even an empty one)
  1  a detailed report found no event (aureport's exit status)
  2  usage error, or an input cannot be read";

/// `dockaudit report`: aureport's counts, natively.
#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("kind").required(true).args(["key", "file", "exe", "syscall", "user", "control"])))]
pub struct ReportArgs {
    /// Key report (aureport -k): events by their rule's key.
    #[arg(short, long)]
    pub key: bool,
    /// File report (aureport -f): events by the file they name.
    #[arg(short, long)]
    pub file: bool,
    /// Executable report (aureport -x).
    #[arg(short = 'x', long)]
    pub exe: bool,
    /// Syscall report (aureport -s), by syscall number.
    #[arg(short, long)]
    pub syscall: bool,
    /// User report (aureport -u), by audit (login) user id.
    #[arg(short, long)]
    pub user: bool,
    /// Events by the CIS control whose file they name or whose rule's key they carry (the
    /// files and keys `events --control` and its JSON "controls" use).
    #[arg(long)]
    pub control: bool,
    /// Counts by value, most first, instead of one row per event (aureport --summary).
    #[arg(long)]
    pub summary: bool,
    /// Only events that failed.
    #[arg(long, conflicts_with = "success")]
    pub failed: bool,
    /// Only events that succeeded.
    #[arg(long)]
    pub success: bool,
    /// Leave out events that begin with a CONFIG_CHANGE record, such as rule loads
    /// (aureport -nc).
    #[arg(long, visible_alias = "nc")]
    pub no_config: bool,
    /// The logs read and the time window.
    #[command(flatten)]
    pub log: LogArgs,
    /// Output form: aureport's text, or one JSON document.
    #[arg(long, value_enum, default_value = "text")]
    pub format: crate::events::aureport::ReportFormat,
}

/// What `events` and `report` both read: the time window, the logs and the root they
/// are found under.
#[derive(clap::Args)]
pub struct LogArgs {
    /// Events at or after: ISO 8601, epoch seconds, "MM/DD/YY HH:MM:SS" (time optional), or now, recent,
    /// boot, today, yesterday, this-week, week-ago, this-month, this-year.
    #[arg(long, value_name = "TIME")]
    pub start: Option<String>,
    /// Events at or before (same forms as --start).
    #[arg(long, value_name = "TIME")]
    pub end: Option<String>,
    /// Read FILE, a directory's audit.log and its rotations, or `-` (stdin); repeatable.
    /// Default: log_file of /etc/audit/auditd.conf and its rotations, oldest first.
    /// `.gz` files are decompressed.
    #[arg(long, visible_alias = "if", value_name = "FILE|DIR|-")]
    pub input: Vec<String>,
    /// Read auditd.conf, the default log, the user names (events) and (for --control) the
    /// Docker files and rule files under DIR instead of /.
    #[arg(long, value_name = "DIR", default_value = "/")]
    pub root: PathBuf,
}

/// `--arch`: the machine names libaudit accepts (`audit_name_to_machine`) that we have
/// a syscall table for.
fn arch(v: &str) -> Result<Arch, String> {
    Arch::from_name(v).ok_or_else(|| format!("unknown arch {v:?}; known: x86_64, i386 (i686), aarch64, arm (armv7l)"))
}

fn benchmark(v: &str) -> Result<Benchmark, String> {
    Benchmark::from_version(v)
        .ok_or_else(|| format!("unknown benchmark version {v:?}; known: 1.2.0, 1.3.1-1.6.0, 1.7.0"))
}

// One variant per subcommand. `//`, not `///`, on this enum and on the `format`
// fields: their doc comments would change `--help`, which the man pages and tests pin.
#[allow(missing_docs)]
#[derive(Subcommand)]
pub enum Command {
    /// Print the kernel's audit rules exactly as `auditctl -l` does.
    List {
        /// Only rules with a key containing KEY (like `auditctl -l -k KEY`).
        #[arg(short, long)]
        key: Option<String>,
        // Both forms select by `--key` alike; only `text` prints auditctl's "No rules".
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
    },
    /// Print the kernel's audit status exactly as `auditctl -s` does.
    Status {
        // Either form shows loginuid_immutable only if the kernel answers AUDIT_GET_FEATURE.
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
    },
    /// Load rule files into the kernel like `auditctl -R`, all or nothing.
    Load {
        /// Rule files in auditctl syntax; `-` reads standard input.
        #[arg(required = true)]
        files: Vec<String>,
        /// Parse and print what would be sent; touches nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Judge the kernel's audit rules against the CIS Docker Benchmark's audit controls.
    ///
    /// Each control is pass, weak, fail, not_applicable or error, with its reasons, the
    /// rules it rests on (auditctl -l form) and the CIS remediation line. Host checks
    /// (audit enabled, auditd running, rules locked, lost events, backlog limit) are
    /// reported beside the controls.
    #[command(after_help = EXIT_CODES)]
    Check {
        /// CIS Docker Benchmark version: 1.6.0 (also 1.3.1-1.5.0), 1.7.0 or 1.2.0.
        #[arg(long, default_value = "1.6.0", value_parser = benchmark)]
        benchmark: Benchmark,
        // The report's form: text, json, sarif, junit or prometheus.
        #[arg(long, value_enum, default_value = "text")]
        format: report::Format,
        /// Demand the CIS line exactly: -p rwxa (war for /run/containerd) and -k docker.
        #[arg(long)]
        strict: bool,
        /// Only these control ids (comma-separated).
        #[arg(long, value_delimiter = ',', value_name = "IDS")]
        only: Vec<String>,
        /// Skip these control ids (comma-separated).
        #[arg(long, value_delimiter = ',', value_name = "IDS")]
        skip: Vec<String>,
        /// Judge offline a root filesystem (an image, a mounted disk): applicability from
        /// its files, rules from its persistent rule files; no kernel, no capability.
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
        /// Judge offline these rule files (read like auditctl -R; `-` is standard input)
        /// against the files of / (or of --root).
        #[arg(long, value_name = "FILE")]
        rules: Vec<String>,
        /// Offline: judge for a kernel of this arch (x86_64, i386, aarch64, arm), whatever
        /// the root's kernel config or programs say: bare -S names, arch=b64 and whether
        /// 32-bit coverage is asked (from the root's kernel configs for that arch).
        #[arg(long, value_name = "ARCH", value_parser = arch, conflicts_with_all = ["host_root", "prove"])]
        arch: Option<Arch>,
        /// Judge the kernel's rules (not offline) against the host's files seen under DIR:
        /// for a container with the host's / mounted there (-v /:/host:ro).
        #[arg(long, value_name = "DIR", conflicts_with_all = ["root", "rules"])]
        host_root: Option<PathBuf>,
        /// Prove that each passing or weak control is recorded: while listening on the
        /// kernel's record stream, make a harmless access to each judged file that its rule
        /// must record (an open for writing the kernel refuses, the removal of an attribute
        /// that does not exist, or an open for reading that reads nothing; never a change,
        /// never an execution), and report whether the record arrived and reached auditd's
        /// log. Needs CAP_AUDIT_READ as well. This writes one audit record per probed control,
        /// by design: each carries the key of the rule that records the file (e.g. docker)
        /// and dockaudit's pid and command line.
        #[arg(long, conflicts_with_all = ["root", "rules"])]
        prove: bool,
    },
    /// Print the rules that turn every failing or weak control into a pass; write,
    /// apply or revert them.
    ///
    /// One rule per control, the CIS line under a `# ID title` comment. Without
    /// --root/--rules the kernel's rules are judged; --write judges what boot loads
    /// (the persistent rule files, without FILE itself).
    #[command(after_help = EXIT_CODES)]
    Fix {
        /// CIS Docker Benchmark version: 1.6.0 (also 1.3.1-1.5.0), 1.7.0 or 1.2.0.
        #[arg(long, default_value = "1.6.0", value_parser = benchmark)]
        benchmark: Benchmark,
        /// Also fix controls that pass but not with the CIS line exactly.
        #[arg(long)]
        strict: bool,
        /// Only these control ids (comma-separated).
        #[arg(long, value_delimiter = ',', value_name = "IDS")]
        only: Vec<String>,
        /// Skip these control ids (comma-separated).
        #[arg(long, value_delimiter = ',', value_name = "IDS")]
        skip: Vec<String>,
        /// Judge the persistent rule files of this root filesystem instead of the kernel.
        #[arg(long, value_name = "DIR", conflicts_with_all = ["apply", "revert"])]
        root: Option<PathBuf>,
        /// Judge these rule files instead of the kernel.
        #[arg(long, value_name = "FILE", conflicts_with_all = ["apply", "revert"])]
        rules: Vec<String>,
        /// Offline: plan for a kernel of this arch (x86_64, i386, aarch64, arm), whatever
        /// the root's kernel config or programs say.
        #[arg(long, value_name = "ARCH", value_parser = arch, conflicts_with_all = ["apply", "revert"])]
        arch: Option<Arch>,
        /// Write the rules to FILE (a rules.d file) atomically; unchanged files are not rewritten.
        #[arg(long, value_name = "FILE", conflicts_with_all = ["apply", "revert"])]
        write: Option<PathBuf>,
        /// Load the rules into the kernel, all or nothing, and record what was added.
        #[arg(long, conflicts_with = "revert")]
        apply: bool,
        /// Remove exactly the rules --apply added, nothing else.
        #[arg(long)]
        revert: bool,
        /// Where --apply records what it added and --revert reads it.
        #[arg(long, value_name = "FILE", default_value = crate::fix::DEFAULT_STATE)]
        state: PathBuf,
    },
    /// Search what the audit rules recorded in audit.log, like `ausearch`.
    ///
    /// Options AND together. Events are grouped and ordered as ausearch groups them, so
    /// `--format raw` prints the lines `ausearch --raw` prints for the same options, and
    /// `--format interpret` what `ausearch -i` prints (names from the ENRICHED part of a
    /// record, else from /etc/passwd and /etc/group under --root; local time as TZ says).
    ///
    /// Without any selector (--key, --control, --path, --exe, --pid, --uid, --auid,
    /// --syscall, --success, --start, --end) the Docker events are shown, not every event:
    /// those with the key of a persistent rule (rules.d, or audit.rules) that watches a
    /// control's file or something under a control's directory, or with the CIS key
    /// `docker`, and those on any control's file (as --control finds them). --all shows
    /// every event, as ausearch without options does. Controls are those of the default
    /// benchmark; files are found by discovery under --root, offline (no /proc).
    #[command(after_help = EVENTS_EXIT_CODES)]
    Events(EventsArgs),
    /// Count what the audit rules recorded, like `aureport`: by key, file, executable,
    /// syscall, user or CIS control.
    ///
    /// The text is aureport 3.0.9's, byte for byte (its default form, not -i): a numbered
    /// row per event, or with --summary the counts by value, most first. Events are grouped
    /// as aureport groups them and read as it reads them, quirks included (README).
    #[command(after_help = REPORT_EXIT_CODES)]
    Report(ReportArgs),
}

/// The whole command line as clap sees it, for the man pages and completions.
pub fn command() -> clap::Command {
    Args::command()
}
