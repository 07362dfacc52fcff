use super::*;

fn matches(q: &Query, lines: &[&str]) -> bool {
    q.matches(lines.iter().map(|l| Record::parse(l.as_bytes()).unwrap()), &Names::default())
}

const OPEN: &[&str] = &[
    "type=SYSCALL msg=audit(100.000:1): arch=c000003e syscall=257 success=no exit=-13 a0=1 a1=2 a2=3 a3=4 items=1 ppid=1 pid=42 auid=1000 uid=0 gid=0 euid=0 comm=\"cat\" exe=\"/usr/bin/cat\" key=646F636B657201636F6E7461696E657264",
    "type=CWD msg=audit(100.000:1): cwd=\"/etc/docker\"",
    "type=PATH msg=audit(100.000:1): item=0 name=\"./daemon.json\" inode=1",
];

#[test]
fn keys_are_split_substrings() {
    let q = |k: &str, exact| Query { key: Some(k.into()), exact, ..Query::default() };
    assert!(matches(&q("docker", false), OPEN));
    assert!(matches(&q("tain", false), OPEN));
    assert!(matches(&q("containerd", true), OPEN));
    assert!(!matches(&q("contain", true), OPEN));
    assert!(!matches(&q("docker\u{1}", false), OPEN));
}

#[test]
fn other_selectors() {
    let all = Query {
        pid: Some(42),
        uid: Some(UserFilter::Name("root".into())),
        auid: Some(UserFilter::Id(1000)),
        success: Some(false),
        exe: Some("cat".into()),
        path: Some("/etc/docker/./daemon.json".into()),
        syscall: Some(SyscallFilter::Name("openat".into())),
        start: Some(100),
        end: Some(100),
        ..Query::default()
    };
    assert!(matches(&all, OPEN));
    for q in [
        Query { pid: Some(43), ..all.clone() },
        Query { syscall: Some(SyscallFilter::Number(2)), ..all.clone() },
        Query { success: Some(true), ..all.clone() },
        Query { start: Some(101), ..all.clone() },
        Query { path: Some("/var".into()), ..all.clone() },
    ] {
        assert!(!matches(&q, OPEN), "{q:?}");
    }
}

#[test]
fn paths_match_files_and_trees_folded_against_the_cwd() {
    let q = |paths: Vec<PathMatch>| Query { paths, ..Query::default() };
    // ./daemon.json in /etc/docker.
    assert!(matches(&q(vec![PathMatch::file("/etc/docker/daemon.json")]), OPEN));
    assert!(matches(&q(vec![PathMatch::dir("/etc/docker")]), OPEN));
    assert!(matches(&q(vec![PathMatch::dir("/etc/docker/")]), OPEN));
    assert!(!matches(&q(vec![PathMatch::file("/etc/docker")]), OPEN), "the CWD alone does not select");
    assert!(!matches(&q(vec![PathMatch::dir("/etc/dock")]), OPEN));
    assert!(!matches(&q(vec![PathMatch::file("/usr/sbin/runc")]), OPEN));
    // A bare relative name is joined to the CWD too; `..` folds.
    let bare = [
        "type=SYSCALL msg=audit(1.000:1): syscall=59 success=yes a0=1 a1=2 key=(null)",
        "type=CWD msg=audit(1.000:1): cwd=\"/usr/bin\"",
        "type=PATH msg=audit(1.000:1): item=0 name=\"../sbin//runc\" inode=1",
        "type=PATH msg=audit(1.000:1): item=1 name=\"ld.so\" inode=2",
    ];
    assert!(matches(&q(vec![PathMatch::file("/usr/sbin/runc")]), &bare));
    assert!(matches(&q(vec![PathMatch::file("/usr/bin/ld.so")]), &bare));
    assert!(!matches(&q(vec![PathMatch::file("/usr/bin/runc")]), &bare));
    let no_cwd = ["type=PATH msg=audit(1.000:1): item=0 name=\"./usr/sbin/runc\" inode=1"];
    assert!(!matches(&q(vec![PathMatch::file("/usr/sbin/runc")]), &no_cwd));
    assert_eq!(fold(b"/a/./b//../c/"), b"/a/c");
    assert_eq!(fold(b"/.."), b"/");
}

#[test]
fn keys_any_are_exact_and_ored_with_paths_and_anded_with_the_rest() {
    let q = |keys: &[&str], paths: Vec<PathMatch>| Query {
        keys_any: keys.iter().map(|k| k.to_string()).collect(),
        paths,
        ..Query::default()
    };
    // OPEN's key is docker\x01containerd.
    assert!(matches(&q(&["containerd"], vec![]), OPEN));
    assert!(matches(&q(&["runc", "docker"], vec![]), OPEN));
    assert!(!matches(&q(&["dock", "tain"], vec![]), OPEN));
    assert!(matches(&q(&["runc"], vec![PathMatch::dir("/etc")]), OPEN));
    assert!(!matches(&q(&["runc"], vec![PathMatch::dir("/var")]), OPEN));
    let and = Query { pid: Some(43), ..q(&["docker"], vec![]) };
    assert!(!matches(&and, OPEN));
    let and = Query { key: Some("contain".into()), ..q(&["docker"], vec![]) };
    assert!(matches(&and, OPEN));
    let config = ["type=CONFIG_CHANGE msg=audit(1.000:3): auid=0 ses=1 op=add_rule key=\"runc-exec\" list=4 res=1"];
    assert!(matches(&q(&["runc-exec"], vec![]), &config));
    assert!(!matches(&q(&["runc"], vec![]), &config));
}

#[test]
fn null_keys_and_user_records() {
    let null = ["type=SYSCALL msg=audit(1.000:1): syscall=1 a0=1 a1=1 key=(null)"];
    assert!(matches(&Query { key: Some("null".into()), ..Query::default() }, &null));
    let user = ["type=USER_CMD msg=audit(1.000:2): pid=7 uid=1000 auid=1000 ses=1 msg='cwd=\"/\" cmd=6C73 exe=\"/usr/bin/sudo\" terminal=pts/0 res=failed'"];
    let q = Query { exe: Some("sudo".into()), success: Some(false), pid: Some(7), ..Query::default() };
    assert!(matches(&q, &user));
    let broken = ["type=SYSCALL msg=audit(1.000:1): syscall=1 a0=1 key=\"docker\""];
    assert!(!matches(&Query::default(), &broken));
}

/// The per-type quirks of ausearch-parse.c (parse_kernel_anom, parse_kernel, the initial
/// search_items, user_match), as its code reads; the oracle tests run the real ausearch.
#[test]
fn record_types_read_as_ausearch_reads_them() {
    let id = |n| Some(UserFilter::Id(n));
    let abend = ["type=ANOM_ABEND msg=audit(1.000:1): auid=1000 uid=0 gid=0 ses=3 subj=u pid=300 comm=\"d\" exe=\"/x\" sig=11 res=1"];
    // Its `uid=` search starts at the line's start and finds auid's, unless -ul read auid first.
    assert!(matches(&Query { uid: id(1000), ..Query::default() }, &abend));
    assert!(!matches(&Query { uid: id(0), ..Query::default() }, &abend));
    assert!(matches(&Query { uid: id(0), auid: id(1000), ..Query::default() }, &abend));
    // NETFILTER_CFG without uid, auid or exe: uid 0, auid unset, exe "(null)".
    let cfg = ["type=NETFILTER_CFG msg=audit(1.000:2): table=filter family=2 entries=4 op=xt_replace pid=500 subj=u comm=\"dockerd\""];
    assert!(matches(&Query { uid: id(0), auid: id(u32::MAX), ..Query::default() }, &cfg));
    assert!(matches(&Query { exe: Some("null".into()), pid: Some(500), ..Query::default() }, &cfg));
    // The initial syscall is 0; SECCOMP sets it.
    let user = ["type=USER_START msg=audit(1.000:3): pid=7 uid=0 auid=1000 ses=1 msg='op=x acct=\"root\" exe=\"/bin/su\" res=success'"];
    assert!(matches(&Query { syscall: Some(SyscallFilter::Number(0)), ..Query::default() }, &user));
    let seccomp = ["type=SECCOMP msg=audit(1.000:4): auid=0 uid=0 gid=0 ses=1 pid=4 comm=\"r\" exe=\"/r\" sig=0 arch=c000003e syscall=41 compat=0 ip=0x1 code=0x50000"];
    assert!(matches(&Query { syscall: Some(SyscallFilter::Name("socket".into())), ..Query::default() }, &seccomp));
    // A name beside a number: only the name is compared.
    let q = Query { uid: Some(UserFilter::Name("root".into())), auid: id(5), ..Query::default() };
    assert!(matches(&q, &user));
    // "Not set" values select everything.
    assert!(matches(&Query { auid: id(u32::MAX - 1), pid: Some(u32::MAX), ..Query::default() }, &cfg));
    // A short inet sockaddr gives the event up under --path.
    let short = [
        "type=SYSCALL msg=audit(1.000:5): arch=c000003e syscall=42 success=yes exit=0 a0=3 a1=7 a2=10 a3=0 items=0 ppid=1 pid=9 auid=0 uid=0 exe=\"/c\" key=(null)",
        "type=SOCKADDR msg=audit(1.000:5): saddr=0200",
        "type=CWD msg=audit(1.000:5): cwd=\"/\"",
    ];
    assert!(matches(&Query { pid: Some(9), ..Query::default() }, &short));
    assert!(!matches(&Query { path: Some("/".into()), ..Query::default() }, &short));
}
