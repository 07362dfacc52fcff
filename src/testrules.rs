//! Test-only: builds kernel rules from `auditctl` lines the way auditctl 3.0.9 does,
//! so every semantics test starts from the rule text an administrator writes.
//! `-w` becomes a tree watch (`dir=`) when the path is a directory in the given
//! filesystem, as auditctl decides with stat(2) at load time.

use std::path::Path;

use crate::host::{resolve, FileKind, Filesystem};
use crate::rule::names;
use crate::rule::syscalls::{syscall_number, Arch};
use crate::rule::{perm, Action, Field, FieldType, FilterList, Operator, Rule, SyscallMask};

pub fn parse(text: &str, fs: &dyn Filesystem) -> Vec<Rule> {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(|l| parse_line(l, fs)).collect()
}

fn perm_bits(letters: &str) -> u32 {
    letters.chars().fold(0, |acc, c| {
        acc | match c {
            'r' => perm::READ,
            'w' => perm::WRITE,
            'x' => perm::EXEC,
            'a' => perm::ATTR,
            _ => panic!("perm letter {c}"),
        }
    })
}

fn parse_line(line: &str, fs: &dyn Filesystem) -> Rule {
    let native = Arch::native();
    let words: Vec<&str> = line.split_whitespace().collect();
    let mut rule =
        Rule { list: FilterList::Exit, action: Action::Always, mask: SyscallMask::default(), fields: Vec::new() };
    let mut arch = native;
    let mut watch: Option<String> = None;
    let mut perm_field: Option<u32> = None;
    let mut keys: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let (flag, arg) = (words[i], words.get(i + 1).copied().unwrap_or(""));
        i += 2;
        match flag {
            "-w" => {
                watch = Some(arg.to_string());
                rule.mask = SyscallMask::all();
            }
            "-p" => perm_field = Some(perm_bits(arg)),
            "-k" => keys.push(arg),
            "-a" => {
                for part in arg.split(',') {
                    match part {
                        "always" => rule.action = Action::Always,
                        "never" => rule.action = Action::Never,
                        "exit" => rule.list = FilterList::Exit,
                        "exclude" => rule.list = FilterList::Exclude,
                        "filesystem" => rule.list = FilterList::Filesystem,
                        "task" => rule.list = FilterList::Task,
                        other => panic!("-a part {other}"),
                    }
                }
            }
            "-S" => {
                for name in arg.split(',') {
                    if name == "all" {
                        rule.mask = SyscallMask::all();
                    } else {
                        rule.mask.insert(syscall_number(arch, name).unwrap_or_else(|| panic!("syscall {name}")));
                    }
                }
            }
            "-F" => {
                let op_at = arg.find(|c| "=!<>&".contains(c)).expect("operator");
                let name = &arg[..op_at];
                let rest = &arg[op_at..];
                let op_len =
                    ["!=", "<=", ">=", "&=", "=", "<", ">", "&"].iter().find(|o| rest.starts_with(**o)).unwrap().len();
                let op = Operator::from_symbol(&rest[..op_len]).unwrap();
                let value = &rest[op_len..];
                let kind = FieldType::from_name(name).unwrap_or_else(|| panic!("field {name}"));
                let field = match kind {
                    FieldType::WATCH | FieldType::DIR | FieldType::EXE | FieldType::FILTERKEY => {
                        Field::text(kind, op, value)
                    }
                    FieldType::ARCH => {
                        arch = Arch::bits_for(native, value == "b64");
                        Field::number(kind, op, arch.audit_value())
                    }
                    FieldType::PERM => Field::number(kind, op, perm_bits(value)),
                    FieldType::MSGTYPE => {
                        Field::number(kind, op, names::msgtype_number(value).unwrap_or_else(|| value.parse().unwrap()))
                    }
                    FieldType::EXIT if value.starts_with("-E") => {
                        Field::number(kind, op, (-(names::errno_number(&value[1..]).unwrap() as i32)) as u32)
                    }
                    _ => Field::number(kind, op, number(value)),
                };
                rule.fields.push(field);
            }
            other => panic!("flag {other} in {line}"),
        }
    }
    // auditctl 3.0.9 takes an exit rule without -S as one for every syscall.
    if rule.list == FilterList::Exit && !words.contains(&"-S") {
        rule.mask = SyscallMask::all();
    }
    if let Some(path) = watch {
        let is_dir =
            resolve(fs, Path::new(&path), true).ok().and_then(|r| r.meta).is_some_and(|m| m.kind == FileKind::Dir);
        let kind = if is_dir { FieldType::DIR } else { FieldType::WATCH };
        rule.fields.push(Field::text(kind, Operator::EQUAL, path));
        rule.fields.push(Field::number(FieldType::PERM, Operator::EQUAL, perm_field.unwrap_or(perm::ALL)));
    }
    if !keys.is_empty() {
        rule.fields.push(Field::text(FieldType::FILTERKEY, Operator::EQUAL, keys.join("\u{1}")));
    }
    rule
}

fn number(value: &str) -> u32 {
    if value == "unset" {
        return u32::MAX;
    }
    if let Some(hex) = value.strip_prefix("0x") {
        return u32::from_str_radix(hex, 16).unwrap();
    }
    value.parse::<i64>().unwrap_or_else(|_| panic!("number {value}")) as u32
}
