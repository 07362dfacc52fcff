//! The command line: parses flags, calls the library, maps errors to exit codes.
//! The flags themselves are defined in the library (`dockaudit::args`).

use std::io::Write;
use std::process::ExitCode;

use std::io::IsTerminal;
use std::path::Path;

use clap::Parser;
use dockaudit::args::{Args, Command, Format};
use dockaudit::error::CheckError;
use dockaudit::evaluate::Options;
use dockaudit::{cli, Error};

fn main() -> ExitCode {
    let args = Args::parse();
    let result = match args.command {
        Command::List { key, format } => cli::list(key.as_deref(), matches!(format, Format::Json)).map(|o| (o, false)),
        Command::Status { format } => cli::status(matches!(format, Format::Json)).map(|o| (o, false)),
        Command::Fix { benchmark, strict, only, skip, root, rules, write, apply, revert, state } => {
            let mut opts = Options::new(benchmark);
            opts.strict = strict;
            opts.only = only;
            opts.skip = skip;
            let mode = match (write, apply, revert) {
                (Some(file), _, _) => cli::FixMode::Write(file),
                (_, true, _) => cli::FixMode::Apply,
                (_, _, true) => cli::FixMode::Revert,
                _ => cli::FixMode::Print,
            };
            return match cli::fix(&opts, root.as_deref(), &rules, &mode, &state) {
                Ok((output, manual)) => {
                    let _ = std::io::stdout().write_all(&output);
                    ExitCode::from(u8::from(manual))
                }
                Err(error) => {
                    eprintln!("dockaudit: {error}");
                    ExitCode::from(error.exit_code())
                }
            };
        }
        Command::Check { benchmark, format, strict, only, skip, root, rules, host_root } => {
            let mut opts = Options::new(benchmark);
            opts.strict = strict;
            opts.only = only;
            opts.skip = skip;
            let format = format.into();
            // https://no-color.org: any non-empty NO_COLOR turns colour off.
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            let result = if root.is_some() || !rules.is_empty() {
                cli::check_offline(&opts, root.as_deref().unwrap_or(Path::new("/")), &rules, format, color)
            } else {
                cli::check(&opts, host_root.as_deref().unwrap_or(Path::new("/")), format, color)
            };
            match result {
                Ok(out) => Ok(out),
                Err(CheckError::Audit(e)) => Err(e),
                Err(e) => {
                    eprintln!("dockaudit: {e}");
                    return ExitCode::from(e.exit_code());
                }
            }
        }
        Command::Events(events) => {
            return ExitCode::from(cli::events(&events, &mut std::io::stdout().lock(), &mut std::io::stderr()));
        }
        Command::Load { files, dry_run } => {
            return match cli::load(&files, dry_run) {
                Ok(output) => {
                    let _ = std::io::stdout().write_all(&output);
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    eprintln!("dockaudit: {error}");
                    ExitCode::from(error.exit_code())
                }
            };
        }
    };
    match result {
        Ok((output, findings)) => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`dockaudit list | head`) is not an error worth a message.
            let _ = stdout.write_all(&output).and_then(|()| stdout.flush());
            if findings {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(error) => {
            eprintln!("dockaudit: {error}");
            ExitCode::from(exit_code(&error))
        }
    }
}

/// Every library error means the audit state could not be read.
fn exit_code(_error: &Error) -> u8 {
    3
}
