//! The command line: parses flags, calls the library, maps errors to exit codes.

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use dockaudit::{cli, Error};

const EXIT_CODES: &str = "\
Exit codes:
  0  success (for check: nothing failed or weak)
  1  findings (check: a control failed or is weak)
  2  usage error
  3  the audit state could not be read: missing CAP_AUDIT_CONTROL, not in the host
     pid namespace, a user namespace, a kernel without audit, or a kernel error";

#[derive(Parser)]
#[command(name = "dockaudit", version, about, after_help = EXIT_CODES)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Print the kernel's audit rules exactly as `auditctl -l` does.
    List {
        /// Only rules with a key containing KEY (like `auditctl -l -k KEY`).
        #[arg(short, long)]
        key: Option<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Print the kernel's audit status exactly as `auditctl -s` does.
    Status {
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Load rule files into the kernel like `auditctl -R`, all or nothing.
    Load {
        /// Rule files in auditctl syntax; `-` reads standard input.
        #[arg(required = true)]
        files: Vec<String>,
        /// Parse and print what would be sent; touches nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

fn main() -> ExitCode {
    let args = Args::parse();
    let result = match args.command {
        Command::List { key, format } => cli::list(key.as_deref(), matches!(format, Format::Json)),
        Command::Status { format } => cli::status(matches!(format, Format::Json)),
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
        Ok(output) => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`dockaudit list | head`) is not an error worth a message.
            let _ = stdout.write_all(&output).and_then(|()| stdout.flush());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("dockaudit: {error}");
            ExitCode::from(exit_code(&error))
        }
    }
}

fn exit_code(_error: &Error) -> u8 {
    3
}
