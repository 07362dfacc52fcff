//! The value tables of auparse 3.0.9 (`auparse/*tab.h`), as (value, name) in each
//! header's order: flag tables are walked in that order, and a lookup takes the first
//! entry with the value, as auparse's generated `*_i2s` do. Transcribed from the headers
//! (symbolic values such as `AF_INET`, `MS_BIND`, `SYS_SOCKET` resolved to their Linux
//! numbers).

pub(super) use super::value_tables::*;

/// `captab.h`, in its order.
pub(super) const CAPS: &[(u64, &str)] = &[
    (0, "chown"),
    (1, "dac_override"),
    (2, "dac_read_search"),
    (3, "fowner"),
    (4, "fsetid"),
    (5, "kill"),
    (6, "setgid"),
    (7, "setuid"),
    (8, "setpcap"),
    (9, "linux_immutable"),
    (10, "net_bind_service"),
    (11, "net_broadcast"),
    (12, "net_admin"),
    (13, "net_raw"),
    (14, "ipc_lock"),
    (15, "ipc_owner"),
    (16, "sys_module"),
    (17, "sys_rawio"),
    (18, "sys_chroot"),
    (19, "sys_ptrace"),
    (20, "sys_pacct"),
    (21, "sys_admin"),
    (22, "sys_boot"),
    (23, "sys_nice"),
    (24, "sys_resource"),
    (25, "sys_time"),
    (26, "sys_tty_config"),
    (27, "mknod"),
    (28, "lease"),
    (29, "audit_write"),
    (30, "audit_control"),
    (31, "setfcap"),
    (32, "mac_override"),
    (33, "mac_admin"),
    (34, "syslog"),
    (35, "wake_alarm"),
    (36, "block_suspend"),
    (37, "audit_read"),
    (38, "perfmon"),
    (39, "bpf"),
    (40, "checkpoint_restore"),
];

/// `signaltab.h`, in its order.
pub(super) const SIGNALS: &[(u64, &str)] = &[
    (0, "SIG0"),
    (1, "SIGHUP"),
    (2, "SIGINT"),
    (3, "SIGQUIT"),
    (4, "SIGILL"),
    (5, "SIGTRAP"),
    (6, "SIGABRT"),
    (7, "SIGBUS"),
    (8, "SIGFPE"),
    (9, "SIGKILL"),
    (10, "SIGUSR1"),
    (11, "SIGSEGV"),
    (12, "SIGUSR2"),
    (13, "SIGPIPE"),
    (14, "SIGALRM"),
    (15, "SIGTERM"),
    (16, "SIGSTKFLT"),
    (17, "SIGCHLD"),
    (18, "SIGCONT"),
    (19, "SIGSTOP"),
    (20, "SIGTSTP"),
    (21, "SIGTTIN"),
    (22, "SIGTTOU"),
    (23, "SIGURG"),
    (24, "SIGXCPU"),
    (25, "SIGXFSZ"),
    (26, "SIGVTALRM"),
    (27, "SIGPROF"),
    (28, "SIGWINCH"),
    (29, "SIGIO"),
    (30, "IGPWR"),
    (31, "SIGSYS"),
];

/// `clone-flagtab.h`, in its order.
pub(super) const CLONE_FLAGS: &[(u64, &str)] = &[
    (0x100, "CLONE_VM"),
    (0x200, "CLONE_FS"),
    (0x400, "CLONE_FILES"),
    (0x800, "CLONE_SIGHAND"),
    (0x2000, "CLONE_PTRACE"),
    (0x4000, "CLONE_VFORK"),
    (0x8000, "CLONE_PARENT"),
    (0x10000, "CLONE_THREAD"),
    (0x20000, "CLONE_NEWNS"),
    (0x40000, "CLONE_SYSVSEM"),
    (0x80000, "CLONE_SETTLS"),
    (0x100000, "CLONE_PARENT_SETTID"),
    (0x200000, "CLONE_CHILD_CLEARTID"),
    (0x400000, "CLONE_DETACHED"),
    (0x800000, "CLONE_UNTRACED"),
    (0x1000000, "CLONE_CHILD_SETTID"),
    (0x2000000, "CLONE_STOPPED"),
    (0x4000000, "CLONE_NEWUTS"),
    (0x8000000, "CLONE_NEWIPC"),
    (0x10000000, "CLONE_NEWUSER"),
    (0x20000000, "CLONE_NEWPID"),
    (0x40000000, "CLONE_NEWNET"),
    (0x80000000, "CLONE_IO"),
    (0x100000000, "CLONE_CLEAR_SIGHAND"),
];

/// `open-flagtab.h`, in its order.
pub(super) const OPEN_FLAGS: &[(u64, &str)] = &[
    (0x1, "O_WRONLY"),
    (0x2, "O_RDWR"),
    (0x40, "O_CREAT"),
    (0x80, "O_EXCL"),
    (0x100, "O_NOCTTY"),
    (0x200, "O_TRUNC"),
    (0x400, "O_APPEND"),
    (0x800, "O_NONBLOCK"),
    (0x1000, "O_DSYNC"),
    (0x2000, "O_ASYNC"),
    (0x4000, "O_DIRECT"),
    (0x10000, "O_DIRECTORY"),
    (0x20000, "O_NOFOLLOW"),
    (0x40000, "O_NOATIME"),
    (0x80000, "O_CLOEXEC"),
    (0x100000, "__O_SYNC"),
    (0x200000, "O_PATH"),
    (0x400000, "__O_TMPFILE"),
];

/// `mmaptab.h`, in its order.
pub(super) const MMAP_FLAGS: &[(u64, &str)] = &[
    (0x1, "MAP_SHARED"),
    (0x2, "MAP_PRIVATE"),
    (0x10, "MAP_FIXED"),
    (0x20, "MAP_ANONYMOUS"),
    (0x40, "MAP_32BIT"),
    (0x100, "MAP_GROWSDOWN"),
    (0x800, "MAP_DENYWRITE"),
    (0x1000, "MAP_EXECUTABLE"),
    (0x2000, "MAP_LOCKED"),
    (0x4000, "MAP_NORESERVE"),
    (0x8000, "MAP_POPULATE"),
    (0x10000, "MAP_NONBLOCK"),
    (0x20000, "MAP_STACK"),
    (0x40000, "MAP_HUGETLB"),
    (0x80000, "MAP_SYNC"),
    (0x100000, "MAP_FIXED_NOREPLACE"),
    (0x4000000, "MAP_UNINITIALIZED"),
];

/// `prottab.h`, in its order.
pub(super) const PROT_FLAGS: &[(u64, &str)] =
    &[(0x1, "PROT_READ"), (0x2, "PROT_WRITE"), (0x4, "PROT_EXEC"), (0x8, "PROT_SEM")];
/// `accesstab.h`, in its order.
pub(super) const ACCESS_FLAGS: &[(u64, &str)] = &[(0x1, "X_OK"), (0x2, "W_OK"), (0x4, "R_OK")];
/// `persontab.h`, in its order.
pub(super) const PERSONALITIES: &[(u64, &str)] = &[
    (0x0, "PER_LINUX"),
    (0x800000, "PER_LINUX_32BIT"),
    (0x4100001, "PER_SVR4"),
    (0x5000002, "PER_SVR3"),
    (0x7000003, "PER_SCOSVR3"),
    (0x6000003, "PER_OSR5"),
    (0x5000004, "PER_WYSEV386"),
    (0x4000005, "PER_ISCR4"),
    (0x6, "PER_BSD"),
    (0x4000006, "PER_SUNOS"),
    (0x5000007, "PER_XENIX"),
    (0x8, "PER_LINUX32"),
    (0x8000008, "PER_LINUX32_3GB"),
    (0x4000009, "PER_IRIX32"),
    (0x400000a, "PER_IRIXN32"),
    (0x400000b, "PER_IRIX64"),
    (0xc, "PER_RISCOS"),
    (0x400000d, "PER_SOLARIS"),
    (0x410000e, "PER_UW7"),
    (0xf, "PER_OSF4"),
    (0x10, "PER_HPUX"),
];

/// `flagtab.h`, in its order.
pub(super) const PATH_FLAGS: &[(u64, &str)] = &[
    (0x1, "follow"),
    (0x2, "directory"),
    (0x4, "continue"),
    (0x10, "parent"),
    (0x20, "noalt"),
    (0x40, "atomic"),
    (0x100, "open"),
    (0x200, "create"),
    (0x400, "access"),
];

/// `umounttab.h`, in its order.
pub(super) const UMOUNT_FLAGS: &[(u64, &str)] = &[
    (0x1, "MNT_FORCE"),
    (0x2, "MNT_DETACH"),
    (0x4, "MNT_EXPIRE"),
    (0x8, "UMOUNT_NOFOLLOW"),
    (0x80000000, "UMOUNT_UNUSED"),
];

/// `recvtab.h`, in its order.
pub(super) const RECV_FLAGS: &[(u64, &str)] = &[
    (0x1, "MSG_OOB"),
    (0x2, "MSG_PEEK"),
    (0x4, "MSG_DONTROUTE"),
    (0x8, "MSG_CTRUNC"),
    (0x10, "MSG_PROXY"),
    (0x20, "MSG_TRUNC"),
    (0x40, "MSG_DONTWAIT"),
    (0x80, "MSG_EOR"),
    (0x100, "MSG_WAITALL"),
    (0x200, "MSG_FIN"),
    (0x400, "MSG_SYN"),
    (0x800, "MSG_CONFIRM"),
    (0x1000, "MSG_RST"),
    (0x2000, "MSG_ERRQUEUE"),
    (0x4000, "MSG_NOSIGNAL"),
    (0x8000, "MSG_MORE"),
    (0x10000, "MSG_WAITFORONE"),
    (0x20000, "MSG_SENDPAGE_NOTLAST"),
    (0x40000, "MSG_BATCH"),
    (0x20000000, "MSG_FASTOPEN"),
    (0x40000000, "MSG_CMSG_CLOEXEC"),
    (0x80000000, "MSG_CMSG_COMPAT"),
];

/// `mounttab.h`, in its order.
pub(super) const MOUNT_FLAGS: &[(u64, &str)] = &[
    (0x1, "MS_RDONLY"),
    (0x2, "MS_NOSUID"),
    (0x4, "MS_NODEV"),
    (0x8, "MS_NOEXEC"),
    (0x10, "MS_SYNCHRONOUS"),
    (0x20, "MS_REMOUNT"),
    (0x40, "MS_MANDLOCK"),
    (0x80, "MS_DIRSYNC"),
    (0x400, "MS_NOATIME"),
    (0x800, "MS_NODIRATIME"),
    (0x1000, "MS_BIND"),
    (0x2000, "MS_MOVE"),
    (0x4000, "MS_REC"),
    (0x8000, "MS_SILENT"),
    (0x10000, "MS_POSIXACL"),
    (0x20000, "MS_UNBINDABLE"),
    (0x40000, "MS_PRIVATE"),
    (0x80000, "MS_SLAVE"),
    (0x100000, "MS_SHARED"),
    (0x200000, "MS_RELATIME"),
    (0x400000, "MS_KERNMOUNT"),
    (0x800000, "MS_I_VERSION"),
    (0x1000000, "MS_STRICTATIME"),
    (0x2000000, "MS_LAZYTIME"),
    (0x4000000, "MS_SUBMOUNT"),
    (0x8000000, "MS_SNAP_STABLE"),
    (0x10000000, "MS_NOSEC"),
    (0x20000000, "MS_BORN"),
    (0x40000000, "MS_ACTIVE"),
    (0x80000000, "MS_NOUSER"),
];

/// `openat2-resolvetab.h`, in its order.
pub(super) const RESOLVE_FLAGS: &[(u64, &str)] = &[
    (0x1, "RESOLVE_NO_XDEV"),
    (0x2, "RESOLVE_NO_MAGICLINKS"),
    (0x4, "RESOLVE_NO_SYMLINKS"),
    (0x8, "RESOLVE_BENEATH"),
    (0x10, "RESOLVE_IN_ROOT"),
    (0x20, "RESOLVE_CACHED"),
];
