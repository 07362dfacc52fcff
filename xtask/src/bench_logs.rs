//! The audit logs `bench` reads: generated, deterministic, cached under
//! target/events-bench/ by their parameters.
//!
//! They look like a Debian host's log with the CIS Docker rules loaded (kernel 6.1,
//! auditd 3.0.9): dockerd, containerd, runc and the shims touching Docker's files
//! (key `docker`), people and daemons touching the files of other CIS rules (identity,
//! logins, perm_mod, …), a multi-key rule now and then, PAM and systemd user-space
//! records, and the records of concurrent syscalls interleaved as kauditd queues them
//! from several CPUs. The rate (events per second of log time) is what makes ausearch
//! slow: it keeps the events of the last seconds in a list it scans for every record.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::XResult;

/// Bumped whenever the generator's output changes, so cached logs are regenerated.
const GENERATOR_VERSION: u32 = 2;
const START_SEC: u64 = 1_700_000_000;

/// One generated log.
#[derive(Debug, Clone, Copy)]
pub struct LogSpec {
    pub mib: u64,
    /// Events per second of log time.
    pub rate: u64,
    /// auditd's `log_format = ENRICHED` (0x1D and the interpreted fields).
    pub enriched: bool,
}

impl LogSpec {
    pub fn format_name(&self) -> &'static str {
        if self.enriched {
            "ENRICHED"
        } else {
            "RAW"
        }
    }

    fn file_name(&self) -> String {
        format!("audit-v{GENERATOR_VERSION}-{}MiB-{}eps-{}.log", self.mib, self.rate, self.format_name().to_lowercase())
    }
}

/// The log for `spec`, generated on first use.
pub fn ensure_log(root: &Path, spec: LogSpec) -> XResult<PathBuf> {
    let dir = root.join("target/events-bench");
    let path = dir.join(spec.file_name());
    if path.is_file() {
        return Ok(path);
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    eprintln!("bench: generating {}", path.display());
    let tmp = path.with_extension("tmp");
    let file = std::fs::File::create(&tmp).map_err(|e| format!("{}: {e}", tmp.display()))?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    write_log(spec, &mut out).and_then(|()| out.flush()).map_err(|e| format!("{}: {e}", tmp.display()))?;
    drop(out);
    std::fs::rename(&tmp, &path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

/// xorshift64*: the same log for the same spec on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// A process that makes audited syscalls.
struct Actor {
    comm: &'static str,
    exe: &'static str,
    argv: &'static [&'static str],
    /// uid of every id field; auid and ses: 4294967295 (unset) for daemons.
    uid: u32,
    auid: u32,
    ses: u32,
    tty: &'static str,
    /// Files it touches and the rule key they fall under (`\x01` joins a multi-key).
    files: &'static [(&'static str, &'static str)],
    cwd: &'static str,
    /// How often it is the one doing something.
    weight: u64,
}

const UNSET: u32 = 4_294_967_295;

const ACTORS: &[Actor] = &[
    Actor {
        comm: "dockerd",
        exe: "/usr/sbin/dockerd",
        argv: &["/usr/sbin/dockerd", "-H", "fd://", "--containerd=/run/containerd/containerd.sock"],
        uid: 0,
        auid: UNSET,
        ses: UNSET,
        tty: "(none)",
        files: &[
            ("/var/lib/docker/containers/3f4e1a9c0b7d/config.v2.json", "docker"),
            ("/var/lib/docker/containers/3f4e1a9c0b7d/hostconfig.json", "docker"),
            ("/var/lib/docker/image/overlay2/repositories.json", "docker"),
            ("/var/lib/docker/network/files/local-kv.db", "docker"),
            ("/etc/docker/daemon.json", "docker"),
            ("/run/containerd/containerd.sock", "docker"),
        ],
        cwd: "/",
        weight: 20,
    },
    Actor {
        comm: "containerd",
        exe: "/usr/bin/containerd",
        argv: &["/usr/bin/containerd"],
        uid: 0,
        auid: UNSET,
        ses: UNSET,
        tty: "(none)",
        files: &[
            ("/run/containerd/io.containerd.runtime.v2.task/moby/3f4e1a9c0b7d/config.json", "docker"),
            ("/etc/containerd/config.toml", "docker\u{1}containerd"),
            ("/var/lib/containerd/io.containerd.metadata.v1.bolt/meta.db", "containerd"),
        ],
        cwd: "/",
        weight: 12,
    },
    Actor {
        comm: "runc",
        exe: "/usr/sbin/runc",
        argv: &["runc", "--root", "/var/run/docker/runtime-runc/moby", "--log", "/run/containerd/log.json", "state"],
        uid: 0,
        auid: UNSET,
        ses: UNSET,
        tty: "(none)",
        files: &[
            ("/usr/sbin/runc", "docker"),
            ("/run/containerd/io.containerd.runtime.v2.task/moby/state.json", "docker"),
        ],
        cwd: "/run/containerd/io.containerd.runtime.v2.task/moby/3f4e1a9c0b7d",
        weight: 6,
    },
    Actor {
        comm: "containerd-shim",
        exe: "/usr/bin/containerd-shim-runc-v2",
        argv: &[
            "/usr/bin/containerd-shim-runc-v2",
            "-namespace",
            "moby",
            "-id",
            "3f4e1a9c0b7d",
            "-address",
            "/run/containerd/containerd.sock",
        ],
        uid: 0,
        auid: UNSET,
        ses: UNSET,
        tty: "(none)",
        files: &[("/usr/bin/containerd-shim-runc-v2", "docker")],
        cwd: "/run/containerd/io.containerd.runtime.v2.task/moby/3f4e1a9c0b7d",
        weight: 3,
    },
    Actor {
        comm: "sshd",
        exe: "/usr/sbin/sshd",
        argv: &["sshd: alice [priv]"],
        uid: 0,
        auid: 1000,
        ses: 3,
        tty: "(none)",
        files: &[("/etc/passwd", "identity"), ("/etc/shadow", "identity"), ("/var/log/lastlog", "logins")],
        cwd: "/",
        weight: 8,
    },
    Actor {
        comm: "sudo",
        exe: "/usr/bin/sudo",
        argv: &["sudo", "docker", "ps"],
        uid: 0,
        auid: 1000,
        ses: 3,
        tty: "pts0",
        files: &[("/etc/sudoers", "scope"), ("/etc/sudoers.d/README", "scope"), ("/etc/group", "identity")],
        cwd: "/home/alice",
        weight: 6,
    },
    Actor {
        comm: "vim",
        exe: "/usr/bin/vim.basic",
        argv: &["vim", "/etc/docker/daemon.json"],
        uid: 0,
        auid: 1000,
        ses: 3,
        tty: "pts0",
        files: &[("/etc/docker/daemon.json", "docker"), ("/etc/docker/.daemon.json.swp", "docker")],
        cwd: "/home/alice",
        weight: 4,
    },
    Actor {
        comm: "chronyd",
        exe: "/usr/sbin/chronyd",
        argv: &["/usr/sbin/chronyd", "-F", "1"],
        uid: 100,
        auid: UNSET,
        ses: UNSET,
        tty: "(none)",
        files: &[("/etc/localtime", "time-change")],
        cwd: "/",
        weight: 10,
    },
    Actor {
        comm: "python3",
        exe: "/usr/bin/python3.11",
        argv: &["python3", "/opt/app/worker.py", "--queue", "jobs"],
        uid: 1001,
        auid: 1001,
        ses: 7,
        tty: "(none)",
        files: &[
            ("/etc/shadow", "identity"),
            ("/var/run/docker.sock", "docker"),
            ("/etc/ssl/private/app.key", "access"),
        ],
        cwd: "/opt/app",
        weight: 10,
    },
    Actor {
        comm: "cron",
        exe: "/usr/sbin/cron",
        argv: &["/usr/sbin/cron", "-f"],
        uid: 0,
        auid: UNSET,
        ses: UNSET,
        tty: "(none)",
        files: &[("/etc/crontab", "cron"), ("/var/spool/cron/crontabs/root", "cron")],
        cwd: "/var/spool/cron",
        weight: 6,
    },
    Actor {
        comm: "chmod",
        exe: "/usr/bin/chmod",
        argv: &["chmod", "640", "/etc/docker/daemon.json"],
        uid: 0,
        auid: 1000,
        ses: 3,
        tty: "pts0",
        files: &[("/etc/docker/daemon.json", "docker\u{1}perm_mod"), ("/tmp/build.log", "perm_mod")],
        cwd: "/home/alice",
        weight: 3,
    },
];

fn user_name(id: u32) -> &'static str {
    match id {
        0 => "root",
        100 => "_chrony",
        1000 => "alice",
        1001 => "bob",
        UNSET => "unset",
        _ => "nobody",
    }
}

/// A string field as the kernel logs it: quoted unless it holds a byte that forces hex.
fn untrusted(text: &[u8]) -> String {
    if text.iter().all(|&b| b > 0x20 && b < 0x7f && b != b'"') {
        format!("\"{}\"", String::from_utf8_lossy(text))
    } else {
        text.iter().map(|b| format!("{b:02X}")).collect()
    }
}

fn key_field(key: &str) -> String {
    if key.is_empty() {
        "(null)".into()
    } else {
        untrusted(key.as_bytes())
    }
}

/// One syscall event's records (SYSCALL, [EXECVE], CWD, PATH × 1–2, PROCTITLE, EOE).
fn syscall_event(rng: &mut Rng, stamp: &str, enriched: bool, pid: u32) -> Vec<String> {
    let total: u64 = ACTORS.iter().map(|a| a.weight).sum();
    let mut pick = rng.below(total);
    let actor = ACTORS
        .iter()
        .find(|a| {
            let hit = pick < a.weight;
            pick = pick.saturating_sub(a.weight);
            hit
        })
        .unwrap_or(&ACTORS[0]);
    let (file, key) = *rng.pick(actor.files);
    // What it does to the file: mostly opens, some execs, deletes and chmods.
    let (nr, name, items) = match rng.below(20) {
        0..=13 => (257, "openat", 1),
        14 | 15 => (59, "execve", 2),
        16 | 17 => (263, "unlinkat", 2),
        _ => (268, "fchmodat", 1),
    };
    let denied = actor.uid != 0 && rng.chance(40) || rng.chance(3);
    let (success, exit) = if denied {
        ("no", "-13".to_string())
    } else if nr == 257 {
        ("yes", (3 + rng.below(40)).to_string())
    } else {
        ("yes", "0".to_string())
    };
    let gid = if actor.uid == 1000 { 1000 } else { actor.uid };
    let ids = format!(
        "auid={} uid={u} gid={gid} euid={u} suid={u} fsuid={u} egid={gid} sgid={gid} fsgid={gid}",
        actor.auid,
        u = actor.uid
    );
    let mut lines = Vec::with_capacity(6);
    let mut syscall = format!(
        "type=SYSCALL {stamp} arch=c000003e syscall={nr} success={success} exit={exit} a0={} a1=7ffd{:08x} a2={} a3=0 items={items} ppid={} pid={pid} {ids} tty={} ses={} comm={} exe={} subj=unconfined key={}",
        // execve's first argument is the file name; the *at calls' is AT_FDCWD.
        if nr == 59 { format!("55d4{:08x}", rng.below(1 << 32)) } else { "ffffff9c".into() },
        rng.below(1 << 32),
        if nr == 257 { "80000" } else { "0" },
        pid.saturating_sub(1 + rng.below(50) as u32).max(1),
        actor.tty,
        actor.ses,
        untrusted(actor.comm.as_bytes()),
        untrusted(actor.exe.as_bytes()),
        key_field(key),
    );
    if enriched {
        let (u, g, a) = (user_name(actor.uid), user_name(gid), user_name(actor.auid));
        syscall.push_str(&format!(
            "\x1dARCH=x86_64 SYSCALL={name} AUID=\"{a}\" UID=\"{u}\" GID=\"{g}\" EUID=\"{u}\" SUID=\"{u}\" FSUID=\"{u}\" EGID=\"{g}\" SGID=\"{g}\" FSGID=\"{g}\""
        ));
    }
    lines.push(syscall);
    if nr == 59 {
        let args: String =
            actor.argv.iter().enumerate().map(|(i, a)| format!(" a{i}={}", untrusted(a.as_bytes()))).collect();
        lines.push(format!("type=EXECVE {stamp} argc={}{args}", actor.argv.len()));
    }
    lines.push(format!("type=CWD {stamp} cwd={}", untrusted(actor.cwd.as_bytes())));
    let owner = if file.contains("shadow") { (0, 42) } else { (0, 0) };
    let enrich_path = |ouid: u32, ogid: u32| {
        if enriched {
            let group = if ogid == 42 { "shadow" } else { user_name(ogid) };
            format!("\x1dOUID=\"{}\" OGID=\"{group}\"", user_name(ouid))
        } else {
            String::new()
        }
    };
    let path_line = |item: u32, name: &str, inode: u64, mode: &str, nametype: &str| {
        format!(
            "type=PATH {stamp} item={item} name={} inode={inode} dev=fe:01 mode={mode} ouid={} ogid={} rdev=00:00 nametype={nametype} cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0{}",
            untrusted(name.as_bytes()),
            owner.0,
            owner.1,
            enrich_path(owner.0, owner.1)
        )
    };
    let inode = 1_835_000 + (file.len() as u64 * 7919) % 100_000;
    match (nr, items) {
        (59, _) => {
            lines.push(path_line(0, actor.exe, inode, "0100755", "NORMAL"));
            lines.push(path_line(1, "/lib64/ld-linux-x86-64.so.2", 1_311_214, "0100755", "NORMAL"));
        }
        (263, _) => {
            let parent = file.rsplit_once('/').map_or("/", |(dir, _)| if dir.is_empty() { "/" } else { dir });
            lines.push(path_line(0, parent, inode / 2, "040755", "PARENT"));
            lines.push(path_line(1, file, inode, "0100644", "DELETE"));
        }
        _ => lines.push(path_line(0, file, inode, "0100644", "NORMAL")),
    }
    let mut title = actor.argv.join("\0").into_bytes();
    title.truncate(128);
    lines.push(format!("type=PROCTITLE {stamp} proctitle={}", untrusted(&title)));
    lines.push(format!("type=EOE {stamp} "));
    lines
}

/// One user-space record (PAM, sudo, systemd): an event of its own.
fn user_event(rng: &mut Rng, stamp: &str, enriched: bool, pid: u32) -> Vec<String> {
    let enrich = |uid: u32, auid: u32| {
        if enriched {
            format!("\x1dUID=\"{}\" AUID=\"{}\"", user_name(uid), user_name(auid))
        } else {
            String::new()
        }
    };
    let line = match rng.below(8) {
        0 => format!(
            "type=USER_ACCT {stamp} pid={pid} uid=0 auid=1000 ses=3 subj=unconfined msg='op=PAM:accounting grantors=pam_permit acct=\"root\" exe=\"/usr/bin/sudo\" hostname=? addr=? terminal=/dev/pts/0 res=success'{}",
            enrich(0, 1000)
        ),
        1 => format!(
            "type=USER_CMD {stamp} pid={pid} uid=1000 auid=1000 ses=3 subj=unconfined msg='cwd=\"/home/alice\" cmd=646F636B6572207073 exe=\"/usr/bin/sudo\" terminal=pts/0 res=success'{}",
            enrich(1000, 1000)
        ),
        2 => format!(
            "type=CRED_ACQ {stamp} pid={pid} uid=0 auid=1000 ses=3 subj=unconfined msg='op=PAM:setcred grantors=pam_permit acct=\"root\" exe=\"/usr/bin/sudo\" hostname=? addr=? terminal=/dev/pts/0 res=success'{}",
            enrich(0, 1000)
        ),
        3 => format!(
            "type=USER_START {stamp} pid={pid} uid=0 auid=1000 ses=3 subj=unconfined msg='op=PAM:session_open grantors=pam_limits,pam_unix acct=\"root\" exe=\"/usr/bin/sudo\" hostname=? addr=? terminal=/dev/pts/0 res=success'{}",
            enrich(0, 1000)
        ),
        4 => format!(
            "type=USER_END {stamp} pid={pid} uid=0 auid=1000 ses=3 subj=unconfined msg='op=PAM:session_close grantors=pam_limits,pam_unix acct=\"root\" exe=\"/usr/bin/sudo\" hostname=? addr=? terminal=/dev/pts/0 res=success'{}",
            enrich(0, 1000)
        ),
        5 => format!(
            "type=USER_AUTH {stamp} pid={pid} uid=0 auid={UNSET} ses={UNSET} subj=unconfined msg='op=PAM:authentication grantors=? acct=\"bob\" exe=\"/usr/sbin/sshd\" hostname=203.0.113.9 addr=203.0.113.9 terminal=ssh res={}'{}",
            if rng.chance(50) { "failed" } else { "success" },
            enrich(0, UNSET)
        ),
        6 => format!(
            "type={} {stamp} pid=1 uid=0 auid={UNSET} ses={UNSET} subj=unconfined msg='unit={} comm=\"systemd\" exe=\"/usr/lib/systemd/systemd\" hostname=? addr=? terminal=? res=success'{}",
            rng.pick(&["SERVICE_START", "SERVICE_STOP"]),
            rng.pick(&["docker", "containerd", "logrotate", "apt-daily"]),
            enrich(0, UNSET)
        ),
        _ => format!(
            "type=LOGIN {stamp} pid={pid} uid=0 subj=unconfined old-auid={UNSET} auid=1000 tty=(none) old-ses={UNSET} ses=3 res=1{}",
            if enriched { "\x1dUID=\"root\" OLD-AUID=\"unset\" AUID=\"alice\"" } else { "" }
        ),
    };
    vec![line]
}

/// Writes events until the log holds `spec.mib` MiB.
fn write_log(spec: LogSpec, out: &mut dyn Write) -> std::io::Result<()> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ spec.rate ^ (spec.mib << 20) ^ u64::from(spec.enriched));
    let limit = spec.mib << 20;
    let mean_gap_us = (1_000_000 / spec.rate.max(1)).max(1);
    let mut now_us = START_SEC * 1_000_000;
    let mut serial = 2_000u64;
    let mut written = 0u64;
    let mut pid = 3_000u32;
    // The events being written: several CPUs' records interleave in kauditd's queue.
    let mut active: Vec<std::collections::VecDeque<String>> = Vec::new();
    let width = if spec.rate >= 1000 { 4 } else { 2 };
    // Records interleave when syscalls end close together: rarely at 80 events/s.
    let overlap = (spec.rate / 150).clamp(2, 35);
    let mut block = String::with_capacity(1 << 16);
    while written < limit || !active.is_empty() {
        let start_new = written < limit && (active.is_empty() || (active.len() < width && rng.chance(overlap)));
        if start_new {
            now_us += rng.below(2 * mean_gap_us + 1);
            // Events the rules did not log still took serials.
            serial += 1 + u64::from(rng.chance(10)) * rng.below(4);
            if rng.chance(2) {
                pid += 1 + rng.below(20) as u32;
            }
            let stamp = format!("msg=audit({}.{:03}:{serial}):", now_us / 1_000_000, now_us / 1000 % 1000);
            let event_pid = pid - rng.below(40) as u32;
            let lines = if rng.chance(8) {
                user_event(&mut rng, &stamp, spec.enriched, event_pid)
            } else {
                syscall_event(&mut rng, &stamp, spec.enriched, event_pid)
            };
            active.push(lines.into());
            continue;
        }
        // The oldest event goes on most of the time; now and then a newer one cuts in.
        let i = if rng.chance(75) { 0 } else { rng.below(active.len() as u64) as usize };
        if let Some(line) = active[i].pop_front() {
            block.push_str(&line);
            block.push('\n');
        }
        if active[i].is_empty() {
            active.remove(i);
        }
        if block.len() >= 1 << 16 {
            written += block.len() as u64;
            out.write_all(block.as_bytes())?;
            block.clear();
        }
    }
    out.write_all(block.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_are_deterministic_and_well_formed() {
        let spec = LogSpec { mib: 1, rate: 5000, enriched: true };
        let (mut a, mut b) = (Vec::new(), Vec::new());
        write_log(spec, &mut a).unwrap();
        write_log(spec, &mut b).unwrap();
        assert_eq!(a, b);
        let text = String::from_utf8(a).unwrap();
        assert!(text.len() >= 1 << 20);
        assert!(text.lines().all(|l| l.starts_with("type=") && l.contains(" msg=audit(")));
        assert!(text.contains("key=\"docker\"") && text.contains("646F636B6572017065726D5F6D6F64"));
        assert!(text.contains('\x1d') && text.contains("type=USER_CMD") && text.contains("type=EOE"));
        let raw = LogSpec { enriched: false, ..spec };
        let mut c = Vec::new();
        write_log(raw, &mut c).unwrap();
        assert!(!c.contains(&0x1d));
    }
}
