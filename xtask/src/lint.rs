//! `cargo xtask lint`: formatting (the workspace and the fuzz crate, which is outside
//! it), clippy with warnings denied, and the dependency rule between the library's
//! top-level modules. `cargo xtask test` runs it first, so CI enforces it.
//!
//! The dependency rule: a top-level module of `src/` may use (`crate::<module>`, in a
//! `use` or a path) only modules on a lower line of [`LAYERS`]; modules on the same line
//! may not use each other. Test code is not held to it: files named `tests.rs` or
//! `*_tests.rs`, modules declared `#[cfg(test)] mod NAME;` and inline
//! `#[cfg(test)] mod NAME { ... }` blocks. `lib.rs` (the facade) and `main.rs` (its own
//! crate) are not checked; names `lib.rs` re-exports (`crate::Rule`) count as uses of
//! the module they come from.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{cargo, root, run_checked, tools, XResult};

/// The library's layers, lowest first.
pub const LAYERS: &[&[&str]] = &[
    &["wire"],
    &["rule", "host"],
    &["kernel"],
    &["docker", "events"],
    &["rules_file"],
    &["persist"],
    &["judge"],
    &["fix", "report", "prove"],
    &["cli"],
];

/// [`LAYERS`] as `cargo xtask lint --help` shows it (a unit test keeps them equal).
pub const LAYER_HELP: &str = "\
dependency rule: a module may use only modules on lower lines (lowest first):
  1  wire
  2  rule, host
  3  kernel
  4  docker, events
  5  rules_file
  6  persist
  7  judge
  8  fix, report, prove
  9  cli";

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|line| line.contains(&module))
}

/// All of it; false (after saying what failed) when any check fails.
pub fn lint() -> XResult<bool> {
    ensure_components();
    if let Err(e) = tools::ensure_aarch64_target() {
        eprintln!("xtask: {e}");
    }
    let root = root();
    let mut failed = Vec::new();
    let checks: [(&str, &[&str], &str); 5] = [
        ("cargo fmt --all -- --check", &["fmt", "--all", "--", "--check"], "run `cargo fmt --all`"),
        (
            "cargo fmt --manifest-path fuzz/Cargo.toml -- --check",
            &["fmt", "--manifest-path", "fuzz/Cargo.toml", "--", "--check"],
            "run `cargo fmt --manifest-path fuzz/Cargo.toml`",
        ),
        // fuzz/ is outside the workspace: without this a library change that breaks a
        // fuzz target is only found by the next fuzzing run.
        (
            "cargo check --manifest-path fuzz/Cargo.toml --bins",
            &["check", "--manifest-path", "fuzz/Cargo.toml", "--bins"],
            "update the fuzz targets to the library's API",
        ),
        (
            "cargo clippy --workspace --all-targets -- -D warnings",
            &["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"],
            "fix the warnings above",
        ),
        // The arm64 binary compiles other cfg branches and other libc types (c_char is
        // u8 there): a cast or a branch that is only wrong on arm64 is found here.
        (
            "cargo clippy -p dockaudit --target aarch64-unknown-linux-musl --lib --bins -- -D warnings",
            &["clippy", "-p", "dockaudit", "--target", tools::AARCH64_MUSL, "--lib", "--bins", "--", "-D", "warnings"],
            "fix the warnings above (they are arm64's)",
        ),
    ];
    for (shown, args, fix) in checks {
        eprintln!("lint: {shown}");
        let status =
            Command::new(cargo()).current_dir(&root).args(args).status().map_err(|e| format!("{shown}: {e}"))?;
        if !status.success() {
            failed.push(format!("`{shown}` failed ({fix})"));
        }
    }
    eprintln!("lint: dependency rule of src/");
    let violations = check_tree(&root.join("src"))?;
    for v in &violations {
        eprintln!("{v}");
    }
    if !violations.is_empty() {
        failed.push(format!("{} use(s) break the dependency rule\n{LAYER_HELP}", violations.len()));
    }
    if failed.is_empty() {
        eprintln!("lint: clean");
        return Ok(true);
    }
    for f in &failed {
        eprintln!("lint: FAILED: {f}");
    }
    Ok(false)
}

/// Add rustfmt and clippy with rustup when they are missing (a fresh machine's minimal
/// profile has neither); without rustup, cargo says what is missing.
fn ensure_components() {
    if !tools::on_path("rustup") {
        return;
    }
    let installed = run_checked(Command::new("rustup").args(["component", "list", "--installed"])).unwrap_or_default();
    for component in ["rustfmt", "clippy"] {
        if !installed.lines().any(|l| l.trim() == component || l.trim().starts_with(&format!("{component}-"))) {
            eprintln!("xtask: rustup component add {component}");
            if let Err(e) = run_checked(Command::new("rustup").args(["component", "add", component])) {
                eprintln!("xtask: could not add {component}: {e}");
            }
        }
    }
}

/// One use that breaks the rule, or a module the rule does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Shown as is: `src/x/y.rs`.
    pub file: String,
    pub line: usize,
    pub from: String,
    pub to: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {} uses {}", self.file, self.line, self.from, self.to)?;
        match (layer_of(&self.from), layer_of(&self.to)) {
            (None, _) => write!(f, " ({} is not in the layer table)", self.from),
            (_, None) => write!(f, " ({} is not in the layer table)", self.to),
            _ => Ok(()),
        }
    }
}

/// May top-level module `from` use `to`?
fn allowed(from: &str, to: &str) -> bool {
    if from == to {
        return true;
    }
    matches!((layer_of(from), layer_of(to)), (Some(f), Some(t)) if t < f)
}

/// Check every file under `src` (the library's root directory).
pub fn check_tree(src: &Path) -> XResult<Vec<Violation>> {
    let read = |p: &Path| std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()));
    let aliases = reexports(&strip(&read(&src.join("lib.rs"))?));
    let mut files = Vec::new();
    rust_files(src, &mut files)?;
    files.sort();
    // Test-only module files, from `#[cfg(test)] mod NAME;` declarations.
    let mut test_only: Vec<PathBuf> = Vec::new();
    let mut stripped = BTreeMap::new();
    for file in &files {
        let code = strip(&read(file)?);
        let children = children_dir(file);
        for name in test_module_declarations(&code) {
            test_only.push(children.join(format!("{name}.rs")));
            test_only.push(children.join(&name));
        }
        stripped.insert(file.clone(), code);
    }
    let mut violations = Vec::new();
    for (file, code) in &stripped {
        let rel = file.strip_prefix(src).unwrap_or(file);
        let Some(from) = top_module(rel) else { continue };
        if is_test_file(file) || test_only.iter().any(|t| file.starts_with(t)) {
            continue;
        }
        let shown = format!("src/{}", rel.display());
        violations.extend(check_source(&shown, &from, code, &aliases));
    }
    Ok(violations)
}

/// The uses in one file (already [`strip`]ped) of module `from` that break the rule.
fn check_source(file: &str, from: &str, code: &str, aliases: &BTreeMap<String, String>) -> Vec<Violation> {
    let skip = inline_test_modules(code);
    crate_references(code)
        .into_iter()
        .filter(|(offset, _)| !skip.iter().any(|r| r.contains(offset)))
        .filter_map(|(offset, name)| {
            let to = aliases.get(&name).cloned().unwrap_or(name);
            (!allowed(from, &to)).then(|| Violation {
                file: file.to_string(),
                line: code[..offset].matches('\n').count() + 1,
                from: from.to_string(),
                to,
            })
        })
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> XResult<()> {
    for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            rust_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// `kernel` for `kernel/fake.rs` and `wire.rs`; None for the crate roots.
fn top_module(rel: &Path) -> Option<String> {
    let first = rel.components().next()?.as_os_str().to_string_lossy().into_owned();
    match first.strip_suffix(".rs") {
        Some("lib" | "main") => None,
        Some(stem) => Some(stem.to_string()),
        None => Some(first),
    }
}

fn is_test_file(path: &Path) -> bool {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    name == "tests.rs" || name.ends_with("_tests.rs")
}

/// Where the files of a file's child modules live.
fn children_dir(file: &Path) -> PathBuf {
    let parent = file.parent().unwrap_or(Path::new("")).to_path_buf();
    match file.file_stem().and_then(|s| s.to_str()) {
        Some("mod" | "lib" | "main") | None => parent,
        Some(stem) => parent.join(stem),
    }
}

/// Comments, string and char literals blanked (newlines kept, so offsets and line
/// numbers stay those of the source).
fn strip(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = b.to_vec();
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for c in &mut out[from..to.min(b.len())] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
    };
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut i = 0;
    while i < b.len() {
        let rest = &b[i..];
        if rest.starts_with(b"//") {
            let end = rest.iter().position(|&c| c == b'\n').map_or(b.len(), |n| i + n);
            blank(&mut out, i, end);
            i = end;
        } else if rest.starts_with(b"/*") {
            let (mut depth, mut j) = (0usize, i);
            while j < b.len() {
                if b[j..].starts_with(b"/*") {
                    depth += 1;
                    j += 2;
                } else if b[j..].starts_with(b"*/") {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            blank(&mut out, i, j);
            i = j;
        } else if b[i] == b'r' && (i == 0 || !ident(b[i - 1]) || (b[i - 1] == b'b' && (i < 2 || !ident(b[i - 2])))) {
            // A raw string r"..." / r#"..."# (or br"..."); else the identifier goes on.
            let hashes = rest[1..].iter().take_while(|&&c| c == b'#').count();
            if rest.get(1 + hashes) == Some(&b'"') {
                let close: Vec<u8> = std::iter::once(b'"').chain(std::iter::repeat_n(b'#', hashes)).collect();
                let body = i + 2 + hashes;
                let end =
                    b[body..].windows(close.len()).position(|w| w == close).map_or(b.len(), |n| body + n + close.len());
                blank(&mut out, i, end);
                i = end;
            } else {
                i += 1;
            }
        } else if b[i] == b'"' {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            blank(&mut out, i, j + 1);
            i = j + 1;
        } else if b[i] == b'\'' {
            // A char literal ('x', '\n', '\u{..}', or a multi-byte char), else a lifetime.
            let end = if rest.get(1) == Some(&b'\\') {
                rest[2..].iter().position(|&c| c == b'\'').map(|n| i + 2 + n + 1)
            } else {
                let ch_len = src[i + 1..].chars().next().map_or(1, char::len_utf8);
                (rest.get(1 + ch_len) == Some(&b'\'')).then_some(i + 2 + ch_len)
            };
            match end {
                Some(end) => {
                    blank(&mut out, i, end);
                    i = end;
                }
                None => i += 1,
            }
        } else if ident(b[i]) {
            // Skip the whole identifier so that an `r` inside one is no raw string.
            while i < b.len() && ident(b[i]) {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    // Only ASCII bytes were replaced, by ASCII, at whole-character spans.
    String::from_utf8(out).unwrap_or_default()
}

fn ident_at(code: &str, at: usize) -> &str {
    let rest = &code[at..];
    let len = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
    &rest[..len]
}

fn skip_ws(code: &str, at: usize) -> usize {
    at + code[at..].len() - code[at..].trim_start().len()
}

/// (offset, first segment) of every `crate::SEGMENT` and every item of a
/// `crate::{a::.., b}` group.
fn crate_references(code: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (at, _) in code.match_indices("crate") {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let after = skip_ws(code, at + "crate".len());
        if !code[after..].starts_with("::") {
            continue;
        }
        let next = skip_ws(code, after + 2);
        if code[next..].starts_with('{') {
            // Items at depth one of the group, each after `{` or `,`.
            let mut depth = 0;
            let mut expect_item = false;
            for (n, c) in code[next..].char_indices() {
                let pos = next + n;
                match c {
                    '{' => {
                        depth += 1;
                        expect_item = depth == 1;
                    }
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    ',' if depth == 1 => expect_item = true,
                    c if expect_item && !c.is_whitespace() => {
                        expect_item = false;
                        let name = ident_at(code, pos);
                        if !name.is_empty() && name != "self" {
                            found.push((pos, name.to_string()));
                        }
                    }
                    _ => {}
                }
            }
        } else {
            let name = ident_at(code, next);
            if !name.is_empty() {
                found.push((next, name.to_string()));
            }
        }
    }
    found
}

/// `#[cfg(test)]`, then other attributes and `pub`/`pub(..)`, then `mod NAME`: the
/// offset just after NAME and NAME.
fn cfg_test_modules(code: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (at, m) in code.match_indices("#[cfg(test)]") {
        let mut pos = skip_ws(code, at + m.len());
        loop {
            if code[pos..].starts_with("#[") {
                let Some(end) = code[pos..].find(']') else { break };
                pos = skip_ws(code, pos + end + 1);
            } else if code[pos..].starts_with("pub") && ident_at(code, pos) == "pub" {
                pos = skip_ws(code, pos + 3);
                if code[pos..].starts_with('(') {
                    let Some(end) = code[pos..].find(')') else { break };
                    pos = skip_ws(code, pos + end + 1);
                }
            } else {
                break;
            }
        }
        if ident_at(code, pos) == "mod" {
            let name_at = skip_ws(code, pos + 3);
            let name = ident_at(code, name_at);
            if !name.is_empty() {
                found.push((name_at + name.len(), name.to_string()));
            }
        }
    }
    found
}

/// Names of `#[cfg(test)] mod NAME;` (module in its own file).
fn test_module_declarations(code: &str) -> Vec<String> {
    cfg_test_modules(code)
        .into_iter()
        .filter(|(end, _)| code[skip_ws(code, *end)..].starts_with(';'))
        .map(|(_, name)| name)
        .collect()
}

/// The spans of `#[cfg(test)] mod NAME { ... }`.
fn inline_test_modules(code: &str) -> Vec<std::ops::Range<usize>> {
    let mut spans = Vec::new();
    for (end, _) in cfg_test_modules(code) {
        let open = skip_ws(code, end);
        if !code[open..].starts_with('{') {
            continue;
        }
        let mut depth = 0;
        let mut close = code.len();
        for (n, c) in code[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        close = open + n + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        spans.push(open..close);
    }
    spans
}

/// Names `lib.rs` re-exports, to the module they come from: `pub use kernel::{Status}`
/// makes `crate::Status` a use of `kernel`.
fn reexports(lib: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for (at, m) in lib.match_indices("pub use ") {
        let Some(len) = lib[at..].find(';') else { continue };
        let path: String = lib[at + m.len()..at + len].split_whitespace().collect::<Vec<_>>().join(" ");
        let path = path.strip_prefix("crate::").unwrap_or(&path);
        let module = ident_at(path, 0).to_string();
        let names: BTreeSet<String> = match path.find('{') {
            Some(open) => path[open + 1..]
                .trim_end_matches('}')
                .split(',')
                .filter_map(|item| item.rsplit([':', ' ']).next().map(str::trim))
                .filter(|n| !n.is_empty() && *n != "self")
                .map(String::from)
                .collect(),
            None => path.rsplit([':', ' ']).next().map(String::from).into_iter().collect(),
        };
        for name in names {
            if name != module {
                map.insert(name, module.clone());
            }
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(from: &str, code: &str) -> Vec<String> {
        let aliases = reexports(&strip("pub use kernel::{AuditClient, Status};\npub use rule::Rule;\n"));
        check_source("src/f.rs", from, &strip(code), &aliases).iter().map(|v| v.to_string()).collect()
    }

    #[test]
    fn layer_help_shows_the_table() {
        let shown: Vec<String> =
            LAYERS.iter().enumerate().map(|(n, line)| format!("  {}  {}", n + 1, line.join(", "))).collect();
        assert_eq!(LAYER_HELP.lines().skip(1).collect::<Vec<_>>(), shown);
    }

    #[test]
    fn downward_uses_pass_and_upward_or_sideways_uses_fail() {
        assert!(check("kernel", "use crate::rule::Rule;\nuse crate::wire::{self, Reader};\n").is_empty());
        assert!(check("cli", "use crate::{fix, report::Format, judge};\n").is_empty());
        assert!(check("judge", "use crate::judge::catalog;").is_empty());
        assert_eq!(check("rule", "use crate::wire;\n\nuse crate::kernel::Status;\n"), ["src/f.rs:3: rule uses kernel"]);
        assert_eq!(check("rule", "fn f() { crate::host::x() }"), ["src/f.rs:1: rule uses host"]);
        assert_eq!(check("fix", "use crate::report::Format;"), ["src/f.rs:1: fix uses report"]);
        assert_eq!(check("report", "use crate::fix::plan;"), ["src/f.rs:1: report uses fix"]);
        assert_eq!(check("docker", "use crate::events::Log;"), ["src/f.rs:1: docker uses events"]);
        assert!(check("docker", "use crate::{host, rule, kernel, wire};").is_empty());
        assert!(check("events", "use crate::{host, rule, kernel, wire};").is_empty());
        assert_eq!(check("docker", "use crate::persist::x;"), ["src/f.rs:1: docker uses persist"]);
        assert!(check("judge", "use crate::docker::Host;").is_empty());
    }

    #[test]
    fn groups_over_several_lines_give_each_items_line() {
        let code = "use crate::{\n    rule::Rule,\n    judge::{a, b},\n    cli,\n};\n";
        assert_eq!(check("persist", code), ["src/f.rs:3: persist uses judge", "src/f.rs:4: persist uses cli"]);
    }

    #[test]
    fn reexported_names_count_as_their_module() {
        assert_eq!(check("wire", "fn f(s: crate::Status) {}"), ["src/f.rs:1: wire uses kernel"]);
        assert!(check("judge", "use crate::{Rule, Status};").is_empty());
    }

    #[test]
    fn comments_strings_test_modules_and_other_crates_are_ignored() {
        let code = "// crate::cli\n/* crate::cli /* nested */ crate::cli */\nconst S: &str = \"crate::cli\";\n\
                    const R: &str = r#\"crate::cli \"quoted\"\"#;\nconst C: char = '\"';\nfn f<'a>(x: &'a u8) {}\n\
                    macro_rules! m { () => { $crate::cli }; }\nuse mycrate::cli;\n\
                    #[cfg(test)]\nmod tests {\n    use crate::cli;\n    fn g() { if true {} }\n}\n\
                    use crate::judge;\n";
        assert_eq!(check("rule", code), ["src/f.rs:14: rule uses judge"]);
    }

    #[test]
    fn unknown_modules_are_reported() {
        assert_eq!(
            check("rule", "use crate::gadgets;"),
            ["src/f.rs:1: rule uses gadgets (gadgets is not in the layer table)"]
        );
        assert_eq!(
            check("gadgets", "use crate::wire;"),
            ["src/f.rs:1: gadgets uses wire (gadgets is not in the layer table)"]
        );
    }

    #[test]
    fn test_module_declarations_and_files() {
        let code =
            strip("#[cfg(test)]\n#[path = \"x_tests.rs\"]\nmod x;\n#[cfg(test)]\npub(crate) mod golden;\nmod real;\n");
        assert_eq!(test_module_declarations(&code), ["x", "golden"]);
        assert!(is_test_file(Path::new("src/judge/evaluate_tests.rs")));
        assert!(is_test_file(Path::new("src/fix/tests.rs")));
        assert!(!is_test_file(Path::new("src/fix/mod.rs")));
        assert_eq!(children_dir(Path::new("src/report/mod.rs")), Path::new("src/report"));
        assert_eq!(children_dir(Path::new("src/judge/evaluate.rs")), Path::new("src/judge/evaluate"));
        assert_eq!(top_module(Path::new("kernel/fake.rs")).as_deref(), Some("kernel"));
        assert_eq!(top_module(Path::new("wire.rs")).as_deref(), Some("wire"));
        assert_eq!(top_module(Path::new("lib.rs")), None);
    }

    #[test]
    fn a_tree_skips_roots_and_test_files() {
        let dir = std::env::temp_dir().join(format!("xtask-lint-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let files = [
            ("lib.rs", "pub mod wire;\npub mod rule;\npub use rule::Rule;\n#[cfg(test)]\nmod testhelp;\n"),
            ("main.rs", "use crate::cli;\n"),
            ("testhelp.rs", "use crate::cli;\n"),
            ("wire.rs", "// wire is the lowest\nuse crate::Rule;\n"),
            ("rule/mod.rs", "use crate::wire;\n#[cfg(test)]\nmod golden;\n#[cfg(test)]\nmod tests;\n"),
            ("rule/golden.rs", "use crate::judge;\n"),
            ("rule/tests.rs", "use crate::judge;\n"),
            ("rule/text_tests.rs", "use crate::judge;\n"),
            ("rule/text.rs", "use crate::{wire, host};\nuse crate::kernel;\n"),
        ];
        for (name, text) in files {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let shown: Vec<String> = check_tree(&dir).unwrap().iter().map(|v| v.to_string()).collect();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            shown,
            [
                "src/rule/text.rs:1: rule uses host",
                "src/rule/text.rs:2: rule uses kernel",
                "src/wire.rs:2: wire uses rule"
            ]
        );
    }

    #[test]
    fn the_library_keeps_the_rule() {
        let violations = check_tree(&root().join("src")).unwrap();
        let shown: Vec<String> = violations.iter().map(|v| v.to_string()).collect();
        assert!(shown.is_empty(), "{}", shown.join("\n"));
    }
}
