//! A SYSCALL record's `a0`–`a3` by syscall (auparse's `print_a0`…`print_a3`,
//! interpret.c:2375–2676) and the flag and name tables they use: open, clone, mmap and
//! prot flags, dirfds, socket domains, types and protocols, signals, personalities, …
//! An argument no rule names prints as `0x` and its hex.
//!
//! Not covered (printed as `0x…` where ausearch names them): `getsockopt`/`setsockopt`
//! option names (a2) and `shmget`'s flags (a2).

use super::errno::conversion_error;
use super::fields::{print_capability, print_gid, print_mode, print_mode_short, print_uid, syscall_to_name, Id, Out};
use super::tables::*;
use crate::events::cstr::strtoul;
use crate::events::text::Names;

fn hex(val: &[u8]) -> Out {
    [b"0x", val].concat()
}

/// A value named by `table` (first entry wins), else `PREFIX val SUFFIX`.
pub(super) fn named(val: &[u8], base: u32, table: &[(u64, &str)], prefix: &str, suffix: &str) -> Out {
    match strtoul(val, base) {
        Err(_) => conversion_error(val),
        Ok(n) => match table.iter().find(|e| e.0 == u64::from(n as u32)) {
            Some(e) => e.1.as_bytes().to_vec(),
            None => [prefix.as_bytes(), val, suffix.as_bytes()].concat(),
        },
    }
}

/// The names of the bits of a hex value in `table`'s order joined by `sep`; `zero` when
/// the value is 0 and `zero` is given; `0x` and the value when nothing matched.
pub(super) fn flag_list(val: &[u8], table: &[(u64, &str)], sep: &[u8], zero: &[u8]) -> Out {
    let Ok(n) = strtoul(val, 16) else { return conversion_error(val) };
    if n == 0 && !zero.is_empty() {
        return zero.to_vec();
    }
    let n = u64::from(n as u32);
    join(table.iter().filter(|e| e.0 & n != 0).map(|e| e.1), sep).unwrap_or_else(|| hex(val))
}

fn join<'a>(names: impl Iterator<Item = &'a str>, sep: &[u8]) -> Option<Out> {
    let mut out = Vec::new();
    for name in names {
        if !out.is_empty() {
            out.extend_from_slice(sep);
        }
        out.extend_from_slice(name.as_bytes());
    }
    (!out.is_empty()).then_some(out)
}

/// `print_signals`: signals below 32 by name.
pub(super) fn print_signal(val: &[u8], base: u32) -> Out {
    match strtoul(val, base) {
        Err(_) => conversion_error(val),
        Ok(n) => match SIGNALS.iter().find(|e| e.0 == u64::from(n as u32)).filter(|_| (n as i32) < 32) {
            Some(e) => e.1.as_bytes().to_vec(),
            None => [&b"unknown-signal("[..], if base == 16 { &b"0x"[..] } else { b"" }, val, b")"].concat(),
        },
    }
}

pub(super) fn print_personality(val: &[u8]) -> Out {
    let Ok(n) = strtoul(val, 16) else { return conversion_error(val) };
    let n = n as u32;
    match PERSONALITIES.iter().find(|e| e.0 == u64::from(n & 0xff)) {
        Some(e) if n & 0x0040000 != 0 => format!("{}|~ADDR_NO_RANDOMIZE", e.1).into_bytes(),
        Some(e) => e.1.as_bytes().to_vec(),
        None => [b"unknown-personality(0x", val, b")"].concat(),
    }
}

pub(super) fn print_open_flags(val: &[u8]) -> Out {
    let Ok(n) = strtoul(val, 16) else { return conversion_error(val) };
    let n = u64::from(n as u32);
    let rdonly = (n & 3 == 0).then_some("O_RDONLY");
    join(rdonly.into_iter().chain(OPEN_FLAGS.iter().filter(|e| e.0 & n != 0).map(|e| e.1)), b"|")
        .unwrap_or_else(|| hex(val))
}

fn print_clone_flags(val: &[u8]) -> Out {
    let Ok(n) = strtoul(val, 16) else { return conversion_error(val) };
    let n = n as u32;
    let sig = n & 0xff;
    // The exit signal sits in the low byte.
    let signal = SIGNALS.iter().find(|e| sig != 0 && sig < 32 && e.0 == u64::from(sig)).map(|e| e.1);
    join(CLONE_FLAGS.iter().filter(|e| e.0 & u64::from(n) != 0).map(|e| e.1).chain(signal), b"|")
        .unwrap_or_else(|| format!("0x{n:x}").into_bytes())
}

pub(super) fn print_mmap(val: &[u8]) -> Out {
    let Ok(n) = strtoul(val, 16) else { return conversion_error(val) };
    let n = u64::from(n as u32);
    let file = (n & 0x0f == 0).then_some("MAP_FILE");
    join(file.into_iter().chain(MMAP_FLAGS.iter().filter(|e| e.0 & n != 0).map(|e| e.1)), b"|")
        .unwrap_or_else(|| hex(val))
}

fn print_prot(val: &[u8], is_mmap: bool) -> Out {
    let Ok(n) = strtoul(val, 16) else { return conversion_error(val) };
    let n = u64::from(n as u32);
    if n & 7 == 0 {
        return b"PROT_NONE".to_vec();
    }
    let limit = if is_mmap { 4 } else { 3 };
    join(PROT_FLAGS[..limit].iter().filter(|e| e.0 & n != 0).map(|e| e.1), b"|").unwrap_or_else(|| hex(val))
}

fn print_access(val: &[u8]) -> Out {
    let Ok(n) = strtoul(val, 16) else { return conversion_error(val) };
    if n & 0xf == 0 {
        return b"F_OK".to_vec();
    }
    join(ACCESS_FLAGS.iter().filter(|e| e.0 & n != 0).map(|e| e.1), b"|").unwrap_or_else(|| hex(val))
}

fn print_dirfd(val: &[u8]) -> Out {
    match strtoul(val, 16) {
        Err(_) => conversion_error(val),
        Ok(n) if n as u32 == 0xffff_ff9c => b"AT_FDCWD".to_vec(),
        Ok(_) => hex(val),
    }
}

fn print_socket_type(val: &[u8]) -> Out {
    match strtoul(val, 16) {
        Err(_) => conversion_error(val),
        Ok(n) => match SOCK_TYPES.iter().find(|e| e.0 == n & 0xff) {
            Some(e) => e.1.as_bytes().to_vec(),
            None => [b"unknown-type(", val, b")"].concat(),
        },
    }
}

fn print_socket_proto(val: &[u8], names: &Names) -> Out {
    match strtoul(val, 16) {
        Err(_) => conversion_error(val),
        Ok(n) => match names.protocol(n as u32) {
            Some(p) => p.as_bytes().to_vec(),
            None => [b"unknown-proto(", val, b")"].concat(),
        },
    }
}

fn print_sched(val: &[u8]) -> Out {
    let Ok(n) = strtoul(val, 16) else { return conversion_error(val) };
    let n = n as u32;
    match SCHED_POLICIES.iter().find(|e| e.0 == u64::from(n & 0x0f)) {
        Some(e) if n & 0x4000_0000 != 0 => format!("{}|SCHED_RESET_ON_FORK", e.1).into_bytes(),
        Some(e) => e.1.as_bytes().to_vec(),
        None => [b"unknown-scheduler-policy(0x", val, b")"].concat(),
    }
}

fn print_sock_opt_level(val: &[u8], names: &Names) -> Out {
    let Ok(n) = strtoul(val, 16) else { return conversion_error(val) };
    let n = n as i32;
    if n == 1 {
        return b"SOL_SOCKET".to_vec();
    }
    if let Some(p) = names.protocol(n as u32) {
        return p.as_bytes().to_vec();
    }
    match SOCK_LEVELS.iter().find(|e| e.0 == u64::from(n as u32)) {
        Some(e) => e.1.as_bytes().to_vec(),
        None => [b"unknown-sockopt-level(0x", val, b")"].concat(),
    }
}

pub(super) fn print_ioctl_req(val: &[u8]) -> Out {
    let Ok(n) = strtoul(val, 16) else { return conversion_error(val) };
    let n = n as u32;
    match IOCTL_REQS.iter().find(|e| e.0 == u64::from(n)) {
        Some(e) => e.1.as_bytes().to_vec(),
        None => format!("0x{n:x}").into_bytes(),
    }
}

fn print_exit_syscall(val: &[u8]) -> Out {
    match val {
        b"0" => b"EXIT_SUCCESS".to_vec(),
        b"1" => b"EXIT_FAILURE".to_vec(),
        _ => b"UNKNOWN".to_vec(),
    }
}

fn sys(id: &Id<'_>) -> Option<&'static str> {
    syscall_to_name(id.syscall, id.machine)
}

/// `print_a0`.
pub(super) fn print_a0(val: &[u8], id: &Id<'_>, names: &Names) -> Out {
    let Some(s) = sys(id) else { return hex(val) };
    let dirfd = matches!(
        s,
        "readlinkat"
            | "mkdirat"
            | "mknodat"
            | "fchownat"
            | "futimesat"
            | "fchmodat"
            | "futimensat"
            | "unlinkat"
            | "utimensat"
            | "linkat"
            | "newfstatat"
            | "name_to_handle_at"
    ) || s.starts_with("renameat")
        || s.starts_with("faccessat")
        || s.starts_with("openat");
    match s {
        _ if dirfd => print_dirfd(val),
        "rt_sigaction" => print_signal(val, 16),
        "clock_settime" => match strtoul(val, 16) {
            Err(_) => conversion_error(val),
            Ok(n) => match CLOCKS.iter().find(|e| (n as i32) < 7 && e.0 == u64::from(n as u32)) {
                Some(e) => e.1.as_bytes().to_vec(),
                None => [b"unknown-clk_id(0x", val, b")"].concat(),
            },
        },
        "personality" => print_personality(val),
        "ptrace" => named(val, 16, PTRACE_REQS, "unknown-ptrace(0x", ")"),
        "prctl" => named(val, 16, PRCTL_OPTS, "unknown-prctl-option(0x", ")"),
        "unshare" => print_clone_flags(val),
        "getrlimit" | "setrlimit" => match strtoul(val, 16) {
            Err(_) => conversion_error(val),
            Ok(n) => match RLIMITS.iter().find(|e| (n as i32) < 17 && e.0 == u64::from(n as u32)) {
                Some(e) => e.1.as_bytes().to_vec(),
                None => [b"unknown-rlimit(0x", val, b")"].concat(),
            },
        },
        "setuid" | "setreuid" | "setresuid" | "setfsuid" => print_uid(val, 16, names),
        "setgid" | "setregid" | "setresgid" | "setfsgid" => print_gid(val, 16, names),
        "socket" => named(val, 16, FAMILIES, "unknown-family(0x", ")"),
        "socketcall" => named(val, 16, SOCKETCALLS, "unknown-socketcall(", ")"),
        "ipccall" => named(val, 16, IPCCALLS, "unknown-ipccall(", ")"),
        "bpf" => named(val, 16, BPF_CMDS, "unknown-bpf-cmd(", ")"),
        _ if s.starts_with("exit") => print_exit_syscall(val),
        _ => hex(val),
    }
}

/// `print_a1`.
pub(super) fn print_a1(val: &[u8], id: &Id<'_>, names: &Names) -> Out {
    let Some(s) = sys(id) else { return hex(val) };
    match s {
        "fchmod" | "chmod" | "creat" | "mkdir" => print_mode_short(val, 16),
        _ if s.starts_with("fcntl") => named(val, 16, FCNTL_CMDS, "unknown-fcntl-command(", ")"),
        // `strstr(sys, "chown")` on names starting with c (interpret.c:2476).
        _ if s.starts_with('c') && s.contains("chown") => print_uid(val, 16, names),
        _ if s.get(1..) == Some("etsockopt") => print_sock_opt_level(val, names),
        "setreuid" | "setresuid" => print_uid(val, 16, names),
        "setregid" | "setresgid" => print_gid(val, 16, names),
        "socket" => print_socket_type(val),
        "setns" => print_clone_flags(val),
        "sched_setscheduler" => print_sched(val),
        "mknod" => print_mode(val, 16),
        "mq_open" | "open" => print_open_flags(val),
        "access" => print_access(val),
        "epoll_ctl" => named(val, 16, EPOLL_OPS, "unknown-epoll_ctl-operation(", ")"),
        "kill" | "tkill" => print_signal(val, 16),
        // PR_CAPBSET_READ, PR_CAPBSET_DROP, PR_SET_PDEATHSIG.
        "prctl" if id.a0 == 23 || id.a0 == 24 => print_capability(val, 16),
        "prctl" if id.a0 == 1 => print_signal(val, 16),
        "umount2" => flag_list(val, UMOUNT_FLAGS, b"|", b""),
        "ioctl" => print_ioctl_req(val),
        _ => hex(val),
    }
}

/// `print_a2`.
pub(super) fn print_a2(val: &[u8], id: &Id<'_>, names: &Names) -> Out {
    const O_CREAT: u64 = 0o100;
    let Some(s) = sys(id) else { return hex(val) };
    match s {
        _ if s.starts_with("fcntl") => match strtoul(val, 16) {
            Err(_) => conversion_error(val),
            // F_SETOWN's pid prints as a user, as auparse does (interpret.c:2555).
            Ok(_) if id.a1 == 8 => print_uid(val, 16, names),
            Ok(n) if id.a1 == 2 && n as i32 == 1 => b"FD_CLOEXEC".to_vec(),
            Ok(_) => hex(val),
        },
        "openat" | "open_by_handle_at" => print_open_flags(val),
        "open" if id.a1 & O_CREAT != 0 => print_mode_short(val, 16),
        "fchmodat" | "mkdirat" | "mknodat" => print_mode_short(val, 16),
        _ if s.starts_with("faccessat") => print_access(val),
        "setresuid" => print_uid(val, 16, names),
        "setresgid" => print_gid(val, 16, names),
        "socket" => print_socket_proto(val, names),
        "sendmsg" | "recvmsg" => flag_list(val, RECV_FLAGS, b"|", b""),
        "mmap" => print_prot(val, true),
        "mprotect" => print_prot(val, false),
        "mq_open" if id.a1 & O_CREAT != 0 => print_mode_short(val, 16),
        "readlinkat" | "linkat" => print_dirfd(val),
        _ if s.starts_with("renameat") => print_dirfd(val),
        "lseek" => match strtoul(val, 16) {
            Err(_) => conversion_error(val),
            Ok(n) => match SEEK_WHENCE.iter().find(|e| e.0 == n & 0xff) {
                Some(e) => e.1.as_bytes().to_vec(),
                None => [b"unknown-whence(", val, b")"].concat(),
            },
        },
        "clone" | "clone2" => print_clone_flags(val),
        // `strstr(sys, "chown")` outside the letters tested before it (interpret.c:2636).
        _ if !matches!(s.as_bytes()[0], b'f' | b's' | b'm' | b'r' | b'l' | b'c' | b'o') && s.contains("chown") => {
            print_gid(val, 16, names)
        }
        "tgkill" => print_signal(val, 16),
        _ => hex(val),
    }
}

/// `print_a3`.
pub(super) fn print_a3(val: &[u8], id: &Id<'_>) -> Out {
    match sys(id) {
        Some("mmap") => print_mmap(val),
        Some("mount") => flag_list(val, MOUNT_FLAGS, b"|", b""),
        Some("recv" | "recvfrom" | "recvmmsg" | "send" | "sendto" | "sendmmsg") => {
            flag_list(val, RECV_FLAGS, b"|", b"")
        }
        _ => hex(val),
    }
}
