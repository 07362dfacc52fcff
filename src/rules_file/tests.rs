use std::path::PathBuf;

use super::*;
use crate::kernel::Setting;
use crate::rule::syscalls::Arch;
use crate::rule::{binary, perm, text, Action, Field, FieldType, FieldValue, FilterList, Operator, Rule, SyscallMask};

/// A root with its own users, groups and a directory, so nothing depends on the host.
fn root() -> PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "dockaudit-rules-file-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(dir.join("etc/docker")).unwrap();
    std::fs::create_dir_all(dir.join("usr/lib/systemd/system")).unwrap();
    std::fs::create_dir_all(dir.join("lib")).unwrap();
    std::os::unix::fs::symlink("/usr/lib", dir.join("lib/real")).unwrap();
    std::fs::write(
        dir.join("etc/passwd"),
        "root:x:0:0::/root:/bin/sh\ndockremap:x:4711:4711::/:/bin/false\ndockremap:x:9:9::/:/bin/false\n",
    )
    .unwrap();
    std::fs::write(dir.join("etc/group"), "root:x:0:\ndocker:x:998:alice\n").unwrap();
    dir
}

fn resolver() -> Resolver {
    Resolver::new(root()).with_arch(Arch::X86_64)
}

fn one(line: &str) -> (RuleOp, Rule) {
    let lines = parse(line, "t.rules", &resolver()).unwrap_or_else(|e| panic!("{line}: {e}"));
    match lines.into_iter().next().map(|l| l.entry) {
        Some(Entry::Rule { op, rule }) => (op, rule),
        other => panic!("{line}: not a rule: {other:?}"),
    }
}

/// The rule as `auditctl -l` prints it.
fn listed(line: &str) -> String {
    String::from_utf8(text::to_text(&one(line).1, Arch::X86_64)).unwrap()
}

fn error(text: &str) -> String {
    parse(text, "rules.d/50-docker.rules", &resolver())
        .map(|l| format!("parsed: {l:?}"))
        .unwrap_or_else(|e| e.to_string())
}

fn number(rule: &Rule, kind: FieldType) -> u32 {
    rule.field(kind).and_then(Field::as_number).unwrap()
}

#[test]
fn watches_become_exit_rules_on_all_syscalls_with_default_perms() {
    let (op, rule) = one("-w /usr/bin/dockerd -k docker");
    assert_eq!(op, RuleOp::Append);
    assert_eq!((rule.list, rule.action), (FilterList::Exit, Action::Always));
    assert_eq!(rule.mask, SyscallMask::all());
    assert_eq!(
        rule.fields,
        vec![
            Field::text(FieldType::WATCH, Operator::EQUAL, "/usr/bin/dockerd"),
            Field::number(FieldType::PERM, Operator::EQUAL, perm::ALL),
            Field::text(FieldType::FILTERKEY, Operator::EQUAL, "docker"),
        ]
    );
    assert_eq!(listed("-w /etc/docker/daemon.json -p wa"), "-w /etc/docker/daemon.json -p wa");
}

#[test]
fn a_directory_on_the_judged_root_is_a_tree_watch_and_loses_its_trailing_slash() {
    let (_, rule) = one("-w /etc/docker/ -p wa");
    assert_eq!(rule.fields[0], Field::text(FieldType::DIR, Operator::EQUAL, "/etc/docker"));
    // Symlinks resolve inside the root: /lib/real -> /usr/lib of the root, not the host.
    assert_eq!(one("-w /lib/real/systemd/system").1.fields[0].kind, FieldType::DIR);
    assert_eq!(one("-w /nonexistent/x").1.fields[0].kind, FieldType::WATCH);
    assert_eq!(one("-w /").1.fields[0], Field::text(FieldType::DIR, Operator::EQUAL, "/"));
    // -F dir= is taken literally, as auditctl does.
    assert_eq!(listed("-a always,exit -F dir=/etc/ -F perm=wa"), "-w /etc/ -p wa");
}

#[test]
fn perms_keys_and_their_order() {
    // A second -p replaces the first; keys go last, joined by 0x01, whatever their position.
    let (_, rule) = one("-w /etc/hosts -k one -p r -p wa -k two");
    assert_eq!(number(&rule, FieldType::PERM), perm::WRITE | perm::ATTR);
    assert_eq!(rule.fields.last().unwrap().value, FieldValue::Text(b"one\x01two".to_vec()));
    assert_eq!(listed("-a always,exit -F key=first -F path=/etc/hosts -F perm=w"), "-w /etc/hosts -p w -k first");
    assert_eq!(
        listed("-a always,exit -F key=a -F arch=b64 -S open -k b"),
        "-a always,exit -F arch=b64 -S open -F key=a -F key=b"
    );
    assert_eq!(
        listed("-a always,exit -F arch=b64 -S open -F uid=0 -p w"),
        "-a always,exit -F arch=b64 -S open -F uid=0 -F perm=w"
    );
    assert_eq!(listed("-w /etc/hosts -p RwXa"), "-w /etc/hosts -p rwxa");
}

#[test]
fn list_and_action_in_both_orders_prepend_and_delete() {
    assert_eq!(one("-a always,exit -S all").1, one("-a exit,always -S all").1);
    assert_eq!(one("-A never,exit -S all").0, RuleOp::Prepend);
    assert_eq!(one("-d always,exit -S all").0, RuleOp::Delete);
    assert_eq!(one("-W /etc/hosts").0, RuleOp::Delete);
    for (text, list) in [
        ("-a always,task", FilterList::Task),
        ("-a always,user", FilterList::User),
        ("-a never,exclude -F msgtype=CWD", FilterList::Exclude),
        ("-a always,filesystem -F fstype=debugfs", FilterList::Filesystem),
    ] {
        assert_eq!(one(text).1.list, list, "{text}");
    }
    // auditctl sends all syscalls for every list but task when none are named.
    assert_eq!(one("-a never,exclude -F msgtype=CWD").1.mask, SyscallMask::all());
    assert_eq!(one("-a always,task -F uid=0").1.mask, SyscallMask::default());
    assert_eq!(one("-a always,exit -F uid=0").1.mask, SyscallMask::all());
}

#[test]
fn syscalls_by_name_per_arch_by_number_and_all() {
    let (_, rule) = one("-a always,exit -F arch=b64 -S open,openat -S 0x10 -S 400");
    assert_eq!(rule.mask.numbers().collect::<Vec<_>>(), vec![2, 16, 257, 400]);
    let (_, rule) = one("-a always,exit -F arch=b32 -S open,,OPEN -S chown32");
    assert_eq!(rule.mask.numbers().collect::<Vec<_>>(), vec![5, 212]);
    assert_eq!(number(&rule, FieldType::ARCH), Arch::I386.audit_value());
    assert_eq!(one("-a always,exit -S all").1.mask, SyscallMask::all());
    for arch in ["x86_64", "3221225534", "0xc000003e", "c000003e", "B64"] {
        assert_eq!(
            listed(&format!("-a always,exit -F arch={arch} -S open")),
            "-a always,exit -F arch=b64 -S open",
            "{arch}"
        );
    }
    assert_eq!(listed("-a always,exit -F arch=i686 -S open"), "-a always,exit -F arch=b32 -S open");
    // The syscall table follows the arch field even with !=, as in auditctl.
    assert_eq!(one("-a always,exit -F arch!=b32 -S open").1.mask.numbers().collect::<Vec<_>>(), vec![5]);
}

#[test]
fn a_syscall_without_arch_uses_the_native_table_and_warns_like_auditctl() {
    let lines = parse("-a always,exit -S open", "t", &resolver()).unwrap();
    assert!(lines[0].warnings[0].contains("32/64 bit syscall mismatch"), "{:?}", lines[0].warnings);
    let Entry::Rule { rule, .. } = &lines[0].entry else { panic!() };
    assert_eq!(rule.mask.numbers().collect::<Vec<_>>(), vec![2]);
    assert!(rule.field(FieldType::ARCH).is_none());
    // kill is 62 on x86_64 and 37 on i386, but the same name: no numbers match, a warning.
    assert!(parse("-a always,exit -S all", "t", &resolver()).unwrap()[0].warnings.is_empty());
}

#[test]
fn auditctl_warnings_are_kept_with_the_line() {
    let warnings = |text: &str| parse(text, "t", &resolver()).unwrap().remove(0).warnings;
    assert!(warnings("-w /etc/../etc/hosts")[0].contains("relative path notation"));
    assert!(warnings("-w /etc/*.conf")[0].contains("wildcards are not supported"));
    assert!(warnings("-w /etc/hosts -k docker\r")[0].contains("carriage return"));
    assert!(warnings("-w /etc/hosts -k docker").is_empty());
}

#[test]
fn user_and_group_names_come_from_the_judged_root() {
    let (_, rule) =
        one("-a always,exit -F arch=b64 -S open -F uid=dockremap -F euid=root -F gid=docker -F obj_gid=root");
    assert_eq!(number(&rule, FieldType::UID), 4711, "the first passwd entry wins");
    assert_eq!(number(&rule, FieldType::EUID), 0);
    assert_eq!(number(&rule, FieldType::GID), 998);
    assert_eq!(number(&rule, FieldType::OBJ_GID), 0);
    assert_eq!(number(&one("-a always,exit -S all -F auid=unset").1, FieldType::LOGINUID), u32::MAX);
    assert_eq!(number(&one("-a always,exit -S all -F loginuid=-1").1, FieldType::LOGINUID), u32::MAX);
}

#[test]
fn numbers_follow_strtol_octal_hex_negative_and_truncation() {
    let (_, rule) = one("-a always,exit -F arch=b64 -S open -F uid=010 -F euid=12abc -F suid=4294967296 -F a0=-1 -F a1=0x100000001 -F a2=0x1F -F inode=4000000000");
    assert_eq!(number(&rule, FieldType::UID), 8);
    assert_eq!(number(&rule, FieldType::EUID), 12);
    assert_eq!(number(&rule, FieldType::SUID), 0);
    assert_eq!(number(&rule, FieldType::ARG0), u32::MAX);
    assert_eq!(number(&rule, FieldType::ARG1), 1);
    assert_eq!(number(&rule, FieldType::ARG2), 31);
    assert_eq!(number(&rule, FieldType::INODE), 4_000_000_000);
}

#[test]
fn named_values_errno_msgtype_filetype_fstype_perm() {
    assert_eq!(
        listed("-a always,exit -F arch=b64 -S open -F exit=-EACCES -F exit!=EPERM -F exit>=-13"),
        "-a always,exit -F arch=b64 -S open -F exit=-EACCES -F exit!=1 -F exit>=-EACCES"
    );
    assert_eq!(listed("-a never,exclude -F msgtype=cwd"), "-a never,exclude -F msgtype=CWD");
    assert_eq!(listed("-a never,exclude -F msgtype>=1400"), "-a never,exclude -F msgtype>=AVC");
    assert_eq!(number(&one("-a always,exit -S all -F filetype=Dir").1, FieldType::FILETYPE), 0o040000);
    assert_eq!(listed("-a always,filesystem -F fstype=TRACEFS"), "-a always,filesystem -F fstype=tracefs");
    assert_eq!(listed("-a always,exit -S all -F perm=wa"), "-a always,exit -S all -F perm=wa");
}

#[test]
fn every_operator_and_string_fields() {
    for op in ["=", "!=", "<", ">", "<=", ">=", "&", "&="] {
        let rule = one(&format!("-a always,exit -F arch=b64 -S open -F pid{op}5")).1;
        assert_eq!(rule.fields[1].op.symbol(), Some(op));
    }
    let rule = one("-a always,exit -F arch=b64 -S all -F subj_type=unconfined_t -F obj_lev_high=s0 -F exe=/usr/bin/dockerd -F key=k").1;
    let kinds: Vec<_> = rule.fields.iter().map(|f| f.kind).collect();
    assert_eq!(
        kinds,
        vec![FieldType::ARCH, FieldType::SUBJ_TYPE, FieldType::OBJ_LEV_HIGH, FieldType::EXE, FieldType::FILTERKEY]
    );
    assert_eq!(rule.field(FieldType::EXE).unwrap().as_bytes(), Some(b"/usr/bin/dockerd".as_slice()));
}

#[test]
fn field_comparisons_in_either_order() {
    assert_eq!(
        listed("-a always,exit -F arch=b64 -S open -C obj_uid!=auid -C uid=auid"),
        "-a always,exit -F arch=b64 -S open -C auid!=obj_uid -C uid=auid"
    );
    assert_eq!(
        listed("-a always,exit -F arch=b64 -S open -C sgid=egid"),
        "-a always,exit -F arch=b64 -S open -C egid=sgid"
    );
}

#[test]
fn control_lines_comments_blank_lines_and_escapes() {
    let text = "# comment\n\n   \n   # indented\n-D\n-b 8192\n-f 1\n-e 2\n-r 0x10\n--backlog_wait_time 60000\n--backlog_wait_time=5\n--loginuid-immutable\n-i\n-c\n-D -k docker\n";
    let entries: Vec<_> =
        parse(text, "t", &resolver()).unwrap().into_iter().map(|l| (l.origin.line, l.entry)).collect();
    assert_eq!(
        entries,
        vec![
            (5, Entry::Directive(Directive::DeleteAll { key: None })),
            (6, Entry::Directive(Directive::Set(Setting::BacklogLimit, 8192))),
            (7, Entry::Directive(Directive::Set(Setting::Failure, 1))),
            (8, Entry::Directive(Directive::Set(Setting::Enabled, 2))),
            (9, Entry::Directive(Directive::Set(Setting::RateLimit, 16))),
            (10, Entry::Directive(Directive::Set(Setting::BacklogWaitTime, 60000))),
            (11, Entry::Directive(Directive::Set(Setting::BacklogWaitTime, 5))),
            (12, Entry::Directive(Directive::LoginuidImmutable)),
            (13, Entry::Directive(Directive::IgnoreErrors)),
            (14, Entry::Directive(Directive::ContinueOnErrors)),
            (15, Entry::Directive(Directive::DeleteAll { key: Some("docker".into()) })),
        ]
    );
    assert_eq!(listed("-w /tmp/a\\ b -p wa"), "-w /tmp/a b -p wa");
    assert_eq!(listed("-aalways,exit -Farch=b64 -Sopen -Fuid=3"), "-a always,exit -F arch=b64 -S open -F uid=3");
    assert_eq!(
        listed("-a always,exit -F arch=b64 -S open   -F  uid=3 "),
        "-a always,exit -F arch=b64 -S open -F uid=3"
    );
}

#[test]
fn encoded_rules_round_trip_through_the_decoder() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/rules/every-field.rules")).unwrap();
    let lines = parse(&text, "every-field.rules", &resolver()).unwrap();
    assert!(lines.len() > 25);
    for line in lines {
        if let Entry::Rule { rule, .. } = line.entry {
            assert_eq!(binary::decode(&binary::encode(&rule, false).unwrap()).unwrap(), rule, "{}", line.origin);
        }
    }
}

#[test]
fn every_error_names_file_line_column_and_what_was_expected() {
    let cases: &[(&str, &str)] = &[
        ("-w /usr/bin/dockerd -k docker\n-a always,exit -F pth=/x", "rules.d/50-docker.rules:2:19: unknown field \"pth\" (expected one of: pid, uid,"),
        ("-x", "rules.d/50-docker.rules:1:2: unknown option \"-x\" (expected one of: -w -W -p -k"),
        ("--frobnicate", "1:1: unknown option \"--frobnicate\""),
        ("-l", "1:2: option -l is not allowed in a rules file"),
        ("-R other.rules", "1:2: option -R is not allowed in a rules file"),
        ("-w", "1:2: option -w needs a value"),
        ("-w /etc/hosts # docker", "1:15: \"#\" is not an option (expected an option starting with '-'; a comment must be a line whose first word starts with '#')"),
        ("\t# tab", "1:1: \"\t#\" is not an option"),
        ("-a always", "1:4: \"always\" is not LIST,ACTION (expected one of always, never and one of exit, user, task, exclude, filesystem, in either order)"),
        ("-a always,exit,user", "is not LIST,ACTION"),
        ("-a possible,exit", "1:4: the action \"possible\" is no longer supported (expected always or never)"),
        ("-a always,io_uring -S openat", "the io_uring list is not supported by auditctl 3.0.9"),
        ("-a always,exit -A always,exit", "1:17: only one of -a, -A, -d, -w, -W per line"),
        ("-a always,exit -w /etc", "1:17: -w and -W make a rule of their own and cannot follow -a, -A, -d or -F"),
        ("-w etc/hosts", "1:4: the watch path must start with '/'"),
        (&format!("-w /{}", "a".repeat(256)), "the last component of the watch path is longer than 255 bytes"),
        (&format!("-w /{}", "a/".repeat(2100)), "the watch path is longer than 4096 bytes"),
        ("-p wa", "1:2: -p needs -a, -A, -d, -w or -W before it on the line"),
        ("-F uid=0", "1:2: -F needs -a, -A, -d, -w or -W before it on the line"),
        ("-C uid=auid", "1:2: -C needs -a, -A, -d, -w or -W before it on the line"),
        ("-a always,exit -p wa", "1:17: -p needs a field (a watch) before it"),
        ("-w /etc/hosts -p rwxab", "1:18: permission \"rwxab\" is too long (expected at most 4 of r, w, x, a)"),
        ("-w /etc/hosts -p rq", "1:18: permission letter 'q' is not one of r, w, x, a"),
        ("-a always,exit -F uid=0 -k foo", "1:26: a key needs a watch, a syscall (-S), a perm, path, dir, exe or fstype field before it"),
        ("-a always,exit -F uid=0 -F key=foo", "1:1: a key needs a watch"),
        (&format!("-w /etc/hosts -k {} -k b", "k".repeat(255)), "the keys of a rule are longer than 256 bytes together"),
        ("-w /etc/hosts -k a\u{1}b", "a key cannot contain the byte 0x01"),
        ("-a always,exit -F arch=b64 -S opne", "1:31: unknown syscall \"opne\" for x86_64 (expected a name from the x86_64 table, a number below 2048, or all)"),
        ("-a always,exit -F arch=b64 -S 3000", "unknown syscall \"3000\""),
        ("-a always,task -S open", "1:19: -S cannot be used on the task list"),
        ("-a never,exclude -S open", "-S cannot be used on the exclude list"),
        ("-a always,exit -S open -F arch=b64", "1:27: -F arch must come before -S (the syscall names depend on it)"),
        ("-a always,exit -F arch=sparc -S open", "1:24: unknown arch \"sparc\" (expected b64, b32, x86_64, i386, aarch64, arm or an AUDIT_ARCH_* number)"),
        ("-a always,exit -F arch<b64", "field arch takes only the operators = and !="),
        ("-S open", "1:2: -S without -a, -A, -d, -w or -W: no list to put the rule on"),
        ("-a always,exit -F uid", "1:19: \"uid\" has no operator (expected one of: = != < > <= >= & &=)"),
        ("-a always,exit -F =0", "1:19: missing field name before the operator"),
        ("-a always,exit -F uid=", "1:19: field uid has no value after the operator"),
        ("-a always,user -F exit=-EACCES", "1:19: field exit is only valid on the exit list"),
        ("-a always,exit -F msgtype=CWD", "field msgtype is only valid on the exclude or user list"),
        ("-a always,exit -F fstype=debugfs", "field fstype is only valid on the filesystem list"),
        ("-a never,exclude -F path=/x", "the exclude list takes only the fields msgtype, pid, uid, gid, auid, subj_* and exe (not path)"),
        ("-a always,exit -S all -F perm!=w", "field perm takes only the operators ="),
        ("-a always,exit -S all -F inode>5", "field inode takes only the operators = and !="),
        ("-a always,exit -S all -F pid=-1", "1:30: field pid expects a number, got \"-1\""),
        ("-a always,exit -S all -F a0=x", "field a0 expects a number, got \"x\""),
        ("-a always,exit -S all -F uid=nobody", "1:30: unknown user \"nobody\" (not in "),
        ("-a always,exit -S all -F gid=-1", "1:30: unknown group \"-1\" (not in "),
        ("-a always,exit -S all -F exit=-EWHATEVER", "unknown errno name \"-EWHATEVER\" (expected e.g. -EACCES, -EPERM or a number)"),
        ("-a never,exclude -F msgtype=NOPE", "unknown message type \"NOPE\" (expected e.g. CWD, SYSCALL, PATH or a number)"),
        ("-a always,exit -S all -F filetype=8", "unknown file type \"8\" (expected one of: file, dir, socket, link, character, block, fifo)"),
        ("-a always,filesystem -F fstype=ext4", "unknown filesystem type \"ext4\" (expected debugfs, tracefs or a magic number)"),
        (&format!("-a always,exit -S all -F path=/{}", "a".repeat(4100)), "the value of field path is longer than the kernel allows"),
        (&format!("-a always,exit -F arch=b64 -S open{}", " -F uid=0".repeat(63)), "a rule can have at most 63 fields"),
        ("-a always,exit -S all -C uid<auid", "-C needs FIELD=FIELD or FIELD!=FIELD, got \"uid<auid\""),
        ("-a always,exit -S all -C uid=gid", "-C cannot compare uid with gid"),
        ("-a always,exit -S all -C uid=nope", "unknown field \"nope\""),
        ("-e 3", "1:4: -e takes 0, 1 or 2, got \"3\""),
        ("-f x", "-f takes 0, 1 or 2, got \"x\""),
        ("-b -1", "-b takes a number, got \"-1\""),
        ("--backlog_wait_time x", "--backlog_wait_time takes a number, got \"x\""),
        ("-e 1 -w /etc/hosts", "1:7: -e changes the audit system and must be on a line of its own"),
        ("-a always,exit -S all -F sessionid=x", "field sessionid expects a number, got \"x\""),
    ];
    let mut failures = Vec::new();
    for (text, expected) in cases {
        let got = error(text);
        if !got.contains(expected) || !got.starts_with("rules.d/50-docker.rules:") {
            failures.push(format!("{text:?}\n  expected: {expected}\n  got:      {got}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Which rule needs which bit of the kernel's feature bitmap, as libaudit 3.0.9's
/// `audit_rule_fieldpair_data` checks them: each rule is refused by a kernel lacking
/// just that bit, naming it, and accepted by one that has it.
#[test]
fn each_feature_bit_gates_the_fields_libaudit_gates_with_it() {
    use super::feature::*;
    let cases = [
        ("-a always,exit -S all -F exe=/bin/sh", EXECUTABLE_PATH, "executable_path"),
        ("-a always,exit -S all -F sessionid=1", SESSIONID_FILTER, "sessionid_filter"),
        ("-a always,filesystem -F fstype=debugfs", FILTER_FS, "filter_fs"),
        ("-a never,exclude -F uid=0", EXCLUDE_EXTEND, "exclude_extend"),
        // exe on the exclude list needs both (auditctl 3.0.9 and the kernel take it).
        ("-a exclude,always -F exe=/bin/ls", EXCLUDE_EXTEND, "exclude_extend"),
        ("-a exclude,always -F exe=/bin/ls", EXECUTABLE_PATH, "executable_path"),
    ];
    for (text, bit, name) in cases {
        let lacking = Resolver::new(root()).with_arch(Arch::X86_64).with_features(ALL & !bit);
        let got = parse(text, "t", &lacking).unwrap_err().to_string();
        assert!(got.contains(&format!("needs a kernel feature this kernel lacks ({name})")), "{text}: {got}");
        let having = Resolver::new(root()).with_arch(Arch::X86_64).with_features(ALL);
        assert!(parse(text, "t", &having).is_ok(), "{text}");
    }
    // msgtype is the one exclude field every kernel takes; the rest are not exclude fields.
    let none = Resolver::new(root()).with_arch(Arch::X86_64).with_features(0);
    assert!(parse("-a never,exclude -F msgtype=CWD", "t", &none).is_ok());
    let got = parse("-a never,exclude -F euid=0", "t", &resolver()).unwrap_err().to_string();
    assert!(got.contains("the exclude list takes only"), "{got}");
    assert_eq!(names(ALL).len(), 7);
    assert_eq!(names(EXCLUDE_EXTEND | FILTER_FS), ["exclude_extend", "filter_fs"]);
}

/// The table drives `-F`, and the unknown-field error lists its names: it must hold
/// every field libaudit names, once, in number order.
#[test]
fn the_field_table_has_every_named_field_once_in_number_order() {
    let named: Vec<FieldType> = (0..=u32::from(u8::MAX)).map(FieldType).filter(|t| t.name().is_some()).collect();
    let table: Vec<FieldType> = fields::FIELDS.iter().map(|spec| spec.kind).collect();
    assert_eq!(table, named);
    for (alias, kind) in fields::ALIASES {
        assert_eq!(fields::spec(alias).map(|spec| spec.kind), Some(*kind));
    }
}

#[test]
fn a_resolver_over_a_fake_filesystem_reads_its_names_and_directories() {
    use crate::host::FakeFs;
    let fs = FakeFs::new()
        .file_with("/etc/passwd", "dockremap:x:4711:4711::/:/bin/false\n")
        .symlink("/etc/group", "group.real")
        .file_with("/etc/group.real", "docker:x:998:\n")
        .dir("/etc/docker")
        .symlink("/lib", "usr/lib")
        .dir("/usr/lib/systemd");
    let resolver = Resolver::over(fs).with_arch(Arch::X86_64);
    let rule = |line: &str| match parse(line, "t", &resolver).unwrap().remove(0).entry {
        Entry::Rule { rule, .. } => rule,
        other => panic!("{other:?}"),
    };
    let r = rule("-a always,exit -S all -F uid=dockremap -F gid=docker");
    assert_eq!((number(&r, FieldType::UID), number(&r, FieldType::GID)), (4711, 998));
    assert_eq!(rule("-w /etc/docker").fields[0].kind, FieldType::DIR);
    assert_eq!(rule("-w /lib/systemd").fields[0].kind, FieldType::DIR);
    assert_eq!(rule("-w /etc/passwd").fields[0].kind, FieldType::WATCH);
    assert_eq!(resolver.root(), std::path::Path::new("/"));
    let err = parse("-a always,exit -S all -F uid=nobody", "t", &resolver).unwrap_err().to_string();
    assert_eq!(err, "t:1:30: unknown user \"nobody\" (not in /etc/passwd)");
}
