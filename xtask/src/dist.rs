//! `cargo xtask dist`: the release files under `target/dist/`: the static, stripped
//! binaries for x86_64 and aarch64 and their SHA-256, the man pages and the bash, zsh and fish completions, the
//! last two generated from the same clap definitions the binary parses
//! (`dockaudit::cli::args::command()`), so they cannot drift from `--help`.

use std::path::{Path, PathBuf};
use std::process::Command;

use clap_complete::Shell;

use crate::{root, run_checked, tools, XResult};

/// dist's options.
#[derive(Debug, clap::Args)]
pub struct Options {
    /// Skip the binaries (man pages and completions only)
    #[arg(long)]
    docs_only: bool,
    /// Skip the aarch64 binary
    #[arg(long)]
    no_aarch64: bool,
}

pub fn dist(o: &Options) -> XResult<bool> {
    let out = root().join("target/dist");
    let man = write_man_pages(&out.join("man"))?;
    let completions = write_completions(&out.join("completions"))?;
    for path in man.iter().chain(&completions) {
        println!("{}", path.display());
    }
    if o.docs_only {
        return Ok(true);
    }
    tools::ensure_musl_target();
    let built = tools::build_static("dockaudit", "dockaudit")?;
    let binary = out.join("dockaudit");
    // Copy, then strip the copy: cargo's own output stays as built.
    std::fs::copy(&built, &binary).map_err(|e| format!("copy {} to {}: {e}", built.display(), binary.display()))?;
    run_checked(Command::new("strip").arg(&binary))?;
    release_file(&out, "dockaudit", tools::EM_X86_64)?;
    if !o.no_aarch64 {
        let built = tools::build_static_aarch64("dockaudit", "dockaudit")?;
        let binary = out.join("dockaudit-aarch64");
        std::fs::copy(&built, &binary).map_err(|e| format!("copy {} to {}: {e}", built.display(), binary.display()))?;
        release_file(&out, "dockaudit-aarch64", tools::EM_AARCH64)?;
    }
    Ok(true)
}

/// Checks a binary in `out` (static, for `machine`, no symbol table left) and writes
/// NAME.sha256 beside it in sha256sum's own format with the relative name, so that
/// `sha256sum -c NAME.sha256` checks it in target/dist.
fn release_file(out: &Path, name: &str, machine: u16) -> XResult<()> {
    let binary = out.join(name);
    if !tools::is_static(&binary)? {
        return Err(format!("{} is not static", binary.display()));
    }
    if tools::elf_machine(&binary)? != machine {
        return Err(format!("{} is not built for ELF machine {machine}", binary.display()));
    }
    if tools::has_symbol_table(&binary)? {
        return Err(format!("{} still has its symbol table", binary.display()));
    }
    let sum = run_checked(Command::new("sha256sum").arg(name).current_dir(out))?;
    std::fs::write(out.join(format!("{name}.sha256")), &sum).map_err(|e| format!("{name}.sha256: {e}"))?;
    let size = std::fs::metadata(&binary).map_err(|e| format!("{}: {e}", binary.display()))?.len();
    println!("{} ({} bytes, static, stripped)", binary.display(), size);
    print!("{}", sum);
    Ok(())
}

/// `dockaudit.1` and one `dockaudit-COMMAND.1` per subcommand, each with an EXIT
/// STATUS section (the exit codes `--help` shows).
pub fn write_man_pages(dir: &Path) -> XResult<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut cmd = dockaudit::cli::args::command().disable_help_subcommand(true);
    cmd.build();
    let mut pages = vec![(cmd.clone(), true)];
    pages.extend(cmd.get_subcommands().filter(|s| !s.is_hide_set()).map(|s| (s.clone(), false)));
    let mut written = Vec::new();
    for (page, top) in pages {
        let man = clap_mangen::Man::new(page);
        let path = dir.join(man.get_filename());
        std::fs::write(&path, render_man(&man, top)?).map_err(|e| format!("{}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// clap_mangen's sections, with the after-help text (the exit codes) replaced by an
/// EXIT STATUS section on every page, where man(1) readers look for it.
fn render_man(man: &clap_mangen::Man, top: bool) -> XResult<Vec<u8>> {
    let mut out = Vec::new();
    let io = |e: std::io::Error| format!("rendering the man page: {e}");
    man.render_title(&mut out).map_err(io)?;
    man.render_name_section(&mut out).map_err(io)?;
    man.render_synopsis_section(&mut out).map_err(io)?;
    man.render_description_section(&mut out).map_err(io)?;
    man.render_options_section(&mut out).map_err(io)?;
    if top {
        man.render_subcommands_section(&mut out).map_err(io)?;
    }
    out.extend_from_slice(exit_status_section().as_bytes());
    if top {
        // Only the top-level command carries the version.
        man.render_version_section(&mut out).map_err(io)?;
    }
    Ok(out)
}

/// `EXIT_CODES` as roff: a no-fill block, every line escaped so that none can be read
/// as a request.
fn exit_status_section() -> String {
    let mut s = String::from(".SH \"EXIT STATUS\"\n.nf\n");
    let codes = dockaudit::cli::args::EXIT_CODES;
    for line in codes.strip_prefix("Exit codes:\n").unwrap_or(codes).lines() {
        s.push_str("\\&");
        s.push_str(&line.replace('\\', "\\e").replace('-', "\\-"));
        s.push('\n');
    }
    s.push_str(".fi\n");
    s
}

/// bash, zsh and fish completions for every command and flag.
pub fn write_completions(dir: &Path) -> XResult<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut cmd = dockaudit::cli::args::command();
    [Shell::Bash, Shell::Zsh, Shell::Fish]
        .into_iter()
        .map(|shell| {
            clap_complete::generate_to(shell, &mut cmd, "dockaudit", dir)
                .map_err(|e| format!("{shell} completions: {e}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tempdir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-dist-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn man_pages_name_every_command_flag_and_exit_code() {
        let dir = tempdir("man");
        let pages = write_man_pages(&dir).unwrap();
        let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let top = read("dockaudit.1");
        let cmd = dockaudit::cli::args::command();
        let subcommands: Vec<_> = cmd.get_subcommands().map(|s| s.get_name().to_string()).collect();
        assert!(subcommands.len() >= 5, "{subcommands:?}");
        assert_eq!(pages.len(), 1 + subcommands.len(), "{pages:?}");
        for name in &subcommands {
            assert!(top.contains(&format!("dockaudit\\-{name}(1)")), "dockaudit.1 does not name {name}:\n{top}");
            let page = read(&format!("dockaudit-{name}.1"));
            let sub = cmd.find_subcommand(name).unwrap();
            for arg in sub.get_arguments().filter_map(|a| a.get_long()) {
                assert!(
                    page.contains(&format!("\\-\\-{}", arg.replace('-', "\\-"))),
                    "dockaudit-{name}.1 lacks --{arg}"
                );
            }
        }
        for page in std::fs::read_dir(&dir).unwrap() {
            let text = std::fs::read_to_string(page.unwrap().path()).unwrap();
            assert!(text.contains(".SH \"EXIT STATUS\""), "{text}");
            for code in ["0  success", "1  findings", "2  usage error", "3  the audit state could not be read"] {
                assert!(text.contains(&format!("\\&  {code}")), "exit code {code:?} missing:\n{text}");
            }
            assert!(!text.contains(".SH EXTRA"), "after-help rendered twice");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn completions_offer_every_command_and_check_format() {
        let dir = tempdir("completions");
        let files = write_completions(&dir).unwrap();
        let names: Vec<_> = files.iter().map(|f| f.file_name().unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(names, ["dockaudit.bash", "_dockaudit", "dockaudit.fish"]);
        for file in &files {
            let text = std::fs::read_to_string(file).unwrap();
            for word in ["list", "status", "load", "check", "fix", "host-root", "prometheus", "sarif"] {
                assert!(text.contains(word), "{} lacks {word}", file.display());
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
