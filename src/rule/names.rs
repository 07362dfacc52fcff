//! libaudit 3.0.9's value <-> name tables for the `msgtype`, `exit` (errno)
//! and `fstype` rule fields, in both directions, as auditctl prints and parses
//! them. Name lookups are case-insensitive because libaudit's are.
//!
//! Checked against tables captured from libaudit itself in
//! `tests/data/oracle/` (see `regenerate.sh` there).

/// Message types libaudit 3.0.9 names (`msg_typetab.h`), ascending. No crate
/// carries these names; the list is libaudit's, and the tests compare it with
/// `audit_msg_type_to_name` over 0..65536.
const MSGTYPES: &[(u32, &str)] = &[
    (1005, "USER"),
    (1006, "LOGIN"),
    (1100, "USER_AUTH"),
    (1101, "USER_ACCT"),
    (1102, "USER_MGMT"),
    (1103, "CRED_ACQ"),
    (1104, "CRED_DISP"),
    (1105, "USER_START"),
    (1106, "USER_END"),
    (1107, "USER_AVC"),
    (1108, "USER_CHAUTHTOK"),
    (1109, "USER_ERR"),
    (1110, "CRED_REFR"),
    (1111, "USYS_CONFIG"),
    (1112, "USER_LOGIN"),
    (1113, "USER_LOGOUT"),
    (1114, "ADD_USER"),
    (1115, "DEL_USER"),
    (1116, "ADD_GROUP"),
    (1117, "DEL_GROUP"),
    (1118, "DAC_CHECK"),
    (1119, "CHGRP_ID"),
    (1120, "TEST"),
    (1121, "TRUSTED_APP"),
    (1122, "USER_SELINUX_ERR"),
    (1123, "USER_CMD"),
    (1124, "USER_TTY"),
    (1125, "CHUSER_ID"),
    (1126, "GRP_AUTH"),
    (1127, "SYSTEM_BOOT"),
    (1128, "SYSTEM_SHUTDOWN"),
    (1129, "SYSTEM_RUNLEVEL"),
    (1130, "SERVICE_START"),
    (1131, "SERVICE_STOP"),
    (1132, "GRP_MGMT"),
    (1133, "GRP_CHAUTHTOK"),
    (1134, "MAC_CHECK"),
    (1135, "ACCT_LOCK"),
    (1136, "ACCT_UNLOCK"),
    (1137, "USER_DEVICE"),
    (1138, "SOFTWARE_UPDATE"),
    (1200, "DAEMON_START"),
    (1201, "DAEMON_END"),
    (1202, "DAEMON_ABORT"),
    (1203, "DAEMON_CONFIG"),
    (1205, "DAEMON_ROTATE"),
    (1206, "DAEMON_RESUME"),
    (1207, "DAEMON_ACCEPT"),
    (1208, "DAEMON_CLOSE"),
    (1209, "DAEMON_ERR"),
    (1300, "SYSCALL"),
    (1302, "PATH"),
    (1303, "IPC"),
    (1304, "SOCKETCALL"),
    (1305, "CONFIG_CHANGE"),
    (1306, "SOCKADDR"),
    (1307, "CWD"),
    (1309, "EXECVE"),
    (1311, "IPC_SET_PERM"),
    (1312, "MQ_OPEN"),
    (1313, "MQ_SENDRECV"),
    (1314, "MQ_NOTIFY"),
    (1315, "MQ_GETSETATTR"),
    (1316, "KERNEL_OTHER"),
    (1317, "FD_PAIR"),
    (1318, "OBJ_PID"),
    (1319, "TTY"),
    (1320, "EOE"),
    (1321, "BPRM_FCAPS"),
    (1322, "CAPSET"),
    (1323, "MMAP"),
    (1324, "NETFILTER_PKT"),
    (1325, "NETFILTER_CFG"),
    (1326, "SECCOMP"),
    (1327, "PROCTITLE"),
    (1328, "FEATURE_CHANGE"),
    (1330, "KERN_MODULE"),
    (1331, "FANOTIFY"),
    (1332, "TIME_INJOFFSET"),
    (1333, "TIME_ADJNTPVAL"),
    (1334, "BPF"),
    (1335, "EVENT_LISTENER"),
    (1336, "URINGOP"),
    (1337, "OPENAT2"),
    (1400, "AVC"),
    (1401, "SELINUX_ERR"),
    (1402, "AVC_PATH"),
    (1403, "MAC_POLICY_LOAD"),
    (1404, "MAC_STATUS"),
    (1405, "MAC_CONFIG_CHANGE"),
    (1406, "MAC_UNLBL_ALLOW"),
    (1407, "MAC_CIPSOV4_ADD"),
    (1408, "MAC_CIPSOV4_DEL"),
    (1409, "MAC_MAP_ADD"),
    (1410, "MAC_MAP_DEL"),
    (1411, "MAC_IPSEC_ADDSA"),
    (1412, "MAC_IPSEC_DELSA"),
    (1413, "MAC_IPSEC_ADDSPD"),
    (1414, "MAC_IPSEC_DELSPD"),
    (1415, "MAC_IPSEC_EVENT"),
    (1416, "MAC_UNLBL_STCADD"),
    (1417, "MAC_UNLBL_STCDEL"),
    (1418, "MAC_CALIPSO_ADD"),
    (1419, "MAC_CALIPSO_DEL"),
    (1500, "APPARMOR"),
    (1501, "APPARMOR_AUDIT"),
    (1502, "APPARMOR_ALLOWED"),
    (1503, "APPARMOR_DENIED"),
    (1504, "APPARMOR_HINT"),
    (1505, "APPARMOR_STATUS"),
    (1506, "APPARMOR_ERROR"),
    (1507, "APPARMOR_KILL"),
    (1700, "ANOM_PROMISCUOUS"),
    (1701, "ANOM_ABEND"),
    (1702, "ANOM_LINK"),
    (1703, "ANOM_CREAT"),
    (1800, "INTEGRITY_DATA"),
    (1801, "INTEGRITY_METADATA"),
    (1802, "INTEGRITY_STATUS"),
    (1803, "INTEGRITY_HASH"),
    (1804, "INTEGRITY_PCR"),
    (1805, "INTEGRITY_RULE"),
    (1806, "INTEGRITY_EVM_XATTR"),
    (1807, "INTEGRITY_POLICY_RULE"),
    (2000, "KERNEL"),
    (2100, "ANOM_LOGIN_FAILURES"),
    (2101, "ANOM_LOGIN_TIME"),
    (2102, "ANOM_LOGIN_SESSIONS"),
    (2103, "ANOM_LOGIN_ACCT"),
    (2104, "ANOM_LOGIN_LOCATION"),
    (2105, "ANOM_MAX_DAC"),
    (2106, "ANOM_MAX_MAC"),
    (2107, "ANOM_AMTU_FAIL"),
    (2108, "ANOM_RBAC_FAIL"),
    (2109, "ANOM_RBAC_INTEGRITY_FAIL"),
    (2110, "ANOM_CRYPTO_FAIL"),
    (2111, "ANOM_ACCESS_FS"),
    (2112, "ANOM_EXEC"),
    (2113, "ANOM_MK_EXEC"),
    (2114, "ANOM_ADD_ACCT"),
    (2115, "ANOM_DEL_ACCT"),
    (2116, "ANOM_MOD_ACCT"),
    (2117, "ANOM_ROOT_TRANS"),
    (2118, "ANOM_LOGIN_SERVICE"),
    (2119, "ANOM_LOGIN_ROOT"),
    (2120, "ANOM_ORIGIN_FAILURES"),
    (2121, "ANOM_SESSION"),
    (2200, "RESP_ANOMALY"),
    (2201, "RESP_ALERT"),
    (2202, "RESP_KILL_PROC"),
    (2203, "RESP_TERM_ACCESS"),
    (2204, "RESP_ACCT_REMOTE"),
    (2205, "RESP_ACCT_LOCK_TIMED"),
    (2206, "RESP_ACCT_UNLOCK_TIMED"),
    (2207, "RESP_ACCT_LOCK"),
    (2208, "RESP_TERM_LOCK"),
    (2209, "RESP_SEBOOL"),
    (2210, "RESP_EXEC"),
    (2211, "RESP_SINGLE"),
    (2212, "RESP_HALT"),
    (2213, "RESP_ORIGIN_BLOCK"),
    (2214, "RESP_ORIGIN_BLOCK_TIMED"),
    (2215, "RESP_ORIGIN_UNBLOCK_TIMED"),
    (2300, "USER_ROLE_CHANGE"),
    (2301, "ROLE_ASSIGN"),
    (2302, "ROLE_REMOVE"),
    (2303, "LABEL_OVERRIDE"),
    (2304, "LABEL_LEVEL_CHANGE"),
    (2305, "USER_LABELED_EXPORT"),
    (2306, "USER_UNLABELED_EXPORT"),
    (2307, "DEV_ALLOC"),
    (2308, "DEV_DEALLOC"),
    (2309, "FS_RELABEL"),
    (2310, "USER_MAC_POLICY_LOAD"),
    (2311, "ROLE_MODIFY"),
    (2312, "USER_MAC_CONFIG_CHANGE"),
    (2313, "USER_MAC_STATUS"),
    (2400, "CRYPTO_TEST_USER"),
    (2401, "CRYPTO_PARAM_CHANGE_USER"),
    (2402, "CRYPTO_LOGIN"),
    (2403, "CRYPTO_LOGOUT"),
    (2404, "CRYPTO_KEY_USER"),
    (2405, "CRYPTO_FAILURE_USER"),
    (2406, "CRYPTO_REPLAY_USER"),
    (2407, "CRYPTO_SESSION"),
    (2408, "CRYPTO_IKE_SA"),
    (2409, "CRYPTO_IPSEC_SA"),
    (2500, "VIRT_CONTROL"),
    (2501, "VIRT_RESOURCE"),
    (2502, "VIRT_MACHINE_ID"),
    (2503, "VIRT_INTEGRITY_CHECK"),
    (2504, "VIRT_CREATE"),
    (2505, "VIRT_DESTROY"),
    (2506, "VIRT_MIGRATE_IN"),
    (2507, "VIRT_MIGRATE_OUT"),
];

/// The name auditctl prints for a `msgtype` value (`SYSCALL` for 1300);
/// `None` means it prints the number.
pub fn msgtype_name(v: u32) -> Option<&'static str> {
    MSGTYPES.binary_search_by_key(&v, |&(n, _)| n).ok().map(|i| MSGTYPES[i].1)
}

/// The value `-F msgtype=NAME` means, any case. libaudit also takes
/// `UNKNOWN[1234]`; that and plain numbers are the parser's business.
pub fn msgtype_number(name: &str) -> Option<u32> {
    MSGTYPES.iter().find(|(_, n)| n.eq_ignore_ascii_case(name)).map(|&(v, _)| v)
}

/// libaudit's errno table (`errtab.h`) stops at EHWPOISON; auditctl prints
/// larger values as numbers even where the kernel has a name (ERESTARTSYS ...).
const LAST_ERRNO: u32 = 133;

/// Names libaudit accepts but never prints: its table lists them after the
/// name that shares their value, so the value prints as the first one.
const ERRNO_ALIASES: &[(&str, u32)] = &[("EWOULDBLOCK", 11), ("EDEADLOCK", 35)];

/// The name auditctl prints for an errno value, e.g. 13 -> `EACCES` (the rule
/// shows `-F exit=-EACCES`; the sign is the caller's).
pub fn errno_name(v: u32) -> Option<&'static str> {
    if v == 0 || v > LAST_ERRNO {
        return None;
    }
    // The crate's names are the kernel's (asm-generic/errno*.h), which is
    // where libaudit's come from too; the tests prove the two agree.
    syscalls::Errno::new(v as i32).name()
}

/// The errno value of a name (`EACCES` -> 13), any case, without a sign.
pub fn errno_number(name: &str) -> Option<u32> {
    if let Some(&(_, v)) = ERRNO_ALIASES.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
        return Some(v);
    }
    (1..=LAST_ERRNO).find(|&v| errno_name(v).is_some_and(|n| n.eq_ignore_ascii_case(name)))
}

/// Filesystem magic numbers libaudit 3.0.9 names (`fstypetab.h`). Later
/// libaudit adds cgroup and cgroup2; auditctl 3.0.9 prints those as numbers
/// and does not accept their names.
const FSTYPES: &[(u32, &str)] = &[(0x6462_6720, "debugfs"), (0x7472_6163, "tracefs")];

/// The name auditctl prints for an `fstype` value; `None` means a number.
pub fn fstype_name(v: u32) -> Option<&'static str> {
    FSTYPES.iter().find(|&&(n, _)| n == v).map(|&(_, name)| name)
}

/// The value `-F fstype=NAME` means, any case.
pub fn fstype_number(name: &str) -> Option<u32> {
    FSTYPES.iter().find(|(_, n)| n.eq_ignore_ascii_case(name)).map(|&(v, _)| v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    const MSGTYPE_TSV: &str = include_str!("../../tests/data/oracle/libaudit-msgtype.tsv");
    const ERRNO_TSV: &str = include_str!("../../tests/data/oracle/libaudit-errno.tsv");
    const FSTYPE_TSV: &str = include_str!("../../tests/data/oracle/libaudit-fstype.tsv");
    const LOOKUP: &str = include_str!("../../tests/data/oracle/libaudit-lookup.tsv");

    /// A `number<TAB>name` capture, its `#` header skipped.
    fn table(tsv: &'static str) -> BTreeMap<u32, &'static str> {
        let map: BTreeMap<u32, &str> = tsv
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| {
                let (v, n) = l.split_once('\t').expect("number<TAB>name");
                (v.parse().unwrap(), n)
            })
            .collect();
        assert!(!map.is_empty());
        map
    }

    /// libaudit's answers to name->number queries for one table:
    /// (query, raw return value).
    fn lookups(table: &str) -> Vec<(&'static str, i64)> {
        let rows: Vec<_> = LOOKUP
            .lines()
            .filter_map(|l| {
                let mut cols = l.split('\t');
                (cols.next() == Some(table)).then(|| (cols.next().unwrap(), cols.next().unwrap().parse().unwrap()))
            })
            .collect();
        assert!(!rows.is_empty(), "no {table} rows");
        rows
    }

    #[test]
    fn msgtype_names_match_libaudit() {
        let oracle = table(MSGTYPE_TSV);
        for v in 0..65536 {
            assert_eq!(msgtype_name(v), oracle.get(&v).copied(), "msgtype {v}");
        }
        assert_eq!(MSGTYPES.len(), oracle.len());
        assert!(MSGTYPES.windows(2).all(|w| w[0].0 < w[1].0), "binary search needs order");
    }

    #[test]
    fn msgtype_numbers_match_libaudit() {
        for (query, result) in lookups("msgtype") {
            let expected = (result >= 0).then_some(result as u32);
            assert_eq!(msgtype_number(query), expected, "{query}");
        }
    }

    #[test]
    fn errno_names_match_libaudit() {
        let oracle = table(ERRNO_TSV);
        for v in 0..4096 {
            assert_eq!(errno_name(v), oracle.get(&v).copied(), "errno {v}");
        }
        assert_eq!(errno_name(u32::MAX), None);
        assert_eq!(oracle.keys().max(), Some(&LAST_ERRNO));
    }

    /// The probes include every E* macro of the C headers, so this also
    /// proves ERRNO_ALIASES complete. libaudit answers 0 for an unknown name.
    #[test]
    fn errno_numbers_match_libaudit() {
        for (query, result) in lookups("errno") {
            let expected = (result > 0).then_some(result as u32);
            assert_eq!(errno_number(query), expected, "{query}");
        }
    }

    /// The fixture comes from a scan of every u32, so equality of the tables
    /// is equality of the functions.
    #[test]
    fn fstype_table_matches_libaudit() {
        let oracle = table(FSTYPE_TSV);
        let ours: BTreeMap<u32, &str> = FSTYPES.iter().copied().collect();
        assert_eq!(ours, oracle);
        for (&v, &name) in &oracle {
            assert_eq!(fstype_name(v), Some(name));
            assert_eq!(fstype_number(name), Some(v));
        }
        for (query, result) in lookups("fstype") {
            let expected = (result >= 0).then_some(result as u32);
            assert_eq!(fstype_number(query), expected, "{query}");
        }
    }

    /// Independent of the fixtures, so a bad capture cannot pass silently.
    #[test]
    fn well_known_values() {
        assert_eq!(msgtype_name(1300), Some("SYSCALL"));
        assert_eq!(msgtype_name(1307), Some("CWD"));
        assert_eq!(msgtype_name(1302), Some("PATH"));
        assert_eq!(msgtype_name(1301), None);
        assert_eq!(msgtype_number("syscall"), Some(1300));
        assert_eq!(msgtype_number("1300"), None);
        assert_eq!(errno_name(13), Some("EACCES"));
        assert_eq!(errno_name(1), Some("EPERM"));
        assert_eq!(errno_name(11), Some("EAGAIN"));
        assert_eq!(errno_number("eacces"), Some(13));
        assert_eq!(errno_number("-EACCES"), None);
        assert_eq!(errno_number("EWOULDBLOCK"), Some(11));
        assert_eq!(errno_name(512), None); // ERESTARTSYS: kernel-internal
        assert_eq!(fstype_name(0x7472_6163), Some("tracefs"));
        assert_eq!(fstype_number("DebugFS"), Some(0x6462_6720));
        assert_eq!(fstype_number("cgroup2"), None);
        assert_eq!(fstype_name(0x6367_7270), None); // cgroup2's magic
    }
}
