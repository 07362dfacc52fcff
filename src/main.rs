//! The binary: parses flags, calls the command, prints its output, and turns the result
//! into the exit code (`cli::CommandError::exit_code`). The flags are defined in the
//! library (`dockaudit::cli::args`).

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use clap::Parser;
use dockaudit::cli::args::{Args, Command, ListFormat};
use dockaudit::cli::{self, CommandError, FixMode, Output};
use dockaudit::judge::Options;

fn main() -> ExitCode {
    match run(Args::parse().command) {
        Ok(Output { bytes, outcome }) => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`dockaudit list | head`) is not an error worth a message.
            let _ = stdout.write_all(&bytes).and_then(|()| stdout.flush());
            ExitCode::from(outcome.exit_code())
        }
        Err(error) => {
            eprintln!("dockaudit: {error}");
            ExitCode::from(error.exit_code())
        }
    }
}

fn run(command: Command) -> Result<Output, CommandError> {
    match command {
        Command::List { key, format } => cli::list(key.as_deref(), matches!(format, ListFormat::Json)),
        Command::Status { format } => cli::status(matches!(format, ListFormat::Json)),
        Command::Load { files, dry_run } => cli::load(&files, dry_run),
        Command::Events(args) => cli::events(&args, &mut std::io::stdout().lock(), &mut std::io::stderr()),
        Command::Report(args) => cli::report(&args, &mut std::io::stdout().lock(), &mut std::io::stderr()),
        Command::Check { benchmark, format, strict, only, skip, root, rules, arch, host_root, prove } => {
            offline_only(arch.is_some(), root.is_some() || !rules.is_empty())?;
            let opts = Options { strict, only, skip, arch, ..Options::new(benchmark) };
            // https://no-color.org: any non-empty NO_COLOR turns colour off.
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            if root.is_some() || !rules.is_empty() {
                cli::check_offline(&opts, root.as_deref().unwrap_or(Path::new("/")), &rules, format, color)
            } else {
                cli::check(&opts, host_root.as_deref().unwrap_or(Path::new("/")), format, color, prove)
            }
        }
        Command::Fix { benchmark, strict, only, skip, root, rules, arch, write, apply, revert, state } => {
            offline_only(arch.is_some(), root.is_some() || !rules.is_empty() || write.is_some())?;
            let opts = Options { strict, only, skip, arch, ..Options::new(benchmark) };
            let mode = match (write, apply, revert) {
                (Some(file), _, _) => FixMode::Write(file),
                (_, true, _) => FixMode::Apply,
                (_, _, true) => FixMode::Revert,
                _ => FixMode::Print,
            };
            cli::fix(&opts, root.as_deref(), &rules, &mode, &state)
        }
    }
}

/// `--arch` says what kernel a root's files are for; live, the running kernel says.
fn offline_only(arch: bool, offline: bool) -> Result<(), CommandError> {
    if arch && !offline {
        return Err(CommandError::Usage(
            "--arch judges files (--root, --rules, fix --write); the running kernel's arch is its own".into(),
        ));
    }
    Ok(())
}
